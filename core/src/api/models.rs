//! Typed requests and responses of the data-plane operations kmskit models directly. Field names
//! on the wire follow the official SDK models; plaintexts and secret values arrive in
//! zeroizing holders.

use crate::error::{Error, ErrorCode, Result};
use crate::secret::{SecretBytes, SecretString};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Map, Value};

/// An encryption context: string pairs bound to a ciphertext as authenticated data. Kept in
/// insertion order, because the official SDK sends the JSON in that order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptionContext(Map<String, Value>);

impl EncryptionContext {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn insert(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(key.into(), Value::String(value.into()));
        self
    }
    /// From a JSON object (values may be any JSON, as the SDK allows).
    pub fn from_json_object(map: Map<String, Value>) -> Self {
        EncryptionContext(map)
    }
    /// Parses a JSON object string such as `{"k":"v"}`.
    pub fn from_json_str(s: &str) -> Result<Self> {
        match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(EncryptionContext(m)),
            _ => Err(Error::invalid_argument(
                "the encryption context must be a JSON object",
            )),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn as_json(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EncryptionContext {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        EncryptionContext(
            iter.into_iter()
                .map(|(k, v)| (k.into(), Value::String(v.into())))
                .collect(),
        )
    }
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn unb64(s: &str, what: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|_| {
            Error::new(
                ErrorCode::InvalidResponse,
                format!("{what} in the response is not valid base64"),
            )
        })
}

pub(crate) fn check_id(value: &str, what: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!("{what} must not be empty")));
    }
    Ok(())
}

#[derive(Clone, Debug)]
pub struct EncryptRequest {
    pub key_id: String,
    pub plaintext: SecretBytes,
    pub encryption_context: Option<EncryptionContext>,
}

impl EncryptRequest {
    pub fn new(key_id: impl Into<String>, plaintext: impl Into<SecretBytes>) -> Self {
        EncryptRequest {
            key_id: key_id.into(),
            plaintext: plaintext.into(),
            encryption_context: None,
        }
    }
    pub fn encryption_context(mut self, ctx: EncryptionContext) -> Self {
        self.encryption_context = Some(ctx);
        self
    }
    pub(crate) fn to_params(&self) -> Result<Map<String, Value>> {
        check_id(&self.key_id, "key id")?;
        let mut m = Map::new();
        m.insert("KeyId".into(), Value::String(self.key_id.clone()));
        m.insert(
            "Plaintext".into(),
            Value::String(b64(self.plaintext.expose())),
        );
        put_context(
            &mut m,
            "EncryptionContext",
            self.encryption_context.as_ref(),
        );
        Ok(m)
    }
}

