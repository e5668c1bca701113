//! ACS3-HMAC-SHA256, the official SDK's default for KMS. The SDK signs every header it sets
//! (including `accept` and `user-agent`), hashes the body into `x-acs-content-sha256`, and
//! canonicalises the query with RFC 3986 encoding while the wire query uses form encoding.

use super::encode::{hex_lower, rfc3986_into};
use super::{RequestToSign, SignedRequest, SigningParams};
use ring::{digest, hmac};

pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Intermediate artefacts, exposed so tests can compare each one with the official SDK's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artefacts {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signed_headers: String,
    pub signature: String,
}

/// Signs `req`; the result carries the headers in the official SDK's wire order.
pub fn sign(req: &RequestToSign<'_>, params: &SigningParams<'_>) -> SignedRequest {
    sign_with_artefacts(req, params).0
}

pub fn sign_with_artefacts(
    req: &RequestToSign<'_>,
    params: &SigningParams<'_>,
) -> (SignedRequest, Artefacts) {
    let creds = params.credentials;
    let body = match req.body {
        Some(pairs) => super::encode::form_pairs(pairs).into_bytes(),
        None => Vec::new(),
    };
    let payload_hash = hex_lower(digest::digest(&digest::SHA256, &body).as_ref());

    let mut headers: Vec<(&'static str, String)> = Vec::with_capacity(16);
    headers.push(("host", req.host.to_owned()));
    headers.push(("x-acs-version", req.version.to_owned()));
    headers.push(("x-acs-action", req.action.to_owned()));
    headers.push(("user-agent", req.user_agent.to_owned()));
    headers.push(("x-acs-date", params.timestamp.to_owned()));
    headers.push(("x-acs-signature-nonce", params.nonce.to_owned()));
    headers.push(("accept", "application/json".to_owned()));
    if let Some(retry) = req.retry {
        headers.push(("x-acs-retry-attempts", retry.attempts.to_string()));
        headers.push(("x-acs-retry-delay", retry.delay_ms.to_string()));
    }
    if req.body.is_some() {
        headers.push((
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        ));
    }
    headers.push(("x-acs-content-sha256", payload_hash.clone()));
    headers.push((
        "x-acs-credentials-provider",
        creds.provider_name().to_owned(),
    ));
    if let Some(token) = creds.security_token() {
        headers.push(("x-acs-accesskey-id", creds.access_key_id().to_owned()));
        headers.push(("x-acs-security-token", token.to_owned()));
    }

    let mut sorted: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));

    let query_len: usize = req.query.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut canonical = String::with_capacity(256 + query_len * 2 + 64 * sorted.len());
    canonical.push_str(req.method);
    canonical.push_str("\n/\n");
    canonical_query_into(req.query, &mut canonical);
    canonical.push('\n');
    for (name, value) in &sorted {
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(value.trim());
        canonical.push('\n');
    }
    canonical.push('\n');
    let signed_start = canonical.len();
    for (i, (name, _)) in sorted.iter().enumerate() {
        if i > 0 {
            canonical.push(';');
        }
        canonical.push_str(name);
    }
    let signed_headers = canonical[signed_start..].to_owned();
    canonical.push('\n');
    canonical.push_str(&payload_hash);

    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + 65);
    string_to_sign.push_str(ALGORITHM);
    string_to_sign.push('\n');
    string_to_sign.push_str(&hex_lower(
        digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref(),
    ));

    let key = hmac::Key::new(hmac::HMAC_SHA256, creds.access_key_secret().as_bytes());
    let signature = hex_lower(hmac::sign(&key, string_to_sign.as_bytes()).as_ref());

    let mut authorization = String::with_capacity(
        ALGORITHM.len() + signed_headers.len() + creds.access_key_id().len() + 100,
    );
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(creds.access_key_id());
    authorization.push_str(",SignedHeaders=");
    authorization.push_str(&signed_headers);
    authorization.push_str(",Signature=");
    authorization.push_str(&signature);
    headers.push(("Authorization", authorization));

    let signed = SignedRequest {
        path_and_query: wire_path_and_query(req.query),
        headers,
        body,
    };
    let artefacts = Artefacts {
        canonical_request: canonical,
        string_to_sign,
        signed_headers,
        signature,
    };
    (signed, artefacts)
}

/// Sorted by key (bytes), `key=value` with both RFC 3986 encoded, joined by `&`. The SDK leaves
/// keys unencoded; KMS parameter names are `[A-Za-z0-9.]`, for which encoding changes nothing,
/// and encoding them keeps the string unambiguous for any input.
pub fn canonical_query_into(query: &[(String, String)], out: &mut String) {
    let mut refs: Vec<&(String, String)> = query.iter().collect();
    refs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (i, (k, v)) in refs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        rfc3986_into(k, out);
        out.push('=');
        rfc3986_into(v, out);
    }
}

/// `/` or `/?k=v&...` with form encoding, in the given order (the SDK's `urlencode`).
pub fn wire_path_and_query(query: &[(String, String)]) -> String {
    if query.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::with_capacity(
        2 + query
            .iter()
            .map(|(k, v)| k.len() + v.len() * 2 + 2)
            .sum::<usize>(),
    );
    out.push_str("/?");
    super::encode::form_pairs_into(
        query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &mut out,
    );
    out
}
