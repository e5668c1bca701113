//! The records the Instance API operations return: every field of the core's response, bytes as
//! `ByteArray` / `Data`. Records holding a plaintext, a private key, random bytes or a secret
//! value print `***` for it (their `toString()` / `debugDescription` come from `Debug` here).

use kmskit::instance_api as ia;

/// `encrypt`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct InstanceEncryptResult {
    pub key_id: String,
    pub ciphertext_blob: Vec<u8>,
    pub iv: Vec<u8>,
    pub algorithm: String,
    pub padding_mode: String,
    pub request_id: String,
}

/// `advanceEncrypt`: the blob also names the key version, so decryption needs no key id.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AdvanceEncryptResult {
    pub key_id: String,
    pub ciphertext_blob: Vec<u8>,
    pub iv: Vec<u8>,
    pub algorithm: String,
    pub padding_mode: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// `decrypt` and `advanceDecrypt` (`keyVersionId` is empty for `decrypt`).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct InstanceDecryptResult {
    pub key_id: String,
    pub plaintext: Vec<u8>,
    pub algorithm: String,
    pub padding_mode: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// `sign`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SignResult {
    pub key_id: String,
    pub signature: Vec<u8>,
    pub algorithm: String,
    pub message_type: String,
    pub request_id: String,
}

/// `verify`: `value` is whether the signature is valid.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VerifyResult {
    pub key_id: String,
    pub value: bool,
    pub algorithm: String,
    pub message_type: String,
    pub request_id: String,
}

/// `generateRandom`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct RandomResult {
    pub random: Vec<u8>,
    pub request_id: String,
}

/// `generateDataKey` and `advanceGenerateDataKey`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct InstanceDataKeyResult {
    pub key_id: String,
    pub iv: Vec<u8>,
    pub plaintext: Vec<u8>,
    pub ciphertext_blob: Vec<u8>,
    pub algorithm: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// `generateDataKeyPair` and `advanceGenerateDataKeyPair`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct DataKeyPairResult {
    pub key_id: String,
    pub iv: Vec<u8>,
    pub key_pair_spec: String,
    pub private_key_plaintext: Vec<u8>,
    pub private_key_ciphertext_blob: Vec<u8>,
    pub public_key: Vec<u8>,
    pub algorithm: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// `generateDataKeyPairWithoutPlaintext` and its Advance form.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DataKeyPairWithoutPlaintextResult {
    pub key_id: String,
    pub iv: Vec<u8>,
    pub key_pair_spec: String,
    pub private_key_ciphertext_blob: Vec<u8>,
    pub public_key: Vec<u8>,
    pub algorithm: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// `getPublicKey`: the PEM text.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PublicKeyResult {
    pub key_id: String,
    pub public_key: String,
    pub request_id: String,
}

/// `getSecretValue` over the Instance API (absent fields are empty strings).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct InstanceSecretValue {
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

impl std::fmt::Debug for InstanceDecryptResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceDecryptResult")
            .field("key_id", &self.key_id)
            .field("plaintext", &"***")
            .field("algorithm", &self.algorithm)
            .field("padding_mode", &self.padding_mode)
            .field("key_version_id", &self.key_version_id)
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl std::fmt::Debug for RandomResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RandomResult")
            .field("random", &format_args!("*** ({} bytes)", self.random.len()))
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl std::fmt::Debug for InstanceDataKeyResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceDataKeyResult")
            .field("key_id", &self.key_id)
            .field("plaintext", &"***")
            .field("ciphertext_blob_len", &self.ciphertext_blob.len())
            .field("algorithm", &self.algorithm)
            .field("key_version_id", &self.key_version_id)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for DataKeyPairResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeyPairResult")
            .field("key_id", &self.key_id)
            .field("key_pair_spec", &self.key_pair_spec)
            .field("private_key_plaintext", &"***")
            .field("algorithm", &self.algorithm)
            .field("key_version_id", &self.key_version_id)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for InstanceSecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceSecretValue")
            .field("secret_name", &self.secret_name)
            .field("secret_type", &self.secret_type)
            .field("secret_data", &"***")
            .field("secret_data_type", &self.secret_data_type)
            .field("version_stages", &self.version_stages)
            .field("version_id", &self.version_id)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl From<ia::EncryptResponse> for InstanceEncryptResult {
    fn from(r: ia::EncryptResponse) -> Self {
        InstanceEncryptResult {
            key_id: r.key_id,
            ciphertext_blob: r.ciphertext_blob,
            iv: r.iv,
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            request_id: r.request_id,
        }
    }
}

