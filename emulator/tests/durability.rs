//! The binary: ready line, `kill -9` durability on a data dir, at-rest encryption, clean SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::Kms;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_kmskit-emulator");

fn spawn(dir: &Path) -> (Child, Value) {
    let mut child = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: Value =
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("ready line is not JSON: {line:?}"));
    (child, ready)
}

fn client(ready: &Value) -> Kms {
    Kms::new(
        ready["endpoint"].as_str().unwrap(),
        ready["access_key_id"].as_str().unwrap(),
        ready["access_key_secret"].as_str().unwrap(),
        ready["admin_token"].as_str().unwrap(),
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn survives_kill_9_and_keeps_secrets_encrypted_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, ready) = spawn(dir.path());
    assert_eq!(ready["access_key_id"], kmskit_emulator::DEV_ACCESS_KEY_ID);
    assert_eq!(
        ready["access_key_secret"],
        kmskit_emulator::DEV_ACCESS_KEY_SECRET
    );
    assert_eq!(ready["region"], "cn-hangzhou");
    assert!(ready["endpoint"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    let kms = client(&ready);
    let key = kms.new_key("Aliyun_AES_256", None).await;
    let signer = kms.new_key("EC_P256", None).await;
    let secret_value = "super-secret-value-4711";
    let enc = kms
        .ok(
            "Encrypt",
            &[
                ("KeyId", &key),
                ("Plaintext", "ZHVyYWJsZQ=="),
                ("EncryptionContext", r#"{"app":"x"}"#),
            ],
        )
        .await;
    kms.ok(
        "CreateSecret",
        &[
            ("SecretName", "durable"),
            ("SecretData", secret_value),
            ("VersionId", "v1"),
        ],
    )
    .await;
    kms.ok(
        "CreateAlias",
        &[("AliasName", "alias/durable"), ("KeyId", &key)],
    )
    .await;

    child.kill().unwrap(); // SIGKILL: no chance to flush anything
    child.wait().unwrap();

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !contains(&bytes, secret_value.as_bytes()),
            "secret value stored in clear"
        );
    }

    let (mut child, ready) = spawn(dir.path());
    let kms = client(&ready);
    let dec = kms
        .ok(
            "Decrypt",
            &[
                ("CiphertextBlob", enc["CiphertextBlob"].as_str().unwrap()),
                ("EncryptionContext", r#"{"app":"x"}"#),
            ],
        )
        .await;
    assert_eq!(dec["Plaintext"], "ZHVyYWJsZQ==");
    assert_eq!(
        kms.ok("GetSecretValue", &[("SecretName", "durable")]).await["SecretData"],
        secret_value
    );
    assert_eq!(
        kms.ok("DescribeKey", &[("KeyId", "alias/durable")]).await["KeyMetadata"]["KeyId"],
        key.as_str()
    );
    assert_eq!(
        kms.ok("DescribeKey", &[("KeyId", &signer)]).await["KeyMetadata"]["KeySpec"],
        "EC_P256"
    );

    // SIGTERM shuts down cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit after SIGTERM: {exit:?}");
}

#[tokio::test]
async fn custom_access_key_and_admin_token() {
    let mut child = Command::new(BIN)
        .args([
            "--in-memory",
            "--access-key",
            "AKTEST:sekret",
            "--region",
            "cn-shanghai",
            "--admin-token",
            "tok",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (
            ready["access_key_id"].as_str(),
            ready["region"].as_str(),
            ready["admin_token"].as_str()
        ),
        (Some("AKTEST"), Some("cn-shanghai"), Some("tok"))
    );
    let kms = client(&ready);
    let (status, v) = kms.call("ListKeys", &[]).await;
    assert_eq!(status, 200, "{v}");
    let dev = Kms::new(
        &kms.endpoint,
        kmskit_emulator::DEV_ACCESS_KEY_ID,
        kmskit_emulator::DEV_ACCESS_KEY_SECRET,
        "tok",
    );
    let (status, v) = dev.call("ListKeys", &[]).await;
    assert_eq!(
        (status, v["Code"].as_str()),
        (404, Some("InvalidAccessKeyId.NotFound"))
    );
    assert_eq!(v["HostId"], "kms.cn-shanghai.aliyuncs.com");
    child.kill().unwrap();
    child.wait().unwrap();
}
