//! The refresh cache under load and outages, with an exact clock: one STS request for 1,000
//! concurrent callers, credentials served until their real expiry while STS is down, the
//! metadata service's bounded static stability, and the user's async closure provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod credentials_common;
use credentials_common::*;
use kmskit::credentials::{
    Credentials, CredentialsProvider, EcsRamRoleOptions, EcsRamRoleProvider, Env, FnProvider,
    RamRoleArnOptions, RamRoleArnProvider, StaticProvider, MAX_EXTENSION,
};
use kmskit::{ErrorCode, ErrorKind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn role(server: &Server, clock: &Arc<TestClock>) -> Arc<RamRoleArnProvider> {
    Arc::new(
        RamRoleArnProvider::with_env(
            Arc::new(StaticProvider::new(
                Credentials::access_key(AK, SK).unwrap(),
            )),
            RamRoleArnOptions {
                role_arn: Some(ROLE_ARN.into()),
                role_session_name: Some("s".into()),
                sts_endpoint: Some(server.url.clone()),
                ..Default::default()
            },
            &Env::from_map(Vec::<(String, String)>::new()),
        )
        .unwrap()
        .with_hooks(hooks(clock)),
    )
}

async fn hammer(p: Arc<RamRoleArnProvider>, n: usize) -> Vec<kmskit::Result<Credentials>> {
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        let p = p.clone();
        tasks.push(tokio::spawn(async move { p.credentials().await }));
    }
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_callers_across_an_expiry_cause_one_sts_request() {
    let n = Arc::new(AtomicU32::new(0));
    let n2 = n.clone();
    let server = Server::start(move |_| {
        let i = n2.fetch_add(1, Ordering::SeqCst) + 1;
        (200, sts_answer(i, T0 + 3600 * u64::from(i)))
    })
    .await;
    server.set_delay(Duration::from_millis(100));
    let clock = TestClock::new();
    let p = role(&server, &clock);

    // Empty cache: 1,000 callers, one request.
    let all = hammer(p.clone(), 1000).await;
    assert_eq!(server.count(), 1);
    assert!(all
        .iter()
        .all(|r| r.as_ref().unwrap().access_key_id() == "STS.NAccessKeyId0001"));

    // Past the expiry: again one request, every caller gets the new credential.
    clock.set(T0 + 3600 + 1);
    let all = hammer(p.clone(), 1000).await;
    assert_eq!(server.count(), 2);
    assert!(all
        .iter()
        .all(|r| r.as_ref().unwrap().access_key_id() == "STS.NAccessKeyId0002"));

    // In the refresh window (15 min before expiry): one caller refreshes, the others are served
    // the still-valid credential at once; one request.
    clock.set(T0 + 2 * 3600 - 600);
    let all = hammer(p.clone(), 1000).await;
    assert_eq!(server.count(), 3);
    for r in &all {
        let id = r.as_ref().unwrap().access_key_id().to_owned();
        assert!(
            id == "STS.NAccessKeyId0002" || id == "STS.NAccessKeyId0003",
            "{id}"
        );
    }
    assert_eq!(
        p.credentials().await.unwrap().access_key_id(),
        "STS.NAccessKeyId0003"
    );
}

#[tokio::test]
async fn refresh_window_is_min_15_minutes_or_half_the_lifetime() {
    let server = Server::start(|_| (200, sts_answer(1, T0 + 3600))).await;
    let clock = TestClock::new();
    let p = role(&server, &clock);
    p.credentials().await.unwrap();
    clock.set(T0 + 3600 - 901);
    p.credentials().await.unwrap();
    assert_eq!(server.count(), 1, "not yet in the window");
    clock.set(T0 + 3600 - 900);
    p.credentials().await.unwrap();
    assert_eq!(
        server.count(),
        2,
        "window opens 15 min before expiry (jitter 0)"
    );

    // DurationSeconds=900: the window is half the lifetime, not every call (official bug).
    let server = Server::start(|_| (200, sts_answer(1, T0 + 900))).await;
    let clock = TestClock::new();
    let p = role(&server, &clock);
    for _ in 0..3 {
        p.credentials().await.unwrap();
    }
    assert_eq!(server.count(), 1);
    clock.set(T0 + 449);
    p.credentials().await.unwrap();
    assert_eq!(server.count(), 1);
    clock.set(T0 + 450);
    p.credentials().await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn sts_down_past_the_window_serves_until_the_real_expiry_then_fails() {
    let server = Server::start(|_| (200, sts_answer(1, T0 + 3600))).await;
    let clock = TestClock::new();
    let p = role(&server, &clock);
    p.credentials().await.unwrap();
    server.set_handler(|_| {
        (
            503,
            r#"{"Code":"ServiceUnavailable","Message":"down"}"#.into(),
        )
    });

    // From the window opening to just before expiry (less the 10 s margin): always served.
    let mut t = T0 + 3600 - 900;
    let mut steps = 0;
    while t < T0 + 3600 - 10 {
        steps += 1;
        clock.set(t);
        let c = p.credentials().await.unwrap();
        assert_eq!(c.access_key_id(), "STS.NAccessKeyId0001");
        // Many calls at the same instant do not hammer STS (backoff).
        let before = server.count();
        for _ in 0..20 {
            p.credentials().await.unwrap();
        }
        assert_eq!(server.count(), before);
        t += 37;
    }
    // Backoff is capped (60 s, times a jitter in [0.5, 1): 30 s here), so even after many
    // failures STS is tried again at each 37 s step, once per step (a fetch is 2 attempts).
    assert_eq!(server.count() - 1, 2 * steps);

    // At the expiry: a Credentials error, the STS error's details kept.
    clock.set(T0 + 3600 - 9);
    let e = p.credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert_eq!(e.code(), ErrorCode::CredentialsUnavailable);
    assert_eq!(e.service_code(), Some("ServiceUnavailable"));

    // STS back: the next call after the backoff recovers.
    server.set_handler(|_| (200, sts_answer(2, T0 + 7200)));
    clock.set(T0 + 3600 + 120);
    assert_eq!(
        p.credentials().await.unwrap().access_key_id(),
        "STS.NAccessKeyId0002"
    );
}

#[tokio::test]
async fn ecs_outage_serves_the_last_credential_for_a_bounded_time() {
    let server = Server::start(|r| match r.method.as_str() {
        "PUT" => (200, "token-1".into()),
        _ if r.path().ends_with('/') => (200, "EcsRole".into()),
        _ => (200, imds_answer(1, T0 + 6 * 3600)),
    })
    .await;
    let clock = TestClock::new();
    let p = EcsRamRoleProvider::with_env(
        EcsRamRoleOptions {
            metadata_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &Env::from_map(Vec::<(String, String)>::new()),
    )
    .unwrap()
    .with_hooks(hooks(&clock));
    assert_eq!(
        p.credentials().await.unwrap().access_key_id(),
        "STS.NEcsKeyId0001"
    );
    server.set_handler(|_| (500, "oops".into()));

    // Past the expiry, the service down: served with an extension (5 min + jitter 0).
    let exp = T0 + 6 * 3600;
    clock.set(exp + 1);
    assert_eq!(
        p.credentials().await.unwrap().access_key_id(),
        "STS.NEcsKeyId0001"
    );
    clock.set(exp + 1 + 299);
    assert_eq!(
        p.credentials().await.unwrap().access_key_id(),
        "STS.NEcsKeyId0001"
    );
    // Extensions repeat while it stays down, but never beyond MAX_EXTENSION past expiry.
    let mut t = exp + 300;
    let mut last_ok = 0;
    while t < exp + MAX_EXTENSION.as_secs() + 600 {
        clock.set(t);
        if p.credentials().await.is_ok() {
            last_ok = t;
        }
        t += 60;
    }
    assert!(last_ok > exp + 1800, "extended repeatedly: {last_ok}");
    assert!(
        last_ok < exp + MAX_EXTENSION.as_secs(),
        "bounded: {last_ok}"
    );
    clock.set(exp + MAX_EXTENSION.as_secs() + 601);
    let e = p.credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);

    // The service back: fresh credentials.
    server.set_handler(|r| match r.method.as_str() {
        "PUT" => (200, "token-2".into()),
        _ if r.path().ends_with('/') => (200, "EcsRole".into()),
        _ => (200, imds_answer(2, T0 + 100 * 3600)),
    });
    clock.advance(Duration::from_secs(120));
    assert_eq!(
        p.credentials().await.unwrap().access_key_id(),
        "STS.NEcsKeyId0002"
    );
}

#[tokio::test]
async fn session_credentials_are_not_extended_past_expiry() {
    let server = Server::start(|_| (200, sts_answer(1, T0 + 3600))).await;
    let clock = TestClock::new();
    let p = role(&server, &clock);
    p.credentials().await.unwrap();
    server.set_handler(|_| (500, "{}".into()));
    clock.set(T0 + 3600 + 1);
    assert!(p.credentials().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fn_provider_is_single_flight_and_cached() {
    let calls = Arc::new(AtomicU32::new(0));
    let c2 = calls.clone();
    let clock = TestClock::new();
    let exp = std::time::UNIX_EPOCH + Duration::from_secs(T0 + 3600);
    let p = Arc::new(
        FnProvider::new(move || {
            let c2 = c2.clone();
            async move {
                c2.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Credentials::sts("STS.user", "secret", "token", Some(exp))
            }
        })
        .with_hooks(hooks(&clock)),
    );
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move { p.credentials().await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().access_key_id(), "STS.user");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    clock.set(T0 + 3600 - 60);
    p.credentials().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn fn_provider_errors_become_credentials_errors() {
    let clock = TestClock::new();
    let p = FnProvider::new(|| async { Err(kmskit::Error::invalid_argument("vault said no")) })
        .with_hooks(hooks(&clock));
    let e = p.credentials().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.message().contains("vault said no"));
}
