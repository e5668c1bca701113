//! The KMS actions. Each handler is synchronous (it runs on a blocking thread), takes the merged
//! request parameters and returns the response body without `RequestId`, which the server adds.
//! Field names and JSON types follow the official SDK models (shared/reference Appendix B).

mod aliases;
mod crypto_ops;
mod envelope;
mod keys;
mod random;
mod secret_values;
mod secrets;
mod tags;

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value};

use crate::error::{KmsError, KmsResult};
use crate::store::Store;

/// What every action can reach.
pub struct Ctx {
    pub store: Store,
    pub region: String,
    pub account_id: String,
}

impl Ctx {
    pub fn key_arn(&self, key_id: &str) -> String {
        format!("acs:kms:{}:{}:key/{}", self.region, self.account_id, key_id)
    }
    pub fn alias_arn(&self, alias: &str) -> String {
        format!("acs:kms:{}:{}:{}", self.region, self.account_id, alias)
    }
    pub fn secret_arn(&self, name: &str) -> String {
        format!(
            "acs:kms:{}:{}:secret/{}",
            self.region, self.account_id, name
        )
    }
}

/// Typed access to the request's parameters. Empty strings count as absent, as the SDKs never
/// send empty values on purpose.
pub struct Params<'a>(pub &'a BTreeMap<String, String>);

/// Upper bound on any single parameter we parse as a number or JSON, to keep hostile inputs cheap.
const MAX_PARAM_LEN: usize = 64 * 1024;

impl<'a> Params<'a> {
    pub fn opt(&self, name: &str) -> Option<&'a str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn req(&self, name: &str) -> KmsResult<&'a str> {
        self.opt(name).ok_or_else(|| KmsError::missing(name))
    }

    pub fn opt_int(&self, name: &str) -> KmsResult<Option<i64>> {
        self.opt(name)
            .map(|v| v.trim().parse::<i64>().map_err(|_| KmsError::invalid(name)))
            .transpose()
    }

    /// Booleans arrive as `True`/`False` from Python and `true`/`false` elsewhere.
    pub fn opt_bool(&self, name: &str) -> KmsResult<Option<bool>> {
        self.opt(name)
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(KmsError::invalid(name)),
            })
            .transpose()
    }

    pub fn flag(&self, name: &str) -> KmsResult<bool> {
        Ok(self.opt_bool(name)?.unwrap_or(false))
    }

    pub fn b64(&self, name: &str) -> KmsResult<Vec<u8>> {
        b64_decode(self.req(name)?).ok_or_else(|| KmsError::invalid(name))
    }

    /// A parameter that carries JSON.
    pub fn opt_json(&self, name: &str) -> KmsResult<Option<Value>> {
        self.opt(name)
            .map(|v| {
                if v.len() > MAX_PARAM_LEN {
                    return Err(KmsError::invalid(name));
                }
                serde_json::from_str(v).map_err(|_| KmsError::invalid(name))
            })
            .transpose()
    }

    /// `PageNumber` (>= 1, default 1) and `PageSize` (1..=100, default 10).
    pub fn paging(&self) -> KmsResult<(usize, usize)> {
        let number = self.opt_int("PageNumber")?.unwrap_or(1);
        let size = self.opt_int("PageSize")?.unwrap_or(10);
        if number < 1 {
            return Err(KmsError::invalid("PageNumber"));
        }
        if !(1..=100).contains(&size) {
            return Err(KmsError::invalid("PageSize"));
        }
        Ok((
            usize::try_from(number).unwrap_or(usize::MAX),
            usize::try_from(size).unwrap_or(10),
        ))
    }
}

pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()
}

pub fn b64_encode(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// One page of `items` plus the usual paging fields.
pub fn page<T>(items: Vec<T>, number: usize, size: usize) -> (Vec<T>, usize) {
    let total = items.len();
    let start = number.saturating_sub(1).saturating_mul(size);
    (items.into_iter().skip(start).take(size).collect(), total)
}

/// Builds a JSON object from `(name, value)` pairs, skipping `Null`s.
pub fn obj<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut m = Map::new();
    for (k, v) in fields {
        if !v.is_null() {
            m.insert(k.to_owned(), v);
        }
    }
    Value::Object(m)
}