impl From<ia::AdvanceEncryptResponse> for AdvanceEncryptResult {
    fn from(r: ia::AdvanceEncryptResponse) -> Self {
        AdvanceEncryptResult {
            key_id: r.key_id,
            ciphertext_blob: r.ciphertext_blob,
            iv: r.iv,
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

impl From<ia::DecryptResponse> for InstanceDecryptResult {
    fn from(r: ia::DecryptResponse) -> Self {
        InstanceDecryptResult {
            plaintext: r.plaintext.expose().to_vec(),
            key_id: r.key_id,
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

impl From<ia::SignResponse> for SignResult {
    fn from(r: ia::SignResponse) -> Self {
        SignResult {
            key_id: r.key_id,
            signature: r.signature,
            algorithm: r.algorithm,
            message_type: r.message_type,
            request_id: r.request_id,
        }
    }
}

impl From<ia::VerifyResponse> for VerifyResult {
    fn from(r: ia::VerifyResponse) -> Self {
        VerifyResult {
            key_id: r.key_id,
            value: r.value,
            algorithm: r.algorithm,
            message_type: r.message_type,
            request_id: r.request_id,
        }
    }
}

impl From<ia::GenerateRandomResponse> for RandomResult {
    fn from(r: ia::GenerateRandomResponse) -> Self {
        RandomResult {
            random: r.random.expose().to_vec(),
            request_id: r.request_id,
        }
    }
}

impl From<ia::GenerateDataKeyResponse> for InstanceDataKeyResult {
    fn from(r: ia::GenerateDataKeyResponse) -> Self {
        InstanceDataKeyResult {
            plaintext: r.plaintext.expose().to_vec(),
            key_id: r.key_id,
            iv: r.iv,
            ciphertext_blob: r.ciphertext_blob,
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

impl From<ia::GenerateDataKeyPairResponse> for DataKeyPairResult {
    fn from(r: ia::GenerateDataKeyPairResponse) -> Self {
        DataKeyPairResult {
            private_key_plaintext: r.private_key_plaintext.expose().to_vec(),
            key_id: r.key_id,
            iv: r.iv,
            key_pair_spec: r.key_pair_spec,
            private_key_ciphertext_blob: r.private_key_ciphertext_blob,
            public_key: r.public_key,
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

impl From<ia::GenerateDataKeyPairWithoutPlaintextResponse> for DataKeyPairWithoutPlaintextResult {
    fn from(r: ia::GenerateDataKeyPairWithoutPlaintextResponse) -> Self {
        DataKeyPairWithoutPlaintextResult {
            key_id: r.key_id,
            iv: r.iv,
            key_pair_spec: r.key_pair_spec,
            private_key_ciphertext_blob: r.private_key_ciphertext_blob,
            public_key: r.public_key,
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

impl From<ia::GetPublicKeyResponse> for PublicKeyResult {
    fn from(r: ia::GetPublicKeyResponse) -> Self {
        PublicKeyResult {
            key_id: r.key_id,
            public_key: r.public_key,
            request_id: r.request_id,
        }
    }
}

impl From<ia::GetSecretValueResponse> for InstanceSecretValue {
    fn from(r: ia::GetSecretValueResponse) -> Self {
        InstanceSecretValue {
            secret_data: r.secret_data.expose().to_string(),
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
