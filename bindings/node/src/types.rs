//! The credential classes and the result objects of the Node face.
//!
//! Credentials are classes so the secret goes straight into the core's zeroizing holder and
//! never sits on a JavaScript object (`util.inspect` shows `AccessKey {}`). Results are plain
//! objects; the byte results (plaintexts, data keys) are Buffers copied from the core's
//! zeroizing buffers into memory Node owns, so no extra Rust copy outlives the call.

use napi::bindgen_prelude::BufferSlice;
use napi::{Env, Result};
use napi_derive::napi;

use crate::errors::to_js_error;

/// An access key pair: `new AccessKey(accessKeyId, accessKeySecret)`.
#[napi]
pub struct AccessKey {
    pub(crate) credentials: kmskit::Credentials,
    id: String,
}

#[napi]
impl AccessKey {
    #[napi(constructor)]
    pub fn new(env: Env, access_key_id: String, access_key_secret: String) -> Result<Self> {
        let credentials = kmskit::Credentials::access_key(access_key_id.clone(), access_key_secret)
            .map_err(|e| to_js_error(&env, &e))?;
        Ok(AccessKey {
            credentials,
            id: access_key_id,
        })
    }

    /// The access key id (not a secret).
    #[napi(getter)]
    pub fn access_key_id(&self) -> String {
        self.id.clone()
    }
}

/// Temporary STS credentials: `new StsToken(accessKeyId, accessKeySecret, securityToken, expiration?)`.
#[napi]
pub struct StsToken {
    pub(crate) credentials: kmskit::Credentials,
    id: String,
}

#[napi]
impl StsToken {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        access_key_id: String,
        access_key_secret: String,
        security_token: String,
        expiration_ms: Option<f64>,
    ) -> Result<Self> {
        // index.js passes a Date's milliseconds since the epoch.
        let expiration = expiration_ms
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .map(|ms| std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms as u64));
        let credentials = kmskit::Credentials::sts(
            access_key_id.clone(),
            access_key_secret,
            security_token,
            expiration,
        )
        .map_err(|e| to_js_error(&env, &e))?;
        Ok(StsToken {
            credentials,
            id: access_key_id,
        })
    }

    /// The access key id (not a secret).
    #[napi(getter)]
    pub fn access_key_id(&self) -> String {
        self.id.clone()
    }
}

#[napi(object)]
pub struct EncryptResult {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl From<kmskit::EncryptResponse> for EncryptResult {
    fn from(r: kmskit::EncryptResponse) -> Self {
        EncryptResult {
            ciphertext_blob: r.ciphertext_blob,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[napi(object)]
pub struct DecryptResult<'env> {
    pub plaintext: BufferSlice<'env>,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl<'env> DecryptResult<'env> {
    pub(crate) fn new(env: &'env Env, r: kmskit::DecryptResponse) -> Result<Self> {
        Ok(DecryptResult {
            plaintext: BufferSlice::copy_from(env, r.plaintext.expose())?,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        })
    }
}

#[napi(object)]
pub struct GenerateDataKeyResult<'env> {
    pub plaintext: BufferSlice<'env>,
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl<'env> GenerateDataKeyResult<'env> {
    pub(crate) fn new(env: &'env Env, r: kmskit::GenerateDataKeyResponse) -> Result<Self> {
        Ok(GenerateDataKeyResult {
            plaintext: BufferSlice::copy_from(env, r.plaintext.expose())?,
            ciphertext_blob: r.ciphertext_blob,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        })
    }
}

#[napi(object)]
pub struct GenerateDataKeyWithoutPlaintextResult {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl From<kmskit::GenerateDataKeyWithoutPlaintextResponse>
    for GenerateDataKeyWithoutPlaintextResult
{
    fn from(r: kmskit::GenerateDataKeyWithoutPlaintextResponse) -> Self {
        GenerateDataKeyWithoutPlaintextResult {
            ciphertext_blob: r.ciphertext_blob,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

/// `secretData` is made non-enumerable by index.js, so printing or serialising the result does
/// not show the secret.
#[napi(object)]
pub struct GetSecretValueResult {
    pub secret_name: String,
    pub secret_type: String,
    pub secret_data: String,
    pub secret_data_type: String,
    pub version_id: String,
    pub version_stages: Vec<String>,
    pub create_time: String,
    pub automatic_rotation: Option<String>,
    pub rotation_interval: Option<String>,
    pub last_rotation_date: Option<String>,
    pub next_rotation_date: Option<String>,
    pub extended_config: Option<String>,
    pub request_id: String,
}

impl From<kmskit::GetSecretValueResponse> for GetSecretValueResult {
    fn from(r: kmskit::GetSecretValueResponse) -> Self {
        GetSecretValueResult {
            secret_data: r.secret_data.expose().to_owned(),
            secret_name: r.secret_name,
            secret_type: r.secret_type,
            secret_data_type: r.secret_data_type,
            version_id: r.version_id,
            version_stages: r.version_stages,
            create_time: r.create_time,
            automatic_rotation: r.automatic_rotation,
            rotation_interval: r.rotation_interval,
            last_rotation_date: r.last_rotation_date,
            next_rotation_date: r.next_rotation_date,
            extended_config: r.extended_config,
            request_id: r.request_id,
        }
    }
}
