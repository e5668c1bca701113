//! Helpers for the STS / metadata suites: an RPC V1 (HMAC-SHA1) signer and an ACS3 signer that
//! carries a security token, both written here from the protocol notes (sharing nothing with the
//! emulator's verifier or `core/`), plus raw calls to STS, the metadata service and KMS.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine;
use hmac::{Hmac, Mac};
use kmskit_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// RFC 3986 (`%20` for a space, `*` encoded, `~` kept).
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

pub fn canonical(params: &[(String, String)]) -> String {
    let mut p: Vec<_> = params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    p.sort();
    p.join("&")
}

/// base64(HMAC-SHA1(secret&, METHOD&%2F&enc(canonical))).
pub fn rpc_signature(method: &str, params: &[(String, String)], secret: &str) -> String {
    let sts = format!("{method}&%2F&{}", enc(&canonical(params)));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub fn now_date() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub async fn start(config: EmulatorConfig) -> RunningEmulator {
    Emulator::start(config).await.unwrap()
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// An AccessKey, optionally temporary.
#[derive(Clone, Debug)]
pub struct Key {
    pub id: String,
    pub secret: String,
    pub token: Option<String>,
}

impl Key {
    pub fn of(emu: &RunningEmulator) -> Key {
        Key {
            id: emu.credential().access_key_id.clone(),
            secret: emu.credential().access_key_secret.clone(),
            token: None,
        }
    }
    /// From an STS `Credentials` object or a metadata credentials document.
    pub fn from_json(c: &Value) -> Key {
        Key {
            id: c["AccessKeyId"].as_str().unwrap().to_owned(),
            secret: c["AccessKeySecret"].as_str().unwrap().to_owned(),
            token: Some(c["SecurityToken"].as_str().unwrap().to_owned()),
        }
    }
}

/// The RPC protocol parameters plus the action's, signed for `method`.
pub fn rpc_params(
    method: &str,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = vec![
        ("Action".into(), action.into()),
        ("Format".into(), "JSON".into()),
        ("Version".into(), version.into()),
        ("SignatureMethod".into(), "HMAC-SHA1".into()),
        ("SignatureVersion".into(), "1.0".into()),
        ("Timestamp".into(), now_date()),
        ("SignatureNonce".into(), uuid::Uuid::new_v4().to_string()),
        ("AccessKeyId".into(), key.id.clone()),
    ];
    if let Some(t) = &key.token {
        all.push(("SecurityToken".into(), t.clone()));
    }
    all.extend(
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let sig = rpc_signature(method, &all, &key.secret);
    all.push(("Signature".into(), sig));
    all
}

async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON {status}: {text}"));
    (status, v)
}

/// Python/Java style: GET, everything in the query.
pub async fn rpc_get(
    endpoint: &str,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> (u16, Value) {
    let all = rpc_params("GET", action, version, params, key);
    let url = format!("{endpoint}/?{}", canonical(&all));
    json_of(http().get(url).send().await.unwrap()).await
}

/// Go/Node style: POST, the action's parameters in a form body, the protocol ones in the query;
/// the signature covers both.
pub async fn rpc_post(
    endpoint: &str,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> (u16, Value) {
    let all = rpc_params("POST", action, version, params, key);
    let (body, query): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|(k, _)| params.iter().any(|(p, _)| k.as_str() == *p));
    let url = format!("{endpoint}/?{}", canonical(&query));
    let resp = http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(canonical(&body))
        .send()
        .await
        .unwrap();
    json_of(resp).await
}

pub async fn sts_get(
    emu: &RunningEmulator,
    action: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> (u16, Value) {
    rpc_get(&emu.sts_endpoint(), action, "2015-04-01", params, key).await
}

pub async fn sts_post(
    emu: &RunningEmulator,
    action: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> (u16, Value) {
    rpc_post(&emu.sts_endpoint(), action, "2015-04-01", params, key).await
}

/// A KMS call signed with ACS3-HMAC-SHA256; a temporary key adds `x-acs-security-token` (signed).
pub async fn kms_acs3(
    emu: &RunningEmulator,
    action: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> (u16, Value) {
    kms_v3_v4(emu, action, params, key, false).await
}

/// The same call signed with ACS4-HMAC-SHA256 (scope `AK/yyyymmdd/cn-hangzhou/kms/aliyun_v4_request`).
pub async fn kms_acs4(
    emu: &RunningEmulator,
    action: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> (u16, Value) {
    kms_v3_v4(emu, action, params, key, true).await
}

fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

async fn kms_v3_v4(
    emu: &RunningEmulator,
    action: &str,
    params: &[(&str, &str)],
    key: &Key,
    v4: bool,
) -> (u16, Value) {
    let date = now_date();
    let endpoint = emu.endpoint();
    let host = endpoint.trim_start_matches("http://").to_owned();
    let query = canonical(
        &params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>(),
    );
    let body_hash = hex::encode(Sha256::digest(b""));
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), host),
        ("x-acs-action".into(), action.into()),
        ("x-acs-version".into(), "2016-01-20".into()),
        ("x-acs-date".into(), date.clone()),
        (
            "x-acs-signature-nonce".into(),
            uuid::Uuid::new_v4().simple().to_string(),
        ),
        ("x-acs-content-sha256".into(), body_hash.clone()),
        ("x-acs-accesskey-id".into(), key.id.clone()),
    ];
    if let Some(t) = &key.token {
        headers.push(("x-acs-security-token".into(), t.clone()));
    }
    headers.sort();
    let canon_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    let canonical_req = format!(
        "POST\n/\n{query}\n{canon_headers}\n{}\n{body_hash}",
        signed.join(";")
    );
    let alg = if v4 {
        "ACS4-HMAC-SHA256"
    } else {
        "ACS3-HMAC-SHA256"
    };
    let sts = format!(
        "{alg}\n{}",
        hex::encode(Sha256::digest(canonical_req.as_bytes()))
    );
    let (signing_key, credential) = if v4 {
        let day: String = date[..10].chars().filter(|c| *c != '-').collect();
        let k = hmac256(
            format!("aliyun_v4{}", key.secret).as_bytes(),
            day.as_bytes(),
        );
        let k = hmac256(&k, b"cn-hangzhou");
        let k = hmac256(&k, b"kms");
        let k = hmac256(&k, b"aliyun_v4_request");
        (
            k,
            format!("{}/{day}/cn-hangzhou/kms/aliyun_v4_request", key.id),
        )
    } else {
        (key.secret.as_bytes().to_vec(), key.id.clone())
    };
    let sig = hex::encode(hmac256(&signing_key, sts.as_bytes()));
    let mut req = http().post(format!("{endpoint}/?{query}"));
    for (k, v) in &headers {
        if k != "host" {
            req = req.header(k, v);
        }
    }
    req = req.header(
        "Authorization",
        format!(
            "{alg} Credential={credential},SignedHeaders={},Signature={sig}",
            signed.join(";")
        ),
    );
    json_of(req.send().await.unwrap()).await
}

/// A KMS call signed with RPC V1 (GET); a temporary key adds the `SecurityToken` parameter.
pub async fn kms_rpc(
    emu: &RunningEmulator,
    action: &str,
    params: &[(&str, &str)],
    key: &Key,
) -> (u16, Value) {
    rpc_get(&emu.endpoint(), action, "2016-01-20", params, key).await
}

/// Creates a symmetric key with the long-term key and returns its id.
pub async fn new_key(emu: &RunningEmulator) -> String {
    let (s, v) = kms_acs3(emu, "CreateKey", &[], &Key::of(emu)).await;
    assert_eq!(s, 200, "{v}");
    v["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

pub fn assert_sts_error(status: u16, v: &Value, want_status: u16, code: &str) {
    assert_eq!(
        (status, v["Code"].as_str().unwrap_or("")),
        (want_status, code),
        "{v}"
    );
    for k in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(v[k].is_string(), "error lacks {k}: {v}");
    }
    assert_eq!(v["HostId"], "sts.aliyuncs.com");
}

pub const ROLE_ARN: &str = "acs:ram::1234567890123456:role/test-role";

/// AssumeRole with the emulator's long-term key; returns the `Credentials` as a Key.
pub async fn assume(emu: &RunningEmulator, extra: &[(&str, &str)]) -> (Key, Value) {
    let mut p = vec![("RoleArn", ROLE_ARN), ("RoleSessionName", "sess-1")];
    p.extend_from_slice(extra);
    let (s, v) = sts_get(emu, "AssumeRole", &p, &Key::of(emu)).await;
    assert_eq!(s, 200, "{v}");
    (Key::from_json(&v["Credentials"]), v)
}
