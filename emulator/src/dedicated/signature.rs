//! Verifies an Instance API request: the dkms-gcs-0.2 headers, the body hash, the date window and
//! the RSA PKCS#1 v1.5 SHA-256 signature by a ClientKey. The string to sign is rebuilt here from
//! the received headers, independently of the client's signer in `core/`, so a bug on one side
//! cannot hide by agreeing with itself.

use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};

use super::InstanceError;

pub const API_VERSION: &str = "dkms-gcs-0.2";
pub const SIGNATURE_METHOD: &str = "RSA_PKCS1_SHA_256";
/// Three c's, as every official SDK and the gateway's own error text spell it.
pub const ACCESS_KEY_HEADER: &str = "x-kms-acccesskeyid";

/// The 15 APIs of dkms-gcs-0.2 (the `x-kms-apiname` values).
pub const API_NAMES: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "AdvanceEncrypt",
    "AdvanceDecrypt",
    "Sign",
    "Verify",
    "GenerateRandom",
    "GenerateDataKey",
    "AdvanceGenerateDataKey",
    "GenerateDataKeyPair",
    "AdvanceGenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "AdvanceGenerateDataKeyPairWithoutPlaintext",
    "GetPublicKey",
    "GetSecretValue",
];

/// What a verified request carries forward.
#[derive(Debug)]
pub struct Verified {
    pub api_name: String,
    pub client_key_id: String,
}

/// Request headers with lower-cased names, in arrival order.
pub type Headers = [(String, String)];

fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `METHOD \n content-sha256 \n content-type \n date \n` + every `x-kms-*` header sorted by name as
/// `name:trimmed value\n` + the canonical resource, which the SDKs always make `/`.
pub fn string_to_sign(method: &str, headers: &Headers) -> String {
    let get = |n: &str| header(headers, n).unwrap_or("");
    let mut kms: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(n, _)| n.starts_with("x-kms-"))
        .map(|(n, v)| (n.as_str(), v.trim()))
        .collect();
    kms.sort_by(|a, b| a.0.cmp(b.0));
    let mut s = format!(
        "{method}\n{}\n{}\n{}\n",
        get("content-sha256"),
        get("content-type"),
        get("date")
    );
    for (n, v) in kms {
        s.push_str(n);
        s.push(':');
        s.push_str(v);
        s.push('\n');
    }
    s.push('/');
    s
}

/// Checks everything but the signature's key lookup, in the order the gateway reports problems.
/// `lookup` finds a ClientKey's public key by id.
pub fn verify(
    method: &str,
    headers: &Headers,
    body: &[u8],
    now: chrono::DateTime<chrono::Utc>,
    max_skew: Option<chrono::Duration>,
    lookup: impl Fn(&str) -> Option<RsaPublicKey>,
) -> Result<Verified, InstanceError> {
    match header(headers, "x-kms-apiversion") {
        Some(API_VERSION) => {}
        _ => {
            return Err(InstanceError::new(
                400,
                "InvalidApiVersion",
                "The api version is invalid.",
            ))
        }
    }
    let api_name = match header(headers, "x-kms-apiname") {
        Some(n) if API_NAMES.contains(&n) => n.to_owned(),
        _ => {
            return Err(InstanceError::new(
                400,
                "InvalidApiName",
                "The api name is invalid.",
            ))
        }
    };
    let client_key_id = match header(headers, ACCESS_KEY_HEADER) {
        Some(k) if !k.trim().is_empty() => k.trim().to_owned(),
        _ => {
            return Err(InstanceError::new(
                400,
                "MissingParameter",
                "Parameter x-kms-acccesskeyid does not exist in http header or body.",
            ))
        }
    };
    if header(headers, "x-kms-signaturemethod") != Some(SIGNATURE_METHOD) {
        return Err(InstanceError::invalid_param("x-kms-signaturemethod"));
    }
    let date = header(headers, "date")
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d.trim()).ok())
        .ok_or_else(|| InstanceError::invalid_param("Date"))?;
    if let Some(max) = max_skew {
        let skew = now.signed_duration_since(date.with_timezone(&chrono::Utc));
        if skew.abs() > max {
            return Err(InstanceError::new(
                400,
                "RequestTimeTooSkewed",
                "The request time is too skewed (more than 15 minutes from the server time).",
            ));
        }
    }
    let want = hex::encode_upper(Sha256::digest(body));
    match header(headers, "content-sha256") {
        Some(h) if h.trim().eq_ignore_ascii_case(&want) => {}
        _ => return Err(InstanceError::invalid_param("Content-SHA256")),
    }
    let sig = header(headers, "authorization")
        .and_then(|a| a.trim().strip_prefix("Bearer "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .ok_or_else(|| InstanceError::invalid_param("Authorization"))?;
    let key = lookup(&client_key_id).ok_or_else(|| {
        InstanceError::new(401, "Unauthorized", "The client key is not recognized.")
    })?;
    let verifier = VerifyingKey::<Sha256>::new(key);
    let ok = Signature::try_from(sig.as_slice())
        .map(|s| {
            verifier
                .verify(string_to_sign(method, headers).as_bytes(), &s)
                .is_ok()
        })
        .unwrap_or(false);
    if !ok {
        return Err(InstanceError::new(
            401,
            "Unauthorized",
            "The request signature does not match.",
        ));
    }
    Ok(Verified {
        api_name,
        client_key_id,
    })
}
