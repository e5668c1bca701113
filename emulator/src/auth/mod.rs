//! Request authentication, written from the protocol notes (shared/reference §4–§6, §10) and
//! deliberately independent of the client's signer in `core/`: if both were wrong the same way,
//! the official SDKs (and the captured vectors) would still catch it here.
//!
//! The verifier is sans-I/O: it takes the raw request parts, a credential lookup, the current time
//! and an optional nonce cache, and returns who signed what.

mod acs3;
mod acs4;
pub mod encoding;
pub mod replay;
mod rpc;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::KmsError;
pub use replay::NonceCache;

/// The parts of an HTTP request the verifier needs, as received.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    /// The query string exactly as on the wire, without the leading `?`.
    pub raw_query: String,
    /// Header names lowercased; values as received (lossily decoded if not UTF-8).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// All values of one header, by lowercase name.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn is_form_body(&self) -> bool {
        self.header("content-type")
            .map(|ct| {
                ct.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            })
            .unwrap_or(false)
    }

    /// Decoded query pairs, in wire order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        encoding::parse_form(self.raw_query.as_bytes())
    }

    /// Decoded form-body pairs (only when the body is declared form-urlencoded).
    pub fn body_pairs(&self) -> Vec<(String, String)> {
        if self.is_form_body() {
            encoding::parse_form(&self.body)
        } else {
            Vec::new()
        }
    }

    /// Query and form body merged: the action's parameters. Body wins on a clash because the
    /// SDK only ever puts `SecretData`/`Recipient` there.
    pub fn params(&self) -> BTreeMap<String, String> {
        let mut m: BTreeMap<String, String> = self.query_pairs().into_iter().collect();
        m.extend(self.body_pairs());
        m
    }
}

/// The one KMS OpenAPI version the emulator speaks.
pub const API_VERSION: &str = "2016-01-20";

/// Which signing scheme authenticated the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Acs3,
    Acs4,
    RpcV1,
}

/// A successfully authenticated request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub scheme: Scheme,
    pub access_key_id: String,
    pub action: String,
    pub params: BTreeMap<String, String>,
}

/// Verification knobs. Tests replaying captured vectors turn the clock and nonce checks off.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub check_time: bool,
    pub check_nonce: bool,
    pub max_skew: chrono::Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            check_time: true,
            check_nonce: true,
            max_skew: chrono::Duration::minutes(15),
        }
    }
}

/// Looks up an AccessKey secret by id.
pub trait CredentialLookup {
    fn secret_for(&self, access_key_id: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> CredentialLookup for F {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self(access_key_id)
    }
}

/// Verifies a request signed with ACS3-HMAC-SHA256, ACS4-HMAC-SHA256 or RPC V1 HMAC-SHA1.
pub fn verify(
    req: &RawRequest,
    creds: &dyn CredentialLookup,
    opts: &VerifyOptions,
    now: DateTime<Utc>,
    nonces: Option<&NonceCache>,
) -> Result<Authenticated, KmsError> {
    verify_for_version(req, creds, opts, now, nonces, API_VERSION)
}

/// [`verify`] for another product's API version (STS speaks 2015-04-01 over the same signatures).
pub fn verify_for_version(
    req: &RawRequest,
    creds: &dyn CredentialLookup,
    opts: &VerifyOptions,
    now: DateTime<Utc>,
    nonces: Option<&NonceCache>,
    api_version: &str,
) -> Result<Authenticated, KmsError> {
    let authz = req
        .header("authorization")
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let (auth, date, nonce) = match authz {
        Some(a) if a.starts_with("ACS3-HMAC-SHA256") => {
            let auth = acs3::verify(req, a, creds)?;
            (
                auth,
                req.header("x-acs-date").map(str::to_owned),
                req.header("x-acs-signature-nonce").map(str::to_owned),
            )
        }
        Some(a) if a.starts_with("ACS4-HMAC-SHA256") => {
            let auth = acs4::verify(req, a, creds)?;
            (
                auth,
                req.header("x-acs-date").map(str::to_owned),
                req.header("x-acs-signature-nonce").map(str::to_owned),
            )
        }
        Some(_) => {
            return Err(KmsError::incomplete_signature(
                "unsupported signature algorithm",
            ))
        }
        None => {
            let auth = rpc::verify(req, creds)?;
            let date = auth.params.get("Timestamp").cloned();
            let nonce = auth.params.get("SignatureNonce").cloned();
            (auth, date, nonce)
        }
    };
    if opts.check_time {
        let date = date.ok_or_else(KmsError::timestamp_missing)?;
        let t = parse_acs_date(&date).ok_or_else(KmsError::timestamp_format)?;
        if (now - t).abs() > opts.max_skew {
            return Err(KmsError::timestamp_expired());
        }
    }
    if opts.check_nonce {
        if let Some(cache) = nonces {
            let nonce = nonce
                .filter(|n| !n.is_empty())
                .ok_or_else(|| KmsError::missing("SignatureNonce"))?;
            if !cache.insert(&auth.access_key_id, &nonce, now) {
                return Err(KmsError::nonce_used());
            }
        }
    }
    if auth.action.is_empty() {
        return Err(KmsError::missing("Action"));
    }
    // Only the 2016-01-20 API exists here; a client aiming at another version must hear so
    // rather than get answers shaped for this one.
    let version = match auth.scheme {
        Scheme::RpcV1 => auth.params.get("Version").map(String::as_str),
        Scheme::Acs3 | Scheme::Acs4 => req.header("x-acs-version").map(str::trim),
    };
    if version.is_some_and(|v| v != api_version) {
        return Err(KmsError::new(
            400,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        ));
    }
    Ok(auth)
}

/// `2024-05-01T08:09:10Z` (the SDK never sends sub-seconds, but tolerate them).
pub fn parse_acs_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.fZ"))
        .ok()
        .map(|n| n.and_utc())
}

