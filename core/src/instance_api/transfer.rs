//! Routing the client's own operations to the dedicated gateway, the way the official unified
//! SDK (`alibabacloud-kms-python-sdk` TransferClient, advance mode) does, so ciphertexts stay
//! in the shared gateway's form:
//!
//! - Encrypt -> AdvanceEncrypt; the returned blob `'$' 0x00 0x02 | keyVersionId(36) | iv(12) |
//!   ct` loses its 3-byte header and is base64-encoded: the shared-gateway-compatible
//!   `CiphertextBlob`. Decrypt puts the header back and calls AdvanceDecrypt.
//! - EncryptionContext -> `Aad` = lowercase hex SHA-256 of `k1=v1&k2=v2` sorted by key (ASCII).
//! - GenerateDataKey -> AdvanceGenerateDataKey, then AdvanceEncrypt of the base64 data key, so
//!   the blob decrypts (on either gateway) to the base64 text as with the shared gateway.
//! - GetSecretValue -> GetSecretValue.
//!
//! The plaintext that reaches the service is the base64 text kmskit sends to the shared
//! gateway as `Plaintext`, so a ciphertext made on one route decrypts to the same bytes on
//! the other.

use super::{AdvanceDecryptRequest, InstanceClient};
use crate::api::models::{
    b64, check_id, DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse,
    EncryptionContext, GenerateDataKeyRequest, GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextResponse, GetSecretValueRequest, GetSecretValueResponse,
};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::{SecretBytes, SecretString};
use base64::Engine as _;
use serde_json::Value;
use std::fmt::Write as _;

/// Where [`crate::Client`]'s data-plane operations go when both gateways are configured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Route {
    /// The dedicated gateway's Instance API when a ClientKey is configured, else the shared
    /// gateway (management calls always go to the shared gateway).
    #[default]
    Auto,
    /// Always the configured KMS endpoint with RAM (AccessKey/STS) authentication.
    Shared,
    /// Always the Instance API; an error when no ClientKey is configured.
    Dedicated,
}

impl Route {
    /// The route's name, as [`std::str::FromStr`] reads it: `auto`, `shared` or `dedicated`.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::Auto => "auto",
            Route::Shared => "shared",
            Route::Dedicated => "dedicated",
        }
    }
}

impl std::str::FromStr for Route {
    type Err = Error;
    /// `auto`, `shared` or `dedicated`, any case.
    fn from_str(s: &str) -> Result<Route> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(Route::Auto),
            "shared" => Ok(Route::Shared),
            "dedicated" | "instance" => Ok(Route::Dedicated),
            other => Err(Error::configuration(format!(
                "unknown route {other:?}: expected \"auto\", \"shared\" or \"dedicated\""
            ))),
        }
    }
}

const HEADER: [u8; 3] = [b'$', 0x00, 0x02];
/// keyVersionId (36) + IV (12): the least a compatible blob holds besides the ciphertext.
const MIN_COMPATIBLE_LEN: usize = 36 + 12;

/// The AAD the unified SDK derives from an encryption context (key-order independent).
pub fn aad_from_context(ctx: Option<&EncryptionContext>) -> Option<Vec<u8>> {
    let ctx = ctx.filter(|c| !c.is_empty())?;
    let mut pairs: Vec<(&String, String)> = ctx
        .as_json()
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k, v)
        })
        .collect();
    pairs.sort();
    let mut text = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            text.push('&');
        }
        let _ = write!(text, "{k}={v}");
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    Some(crate::signing::encode::hex_lower(digest.as_ref()).into_bytes())
}

/// The shared-gateway form of an AdvanceEncrypt blob (header dropped), base64.
fn compatible_blob(blob: &[u8]) -> Result<String> {
    match blob.strip_prefix(&HEADER[..1]) {
        Some(_) if blob.len() >= HEADER.len() + MIN_COMPATIBLE_LEN => {
            Ok(b64(&blob[HEADER.len()..]))
        }
        _ => Err(Error::new(
            ErrorCode::InvalidResponse,
            "the AdvanceEncrypt ciphertext does not have the expected layout",
        )),
    }
}

fn advance_blob(compatible: &str) -> Result<Vec<u8>> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(compatible.trim())
        .map_err(|_| Error::invalid_argument("the ciphertext blob is not valid base64"))?;
    if raw.len() < MIN_COMPATIBLE_LEN {
        return Err(Error::invalid_argument(
            "the ciphertext blob is too short to come from the dedicated gateway",
        ));
    }
    let mut blob = Vec::with_capacity(HEADER.len() + raw.len());
    blob.extend_from_slice(&HEADER);
    blob.extend_from_slice(&raw);
    Ok(blob)
}

/// The instance-side request for "encrypt this text like the shared gateway would".
fn advance_encrypt_request(
    key_id: &str,
    text: SecretBytes,
    aad: Option<Vec<u8>>,
) -> super::EncryptRequest {
    let mut req = super::EncryptRequest::new(key_id, text);
    req.aad = aad;
    req
}

pub(crate) async fn encrypt(ic: &InstanceClient, req: EncryptRequest) -> Result<EncryptResponse> {
    check_id(&req.key_id, "key id")?;
    let text = SecretBytes::new(b64(req.plaintext.expose()).into_bytes());
    let aad = aad_from_context(req.encryption_context.as_ref());
    let r = ic
        .advance_encrypt(advance_encrypt_request(&req.key_id, text, aad))
        .await?;
    Ok(EncryptResponse {
        ciphertext_blob: compatible_blob(&r.ciphertext_blob)?,
        key_id: r.key_id,
        key_version_id: r.key_version_id,
        request_id: r.request_id,
    })
}

