//! Secrets Manager: generic secrets with versions and stage labels (create, put, stages, list,
//! describe, delete/restore, rotate). Sealing and reading values lives in `secret_values`.

use serde_json::{json, Value};

use super::keys::{ensure_enabled, parse_tags, resolve_key, spec_of};
use super::secret_values::{open_value, seal_value};
use super::{b64_decode, obj, page, Ctx, Params};
use crate::error::{KmsError, KmsResult};
use crate::model::{
    fmt_time, now_str, SecretRecord, SecretVersionRecord, STAGE_CURRENT, STAGE_PREVIOUS,
};

const MAX_SECRET_DATA: usize = 64 * 1024;

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 192
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_/+=.@-".contains(c))
}

/// Loads a secret; one whose recovery window has passed is purged and reported as missing.
fn load(ctx: &Ctx, name: &str) -> KmsResult<SecretRecord> {
    let secret = ctx
        .store
        .get_secret(name)?
        .ok_or_else(KmsError::resource_not_found)?;
    if let Some(t) = secret
        .planned_delete_time
        .as_deref()
        .and_then(crate::auth::parse_acs_date)
    {
        if t <= chrono::Utc::now() {
            ctx.store.delete_secret(name)?;
            return Err(KmsError::resource_not_found());
        }
    }
    Ok(secret)
}

pub(super) fn load_active(ctx: &Ctx, name: &str) -> KmsResult<SecretRecord> {
    let secret = load(ctx, name)?;
    if secret.planned_delete_time.is_some() {
        return Err(KmsError::in_delete_window());
    }
    Ok(secret)
}

/// Validated `SecretData` + `SecretDataType` (binary data must be base64).
fn secret_data<'a>(p: &Params<'a>) -> KmsResult<(&'a str, String)> {
    let data = p.req("SecretData")?;
    let data_type = p.opt("SecretDataType").unwrap_or("text");
    if data.len() > MAX_SECRET_DATA {
        return Err(KmsError::invalid("SecretData"));
    }
    match data_type {
        "text" => {}
        "binary" if b64_decode(data).is_some() => {}
        "binary" => return Err(KmsError::invalid("SecretData")),
        _ => return Err(KmsError::invalid("SecretDataType")),
    }
    Ok((data, data_type.to_owned()))
}

fn version_id_param(p: &Params) -> KmsResult<String> {
    match p.opt("VersionId") {
        Some(v) if v.len() <= 64 && !v.chars().any(char::is_control) => Ok(v.to_owned()),
        Some(_) => Err(KmsError::invalid("VersionId")),
        None => Ok(uuid::Uuid::new_v4().simple().to_string()),
    }
}

/// Points `stage` at `version`; moving ACSCurrent demotes the old current to ACSPrevious.
fn move_stage(secret: &mut SecretRecord, stage: &str, version: &str) {
    if stage == STAGE_CURRENT {
        if let Some(old) = secret.stages.get(STAGE_CURRENT).cloned() {
            if old != version {
                secret.stages.insert(STAGE_PREVIOUS.to_owned(), old);
            }
        }
    }
    secret.stages.insert(stage.to_owned(), version.to_owned());
}

pub(super) fn stages_json(stages: Vec<String>) -> Value {
    json!({ "VersionStage": stages })
}

pub(super) fn create_secret(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let name = p.req("SecretName")?;
    if !valid_name(name) {
        return Err(KmsError::invalid("SecretName"));
    }
    let (data, data_type) = secret_data(p)?;
    let secret_type = p.opt("SecretType").unwrap_or("Generic");
    if secret_type != "Generic" {
        return Err(KmsError::invalid_msg(
            "Only SecretType Generic is supported by the emulator.",
        ));
    }
    let encryption_key_id = match p.opt("EncryptionKeyId") {
        Some(id) => {
            let key = resolve_key(ctx, id)?;
            if !spec_of(&key)?.is_symmetric() || key.key_usage != "ENCRYPT/DECRYPT" {
                return Err(KmsError::unsupported_operation());
            }
            ensure_enabled(&key)?;
            key.key_id
        }
        None => String::new(),
    };
    let extended_config = match p.opt_json("ExtendedConfig")? {
        Some(v) if v.is_object() => Some(v.to_string()),
        Some(_) => return Err(KmsError::invalid("ExtendedConfig")),
        None => None,
    };
    let tags = parse_tags(p, "Tags")?;
    let version_id = version_id_param(p)?;
    let now = now_str();
    let mut secret = SecretRecord {
        name: name.to_owned(),
        arn: ctx.secret_arn(name),
        secret_type: secret_type.to_owned(),
        description: p.opt("Description").unwrap_or("").to_owned(),
        encryption_key_id,
        create_time: now.clone(),
        update_time: now.clone(),
        planned_delete_time: None,
        extended_config: extended_config.clone(),
        automatic_rotation: p.flag("EnableAutomaticRotation")?,
        rotation_interval: p.opt("RotationInterval").map(str::to_owned),
        last_rotation_date: None,
        stages: Default::default(),
    };
    move_stage(&mut secret, STAGE_CURRENT, &version_id);
    let blob = seal_value(ctx, &secret, &version_id, data.as_bytes())?;
    let version = SecretVersionRecord {
        version_id: version_id.clone(),
        create_time: now,
        data_type,
    };
    if !ctx.store.insert_secret(&secret, &version, &blob)? {
        return Err(KmsError::resource_exists());
    }
    if !tags.is_empty() {
        ctx.store.set_tags(&format!("secret:{name}"), &tags)?;
    }
    Ok(obj([
        ("Arn", json!(secret.arn)),
        ("SecretName", json!(secret.name)),
        ("SecretType", json!(secret.secret_type)),
        ("VersionId", json!(version_id)),
        (
            "AutomaticRotation",
            json!(if secret.automatic_rotation {
                "Enabled"
            } else {
                "Disabled"
            }),
        ),
        (
            "RotationInterval",
            secret
                .rotation_interval
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        ),
        (
            "ExtendedConfig",
            extended_config.map(Value::String).unwrap_or(Value::Null),
        ),
    ]))
}

