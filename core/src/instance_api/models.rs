//! Typed requests and responses of the encryption and signing APIs of the Instance API. Every
//! request is `XxxRequest::new(required…)` plus setters for the optional fields; plaintexts live
//! in [`SecretBytes`]. Data keys and secrets are in `datakey.rs`.

use super::proto;
use super::InstanceOperation;
use crate::api::models::check_id;
use crate::error::Result;
use crate::secret::SecretBytes;
use zeroize::Zeroizing;

pub(crate) fn encode<M: prost::Message>(m: &M) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(m.encode_to_vec())
}

pub(crate) fn decode<M: prost::Message + Default>(body: &[u8], api: &str) -> Result<M> {
    M::decode(body).map_err(|_| {
        crate::error::Error::new(
            crate::error::ErrorCode::InvalidResponse,
            format!("the {api} response is not a valid protobuf message"),
        )
    })
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}
fn opt_bytes(b: &Option<Vec<u8>>) -> Vec<u8> {
    b.clone().unwrap_or_default()
}

macro_rules! setters {
    ($ty:ident { $($field:ident: $kind:tt),* $(,)? }) => {
        impl $ty { $( setters!(@one $field $kind); )* }
    };
    (@one $field:ident string) => {
        pub fn $field(mut self, v: impl Into<String>) -> Self { self.$field = Some(v.into()); self }
    };
    (@one $field:ident bytes) => {
        pub fn $field(mut self, v: impl Into<Vec<u8>>) -> Self { self.$field = Some(v.into()); self }
    };
}

/// Encrypt (the key's initial version) or AdvanceEncrypt (the primary version, with a
/// self-describing ciphertext): the same fields.
#[derive(Clone, Debug)]
pub struct EncryptRequest {
    pub key_id: String,
    pub plaintext: SecretBytes,
    /// `AES_GCM` (default), `AES_CBC`, `AES_ECB`, `RSAES_OAEP_SHA_256`, `ECIES_DH_SHA_1_XOR_HMAC`, ...
    pub algorithm: Option<String>,
    /// Additional authenticated data (GCM only).
    pub aad: Option<Vec<u8>>,
    /// The IV; KMS generates one when absent.
    pub iv: Option<Vec<u8>>,
    /// `PKCS7_PADDING` or `NO_PADDING` (CBC/ECB).
    pub padding_mode: Option<String>,
}

impl EncryptRequest {
    pub fn new(key_id: impl Into<String>, plaintext: impl Into<SecretBytes>) -> Self {
        EncryptRequest {
            key_id: key_id.into(),
            plaintext: plaintext.into(),
            algorithm: None,
            aad: None,
            iv: None,
            padding_mode: None,
        }
    }
    fn to_proto(&self) -> Result<proto::EncryptRequest> {
        check_id(&self.key_id, "key id")?;
        Ok(proto::EncryptRequest {
            key_id: self.key_id.clone(),
            plaintext: self.plaintext.expose().to_vec(),
            algorithm: opt(&self.algorithm),
            aad: opt_bytes(&self.aad),
            iv: opt_bytes(&self.iv),
            padding_mode: opt(&self.padding_mode),
        })
    }
}
setters!(EncryptRequest {
    algorithm: string,
    aad: bytes,
    iv: bytes,
    padding_mode: string
});

/// The answer to Encrypt: keep `key_id`, `iv`, `algorithm` (and `padding_mode`) to decrypt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptResponse {
    pub key_id: String,
    pub ciphertext_blob: Vec<u8>,
    pub iv: Vec<u8>,
    pub algorithm: String,
    pub padding_mode: String,
    pub request_id: String,
}

/// The answer to AdvanceEncrypt: `ciphertext_blob` carries the key version and IV itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdvanceEncryptResponse {
    pub key_id: String,
    pub ciphertext_blob: Vec<u8>,
    pub iv: Vec<u8>,
    pub algorithm: String,
    pub padding_mode: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// Marker for [`InstanceOperation`]: AdvanceEncrypt with an [`EncryptRequest`].
