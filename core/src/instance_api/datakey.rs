//! Typed requests and responses of the data key, data key pair and secret APIs of the Instance
//! API. Private keys and data keys arrive in [`SecretBytes`], secret values in [`SecretString`].

use super::models::{decode, encode};
use super::proto;
use super::InstanceOperation;
use crate::api::models::check_id;
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretString};
use zeroize::Zeroizing;

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn number_of_bytes(n: Option<u32>) -> Result<i32> {
    match n {
        None => Ok(0),
        Some(n) if (1..=1024).contains(&n) => Ok(n as i32),
        Some(_) => Err(Error::invalid_argument(
            "number_of_bytes must be between 1 and 1024",
        )),
    }
}

macro_rules! take {
    ($m:ident . $f:ident) => {
        std::mem::take(&mut $m.$f)
    };
}

/// GenerateDataKey (`algorithm`) or AdvanceGenerateDataKey (no algorithm): a data key and its
/// ciphertext.
#[derive(Clone, Debug)]
pub struct GenerateDataKeyRequest {
    pub key_id: String,
    /// Ignored by AdvanceGenerateDataKey.
    pub algorithm: Option<String>,
    /// 1 to 1024; KMS's default is 32.
    pub number_of_bytes: Option<u32>,
    pub aad: Option<Vec<u8>>,
}

impl GenerateDataKeyRequest {
    pub fn new(key_id: impl Into<String>) -> Self {
        GenerateDataKeyRequest {
            key_id: key_id.into(),
            algorithm: None,
            number_of_bytes: None,
            aad: None,
        }
    }
    pub fn algorithm(mut self, v: impl Into<String>) -> Self {
        self.algorithm = Some(v.into());
        self
    }
    pub fn number_of_bytes(mut self, n: u32) -> Self {
        self.number_of_bytes = Some(n);
        self
    }
    pub fn aad(mut self, v: impl Into<Vec<u8>>) -> Self {
        self.aad = Some(v.into());
        self
    }
}

#[derive(Clone, Debug)]
pub struct GenerateDataKeyResponse {
    pub key_id: String,
    pub iv: Vec<u8>,
    /// The data key. Use it, then drop it.
    pub plaintext: SecretBytes,
    pub ciphertext_blob: Vec<u8>,
    pub algorithm: String,
    /// Empty for GenerateDataKey.
    pub key_version_id: String,
    pub request_id: String,
}

fn data_key_response(body: &[u8], api: &str) -> Result<GenerateDataKeyResponse> {
    let mut m: proto::GenerateDataKeyResponse = decode(body, api)?;
    Ok(GenerateDataKeyResponse {
        key_id: take!(m.key_id),
        iv: take!(m.iv),
        plaintext: SecretBytes::new(take!(m.plaintext)),
        ciphertext_blob: take!(m.ciphertext_blob),
        algorithm: take!(m.algorithm),
        key_version_id: take!(m.key_version_id),
        request_id: take!(m.request_id),
    })
}

impl InstanceOperation for GenerateDataKeyRequest {
    const API_NAME: &'static str = "GenerateDataKey";
    type Response = GenerateDataKeyResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.key_id, "key id")?;
        Ok(encode(&proto::GenerateDataKeyRequest {
            key_id: self.key_id.clone(),
            algorithm: opt(&self.algorithm),
            number_of_bytes: number_of_bytes(self.number_of_bytes)?,
            aad: self.aad.clone().unwrap_or_default(),
        }))
    }
    fn decode(body: &[u8]) -> Result<GenerateDataKeyResponse> {
        data_key_response(body, Self::API_NAME)
    }
}

/// Marker for [`InstanceOperation`]: AdvanceGenerateDataKey with a [`GenerateDataKeyRequest`].
#[derive(Clone, Copy, Debug)]
pub struct AdvanceGenerateDataKey<'a>(pub &'a GenerateDataKeyRequest);

impl InstanceOperation for AdvanceGenerateDataKey<'_> {
    const API_NAME: &'static str = "AdvanceGenerateDataKey";
    type Response = GenerateDataKeyResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.0.key_id, "key id")?;
        Ok(encode(&proto::AdvanceGenerateDataKeyRequest {
            key_id: self.0.key_id.clone(),
            number_of_bytes: number_of_bytes(self.0.number_of_bytes)?,
            aad: self.0.aad.clone().unwrap_or_default(),
        }))
    }
    fn decode(body: &[u8]) -> Result<GenerateDataKeyResponse> {
        data_key_response(body, Self::API_NAME)
    }
}

/// GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext and their Advance forms (which ignore `algorithm`).
#[derive(Clone, Debug)]
pub struct GenerateDataKeyPairRequest {
    pub key_id: String,
    /// e.g. `RSA_2048`, `EC_P256`.
    pub key_pair_spec: String,
    /// Ignored by the Advance forms.
    pub algorithm: Option<String>,
    /// `PEM` or `DER`.
    pub key_format: Option<String>,
    pub aad: Option<Vec<u8>>,
}

impl GenerateDataKeyPairRequest {
    pub fn new(key_id: impl Into<String>, key_pair_spec: impl Into<String>) -> Self {
        GenerateDataKeyPairRequest {
            key_id: key_id.into(),
            key_pair_spec: key_pair_spec.into(),
            algorithm: None,
            key_format: None,
            aad: None,
        }
    }
    pub fn algorithm(mut self, v: impl Into<String>) -> Self {
        self.algorithm = Some(v.into());
        self
    }
    pub fn key_format(mut self, v: impl Into<String>) -> Self {
        self.key_format = Some(v.into());
        self
    }
    pub fn aad(mut self, v: impl Into<Vec<u8>>) -> Self {
        self.aad = Some(v.into());
        self
    }
    fn encode_plain(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.key_id, "key id")?;
        Ok(encode(&proto::GenerateDataKeyPairRequest {
            key_id: self.key_id.clone(),
            algorithm: opt(&self.algorithm),
            key_pair_spec: self.key_pair_spec.clone(),
            key_format: opt(&self.key_format),
            aad: self.aad.clone().unwrap_or_default(),
        }))
    }
    fn encode_advance(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.key_id, "key id")?;
        Ok(encode(&proto::AdvanceGenerateDataKeyPairRequest {
            key_id: self.key_id.clone(),
            key_pair_spec: self.key_pair_spec.clone(),
            key_format: opt(&self.key_format),
            aad: self.aad.clone().unwrap_or_default(),
        }))
    }
}

#[derive(Clone, Debug)]
pub struct GenerateDataKeyPairResponse {
    pub key_id: String,
    pub iv: Vec<u8>,
    pub key_pair_spec: String,
    pub private_key_plaintext: SecretBytes,
    pub private_key_ciphertext_blob: Vec<u8>,
    pub public_key: Vec<u8>,
    pub algorithm: String,
    /// Empty for the non-Advance form.
    pub key_version_id: String,
    pub request_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateDataKeyPairWithoutPlaintextResponse {
    pub key_id: String,
    pub iv: Vec<u8>,
    pub key_pair_spec: String,
    pub private_key_ciphertext_blob: Vec<u8>,
    pub public_key: Vec<u8>,
    pub algorithm: String,
    /// Empty for the non-Advance form.
    pub key_version_id: String,
    pub request_id: String,
}

fn pair_response(body: &[u8], api: &str) -> Result<GenerateDataKeyPairResponse> {
    let mut m: proto::GenerateDataKeyPairResponse = decode(body, api)?;
    Ok(GenerateDataKeyPairResponse {
        key_id: take!(m.key_id),
        iv: take!(m.iv),
        key_pair_spec: take!(m.key_pair_spec),
        private_key_plaintext: SecretBytes::new(take!(m.private_key_plaintext)),
        private_key_ciphertext_blob: take!(m.private_key_ciphertext_blob),
        public_key: take!(m.public_key),
        algorithm: take!(m.algorithm),
        key_version_id: take!(m.key_version_id),
        request_id: take!(m.request_id),
    })
}

fn pair_without_plaintext_response(
    body: &[u8],
    api: &str,
) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
    let m: proto::GenerateDataKeyPairWithoutPlaintextResponse = decode(body, api)?;
    Ok(GenerateDataKeyPairWithoutPlaintextResponse {
        key_id: m.key_id,
        iv: m.iv,
        key_pair_spec: m.key_pair_spec,
        private_key_ciphertext_blob: m.private_key_ciphertext_blob,
        public_key: m.public_key,
        algorithm: m.algorithm,
        key_version_id: m.key_version_id,
        request_id: m.request_id,
    })
}

impl InstanceOperation for GenerateDataKeyPairRequest {
    const API_NAME: &'static str = "GenerateDataKeyPair";
    type Response = GenerateDataKeyPairResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.encode_plain()
    }
    fn decode(body: &[u8]) -> Result<GenerateDataKeyPairResponse> {
        pair_response(body, Self::API_NAME)
    }
}

