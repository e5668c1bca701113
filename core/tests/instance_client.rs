//! The Instance API client end to end against a small fake dedicated gateway: HTTPS on
//! 127.0.0.1 with the test instance CA's server certificate, verifying every request's RSA
//! signature with its own string-to-sign code and the ClientKey's public key (never kmskit's
//! signer), answering with captured response bodies or scripted protobuf errors. Covers the
//! typed calls, error mapping, retries (re-signed each time), TLS failures and the routing of
//! `Client`'s own operations between the shared and the dedicated gateway.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use base64::Engine as _;
use kmskit::config::{Clock, JitterSource, Sleeper};
use kmskit::instance_api as ia;
use kmskit::{
    Client, ClientConfig, ClientKey, Credentials, EncryptionContext, ErrorCode, RetryPolicy, Route,
    SecretString,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;
use std::collections::VecDeque;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY_ID: &str = "KAAP.00000000-1111-2222-3333-444444444444";

fn shared() -> PathBuf {
    std::env::var_os("KMSKIT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}
fn testdata(name: &str) -> PathBuf {
    shared().join("testdata/clientkey").join(name)
}
fn ca() -> PathBuf {
    testdata("PrivateKmsCA_kst-test0000000000000000.pem")
}

fn case(name: &str) -> Value {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("vectors/kms-instance-api-requests.json")).unwrap(),
    )
    .unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
}

fn b64d(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// The captured response body of a case's first exchange.
fn captured_body(name: &str) -> Vec<u8> {
    b64d(
        case(name)["exchanges"][0]["response"]["body_b64"]
            .as_str()
            .unwrap(),
    )
}

// ---- a little protobuf writer, independent of kmskit's prost messages ----
fn pb_len(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    out.push(tag << 3 | 2);
    let mut n = bytes.len();
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(bytes);
}
fn pb_error(status: u16, code: &str, msg: &str, rid: &str) -> Vec<u8> {
    let mut out = vec![0x08];
    let mut n = u32::from(status);
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    pb_len(&mut out, 2, code.as_bytes());
    pb_len(&mut out, 3, msg.as_bytes());
    pb_len(&mut out, 4, rid.as_bytes());
    out
}
/// Reads the length-delimited field `tag` of a protobuf message (first occurrence).
fn pb_field(mut msg: &[u8], tag: u8) -> Option<Vec<u8>> {
    let varint = |m: &mut &[u8]| {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = m[0];
            *m = &m[1..];
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    };
    while !msg.is_empty() {
        let key = varint(&mut msg);
        match key & 7 {
            0 => {
                varint(&mut msg);
            }
            2 => {
                let len = varint(&mut msg) as usize;
                let (v, rest) = msg.split_at(len);
                if key >> 3 == u64::from(tag) {
                    return Some(v.to_vec());
                }
                msg = rest;
            }
            _ => panic!("unexpected wire type"),
        }
    }
    None
}

// ---- the fake gateway ----
#[derive(Clone, Debug)]
struct Seen {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    signature_ok: bool,
}
impl Seen {
    fn header(&self, n: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<(u16, Vec<u8>)>,
    seen: Vec<Seen>,
}

#[derive(Clone)]
struct Gateway {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Gateway {
    fn script(&self, status: u16, body: Vec<u8>) {
        self.state.lock().unwrap().script.push_back((status, body));
    }
    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
    fn endpoint(&self) -> String {
        format!("https://localhost:{}", self.port)
    }
}

/// The ClientKey's RSA public key as PKCS#1 (the SPKI of a 2048-bit key has a 24-byte prefix).
fn public_key() -> Vec<u8> {
    let pem = std::fs::read_to_string(testdata("clientkey_public.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    b64d(&body)[24..].to_vec()
}

/// The server's own reading of the signature rules (reference §2).
fn verify(headers: &[(String, String)]) -> bool {
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut kms: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-kms-"))
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    kms.sort();
    let sts = format!(
        "POST\n{}\n{}\n{}\n{}/",
        get("content-sha256"),
        get("content-type"),
        get("date"),
        kms.concat()
    );
    let auth = get("authorization");
    let Some(sig) = auth.strip_prefix("Bearer ") else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        public_key(),
    )
    .verify(sts.as_bytes(), &b64d(sig))
    .is_ok()
}

async fn gateway() -> Gateway {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(testdata("server_cert.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(testdata("server_key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = Arc::new(Mutex::new(State::default()));
    let st = state.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let st = st.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let end = loop {
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p;
                        }
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8(buf[..end].to_vec()).unwrap();
                    let headers: Vec<(String, String)> = head
                        .lines()
                        .skip(1)
                        .map(|l| {
                            let (k, v) = l.split_once(':').unwrap();
                            (k.trim().to_owned(), v.trim().to_owned())
                        })
                        .collect();
                    let len: usize = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .map(|(_, v)| v.parse().unwrap())
                        .unwrap_or(0);
                    while buf.len() < end + 4 + len {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = buf[end + 4..end + 4 + len].to_vec();
                    buf.drain(..end + 4 + len);
                    let signature_ok = verify(&headers);
                    let (status, resp) = {
                        let mut s = st.lock().unwrap();
                        s.seen.push(Seen {
                            headers,
                            body,
                            signature_ok,
                        });
                        s.script
                            .pop_front()
                            .unwrap_or((500, pb_error(500, "InternalFailure", "unscripted", "X")))
                    };
                    let head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/x-protobuf\r\ncontent-length: {}\r\n\r\n",
                        resp.len()
                    );
                    if tls.write_all(head.as_bytes()).await.is_err()
                        || tls.write_all(&resp).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Gateway { port, state }
}

// ---- injected time ----
struct TickingClock(AtomicU64);
impl Clock for TickingClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.fetch_add(1, Ordering::SeqCst))
    }
}
struct FixedClock;
impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }
}
#[derive(Default)]
struct RecordingSleeper(Mutex<Vec<Duration>>);
impl Sleeper for RecordingSleeper {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(d);
        Box::pin(async {})
    }
}
struct HalfJitter;
impl JitterSource for HalfJitter {
    fn unit(&self) -> f64 {
        0.5
    }
}

fn client_key() -> ClientKey {
    let pw = ClientKey::password_from_file(testdata(&format!("clientKey_{KEY_ID}_Password.txt")))
        .unwrap();
    ClientKey::from_file(testdata(&format!("clientKey_{KEY_ID}.json")), &pw).unwrap()
}

fn builder(gw: &Gateway) -> kmskit::ClientConfigBuilder {
    ClientConfig::builder()
        .instance_endpoint(gw.endpoint())
        .client_key(client_key())
        .ca_file(ca())
        .clock(Arc::new(FixedClock))
        .jitter_source(Arc::new(HalfJitter))
}

fn instance(gw: &Gateway) -> ia::InstanceClient {
    Client::new(builder(gw).build().unwrap())
        .unwrap()
        .instance()
        .unwrap()
}

fn captured_request_body(name: &str) -> Vec<u8> {
    hex::decode(
        case(name)["exchanges"][0]["request"]["body_hex"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn typed_calls_send_the_sdks_bodies_signed_and_read_the_answers() {
    let gw = gateway().await;
    let ic = instance(&gw);
    assert_eq!(ic.client_key_id(), KEY_ID);
    let aes = "key-test0000000000000aes";
    let rsa = "key-test0000000000000rsa";
    let iv = b64d("AAECAwQFBgcICQoL");

    gw.script(200, captured_body("Encrypt"));
    let r = ic
        .encrypt(ia::EncryptRequest::new(aes, b"hello world".to_vec()))
        .await
        .unwrap();
    assert_eq!(r.iv, iv);
    assert_eq!(r.request_id, "00000000-0000-0000-0000-000000000001");

    gw.script(200, captured_body("Decrypt"));
    let r = ic
        .decrypt(
            ia::DecryptRequest::new(aes, r.ciphertext_blob)
                .algorithm("AES_GCM")
                .iv(iv.clone()),
        )
        .await
        .unwrap();
    assert_eq!(r.plaintext.expose(), b"hello world");

    gw.script(200, captured_body("GetSecretValue"));
    let r = ic
        .get_secret_value(
            ia::GetSecretValueRequest::new("test-secret")
                .version_stage("ACSCurrent")
                .fetch_extended_config(true),
        )
        .await
        .unwrap();
    assert_eq!(
        r.secret_data.expose(),
        r#"{"user":"admin","password":"p@ssw0rd"}"#
    );
    assert!(!format!("{r:?}").contains("p@ssw0rd"));

    let digest = b64d("wPTCwGM9BI1ywTd4Vi83tJv6KZn+w+KGvOckjlH50zc=");
    gw.script(200, captured_body("Sign"));
    let sig = ic
        .sign(ia::SignRequest::new(rsa, "RSA_PKCS1_SHA_256", digest.clone()).message_type("DIGEST"))
        .await
        .unwrap()
        .signature;
    gw.script(200, captured_body("Verify"));
    let v = ic
        .verify(
            ia::VerifyRequest::new(rsa, "RSA_PKCS1_SHA_256", digest, sig).message_type("DIGEST"),
        )
        .await
        .unwrap();
    assert!(v.value);

    gw.script(200, captured_body("GenerateDataKey"));
    let k = ic
        .generate_data_key(ia::GenerateDataKeyRequest::new(aes).number_of_bytes(32))
        .await
        .unwrap();
    assert_eq!(k.plaintext.len(), 32);

    gw.script(200, captured_body("GenerateRandom"));
    let g = ic
        .generate_random(ia::GenerateRandomRequest::new(16))
        .await
        .unwrap();
    assert_eq!(g.random.len(), 16);

    gw.script(200, captured_body("AdvanceEncrypt"));
    let a = ic
        .advance_encrypt(ia::EncryptRequest::new(aes, b"hello advance".to_vec()))
        .await
        .unwrap();
    assert_eq!(a.key_version_id, "00000000-aaaa-bbbb-cccc-000000000001");

    let seen = gw.seen();
    let names = [
        "Encrypt",
        "Decrypt",
        "GetSecretValue",
        "Sign",
        "Verify",
        "GenerateDataKey",
        "GenerateRandom",
        "AdvanceEncrypt",
    ];
    assert_eq!(seen.len(), names.len());
    for (s, name) in seen.iter().zip(names) {
        assert!(s.signature_ok, "{name}: signature");
        assert_eq!(s.header("x-kms-apiname"), name);
        assert_eq!(s.header("x-kms-acccesskeyid"), KEY_ID);
        assert_eq!(s.header("date"), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(s.header("host"), format!("localhost:{}", gw.port));
        assert_eq!(s.body, captured_request_body(name), "{name}: body");
    }
}

#[tokio::test]
async fn service_errors_are_typed_and_final() {
    let gw = gateway().await;
    let ic = instance(&gw);
    gw.script(400, captured_body("Error_400_InvalidParameter"));
    let e = ic
        .decrypt(ia::DecryptRequest::new("k", b"garbage".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidParameter);
    assert_eq!(e.service_code(), Some("InvalidParameter"));
    assert_eq!(e.message(), "The parameter CiphertextBlob is invalid.");
    assert_eq!(e.request_id(), Some("00000000-0000-0000-0000-000000000015"));
    assert_eq!(e.http_status(), Some(400));
    gw.script(
        404,
        pb_error(404, "Forbidden.KeyNotFound", "no such key", "R-404"),
    );
    let e = ic
        .get_public_key(ia::GetPublicKeyRequest::new("nope"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
    gw.script(401, pb_error(401, "Unauthorized", "bad key", "R-401"));
    let e = ic
        .generate_random(ia::GenerateRandomRequest::new(8))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthenticationFailed);
    assert_eq!(gw.seen().len(), 3, "none of these is retried");
}

#[tokio::test]
async fn throttling_and_5xx_are_retried_and_each_attempt_is_signed_anew() {
    let gw = gateway().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = Client::new(
        builder(&gw)
            .clock(Arc::new(TickingClock(AtomicU64::new(1_700_000_000))))
            .sleeper(sleeper.clone())
            .retry_policy(RetryPolicy {
                max_attempts: 4,
                budget: None,
                ..RetryPolicy::default()
            })
            .build()
            .unwrap(),
    )
    .unwrap();
    let ic = client.instance().unwrap();
    let throttled = captured_body("Error_429_Rejected.Throttling_retry");
    for _ in 0..4 {
        gw.script(429, throttled.clone());
    }
    let e = ic
        .encrypt(ia::EncryptRequest::new(
            "key-test0000000000000aes",
            b"hello world".to_vec(),
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Throttled);
    assert_eq!(e.service_code(), Some("Rejected.Throttling"));
    let seen = gw.seen();
    assert_eq!(seen.len(), 4);
    let mut dates: Vec<&str> = seen.iter().map(|s| s.header("date")).collect();
    assert!(seen.iter().all(|s| s.signature_ok));
    dates.dedup();
    assert_eq!(dates.len(), 4, "a fresh date (and signature) per attempt");
    assert_eq!(
        *sleeper.0.lock().unwrap(),
        vec![
            Duration::from_millis(50),
            Duration::from_millis(100),
            Duration::from_millis(200)
        ],
        "full jitter (0.5) of 100, 200, 400 ms"
    );

    gw.script(500, pb_error(500, "InternalFailure", "oops", "R-500"));
    gw.script(
        503,
        pb_error(503, "ServiceUnavailableTemporary", "later", "R-503"),
    );
    gw.script(200, captured_body("Encrypt"));
    let r = ic
        .encrypt(ia::EncryptRequest::new(
            "key-test0000000000000aes",
            b"hello world".to_vec(),
        ))
        .await
        .unwrap();
    assert_eq!(r.request_id, "00000000-0000-0000-0000-000000000001");
    assert_eq!(gw.seen().len(), 7);
}

#[tokio::test]
async fn a_missing_or_wrong_ca_fails_the_handshake_clearly() {
    let gw = gateway().await;
    for ca in [None, Some(testdata("clientkey_cert.pem"))] {
        let mut b = ClientConfig::builder()
            .instance_endpoint(gw.endpoint())
            .client_key(client_key());
        if let Some(ca) = ca {
            b = b.ca_file(ca);
        }
        let e = Client::new(b.build().unwrap())
            .unwrap()
            .instance()
            .unwrap()
            .generate_random(ia::GenerateRandomRequest::new(8))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::TlsFailed, "{e}");
        assert!(!e.is_retryable());
    }
    assert!(gw.seen().is_empty());
}

/// A DecryptResponse body written by hand.
fn decrypt_answer(plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    pb_len(&mut out, 1, b"key-test0000000000000aes");
    pb_len(&mut out, 2, plaintext);
    pb_len(&mut out, 3, b"R-DEC");
    pb_len(&mut out, 6, b"00000000-aaaa-bbbb-cccc-000000000001");
    out
}

#[tokio::test]
async fn with_both_gateways_data_plane_calls_go_to_the_instance_and_management_to_shared() {
    let gw = gateway().await;
    let shared = support::TestServer::start().await;
    let client = Client::new(
        builder(&gw)
            .endpoint(shared.endpoint())
            .credentials(Credentials::access_key(support::AK, support::SK).unwrap())
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(client.route(), Route::Auto);
    let ctx: EncryptionContext = [("b", "2"), ("a", "1")].into_iter().collect();

    // Encrypt -> AdvanceEncrypt with the unified SDK's AAD; the blob comes back in the shared
    // gateway's form (header dropped).
    gw.script(200, captured_body("Transfer_advance_Encrypt"));
    let r = client
        .encrypt(
            kmskit::EncryptRequest::new("key-test0000000000000aes", b"hi".to_vec())
                .encryption_context(ctx.clone()),
        )
        .await
        .unwrap();
    let transfer = case("Transfer_advance_Encrypt");
    assert_eq!(
        r.ciphertext_blob,
        transfer["client_result"]["body"]["CiphertextBlob"]
            .as_str()
            .unwrap()
    );
    assert_eq!(r.key_version_id, "00000000-aaaa-bbbb-cccc-000000000001");
    let sent = &gw.seen()[0];
    assert_eq!(sent.header("x-kms-apiname"), "AdvanceEncrypt");
    let captured_aad = b64d(
        transfer["exchanges"][0]["request"]["body_decoded"]["Aad"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(pb_field(&sent.body, 4).unwrap(), captured_aad);
    assert_eq!(
        pb_field(&sent.body, 2).unwrap(),
        b"aGk=",
        "the base64 text, as on the shared gateway"
    );

    // Decrypt -> AdvanceDecrypt with the header restored.
    gw.script(200, decrypt_answer(b"aGk="));
    let d = client
        .decrypt(kmskit::DecryptRequest::new(r.ciphertext_blob.clone()).encryption_context(ctx))
        .await
        .unwrap();
    assert_eq!(d.plaintext.expose(), b"hi");
    let sent = &gw.seen()[1];
    assert_eq!(sent.header("x-kms-apiname"), "AdvanceDecrypt");
    let advance_blob = b64d(
        transfer["exchanges"][0]["response"]["body_decoded"]["CiphertextBlob"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(pb_field(&sent.body, 1).unwrap(), advance_blob);

    // GenerateDataKey -> AdvanceGenerateDataKey + AdvanceEncrypt(base64(key)).
    let mut key_answer = Vec::new();
    pb_len(&mut key_answer, 1, b"key-test0000000000000aes");
    pb_len(&mut key_answer, 3, &[0x42; 32]);
    pb_len(&mut key_answer, 5, b"R-GDK");
    gw.script(200, key_answer);
    gw.script(200, captured_body("Transfer_advance_Encrypt"));
    let k = client
        .generate_data_key(kmskit::GenerateDataKeyRequest::new(
            "key-test0000000000000aes",
        ))
        .await
        .unwrap();
    assert_eq!(k.plaintext.expose(), &[0x42; 32]);
    let seen = gw.seen();
    assert_eq!(seen[2].header("x-kms-apiname"), "AdvanceGenerateDataKey");
    assert_eq!(seen[3].header("x-kms-apiname"), "AdvanceEncrypt");
    assert_eq!(
        pb_field(&seen[3].body, 2).unwrap(),
        base64::engine::general_purpose::STANDARD
            .encode([0x42; 32])
            .into_bytes()
    );

    // GetSecretValue -> GetSecretValue, in the shared API's response shape.
    gw.script(200, captured_body("GetSecretValue"));
    let s = client
        .get_secret_value(kmskit::GetSecretValueRequest::new("test-secret"))
        .await
        .unwrap();
    assert_eq!(s.version_stages, vec!["ACSCurrent".to_string()]);
    assert_eq!(s.automatic_rotation.as_deref(), Some("Disabled"));
    assert_eq!(s.rotation_interval, None);
    assert_eq!(gw.seen().len(), 5);
    assert_eq!(shared.count(), 0);

    // Management calls, and anything on the shared view, go to the shared gateway.
    shared.set_default(support::Behaviour::Ok(support::OK_ENCRYPT.to_owned()));
    client
        .call("DescribeKey", serde_json::Map::new())
        .await
        .unwrap();
    let r = client
        .shared()
        .encrypt(kmskit::EncryptRequest::new("key-1", b"x".to_vec()))
        .await
        .unwrap();
    assert_eq!(r.request_id, "R-OK");
    assert_eq!(shared.count(), 2);
    assert!(shared.recorded().iter().all(|r| r.signature_ok.is_ok()));
    assert_eq!(gw.seen().len(), 5);

    // A config-level route too.
    let shared_first = Client::new(
        builder(&gw)
            .endpoint(shared.endpoint())
            .credentials(Credentials::access_key(support::AK, support::SK).unwrap())
            .route(Route::Shared)
            .build()
            .unwrap(),
    )
    .unwrap();
    shared_first
        .encrypt(kmskit::EncryptRequest::new("key-1", b"x".to_vec()))
        .await
        .unwrap();
    assert_eq!(shared.count(), 3);
}

#[tokio::test]
async fn without_a_client_key_the_dedicated_route_is_a_configuration_error() {
    let c = Client::new(
        ClientConfig::builder()
            .region("cn-hangzhou")
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        c.instance().unwrap_err().code(),
        ErrorCode::InvalidConfiguration
    );
    let e = c
        .dedicated()
        .encrypt(kmskit::EncryptRequest::new("k", b"x".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfiguration);
    for b in [
        ClientConfig::builder().region("r").instance_id("kst-1"),
        ClientConfig::builder().region("r").route(Route::Dedicated),
        ClientConfig::builder().region("r").client_key(client_key()),
    ] {
        assert_eq!(
            b.build().unwrap_err().code(),
            ErrorCode::InvalidConfiguration
        );
    }
    // The instance id alone names both gateways' endpoint.
    let c = ClientConfig::builder()
        .instance_id("kst-test0000000000000000")
        .client_key(client_key())
        .build()
        .unwrap();
    assert_eq!(
        c.instance_endpoint().unwrap().authority,
        "kst-test0000000000000000.cryptoservice.kms.aliyuncs.com"
    );
    assert_eq!(c.endpoint(), c.instance_endpoint().unwrap());
    assert_eq!("shared".parse::<Route>().unwrap(), Route::Shared);
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let key = client_key();
    let c = ClientConfig::builder()
        .instance_id("kst-1")
        .client_key(key)
        .build()
        .unwrap();
    let shown = format!("{c:?}");
    assert!(shown.contains(KEY_ID));
    assert!(!shown.contains("MII"));
    let _ = SecretString::new("unused");
}
