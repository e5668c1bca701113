//! Fakes shared by the credentials tests: a tiny HTTP/1.1 server on 127.0.0.1:0 that records
//! every request and answers from a closure, and exact clock / nonce / jitter / sleeper hooks.
#![allow(dead_code)]

use kmskit::config::{Clock, JitterSource, NonceSource, Sleeper};
use kmskit::credentials::CredentialHooks;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const T0: u64 = 1_700_000_000;
pub const AK: &str = "LTAI5tTestAccessKeyId";
pub const SK: &str = "TestAccessKeySecret0123456789";
pub const ROLE_ARN: &str = "acs:ram::1234567890123456:role/test-role";
pub const OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-test";

#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn query(&self) -> Vec<(String, String)> {
        pairs(self.target.split_once('?').map(|(_, q)| q).unwrap_or(""))
    }
    pub fn form(&self) -> Vec<(String, String)> {
        pairs(&self.body)
    }
}

pub fn pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                kmskit::signing::encode::form_decode(k),
                kmskit::signing::encode::form_decode(v),
            )
        })
        .collect()
}

type Handler = dyn Fn(&Req) -> (u16, String) + Send + Sync;

/// A recording HTTP server.
pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Req>>>,
    handler: Arc<Mutex<Arc<Handler>>>,
    /// Delay before each answer (to make concurrent callers overlap).
    pub delay: Arc<Mutex<Duration>>,
}

impl Server {
    pub async fn start(handler: impl Fn(&Req) -> (u16, String) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Mutex<Arc<Handler>>> = Arc::new(Mutex::new(Arc::new(handler)));
        let delay = Arc::new(Mutex::new(Duration::ZERO));
        let (r, h, d) = (requests.clone(), handler.clone(), delay.clone());
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (r, h, d) = (r.clone(), h.clone(), d.clone());
                tokio::spawn(async move { serve(sock, r, h, d).await });
            }
        });
        Server {
            url,
            requests,
            handler,
            delay,
        }
    }

    pub fn set_handler(&self, handler: impl Fn(&Req) -> (u16, String) + Send + Sync + 'static) {
        *self.handler.lock().unwrap() = Arc::new(handler);
    }

    pub fn set_delay(&self, d: Duration) {
        *self.delay.lock().unwrap() = d;
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn authority(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }
}

async fn serve(
    mut sock: tokio::net::TcpStream,
    requests: Arc<Mutex<Vec<Req>>>,
    handler: Arc<Mutex<Arc<Handler>>>,
    delay: Arc<Mutex<Duration>>,
) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 4096];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let first = lines.next().unwrap_or("");
        let mut parts = first.split(' ');
        let method = parts.next().unwrap_or("").to_owned();
        let target = parts.next().unwrap_or("").to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        buf.drain(..head_end + 4);
        while buf.len() < len {
            let mut chunk = [0u8; 4096];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buf[..len]).into_owned();
        buf.drain(..len);
        let req = Req {
            method,
            target,
            headers,
            body,
        };
        requests.lock().unwrap().push(req.clone());
        let h = handler.lock().unwrap().clone();
        let (status, text) = h(&req);
        let d = *delay.lock().unwrap();
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
        let resp = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if sock.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A settable clock starting at T0.
#[derive(Debug)]
pub struct TestClock(Mutex<SystemTime>);

impl TestClock {
    pub fn new() -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(UNIX_EPOCH + Duration::from_secs(T0))))
    }
    pub fn set(&self, unix: u64) {
        *self.0.lock().unwrap() = UNIX_EPOCH + Duration::from_secs(unix);
    }
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// `00000000-0000-4000-8000-<12-digit counter>` from 1, like the captured vectors.
pub struct CountingNonce(AtomicU64);
impl NonceSource for CountingNonce {
    fn nonce(&self) -> String {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        format!("00000000-0000-4000-8000-{n:012}")
    }
}

pub struct FixedJitter(pub f64);
impl JitterSource for FixedJitter {
    fn unit(&self) -> f64 {
        self.0
    }
}

/// Returns at once; records the total asked for.
#[derive(Default)]
pub struct NoSleep(pub Mutex<Duration>);
impl Sleeper for NoSleep {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        *self.0.lock().unwrap() += d;
        Box::pin(async {})
    }
}

/// Hooks over `clock`, counting nonces from 1, jitter 0, no sleeping.
pub fn hooks(clock: &Arc<TestClock>) -> CredentialHooks {
    CredentialHooks {
        clock: clock.clone(),
        nonce: Arc::new(CountingNonce(AtomicU64::new(0))),
        sleeper: Arc::new(NoSleep::default()),
        jitter: Arc::new(FixedJitter(0.0)),
    }
}

pub fn iso(unix: u64) -> String {
    kmskit::signing::format_timestamp(unix)
}

/// An STS answer with credentials numbered `n`, expiring at `exp`.
pub fn sts_answer(n: u32, exp: u64) -> String {
    format!(
        r#"{{"RequestId":"REQ-{n:04}","AssumedRoleUser":{{"AssumedRoleId":"3:s","Arn":"arn"}},"Credentials":{{"SecurityToken":"CAISSTSSecurityToken{n:04}","AccessKeyId":"STS.NAccessKeyId{n:04}","AccessKeySecret":"AccessKeySecret{n:04}","Expiration":"{}"}}}}"#,
        iso(exp)
    )
}

/// An IMDS credentials answer numbered `n`, expiring at `exp`.
pub fn imds_answer(n: u32, exp: u64) -> String {
    format!(
        r#"{{"AccessKeyId":"STS.NEcsKeyId{n:04}","AccessKeySecret":"EcsSecret{n:04}","Expiration":"{}","SecurityToken":"CAISEcsToken{n:04}","LastUpdated":"{}","Code":"Success"}}"#,
        iso(exp),
        iso(T0)
    )
}

/// An independent RPC V1 signature check (RFC 3986 canonicalisation, HMAC-SHA1).
pub fn spec_signature(method: &str, params: &[(String, String)], secret: &str) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    fn enc(s: &str) -> String {
        let mut o = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                o.push(b as char);
            } else {
                o.push_str(&format!("%{b:02X}"));
            }
        }
        o
    }
    let mut p: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "Signature").collect();
    p.sort_by(|a, b| a.0.cmp(&b.0));
    let canon: Vec<String> = p
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    let sts = format!("{method}&%2F&{}", enc(&canon.join("&")));
    let mut mac =
        hmac::Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "kmskit-creds-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
    /// Writes `rel` (creating parent directories) and returns its path as text.
    pub fn write(&self, rel: &str, content: &str) -> String {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
