//! ECS instance metadata: the IMDSv2 token flow, its TTL bounds, invalid tokens, IMDSv1 allowed
//! or refused, role discovery, the role's credentials (stable until rotation, accepted by KMS),
//! and named faults for outage tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sts_common;

use kmskit_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::{json, Value};
use sts_common::*;

const TTL: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN: &str = "x-aliyun-ecs-metadata-token";
const CREDS: &str = "/latest/meta-data/ram/security-credentials/";

async fn put_token(emu: &RunningEmulator, ttl: &str) -> (u16, String) {
    let resp = http()
        .put(format!("{}/latest/api/token", emu.metadata_endpoint()))
        .header(TTL, ttl)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn get(emu: &RunningEmulator, path: &str, token: Option<&str>) -> (u16, String) {
    let mut req = http().get(format!("{}{path}", emu.metadata_endpoint()));
    if let Some(t) = token {
        req = req.header(TOKEN, t);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn imds_v2_flow_and_kms_accepts_the_credentials() {
    let emu = start(EmulatorConfig::default()).await;
    assert_eq!(emu.metadata_role_name(), "kmskit-emulator-role");
    let (s, token) = put_token(&emu, "21600").await;
    assert_eq!(s, 200);
    assert!(token.len() >= 32);
    let (s, role) = get(&emu, CREDS, Some(&token)).await;
    assert_eq!((s, role.as_str()), (200, "kmskit-emulator-role"));
    let (s, body) = get(&emu, &format!("{CREDS}{role}"), Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Code"], "Success");
    for k in [
        "AccessKeyId",
        "AccessKeySecret",
        "Expiration",
        "SecurityToken",
        "LastUpdated",
    ] {
        assert!(v[k].is_string(), "{k} missing: {v}");
    }
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("STS."));
    chrono::NaiveDateTime::parse_from_str(v["Expiration"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%SZ")
        .unwrap();
    // The same credential until it is due for rotation.
    let (_, again) = get(&emu, &format!("{CREDS}{role}"), Some(&token)).await;
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["AccessKeyId"], v["AccessKeyId"]);

    let key_id = new_key(&emu).await;
    let tmp = Key::from_json(&v);
    let (s, r) = kms_acs3(
        &emu,
        "Encrypt",
        &[("KeyId", &key_id), ("Plaintext", "aGk=")],
        &tmp,
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = kms_rpc(&emu, "GenerateDataKey", &[("KeyId", &key_id)], &tmp).await;
    assert_eq!(s, 200, "{r}");

    let (s, _) = get(&emu, &format!("{CREDS}no-such-role"), Some(&token)).await;
    assert_eq!(s, 404);
    let (s, _) = get(&emu, "/latest/meta-data/instance-id", Some(&token)).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn token_rules() {
    let emu = start(EmulatorConfig::default()).await;
    for ttl in ["0", "21601", "-5", "abc"] {
        assert_eq!(put_token(&emu, ttl).await.0, 400, "ttl {ttl}");
    }
    let resp = http()
        .put(format!("{}/latest/api/token", emu.metadata_endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400, "no TTL header");
    let resp = http()
        .put(format!("{}/latest/api/token", emu.metadata_endpoint()))
        .header(TTL, "60")
        .header("x-forwarded-for", "10.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403, "proxied token request");
    let resp = http()
        .get(format!("{}/latest/api/token", emu.metadata_endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(put_token(&emu, "1").await.0, 200);
    // A token that was never issued is refused even though v1 is allowed.
    assert_eq!(get(&emu, CREDS, Some("forged")).await.0, 401);
    // A token past its TTL is refused: wait until it has expired, then use it.
    let (_, short) = put_token(&emu, "1").await;
    assert_eq!(get(&emu, CREDS, Some(&short)).await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(get(&emu, CREDS, Some(&short)).await.0, 401);
    // IMDSv1 (no token) is allowed by default.
    let (s, role) = get(&emu, CREDS, None).await;
    assert_eq!((s, role.as_str()), (200, "kmskit-emulator-role"));
    assert_eq!(get(&emu, &format!("{CREDS}{role}"), None).await.0, 200);
}

#[tokio::test]
async fn imds_v1_refused_when_disabled_and_role_configurable() {
    let mut config = EmulatorConfig::default();
    config.metadata.allow_v1 = false;
    config.metadata.role_name = "EcsRamRoleTest".into();
    let emu = start(config).await;
    assert_eq!(get(&emu, CREDS, None).await.0, 401);
    assert_eq!(
        get(&emu, &format!("{CREDS}EcsRamRoleTest"), None).await.0,
        401
    );
    let (_, token) = put_token(&emu, "300").await;
    let (s, role) = get(&emu, CREDS, Some(&token)).await;
    assert_eq!((s, role.as_str()), (200, "EcsRamRoleTest"));
    assert_eq!(
        get(&emu, &format!("{CREDS}EcsRamRoleTest"), Some(&token))
            .await
            .0,
        200
    );
    assert_eq!(emu.ready_line()["metadata_role_name"], "EcsRamRoleTest");
}

#[tokio::test]
async fn named_faults_take_metadata_down() {
    let emu = start(EmulatorConfig::default()).await;
    let admin = |body: Value| {
        let emu = &emu;
        async move {
            let resp = http()
                .post(format!("{}/_emulator/faults", emu.endpoint()))
                .bearer_auth(emu.admin_token())
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 200);
        }
    };
    admin(json!({"kind": "error", "action": "ImdsCredentials", "status": 500, "count": 1})).await;
    admin(json!({"kind": "error", "action": "ImdsToken", "status": 403, "count": 1})).await;
    assert_eq!(put_token(&emu, "60").await.0, 403);
    let (_, token) = put_token(&emu, "60").await;
    let path = format!("{CREDS}kmskit-emulator-role");
    assert_eq!(get(&emu, &path, Some(&token)).await.0, 500);
    assert_eq!(get(&emu, &path, Some(&token)).await.0, 200);
    let stats: Value = http()
        .get(format!("{}/_emulator/stats", emu.endpoint()))
        .bearer_auth(emu.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"]["ImdsToken"], 2);
    assert_eq!(stats["requests"]["ImdsCredentials"], 2);
}