/// Every action the emulator implements, for docs and for "unsupported" answers.
pub const SUPPORTED: &[&str] = &[
    "CreateKey",
    "DescribeKey",
    "ListKeys",
    "UpdateKeyDescription",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "CreateKeyVersion",
    "ListKeyVersions",
    "DescribeKeyVersion",
    "UpdateRotationPolicy",
    "CreateAlias",
    "UpdateAlias",
    "DeleteAlias",
    "ListAliases",
    "ListAliasesByKeyId",
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncrypt",
    "AsymmetricEncrypt",
    "AsymmetricDecrypt",
    "AsymmetricSign",
    "AsymmetricVerify",
    "GetPublicKey",
    "CreateSecret",
    "GetSecretValue",
    "PutSecretValue",
    "UpdateSecretVersionStage",
    "ListSecretVersionIds",
    "DescribeSecret",
    "ListSecrets",
    "UpdateSecret",
    "DeleteSecret",
    "RestoreSecret",
    "RotateSecret",
    "BatchGetSecretValue",
    "GetRandomPassword",
    "TagResource",
    "UntagResource",
    "ListTagResources",
    "ListResourceTags",
];

/// Runs one action. Unknown actions get KMS's "api not found".
pub fn dispatch(ctx: &Ctx, action: &str, params: &BTreeMap<String, String>) -> KmsResult<Value> {
    let p = Params(params);
    // KMS answers a dry run with an error that says it would have passed; the emulator does not
    // evaluate permissions, so every well-formed dry run "passes".
    if SUPPORTED.contains(&action) && p.opt_bool("DryRun")? == Some(true) {
        return Err(KmsError::new(
            400,
            "DryRunOperationError",
            "The request passes the dry run.",
        ));
    }
    match action {
        "CreateKey" => keys::create_key(ctx, &p),
        "DescribeKey" => keys::describe_key(ctx, &p),
        "ListKeys" => keys::list_keys(ctx, &p),
        "UpdateKeyDescription" => keys::update_description(ctx, &p),
        "EnableKey" => keys::enable_key(ctx, &p),
        "DisableKey" => keys::disable_key(ctx, &p),
        "ScheduleKeyDeletion" => keys::schedule_deletion(ctx, &p),
        "CancelKeyDeletion" => keys::cancel_deletion(ctx, &p),
        "CreateKeyVersion" => keys::create_key_version(ctx, &p),
        "ListKeyVersions" => keys::list_key_versions(ctx, &p),
        "DescribeKeyVersion" => keys::describe_key_version(ctx, &p),
        "UpdateRotationPolicy" => keys::update_rotation_policy(ctx, &p),
        "CreateAlias" => aliases::create_alias(ctx, &p),
        "UpdateAlias" => aliases::update_alias(ctx, &p),
        "DeleteAlias" => aliases::delete_alias(ctx, &p),
        "ListAliases" => aliases::list_aliases(ctx, &p),
        "ListAliasesByKeyId" => aliases::list_aliases_by_key_id(ctx, &p),
        "Encrypt" => crypto_ops::encrypt(ctx, &p),
        "Decrypt" => crypto_ops::decrypt(ctx, &p),
        "GenerateDataKey" => crypto_ops::generate_data_key(ctx, &p, true),
        "GenerateDataKeyWithoutPlaintext" => crypto_ops::generate_data_key(ctx, &p, false),
        "ReEncrypt" => crypto_ops::re_encrypt(ctx, &p),
        "AsymmetricEncrypt" => crypto_ops::asymmetric_encrypt(ctx, &p),
        "AsymmetricDecrypt" => crypto_ops::asymmetric_decrypt(ctx, &p),
        "AsymmetricSign" => crypto_ops::asymmetric_sign(ctx, &p),
        "AsymmetricVerify" => crypto_ops::asymmetric_verify(ctx, &p),
        "GetPublicKey" => crypto_ops::get_public_key(ctx, &p),
        "CreateSecret" => secrets::create_secret(ctx, &p),
        "GetSecretValue" => secret_values::get_secret_value(ctx, &p),
        "PutSecretValue" => secrets::put_secret_value(ctx, &p),
        "UpdateSecretVersionStage" => secrets::update_version_stage(ctx, &p),
        "ListSecretVersionIds" => secrets::list_version_ids(ctx, &p),
        "DescribeSecret" => secrets::describe_secret(ctx, &p),
        "ListSecrets" => secrets::list_secrets(ctx, &p),
        "UpdateSecret" => secrets::update_secret(ctx, &p),
        "DeleteSecret" => secrets::delete_secret(ctx, &p),
        "RestoreSecret" => secrets::restore_secret(ctx, &p),
        "RotateSecret" => secrets::rotate_secret(ctx, &p),
        "BatchGetSecretValue" => secret_values::batch_get_secret_value(ctx, &p),
        "GetRandomPassword" => random::get_random_password(&p),
        "TagResource" => tags::tag_resource(ctx, &p),
        "UntagResource" => tags::untag_resource(ctx, &p),
        "ListTagResources" => tags::list_tag_resources(ctx, &p),
        "ListResourceTags" => tags::list_resource_tags(ctx, &p),
        _ => Err(KmsError::action_not_found()),
    }
}
