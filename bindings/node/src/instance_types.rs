//! The option and result objects of the Instance API (`client.instance`). Byte fields are
//! Buffers; the secret ones (plaintexts, private keys, random bytes) are copied straight from
//! the core's zeroizing buffers into memory Node owns, and index.js makes them non-enumerable so
//! printing or serialising a result does not show them.

use kmskit::instance_api as ia;
use napi::bindgen_prelude::{Buffer, BufferSlice};
use napi::{Env, Result};
use napi_derive::napi;

/// Encrypt, Decrypt, AdvanceEncrypt: the cipher's parameters (KMS defaults when absent).
#[napi(object)]
pub struct InstanceCipherOptions {
    pub algorithm: Option<String>,
    pub aad: Option<Buffer>,
    pub iv: Option<Buffer>,
    pub padding_mode: Option<String>,
}

/// AdvanceDecrypt: the ciphertext names its key; the rest as for Decrypt.
#[napi(object)]
pub struct AdvanceDecryptOptions {
    pub key_id: Option<String>,
    pub algorithm: Option<String>,
    pub aad: Option<Buffer>,
    pub iv: Option<Buffer>,
    pub padding_mode: Option<String>,
}

#[napi(object)]
pub struct SignOptions {
    /// `'RAW'` (default) or `'DIGEST'`.
    pub message_type: Option<String>,
}

#[napi(object)]
pub struct InstanceDataKeyOptions {
    /// Ignored by advanceGenerateDataKey.
    pub algorithm: Option<String>,
    pub number_of_bytes: Option<u32>,
    pub aad: Option<Buffer>,
}

#[napi(object)]
pub struct DataKeyPairOptions {
    /// Ignored by the Advance variants.
    pub algorithm: Option<String>,
    /// `'PEM'` (default) or `'DER'`.
    pub key_format: Option<String>,
    pub aad: Option<Buffer>,
}

#[napi(object)]
pub struct InstanceGetSecretValueOptions {
    pub version_stage: Option<String>,
    pub version_id: Option<String>,
    pub fetch_extended_config: Option<bool>,
}

fn buf(v: Vec<u8>) -> Buffer {
    Buffer::from(v)
}

#[napi(object)]
pub struct InstanceEncryptResult {
    pub key_id: String,
    pub ciphertext_blob: Buffer,
    pub iv: Buffer,
    pub algorithm: String,
    pub padding_mode: String,
    pub request_id: String,
}

impl From<ia::EncryptResponse> for InstanceEncryptResult {
    fn from(r: ia::EncryptResponse) -> Self {
        InstanceEncryptResult {
            key_id: r.key_id,
            ciphertext_blob: buf(r.ciphertext_blob),
            iv: buf(r.iv),
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            request_id: r.request_id,
        }
    }
}

