//! Sans-I/O request signing. A signer takes the parts of a request, one credentials snapshot, a
//! date and a nonce, and returns the exact headers, query string and body to send. It reads no
//! clock and draws no randomness, so every byte is reproducible in tests and checked against
//! requests captured from the official SDK.
//!
//! - [`acs3`]: ACS3-HMAC-SHA256 with an `Authorization` header, the official SDK's default.
//! - [`rpc`]: RPC V1 HMAC-SHA1 with a `Signature` query parameter (what STS speaks).
//! - [`instance`]: the KMS Instance API's RSA PKCS#1 v1.5 SHA-256 signature with a ClientKey.

pub mod acs3;
pub mod encode;
pub mod instance;
pub mod rpc;

use crate::credentials::Credentials;

/// Which signature scheme a client uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureVersion {
    /// ACS3-HMAC-SHA256 (official SDK default).
    #[default]
    Acs3HmacSha256,
    /// RPC V1 HMAC-SHA1 (`Config.signature_algorithm = "v2"` in the official SDK).
    RpcHmacSha1,
}

impl std::str::FromStr for SignatureVersion {
    type Err = crate::error::Error;
    /// `acs3` (or `ACS3-HMAC-SHA256`, `v3`) and `rpc` (or `HMAC-SHA1`, `v2`, `v1`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "acs3" | "acs3-hmac-sha256" | "v3" => Ok(SignatureVersion::Acs3HmacSha256),
            "rpc" | "hmac-sha1" | "v2" | "v1" => Ok(SignatureVersion::RpcHmacSha1),
            _ => Err(crate::error::Error::configuration(format!(
                "unknown signature version {s:?}: expected \"acs3\" or \"rpc\""
            ))),
        }
    }
}

/// Retry bookkeeping the official SDK sends (and signs) on every attempt after the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryInfo {
    /// Attempts made before this one.
    pub attempts: u32,
    /// How long the client slept before this attempt, in milliseconds.
    pub delay_ms: u64,
}

/// The parts of one KMS request that a signer needs.
#[derive(Clone, Copy, Debug)]
pub struct RequestToSign<'a> {
    pub method: &'a str,
    /// The `host` header exactly as sent (with `:port` when the endpoint has one).
    pub host: &'a str,
    pub action: &'a str,
    pub version: &'a str,
    /// Query parameters by wire name with their plain (decoded) values, in wire order.
    pub query: &'a [(String, String)],
    /// Form-body parameters. `Some` (even empty) means the request carries
    /// `content-type: application/x-www-form-urlencoded`, as the SDK does for six actions.
    pub body: Option<&'a [(String, String)]>,
    pub user_agent: &'a str,
    pub retry: Option<RetryInfo>,
}

/// What to put on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    /// Path and query, e.g. `/?KeyId=k&Plaintext=SGk%3D`.
    pub path_and_query: String,
    /// Headers in the order the official SDK sends them, `Authorization` last when present.
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl SignedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Date, nonce and credentials for one attempt: everything a signer would otherwise take
/// from the environment.
#[derive(Clone, Copy, Debug)]
pub struct SigningParams<'a> {
    pub credentials: &'a Credentials,
    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC (see [`format_timestamp`]).
    pub timestamp: &'a str,
    /// 32 lowercase hex characters (see [`new_nonce`]).
    pub nonce: &'a str,
}

/// Signs with the given scheme.
pub fn sign(
    version: SignatureVersion,
    req: &RequestToSign<'_>,
    params: &SigningParams<'_>,
) -> SignedRequest {
    match version {
        SignatureVersion::Acs3HmacSha256 => acs3::sign(req, params),
        SignatureVersion::RpcHmacSha1 => rpc::sign(req, params),
    }
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (UTC, no fraction), the form
/// of `x-acs-date` and of the RPC `Timestamp`.
pub fn format_timestamp(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A fresh nonce: 128 random bits from the operating system, as 32 lowercase hex characters
/// (the SDK's format). Not from a user-space generator: after `fork()` a child would inherit its
/// buffered state and send the parent's next nonces, which the service refuses as replays.
pub fn new_nonce() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    encode::hex_lower(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_714_550_950), "2024-05-01T08:09:10Z");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_timestamp(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn nonces_are_32_hex_and_differ() {
        let a = new_nonce();
        let b = new_nonce();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }
}
