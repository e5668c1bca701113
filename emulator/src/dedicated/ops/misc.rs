//! GenerateRandom and GetSecretValue (read through the OpenAPI's own GetSecretValue action, so
//! both protocols see the same versions, stages and deletion rules).

use std::collections::BTreeMap;

use super::*;

impl Env<'_> {
    pub(super) fn generate_random(&self, r: GenerateRandomRequest) -> R<Output> {
        let len = match r.length {
            0 => 32,
            n @ 1..=1024 => n as usize,
            _ => return Err(InstanceError::invalid_parameter("Length")),
        };
        let resp = GenerateRandomResponse {
            random: crypto::random_bytes(len),
            request_id: self.rid.to_owned(),
        };
        out(&resp, None)
    }

    pub(super) fn get_secret_value(&self, r: GetSecretValueRequest) -> R<Output> {
        if r.secret_name.is_empty() {
            return Err(InstanceError::missing("SecretName"));
        }
        let mut params = BTreeMap::new();
        params.insert("SecretName".to_owned(), r.secret_name);
        params.insert("VersionStage".to_owned(), r.version_stage);
        params.insert("VersionId".to_owned(), r.version_id);
        if r.fetch_extended_config {
            params.insert("FetchExtendedConfig".to_owned(), "true".to_owned());
        }
        let v = actions::dispatch(self.ctx, "GetSecretValue", &params)?;
        let s = |k: &str| match v.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let stages = v
            .get("VersionStages")
            .and_then(|x| x.get("VersionStage"))
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let resp = GetSecretValueResponse {
            secret_name: s("SecretName"),
            secret_type: s("SecretType"),
            secret_data: s("SecretData"),
            secret_data_type: s("SecretDataType"),
            version_stages: stages,
            version_id: s("VersionId"),
            create_time: s("CreateTime"),
            request_id: self.rid.to_owned(),
            last_rotation_date: s("LastRotationDate"),
            next_rotation_date: s("NextRotationDate"),
            extended_config: s("ExtendedConfig"),
            automatic_rotation: s("AutomaticRotation"),
            rotation_interval: s("RotationInterval"),
        };
        out(&resp, None)
    }
}
