//! The KMS Instance API signature (dkms-gcs-0.2), as the official `alibabacloud-dkms-gcs` SDKs
//! build it: RSASSA-PKCS1-v1_5 with SHA-256 over
//! `POST\n<content-sha256>\n<content-type>\n<date>\n<x-kms-* headers sorted, key:value\n>/`,
//! sent as `authorization: Bearer <base64>`. The date is given, not read, so vectors reproduce
//! byte for byte. Note the SDK's header name `x-kms-acccesskeyid` (three c's): the server
//! expects exactly that.

use super::SignedRequest;
use crate::error::Result;
use crate::instance_api::ClientKey;
use base64::Engine as _;
use ring::digest;

pub const API_VERSION: &str = "dkms-gcs-0.2";
pub const SIGNATURE_METHOD: &str = "RSA_PKCS1_SHA_256";
pub const CONTENT_TYPE: &str = "application/x-protobuf";

/// The parts of one Instance API request that the signer needs.
#[derive(Clone, Copy, Debug)]
pub struct InstanceRequestToSign<'a> {
    /// The `host` header exactly as sent (with `:port` when the endpoint has one).
    pub host: &'a str,
    /// `x-kms-apiname`, e.g. `Encrypt`.
    pub api_name: &'a str,
    /// The protobuf request body.
    pub body: &'a [u8],
    /// The `date` header, RFC 1123 in GMT (see [`format_http_date`]).
    pub date: &'a str,
    pub user_agent: &'a str,
}

/// Intermediate artefacts, exposed so tests can compare each with the official SDK's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artefacts {
    pub content_sha256: String,
    pub string_to_sign: String,
    /// Base64 of the RSA signature (what follows `Bearer `).
    pub signature: String,
}

/// Uppercase hex SHA-256 of the body (the `content-sha256` header).
pub fn content_sha256(body: &[u8]) -> String {
    super::encode::hex_lower(digest::digest(&digest::SHA256, body).as_ref()).to_ascii_uppercase()
}

/// The headers the SDK signs, in its wire order (`content-length` is added by the transport,
/// `authorization` by [`sign`]).
fn headers(
    req: &InstanceRequestToSign<'_>,
    key_id: &str,
    sha: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("accept", CONTENT_TYPE.to_owned()),
        ("host", req.host.to_owned()),
        ("date", req.date.to_owned()),
        ("user-agent", req.user_agent.to_owned()),
        ("x-kms-apiversion", API_VERSION.to_owned()),
        ("x-kms-apiname", req.api_name.to_owned()),
        ("x-kms-signaturemethod", SIGNATURE_METHOD.to_owned()),
        ("x-kms-acccesskeyid", key_id.to_owned()),
        ("content-type", CONTENT_TYPE.to_owned()),
        ("content-sha256", sha.to_owned()),
    ]
}

/// The string to sign for a set of headers (any order; only `x-kms-*` ones are canonicalised).
pub fn string_to_sign_from_headers(headers: &[(&str, String)]) -> String {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut out = String::with_capacity(256);
    out.push_str("POST\n");
    out.push_str(get("content-sha256"));
    out.push('\n');
    out.push_str(get("content-type"));
    out.push('\n');
    out.push_str(get("date"));
    out.push('\n');
    let mut kms: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(n, _)| n.starts_with("x-kms-"))
        .map(|(n, v)| (*n, v.trim()))
        .collect();
    kms.sort_unstable();
    for (name, value) in kms {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    // The canonicalised resource is always "/" (the SDK ignores path and query).
    out.push('/');
    out
}

/// Signs one request with `key`; the result carries the headers in the SDK's wire order.
pub fn sign(req: &InstanceRequestToSign<'_>, key: &ClientKey) -> Result<SignedRequest> {
    sign_with_artefacts(req, key).map(|(signed, _)| signed)
}

pub fn sign_with_artefacts(
    req: &InstanceRequestToSign<'_>,
    key: &ClientKey,
) -> Result<(SignedRequest, Artefacts)> {
    let sha = content_sha256(req.body);
    let mut headers = headers(req, key.key_id(), &sha);
    let string_to_sign = string_to_sign_from_headers(&headers);
    let signature =
        base64::engine::general_purpose::STANDARD.encode(key.sign(string_to_sign.as_bytes())?);
    headers.push(("authorization", format!("Bearer {signature}")));
    Ok((
        SignedRequest {
            path_and_query: "/".to_owned(),
            headers,
            body: req.body.to_vec(),
        },
        Artefacts {
            content_sha256: sha,
            string_to_sign,
            signature,
        },
    ))
}

/// Seconds since the Unix epoch as an RFC 1123 date in GMT: `Tue, 14 Nov 2023 22:13:20 GMT`.
pub fn format_http_date(unix_secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_secs / 86_400;
    let rem = unix_secs % 86_400;
    let (y, m, d) = super::civil_from_days(days as i64);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(m as usize).saturating_sub(1).min(11)],
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(
            format_http_date(1_700_000_000),
            "Tue, 14 Nov 2023 22:13:20 GMT"
        );
        assert_eq!(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            format_http_date(951_782_400),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
    }

    #[test]
    fn empty_body_hash_is_uppercase() {
        assert_eq!(
            content_sha256(b""),
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        );
    }
}