fn put_context(m: &mut Map<String, Value>, name: &str, ctx: Option<&EncryptionContext>) {
    if let Some(ctx) = ctx.filter(|c| !c.is_empty()) {
        m.insert(name.into(), Value::Object(ctx.0.clone()));
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    #[serde(default)]
    pub key_version_id: String,
    #[serde(default)]
    pub request_id: String,
}

#[derive(Clone, Debug)]
pub struct DecryptRequest {
    pub ciphertext_blob: String,
    pub encryption_context: Option<EncryptionContext>,
}

impl DecryptRequest {
    pub fn new(ciphertext_blob: impl Into<String>) -> Self {
        DecryptRequest {
            ciphertext_blob: ciphertext_blob.into(),
            encryption_context: None,
        }
    }
    pub fn encryption_context(mut self, ctx: EncryptionContext) -> Self {
        self.encryption_context = Some(ctx);
        self
    }
    pub(crate) fn to_params(&self) -> Result<Map<String, Value>> {
        check_id(&self.ciphertext_blob, "ciphertext blob")?;
        let mut m = Map::new();
        m.insert(
            "CiphertextBlob".into(),
            Value::String(self.ciphertext_blob.clone()),
        );
        put_context(
            &mut m,
            "EncryptionContext",
            self.encryption_context.as_ref(),
        );
        Ok(m)
    }
}

#[derive(Clone, Debug)]
pub struct DecryptResponse {
    /// The plaintext bytes. KMS returns `Plaintext` as the text given to Encrypt; kmskit always
    /// sends base64 and decodes it here. For a ciphertext another client made from text that is
    /// not base64, these are that text's UTF-8 bytes.
    pub plaintext: SecretBytes,
    /// `Plaintext` exactly as KMS returned it.
    pub plaintext_wire: SecretString,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WirePlaintextResponse {
    #[serde(default)]
    pub plaintext: Option<SecretString>,
    #[serde(default)]
    pub ciphertext_blob: Option<String>,
    #[serde(default)]
    pub key_id: String,
    #[serde(default)]
    pub key_version_id: String,
    #[serde(default)]
    pub request_id: String,
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(SecretString::new)
    }
}

impl WirePlaintextResponse {
    pub(crate) fn plaintext_bytes(&self) -> Result<SecretBytes> {
        let b64 = self.plaintext_wire()?;
        Ok(SecretBytes::new(unb64(b64.expose(), "Plaintext")?))
    }

    pub(crate) fn plaintext_wire(&self) -> Result<&SecretString> {
        self.plaintext
            .as_ref()
            .ok_or_else(|| Error::new(ErrorCode::InvalidResponse, "the response has no Plaintext"))
    }

    /// Base64-decoded when `Plaintext` is strict base64, else its UTF-8 bytes (see
    /// [`DecryptResponse::plaintext`]).
    pub(crate) fn plaintext_lenient(&self) -> Result<SecretBytes> {
        let text = self.plaintext_wire()?;
        Ok(
            match base64::engine::general_purpose::STANDARD.decode(text.expose()) {
                Ok(bytes) => SecretBytes::new(bytes),
                Err(_) => SecretBytes::new(text.expose().as_bytes().to_vec()),
            },
        )
    }
}

/// The data key spec: either a named spec or a byte count.
#[derive(Clone, Debug)]
pub struct GenerateDataKeyRequest {
    pub key_id: String,
    /// `AES_256` or `AES_128`; KMS's default is `AES_256`.
    pub key_spec: Option<String>,
    /// 1 to 1024; overrides `key_spec` when set.
    pub number_of_bytes: Option<u32>,
    pub encryption_context: Option<EncryptionContext>,
}

impl GenerateDataKeyRequest {
    pub fn new(key_id: impl Into<String>) -> Self {
        GenerateDataKeyRequest {
            key_id: key_id.into(),
            key_spec: None,
            number_of_bytes: None,
            encryption_context: None,
        }
    }
    pub fn key_spec(mut self, spec: impl Into<String>) -> Self {
        self.key_spec = Some(spec.into());
        self
    }
    pub fn number_of_bytes(mut self, n: u32) -> Self {
        self.number_of_bytes = Some(n);
        self
    }
    pub fn encryption_context(mut self, ctx: EncryptionContext) -> Self {
        self.encryption_context = Some(ctx);
        self
    }
    pub(crate) fn to_params(&self) -> Result<Map<String, Value>> {
        check_id(&self.key_id, "key id")?;
        let mut m = Map::new();
        m.insert("KeyId".into(), Value::String(self.key_id.clone()));
        if let Some(spec) = &self.key_spec {
            m.insert("KeySpec".into(), Value::String(spec.clone()));
        }
        if let Some(n) = self.number_of_bytes {
            if !(1..=1024).contains(&n) {
                return Err(Error::invalid_argument(
                    "number_of_bytes must be between 1 and 1024",
                ));
            }
            m.insert("NumberOfBytes".into(), Value::from(n));
        }
        put_context(
            &mut m,
            "EncryptionContext",
            self.encryption_context.as_ref(),
        );
        Ok(m)
    }
}

#[derive(Clone, Debug)]
pub struct GenerateDataKeyResponse {
    /// The data key itself. Use it, then drop it.
    pub plaintext: SecretBytes,
    /// The data key encrypted under the master key; store it beside your data.
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintextResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    #[serde(default)]
    pub key_version_id: String,
    #[serde(default)]
    pub request_id: String,
}

#[derive(Clone, Debug)]
pub struct GetSecretValueRequest {
    pub secret_name: String,
    pub version_id: Option<String>,
    pub version_stage: Option<String>,
    pub fetch_extended_config: Option<bool>,
}

impl GetSecretValueRequest {
    pub fn new(secret_name: impl Into<String>) -> Self {
        GetSecretValueRequest {
            secret_name: secret_name.into(),
            version_id: None,
            version_stage: None,
            fetch_extended_config: None,
        }
    }
    pub fn version_id(mut self, v: impl Into<String>) -> Self {
        self.version_id = Some(v.into());
        self
    }
    pub fn version_stage(mut self, v: impl Into<String>) -> Self {
        self.version_stage = Some(v.into());
        self
    }
    pub fn fetch_extended_config(mut self, v: bool) -> Self {
        self.fetch_extended_config = Some(v);
        self
    }
    pub(crate) fn to_params(&self) -> Result<Map<String, Value>> {
        check_id(&self.secret_name, "secret name")?;
        let mut m = Map::new();
        m.insert("SecretName".into(), Value::String(self.secret_name.clone()));
        if let Some(v) = &self.version_id {
            m.insert("VersionId".into(), Value::String(v.clone()));
        }
        if let Some(v) = &self.version_stage {
            m.insert("VersionStage".into(), Value::String(v.clone()));
        }
        if let Some(v) = self.fetch_extended_config {
            m.insert("FetchExtendedConfig".into(), Value::Bool(v));
        }
        Ok(m)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetSecretValueResponse {
    pub secret_name: String,
    #[serde(default)]
    pub secret_type: String,
    /// The secret value (for `binary` secrets, base64 text).
    pub secret_data: SecretString,
    #[serde(default)]
    pub secret_data_type: String,
    #[serde(default)]
    pub version_id: String,
    #[serde(default, deserialize_with = "version_stages")]
    pub version_stages: Vec<String>,
    #[serde(default)]
    pub create_time: String,
    #[serde(default)]
    pub automatic_rotation: Option<String>,
    #[serde(default)]
    pub rotation_interval: Option<String>,
    #[serde(default)]
    pub last_rotation_date: Option<String>,
    #[serde(default)]
    pub next_rotation_date: Option<String>,
    #[serde(default)]
    pub extended_config: Option<String>,
    #[serde(default)]
    pub request_id: String,
}

// `VersionStages: {"VersionStage": ["ACSCurrent"]}` (the XML-style wrapper KMS uses).
fn version_stages<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapper {
        #[serde(rename = "VersionStage", default)]
        version_stage: Vec<String>,
    }
    Ok(Option::<Wrapper>::deserialize(d)?
        .map(|w| w.version_stage)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_secret_value_parses_the_sdk_shape() {
        let body = r#"{"AutomaticRotation":"Disabled","CreateTime":"2024-02-21T15:39:26Z","RequestId":"R","SecretData":"testdata1","SecretDataType":"text","SecretName":"secret001","SecretType":"Generic","VersionId":"v1","VersionStages":{"VersionStage":["ACSCurrent"]}}"#;
        let r: GetSecretValueResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.secret_data.expose(), "testdata1");
        assert_eq!(r.version_stages, vec!["ACSCurrent".to_string()]);
        assert!(!format!("{r:?}").contains("testdata1"));
    }

    #[test]
    fn data_key_bounds() {
        assert!(GenerateDataKeyRequest::new("k")
            .number_of_bytes(0)
            .to_params()
            .is_err());
        assert!(GenerateDataKeyRequest::new("k")
            .number_of_bytes(1025)
            .to_params()
            .is_err());
        assert!(GenerateDataKeyRequest::new("k")
            .number_of_bytes(32)
            .to_params()
            .is_ok());
        assert!(EncryptRequest::new(" ", b"x".to_vec()).to_params().is_err());
    }

    #[test]
    fn encryption_context_from_str() {
        let c = EncryptionContext::from_json_str(r#"{"b":"1","a":"2"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(c.as_json()).unwrap(),
            r#"{"b":"1","a":"2"}"#
        );
        assert!(EncryptionContext::from_json_str("[1]").is_err());
    }
}
