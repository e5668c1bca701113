//! The Instance API client and the dedicated-gateway routing end to end against the kmskit
//! emulator's HTTPS listener: TLS verified against the CA the emulator generated, a ClientKey the
//! emulator issued in the official file format (PKCS#12 read by the core), all 15 APIs, and the
//! client's own operations routed to the Instance API while management calls stay on RAM auth.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kmskit::instance_api as ia;
use kmskit::{
    Client, ClientConfig, ClientKey, Credentials, DecryptRequest, EncryptRequest, ErrorCode,
    GenerateDataKeyRequest, GetSecretValueRequest, Route,
};
use kmskit_emulator::{
    Emulator, EmulatorConfig, RunningEmulator, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET,
};
use serde_json::{json, Map, Value};

async fn start(dir: &std::path::Path) -> RunningEmulator {
    let mut config = EmulatorConfig::default();
    config.dedicated.client_key_out = Some(dir.to_path_buf());
    Emulator::start(config).await.unwrap()
}

fn client_key(emu: &RunningEmulator) -> ClientKey {
    let files = emu.client_key_files().unwrap();
    let password = ClientKey::password_from_file(&files.password_file).unwrap();
    ClientKey::from_file(&files.key_file, &password).unwrap()
}

/// Shared gateway (the plain listener, RAM auth) plus the dedicated one with a ClientKey.
fn both(emu: &RunningEmulator) -> Client {
    let cfg = ClientConfig::builder()
        .endpoint(emu.endpoint())
        .region(emu.region())
        .credentials(Credentials::access_key(DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET).unwrap())
        .instance_endpoint(emu.dedicated_endpoint().unwrap())
        .ca_file(emu.dedicated_ca_file().unwrap())
        .client_key(client_key(emu))
        .build()
        .unwrap();
    Client::new(cfg).unwrap()
}

