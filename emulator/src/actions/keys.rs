//! Key lifecycle: create, describe, list, enable/disable, deletion window, versions, rotation.

use rand::Rng;
use serde_json::{json, Value};

use super::{obj, page, Ctx, Params};
use crate::crypto::{self, KeyMaterial, KeySpec};
use crate::error::{KmsError, KmsResult};
use crate::model::{
    fmt_time, now_str, KeyRecord, KeyVersionRecord, STATE_DISABLED, STATE_ENABLED,
    STATE_PENDING_DELETION,
};

fn random_key_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..18)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("key-emu{tail}")
}

pub(super) fn new_version_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Resolves a KeyId, `alias/...` name or key/alias ARN to the stored key.
pub(super) fn resolve_key(ctx: &Ctx, id: &str) -> KmsResult<KeyRecord> {
    let id = id.trim();
    let id = match id.strip_prefix("acs:kms:") {
        // acs:kms:<region>:<account>:key/<id> or ...:alias/<name>
        Some(rest) => rest
            .splitn(3, ':')
            .nth(2)
            .ok_or_else(|| KmsError::invalid("KeyId"))?,
        None => id,
    };
    let key_id = if id.starts_with("alias/") {
        ctx.store
            .get_alias(id)?
            .ok_or_else(KmsError::alias_not_found)?
    } else {
        id.strip_prefix("key/").unwrap_or(id).to_owned()
    };
    ctx.store
        .get_key(&key_id)?
        .ok_or_else(KmsError::key_not_found)
}

pub(super) fn spec_of(key: &KeyRecord) -> KmsResult<KeySpec> {
    KeySpec::parse(&key.key_spec).ok_or_else(KmsError::internal)
}

/// Cryptographic use needs an Enabled key.
pub(super) fn ensure_enabled(key: &KeyRecord) -> KmsResult<()> {
    match key.key_state.as_str() {
        STATE_ENABLED => Ok(()),
        STATE_DISABLED => Err(KmsError::key_disabled()),
        STATE_PENDING_DELETION => Err(KmsError::key_pending_deletion()),
        _ => Err(KmsError::unexpected_state()),
    }
}

/// The key version to use: the given one (which must belong to the key) or the primary.
pub(super) fn pick_version(ctx: &Ctx, key: &KeyRecord, version: Option<&str>) -> KmsResult<String> {
    match version {
        None => Ok(key.primary_key_version.clone()),
        Some(v) => match ctx.store.get_key_version(v)? {
            Some(rec) if rec.key_id == key.key_id => Ok(rec.key_version_id),
            _ => Err(KmsError::resource_not_found()),
        },
    }
}

pub(super) fn material(ctx: &Ctx, version_id: &str) -> KmsResult<KeyMaterial> {
    let bytes = ctx
        .store
        .key_material(version_id)?
        .ok_or_else(KmsError::internal)?;
    Ok(KeyMaterial::from_bytes(bytes.to_vec()))
}

/// `KeyMetadata` as DescribeKey/CreateKey return it.
pub(super) fn metadata(ctx: &Ctx, key: &KeyRecord) -> Value {
    let opt = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
    obj([
        ("Arn", json!(ctx.key_arn(&key.key_id))),
        (
            "AutomaticRotation",
            json!(if key.automatic_rotation {
                "Enabled"
            } else {
                "Disabled"
            }),
        ),
        ("CreationDate", json!(key.creation_date)),
        ("Creator", json!(key.creator)),
        ("DeleteDate", opt(&key.delete_date)),
        ("DeletionProtection", json!("Disabled")),
        ("Description", json!(key.description)),
        ("KeyId", json!(key.key_id)),
        ("KeySpec", json!(key.key_spec)),
        ("KeyState", json!(key.key_state)),
        ("KeyUsage", json!(key.key_usage)),
        ("LastRotationDate", opt(&key.last_rotation_date)),
        ("NextRotationDate", opt(&key.next_rotation_date)),
        ("Origin", json!(key.origin)),
        ("PrimaryKeyVersion", json!(key.primary_key_version)),
        ("ProtectionLevel", json!(key.protection_level)),
        ("RotationInterval", opt(&key.rotation_interval)),
    ])
}

/// `Tags` is a JSON array of `{"TagKey":..,"TagValue":..}`.
pub(super) fn parse_tags(p: &Params, name: &str) -> KmsResult<Vec<(String, String)>> {
    let Some(v) = p.opt_json(name)? else {
        return Ok(Vec::new());
    };
    let arr = v.as_array().ok_or_else(|| KmsError::invalid(name))?;
    if arr.len() > 20 {
        return Err(KmsError::invalid(name));
    }
    arr.iter()
        .map(|t| {
            let k = t
                .get("TagKey")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty() && k.len() <= 128);
            let v = t
                .get("TagValue")
                .and_then(Value::as_str)
                .filter(|v| v.len() <= 256);
            match (k, v) {
                (Some(k), Some(v)) => Ok((k.to_owned(), v.to_owned())),
                _ => Err(KmsError::invalid(name)),
            }
        })
        .collect()
}