/// Constant-time comparison of two byte strings (length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Canonical headers and signed-header list shared by ACS3 and ACS4: exactly the signed names,
/// values trimmed, duplicate values sorted and joined with ','.
fn canonical_headers(req: &RawRequest, signed: &[&str]) -> Result<String, KmsError> {
    let mut out = String::new();
    for name in signed {
        let mut values: Vec<&str> = req.header_values(name).into_iter().map(str::trim).collect();
        if values.is_empty() {
            return Err(KmsError::incomplete_signature("a signed header is missing"));
        }
        values.sort_unstable();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// Parsed `<ALG> Credential=...,SignedHeaders=...,Signature=...`.
struct AuthorizationHeader {
    credential: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str, algorithm: &str) -> Result<AuthorizationHeader, KmsError> {
    let rest = value
        .strip_prefix(algorithm)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| KmsError::incomplete_signature("bad Authorization header"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v.to_owned());
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v.to_owned());
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v.to_owned());
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(KmsError::incomplete_signature(
            "Authorization lacks Credential, SignedHeaders or Signature",
        ));
    };
    let signed_headers: Vec<String> = signed.split(';').map(str::to_owned).collect();
    let well_formed = signed_headers
        .iter()
        .all(|h| !h.is_empty() && *h == h.to_ascii_lowercase())
        && signed_headers.windows(2).all(|w| w[0] < w[1]);
    if !well_formed {
        return Err(KmsError::incomplete_signature(
            "SignedHeaders must be lowercase and sorted",
        ));
    }
    Ok(AuthorizationHeader {
        credential,
        signed_headers,
        signature,
    })
}

/// The minimum header set a V3/V4 signature must cover (§10), plus the STS token when sent.
fn check_required_signed(req: &RawRequest, signed: &[String]) -> Result<(), KmsError> {
    const REQUIRED: [&str; 6] = [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ];
    let has = |n: &str| signed.iter().any(|s| s == n);
    if !REQUIRED.iter().all(|n| has(n)) {
        return Err(KmsError::incomplete_signature(
            "a required header is not signed",
        ));
    }
    if req.header("x-acs-security-token").is_some() && !has("x-acs-security-token") {
        return Err(KmsError::incomplete_signature(
            "x-acs-security-token is not signed",
        ));
    }
    Ok(())
}

/// `x-acs-content-sha256` must be the hash of the bytes actually received.
fn check_payload_hash(req: &RawRequest) -> Result<String, KmsError> {
    use sha2::{Digest, Sha256};
    let actual = hex::encode(Sha256::digest(&req.body));
    let claimed = req
        .header("x-acs-content-sha256")
        .map(str::trim)
        .unwrap_or("");
    if !ct_eq(claimed.to_ascii_lowercase().as_bytes(), actual.as_bytes()) {
        return Err(KmsError::signature_mismatch());
    }
    Ok(actual)
}

/// `METHOD\n/\nquery\nheaders\nsigned\nhash` (§4; identical for ACS4).
fn canonical_request(
    req: &RawRequest,
    signed: &[String],
    payload_hash: &str,
) -> Result<String, KmsError> {
    let signed_refs: Vec<&str> = signed.iter().map(String::as_str).collect();
    let query = encoding::canonical_query(&req.query_pairs());
    let headers = canonical_headers(req, &signed_refs)?;
    Ok(format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        query,
        headers,
        signed_refs.join(";"),
        payload_hash
    ))
}