#[derive(Clone, Debug)]
pub struct AdvanceEncrypt<'a>(pub &'a EncryptRequest);

impl InstanceOperation for EncryptRequest {
    const API_NAME: &'static str = "Encrypt";
    type Response = EncryptResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(encode(&self.to_proto()?))
    }
    fn decode(body: &[u8]) -> Result<EncryptResponse> {
        let mut m: proto::EncryptResponse = decode(body, Self::API_NAME)?;
        Ok(EncryptResponse {
            key_id: std::mem::take(&mut m.key_id),
            ciphertext_blob: std::mem::take(&mut m.ciphertext_blob),
            iv: std::mem::take(&mut m.iv),
            algorithm: std::mem::take(&mut m.algorithm),
            padding_mode: std::mem::take(&mut m.padding_mode),
            request_id: std::mem::take(&mut m.request_id),
        })
    }
}

impl InstanceOperation for AdvanceEncrypt<'_> {
    const API_NAME: &'static str = "AdvanceEncrypt";
    type Response = AdvanceEncryptResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(encode(&self.0.to_proto()?))
    }
    fn decode(body: &[u8]) -> Result<AdvanceEncryptResponse> {
        let mut m: proto::EncryptResponse = decode(body, Self::API_NAME)?;
        Ok(AdvanceEncryptResponse {
            key_id: std::mem::take(&mut m.key_id),
            ciphertext_blob: std::mem::take(&mut m.ciphertext_blob),
            iv: std::mem::take(&mut m.iv),
            algorithm: std::mem::take(&mut m.algorithm),
            padding_mode: std::mem::take(&mut m.padding_mode),
            key_version_id: std::mem::take(&mut m.key_version_id),
            request_id: std::mem::take(&mut m.request_id),
        })
    }
}

/// Decrypt: the ciphertext plus what Encrypt returned beside it (key id, IV, algorithm).
#[derive(Clone, Debug)]
pub struct DecryptRequest {
    pub key_id: String,
    pub ciphertext_blob: Vec<u8>,
    pub algorithm: Option<String>,
    pub aad: Option<Vec<u8>>,
    pub iv: Option<Vec<u8>>,
    pub padding_mode: Option<String>,
}

impl DecryptRequest {
    pub fn new(key_id: impl Into<String>, ciphertext_blob: impl Into<Vec<u8>>) -> Self {
        DecryptRequest {
            key_id: key_id.into(),
            ciphertext_blob: ciphertext_blob.into(),
            algorithm: None,
            aad: None,
            iv: None,
            padding_mode: None,
        }
    }
    fn to_proto(&self) -> proto::DecryptRequest {
        proto::DecryptRequest {
            ciphertext_blob: self.ciphertext_blob.clone(),
            key_id: self.key_id.clone(),
            algorithm: opt(&self.algorithm),
            aad: opt_bytes(&self.aad),
            iv: opt_bytes(&self.iv),
            padding_mode: opt(&self.padding_mode),
        }
    }
}
setters!(DecryptRequest {
    algorithm: string,
    aad: bytes,
    iv: bytes,
    padding_mode: string
});

/// AdvanceDecrypt: the self-describing ciphertext of AdvanceEncrypt (and its AAD, if any).
#[derive(Clone, Debug)]
pub struct AdvanceDecryptRequest {
    pub ciphertext_blob: Vec<u8>,
    pub key_id: Option<String>,
    pub algorithm: Option<String>,
    pub aad: Option<Vec<u8>>,
    pub iv: Option<Vec<u8>>,
    pub padding_mode: Option<String>,
}

impl AdvanceDecryptRequest {
    pub fn new(ciphertext_blob: impl Into<Vec<u8>>) -> Self {
        AdvanceDecryptRequest {
            ciphertext_blob: ciphertext_blob.into(),
            key_id: None,
            algorithm: None,
            aad: None,
            iv: None,
            padding_mode: None,
        }
    }
}
setters!(AdvanceDecryptRequest {
    key_id: string,
    algorithm: string,
    aad: bytes,
    iv: bytes,
    padding_mode: string
});

