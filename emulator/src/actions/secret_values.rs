//! Secret values: how they are sealed at rest (the same envelope as Encrypt, under the secret's
//! EncryptionKeyId or an emulator-managed AES key, bound to the secret name and version id) and
//! how GetSecretValue / BatchGetSecretValue read them back.

use serde_json::{json, Value};

use super::envelope;
use super::keys::{ensure_enabled, material, spec_of};
use super::secrets::{load_active, stages_json};
use super::{obj, Ctx, Params};
use crate::crypto::{self, KeyMaterial, KeySpec};
use crate::error::{KmsError, KmsResult};
use crate::model::{SecretRecord, STAGE_CURRENT};

const DEFAULT_KEY: &str = "secrets-default-key";

fn default_material(ctx: &Ctx) -> KmsResult<KeyMaterial> {
    let bytes = match ctx.store.meta_secret(DEFAULT_KEY)? {
        Some(b) => b,
        None => ctx
            .store
            .meta_secret_init(DEFAULT_KEY, crypto::generate(KeySpec::Aes256)?.as_bytes())?,
    };
    Ok(KeyMaterial::from_bytes(bytes.to_vec()))
}

fn value_context(name: &str, version_id: &str) -> Vec<u8> {
    format!("secret\0{name}\0{version_id}").into_bytes()
}

pub(super) fn seal_value(
    ctx: &Ctx,
    secret: &SecretRecord,
    version_id: &str,
    data: &[u8],
) -> KmsResult<Vec<u8>> {
    let context = value_context(&secret.name, version_id);
    let (spec, mat, mut blob) = if secret.encryption_key_id.is_empty() {
        (
            KeySpec::Aes256,
            default_material(ctx)?,
            envelope::header("", "")?,
        )
    } else {
        let key = ctx
            .store
            .get_key(&secret.encryption_key_id)?
            .ok_or_else(KmsError::key_not_found)?;
        ensure_enabled(&key)?;
        let version = key.primary_key_version.clone();
        (
            spec_of(&key)?,
            material(ctx, &version)?,
            envelope::header(&key.key_id, &version)?,
        )
    };
    let sealed = crypto::sym_encrypt(spec, &mat, data, &envelope::aad(&blob, &context))?;
    blob.extend_from_slice(&sealed);
    Ok(blob)
}

pub(super) fn open_value(
    ctx: &Ctx,
    name: &str,
    version_id: &str,
    blob: &[u8],
) -> KmsResult<String> {
    let parsed = envelope::parse(blob).map_err(|_| KmsError::internal())?;
    let (spec, mat) = if parsed.key_id.is_empty() {
        (KeySpec::Aes256, default_material(ctx)?)
    } else {
        let key = ctx
            .store
            .get_key(&parsed.key_id)?
            .ok_or_else(KmsError::key_not_found)?;
        ensure_enabled(&key)?;
        (spec_of(&key)?, material(ctx, &parsed.key_version_id)?)
    };
    let pt = crypto::sym_decrypt(
        spec,
        &mat,
        parsed.sealed,
        &envelope::aad(parsed.header, &value_context(name, version_id)),
    )
    .map_err(|_| KmsError::internal())?;
    String::from_utf8(pt.to_vec()).map_err(|_| KmsError::internal())
}

/// One secret value as GetSecretValue (and each BatchGetSecretValue entry) returns it.
fn secret_value(
    ctx: &Ctx,
    name: &str,
    version_id: Option<&str>,
    stage: Option<&str>,
    extended: bool,
) -> KmsResult<Value> {
    let secret = load_active(ctx, name)?;
    let version_id = match (version_id, stage) {
        (Some(v), Some(s)) if secret.stages.get(s).map(String::as_str) != Some(v) => {
            return Err(KmsError::resource_not_found())
        }
        (Some(v), _) => v.to_owned(),
        (None, s) => secret
            .stages
            .get(s.unwrap_or(STAGE_CURRENT))
            .cloned()
            .ok_or_else(KmsError::resource_not_found)?,
    };
    let (version, blob) = ctx
        .store
        .secret_version(name, &version_id)?
        .ok_or_else(KmsError::resource_not_found)?;
    let data = open_value(ctx, name, &version_id, &blob)?;
    Ok(obj([
        ("SecretName", json!(secret.name)),
        ("SecretType", json!(secret.secret_type)),
        ("SecretData", json!(data)),
        ("SecretDataType", json!(version.data_type)),
        ("VersionId", json!(version.version_id)),
        ("VersionStages", stages_json(secret.stages_of(&version_id))),
        ("CreateTime", json!(version.create_time)),
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
            "LastRotationDate",
            secret
                .last_rotation_date
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        ),
        (
            "ExtendedConfig",
            if extended {
                secret
                    .extended_config
                    .clone()
                    .map(Value::String)
                    .unwrap_or(Value::Null)
            } else {
                Value::Null
            },
        ),
    ]))
}

pub(super) fn get_secret_value(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    secret_value(
        ctx,
        p.req("SecretName")?,
        p.opt("VersionId"),
        p.opt("VersionStage"),
        p.flag("FetchExtendedConfig")?,
    )
}

pub(super) fn batch_get_secret_value(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let list = p
        .opt_json("SecretsList")?
        .ok_or_else(|| KmsError::missing("SecretsList"))?;
    let items = list
        .as_array()
        .filter(|a| !a.is_empty() && a.len() <= 10)
        .ok_or_else(|| KmsError::invalid("SecretsList"))?;
    let (mut values, mut errors) = (Vec::new(), Vec::new());
    for item in items {
        let field = |n: &str| {
            item.get(n)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let name = field("SecretName").ok_or_else(|| KmsError::invalid("SecretsList"))?;
        let extended = match item.get("FetchExtendedConfig") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        match secret_value(ctx, name, field("VersionId"), field("VersionStage"), extended) {
            Ok(v) => values.push(v),
            Err(e) => errors.push(json!({"SecretName": name, "Code": e.code, "Message": e.message, "HttpStatus": e.status})),
        }
    }
    Ok(json!({"SecretValues": values, "Errors": errors}))
}