#[napi(object)]
pub struct InstanceAdvanceEncryptResult {
    pub key_id: String,
    pub ciphertext_blob: Buffer,
    pub iv: Buffer,
    pub algorithm: String,
    pub padding_mode: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl From<ia::AdvanceEncryptResponse> for InstanceAdvanceEncryptResult {
    fn from(r: ia::AdvanceEncryptResponse) -> Self {
        InstanceAdvanceEncryptResult {
            key_id: r.key_id,
            ciphertext_blob: buf(r.ciphertext_blob),
            iv: buf(r.iv),
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

/// Decrypt and AdvanceDecrypt (`keyVersionId` is `''` for Decrypt). `plaintext` is non-enumerable.
#[napi(object)]
pub struct InstanceDecryptResult<'env> {
    pub key_id: String,
    pub plaintext: BufferSlice<'env>,
    pub algorithm: String,
    pub padding_mode: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl<'env> InstanceDecryptResult<'env> {
    pub(crate) fn new(env: &'env Env, r: ia::DecryptResponse) -> Result<Self> {
        Ok(InstanceDecryptResult {
            plaintext: BufferSlice::copy_from(env, r.plaintext.expose())?,
            key_id: r.key_id,
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        })
    }
}

#[napi(object)]
pub struct InstanceSignResult {
    pub key_id: String,
    pub signature: Buffer,
    pub algorithm: String,
    pub message_type: String,
    pub request_id: String,
}

impl From<ia::SignResponse> for InstanceSignResult {
    fn from(r: ia::SignResponse) -> Self {
        InstanceSignResult {
            key_id: r.key_id,
            signature: buf(r.signature),
            algorithm: r.algorithm,
            message_type: r.message_type,
            request_id: r.request_id,
        }
    }
}

#[napi(object)]
pub struct InstanceVerifyResult {
    pub key_id: String,
    /// Whether the signature is valid.
    pub value: bool,
    pub algorithm: String,
    pub message_type: String,
    pub request_id: String,
}

impl From<ia::VerifyResponse> for InstanceVerifyResult {
    fn from(r: ia::VerifyResponse) -> Self {
        InstanceVerifyResult {
            key_id: r.key_id,
            value: r.value,
            algorithm: r.algorithm,
            message_type: r.message_type,
            request_id: r.request_id,
        }
    }
}

/// `random` is non-enumerable.
#[napi(object)]
pub struct InstanceGenerateRandomResult<'env> {
    pub random: BufferSlice<'env>,
    pub request_id: String,
}

impl<'env> InstanceGenerateRandomResult<'env> {
    pub(crate) fn new(env: &'env Env, r: ia::GenerateRandomResponse) -> Result<Self> {
        Ok(InstanceGenerateRandomResult {
            random: BufferSlice::copy_from(env, r.random.expose())?,
            request_id: r.request_id,
        })
    }
}

/// generateDataKey and advanceGenerateDataKey. `plaintext` is non-enumerable.
#[napi(object)]
pub struct InstanceGenerateDataKeyResult<'env> {
    pub key_id: String,
    pub iv: Buffer,
    pub plaintext: BufferSlice<'env>,
    pub ciphertext_blob: Buffer,
    pub algorithm: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl<'env> InstanceGenerateDataKeyResult<'env> {
    pub(crate) fn new(env: &'env Env, r: ia::GenerateDataKeyResponse) -> Result<Self> {
        Ok(InstanceGenerateDataKeyResult {
            plaintext: BufferSlice::copy_from(env, r.plaintext.expose())?,
            key_id: r.key_id,
            iv: buf(r.iv),
            ciphertext_blob: buf(r.ciphertext_blob),
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        })
    }
}

/// generateDataKeyPair and its Advance variant. `privateKeyPlaintext` is non-enumerable.
#[napi(object)]
pub struct InstanceGenerateDataKeyPairResult<'env> {
    pub key_id: String,
    pub iv: Buffer,
    pub key_pair_spec: String,
    pub private_key_plaintext: BufferSlice<'env>,
    pub private_key_ciphertext_blob: Buffer,
    pub public_key: Buffer,
    pub algorithm: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl<'env> InstanceGenerateDataKeyPairResult<'env> {
    pub(crate) fn new(env: &'env Env, r: ia::GenerateDataKeyPairResponse) -> Result<Self> {
        Ok(InstanceGenerateDataKeyPairResult {
            private_key_plaintext: BufferSlice::copy_from(env, r.private_key_plaintext.expose())?,
            key_id: r.key_id,
            iv: buf(r.iv),
            key_pair_spec: r.key_pair_spec,
            private_key_ciphertext_blob: buf(r.private_key_ciphertext_blob),
            public_key: buf(r.public_key),
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        })
    }
}

#[napi(object)]
pub struct InstanceGenerateDataKeyPairWithoutPlaintextResult {
    pub key_id: String,
    pub iv: Buffer,
    pub key_pair_spec: String,
    pub private_key_ciphertext_blob: Buffer,
    pub public_key: Buffer,
    pub algorithm: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl From<ia::GenerateDataKeyPairWithoutPlaintextResponse>
    for InstanceGenerateDataKeyPairWithoutPlaintextResult
{
    fn from(r: ia::GenerateDataKeyPairWithoutPlaintextResponse) -> Self {
        InstanceGenerateDataKeyPairWithoutPlaintextResult {
            key_id: r.key_id,
            iv: buf(r.iv),
            key_pair_spec: r.key_pair_spec,
            private_key_ciphertext_blob: buf(r.private_key_ciphertext_blob),
            public_key: buf(r.public_key),
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[napi(object)]
pub struct InstanceGetPublicKeyResult {
    pub key_id: String,
    /// PEM.
    pub public_key: String,
    pub request_id: String,
}

impl From<ia::GetPublicKeyResponse> for InstanceGetPublicKeyResult {
    fn from(r: ia::GetPublicKeyResponse) -> Self {
        InstanceGetPublicKeyResult {
            key_id: r.key_id,
            public_key: r.public_key,
            request_id: r.request_id,
        }
    }
}

/// Every field is a string (`''` when the service left it out). `secretData` is non-enumerable.
#[napi(object)]
pub struct InstanceGetSecretValueResult {
    pub secret_name: String,
    pub secret_type: String,
    pub secret_data: String,
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

impl From<ia::GetSecretValueResponse> for InstanceGetSecretValueResult {
    fn from(r: ia::GetSecretValueResponse) -> Self {
        InstanceGetSecretValueResult {
            secret_data: r.secret_data.expose().to_owned(),
            secret_name: r.secret_name,
            secret_type: r.secret_type,
            secret_data_type: r.secret_data_type,
            version_stages: r.version_stages,
            version_id: r.version_id,
            create_time: r.create_time,
            last_rotation_date: r.last_rotation_date,
            next_rotation_date: r.next_rotation_date,
            extended_config: r.extended_config,
            automatic_rotation: r.automatic_rotation,
            rotation_interval: r.rotation_interval,
            request_id: r.request_id,
        }
    }
}
