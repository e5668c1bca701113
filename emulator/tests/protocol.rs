//! Authentication and protocol behaviour over a real socket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use common::{assert_error_shape, start, Sign};
use hmac::{Hmac, Mac};

#[tokio::test]
async fn signed_request_is_accepted_and_get_works_too() {
    let (_emu, kms) = start().await;
    let v = kms.ok("ListKeys", &[("PageSize", "5")]).await;
    assert_eq!(v["PageSize"], 5);
    let (status, _, v) = kms
        .send(
            "ListKeys",
            &[],
            Sign {
                method: Some("GET"),
                ..Sign::default()
            },
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn refusals_carry_kms_codes() {
    let (_emu, kms) = start().await;
    let cases: Vec<(Sign, u16, &str)> = vec![
        (
            Sign {
                secret: Some("wrong".into()),
                ..Sign::default()
            },
            400,
            "SignatureDoesNotMatch",
        ),
        (
            Sign {
                ak: Some("LTAI5tNobodyKnowsMe".into()),
                ..Sign::default()
            },
            404,
            "InvalidAccessKeyId.NotFound",
        ),
        (
            Sign {
                date: Some("2020-01-01T00:00:00Z".into()),
                ..Sign::default()
            },
            400,
            "InvalidTimeStamp.Expired",
        ),
        (
            Sign {
                date: Some(common::now_date().replace('T', " ")),
                ..Sign::default()
            },
            400,
            "InvalidTimeStamp.Format",
        ),
        (
            Sign {
                no_auth: true,
                ..Sign::default()
            },
            400,
            "IncompleteSignature",
        ),
    ];
    for (sign, status, code) in cases {
        let (s, _, v) = kms.send("ListKeys", &[], sign.clone()).await;
        assert_eq!(
            (s, v["Code"].as_str().unwrap()),
            (status, code),
            "{sign:?}: {v}"
        );
        assert_error_shape(&v);
    }
    // Refused requests are not counted as KMS requests.
    let (_, stats) = kms.admin("GET", "/_emulator/stats", None).await;
    assert!(stats["requests"]["ListKeys"].is_null(), "{stats}");
}

#[tokio::test]
async fn reused_nonce_is_refused() {
    let (_emu, kms) = start().await;
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let sign = Sign {
        nonce: Some(nonce),
        ..Sign::default()
    };
    let (s, _, _) = kms.send("ListKeys", &[], sign.clone()).await;
    assert_eq!(s, 200);
    let (s, _, v) = kms.send("ListKeys", &[], sign).await;
    assert_eq!(
        (s, v["Code"].as_str().unwrap()),
        (400, "SignatureNonceUsed")
    );
}

#[tokio::test]
async fn unsupported_action_and_unknown_path() {
    let (_emu, kms) = start().await;
    assert_eq!(
        kms.err("GetKeyPolicy", &[("KeyId", "x")]).await,
        (404, "InvalidAction.NotFound".into())
    );
    assert_eq!(
        kms.err("NoSuchThing", &[]).await,
        (404, "InvalidAction.NotFound".into())
    );
    let r = kms
        .http
        .get(format!("{}/other", kms.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn hostile_inputs_get_errors_not_crashes() {
    let (_emu, kms) = start().await;
    let key = kms.new_key("Aliyun_AES_256", None).await;
    let huge = "A".repeat(40_000);
    for (action, params) in [
        ("Decrypt", vec![("CiphertextBlob", "!!!not base64!!!")]),
        ("Decrypt", vec![("CiphertextBlob", "S0sB/////w==")]),
        (
            "Encrypt",
            vec![("KeyId", key.as_str()), ("Plaintext", huge.as_str())],
        ),
        (
            "Encrypt",
            vec![
                ("KeyId", key.as_str()),
                ("Plaintext", "aGk="),
                ("EncryptionContext", "{not json"),
            ],
        ),
        ("ListKeys", vec![("PageSize", "99999999999999999999")]),
        ("ListKeys", vec![("Filters", "[{\"Key\":1}]")]),
        (
            "AsymmetricSign",
            vec![("KeyId", key.as_str()), ("Digest", "%%%")],
        ),
        ("CreateKey", vec![("KeySpec", "RSA_1")]),
    ] {
        let (status, code) = kms.err(action, &params).await;
        assert!(status == 400 || status == 404, "{action}: {status} {code}");
    }
    // Non-UTF-8 bytes in the query are decoded lossily and still verified.
    let raw = kms
        .http
        .post(format!("{}/?KeyId=%FF%FE", kms.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    // The emulator still answers.
    kms.ok("ListKeys", &[]).await;
}

/// Sends a request signed with RPC V1 HMAC-SHA1 (what `signature_algorithm='v2'` sends).
async fn rpc_v1(
    kms: &common::Kms,
    action_params: &[(&str, &str)],
    timestamp: bool,
) -> (u16, serde_json::Value) {
    let mut params: Vec<(String, String)> = [
        ("Format", "json"),
        ("Version", "2016-01-20"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", kms.ak.as_str()),
    ]
    .iter()
    .chain(action_params)
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    if timestamp {
        params.push(("Timestamp".into(), common::now_date()));
    }
    params.push(("SignatureNonce".into(), uuid::Uuid::new_v4().to_string()));
    params.sort();
    let canon = params
        .iter()
        .map(|(k, v)| format!("{}={}", common::enc(k), common::enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sts = format!("POST&%2F&{}", common::enc(&canon));
    let mut mac =
        Hmac::<sha1_shim::Sha1>::new_from_slice(format!("{}&", kms.secret).as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let url = format!("{}/?{canon}&Signature={}", kms.endpoint, common::enc(&sig));
    let r = kms.http.post(url).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn rpc_v1_signed_request_works() {
    let (_emu, kms) = start().await;
    let key = kms.new_key("Aliyun_AES_256", None).await;
    let enc = [
        ("Action", "Encrypt"),
        ("KeyId", key.as_str()),
        ("Plaintext", "aGVsbG8="),
    ];
    let (status, v) = rpc_v1(&kms, &enc, true).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["KeyId"], key.as_str());
    let (status, v) = rpc_v1(&kms, &enc, false).await;
    assert_eq!(
        (status, v["Code"].as_str()),
        (400, Some("IllegalTimestamp"))
    );
}

// sha1 is a dependency of the emulator, not re-exported; a dev-dependency alias keeps the test
// signer independent of the crate under test.
mod sha1_shim {
    pub use sha1::Sha1;
}

#[tokio::test]
async fn concurrent_requests_are_all_served() {
    let (_emu, kms) = start().await;
    let kms = std::sync::Arc::new(kms);
    let key = kms.new_key("Aliyun_AES_256", None).await;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let (kms, key) = (kms.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let pt = base64::engine::general_purpose::STANDARD.encode(format!("message {i}"));
            let enc = kms
                .ok("Encrypt", &[("KeyId", &key), ("Plaintext", &pt)])
                .await;
            let blob = enc["CiphertextBlob"].as_str().unwrap().to_owned();
            assert_eq!(
                kms.ok("Decrypt", &[("CiphertextBlob", &blob)]).await["Plaintext"],
                pt.as_str()
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (_, stats) = kms.admin("GET", "/_emulator/stats", None).await;
    assert_eq!(
        (
            stats["requests"]["Encrypt"].as_u64(),
            stats["requests"]["Decrypt"].as_u64()
        ),
        (Some(64), Some(64))
    );
}

#[tokio::test]
async fn dry_run_and_wrong_version() {
    let (_emu, kms) = start().await;
    let key = kms.new_key("Aliyun_AES_256", None).await;
    assert_eq!(
        kms.err(
            "Encrypt",
            &[("KeyId", &key), ("Plaintext", "aGk="), ("DryRun", "true")]
        )
        .await,
        (400, "DryRunOperationError".into())
    );
    kms.ok(
        "Encrypt",
        &[("KeyId", &key), ("Plaintext", "aGk="), ("DryRun", "false")],
    )
    .await;
    let (_, stats) = kms.admin("GET", "/_emulator/stats", None).await;
    assert_eq!(stats["requests"]["Encrypt"], 2);
    let sign = Sign {
        version: Some("2015-01-01".into()),
        ..Sign::default()
    };
    let (status, _, v) = kms.send("ListKeys", &[], sign).await;
    assert_eq!((status, v["Code"].as_str()), (400, Some("InvalidVersion")));
}
