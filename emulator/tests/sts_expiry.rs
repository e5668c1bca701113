//! Temporary credentials on the KMS listener: accepted with their token (ACS3 header, RPC V1
//! parameter) until Expiration, refused after it with InvalidSecurityToken.Expired; wrong or
//! missing tokens refused; concurrent use; the lifetime knob; the binary's flags and ready line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sts_common;

use std::time::Duration;

use kmskit_emulator::EmulatorConfig;
use serde_json::Value;
use sts_common::*;

fn assert_kms_error(status: u16, v: &Value, want: u16, code: &str) {
    assert_eq!(
        (status, v["Code"].as_str().unwrap_or("")),
        (want, code),
        "{v}"
    );
    assert_eq!(v["HostId"], "kms.cn-hangzhou.aliyuncs.com");
    assert!(v["RequestId"].is_string() && v["Message"].is_string());
}

/// Sleeps until the wall clock is past an `Expiration` (a deadline, not a timing assertion).
async fn wait_past(expiration: &str) {
    let t = chrono::NaiveDateTime::parse_from_str(expiration, "%Y-%m-%dT%H:%M:%SZ")
        .unwrap()
        .and_utc();
    let left = t - chrono::Utc::now();
    if let Ok(d) = left.to_std() {
        tokio::time::sleep(d + Duration::from_millis(50)).await;
    }
    assert!(chrono::Utc::now() > t);
}

fn short_lived() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.sts.credential_lifetime = Some(Duration::from_secs(2));
    config
}

#[tokio::test]
async fn accepted_until_expiry_then_refused() {
    let emu = start(short_lived()).await;
    let key_id = new_key(&emu).await;
    let (tmp, v) = assume(&emu, &[("DurationSeconds", "3600")]).await;
    let expiration = v["Credentials"]["Expiration"].as_str().unwrap().to_owned();
    let left = chrono::NaiveDateTime::parse_from_str(&expiration, "%Y-%m-%dT%H:%M:%SZ")
        .unwrap()
        .and_utc()
        - chrono::Utc::now();
    assert!(
        left <= chrono::Duration::seconds(3),
        "the knob overrides DurationSeconds: {expiration}"
    );

    let p = [("KeyId", key_id.as_str()), ("Plaintext", "aGVsbG8=")];
    let (s, enc) = kms_acs3(&emu, "Encrypt", &p, &tmp).await;
    assert_eq!(s, 200, "{enc}");
    let (s, r) = kms_rpc(&emu, "Encrypt", &p, &tmp).await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = kms_acs4(&emu, "Encrypt", &p, &tmp).await;
    assert_eq!(s, 200, "{r}");

    wait_past(&expiration).await;
    let (s, r) = kms_acs3(&emu, "Encrypt", &p, &tmp).await;
    assert_kms_error(s, &r, 400, "InvalidSecurityToken.Expired");
    let (s, r) = kms_acs4(&emu, "Encrypt", &p, &tmp).await;
    assert_kms_error(s, &r, 400, "InvalidSecurityToken.Expired");
    let blob = enc["CiphertextBlob"].as_str().unwrap();
    let (s, r) = kms_rpc(&emu, "Decrypt", &[("CiphertextBlob", blob)], &tmp).await;
    assert_kms_error(s, &r, 400, "InvalidSecurityToken.Expired");
    let (s, r) = sts_get(&emu, "GetCallerIdentity", &[], &tmp).await;
    assert_sts_error(s, &r, 400, "InvalidSecurityToken.Expired");
    // A fresh credential from STS works again.
    let (fresh, _) = assume(&emu, &[]).await;
    let (s, r) = kms_rpc(&emu, "Decrypt", &[("CiphertextBlob", blob)], &fresh).await;
    assert_eq!((s, r["Plaintext"].as_str()), (200, Some("aGVsbG8=")), "{r}");
}

