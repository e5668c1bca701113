//! AssumeRoleWithOIDC: anonymous GET (Python puts the JWT in the query) and POST form
//! (Go/Node/Java), the RS256 JWT checked against a JWKS generated here, time claims with skew,
//! issuer, audience, provider ARN; the credentials it issues work on the KMS listener.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sts_common;

use std::sync::OnceLock;

use base64::Engine;
use kmskit_emulator::sts::OidcProviderConfig;
use kmskit_emulator::{EmulatorConfig, RunningEmulator};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;
use sts_common::*;

const PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-test";
const ISSUER: &str = "https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1234";
const AUDIENCE: &str = "sts.aliyuncs.com";

/// Two keys: the provider's and a stranger's (generated once; RSA key generation is slow).
fn keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
    static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rand::rngs::OsRng;
        (
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
        )
    })
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn jwks() -> String {
    let public = keys().0.to_public_key();
    json!({"keys": [
        // A non-RSA key in the set is skipped.
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
         "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())},
    ]})
    .to_string()
}

fn jwt(key: &RsaPrivateKey, kid: &str, claims: Value) -> String {
    // An empty kid means none: the verifier then tries every key of the set.
    let mut header = json!({"alg": "RS256", "typ": "JWT"});
    if !kid.is_empty() {
        header["kid"] = json!(kid);
    }
    let header = b64(header.to_string().as_bytes());
    let payload = b64(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{payload}");
    let sig = SigningKey::<Sha256>::new(key.clone()).sign(signing_input.as_bytes());
    format!("{signing_input}.{}", b64(&sig.to_vec()))
}

fn claims(exp_in: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": ISSUER,
        "aud": [AUDIENCE],
        "sub": "system:serviceaccount:default:test",
        "iat": now - 10,
        "exp": now + exp_in,
    })
}

async fn emulator() -> RunningEmulator {
    let mut config = EmulatorConfig::default();
    config.sts.oidc.push(OidcProviderConfig {
        provider_arn: Some(PROVIDER_ARN.into()),
        issuer: Some(ISSUER.into()),
        audiences: vec![AUDIENCE.into()],
        jwks: jwks(),
    });
    start(config).await
}

