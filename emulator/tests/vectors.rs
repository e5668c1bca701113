//! Every request captured from the official Python SDK (V3, RPC V1, V4) must verify with the
//! emulator's verifier, and must stop verifying once tampered with.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine;
use kmskit_emulator::auth::{verify, RawRequest, VerifyOptions};
use serde_json::Value;

const SHARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/kms-openapi-requests.json"
);
const REPO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/openapi-captured.json"
);

fn relaxed() -> VerifyOptions {
    VerifyOptions {
        check_time: false,
        check_nonce: false,
        ..VerifyOptions::default()
    }
}

fn raw(req: &Value) -> RawRequest {
    let body = match req["body_base64"].as_str() {
        Some(b) => base64::engine::general_purpose::STANDARD.decode(b).unwrap(),
        None => req["body"].as_str().unwrap_or("").as_bytes().to_vec(),
    };
    RawRequest {
        method: req["method"].as_str().unwrap().to_owned(),
        raw_query: req["raw_query"].as_str().unwrap_or("").to_owned(),
        headers: req["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_ascii_lowercase(),
                    h[1].as_str().unwrap().to_owned(),
                )
            })
            .collect(),
        body,
    }
}

/// Returns how many requests were checked.
fn check_file(path: &str) -> usize {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let secret = case["inputs"]["access_key_secret"]
            .as_str()
            .unwrap()
            .to_owned();
        let expected_ak = case["inputs"]["access_key_id"].as_str().unwrap().to_owned();
        let action = case["inputs"]["action"].as_str().unwrap();
        let good = {
            let (ak, secret) = (expected_ak.clone(), secret.clone());
            move |id: &str| (id == ak).then(|| secret.clone())
        };
        let wrong = {
            let ak = expected_ak.clone();
            move |id: &str| (id == ak).then(|| "not-the-secret".to_owned())
        };
        for req in case["requests"].as_array().unwrap() {
            let r = raw(req);
            let now = chrono::Utc::now();
            let authed = verify(&r, &good, &relaxed(), now, None)
                .unwrap_or_else(|e| panic!("{name}: captured request refused: {e}"));
            assert_eq!(authed.action, action, "{name}");
            assert_eq!(authed.access_key_id, expected_ak, "{name}");
            for (k, v) in req["query_sorted"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
                .filter(|(k, _)| *k != "Signature")
            {
                assert_eq!(
                    authed.params.get(k).map(String::as_str),
                    Some(v),
                    "{name}: param {k}"
                );
            }

            let mut extra = r.clone();
            extra.raw_query = if extra.raw_query.is_empty() {
                "Extra=1".into()
            } else {
                format!("{}&Extra=1", extra.raw_query)
            };
            let e = verify(&extra, &good, &relaxed(), now, None).expect_err(name);
            assert_eq!(e.code, "SignatureDoesNotMatch", "{name}: extra param");

            let e = verify(&r, &wrong, &relaxed(), now, None).expect_err(name);
            assert_eq!(e.code, "SignatureDoesNotMatch", "{name}: wrong secret");

            let unknown = |_: &str| None::<String>;
            let e = verify(&r, &unknown, &relaxed(), now, None).expect_err(name);
            assert_eq!(e.code, "InvalidAccessKeyId.NotFound", "{name}: unknown key");

            // A changed value of a signed header (V3/V4 sign host and nonce) must break it too.
            let mut hdr = r.clone();
            for (n, v) in hdr.headers.iter_mut() {
                if n == "x-acs-signature-nonce" || n == "host" {
                    v.push('x');
                }
            }
            if hdr.headers != r.headers && r.header("authorization").is_some() {
                assert!(
                    verify(&hdr, &good, &relaxed(), now, None).is_err(),
                    "{name}: tampered header"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn shared_vectors_verify_and_tampering_fails() {
    assert!(check_file(SHARED) >= 18);
}

#[test]
fn repo_captured_vectors_verify_and_tampering_fails() {
    if std::path::Path::new(REPO).exists() {
        assert!(check_file(REPO) > 0);
    }
}

#[test]
fn stale_date_and_reused_nonce_are_refused_when_checks_are_on() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(SHARED).unwrap()).unwrap();
    let case = &doc["cases"][0];
    let secret = case["inputs"]["access_key_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let good = move |_: &str| Some(secret.clone());
    let r = raw(&case["requests"][0]);
    // The vectors are dated 2024-05-01: far outside the 15-minute window today.
    let e = verify(
        &r,
        &good,
        &VerifyOptions::default(),
        chrono::Utc::now(),
        None,
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidTimeStamp.Expired");
    let when = kmskit_emulator::auth::parse_acs_date("2024-05-01T08:09:10Z").unwrap();
    let cache = kmskit_emulator::auth::NonceCache::new(chrono::Duration::minutes(15));
    verify(&r, &good, &VerifyOptions::default(), when, Some(&cache)).unwrap();
    let e = verify(&r, &good, &VerifyOptions::default(), when, Some(&cache)).unwrap_err();
    assert_eq!(e.code, "SignatureNonceUsed");
}