pub(super) fn put_secret_value(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut secret = load_active(ctx, p.req("SecretName")?)?;
    let (data, data_type) = secret_data(p)?;
    let version_id = version_id_param(p)?;
    let stages: Vec<String> = match p.opt_json("VersionStages")? {
        None => vec![STAGE_CURRENT.to_owned()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|s| {
                s.as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| KmsError::invalid("VersionStages"))
            })
            .collect::<KmsResult<_>>()?,
        Some(_) => return Err(KmsError::invalid("VersionStages")),
    };
    for s in &stages {
        move_stage(&mut secret, s, &version_id);
    }
    let now = now_str();
    secret.update_time = now.clone();
    let blob = seal_value(ctx, &secret, &version_id, data.as_bytes())?;
    let version = SecretVersionRecord {
        version_id: version_id.clone(),
        create_time: now,
        data_type,
    };
    if !ctx.store.add_secret_version(&secret, &version, &blob)? {
        return Err(KmsError::resource_exists());
    }
    Ok(
        json!({"SecretName": secret.name, "VersionId": version_id, "VersionStages": stages_json(secret.stages_of(&version_id))}),
    )
}

pub(super) fn update_version_stage(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut secret = load_active(ctx, p.req("SecretName")?)?;
    let stage = p.req("VersionStage")?;
    let remove_from = p.opt("RemoveFromVersion");
    let move_to = p.opt("MoveToVersion");
    if remove_from.is_none() && move_to.is_none() {
        return Err(KmsError::missing("MoveToVersion"));
    }
    if let Some(from) = remove_from {
        if secret.stages.get(stage).map(String::as_str) != Some(from) {
            return Err(KmsError::invalid("RemoveFromVersion"));
        }
    }
    match move_to {
        Some(to) => {
            if ctx.store.secret_version(&secret.name, to)?.is_none() {
                return Err(KmsError::resource_not_found());
            }
            move_stage(&mut secret, stage, to);
        }
        None => {
            if stage == STAGE_CURRENT {
                return Err(KmsError::invalid_msg(
                    "ACSCurrent cannot be removed without MoveToVersion.",
                ));
            }
            secret.stages.remove(stage);
        }
    }
    secret.update_time = now_str();
    ctx.store.put_secret(&secret)?;
    Ok(json!({"SecretName": secret.name}))
}

pub(super) fn list_version_ids(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let secret = load(ctx, p.req("SecretName")?)?;
    let include_deprecated = p.flag("IncludeDeprecated")?;
    let (number, size) = p.paging()?;
    let versions: Vec<Value> = ctx
        .store
        .secret_versions(&secret.name)?
        .into_iter()
        .map(|v| (secret.stages_of(&v.version_id), v))
        .filter(|(stages, _)| include_deprecated || !stages.is_empty())
        .map(|(stages, v)| json!({"VersionId": v.version_id, "CreateTime": v.create_time, "VersionStages": stages_json(stages)}))
        .collect();
    let (items, total) = page(versions, number, size);
    Ok(
        json!({"SecretName": secret.name, "VersionIds": {"VersionId": items}, "PageNumber": number, "PageSize": size, "TotalCount": total}),
    )
}

fn tags_json(ctx: &Ctx, name: &str) -> KmsResult<Value> {
    let tags: Vec<Value> = ctx
        .store
        .tags(&format!("secret:{name}"))?
        .into_iter()
        .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
        .collect();
    Ok(json!({ "Tag": tags }))
}

