//! The operation table of KMS OpenAPI 2016-01-20: every action's name, its HTTP method, which
//! of its parameters travel in the form body (all others go in the query), and whether
//! repeating it is harmless. Also the conversion of parameter values to strings exactly as the
//! official SDK does it (booleans as `True`/`False`, maps and lists as compact JSON in
//! insertion order).

pub mod models;

use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// How one action travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    pub action: &'static str,
    pub method: &'static str,
    /// Parameters sent in the form body; when non-empty the request always carries a form body
    /// (possibly empty), like the official SDK.
    pub body_params: &'static [&'static str],
    /// Repeating the call after an ambiguous failure cannot change state twice.
    pub idempotent: bool,
}

/// Every action of the KMS 2016-01-20 API, as the official SDK 3.3.1 defines them.
pub const ACTIONS: &[&str] = &[
    "AsymmetricDecrypt",
    "AsymmetricEncrypt",
    "AsymmetricSign",
    "AsymmetricVerify",
    "BatchGetSecretValue",
    "CancelKeyDeletion",
    "ConnectKmsInstance",
    "CreateAlias",
    "CreateApplicationAccessPoint",
    "CreateClientKey",
    "CreateKey",
    "CreateKeyVersion",
    "CreateNetworkRule",
    "CreatePolicy",
    "CreateSecret",
    "Decrypt",
    "DeleteAlias",
    "DeleteApplicationAccessPoint",
    "DeleteClientKey",
    "DeleteKeyMaterial",
    "DeleteNetworkRule",
    "DeletePolicy",
    "DeleteSecret",
    "DescribeAccountKmsStatus",
    "DescribeApplicationAccessPoint",
    "DescribeKey",
    "DescribeKeyVersion",
    "DescribeNetworkRule",
    "DescribePolicy",
    "DescribeRegions",
    "DescribeSecret",
    "DisableKey",
    "EnableKey",
    "Encrypt",
    "ExportDataKey",
    "GenerateAndExportDataKey",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GetChallenge",
    "GetClientKey",
    "GetDefaultKmsInstance",
    "GetKeyPolicy",
    "GetKmsInstance",
    "GetKmsInstanceQuotaInfos",
    "GetManagedDataKey",
    "GetParametersForImport",
    "GetPublicKey",
    "GetRandomPassword",
    "GetSecretPolicy",
    "GetSecretValue",
    "ImportKeyMaterial",
    "ListAliases",
    "ListAliasesByKeyId",
    "ListApplicationAccessPoints",
    "ListClientKeys",
    "ListKeyVersions",
    "ListKeys",
    "ListKmsInstances",
    "ListManagedDataKeyVersions",
    "ListNetworkRules",
    "ListPolicies",
    "ListResourceTags",
    "ListSecretVersionIds",
    "ListSecrets",
    "ListTagResources",
    "OpenKmsService",
    "PutSecretValue",
    "ReEncrypt",
    "ReleaseKmsInstance",
    "RestoreSecret",
    "RotateSecret",
    "ScheduleKeyDeletion",
    "SetDeletionProtection",
    "SetKeyPolicy",
    "SetSecretPolicy",
    "TagResource",
    "TagResources",
    "UntagResource",
    "UntagResources",
    "UpdateAlias",
    "UpdateApplicationAccessPoint",
    "UpdateKeyDescription",
    "UpdateKmsInstanceBindVpc",
    "UpdateNetworkRule",
    "UpdatePolicy",
    "UpdateRotationPolicy",
    "UpdateSecret",
    "UpdateSecretRotationPolicy",
    "UpdateSecretVersionStage",
    "VerifyMac",
];

/// Actions that only read or compute: repeating them cannot change state twice.
fn is_idempotent(action: &str) -> bool {
    matches!(
        action,
        "Encrypt"
            | "Decrypt"
            | "GenerateDataKey"
            | "GenerateDataKeyWithoutPlaintext"
            | "ReEncrypt"
            | "ExportDataKey"
            | "GenerateAndExportDataKey"
            | "AsymmetricEncrypt"
            | "AsymmetricDecrypt"
            | "AsymmetricSign"
            | "AsymmetricVerify"
            | "GenerateMac"
            | "VerifyMac"
            | "BatchGetSecretValue"
            | "GetRandomPassword"
    ) || action.starts_with("Get")
        || action.starts_with("Describe")
        || action.starts_with("List")
}

/// The operation for `action`. Unknown actions are allowed (the service may be newer than this
/// table) and travel like the rest: POST, query parameters, not idempotent.
pub fn operation(action: &str) -> Operation {
    let known = ACTIONS.binary_search(&action).ok().map(|i| ACTIONS[i]);
    let name: &'static str = known.unwrap_or("");
    let body_params: &'static [&'static str] = match action {
        "AsymmetricDecrypt" | "Decrypt" | "GenerateDataKey" | "GetSecretValue" => &["Recipient"],
        "CreateSecret" | "PutSecretValue" => &["SecretData"],
        _ => &[],
    };
    let method = match action {
        "GetClientKey" | "ListClientKeys" => "GET",
        _ => "POST",
    };
    Operation {
        action: name,
        method,
        body_params,
        idempotent: known.is_some() && is_idempotent(action),
    }
}

