//! The `kmskit` binary against an in-process emulator: every command, JSON on stdout, errors
//! on stderr with code and request id and a non-zero exit, and no secret on either stream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use kmskit_emulator::{
    Emulator, EmulatorConfig, RunningEmulator, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET,
};
use serde_json::Value;
use std::process::{Command, Output};

fn run(emu: &RunningEmulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmskit"))
        .arg("--endpoint")
        .arg(emu.endpoint())
        .args(args)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEV_ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEV_ACCESS_KEY_SECRET)
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .output()
        .unwrap()
}

fn ok(emu: &RunningEmulator, args: &[&str]) -> Value {
    let out = run(emu, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn start() -> RunningEmulator {
    Emulator::start(EmulatorConfig::default()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_works() {
    let emu = start().await;
    let key = ok(
        &emu,
        &[
            "call",
            "CreateKey",
            "--param",
            "KeySpec=Aliyun_AES_256",
            "--param",
            "Description=cli test",
        ],
    );
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    ok(
        &emu,
        &[
            "call",
            "CreateAlias",
            "--params-json",
            &format!(r#"{{"KeyId":"{key_id}","AliasName":"alias/cli"}}"#),
        ],
    );

    let enc = ok(
        &emu,
        &[
            "encrypt",
            "--key-id",
            "alias/cli",
            "--plaintext",
            "hello é & = +",
            "--encryption-context",
            r#"{"a":"1"}"#,
        ],
    );
    assert_eq!(enc["KeyId"], key_id.as_str());
    let blob = enc["CiphertextBlob"].as_str().unwrap();
    let dec = ok(
        &emu,
        &[
            "decrypt",
            "--ciphertext-blob",
            blob,
            "--encryption-context",
            r#"{"a":"1"}"#,
        ],
    );
    let plain = base64::engine::general_purpose::STANDARD
        .decode(dec["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(plain, "hello é & = +".as_bytes());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.bin");
    std::fs::write(&file, [0u8, 1, 2, 255]).unwrap();
    let enc = ok(
        &emu,
        &[
            "encrypt",
            "--key-id",
            &key_id,
            "--plaintext-file",
            file.to_str().unwrap(),
        ],
    );
    let dec = ok(
        &emu,
        &[
            "--signature",
            "rpc",
            "decrypt",
            "--ciphertext-blob",
            enc["CiphertextBlob"].as_str().unwrap(),
        ],
    );
    assert_eq!(dec["Plaintext"], "AAEC/w==");

    let dk = ok(
        &emu,
        &[
            "generate-data-key",
            "--key-id",
            &key_id,
            "--number-of-bytes",
            "24",
        ],
    );
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(dk["Plaintext"].as_str().unwrap())
            .unwrap()
            .len(),
        24
    );
    let back = ok(
        &emu,
        &[
            "decrypt",
            "--ciphertext-blob",
            dk["CiphertextBlob"].as_str().unwrap(),
        ],
    );
    assert_eq!(back["Plaintext"], dk["Plaintext"]);

    ok(
        &emu,
        &[
            "call",
            "CreateSecret",
            "--param",
            "SecretName=app/db",
            "--param",
            "SecretData=pw & 1",
            "--param",
            "VersionId=v1",
        ],
    );
    ok(
        &emu,
        &[
            "call",
            "PutSecretValue",
            "--param",
            "SecretName=app/db",
            "--param",
            "SecretData=pw 2",
            "--param",
            "VersionId=v2",
        ],
    );
    let s = ok(&emu, &["get-secret", "--secret-name", "app/db"]);
    assert_eq!(
        (s["SecretData"].as_str(), s["VersionId"].as_str()),
        (Some("pw 2"), Some("v2"))
    );
    let s = ok(
        &emu,
        &[
            "get-secret",
            "--secret-name",
            "app/db",
            "--version-stage",
            "ACSPrevious",
        ],
    );
    assert_eq!(s["SecretData"], "pw & 1");
    assert_eq!(s["VersionStages"]["VersionStage"][0], "ACSPrevious");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_go_to_stderr_with_code_and_request_id() {
    let emu = start().await;
    let out = run(&emu, &["get-secret", "--secret-name", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("3301") && err.contains("Forbidden.ResourceNotFound"),
        "{err}"
    );
    let detail: Value = serde_json::from_str(err.lines().last().unwrap()).unwrap();
    assert_eq!(detail["Code"], 3301);
    assert!(
        detail["RequestId"].as_str().is_some_and(|r| !r.is_empty()),
        "{err}"
    );
    assert_eq!(detail["HttpStatus"], 404);

    // Missing credentials: a typed error before any request.
    let out = Command::new(env!("CARGO_BIN_EXE_kmskit"))
        .args([
            "--endpoint",
            &emu.endpoint(),
            "get-secret",
            "--secret-name",
            "x",
        ])
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1201"));

    // A wrong secret: refused, and the secret appears nowhere.
    let out = Command::new(env!("CARGO_BIN_EXE_kmskit"))
        .args([
            "--endpoint",
            &emu.endpoint(),
            "encrypt",
            "--key-id",
            "k",
            "--plaintext",
            "top-secret-text",
        ])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEV_ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "the-wrong-secret")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(all.contains("SignatureDoesNotMatch"), "{all}");
    assert!(
        !all.contains("the-wrong-secret") && !all.contains("top-secret-text"),
        "{all}"
    );

    // Bad input is refused by the CLI itself.
    let out = run(&emu, &["call", "CreateKey", "--param", "no-equals-sign"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1001"));
    emu.shutdown().await;
}

/// `--role-arn` assumes a role through the emulator's STS with the chain's credentials, and a
/// ClientKey sends the data-plane commands to the dedicated gateway's Instance API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assumed_role_and_client_key() {
    let keys = tempfile::tempdir().unwrap();
    let mut config = EmulatorConfig::default();
    config.dedicated.client_key_out = Some(keys.path().to_path_buf());
    let emu = Emulator::start(config).await.unwrap();
    let key = ok(
        &emu,
        &["call", "CreateKey", "--param", "KeySpec=Aliyun_AES_256"],
    );
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();

    let sts = emu.sts_endpoint();
    let role = [
        "--role-arn",
        "acs:ram::1234567890123456:role/cli",
        "--sts-endpoint",
        sts.as_str(),
    ];
    let enc = ok(
        &emu,
        &[
            &role[..],
            &["encrypt", "--key-id", &key_id, "--plaintext", "role"],
        ]
        .concat(),
    );
    let blob = enc["CiphertextBlob"].as_str().unwrap().to_owned();
    let dec = ok(
        &emu,
        &[&role[..], &["decrypt", "--ciphertext-blob", &blob]].concat(),
    );
    assert_eq!(
        dec["Plaintext"],
        base64::engine::general_purpose::STANDARD.encode("role")
    );
    // A session name STS does not accept is refused by STS as a credentials error.
    let out = run(
        &emu,
        &[
            &role[..],
            &[
                "--role-session-name",
                "no spaces allowed",
                "encrypt",
                "--key-id",
                &key_id,
                "--plaintext",
                "x",
            ],
        ]
        .concat(),
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("CredentialsUnavailable"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let files = emu.client_key_files().unwrap();
    let ded = emu.dedicated_endpoint().unwrap();
    let ca = emu
        .dedicated_ca_file()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let ck = [
        "--client-key-file",
        files.key_file.to_str().unwrap(),
        "--client-key-password-file",
        files.password_file.to_str().unwrap(),
        "--instance-endpoint",
        ded.as_str(),
        "--ca-file",
        ca.as_str(),
    ];
    let enc = ok(
        &emu,
        &[
            &ck[..],
            &["encrypt", "--key-id", &key_id, "--plaintext", "dedicated"],
        ]
        .concat(),
    );
    let blob = enc["CiphertextBlob"].as_str().unwrap().to_owned();
    let dec = ok(
        &emu,
        &[&ck[..], &["decrypt", "--ciphertext-blob", &blob]].concat(),
    );
    assert_eq!(
        dec["Plaintext"],
        base64::engine::general_purpose::STANDARD.encode("dedicated")
    );
    // The blob is the unified SDK's shared-gateway-compatible form: key version id (36) + IV
    // (12) + ciphertext and tag, not the shared gateway's own blob.
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&blob)
        .unwrap();
    assert_eq!(raw.len(), 36 + 12 + "ZGVkaWNhdGVk".len() + 16);
    // Without the password the ClientKey is refused before any request.
    let out = run(
        &emu,
        &[
            "--client-key-file",
            files.key_file.to_str().unwrap(),
            "encrypt",
            "--key-id",
            &key_id,
            "--plaintext",
            "x",
        ],
    );
    assert!(!out.status.success());
}
