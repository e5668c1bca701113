//! Test harness: a tiny ACS3-HMAC-SHA256 signer written here from the protocol notes (sharing
//! nothing with `core/` or the emulator's verifier) and a reqwest client around it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hmac::{Hmac, Mac};
use kmskit_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// RFC 3986 encoding (valid on the wire too: `%20` form-decodes to a space).
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sorted_query(params: &[(String, String)]) -> String {
    let mut p: Vec<_> = params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    p.sort();
    p.join("&")
}

/// Knobs for building deliberately wrong requests.
#[derive(Clone, Debug, Default)]
pub struct Sign {
    pub date: Option<String>,
    pub nonce: Option<String>,
    pub secret: Option<String>,
    pub ak: Option<String>,
    pub method: Option<&'static str>,
    pub version: Option<String>,
    pub no_auth: bool,
}

pub struct Kms {
    pub http: reqwest::Client,
    pub endpoint: String,
    pub ak: String,
    pub secret: String,
    pub admin_token: String,
}

pub fn now_date() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub async fn start() -> (RunningEmulator, Kms) {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let kms = Kms::new(
        &emu.endpoint(),
        &emu.credential().access_key_id,
        &emu.credential().access_key_secret,
        emu.admin_token(),
    );
    (emu, kms)
}

impl Kms {
    pub fn new(endpoint: &str, ak: &str, secret: &str, admin_token: &str) -> Self {
        Kms {
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            ak: ak.to_owned(),
            secret: secret.to_owned(),
            admin_token: admin_token.to_owned(),
        }
    }

    /// Sends one ACS3-signed request; `SecretData`/`Recipient` travel in a form body like the SDK.
    pub async fn send(
        &self,
        action: &str,
        params: &[(&str, &str)],
        s: Sign,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let host = self.endpoint.trim_start_matches("http://").to_owned();
        let (body_params, query_params): (Vec<_>, Vec<_>) = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .partition(|(k, _)| k == "SecretData" || k == "Recipient");
        let query = sorted_query(&query_params);
        let body = if body_params.is_empty() {
            String::new()
        } else {
            sorted_query(&body_params)
        };
        let body_hash = hex::encode(Sha256::digest(body.as_bytes()));
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), host),
            ("x-acs-action".into(), action.into()),
            (
                "x-acs-version".into(),
                s.version.clone().unwrap_or_else(|| "2016-01-20".into()),
            ),
            ("x-acs-date".into(), s.date.clone().unwrap_or_else(now_date)),
            (
                "x-acs-signature-nonce".into(),
                s.nonce
                    .clone()
                    .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
            ),
            ("x-acs-content-sha256".into(), body_hash.clone()),
            ("accept".into(), "application/json".into()),
        ];
        if !body_params.is_empty() {
            headers.push((
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
        }
        headers.sort();
        let method = s.method.unwrap_or("POST");
        let canon_headers: String = headers
            .iter()
            .map(|(k, v)| format!("{k}:{}\n", v.trim()))
            .collect();
        let signed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
        let canonical = format!(
            "{method}\n/\n{query}\n{canon_headers}\n{}\n{body_hash}",
            signed.join(";")
        );
        let sts = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let secret = s.secret.clone().unwrap_or_else(|| self.secret.clone());
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(sts.as_bytes());
        let sig = hex::encode(mac.finalize().into_bytes());
        let ak = s.ak.clone().unwrap_or_else(|| self.ak.clone());
        let url = if query.is_empty() {
            format!("{}/", self.endpoint)
        } else {
            format!("{}/?{query}", self.endpoint)
        };
        let mut req = self.http.request(method.parse().unwrap(), url);
        for (k, v) in &headers {
            if k != "host" {
                req = req.header(k, v);
            }
        }
        if !s.no_auth {
            req = req.header(
                "Authorization",
                format!(
                    "ACS3-HMAC-SHA256 Credential={ak},SignedHeaders={},Signature={sig}",
                    signed.join(";")
                ),
            );
        }
        let resp = req.body(body).send().await.unwrap();
        let status = resp.status().as_u16();
        let hdrs = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("non-JSON response {status}: {text}"));
        (status, hdrs, json)
    }

    pub async fn call(&self, action: &str, params: &[(&str, &str)]) -> (u16, Value) {
        let (s, _, v) = self.send(action, params, Sign::default()).await;
        (s, v)
    }

    /// A call that must succeed; returns the body.
    pub async fn ok(&self, action: &str, params: &[(&str, &str)]) -> Value {
        let (status, v) = self.call(action, params).await;
        assert_eq!(status, 200, "{action} failed: {v}");
        assert_request_id(&v);
        v
    }

    /// A call that must fail; returns (status, code) after checking the error shape.
    pub async fn err(&self, action: &str, params: &[(&str, &str)]) -> (u16, String) {
        let (status, v) = self.call(action, params).await;
        assert!(status >= 400, "{action} unexpectedly succeeded: {v}");
        assert_error_shape(&v);
        (status, v["Code"].as_str().unwrap().to_owned())
    }

    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.endpoint))
            .bearer_auth(&self.admin_token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn new_key(&self, spec: &str, usage: Option<&str>) -> String {
        let mut p = vec![("KeySpec", spec)];
        if let Some(u) = usage {
            p.push(("KeyUsage", u));
        }
        self.ok("CreateKey", &p).await["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub fn assert_request_id(v: &Value) {
    let id = v["RequestId"].as_str().expect("RequestId");
    assert!(
        uuid::Uuid::parse_str(id).is_ok() && id == id.to_ascii_uppercase(),
        "RequestId {id}"
    );
}

pub fn assert_error_shape(v: &Value) {
    assert_request_id(v);
    for k in ["HostId", "Code", "Message", "Recommend"] {
        assert!(v[k].is_string(), "error lacks {k}: {v}");
    }
    assert_eq!(v["HostId"], "kms.cn-hangzhou.aliyuncs.com");
}