#[tokio::test]
async fn wrong_or_missing_tokens() {
    let emu = start(EmulatorConfig::default()).await;
    let (tmp, _) = assume(&emu, &[]).await;
    let (other, _) = assume(&emu, &[]).await;
    let p = [("PasswordLength", "16")];
    let (s, r) = kms_acs3(&emu, "GetRandomPassword", &p, &tmp).await;
    assert_eq!(s, 200, "{r}");
    let mut no_token = tmp.clone();
    no_token.token = None;
    let (s, r) = kms_acs3(&emu, "GetRandomPassword", &p, &no_token).await;
    assert_kms_error(s, &r, 400, "MissingSecurityToken");
    let (s, r) = kms_rpc(&emu, "GetRandomPassword", &p, &no_token).await;
    assert_kms_error(s, &r, 400, "MissingSecurityToken");
    // Another credential's token does not fit this key.
    let mut swapped = tmp.clone();
    swapped.token = other.token.clone();
    let (s, r) = kms_acs3(&emu, "GetRandomPassword", &p, &swapped).await;
    assert_kms_error(s, &r, 400, "InvalidSecurityToken.MismatchWithAccessKey");
    let (s, r) = kms_rpc(&emu, "GetRandomPassword", &p, &swapped).await;
    assert_kms_error(s, &r, 400, "InvalidSecurityToken.MismatchWithAccessKey");
    let (s, r) = kms_acs4(&emu, "GetRandomPassword", &p, &swapped).await;
    assert_kms_error(s, &r, 400, "InvalidSecurityToken.MismatchWithAccessKey");
    let (s, r) = kms_acs4(&emu, "GetRandomPassword", &p, &tmp).await;
    assert_eq!(s, 200, "{r}");
    // A key STS never issued, and an issued key with the wrong secret.
    let forged = Key {
        id: "STS.NForgedKeyId000000000000000".into(),
        secret: tmp.secret.clone(),
        token: tmp.token.clone(),
    };
    let (s, r) = kms_acs3(&emu, "GetRandomPassword", &p, &forged).await;
    assert_kms_error(s, &r, 404, "InvalidAccessKeyId.NotFound");
    let mut bad_secret = tmp.clone();
    bad_secret.secret = other.secret.clone();
    let (s, r) = kms_acs3(&emu, "GetRandomPassword", &p, &bad_secret).await;
    assert_kms_error(s, &r, 400, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn concurrent_use_of_one_temporary_key() {
    let emu = std::sync::Arc::new(start(EmulatorConfig::default()).await);
    let key_id = new_key(&emu).await;
    let (tmp, _) = assume(&emu, &[]).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let (emu, tmp, key_id) = (emu.clone(), tmp.clone(), key_id.clone());
        tasks.spawn(async move {
            if i % 8 == 0 {
                // New credentials are issued while others are in use.
                assume(&emu, &[]).await;
            }
            kms_acs3(
                &emu,
                "Encrypt",
                &[("KeyId", &key_id), ("Plaintext", "aGk=")],
                &tmp,
            )
            .await
        });
    }
    while let Some(r) = tasks.join_next().await {
        let (s, v) = r.unwrap();
        assert_eq!(s, 200, "{v}");
    }
}

#[tokio::test]
async fn metadata_rotates_short_lived_credentials() {
    let emu = start(short_lived()).await;
    let url = format!(
        "{}/latest/meta-data/ram/security-credentials/{}",
        emu.metadata_endpoint(),
        emu.metadata_role_name()
    );
    let first: Value = http().get(&url).send().await.unwrap().json().await.unwrap();
    let old = Key::from_json(&first);
    assert_eq!(kms_acs3(&emu, "GetRandomPassword", &[], &old).await.0, 200);
    wait_past(first["Expiration"].as_str().unwrap()).await;
    let second: Value = http().get(&url).send().await.unwrap().json().await.unwrap();
    assert_ne!(second["AccessKeyId"], first["AccessKeyId"]);
    let (s, r) = kms_acs3(&emu, "GetRandomPassword", &[], &old).await;
    assert_kms_error(s, &r, 400, "InvalidSecurityToken.Expired");
    let (s, r) = kms_acs3(&emu, "GetRandomPassword", &[], &Key::from_json(&second)).await;
    assert_eq!(s, 200, "{r}");
}

#[tokio::test]
async fn binary_flags_and_ready_line() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, r#"{"keys":[{"kty":"RSA","kid":"k","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}"#).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kmskit-emulator"))
        .args([
            "--no-dedicated",
            "--sts-credential-lifetime",
            "2",
            "--sts-max-duration",
            "7200",
        ])
        .args(["--imds-v1-disabled", "--metadata-role", "BinRole"])
        .arg("--oidc-jwks")
        .arg(&jwks)
        .args(["--oidc-audience", "sts.aliyuncs.com"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    let sts = ready["sts_endpoint"].as_str().unwrap().to_owned();
    let md = ready["metadata_endpoint"].as_str().unwrap().to_owned();
    assert!(sts.starts_with("http://127.0.0.1:") && md.starts_with("http://127.0.0.1:"));
    assert_ne!(sts, md);
    assert_eq!(ready["metadata_role_name"], "BinRole");
    assert!(ready["endpoint"].is_string() && ready["admin_token"].is_string());
    let key = Key {
        id: ready["access_key_id"].as_str().unwrap().into(),
        secret: ready["access_key_secret"].as_str().unwrap().into(),
        token: None,
    };
    let p = [
        ("RoleArn", ROLE_ARN),
        ("RoleSessionName", "bin"),
        ("DurationSeconds", "7200"),
    ];
    let (s, v) = rpc_get(&sts, "AssumeRole", "2015-04-01", &p, &key).await;
    assert_eq!(s, 200, "{v}");
    let exp = chrono::NaiveDateTime::parse_from_str(
        v["Credentials"]["Expiration"].as_str().unwrap(),
        "%Y-%m-%dT%H:%M:%SZ",
    )
    .unwrap()
    .and_utc();
    assert!(exp - chrono::Utc::now() <= chrono::Duration::seconds(3));
    let resp = http()
        .get(format!("{md}/latest/meta-data/ram/security-credentials/"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401, "IMDSv1 disabled");
    child.kill().await.unwrap();
}
