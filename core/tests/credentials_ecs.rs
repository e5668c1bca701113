//! The ECS RAM role provider against a fake metadata service: IMDSv2 with the token cached for
//! its TTL, role discovery, the v1 fallbacks and ALIBABA_CLOUD_IMDSV1_DISABLED.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod credentials_common;
use credentials_common::*;
use kmskit::credentials::{CredentialsProvider, EcsRamRoleOptions, EcsRamRoleProvider, Env};
use kmskit::ErrorCode;
use std::sync::Arc;

fn imds(put_status: u16) -> impl Fn(&Req) -> (u16, String) + Send + Sync + 'static {
    move |r: &Req| match (r.method.as_str(), r.path()) {
        ("PUT", "/latest/api/token") => (put_status, "AQAEAImdsV2TokenForTest0001==".into()),
        ("GET", "/latest/meta-data/ram/security-credentials/") => (200, "EcsRamRoleTest\n".into()),
        ("GET", "/latest/meta-data/ram/security-credentials/EcsRamRoleTest") => {
            (200, imds_answer(1, T0 + 6 * 3600))
        }
        _ => (404, "".into()),
    }
}

fn provider(server: &Server, clock: &Arc<TestClock>, env: &[(&str, &str)]) -> EcsRamRoleProvider {
    EcsRamRoleProvider::with_env(
        EcsRamRoleOptions {
            metadata_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &Env::from_map(env.iter().copied()),
    )
    .unwrap()
    .with_hooks(hooks(clock))
}

#[tokio::test]
async fn imdsv2_with_discovery_and_a_cached_token() {
    let server = Server::start(imds(200)).await;
    let clock = TestClock::new();
    let p = provider(&server, &clock, &[]);
    let c = p.credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "STS.NEcsKeyId0001");
    assert_eq!(c.access_key_secret(), "EcsSecret0001");
    assert_eq!(c.security_token(), Some("CAISEcsToken0001"));
    assert_eq!(c.provider_name(), "ecs_ram_role");
    let reqs = server.requests();
    let lines: Vec<String> = reqs
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert_eq!(
        lines,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/ram/security-credentials/",
            "GET /latest/meta-data/ram/security-credentials/EcsRamRoleTest"
        ]
    );
    assert_eq!(
        reqs[0].header("x-aliyun-ecs-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(reqs[0].header("content-length"), Some("0"));
    assert_eq!(
        reqs[1].header("x-aliyun-ecs-metadata-token"),
        Some("AQAEAImdsV2TokenForTest0001==")
    );
    assert_eq!(
        reqs[2].header("x-aliyun-ecs-metadata-token"),
        Some("AQAEAImdsV2TokenForTest0001==")
    );
    assert_eq!(reqs[0].header("host"), Some(server.authority().as_str()));

    // Refresh (window opens 15 min before the 6 h expiry): the token is reused, no PUT.
    clock.set(T0 + 6 * 3600 - 900);
    p.credentials().await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 5);
    assert!(reqs[3..].iter().all(|r| r.method == "GET"));

    // After the token's TTL a new one is fetched.
    server.set_handler(|r| match r.method.as_str() {
        "PUT" => (200, "token-2".into()),
        _ if r.path().ends_with('/') => (200, "EcsRamRoleTest".into()),
        _ => (200, imds_answer(2, T0 + 12 * 3600)),
    });
    clock.set(T0 + 12 * 3600 - 900);
    p.credentials().await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[5].method, "PUT");
    assert_eq!(
        reqs.last().unwrap().header("x-aliyun-ecs-metadata-token"),
        Some("token-2")
    );
}

#[tokio::test]
async fn role_name_from_the_environment_skips_discovery() {
    let server = Server::start(imds(200)).await;
    let clock = TestClock::new();
    let p = provider(
        &server,
        &clock,
        &[("ALIBABA_CLOUD_ECS_METADATA", "EcsRamRoleTest")],
    );
    p.credentials().await.unwrap();
    let paths: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        paths,
        [
            "/latest/api/token",
            "/latest/meta-data/ram/security-credentials/EcsRamRoleTest"
        ]
    );
}

#[tokio::test]
async fn token_refused_falls_back_to_imdsv1() {
    let server = Server::start(imds(403)).await;
    let clock = TestClock::new();
    let p = provider(&server, &clock, &[]);
    assert_eq!(
        p.credentials().await.unwrap().access_key_id(),
        "STS.NEcsKeyId0001"
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs[1..]
        .iter()
        .all(|r| r.header("x-aliyun-ecs-metadata-token").is_none()));
}

#[tokio::test]
async fn imdsv1_disabled_makes_a_refused_token_fatal() {
    let server = Server::start(imds(403)).await;
    let clock = TestClock::new();
    let p = provider(
        &server,
        &clock,
        &[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")],
    );
    let e = p.credentials().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsUnavailable);
    assert!(e.message().contains("403"), "{e}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_refused_tokened_request_is_retried_without_the_token() {
    let server = Server::start(|r: &Req| {
        match (
            r.method.as_str(),
            r.header("x-aliyun-ecs-metadata-token").is_some(),
        ) {
            ("PUT", _) => (200, "tok".into()),
            (_, true) => (401, "".into()),
            _ if r.path().ends_with('/') => (200, "EcsRamRoleTest".into()),
            _ => (200, imds_answer(1, T0 + 3600)),
        }
    })
    .await;
    let clock = TestClock::new();
    let p = provider(&server, &clock, &[]);
    p.credentials().await.unwrap();
    let seq: Vec<(String, bool)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.header("x-aliyun-ecs-metadata-token").is_some(),
            )
        })
        .collect();
    assert_eq!(seq[0], ("PUT".to_owned(), false));
    assert_eq!(seq[1], ("GET".to_owned(), true));
    assert_eq!(seq[2], ("GET".to_owned(), false));
}

#[tokio::test]
async fn bad_answers_and_disabled_metadata() {
    let server = Server::start(|r: &Req| match r.method.as_str() {
        "PUT" => (200, "tok".into()),
        _ if r.path().ends_with('/') => (200, "R".into()),
        _ => (200, r#"{"Code":"Failed","AccessKeyId":"a"}"#.into()),
    })
    .await;
    let clock = TestClock::new();
    let e = provider(&server, &clock, &[])
        .credentials()
        .await
        .unwrap_err();
    assert!(e.message().contains("Success"), "{e}");

    let server = Server::start(|r: &Req| match r.method.as_str() {
        "PUT" => (200, "tok".into()),
        _ => (404, "".into()),
    })
    .await;
    let p = provider(
        &server,
        &clock,
        &[("ALIBABA_CLOUD_ECS_METADATA", "Missing")],
    );
    let e = p.credentials().await.unwrap_err();
    assert!(e.message().contains("not attached"), "{e}");

    let e = EcsRamRoleProvider::with_env(
        EcsRamRoleOptions::default(),
        &Env::from_map([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "TRUE")]),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsNotConfigured);
}

#[tokio::test]
async fn unreachable_service_is_retried_then_fails_fast_during_backoff() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let clock = TestClock::new();
    let p = EcsRamRoleProvider::with_env(
        EcsRamRoleOptions {
            metadata_endpoint: Some(url),
            ..Default::default()
        },
        &Env::from_map(Vec::<(String, String)>::new()),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    let e = p.credentials().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsUnavailable);
    let e2 = p.credentials().await.unwrap_err();
    assert_eq!(e, e2);
}
