//! Replays the Instance API requests the official Python client (alibabacloud-dkms-gcs 1.0.2) sent
//! (shared/vectors/kms-instance-api-requests.json) against the emulator with the shared test
//! ClientKey registered: every signature verifies; tampering with any signed part is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dedicated_support;

use base64::Engine;
use dedicated_support::*;
use kmskit_emulator::dedicated::proto;
use kmskit_emulator::{EmulatorConfig, RunningEmulator};
use prost::Message;

struct Captured {
    case: String,
    api: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn captured() -> Vec<Captured> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/kms-instance-api-requests.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for case in v["cases"].as_array().unwrap() {
        for ex in case["exchanges"].as_array().unwrap() {
            let req = &ex["request"];
            out.push(Captured {
                case: case["name"].as_str().unwrap().to_owned(),
                api: ex["api"].as_str().unwrap().to_owned(),
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
                body: base64::engine::general_purpose::STANDARD
                    .decode(req["body_b64"].as_str().unwrap())
                    .unwrap(),
            });
        }
    }
    assert!(out.len() >= 14, "too few captured exchanges: {}", out.len());
    out
}

/// The captures are dated 2023-11-14; accept that date in this emulator.
async fn start_accepting_2023() -> RunningEmulator {
    let mut config = EmulatorConfig::default();
    config.verify.max_skew = chrono::Duration::days(365 * 30);
    start_with(config).await
}

async fn send(
    emu: &RunningEmulator,
    _c: &Captured,
    headers: &[(String, String)],
    body: &[u8],
) -> HttpResponse {
    let host = emu.dedicated_host().unwrap();
    https(emu, &host, "POST", "/", headers, body).await
}

#[tokio::test]
async fn every_captured_request_verifies() {
    let emu = start_accepting_2023().await;
    for c in captured() {
        let resp = send(&emu, &c, &c.headers, &c.body).await;
        // The captured keys and secrets do not exist here, so past authentication the answer is
        // "not found" (or real data for GenerateRandom): never an authentication refusal.
        if resp.status == 200 {
            assert_eq!(c.api, "GenerateRandom", "{}", c.case);
            let r = proto::GenerateRandomResponse::decode(resp.body.as_slice()).unwrap();
            assert_eq!(r.random.len(), 16);
            assert!(!r.request_id.is_empty());
            continue;
        }
        let e = expect_error(&resp);
        let want = if c.api == "GetSecretValue" {
            "Forbidden.ResourceNotFound"
        } else {
            "Forbidden.KeyNotFound"
        };
        assert_eq!(
            (e.status_code, e.error_code.as_str()),
            (404, want),
            "{}: {e:?}",
            c.case
        );
    }
}