#[derive(Clone, Debug)]
pub struct DecryptResponse {
    pub key_id: String,
    pub plaintext: SecretBytes,
    pub algorithm: String,
    pub padding_mode: String,
    /// Empty for Decrypt; the version that decrypted for AdvanceDecrypt.
    pub key_version_id: String,
    pub request_id: String,
}

fn decrypt_response(body: &[u8], api: &str) -> Result<DecryptResponse> {
    let mut m: proto::DecryptResponse = decode(body, api)?;
    Ok(DecryptResponse {
        key_id: std::mem::take(&mut m.key_id),
        plaintext: SecretBytes::new(std::mem::take(&mut m.plaintext)),
        algorithm: std::mem::take(&mut m.algorithm),
        padding_mode: std::mem::take(&mut m.padding_mode),
        key_version_id: std::mem::take(&mut m.key_version_id),
        request_id: std::mem::take(&mut m.request_id),
    })
}

impl InstanceOperation for DecryptRequest {
    const API_NAME: &'static str = "Decrypt";
    type Response = DecryptResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.key_id, "key id")?;
        non_empty(&self.ciphertext_blob, "ciphertext blob")?;
        Ok(encode(&self.to_proto()))
    }
    fn decode(body: &[u8]) -> Result<DecryptResponse> {
        decrypt_response(body, Self::API_NAME)
    }
}

impl InstanceOperation for AdvanceDecryptRequest {
    const API_NAME: &'static str = "AdvanceDecrypt";
    type Response = DecryptResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        non_empty(&self.ciphertext_blob, "ciphertext blob")?;
        Ok(encode(&proto::DecryptRequest {
            ciphertext_blob: self.ciphertext_blob.clone(),
            key_id: opt(&self.key_id),
            algorithm: opt(&self.algorithm),
            aad: opt_bytes(&self.aad),
            iv: opt_bytes(&self.iv),
            padding_mode: opt(&self.padding_mode),
        }))
    }
    fn decode(body: &[u8]) -> Result<DecryptResponse> {
        decrypt_response(body, Self::API_NAME)
    }
}

pub(crate) fn non_empty(b: &[u8], what: &str) -> Result<()> {
    if b.is_empty() {
        return Err(crate::error::Error::invalid_argument(format!(
            "{what} must not be empty"
        )));
    }
    Ok(())
}

/// Sign: `message` is the raw message (`message_type` `RAW`, the server's default) or a
/// digest (`DIGEST`, at most 32 bytes).
#[derive(Clone, Debug)]
pub struct SignRequest {
    pub key_id: String,
    /// `RSA_PSS_SHA_256`, `RSA_PKCS1_SHA_256`, `ECDSA_SHA_256`, `SM2DSA`.
    pub algorithm: String,
    pub message: Vec<u8>,
    /// `RAW` or `DIGEST`.
    pub message_type: Option<String>,
}

impl SignRequest {
    pub fn new(
        key_id: impl Into<String>,
        algorithm: impl Into<String>,
        message: impl Into<Vec<u8>>,
    ) -> Self {
        SignRequest {
            key_id: key_id.into(),
            algorithm: algorithm.into(),
            message: message.into(),
            message_type: None,
        }
    }
}
setters!(SignRequest {
    message_type: string
});

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignResponse {
    pub key_id: String,
    pub signature: Vec<u8>,
    pub algorithm: String,
    pub message_type: String,
    pub request_id: String,
}

impl InstanceOperation for SignRequest {
    const API_NAME: &'static str = "Sign";
    type Response = SignResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.key_id, "key id")?;
        Ok(encode(&proto::SignRequest {
            key_id: self.key_id.clone(),
            digest: Vec::new(),
            algorithm: self.algorithm.clone(),
            message: self.message.clone(),
            message_type: opt(&self.message_type),
        }))
    }
    fn decode(body: &[u8]) -> Result<SignResponse> {
        let m: proto::SignResponse = decode(body, Self::API_NAME)?;
        Ok(SignResponse {
            key_id: m.key_id,
            signature: m.signature,
            algorithm: m.algorithm,
            message_type: m.message_type,
            request_id: m.request_id,
        })
    }
}