fn oidc_params(token: &str) -> Vec<(String, String)> {
    [
        ("Action", "AssumeRoleWithOIDC"),
        ("Format", "JSON"),
        ("Version", "2015-04-01"),
        ("DurationSeconds", "3600"),
        ("RoleArn", ROLE_ARN),
        ("OIDCProviderArn", PROVIDER_ARN),
        ("OIDCToken", token),
        ("RoleSessionName", "credentials-python-1700000000"),
        ("Timestamp", &now_date()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// Python: one anonymous GET with everything (the token too) in the query.
async fn oidc_get(emu: &RunningEmulator, params: &[(String, String)]) -> (u16, Value) {
    let resp = http()
        .get(format!("{}/?{}", emu.sts_endpoint(), canonical(params)))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Java: POST with Action/Format/Version in the query, the rest in a form body.
async fn oidc_post(emu: &RunningEmulator, params: &[(String, String)]) -> (u16, Value) {
    let (query, body): (Vec<_>, Vec<_>) = params
        .iter()
        .cloned()
        .partition(|(k, _)| ["Action", "Format", "Version"].contains(&k.as_str()));
    let resp = http()
        .post(format!("{}/?{}", emu.sts_endpoint(), canonical(&query)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(canonical(&body))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn valid_token_get_and_post_and_credentials_work_on_kms() {
    let emu = emulator().await;
    let token = jwt(&keys().0, "k1", claims(600));
    let (s, v) = oidc_get(&emu, &oidc_params(&token)).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("STS."));
    assert_eq!(
        v["AssumedRoleUser"]["Arn"],
        "acs:ram::1234567890123456:assumed-role/test-role/credentials-python-1700000000"
    );
    let info = &v["OIDCTokenInfo"];
    assert_eq!(info["Subject"], "system:serviceaccount:default:test");
    assert_eq!(info["Issuer"], ISSUER);
    assert_eq!(info["ClientIds"], AUDIENCE);
    assert!(info["ExpirationTime"].as_str().unwrap().ends_with('Z'));

    let (s, v2) = oidc_post(&emu, &oidc_params(&token)).await;
    assert_eq!(s, 200, "{v2}");
    assert_ne!(
        v2["Credentials"]["AccessKeyId"],
        v["Credentials"]["AccessKeyId"]
    );

    // A single-string aud and no kid (every key tried) are fine too.
    let mut c = claims(600);
    c["aud"] = json!(AUDIENCE);
    let (s, v3) = oidc_get(&emu, &oidc_params(&jwt(&keys().0, "", c))).await;
    assert_eq!(s, 200, "{v3}");

    let key_id = new_key(&emu).await;
    let tmp = Key::from_json(&v2["Credentials"]);
    let (s, enc) = kms_acs3(
        &emu,
        "Encrypt",
        &[("KeyId", &key_id), ("Plaintext", "aGk=")],
        &tmp,
    )
    .await;
    assert_eq!(s, 200, "{enc}");
    let (s, v) = sts_get(&emu, "GetCallerIdentity", &[], &tmp).await;
    assert_eq!(
        (s, v["IdentityType"].as_str()),
        (200, Some("AssumedRoleUser")),
        "{v}"
    );
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let emu = emulator().await;
    let (good, stranger) = keys();
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(String, u16, &str)> = vec![
        // Expired beyond the 60 s skew; inside the skew is still fine (checked below).
        (
            jwt(good, "k1", claims(-120)),
            400,
            "AuthenticationFail.OIDCToken.Expired",
        ),
        (
            jwt(stranger, "k1", claims(600)),
            400,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            jwt(stranger, "", claims(600)),
            400,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            jwt(good, "other-kid", claims(600)),
            400,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            {
                let mut c = claims(600);
                c["aud"] = json!(["someone-else"]);
                jwt(good, "k1", c)
            },
            400,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            {
                let mut c = claims(600);
                c["iss"] = json!("https://evil.example");
                jwt(good, "k1", c)
            },
            400,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            {
                let mut c = claims(600);
                c["nbf"] = json!(now + 600);
                jwt(good, "k1", c)
            },
            400,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            {
                let mut c = claims(600);
                c.as_object_mut().unwrap().remove("exp");
                jwt(good, "k1", c)
            },
            400,
            "InvalidParameter.OIDCToken",
        ),
        (
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig-one".into(),
            400,
            "InvalidParameter.OIDCToken",
        ),
        ("not-a-jwt".into(), 400, "InvalidParameter.OIDCToken"),
    ];
    for (token, status, code) in cases {
        let (s, v) = oidc_get(&emu, &oidc_params(&token)).await;
        assert_sts_error(s, &v, status, code);
    }
    // A tampered payload fails the signature.
    let token = jwt(good, "k1", claims(600));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut c = claims(600);
    c["sub"] = json!("system:serviceaccount:kube-system:admin");
    parts[1] = b64(c.to_string().as_bytes());
    let (s, v) = oidc_post(&emu, &oidc_params(&parts.join("."))).await;
    assert_sts_error(s, &v, 400, "AuthenticationFail.OIDCToken.Invalid");
    // Inside the skew allowance.
    let (s, v) = oidc_get(&emu, &oidc_params(&jwt(good, "k1", claims(-30)))).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn provider_and_parameters() {
    let emu = emulator().await;
    let token = jwt(&keys().0, "k1", claims(600));
    let with = |k: &str, v: &str| {
        let mut p = oidc_params(&token);
        p.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            p.push((k.to_owned(), v.to_owned()));
        }
        p
    };
    let (s, v) = oidc_get(
        &emu,
        &with(
            "OIDCProviderArn",
            "acs:ram::1234567890123456:oidc-provider/other",
        ),
    )
    .await;
    assert_sts_error(s, &v, 404, "EntityNotExist.OIDCProvider");
    let (s, v) = oidc_get(&emu, &with("OIDCProviderArn", "acs:ram::1:role/x")).await;
    assert_sts_error(s, &v, 400, "InvalidParameter.OIDCProviderArn");
    let (s, v) = oidc_get(&emu, &with("OIDCToken", "")).await;
    assert_sts_error(s, &v, 400, "MissingParameter");
    let (s, v) = oidc_get(&emu, &with("DurationSeconds", "100")).await;
    assert_sts_error(s, &v, 400, "InvalidParameter.DurationSeconds");
    let (s, v) = oidc_get(&emu, &with("RoleArn", "acs:ram::1:user/x")).await;
    assert_sts_error(s, &v, 400, "InvalidParameter.RoleArn");
    // RoleSessionName is optional here.
    let (s, v) = oidc_post(&emu, &with("RoleSessionName", "")).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = oidc_get(&emu, &with("Version", "2016-01-20")).await;
    assert_sts_error(s, &v, 400, "InvalidVersion");

    // Without any provider configured every OIDC call is refused.
    let bare = start(EmulatorConfig::default()).await;
    let (s, v) = oidc_get(&bare, &oidc_params(&token)).await;
    assert_sts_error(s, &v, 404, "EntityNotExist.OIDCProvider");
}

#[tokio::test]
async fn a_bad_jwks_fails_start() {
    let mut config = EmulatorConfig::default();
    config.sts.oidc.push(OidcProviderConfig {
        jwks: r#"{"keys":[]}"#.into(),
        ..Default::default()
    });
    let err = kmskit_emulator::Emulator::start(config)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("no RSA key"), "{err}");
}
