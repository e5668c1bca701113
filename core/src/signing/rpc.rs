//! RPC V1 (HMAC-SHA1, `Signature` query parameter): the official SDK's `signature_algorithm =
//! "v2"` path and the protocol STS speaks. Unlike ACS3, body parameters are part of the string
//! to sign, and no header is signed.

use super::encode::{rfc3986, rfc3986_into};
use super::{RequestToSign, SignedRequest, SigningParams};
use base64::Engine as _;
use ring::hmac;

/// Query names this scheme owns; a caller's parameter must not reuse them.
pub const RESERVED: &[&str] = &[
    "Action",
    "Format",
    "Version",
    "Timestamp",
    "SignatureNonce",
    "SecurityToken",
    "SignatureMethod",
    "SignatureVersion",
    "AccessKeyId",
    "Signature",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artefacts {
    pub canonical_query: String,
    pub string_to_sign: String,
    pub signature: String,
}

pub fn sign(req: &RequestToSign<'_>, params: &SigningParams<'_>) -> SignedRequest {
    sign_with_artefacts(req, params).0
}

pub fn sign_with_artefacts(
    req: &RequestToSign<'_>,
    params: &SigningParams<'_>,
) -> (SignedRequest, Artefacts) {
    let creds = params.credentials;
    // Wire order of the official SDK: protocol params, caller params, then signature params.
    let mut query: Vec<(&str, &str)> = Vec::with_capacity(req.query.len() + 10);
    query.push(("Action", req.action));
    query.push(("Format", "json"));
    query.push(("Version", req.version));
    query.push(("Timestamp", params.timestamp));
    query.push(("SignatureNonce", params.nonce));
    for (k, v) in req.query {
        query.push((k, v));
    }
    if let Some(token) = creds.security_token() {
        query.push(("SecurityToken", token));
    }
    query.push(("SignatureMethod", "HMAC-SHA1"));
    query.push(("SignatureVersion", "1.0"));
    query.push(("AccessKeyId", creds.access_key_id()));

    let mut signed: Vec<(&str, &str)> = query.clone();
    if let Some(body) = req.body {
        signed.extend(body.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    let Artefacts {
        canonical_query: canonical,
        string_to_sign,
        signature,
    } = sign_pairs(req.method, signed, creds.access_key_secret());

    let mut path = String::with_capacity(512);
    path.push_str("/?");
    super::encode::form_pairs_into(
        query
            .iter()
            .copied()
            .chain(std::iter::once(("Signature", signature.as_str()))),
        &mut path,
    );

    // Header order of the official SDK: content-type comes before the provider name.
    let mut headers: Vec<(&'static str, String)> = Vec::with_capacity(8);
    headers.push(("host", req.host.to_owned()));
    headers.push(("x-acs-version", req.version.to_owned()));
    headers.push(("x-acs-action", req.action.to_owned()));
    headers.push(("user-agent", req.user_agent.to_owned()));
    let body = match req.body {
        Some(pairs) => {
            headers.push((
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            ));
            super::encode::form_pairs(pairs).into_bytes()
        }
        None => Vec::new(),
    };
    headers.push((
        "x-acs-credentials-provider",
        creds.provider_name().to_owned(),
    ));
    if let Some(retry) = req.retry {
        headers.push(("x-acs-retry-attempts", retry.attempts.to_string()));
        headers.push(("x-acs-retry-delay", retry.delay_ms.to_string()));
    }

    let artefacts = Artefacts {
        canonical_query: canonical,
        string_to_sign,
        signature,
    };
    (
        SignedRequest {
            path_and_query: path,
            headers,
            body,
        },
        artefacts,
    )
}

/// The RPC V1 signature over any parameter set (query and form body together, any order): sorted
/// by name, each name and value RFC 3986-encoded (space `%20`, `*` `%2A`, `~` kept — the POP
/// spec, not Python's `quote_plus`), keyed with `secret + "&"`. STS AssumeRole uses this with
/// its own wire order.
pub fn sign_pairs(method: &str, mut pairs: Vec<(&str, &str)>, secret: &str) -> Artefacts {
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut canonical = String::with_capacity(512);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            canonical.push('&');
        }
        rfc3986_into(k, &mut canonical);
        canonical.push('=');
        rfc3986_into(v, &mut canonical);
    }
    let mut string_to_sign = String::with_capacity(canonical.len() * 2);
    string_to_sign.push_str(method);
    string_to_sign.push_str("&%2F&");
    string_to_sign.push_str(&rfc3986(&canonical));

    let mut key_bytes = Vec::with_capacity(secret.len() + 1);
    key_bytes.extend_from_slice(secret.as_bytes());
    key_bytes.push(b'&');
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key_bytes);
    zeroize::Zeroize::zeroize(&mut key_bytes);
    let signature = base64::engine::general_purpose::STANDARD
        .encode(hmac::sign(&key, string_to_sign.as_bytes()).as_ref());
    Artefacts {
        canonical_query: canonical,
        string_to_sign,
        signature,
    }
}