/// Checks an action name: `[A-Za-z0-9]+`.
pub fn validate_action(action: &str) -> Result<()> {
    if action.is_empty() || action.len() > 128 || !action.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Error::invalid_argument(format!(
            "invalid action name {action:?}"
        )));
    }
    Ok(())
}

/// Parameters split into query and form body, each sorted by name (the generated SDK code
/// lists them alphabetically, and the wire order follows it). Values may be plaintexts or
/// secret values, so they are wiped on drop.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WireParams {
    pub query: Vec<(String, String)>,
    pub body: Option<Vec<(String, String)>>,
}

impl Drop for WireParams {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for (_, v) in self.query.iter_mut().chain(self.body.iter_mut().flatten()) {
            v.zeroize();
        }
    }
}

/// Wipes the string values of caller parameters (they may hold plaintexts).
pub(crate) fn wipe_params(params: &mut Map<String, Value>) {
    use zeroize::Zeroize;
    for v in params.values_mut() {
        if let Value::String(s) = v {
            s.zeroize();
        }
    }
}

/// Converts caller parameters to wire strings and places them.
pub fn place_params(op: &Operation, params: &Map<String, Value>) -> Result<WireParams> {
    let mut query = Vec::with_capacity(params.len());
    let mut body = if op.body_params.is_empty() {
        None
    } else {
        Some(Vec::new())
    };
    for (name, value) in params {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
        {
            return Err(Error::invalid_argument(format!(
                "invalid parameter name {name:?}"
            )));
        }
        let normalised;
        let value = if is_model_list(op.action, name) {
            normalised = sort_object_keys(value);
            &normalised
        } else {
            value
        };
        let Some(text) = param_string(value)? else {
            continue;
        };
        match (&mut body, op.body_params.contains(&name.as_str())) {
            (Some(b), true) => b.push((name.clone(), text)),
            _ => query.push((name.clone(), text)),
        }
    }
    query.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(b) = &mut body {
        b.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(WireParams { query, body })
}

/// Parameters whose elements are SDK models rather than free maps: the SDK serialises a model's
/// fields in its `to_map` order, which is alphabetical, whatever order the caller used.
fn is_model_list(action: &str, name: &str) -> bool {
    matches!((action, name), ("BatchGetSecretValue", "SecretsList"))
}

fn sort_object_keys(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(sort_object_keys).collect()),
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// One parameter value as the official SDK writes it; `None` for null (skipped).
pub fn param_string(value: &Value) -> Result<Option<String>> {
    Ok(match value {
        Value::Null => None,
        Value::Bool(true) => Some("True".to_owned()),
        Value::Bool(false) => Some("False".to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => Some(
            serde_json::to_string(value)
                .map_err(|e| Error::invalid_argument(format!("cannot encode parameter: {e}")))?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_is_sorted_and_complete() {
        let mut sorted = ACTIONS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, ACTIONS);
        assert_eq!(ACTIONS.len(), 91);
    }

    #[test]
    fn placement_like_the_sdk() {
        let op = operation("GetSecretValue");
        assert_eq!(op.body_params, &["Recipient"]);
        assert!(op.idempotent);
        let p = json!({"SecretName": "s", "FetchExtendedConfig": true, "VersionId": null});
        let w = place_params(&op, p.as_object().unwrap()).unwrap();
        assert_eq!(
            w.query,
            vec![
                ("FetchExtendedConfig".into(), "True".into()),
                ("SecretName".into(), "s".into())
            ]
        );
        assert_eq!(w.body, Some(vec![]));
        let op = operation("CreateSecret");
        assert!(!op.idempotent);
        let w = place_params(
            &op,
            json!({"SecretData": "x", "SecretName": "n"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(w.body, Some(vec![("SecretData".into(), "x".into())]));
        assert_eq!(operation("GetClientKey").method, "GET");
        assert_eq!(operation("Encrypt").body_params.len(), 0);
        assert!(!operation("SomethingNew").idempotent);
        assert!(!operation("CreateKey").idempotent);
    }

    #[test]
    fn json_values_are_compact_and_keep_order() {
        let v = json!({"zeta": "last", "Alpha": "1 2", "中文": "值/+", "n": 3, "b": true});
        assert_eq!(
            param_string(&v).unwrap().unwrap(),
            r#"{"zeta":"last","Alpha":"1 2","中文":"值/+","n":3,"b":true}"#
        );
    }

    #[test]
    fn bad_names_are_refused() {
        assert!(validate_action("Encrypt").is_ok());
        assert!(validate_action("En crypt").is_err());
        assert!(validate_action("").is_err());
        let op = operation("Encrypt");
        assert!(place_params(&op, json!({"a=b": "x"}).as_object().unwrap()).is_err());
    }
}
