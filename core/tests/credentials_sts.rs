//! STS providers on the wire: AssumeRole against the requests captured from the official Python
//! library (same bytes, same signature; RFC 3986 where Python's quote_plus is wrong), and
//! AssumeRoleWithOIDC as an unsigned POST form with the token file re-read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod credentials_common;
use credentials_common::*;
use kmskit::credentials::{
    sts_endpoint, Credentials, CredentialsProvider, Env, OidcRoleArnOptions, OidcRoleArnProvider,
    RamRoleArnOptions, RamRoleArnProvider, StaticProvider,
};
use kmskit::ErrorCode;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const COMPACT_POLICY: &str = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:bucket/*"}]}"#;

/// vectors: ram_role_arn_signatures step 1 (known answer rZbkWhYY06I7bKEN6CxMHsGjnw4=).
const COMPACT_TARGET: &str = "/?Action=AssumeRole&Format=JSON&Version=2015-04-01&DurationSeconds=3600&RoleArn=acs%3Aram%3A%3A1234567890123456%3Arole%2Ftest-role&RoleSessionName=session-compact&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Timestamp=2023-11-14T22%3A13%3A20Z&SignatureNonce=00000000-0000-4000-8000-000000000001&Policy=%7B%22Version%22%3A%221%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22oss%3AGetObject%22%2C%22Resource%22%3A%22acs%3Aoss%3A%2A%3A%2A%3Abucket%2F%2A%22%7D%5D%7D&ExternalId=abcd1234&AccessKeyId=LTAI5tTestAccessKeyId&Signature=rZbkWhYY06I7bKEN6CxMHsGjnw4%3D";

/// vectors: ram_role_arn_signatures step 2, everything but the signature, which Python computed
/// with quote_plus (BGx3PmDjDHxFEyn5CaGCVWe/140=). The POP-spec signature is vHogj+...
const SPACED_TARGET_PYTHON: &str = "/?Action=AssumeRole&Format=JSON&Version=2015-04-01&DurationSeconds=3600&RoleArn=acs%3Aram%3A%3A1234567890123456%3Arole%2Ftest-role&RoleSessionName=session+with+space&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Timestamp=2023-11-14T22%3A13%3A20Z&SignatureNonce=00000000-0000-4000-8000-000000000001&Policy=%7B%22Version%22%3A+%221%22%2C+%22Statement%22%3A+%5B%7B%22Effect%22%3A+%22Allow%22%2C+%22Action%22%3A+%22oss%3AGet%2A%22%2C+%22Resource%22%3A+%22%2A%22%7D%5D%7D&AccessKeyId=LTAI5tTestAccessKeyId&Signature=";

fn ak_source() -> Arc<dyn CredentialsProvider> {
    Arc::new(StaticProvider::new(
        Credentials::access_key(AK, SK).unwrap(),
    ))
}

fn no_env() -> Env {
    Env::from_map(Vec::<(String, String)>::new())
}

async fn sts_server() -> Server {
    Server::start(|_| (200, sts_answer(1, T0 + 3600))).await
}

#[tokio::test]
async fn assume_role_matches_the_official_wire_bytes_and_signature() {
    let server = sts_server().await;
    let clock = TestClock::new();
    let p = RamRoleArnProvider::with_env(
        ak_source(),
        RamRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            role_session_name: Some("session-compact".into()),
            policy: Some(COMPACT_POLICY.into()),
            external_id: Some("abcd1234".into()),
            sts_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    let c = p.credentials().await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].target, COMPACT_TARGET);
    assert_eq!(reqs[0].header("host"), Some(server.authority().as_str()));
    assert_eq!(c.access_key_id(), "STS.NAccessKeyId0001");
    assert_eq!(c.access_key_secret(), "AccessKeySecret0001");
    assert_eq!(c.security_token(), Some("CAISSTSSecurityToken0001"));
    assert_eq!(
        c.expiration(),
        Some(UNIX_EPOCH + Duration::from_secs(T0 + 3600))
    );
    assert_eq!(c.provider_name(), "ram_role_arn/static_ak");
}

#[tokio::test]
async fn spaces_are_signed_per_rfc3986_not_quote_plus() {
    let server = sts_server().await;
    let clock = TestClock::new();
    let p = RamRoleArnProvider::with_env(
        ak_source(),
        RamRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            role_session_name: Some("session with space".into()),
            policy: Some(r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:Get*", "Resource": "*"}]}"#.into()),
            sts_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    p.credentials().await.unwrap();
    let req = &server.requests()[0];
    // The wire form is the Python library's byte for byte (space as '+', '*' as %2A)...
    let (unsigned, sig) = req
        .target
        .split_at(req.target.find("&Signature=").unwrap() + 11);
    assert_eq!(unsigned, SPACED_TARGET_PYTHON);
    // ...but the signature is the spec's (with this nonce; the vector's nonce was ...0002).
    assert_ne!(sig, "BGx3PmDjDHxFEyn5CaGCVWe%2F140%3D");
    let q = req.query();
    let sent = &q.iter().find(|(k, _)| k == "Signature").unwrap().1;
    assert_eq!(sent, &spec_signature("GET", &q, SK));

    // The vector's own nonce gives the vector's POP-spec answer.
    let mut q2 = q.clone();
    for (k, v) in q2.iter_mut() {
        if k == "SignatureNonce" {
            *v = "00000000-0000-4000-8000-000000000002".into();
        }
    }
    assert_eq!(
        spec_signature("GET", &q2, SK),
        "vHogj+Cie4iTMa7o5/LdFnDKogI="
    );
}

#[tokio::test]
async fn sts_source_adds_security_token_after_access_key_id() {
    let server = sts_server().await;
    let clock = TestClock::new();
    let source: Arc<dyn CredentialsProvider> = Arc::new(StaticProvider::new(
        Credentials::sts(
            "STS.NSourceStsKeyId",
            "SourceStsSecret",
            "CAISourceSecurityToken",
            None,
        )
        .unwrap(),
    ));
    let p = RamRoleArnProvider::with_env(
        source,
        RamRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            role_session_name: Some("chained".into()),
            sts_endpoint: Some(server.url.clone()),
            duration_seconds: Some(900),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    let c = p.credentials().await.unwrap();
    assert_eq!(c.provider_name(), "ram_role_arn/static_sts");
    let q = server.requests()[0].query();
    let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "Action",
            "Format",
            "Version",
            "DurationSeconds",
            "RoleArn",
            "RoleSessionName",
            "SignatureMethod",
            "SignatureVersion",
            "Timestamp",
            "SignatureNonce",
            "AccessKeyId",
            "SecurityToken",
            "Signature"
        ]
    );
    assert_eq!(q[3].1, "900");
    assert_eq!(q[11].1, "CAISourceSecurityToken");
    assert_eq!(q[12].1, spec_signature("GET", &q, "SourceStsSecret"));
}

#[tokio::test]
async fn default_session_name_and_env_fallbacks() {
    let server = sts_server().await;
    let clock = TestClock::new();
    let env = Env::from_map([
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
        ("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou"),
    ]);
    let p = RamRoleArnProvider::with_env(
        ak_source(),
        RamRoleArnOptions {
            sts_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &env,
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    p.credentials().await.unwrap();
    let q = server.requests()[0].query();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("RoleArn").as_deref(), Some(ROLE_ARN));
    assert_eq!(
        get("RoleSessionName"),
        Some(format!("kmskit-{}", T0 * 1000))
    );
    assert_eq!(get("DurationSeconds").as_deref(), Some("3600"));
}

#[test]
fn endpoint_rules() {
    assert_eq!(sts_endpoint(None, None, false), "https://sts.aliyuncs.com");
    assert_eq!(sts_endpoint(None, None, true), "https://sts.aliyuncs.com");
    assert_eq!(
        sts_endpoint(None, Some("cn-hangzhou"), false),
        "https://sts.cn-hangzhou.aliyuncs.com"
    );
    assert_eq!(
        sts_endpoint(None, Some("cn-hangzhou"), true),
        "https://sts-vpc.cn-hangzhou.aliyuncs.com"
    );
    assert_eq!(
        sts_endpoint(Some("sts.example.com:8443"), Some("x"), true),
        "https://sts.example.com:8443"
    );
    assert_eq!(
        sts_endpoint(Some("http://127.0.0.1:9"), None, false),
        "http://127.0.0.1:9"
    );
}

#[test]
fn invalid_options_are_refused() {
    let e = RamRoleArnProvider::with_env(
        ak_source(),
        RamRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            duration_seconds: Some(899),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfiguration);
    let e = RamRoleArnProvider::with_env(ak_source(), RamRoleArnOptions::default(), &no_env())
        .unwrap_err();
    assert!(e.message().contains("ALIBABA_CLOUD_ROLE_ARN"), "{e}");
    assert!(OidcRoleArnProvider::with_env(OidcRoleArnOptions::default(), &no_env()).is_err());
}

#[tokio::test]
async fn sts_errors_are_credentials_errors_without_secrets() {
    let server = Server::start(|_| {
        (
            403,
            r#"{"RequestId":"R-1","HostId":"sts.aliyuncs.com","Code":"NoPermission","Message":"You are not authorized"}"#.into(),
        )
    })
    .await;
    let clock = TestClock::new();
    let p = RamRoleArnProvider::with_env(
        ak_source(),
        RamRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            sts_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    let e = p.credentials().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsUnavailable);
    assert_eq!(e.service_code(), Some("NoPermission"));
    assert_eq!(e.request_id(), Some("R-1"));
    assert_eq!(e.http_status(), Some(403));
    let text = format!("{e} {e:?}");
    assert!(!text.contains(SK), "{text}");
    // 403 is not transient: one request only.
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn transient_sts_failure_is_retried_once_within_a_fetch() {
    let server = Server::start(|_| (503, r#"{"Code":"ServiceUnavailable"}"#.into())).await;
    let clock = TestClock::new();
    let p = RamRoleArnProvider::with_env(
        ak_source(),
        RamRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            sts_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    assert!(p.credentials().await.is_err());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    // Each attempt is signed anew.
    assert_ne!(reqs[0].target, reqs[1].target);
}

#[tokio::test]
async fn oidc_is_an_unsigned_post_form_and_rereads_the_token() {
    let server = Server::start(|_| (200, sts_answer(1, T0 + 3600))).await;
    let dir = TempDir::new();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "jwt-one\n").unwrap();
    let clock = TestClock::new();
    let p = OidcRoleArnProvider::with_env(
        OidcRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            oidc_provider_arn: Some(OIDC_PROVIDER_ARN.into()),
            oidc_token_file: Some(token_file.display().to_string()),
            role_session_name: Some("oidc-session".into()),
            policy: Some(COMPACT_POLICY.into()),
            sts_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    let c = p.credentials().await.unwrap();
    assert_eq!(c.provider_name(), "oidc_role_arn");
    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.target,
        "/?Version=2015-04-01&Action=AssumeRoleWithOIDC&Format=JSON&Timestamp=2023-11-14T22%3A13%3A20Z"
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = r.form();
    let names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "RoleArn",
            "OIDCProviderArn",
            "OIDCToken",
            "Policy",
            "RoleSessionName",
            "DurationSeconds"
        ]
    );
    assert_eq!(form[2].1, "jwt-one");
    assert!(!r.target.contains("Signature") && !r.body.contains("Signature"));

    // Rotated on disk; not used while the credential is fresh...
    std::fs::write(&token_file, "jwt-two").unwrap();
    clock.set(T0 + 1800);
    p.credentials().await.unwrap();
    assert_eq!(server.count(), 1);
    // ...and picked up by the next refresh.
    server.set_handler(|_| (200, sts_answer(2, T0 + 2 * 3600)));
    clock.set(T0 + 3600 - 60);
    let c = p.credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "STS.NAccessKeyId0002");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].form()[2].1, "jwt-two");
}

#[tokio::test]
async fn oidc_missing_token_file_is_a_credentials_error() {
    let clock = TestClock::new();
    let p = OidcRoleArnProvider::with_env(
        OidcRoleArnOptions {
            role_arn: Some(ROLE_ARN.into()),
            oidc_provider_arn: Some(OIDC_PROVIDER_ARN.into()),
            oidc_token_file: Some("/nonexistent/kmskit/token".into()),
            sts_endpoint: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        },
        &no_env(),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    let e = p.credentials().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsUnavailable);
    assert!(e.message().contains("/nonexistent/kmskit/token"), "{e}");
}
