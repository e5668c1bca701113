//! A scripted KMS stand-in for retry and transport tests: a raw HTTP/1.1 server on 127.0.0.1
//! that verifies each request's signature with its own code (the `hmac`/`sha2`/`sha1` crates and
//! its own canonicalisation, never kmskit's signer), records it, and answers with the next
//! scripted behaviour: a JSON body, a KMS error, a delay, or a dropped connection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const AK: &str = "LTAI5tTestAccessKey";
pub const SK: &str = "test-secret-0123456789";

#[derive(Clone, Debug)]
pub enum Behaviour {
    Ok(String),
    Error {
        status: u16,
        code: String,
        retry_after_ms: Option<u64>,
    },
    Raw {
        status: u16,
        content_type: String,
        body: String,
    },
    Delay(Duration, String),
    Drop,
}

pub fn kms_error(status: u16, code: &str) -> Behaviour {
    Behaviour::Error {
        status,
        code: code.to_owned(),
        retry_after_ms: None,
    }
}

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub signature_ok: Result<(), String>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Behaviour>,
    default: Option<Behaviour>,
    recorded: Vec<Recorded>,
}

#[derive(Clone)]
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let s = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move { serve_connection(sock, s).await });
            }
        });
        TestServer { addr, state }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Behaviours for the next requests, in order; after them, `default` (or a plain OK).
    pub fn script(&self, items: impl IntoIterator<Item = Behaviour>) {
        self.state.lock().unwrap().script.extend(items);
    }

    pub fn set_default(&self, b: Behaviour) {
        self.state.lock().unwrap().default = Some(b);
    }

    pub fn recorded(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().recorded.clone()
    }

    pub fn count(&self) -> usize {
        self.state.lock().unwrap().recorded.len()
    }
}

pub const OK_ENCRYPT: &str =
    r#"{"CiphertextBlob":"Y2lwaGVy","KeyId":"key-1","KeyVersionId":"v-1","RequestId":"R-OK"}"#;

async fn serve_connection(mut sock: TcpStream, state: Arc<Mutex<State>>) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let Some((method, target, headers, body)) = read_request(&mut sock, &mut buf).await else {
            return;
        };
        let signature_ok = verify(&method, &target, &headers, &body);
        let behaviour = {
            let mut st = state.lock().unwrap();
            st.recorded.push(Recorded {
                method,
                target,
                headers,
                body,
                signature_ok: signature_ok.clone(),
            });
            st.script
                .pop_front()
                .or_else(|| st.default.clone())
                .unwrap_or(Behaviour::Ok(OK_ENCRYPT.into()))
        };
        let (status, ctype, body, extra) = match (signature_ok, behaviour) {
            (Err(e), _) => (
                400,
                "application/json".to_owned(),
                format!(
                    r#"{{"Code":"SignatureDoesNotMatch","Message":{:?},"RequestId":"R-SIG"}}"#,
                    e
                ),
                String::new(),
            ),
            (Ok(()), Behaviour::Ok(b)) => (200, "application/json".to_owned(), b, String::new()),
            (
                Ok(()),
                Behaviour::Error {
                    status,
                    code,
                    retry_after_ms,
                },
            ) => {
                let extra = retry_after_ms
                    .map(|ms| format!("x-acs-retry-after: {ms}\r\n"))
                    .unwrap_or_default();
                (
                    status,
                    "application/json".to_owned(),
                    format!(
                        r#"{{"RequestId":"R-{status}","HostId":"kms.test","Code":"{code}","Message":"scripted {code}","Recommend":"https://example.invalid"}}"#
                    ),
                    extra,
                )
            }
            (
                Ok(()),
                Behaviour::Raw {
                    status,
                    content_type,
                    body,
                },
            ) => (status, content_type, body, String::new()),
            (Ok(()), Behaviour::Delay(d, b)) => {
                tokio::time::sleep(d).await;
                (200, "application/json".to_owned(), b, String::new())
            }
            (Ok(()), Behaviour::Drop) => return,
        };
        let resp = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\n{extra}connection: keep-alive\r\n\r\n{body}",
            body.len()
        );
        if sock.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

type Request = (String, String, Vec<(String, String)>, Vec<u8>);

async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap_or(0))
        .unwrap_or(0);
    let total = head_end + 4 + len;
    while buf.len() < total {
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end + 4..total].to_vec();
    buf.drain(..total);
    Some((method, target, headers, body))
}

// --- an independent verifier -------------------------------------------------------------

fn unform(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'+' {
            out.push(b' ');
        } else if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 2;
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query_pairs(target: &str) -> Vec<(String, String)> {
    let q = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unform(k), unform(v))
        })
        .collect()
}

pub fn verify(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), String> {
    let h = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if let Some(auth) = h("authorization") {
        let rest = auth.strip_prefix("ACS3-HMAC-SHA256 ").ok_or("not ACS3")?;
        let mut cred = "";
        let mut signed = "";
        let mut sig = "";
        for part in rest.split(',') {
            let (k, v) = part.split_once('=').ok_or("bad auth")?;
            match k {
                "Credential" => cred = v,
                "SignedHeaders" => signed = v,
                "Signature" => sig = v,
                _ => {}
            }
        }
        if cred != AK && !cred.starts_with("STS.") {
            return Err(format!("unknown access key {cred}"));
        }
        let hash = hex::encode(Sha256::digest(body));
        if h("x-acs-content-sha256").as_deref() != Some(hash.as_str()) {
            return Err("content hash mismatch".into());
        }
        for required in [
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        ] {
            if !signed.split(';').any(|s| s == required) {
                return Err(format!("{required} not signed"));
            }
        }
        let mut q = query_pairs(target);
        q.sort();
        let cq: Vec<String> = q
            .iter()
            .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
            .collect();
        let mut canon = format!("{method}\n/\n{}\n", cq.join("&"));
        for name in signed.split(';') {
            canon += &format!(
                "{name}:{}\n",
                h(name).ok_or(format!("signed header {name} missing"))?
            );
        }
        canon += &format!("\n{signed}\n{hash}");
        let sts = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(canon.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(SK.as_bytes()).unwrap();
        mac.update(sts.as_bytes());
        let expected = hex::encode(mac.finalize().into_bytes());
        if expected != sig {
            return Err("signature mismatch".into());
        }
        Ok(())
    } else {
        // RPC V1: Signature in the query, body params signed too.
        let mut q = query_pairs(target);
        let sig = q
            .iter()
            .find(|(k, _)| k == "Signature")
            .map(|(_, v)| v.clone())
            .ok_or("no signature")?;
        q.retain(|(k, _)| k != "Signature");
        if h("content-type").as_deref() == Some("application/x-www-form-urlencoded") {
            q.extend(query_pairs(&format!("?{}", String::from_utf8_lossy(body))));
        }
        q.sort();
        let canon: Vec<String> = q
            .iter()
            .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
            .collect();
        let sts = format!("{method}&%2F&{}", pct(&canon.join("&")));
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{SK}&").as_bytes()).unwrap();
        mac.update(sts.as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        if expected != sig {
            return Err("rpc signature mismatch".into());
        }
        Ok(())
    }
}