pub(crate) async fn decrypt(ic: &InstanceClient, req: DecryptRequest) -> Result<DecryptResponse> {
    check_id(&req.ciphertext_blob, "ciphertext blob")?;
    let mut advance = AdvanceDecryptRequest::new(advance_blob(&req.ciphertext_blob)?);
    advance.aad = aad_from_context(req.encryption_context.as_ref());
    let r = ic.advance_decrypt(advance).await?;
    // As on the shared gateway: the service returns the text that was encrypted; kmskit's own
    // ciphertexts hold base64, anything else is returned as its bytes.
    let wire = SecretString::new(String::from_utf8_lossy(r.plaintext.expose()).into_owned());
    let plaintext = match base64::engine::general_purpose::STANDARD.decode(r.plaintext.expose()) {
        Ok(bytes) => SecretBytes::new(bytes),
        Err(_) => r.plaintext.clone(),
    };
    Ok(DecryptResponse {
        plaintext,
        plaintext_wire: wire,
        key_id: r.key_id,
        key_version_id: r.key_version_id,
        request_id: r.request_id,
    })
}

fn data_key_length(req: &GenerateDataKeyRequest) -> Result<u32> {
    if let Some(n) = req.number_of_bytes {
        return Ok(n);
    }
    match req.key_spec.as_deref().map(str::trim) {
        None | Some("") | Some("AES_256") => Ok(32),
        Some("AES_128") => Ok(16),
        Some(other) => Err(Error::invalid_argument(format!(
            "unknown key spec {other:?}: expected AES_256 or AES_128"
        ))),
    }
}

pub(crate) async fn generate_data_key(
    ic: &InstanceClient,
    req: GenerateDataKeyRequest,
) -> Result<GenerateDataKeyResponse> {
    check_id(&req.key_id, "key id")?;
    let aad = aad_from_context(req.encryption_context.as_ref());
    let mut gen =
        super::GenerateDataKeyRequest::new(&req.key_id).number_of_bytes(data_key_length(&req)?);
    gen.aad = aad.clone();
    let key = ic.advance_generate_data_key(gen).await?;
    let text = SecretBytes::new(b64(key.plaintext.expose()).into_bytes());
    let r = ic
        .advance_encrypt(advance_encrypt_request(&req.key_id, text, aad))
        .await?;
    Ok(GenerateDataKeyResponse {
        plaintext: key.plaintext,
        ciphertext_blob: compatible_blob(&r.ciphertext_blob)?,
        key_id: r.key_id,
        key_version_id: r.key_version_id,
        request_id: r.request_id,
    })
}

pub(crate) async fn generate_data_key_without_plaintext(
    ic: &InstanceClient,
    req: GenerateDataKeyRequest,
) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
    let r = generate_data_key(ic, req).await?;
    Ok(GenerateDataKeyWithoutPlaintextResponse {
        ciphertext_blob: r.ciphertext_blob,
        key_id: r.key_id,
        key_version_id: r.key_version_id,
        request_id: r.request_id,
    })
}

pub(crate) async fn get_secret_value(
    ic: &InstanceClient,
    req: GetSecretValueRequest,
) -> Result<GetSecretValueResponse> {
    let mut r = super::GetSecretValueRequest::new(&req.secret_name)
        .fetch_extended_config(req.fetch_extended_config.unwrap_or(false));
    r.version_id = req.version_id.clone();
    r.version_stage = req.version_stage.clone();
    let s = ic.get_secret_value(r).await?;
    let some = |v: String| Some(v).filter(|v| !v.is_empty());
    Ok(GetSecretValueResponse {
        secret_name: s.secret_name,
        secret_type: s.secret_type,
        secret_data: s.secret_data,
        secret_data_type: s.secret_data_type,
        version_id: s.version_id,
        version_stages: s.version_stages,
        create_time: s.create_time,
        automatic_rotation: some(s.automatic_rotation),
        rotation_interval: some(s.rotation_interval),
        last_rotation_date: some(s.last_rotation_date),
        next_rotation_date: some(s.next_rotation_date),
        extended_config: some(s.extended_config),
        request_id: s.request_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aad_matches_the_unified_sdk() {
        // From the captured TransferClient request: {"b":"2","a":"1"} -> sha256_hex("a=1&b=2").
        let ctx: EncryptionContext = [("b", "2"), ("a", "1")].into_iter().collect();
        assert_eq!(
            aad_from_context(Some(&ctx)).unwrap(),
            b"8e85be58c1c372ac29fe7bfa80d8ddcbd04a4032c7b51c1c026d67c55b1ab23f"
        );
        assert_eq!(aad_from_context(Some(&EncryptionContext::new())), None);
    }

    #[test]
    fn blobs_round_trip_between_forms() {
        let mut blob = HEADER.to_vec();
        blob.extend_from_slice(b"00000000-aaaa-bbbb-cccc-000000000001");
        blob.extend_from_slice(&[7u8; 12 + 20]);
        let compatible = compatible_blob(&blob).unwrap();
        assert_eq!(advance_blob(&compatible).unwrap(), blob);
        assert!(compatible_blob(b"short").is_err());
        assert!(advance_blob("c2hvcnQ=").is_err());
        assert!(advance_blob("!!").is_err());
    }
}