/// Markers for [`InstanceOperation`]: the other three pair APIs with a
/// [`GenerateDataKeyPairRequest`].
#[derive(Clone, Copy, Debug)]
pub struct AdvanceGenerateDataKeyPair<'a>(pub &'a GenerateDataKeyPairRequest);
#[derive(Clone, Copy, Debug)]
pub struct GenerateDataKeyPairWithoutPlaintext<'a>(pub &'a GenerateDataKeyPairRequest);
#[derive(Clone, Copy, Debug)]
pub struct AdvanceGenerateDataKeyPairWithoutPlaintext<'a>(pub &'a GenerateDataKeyPairRequest);

impl InstanceOperation for AdvanceGenerateDataKeyPair<'_> {
    const API_NAME: &'static str = "AdvanceGenerateDataKeyPair";
    type Response = GenerateDataKeyPairResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.0.encode_advance()
    }
    fn decode(body: &[u8]) -> Result<GenerateDataKeyPairResponse> {
        pair_response(body, Self::API_NAME)
    }
}

impl InstanceOperation for GenerateDataKeyPairWithoutPlaintext<'_> {
    const API_NAME: &'static str = "GenerateDataKeyPairWithoutPlaintext";
    type Response = GenerateDataKeyPairWithoutPlaintextResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.0.encode_plain()
    }
    fn decode(body: &[u8]) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        pair_without_plaintext_response(body, Self::API_NAME)
    }
}

impl InstanceOperation for AdvanceGenerateDataKeyPairWithoutPlaintext<'_> {
    const API_NAME: &'static str = "AdvanceGenerateDataKeyPairWithoutPlaintext";
    type Response = GenerateDataKeyPairWithoutPlaintextResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.0.encode_advance()
    }
    fn decode(body: &[u8]) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        pair_without_plaintext_response(body, Self::API_NAME)
    }
}

#[derive(Clone, Debug)]
pub struct GetSecretValueRequest {
    pub secret_name: String,
    pub version_stage: Option<String>,
    pub version_id: Option<String>,
    pub fetch_extended_config: bool,
}

impl GetSecretValueRequest {
    pub fn new(secret_name: impl Into<String>) -> Self {
        GetSecretValueRequest {
            secret_name: secret_name.into(),
            version_stage: None,
            version_id: None,
            fetch_extended_config: false,
        }
    }
    pub fn version_stage(mut self, v: impl Into<String>) -> Self {
        self.version_stage = Some(v.into());
        self
    }
    pub fn version_id(mut self, v: impl Into<String>) -> Self {
        self.version_id = Some(v.into());
        self
    }
    pub fn fetch_extended_config(mut self, v: bool) -> Self {
        self.fetch_extended_config = v;
        self
    }
}

#[derive(Clone, Debug)]
pub struct GetSecretValueResponse {
    pub secret_name: String,
    pub secret_type: String,
    /// The secret value (for binary secrets, base64 text).
    pub secret_data: SecretString,
    pub secret_data_type: String,
    pub version_stages: Vec<String>,
    pub version_id: String,
    pub create_time: String,
    pub last_rotation_date: String,
    pub next_rotation_date: String,
    pub extended_config: String,
    pub automatic_rotation: String,
    pub rotation_interval: String,
    pub request_id: String,
}

impl InstanceOperation for GetSecretValueRequest {
    const API_NAME: &'static str = "GetSecretValue";
    type Response = GetSecretValueResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.secret_name, "secret name")?;
        Ok(encode(&proto::GetSecretValueRequest {
            secret_name: self.secret_name.clone(),
            version_stage: opt(&self.version_stage),
            version_id: opt(&self.version_id),
            fetch_extended_config: self.fetch_extended_config,
        }))
    }
    fn decode(body: &[u8]) -> Result<GetSecretValueResponse> {
        let mut m: proto::GetSecretValueResponse = decode(body, Self::API_NAME)?;
        Ok(GetSecretValueResponse {
            secret_name: take!(m.secret_name),
            secret_type: take!(m.secret_type),
            secret_data: SecretString::new(take!(m.secret_data)),
            secret_data_type: take!(m.secret_data_type),
            version_stages: take!(m.version_stages),
            version_id: take!(m.version_id),
            create_time: take!(m.create_time),
            last_rotation_date: take!(m.last_rotation_date),
            next_rotation_date: take!(m.next_rotation_date),
            extended_config: take!(m.extended_config),
            automatic_rotation: take!(m.automatic_rotation),
            rotation_interval: take!(m.rotation_interval),
            request_id: take!(m.request_id),
        })
    }
}