/// `7d`..`730d` (or seconds, `604800s`), normalised to seconds as KMS reports it.
fn parse_rotation_interval(s: &str) -> KmsResult<i64> {
    let s = s.trim();
    let secs = if let Some(d) = s.strip_suffix('d') {
        d.parse::<i64>().ok().and_then(|d| d.checked_mul(86_400))
    } else {
        s.strip_suffix('s').unwrap_or(s).parse::<i64>().ok()
    }
    .ok_or_else(|| KmsError::invalid("RotationInterval"))?;
    if !(7 * 86_400..=730 * 86_400).contains(&secs) {
        return Err(KmsError::invalid("RotationInterval"));
    }
    Ok(secs)
}

fn apply_rotation(key: &mut KeyRecord, enabled: bool, interval: Option<&str>) -> KmsResult<()> {
    if enabled {
        let secs = parse_rotation_interval(interval.unwrap_or("365d"))?;
        key.automatic_rotation = true;
        key.rotation_interval = Some(format!("{secs}s"));
        key.next_rotation_date = Some(fmt_time(
            chrono::Utc::now() + chrono::Duration::seconds(secs),
        ));
    } else {
        key.automatic_rotation = false;
        key.next_rotation_date = None;
    }
    Ok(())
}

pub(super) fn create_key(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let spec_name = p.opt("KeySpec").unwrap_or("Aliyun_AES_256");
    let spec = KeySpec::parse(spec_name).ok_or_else(|| KmsError::invalid("KeySpec"))?;
    let usage = p.opt("KeyUsage").unwrap_or(spec.default_usage());
    if !spec.supports_usage(usage) {
        return Err(KmsError::invalid("KeyUsage"));
    }
    let origin = p.opt("Origin").unwrap_or("Aliyun_KMS");
    if origin != "Aliyun_KMS" {
        return Err(KmsError::invalid_msg(
            "Only Origin Aliyun_KMS is supported by the emulator.",
        ));
    }
    let protection = p.opt("ProtectionLevel").unwrap_or("SOFTWARE");
    if protection != "SOFTWARE" && protection != "HSM" {
        return Err(KmsError::invalid("ProtectionLevel"));
    }
    let description = p.opt("Description").unwrap_or("");
    if description.chars().count() > 8192 {
        return Err(KmsError::invalid("Description"));
    }
    let tags = parse_tags(p, "Tags")?;
    let rotate = p.flag("EnableAutomaticRotation")?;
    if rotate && !spec.is_symmetric() {
        return Err(KmsError::unsupported_operation());
    }
    let now = now_str();
    let key_id = random_key_id();
    let version = KeyVersionRecord {
        key_id: key_id.clone(),
        key_version_id: new_version_id(),
        creation_date: now.clone(),
    };
    let mut key = KeyRecord {
        key_id: key_id.clone(),
        arn: ctx.key_arn(&key_id),
        key_spec: spec.as_str().to_owned(),
        key_usage: usage.to_owned(),
        key_state: STATE_ENABLED.to_owned(),
        description: description.to_owned(),
        creation_date: now.clone(),
        creator: ctx.account_id.clone(),
        origin: origin.to_owned(),
        protection_level: protection.to_owned(),
        primary_key_version: version.key_version_id.clone(),
        automatic_rotation: false,
        rotation_interval: None,
        last_rotation_date: Some(now),
        next_rotation_date: None,
        delete_date: None,
    };
    apply_rotation(&mut key, rotate, p.opt("RotationInterval"))?;
    let mat = crypto::generate(spec)?;
    ctx.store.insert_key(&key, &version, mat.as_bytes())?;
    if !tags.is_empty() {
        ctx.store.set_tags(&format!("key:{key_id}"), &tags)?;
    }
    Ok(json!({ "KeyMetadata": metadata(ctx, &key) }))
}

pub(super) fn describe_key(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    Ok(json!({ "KeyMetadata": metadata(ctx, &key) }))
}

/// `Filters`: `[{"Key":"KeyState"|"KeySpec"|"KeyUsage"|"ProtectionLevel","Values":[..]}]`.
fn key_matches(key: &KeyRecord, filters: &[(String, Vec<String>)]) -> bool {
    filters.iter().all(|(name, values)| {
        let field = match name.as_str() {
            "KeyState" => &key.key_state,
            "KeySpec" => &key.key_spec,
            "KeyUsage" => &key.key_usage,
            "ProtectionLevel" => &key.protection_level,
            _ => return true,
        };
        values.iter().any(|v| v == field)
    })
}

pub(super) fn parse_filters(p: &Params) -> KmsResult<Vec<(String, Vec<String>)>> {
    let Some(v) = p.opt_json("Filters")? else {
        return Ok(Vec::new());
    };
    let arr = v.as_array().ok_or_else(|| KmsError::invalid("Filters"))?;
    arr.iter()
        .map(|f| {
            let key = f
                .get("Key")
                .and_then(Value::as_str)
                .ok_or_else(|| KmsError::invalid("Filters"))?;
            let values = f
                .get("Values")
                .and_then(Value::as_array)
                .ok_or_else(|| KmsError::invalid("Filters"))?;
            let values = values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            Ok((key.to_owned(), values))
        })
        .collect()
}

