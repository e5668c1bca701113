//! AssumeRoleWithOIDC's token check: an RS256 JWT verified against a JWKS the emulator was given
//! at start (no network fetch: tests hand in the key set they signed with), then the time claims
//! with a clock-skew allowance, the issuer and the audience.

use std::collections::BTreeMap;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use crate::error::KmsError;

/// One trusted OIDC identity provider, as configured at start.
#[derive(Debug, Clone, Default)]
pub struct OidcProviderConfig {
    /// `acs:ram::<account>:oidc-provider/<name>` this provider answers to; None: any well-formed
    /// provider ARN.
    pub provider_arn: Option<String>,
    /// Required `iss`; None: any issuer (the claim must still be present).
    pub issuer: Option<String>,
    /// Accepted `aud` values (one must match); empty: any audience.
    pub audiences: Vec<String>,
    /// The JWKS document (`{"keys":[{"kty":"RSA","kid":…,"n":…,"e":…}]}`), JSON text.
    pub jwks: String,
}

#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

/// A provider with its keys parsed.
#[derive(Debug, Clone)]
pub struct OidcProvider {
    pub config: OidcProviderConfig,
    keys: Vec<(Option<String>, RsaPublicKey)>,
}

fn b64url(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .ok()
}

impl OidcProvider {
    /// Parses the JWKS; non-RSA keys are skipped, a set without any RSA key is refused.
    pub fn new(config: OidcProviderConfig) -> Result<Self, String> {
        let jwks: Jwks =
            serde_json::from_str(&config.jwks).map_err(|e| format!("bad JWKS JSON: {e}"))?;
        let mut keys = Vec::new();
        for k in jwks.keys.into_iter().filter(|k| k.kty == "RSA") {
            let (Some(n), Some(e)) = (
                k.n.as_deref().and_then(b64url),
                k.e.as_deref().and_then(b64url),
            ) else {
                return Err("JWKS RSA key lacks n or e".into());
            };
            let key = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e))
                .map_err(|e| format!("bad JWKS RSA key: {e}"))?;
            keys.push((k.kid, key));
        }
        if keys.is_empty() {
            return Err("JWKS holds no RSA key".into());
        }
        Ok(OidcProvider { config, keys })
    }
}

/// What a verified token said, for `OIDCTokenInfo`.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub subject: String,
    pub issuer: String,
    pub audiences: Vec<String>,
    pub expires: DateTime<Utc>,
    pub issued: Option<DateTime<Utc>>,
}

pub fn malformed(why: &'static str) -> KmsError {
    KmsError::new(
        400,
        "InvalidParameter.OIDCToken",
        format!("The parameter OIDCToken is invalid: {why}."),
    )
}

fn refused(why: &'static str) -> KmsError {
    KmsError::new(
        400,
        "AuthenticationFail.OIDCToken.Invalid",
        format!("The OIDCToken is not valid: {why}."),
    )
}

fn expired() -> KmsError {
    KmsError::new(
        400,
        "AuthenticationFail.OIDCToken.Expired",
        "The OIDCToken is expired.",
    )
}

fn time_claim(claims: &BTreeMap<String, Value>, name: &str) -> Result<Option<i64>, KmsError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| malformed("a time claim is not a number")),
    }
}

/// Verifies the compact JWT: signature first (nothing unverified is trusted), then claims.
pub fn verify(
    provider: &OidcProvider,
    token: &str,
    now: DateTime<Utc>,
    skew: Duration,
) -> Result<TokenInfo, KmsError> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("not a compact JWT"));
    };
    let header: BTreeMap<String, Value> = b64url(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| malformed("bad header"))?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(malformed("alg must be RS256"));
    }
    let sig = b64url(s)
        .and_then(|b| Signature::try_from(b.as_slice()).ok())
        .ok_or_else(|| malformed("bad signature encoding"))?;
    let kid = header.get("kid").and_then(Value::as_str);
    let signed = format!("{h}.{p}");
    let verified = provider
        .keys
        .iter()
        .filter(|(k, _)| kid.is_none() || k.as_deref() == kid)
        .any(|(_, key)| {
            VerifyingKey::<Sha256>::new(key.clone())
                .verify(signed.as_bytes(), &sig)
                .is_ok()
        });
    if !verified {
        return Err(refused(
            "the signature does not verify with the provider's keys",
        ));
    }
    let claims: BTreeMap<String, Value> = b64url(p)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| malformed("bad payload"))?;
    let t = now.timestamp();
    let skew = skew.num_seconds();
    let exp = time_claim(&claims, "exp")?.ok_or_else(|| malformed("no exp claim"))?;
    if t > exp + skew {
        return Err(expired());
    }
    if time_claim(&claims, "nbf")?.is_some_and(|nbf| t + skew < nbf) {
        return Err(refused("not yet valid (nbf)"));
    }
    let iat = time_claim(&claims, "iat")?;
    if iat.is_some_and(|iat| t + skew < iat) {
        return Err(refused("issued in the future (iat)"));
    }
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("no iss claim"))?
        .to_owned();
    if provider
        .config
        .issuer
        .as_ref()
        .is_some_and(|want| *want != issuer)
    {
        return Err(refused("issuer mismatch"));
    }
    let audiences: Vec<String> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let wanted = &provider.config.audiences;
    if !wanted.is_empty() && !audiences.iter().any(|a| wanted.contains(a)) {
        return Err(refused("audience mismatch"));
    }
    let at = |s: i64| DateTime::<Utc>::from_timestamp(s, 0).unwrap_or(now);
    Ok(TokenInfo {
        subject: claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        issuer,
        audiences,
        expires: at(exp),
        issued: iat.map(at),
    })
}
