//! Test client for the dedicated gateway: raw HTTP/1.1 over tokio-rustls (verified against the
//! emulator's CA), an Instance API signer written here from the reference (not the emulator's
//! verifier, not core's signer), and an RPC V1 signer for OpenAPI calls over TLS.
#![allow(dead_code)]

use std::sync::Arc;

use base64::Engine;
use kmskit_emulator::dedicated::proto;
use kmskit_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use prost::Message;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rustls_pki_types::ServerName;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const TEST_KEY_ID: &str = "KAAP.00000000-1111-2222-3333-444444444444";

pub fn testdata(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/testdata/clientkey")
        .join(name)
}

pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

pub fn test_private_key() -> rsa::RsaPrivateKey {
    let pem = std::fs::read_to_string(testdata("clientkey_private.pem")).unwrap();
    rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap()
}

/// An emulator with the shared test ClientKey accepted.
pub async fn start_with(mut config: EmulatorConfig) -> RunningEmulator {
    config
        .dedicated
        .client_keys
        .push(kmskit_emulator::dedicated::ClientKeyPublic {
            key_id: TEST_KEY_ID.to_owned(),
            public_key_pem: std::fs::read_to_string(testdata("clientkey_public.pem")).unwrap(),
        });
    Emulator::start(config).await.unwrap()
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn tls_config(ca_pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::pem::PemObject::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    Arc::new(config)
}

/// One request on a fresh TLS connection (`Connection: close`), server name `sni`.
pub async fn https(
    emu: &RunningEmulator,
    sni: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> HttpResponse {
    let connector = tokio_rustls::TlsConnector::from(tls_config(emu.dedicated_ca_pem().unwrap()));
    let tcp = tokio::net::TcpStream::connect(emu.dedicated_addr().unwrap())
        .await
        .unwrap();
    let name = ServerName::try_from(sni.to_owned()).unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    let mut has_host = false;
    for (n, v) in headers {
        if n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("connection") {
            continue;
        }
        has_host |= n.eq_ignore_ascii_case("host");
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if !has_host {
        head.push_str(&format!("host: {sni}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.write_all(body).await.unwrap();
    tls.flush().await.unwrap();
    let mut raw = Vec::new();
    // The server may close without close_notify after `Connection: close`; what was read counts.
    let _ = tls.read_to_end(&mut raw).await;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> HttpResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no HTTP head in response");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

pub fn http_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The Instance API signature as the reference describes it (§2), computed independently.
pub fn sign_headers(key: &rsa::RsaPrivateKey, headers: &mut Vec<(String, String)>, method: &str) {
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut kms: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-kms-"))
        .cloned()
        .collect();
    kms.sort();
    let mut sts = format!(
        "{method}\n{}\n{}\n{}\n",
        get("content-sha256"),
        get("content-type"),
        get("date")
    );
    for (k, v) in kms {
        sts.push_str(&format!("{k}:{}\n", v.trim()));
    }
    sts.push('/');
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let sig = signer.sign(sts.as_bytes()).to_vec();
    headers.push(("authorization".into(), format!("Bearer {}", b64(&sig))));
}

/// Builds the headers the official SDK sends for `api` with `body`, signed with `key`.
pub fn instance_headers(
    key: &rsa::RsaPrivateKey,
    key_id: &str,
    api: &str,
    body: &[u8],
    date: &str,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = vec![
        ("accept".into(), "application/x-protobuf".into()),
        ("date".into(), date.into()),
        ("x-kms-apiversion".into(), "dkms-gcs-0.2".into()),
        ("x-kms-apiname".into(), api.into()),
        ("x-kms-signaturemethod".into(), "RSA_PKCS1_SHA_256".into()),
        ("x-kms-acccesskeyid".into(), key_id.into()),
        ("content-type".into(), "application/x-protobuf".into()),
        (
            "content-sha256".into(),
            hex::encode_upper(Sha256::digest(body)),
        ),
    ];
    for (k, v) in extra {
        h.push(((*k).into(), (*v).into()));
    }
    sign_headers(key, &mut h, "POST");
    h
}

/// An Instance API client with one ClientKey.
pub struct Instance<'a> {
    pub emu: &'a RunningEmulator,
    pub key: rsa::RsaPrivateKey,
    pub key_id: String,
}

impl<'a> Instance<'a> {
    pub fn test_key(emu: &'a RunningEmulator) -> Self {
        Instance {
            emu,
            key: test_private_key(),
            key_id: TEST_KEY_ID.to_owned(),
        }
    }

    pub async fn raw(&self, api: &str, body: &[u8], extra: &[(&str, &str)]) -> HttpResponse {
        let h = instance_headers(
            &self.key,
            &self.key_id,
            api,
            body,
            &http_date(chrono::Utc::now()),
            extra,
        );
        let host = self.emu.dedicated_host().unwrap();
        https(self.emu, &host, "POST", "/", &h, body).await
    }

    pub async fn call<Resp: Message + Default>(
        &self,
        api: &str,
        req: &impl Message,
    ) -> Result<Resp, proto::Error> {
        self.call_with(api, req, &[]).await.map(|(r, _)| r)
    }

    pub async fn call_with<Resp: Message + Default>(
        &self,
        api: &str,
        req: &impl Message,
        extra: &[(&str, &str)],
    ) -> Result<(Resp, HttpResponse), proto::Error> {
        let resp = self.raw(api, &req.encode_to_vec(), extra).await;
        if resp.status == 200 {
            assert_eq!(resp.header("content-type"), Some("application/x-protobuf"));
            Ok((Resp::decode(resp.body.as_slice()).unwrap(), resp))
        } else {
            Err(expect_error(&resp))
        }
    }

    pub async fn ok<Resp: Message + Default>(&self, api: &str, req: &impl Message) -> Resp {
        match self.call(api, req).await {
            Ok(r) => r,
            Err(e) => panic!("{api} failed: {e:?}"),
        }
    }
}

/// Decodes a protobuf `Error` and checks it agrees with the HTTP status.
pub fn expect_error(resp: &HttpResponse) -> proto::Error {
    assert!(resp.status >= 400, "expected an error, got {}", resp.status);
    let e = proto::Error::decode(resp.body.as_slice()).expect("error body is not a protobuf Error");
    assert_eq!(e.status_code, i32::from(resp.status));
    assert!(!e.request_id.is_empty(), "Error has no RequestId");
    assert!(!e.error_code.is_empty());
    e
}

/// OpenAPI over the dedicated listener, RPC V1 (HMAC-SHA1) GET: written here to prove the same
/// RAM-authenticated service answers on the TLS port.
pub async fn openapi_over_tls(
    emu: &RunningEmulator,
    action: &str,
    params: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    use hmac::{Hmac, Mac};
    fn pct(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    let cred = emu.credential();
    let mut q: Vec<(String, String)> = vec![
        ("Action".into(), action.into()),
        ("Version".into(), "2016-01-20".into()),
        ("Format".into(), "JSON".into()),
        ("AccessKeyId".into(), cred.access_key_id.clone()),
        ("SignatureMethod".into(), "HMAC-SHA1".into()),
        ("SignatureVersion".into(), "1.0".into()),
        ("SignatureNonce".into(), uuid::Uuid::new_v4().to_string()),
        (
            "Timestamp".into(),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
    ];
    for (k, v) in params {
        q.push(((*k).into(), (*v).into()));
    }
    q.sort();
    let canonical = q
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sts = format!("GET&%2F&{}", pct(&canonical));
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(format!("{}&", cred.access_key_secret).as_bytes())
            .unwrap();
    mac.update(sts.as_bytes());
    let sig = b64(&mac.finalize().into_bytes());
    let target = format!("/?{canonical}&Signature={}", pct(&sig));
    let host = emu.dedicated_host().unwrap();
    let resp = https(emu, &host, "GET", &target, &[], b"").await;
    (resp.status, serde_json::from_slice(&resp.body).unwrap())
}