#[tokio::test]
async fn tampered_captures_are_refused() {
    let emu = start_accepting_2023().await;
    let c = captured()
        .into_iter()
        .find(|c| c.case == "GenerateRandom")
        .unwrap();
    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        c.headers
            .iter()
            .map(|(n, v)| {
                if n == name {
                    (n.clone(), value.to_owned())
                } else {
                    (n.clone(), v.clone())
                }
            })
            .collect()
    };
    let without = |name: &str| -> Vec<(String, String)> {
        c.headers
            .iter()
            .filter(|(n, _)| n != name)
            .cloned()
            .collect()
    };
    let code = |r: HttpResponse| {
        let e = expect_error(&r);
        (e.status_code, e.error_code, e.error_message)
    };
    // A body that no longer matches content-sha256.
    let (s, code1, msg) = code(send(&emu, &c, &c.headers, &[0x08, 0x11]).await);
    assert_eq!(
        (s, code1.as_str(), msg.as_str()),
        (400, "InvalidParam", "The Param Content-SHA256 is invalid.")
    );
    // A body and matching hash the client did not sign.
    let body = proto::GenerateRandomRequest { length: 17 }.encode_to_vec();
    let h = with(
        "content-sha256",
        &hex::encode_upper(<sha2::Sha256 as sha2::Digest>::digest(&body)),
    );
    let (s, c2, _) = code(send(&emu, &c, &h, &body).await);
    assert_eq!((s, c2.as_str()), (401, "Unauthorized"));
    // Another signed header changed: the date, the API name, an extra x-kms- header.
    let (s, c3, _) = code(
        send(
            &emu,
            &c,
            &with("date", "Tue, 14 Nov 2023 22:13:21 GMT"),
            &c.body,
        )
        .await,
    );
    assert_eq!((s, c3.as_str()), (401, "Unauthorized"));
    let (s, c4, _) = code(send(&emu, &c, &with("x-kms-apiname", "Encrypt"), &c.body).await);
    assert_eq!((s, c4.as_str()), (401, "Unauthorized"));
    let mut extra = c.headers.clone();
    extra.push(("x-kms-extra".into(), "1".into()));
    let (s, c5, _) = code(send(&emu, &c, &extra, &c.body).await);
    assert_eq!((s, c5.as_str()), (401, "Unauthorized"));
    // An unknown ClientKey.
    let (s, c6, _) = code(
        send(
            &emu,
            &c,
            &with(
                "x-kms-acccesskeyid",
                "KAAP.00000000-0000-0000-0000-000000000000",
            ),
            &c.body,
        )
        .await,
    );
    assert_eq!((s, c6.as_str()), (401, "Unauthorized"));
    // Protocol headers.
    let (s, c7, m7) = code(
        send(
            &emu,
            &c,
            &with("x-kms-signaturemethod", "RSA_PSS_SHA_256"),
            &c.body,
        )
        .await,
    );
    assert_eq!(
        (s, c7.as_str(), m7.as_str()),
        (
            400,
            "InvalidParam",
            "The Param x-kms-signaturemethod is invalid."
        )
    );
    let (s, c8, _) = code(send(&emu, &c, &with("x-kms-apiversion", "dkms-gcs-0.1"), &c.body).await);
    assert_eq!((s, c8.as_str()), (400, "InvalidApiVersion"));
    let (s, c9, _) = code(send(&emu, &c, &with("x-kms-apiname", "Hash"), &c.body).await);
    assert_eq!((s, c9.as_str()), (400, "InvalidApiName"));
    let (s, c10, m10) = code(send(&emu, &c, &without("x-kms-acccesskeyid"), &c.body).await);
    assert_eq!(
        (s, c10.as_str(), m10.as_str()),
        (
            400,
            "MissingParameter",
            "Parameter x-kms-acccesskeyid does not exist in http header or body."
        )
    );
    let (s, c11, m11) = code(send(&emu, &c, &with("date", "yesterday"), &c.body).await);
    assert_eq!(
        (s, c11.as_str(), m11.as_str()),
        (400, "InvalidParam", "The Param Date is invalid.")
    );
    let (s, c12, m12) = code(send(&emu, &c, &with("authorization", "Basic abc"), &c.body).await);
    assert_eq!(
        (s, c12.as_str(), m12.as_str()),
        (400, "InvalidParam", "The Param Authorization is invalid.")
    );
    let bad_sig = format!("Bearer {}", b64(&[7u8; 256]));
    let (s, c13, _) = code(send(&emu, &c, &with("authorization", &bad_sig), &c.body).await);
    assert_eq!((s, c13.as_str()), (401, "Unauthorized"));
}

#[tokio::test]
async fn the_2023_date_is_too_skewed_for_a_default_emulator() {
    let emu = start_with(EmulatorConfig::default()).await;
    let c = captured()
        .into_iter()
        .find(|c| c.case == "GenerateRandom")
        .unwrap();
    let e = expect_error(&send(&emu, &c, &c.headers, &c.body).await);
    assert_eq!(
        (e.status_code, e.error_code.as_str()),
        (400, "RequestTimeTooSkewed")
    );
    // Fresh requests signed now pass; one 20 minutes off does not.
    let inst = Instance::test_key(&emu);
    let body = proto::GenerateRandomRequest { length: 4 }.encode_to_vec();
    let old = http_date(chrono::Utc::now() - chrono::Duration::minutes(20));
    let h = instance_headers(&inst.key, TEST_KEY_ID, "GenerateRandom", &body, &old, &[]);
    let e = expect_error(&send(&emu, &c, &h, &body).await);
    assert_eq!(e.error_code, "RequestTimeTooSkewed");
    let _: proto::GenerateRandomResponse = inst
        .ok(
            "GenerateRandom",
            &proto::GenerateRandomRequest { length: 4 },
        )
        .await;
}

#[tokio::test]
async fn the_emulator_string_to_sign_matches_the_captured_client_string() {
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/vectors/kms-instance-api-requests.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for case in v["cases"].as_array().unwrap() {
        for (i, ex) in case["exchanges"].as_array().unwrap().iter().enumerate() {
            let headers: Vec<(String, String)> = ex["request"]["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_ascii_lowercase(),
                        h[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let ours = kmskit_emulator::dedicated::signature::string_to_sign("POST", &headers);
            let theirs = case["client_string_to_sign"]
                [i.min(case["client_string_to_sign"].as_array().unwrap().len() - 1)]
            .as_str()
            .unwrap();
            assert_eq!(ours, theirs, "{}", case["name"]);
        }
    }
}