pub(super) fn list_keys(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let (number, size) = p.paging()?;
    let filters = parse_filters(p)?;
    let keys: Vec<KeyRecord> = ctx
        .store
        .list_keys()?
        .into_iter()
        .filter(|k| key_matches(k, &filters))
        .collect();
    let (items, total) = page(keys, number, size);
    let list: Vec<Value> = items
        .iter()
        .map(|k| json!({"KeyId": k.key_id, "KeyArn": ctx.key_arn(&k.key_id)}))
        .collect();
    Ok(json!({"Keys": {"Key": list}, "PageNumber": number, "PageSize": size, "TotalCount": total}))
}

pub(super) fn update_description(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut key = resolve_key(ctx, p.req("KeyId")?)?;
    let description =
        p.0.get("Description")
            .ok_or_else(|| KmsError::missing("Description"))?;
    if description.chars().count() > 8192 {
        return Err(KmsError::invalid("Description"));
    }
    key.description = description.clone();
    ctx.store.put_key(&key)?;
    Ok(json!({}))
}

pub(super) fn enable_key(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut key = resolve_key(ctx, p.req("KeyId")?)?;
    if key.key_state == STATE_PENDING_DELETION {
        return Err(KmsError::key_pending_deletion());
    }
    key.key_state = STATE_ENABLED.to_owned();
    ctx.store.put_key(&key)?;
    Ok(json!({}))
}

pub(super) fn disable_key(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut key = resolve_key(ctx, p.req("KeyId")?)?;
    if key.key_state == STATE_PENDING_DELETION {
        return Err(KmsError::key_pending_deletion());
    }
    key.key_state = STATE_DISABLED.to_owned();
    ctx.store.put_key(&key)?;
    Ok(json!({}))
}

pub(super) fn schedule_deletion(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut key = resolve_key(ctx, p.req("KeyId")?)?;
    let days = p
        .opt_int("PendingWindowInDays")?
        .ok_or_else(|| KmsError::missing("PendingWindowInDays"))?;
    if !(7..=366).contains(&days) {
        return Err(KmsError::invalid("PendingWindowInDays"));
    }
    if key.key_state == STATE_PENDING_DELETION {
        return Err(KmsError::key_pending_deletion());
    }
    key.key_state = STATE_PENDING_DELETION.to_owned();
    key.delete_date = Some(fmt_time(chrono::Utc::now() + chrono::Duration::days(days)));
    ctx.store.put_key(&key)?;
    Ok(json!({}))
}

pub(super) fn cancel_deletion(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut key = resolve_key(ctx, p.req("KeyId")?)?;
    if key.key_state != STATE_PENDING_DELETION {
        return Err(KmsError::unexpected_state());
    }
    key.key_state = STATE_ENABLED.to_owned();
    key.delete_date = None;
    ctx.store.put_key(&key)?;
    Ok(json!({}))
}

fn version_json(v: &KeyVersionRecord) -> Value {
    json!({"KeyId": v.key_id, "KeyVersionId": v.key_version_id, "CreationDate": v.creation_date})
}

/// Manual rotation: new material becomes the primary version; old versions still decrypt.
pub(super) fn create_key_version(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut key = resolve_key(ctx, p.req("KeyId")?)?;
    ensure_enabled(&key)?;
    let spec = spec_of(&key)?;
    let now = now_str();
    let version = KeyVersionRecord {
        key_id: key.key_id.clone(),
        key_version_id: new_version_id(),
        creation_date: now.clone(),
    };
    let mat = crypto::generate(spec)?;
    key.primary_key_version = version.key_version_id.clone();
    key.last_rotation_date = Some(now);
    ctx.store.add_key_version(&key, &version, mat.as_bytes())?;
    Ok(json!({ "KeyVersion": version_json(&version) }))
}

pub(super) fn list_key_versions(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    let (number, size) = p.paging()?;
    let (items, total) = page(ctx.store.list_key_versions(&key.key_id)?, number, size);
    let list: Vec<Value> = items.iter().map(version_json).collect();
    Ok(
        json!({"KeyVersions": {"KeyVersion": list}, "PageNumber": number, "PageSize": size, "TotalCount": total}),
    )
}

pub(super) fn describe_key_version(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    let version_id = pick_version(ctx, &key, Some(p.req("KeyVersionId")?))?;
    let v = ctx
        .store
        .get_key_version(&version_id)?
        .ok_or_else(KmsError::resource_not_found)?;
    Ok(json!({ "KeyVersion": version_json(&v) }))
}

pub(super) fn update_rotation_policy(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut key = resolve_key(ctx, p.req("KeyId")?)?;
    let enabled = p
        .opt_bool("EnableAutomaticRotation")?
        .ok_or_else(|| KmsError::missing("EnableAutomaticRotation"))?;
    if enabled && !spec_of(&key)?.is_symmetric() {
        return Err(KmsError::unsupported_operation());
    }
    apply_rotation(&mut key, enabled, p.opt("RotationInterval"))?;
    ctx.store.put_key(&key)?;
    Ok(json!({}))
}
