//! HTTPS: a TLS server on 127.0.0.1 with the shared test certificate (issued by the test
//! private-KMS CA). With that CA configured the call succeeds; without it, or with an unrelated
//! CA, the handshake fails with a typed, non-retryable TLS error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kmskit::{Client, ClientConfig, Credentials, EncryptRequest, ErrorCode, RetryPolicy};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn testdata(name: &str) -> PathBuf {
    let shared = std::env::var_os("KMSKIT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    shared.join("testdata/clientkey").join(name)
}

const BODY: &str =
    r#"{"CiphertextBlob":"Y2lwaGVy","KeyId":"key-1","KeyVersionId":"v-1","RequestId":"R-TLS"}"#;

async fn tls_server() -> (u16, Arc<AtomicUsize>) {
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
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = tls.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        buf.drain(..end + 4);
                        counter.fetch_add(1, Ordering::SeqCst);
                        let resp = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}", BODY.len());
                        if tls.write_all(resp.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (port, served)
}

fn client(port: u16, ca: Option<PathBuf>) -> Client {
    let mut b = ClientConfig::builder()
        .endpoint(format!("https://127.0.0.1:{port}"))
        .credentials(Credentials::access_key("AK", "SK").unwrap())
        .retry_policy(RetryPolicy::default());
    if let Some(ca) = ca {
        b = b.ca_file(ca);
    }
    Client::new(b.build().unwrap()).unwrap()
}

#[tokio::test]
async fn the_instance_ca_makes_tls_work_and_connections_are_reused() {
    let (port, served) = tls_server().await;
    let c = client(
        port,
        Some(testdata("PrivateKmsCA_kst-test0000000000000000.pem")),
    );
    for _ in 0..3 {
        let r = c
            .encrypt(EncryptRequest::new("k", b"x".to_vec()))
            .await
            .unwrap();
        assert_eq!(r.request_id, "R-TLS");
    }
    assert_eq!(served.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn without_the_ca_the_handshake_fails_clearly_and_is_not_retried() {
    let (port, served) = tls_server().await;
    let e = client(port, None)
        .encrypt(EncryptRequest::new("k", b"x".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TlsFailed, "{e}");
    assert!(!e.is_retryable());
    assert!(e.message().contains("CA"), "{e}");
    // A CA that did not issue the server's certificate: a self-signed leaf is no anchor for it.
    let e = client(port, Some(testdata("clientkey_cert.pem")))
        .encrypt(EncryptRequest::new("k", b"x".to_vec()))
        .await;
    assert_eq!(e.unwrap_err().code(), ErrorCode::TlsFailed);
    assert_eq!(served.load(Ordering::SeqCst), 0);
}
