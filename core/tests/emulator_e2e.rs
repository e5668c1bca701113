//! The typed operations and the generic `call` end to end against the kmskit emulator (real
//! cryptography, its own signature verifier), with ACS3 and RPC V1 signing, and retries
//! through the emulator's fault injection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kmskit::{
    Client, ClientConfig, Credentials, DecryptRequest, EncryptRequest, EncryptionContext,
    ErrorCode, ErrorKind, GenerateDataKeyRequest, GetSecretValueRequest, SignatureVersion,
};
use kmskit_emulator::{
    Emulator, EmulatorConfig, RunningEmulator, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET,
};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn start() -> RunningEmulator {
    Emulator::start(EmulatorConfig::default()).await.unwrap()
}

fn client(emu: &RunningEmulator, sig: SignatureVersion) -> Client {
    let cfg = ClientConfig::builder()
        .endpoint(emu.endpoint())
        .region(emu.region())
        .credentials(Credentials::access_key(DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET).unwrap())
        .signature_version(sig)
        .build()
        .unwrap();
    Client::new(cfg).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

async fn admin(emu: &RunningEmulator, method: &str, path: &str, body: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        emu.admin_token(),
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 2"), "{out}");
    out
}

async fn new_key(c: &Client, alias: &str) -> String {
    let r = c
        .call(
            "CreateKey",
            obj(json!({"KeySpec": "Aliyun_AES_256", "Description": "e2e"})),
        )
        .await
        .unwrap();
    let id = r["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    c.call("CreateAlias", obj(json!({"KeyId": id, "AliasName": alias})))
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn data_plane_round_trips_with_both_signatures() {
    let emu = start().await;
    for (i, sig) in [
        SignatureVersion::Acs3HmacSha256,
        SignatureVersion::RpcHmacSha1,
    ]
    .into_iter()
    .enumerate()
    {
        let c = client(&emu, sig);
        let alias = format!("alias/app-{i}");
        let key_id = new_key(&c, &alias).await;
        let ctx: EncryptionContext = [("tenant", "t 1/é"), ("purpose", "e2e")]
            .into_iter()
            .collect();
        let plaintext = "a b+c/d~e*f%g=h&é中文🔐\n".as_bytes().to_vec();
        let enc = c
            .encrypt(EncryptRequest::new(&alias, plaintext.clone()).encryption_context(ctx.clone()))
            .await
            .unwrap();
        assert_eq!(enc.key_id, key_id);
        assert!(!enc.request_id.is_empty());
        let dec = c
            .decrypt(DecryptRequest::new(&enc.ciphertext_blob).encryption_context(ctx.clone()))
            .await
            .unwrap();
        assert_eq!(dec.plaintext.expose(), plaintext.as_slice());
        assert_eq!(dec.key_version_id, enc.key_version_id);
        // The context is bound: another one (or none) is refused.
        let wrong: EncryptionContext = [("tenant", "t2")].into_iter().collect();
        let e = c
            .decrypt(DecryptRequest::new(&enc.ciphertext_blob).encryption_context(wrong))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Crypto, "{e}");
        assert!(e.request_id().is_some());
        assert!(c
            .decrypt(DecryptRequest::new(&enc.ciphertext_blob))
            .await
            .is_err());

        let dk = c
            .generate_data_key(GenerateDataKeyRequest::new(&key_id).number_of_bytes(32))
            .await
            .unwrap();
        assert_eq!(dk.plaintext.len(), 32);
        let back = c
            .decrypt(DecryptRequest::new(&dk.ciphertext_blob))
            .await
            .unwrap();
        assert_eq!(back.plaintext, dk.plaintext);
        let dk2 = c
            .generate_data_key(GenerateDataKeyRequest::new(&alias).key_spec("AES_128"))
            .await
            .unwrap();
        assert_eq!(dk2.plaintext.len(), 16);
        let wp = c
            .generate_data_key_without_plaintext(GenerateDataKeyRequest::new(&key_id))
            .await
            .unwrap();
        assert_eq!(
            c.decrypt(DecryptRequest::new(&wp.ciphertext_blob))
                .await
                .unwrap()
                .plaintext
                .len(),
            32
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn secrets_and_errors() {
    let emu = start().await;
    let c = client(&emu, SignatureVersion::Acs3HmacSha256);
    let name = "db/password-1";
    c.call(
        "CreateSecret",
        obj(json!({"SecretName": name, "SecretData": "s3cr3t & = + %", "VersionId": "v1"})),
    )
    .await
    .unwrap();
    let s = c
        .get_secret_value(GetSecretValueRequest::new(name))
        .await
        .unwrap();
    assert_eq!(s.secret_data.expose(), "s3cr3t & = + %");
    assert_eq!(s.version_id, "v1");
    assert_eq!(s.version_stages, vec!["ACSCurrent".to_string()]);
    assert!(
        !format!("{s:?}").contains("s3cr3t"),
        "Debug redacts the secret"
    );
    c.call(
        "PutSecretValue",
        obj(json!({"SecretName": name, "SecretData": "second", "VersionId": "v2"})),
    )
    .await
    .unwrap();
    let cur = c
        .get_secret_value(GetSecretValueRequest::new(name))
        .await
        .unwrap();
    assert_eq!(cur.secret_data.expose(), "second");
    let prev = c
        .get_secret_value(GetSecretValueRequest::new(name).version_stage("ACSPrevious"))
        .await
        .unwrap();
    assert_eq!(prev.secret_data.expose(), "s3cr3t & = + %");
    let by_id = c
        .get_secret_value(GetSecretValueRequest::new(name).version_id("v1"))
        .await
        .unwrap();
    assert_eq!(by_id.version_id, "v1");

    let e = c
        .get_secret_value(GetSecretValueRequest::new("missing"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound, "{e}");
    assert_eq!(e.http_status(), Some(404));
    assert!(e.request_id().is_some() && e.service_code().is_some());
    let e = c
        .encrypt(EncryptRequest::new("alias/none", b"x".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");

    let bad = Client::new(
        ClientConfig::builder()
            .endpoint(emu.endpoint())
            .credentials(Credentials::access_key(DEV_ACCESS_KEY_ID, "not-the-secret").unwrap())
            .build()
            .unwrap(),
    )
    .unwrap();
    let e = bad
        .get_secret_value(GetSecretValueRequest::new(name))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthenticationFailed, "{e}");
    emu.shutdown().await;
}

#[tokio::test]
async fn injected_faults_are_retried() {
    let emu = start().await;
    let c = client(&emu, SignatureVersion::Acs3HmacSha256);
    let key_id = new_key(&c, "alias/faults").await;
    admin(&emu, "DELETE", "/_emulator/stats", "").await;
    admin(
        &emu,
        "POST",
        "/_emulator/faults",
        r#"{"kind":"throttling","action":"Encrypt","count":1,"retry_after_ms":20}"#,
    )
    .await;
    admin(
        &emu,
        "POST",
        "/_emulator/faults",
        r#"{"kind":"error","action":"Encrypt","count":1,"status":503}"#,
    )
    .await;
    let r = c
        .encrypt(EncryptRequest::new(&key_id, b"retry".to_vec()))
        .await
        .unwrap();
    assert_eq!(r.key_id, key_id);
    let stats = admin(&emu, "GET", "/_emulator/stats", "").await;
    assert!(stats.contains(r#""Encrypt":3"#), "{stats}");
    // A dropped connection on a write is not retried.
    admin(
        &emu,
        "POST",
        "/_emulator/faults",
        r#"{"kind":"drop","action":"CreateKey","count":1}"#,
    )
    .await;
    let e = c.call("CreateKey", obj(json!({}))).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionLost, "{e}");
    emu.shutdown().await;
}