#[derive(Clone, Debug)]
pub struct VerifyRequest {
    pub key_id: String,
    pub algorithm: String,
    pub message: Vec<u8>,
    pub signature: Vec<u8>,
    pub message_type: Option<String>,
}

impl VerifyRequest {
    pub fn new(
        key_id: impl Into<String>,
        algorithm: impl Into<String>,
        message: impl Into<Vec<u8>>,
        signature: impl Into<Vec<u8>>,
    ) -> Self {
        VerifyRequest {
            key_id: key_id.into(),
            algorithm: algorithm.into(),
            message: message.into(),
            signature: signature.into(),
            message_type: None,
        }
    }
}
setters!(VerifyRequest {
    message_type: string
});

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyResponse {
    pub key_id: String,
    /// Whether the signature is valid.
    pub value: bool,
    pub algorithm: String,
    pub message_type: String,
    pub request_id: String,
}

impl InstanceOperation for VerifyRequest {
    const API_NAME: &'static str = "Verify";
    type Response = VerifyResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.key_id, "key id")?;
        Ok(encode(&proto::VerifyRequest {
            key_id: self.key_id.clone(),
            digest: Vec::new(),
            signature: self.signature.clone(),
            algorithm: self.algorithm.clone(),
            message: self.message.clone(),
            message_type: opt(&self.message_type),
        }))
    }
    fn decode(body: &[u8]) -> Result<VerifyResponse> {
        let m: proto::VerifyResponse = decode(body, Self::API_NAME)?;
        Ok(VerifyResponse {
            key_id: m.key_id,
            value: m.value,
            algorithm: m.algorithm,
            message_type: m.message_type,
            request_id: m.request_id,
        })
    }
}

#[derive(Clone, Debug)]
pub struct GetPublicKeyRequest {
    pub key_id: String,
}

impl GetPublicKeyRequest {
    pub fn new(key_id: impl Into<String>) -> Self {
        GetPublicKeyRequest {
            key_id: key_id.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetPublicKeyResponse {
    pub key_id: String,
    /// PEM.
    pub public_key: String,
    pub request_id: String,
}

impl InstanceOperation for GetPublicKeyRequest {
    const API_NAME: &'static str = "GetPublicKey";
    type Response = GetPublicKeyResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        check_id(&self.key_id, "key id")?;
        Ok(encode(&proto::GetPublicKeyRequest {
            key_id: self.key_id.clone(),
        }))
    }
    fn decode(body: &[u8]) -> Result<GetPublicKeyResponse> {
        let m: proto::GetPublicKeyResponse = decode(body, Self::API_NAME)?;
        Ok(GetPublicKeyResponse {
            key_id: m.key_id,
            public_key: m.public_key,
            request_id: m.request_id,
        })
    }
}

#[derive(Clone, Debug)]
pub struct GenerateRandomRequest {
    /// Bytes wanted (1 to 1024).
    pub length: u32,
}

impl GenerateRandomRequest {
    pub fn new(length: u32) -> Self {
        GenerateRandomRequest { length }
    }
}

#[derive(Clone, Debug)]
pub struct GenerateRandomResponse {
    pub random: SecretBytes,
    pub request_id: String,
}

impl InstanceOperation for GenerateRandomRequest {
    const API_NAME: &'static str = "GenerateRandom";
    type Response = GenerateRandomResponse;
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        let length = i32::try_from(self.length)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| crate::error::Error::invalid_argument("length must be positive"))?;
        Ok(encode(&proto::GenerateRandomRequest { length }))
    }
    fn decode(body: &[u8]) -> Result<GenerateRandomResponse> {
        let mut m: proto::GenerateRandomResponse = decode(body, Self::API_NAME)?;
        Ok(GenerateRandomResponse {
            random: SecretBytes::new(std::mem::take(&mut m.random)),
            request_id: std::mem::take(&mut m.request_id),
        })
    }
}