/// How many requests the emulator served for `action` (Instance API calls count by API name).
async fn count(emu: &RunningEmulator, action: &str) -> u64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    let req = format!(
        "GET /_emulator/stats HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
        emu.admin_token()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let v: Value = serde_json::from_str(out.split_once("\r\n\r\n").unwrap().1).unwrap();
    v["requests"][action].as_u64().unwrap_or(0)
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

async fn key(c: &Client, spec: &str, usage: &str) -> String {
    let r = c
        .call(
            "CreateKey",
            obj(json!({"KeySpec": spec, "KeyUsage": usage})),
        )
        .await
        .unwrap();
    r["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn all_fifteen_apis_over_verified_tls() {
    let dir = tempfile::tempdir().unwrap();
    let emu = start(dir.path()).await;
    let c = both(&emu);
    let inst = c.instance().unwrap();
    assert_eq!(inst.client_key_id(), emu.client_key().unwrap().key_id);
    let aes = key(&c, "Aliyun_AES_256", "ENCRYPT/DECRYPT").await;
    let rsa = key(&c, "RSA_2048", "SIGN/VERIFY").await;

    let enc = inst
        .encrypt(ia::EncryptRequest::new(&aes, b"plain".to_vec()).aad(b"a".to_vec()))
        .await
        .unwrap();
    assert_eq!(enc.iv.len(), 12);
    let dec = inst
        .decrypt(
            ia::DecryptRequest::new(&aes, enc.ciphertext_blob.clone())
                .iv(enc.iv.clone())
                .aad(b"a".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(dec.plaintext.expose(), b"plain");

    let adv = inst
        .advance_encrypt(ia::EncryptRequest::new(&aes, b"advance".to_vec()))
        .await
        .unwrap();
    c.call("CreateKeyVersion", obj(json!({"KeyId": aes})))
        .await
        .unwrap();
    let back = inst
        .advance_decrypt(ia::AdvanceDecryptRequest::new(adv.ciphertext_blob.clone()))
        .await
        .unwrap();
    assert_eq!(back.plaintext.expose(), b"advance");
    assert_eq!(back.key_version_id, adv.key_version_id);

    let sig = inst
        .sign(ia::SignRequest::new(
            &rsa,
            "RSA_PKCS1_SHA_256",
            b"msg".to_vec(),
        ))
        .await
        .unwrap();
    let ok = inst
        .verify(ia::VerifyRequest::new(
            &rsa,
            "RSA_PKCS1_SHA_256",
            b"msg".to_vec(),
            sig.signature.clone(),
        ))
        .await
        .unwrap();
    assert!(ok.value);
    let bad = inst
        .verify(ia::VerifyRequest::new(
            &rsa,
            "RSA_PKCS1_SHA_256",
            b"other".to_vec(),
            sig.signature,
        ))
        .await
        .unwrap();
    assert!(!bad.value);
    let pem = inst
        .get_public_key(ia::GetPublicKeyRequest::new(&rsa))
        .await
        .unwrap();
    assert!(pem.public_key.starts_with("-----BEGIN PUBLIC KEY-----"));

    let random = inst
        .generate_random(ia::GenerateRandomRequest::new(20))
        .await
        .unwrap();
    assert_eq!(random.random.expose().len(), 20);
    let dk = inst
        .generate_data_key(ia::GenerateDataKeyRequest::new(&aes).number_of_bytes(32))
        .await
        .unwrap();
    let dk_plain = inst
        .decrypt(ia::DecryptRequest::new(&aes, dk.ciphertext_blob.clone()).iv(dk.iv.clone()))
        .await
        .unwrap();
    assert_eq!(dk_plain.plaintext.expose(), dk.plaintext.expose());
    let adk = inst
        .advance_generate_data_key(ia::GenerateDataKeyRequest::new(&aes).number_of_bytes(16))
        .await
        .unwrap();
    assert_eq!(adk.plaintext.expose().len(), 16);
    assert!(!adk.key_version_id.is_empty());

    let pair_req = || ia::GenerateDataKeyPairRequest::new(&aes, "EC_P256").key_format("PEM");
    let p1 = inst.generate_data_key_pair(pair_req()).await.unwrap();
    assert!(String::from_utf8_lossy(p1.private_key_plaintext.expose()).contains("PRIVATE KEY"));
    let p2 = inst
        .advance_generate_data_key_pair(pair_req())
        .await
        .unwrap();
    let p2_plain = inst
        .advance_decrypt(ia::AdvanceDecryptRequest::new(
            p2.private_key_ciphertext_blob.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(
        p2_plain.plaintext.expose(),
        p2.private_key_plaintext.expose()
    );
    let p3 = inst
        .generate_data_key_pair_without_plaintext(pair_req())
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&p3.public_key).contains("PUBLIC KEY"));
    let p4 = inst
        .advance_generate_data_key_pair_without_plaintext(pair_req())
        .await
        .unwrap();
    assert!(!p4.key_version_id.is_empty());

    c.call(
        "CreateSecret",
        obj(json!({"SecretName": "db", "SecretData": "pw-1", "VersionId": "v1"})),
    )
    .await
    .unwrap();
    let s = inst
        .get_secret_value(ia::GetSecretValueRequest::new("db"))
        .await
        .unwrap();
    assert_eq!(
        (s.secret_data.expose(), s.version_id.as_str()),
        ("pw-1", "v1")
    );

    // A key the instance does not hold: the protobuf error, typed.
    let err = inst
        .encrypt(ia::EncryptRequest::new("key-does-not-exist", b"x".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ResourceNotFound, "{err}");
    assert!(!err.request_id().unwrap_or_default().is_empty(), "{err}");
}

#[tokio::test]
async fn routing_and_tls_failures() {
    let dir = tempfile::tempdir().unwrap();
    let emu = start(dir.path()).await;
    let c = both(&emu);
    let aes = key(&c, "Aliyun_AES_256", "ENCRYPT/DECRYPT").await;

    // Auto: the client's data-plane operations use the Instance API (the emulator counts them
    // per API name), management calls the shared gateway.
    let enc = c
        .encrypt(EncryptRequest::new(&aes, b"routed".to_vec()))
        .await
        .unwrap();
    let dec = c
        .decrypt(DecryptRequest::new(enc.ciphertext_blob.clone()))
        .await
        .unwrap();
    assert_eq!(dec.plaintext.expose(), b"routed");
    assert_eq!(count(&emu, "AdvanceEncrypt").await, 1);
    assert_eq!(count(&emu, "AdvanceDecrypt").await, 1);
    assert_eq!(count(&emu, "CreateKey").await, 1);
    let dk = c
        .generate_data_key(GenerateDataKeyRequest::new(&aes))
        .await
        .unwrap();
    assert_eq!(dk.plaintext.expose().len(), 32);
    c.call(
        "CreateSecret",
        obj(json!({"SecretName": "r", "SecretData": "v", "VersionId": "v1"})),
    )
    .await
    .unwrap();
    let s = c
        .get_secret_value(GetSecretValueRequest::new("r"))
        .await
        .unwrap();
    assert_eq!(s.secret_data.expose(), "v");

    // The shared view sends Encrypt to the OpenAPI; its blob is the shared gateway's own.
    let shared = c.with_route(Route::Shared);
    let enc2 = shared
        .encrypt(EncryptRequest::new(&aes, b"shared".to_vec()))
        .await
        .unwrap();
    let dec2 = shared
        .decrypt(DecryptRequest::new(enc2.ciphertext_blob))
        .await
        .unwrap();
    assert_eq!(dec2.plaintext.expose(), b"shared");
    // A ciphertext made through the dedicated gateway (in the unified SDK's compatible form, its
    // context turned into the AAD) decrypts on the shared gateway, as on a real instance.
    let ctx: kmskit::EncryptionContext = [("tenant", "t-1"), ("app", "e2e")].into_iter().collect();
    let routed = c
        .encrypt(EncryptRequest::new(&aes, b"both ways".to_vec()).encryption_context(ctx.clone()))
        .await
        .unwrap();
    let opened = shared
        .decrypt(
            DecryptRequest::new(routed.ciphertext_blob.clone()).encryption_context(ctx.clone()),
        )
        .await
        .unwrap();
    assert_eq!(opened.plaintext.expose(), b"both ways");
    let wrong: kmskit::EncryptionContext =
        [("tenant", "t-2"), ("app", "e2e")].into_iter().collect();
    let err = shared
        .decrypt(DecryptRequest::new(routed.ciphertext_blob).encryption_context(wrong))
        .await
        .unwrap_err();
    assert_eq!(err.service_code(), Some("InvalidCiphertext"), "{err}");
    assert_eq!(
        count(&emu, "AdvanceEncrypt").await,
        3,
        "the routed GenerateDataKey and Encrypt added one each, the shared view none"
    );

    // Without the instance CA the dedicated gateway's certificate is not trusted.
    let no_ca = ClientConfig::builder()
        .endpoint(emu.endpoint())
        .credentials(Credentials::access_key(DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET).unwrap())
        .instance_endpoint(emu.dedicated_endpoint().unwrap())
        .client_key(client_key(&emu))
        .build()
        .unwrap();
    let err = Client::new(no_ca)
        .unwrap()
        .encrypt(EncryptRequest::new(&aes, b"x".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::TlsFailed, "{err}");

    // A wrong password never reaches the network.
    let files = emu.client_key_files().unwrap();
    let err = ClientKey::from_file(&files.key_file, &"not-the-password".into()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ClientKeyInvalid, "{err}");
}