pub(super) fn describe_secret(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let s = load(ctx, p.req("SecretName")?)?;
    let opt = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
    let tags = if p.flag("FetchTags")? {
        tags_json(ctx, &s.name)?
    } else {
        Value::Null
    };
    Ok(obj([
        ("Arn", json!(s.arn)),
        ("SecretName", json!(s.name)),
        ("SecretType", json!(s.secret_type)),
        ("Description", json!(s.description)),
        ("EncryptionKeyId", json!(s.encryption_key_id)),
        ("CreateTime", json!(s.create_time)),
        ("UpdateTime", json!(s.update_time)),
        ("PlannedDeleteTime", opt(&s.planned_delete_time)),
        (
            "AutomaticRotation",
            json!(if s.automatic_rotation {
                "Enabled"
            } else {
                "Disabled"
            }),
        ),
        ("RotationInterval", opt(&s.rotation_interval)),
        ("LastRotationDate", opt(&s.last_rotation_date)),
        ("ExtendedConfig", opt(&s.extended_config)),
        ("Tags", tags),
    ]))
}

pub(super) fn list_secrets(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let (number, size) = p.paging()?;
    let fetch_tags = p.flag("FetchTags")?;
    let filters = super::keys::parse_filters(p)?;
    let mut matching = Vec::new();
    for s in ctx.store.list_secrets()? {
        let tags = ctx.store.tags(&format!("secret:{}", s.name))?;
        let ok = filters.iter().all(|(k, values)| match k.as_str() {
            "SecretName" => values.iter().any(|v| s.name.contains(v.as_str())),
            "Description" => values.iter().any(|v| s.description.contains(v.as_str())),
            "TagKey" => tags.iter().any(|(tk, _)| values.contains(tk)),
            "TagValue" => tags.iter().any(|(_, tv)| values.contains(tv)),
            _ => true,
        });
        if ok {
            matching.push(s);
        }
    }
    let (items, total) = page(matching, number, size);
    let mut list = Vec::new();
    for s in items {
        let tags = if fetch_tags {
            tags_json(ctx, &s.name)?
        } else {
            Value::Null
        };
        list.push(obj([
            ("SecretName", json!(s.name)),
            ("SecretType", json!(s.secret_type)),
            ("CreateTime", json!(s.create_time)),
            ("UpdateTime", json!(s.update_time)),
            (
                "PlannedDeleteTime",
                s.planned_delete_time
                    .clone()
                    .map(Value::String)
                    .unwrap_or(Value::Null),
            ),
            ("Tags", tags),
        ]));
    }
    Ok(
        json!({"SecretList": {"Secret": list}, "PageNumber": number, "PageSize": size, "TotalCount": total}),
    )
}

pub(super) fn update_secret(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut secret = load_active(ctx, p.req("SecretName")?)?;
    if let Some(d) = p.0.get("Description") {
        secret.description = d.clone();
    }
    secret.update_time = now_str();
    ctx.store.put_secret(&secret)?;
    Ok(json!({"SecretName": secret.name}))
}

pub(super) fn delete_secret(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut secret = load(ctx, p.req("SecretName")?)?;
    if p.flag("ForceDeleteWithoutRecovery")? {
        ctx.store.delete_secret(&secret.name)?;
        return Ok(json!({"SecretName": secret.name, "PlannedDeleteTime": now_str()}));
    }
    if secret.planned_delete_time.is_some() {
        return Err(KmsError::in_delete_window());
    }
    let days = p.opt_int("RecoveryWindowInDays")?.unwrap_or(30);
    if !(7..=30).contains(&days) {
        return Err(KmsError::invalid("RecoveryWindowInDays"));
    }
    let when = fmt_time(chrono::Utc::now() + chrono::Duration::days(days));
    secret.planned_delete_time = Some(when.clone());
    ctx.store.put_secret(&secret)?;
    Ok(json!({"SecretName": secret.name, "PlannedDeleteTime": when}))
}

pub(super) fn restore_secret(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut secret = load(ctx, p.req("SecretName")?)?;
    if secret.planned_delete_time.is_none() {
        return Err(KmsError::unexpected_state());
    }
    secret.planned_delete_time = None;
    ctx.store.put_secret(&secret)?;
    Ok(json!({"SecretName": secret.name}))
}

/// For Generic secrets rotation copies the current value into a new version that becomes current.
pub(super) fn rotate_secret(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut secret = load_active(ctx, p.req("SecretName")?)?;
    let current = secret
        .stages
        .get(STAGE_CURRENT)
        .cloned()
        .ok_or_else(KmsError::resource_not_found)?;
    let (old, blob) = ctx
        .store
        .secret_version(&secret.name, &current)?
        .ok_or_else(KmsError::resource_not_found)?;
    let data = zeroize::Zeroizing::new(open_value(ctx, &secret.name, &current, &blob)?);
    let version_id = version_id_param(p)?;
    move_stage(&mut secret, STAGE_CURRENT, &version_id);
    let now = now_str();
    secret.update_time = now.clone();
    secret.last_rotation_date = Some(now.clone());
    let blob = seal_value(ctx, &secret, &version_id, data.as_bytes())?;
    let version = SecretVersionRecord {
        version_id: version_id.clone(),
        create_time: now,
        data_type: old.data_type,
    };
    if !ctx.store.add_secret_version(&secret, &version, &blob)? {
        return Err(KmsError::resource_exists());
    }
    Ok(json!({"Arn": secret.arn, "SecretName": secret.name, "VersionId": version_id}))
}
