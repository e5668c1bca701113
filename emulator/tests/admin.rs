//! The admin API: fault injection (each kind, count vs ratio, action filter), stats, reset, auth.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{start, Sign};
use serde_json::json;

#[tokio::test]
async fn admin_needs_the_bearer_token() {
    let (_emu, kms) = start().await;
    for auth in [None, Some("Bearer wrong"), Some("Basic abc")] {
        let mut req = kms.http.get(format!("{}/_emulator/stats", kms.endpoint));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["Code"], "Unauthorized");
    }
    assert_eq!(kms.admin("GET", "/_emulator/stats", None).await.0, 200);
    assert_eq!(kms.admin("GET", "/_emulator/nope", None).await.0, 404);
    assert_eq!(
        kms.admin(
            "POST",
            "/_emulator/faults",
            Some(json!({"kind": "explode"}))
        )
        .await
        .0,
        400
    );
    assert_eq!(
        kms.admin(
            "POST",
            "/_emulator/faults",
            Some(json!({"kind": "error", "count": 1, "ratio": 0.5}))
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn throttling_with_count_and_retry_after() {
    let (_emu, kms) = start().await;
    let (s, v) = kms.admin("POST", "/_emulator/faults", Some(json!({"kind": "throttling", "action": "ListKeys", "count": 2, "retry_after_ms": 1000}))).await;
    assert_eq!(s, 200);
    assert!(v["id"].is_string());
    for _ in 0..2 {
        let (status, headers, body) = kms.send("ListKeys", &[], Sign::default()).await;
        assert_eq!((status, body["Code"].as_str()), (400, Some("Throttling")));
        assert_eq!(headers.get("x-acs-retry-after").unwrap(), "1000");
        common::assert_error_shape(&body);
    }
    kms.ok("ListKeys", &[]).await;
    let (_, stats) = kms.admin("GET", "/_emulator/stats", None).await;
    assert_eq!(stats["requests"]["ListKeys"], 3);
    kms.admin("DELETE", "/_emulator/stats", None).await;
    let (_, stats) = kms.admin("GET", "/_emulator/stats", None).await;
    assert_eq!(stats, json!({"requests": {}}));
}

#[tokio::test]
async fn error_faults_filter_by_action_and_ratio() {
    let (_emu, kms) = start().await;
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "error", "action": "Encrypt", "count": 1})),
    )
    .await;
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "error", "action": "Decrypt", "count": 1, "status": 500})),
    )
    .await;
    kms.admin("POST", "/_emulator/faults", Some(json!({"kind": "error", "action": "DescribeKey", "count": 1, "status": 502, "code": "BadGateway"}))).await;
    // Other actions are untouched.
    let id = kms.new_key("Aliyun_AES_256", None).await;
    assert_eq!(
        kms.err("Encrypt", &[("KeyId", &id), ("Plaintext", "aGk=")])
            .await,
        (503, "ServiceUnavailable".into())
    );
    let blob = kms
        .ok("Encrypt", &[("KeyId", &id), ("Plaintext", "aGk=")])
        .await["CiphertextBlob"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        kms.err("Decrypt", &[("CiphertextBlob", &blob)]).await,
        (500, "InternalFailure".into())
    );
    assert_eq!(
        kms.err("DescribeKey", &[("KeyId", &id)]).await,
        (502, "BadGateway".into())
    );
    kms.ok("Decrypt", &[("CiphertextBlob", &blob)]).await;

    // ratio 1.0 applies until cleared; ratio 0.0 never fires.
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "error", "action": "ListAliases", "ratio": 0.0})),
    )
    .await;
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "error", "action": "ListKeys", "ratio": 1.0})),
    )
    .await;
    for _ in 0..5 {
        assert_eq!(kms.err("ListKeys", &[]).await.0, 503);
        kms.ok("ListAliases", &[]).await;
    }
    // ratio 0.5 fires sometimes, not always.
    kms.admin("DELETE", "/_emulator/faults", None).await;
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "error", "ratio": 0.5})),
    )
    .await;
    let mut failures = 0;
    for _ in 0..60 {
        if kms.call("ListKeys", &[]).await.0 != 200 {
            failures += 1;
        }
    }
    assert!((5..=55).contains(&failures), "{failures}");
    kms.admin("DELETE", "/_emulator/faults", None).await;
    kms.ok("ListKeys", &[]).await;
}

#[tokio::test]
async fn delay_fault_waits_then_answers() {
    let (_emu, kms) = start().await;
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "delay", "count": 1, "delay_ms": 400})),
    )
    .await;
    let t = Instant::now();
    kms.ok("ListKeys", &[]).await;
    assert!(t.elapsed() >= Duration::from_millis(400));
    let t = Instant::now();
    kms.ok("ListKeys", &[]).await;
    assert!(t.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn drop_fault_closes_without_processing() {
    let (_emu, kms) = start().await;
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "drop", "action": "CreateKey", "count": 1})),
    )
    .await;
    let host = kms.endpoint.clone();
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let kms2 = common::Kms {
        http: client,
        endpoint: host,
        ak: kms.ak.clone(),
        secret: kms.secret.clone(),
        admin_token: kms.admin_token.clone(),
    };
    let result = tokio::spawn(async move { kms2.call("CreateKey", &[]).await }).await;
    assert!(
        result.is_err(),
        "a dropped connection must not produce a response"
    );
    assert_eq!(
        kms.ok("ListKeys", &[]).await["TotalCount"],
        0,
        "the dropped request was processed"
    );
    let (_, stats) = kms.admin("GET", "/_emulator/stats", None).await;
    assert_eq!(stats["requests"]["CreateKey"], 1);
    kms.new_key("Aliyun_AES_256", None).await;
}

#[tokio::test]
async fn reset_wipes_state_and_faults() {
    let (_emu, kms) = start().await;
    let id = kms.new_key("Aliyun_AES_256", None).await;
    kms.ok("CreateAlias", &[("AliasName", "alias/x"), ("KeyId", &id)])
        .await;
    kms.ok(
        "CreateSecret",
        &[("SecretName", "s"), ("SecretData", "d"), ("VersionId", "v")],
    )
    .await;
    kms.admin(
        "POST",
        "/_emulator/faults",
        Some(json!({"kind": "error", "action": "Encrypt", "ratio": 1.0})),
    )
    .await;
    assert_eq!(kms.admin("POST", "/_emulator/reset", None).await.0, 200);
    assert_eq!(kms.ok("ListKeys", &[]).await["TotalCount"], 0);
    assert_eq!(kms.ok("ListAliases", &[]).await["TotalCount"], 0);
    assert_eq!(kms.ok("ListSecrets", &[]).await["TotalCount"], 0);
    let id = kms.new_key("Aliyun_AES_256", None).await;
    kms.ok("Encrypt", &[("KeyId", &id), ("Plaintext", "aGk=")])
        .await;
    kms.ok(
        "CreateSecret",
        &[("SecretName", "s"), ("SecretData", "d"), ("VersionId", "v")],
    )
    .await;
}
