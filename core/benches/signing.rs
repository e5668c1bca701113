//! One ACS3 signature (canonical request, SHA-256, HMAC, headers) and one RPC V1 signature, for
//! a typical Encrypt with an encryption context. Target: at most 5 µs per ACS3 signature.
//! Also one Instance API signature (RSA-2048 PKCS#1 v1.5 SHA-256 with the shared test
//! ClientKey); `scripts/bench-core` prints `openssl speed rsa2048` from the same run as its peer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use kmskit::signing::{acs3, rpc, RequestToSign, SigningParams};
use kmskit::Credentials;

fn bench(c: &mut Criterion) {
    let creds = Credentials::access_key(
        "LTAI5tFakeAccessKeyId01",
        "FakeAccessKeySecretForVectors0123456789",
    )
    .unwrap();
    let query = vec![
        (
            "EncryptionContext".to_string(),
            r#"{"app":"billing","tenant":"t-42"}"#.to_string(),
        ),
        ("KeyId".to_string(), "alias/app".to_string()),
        (
            "Plaintext".to_string(),
            "SGVsbG8gd29ybGQsIHRoaXMgaXMgYSBzZWNyZXQgb2YgNjQgYnl0ZXMgb3Igc28uLi4=".to_string(),
        ),
    ];
    let req = RequestToSign {
        method: "POST",
        host: "kms.cn-hangzhou.aliyuncs.com",
        action: "Encrypt",
        version: "2016-01-20",
        query: &query,
        body: None,
        user_agent: "kmskit/0.1.0 (linux; x86_64) Rust",
        retry: None,
    };
    let params = SigningParams {
        credentials: &creds,
        timestamp: "2024-05-01T08:09:10Z",
        nonce: "6ac79447c35d394864b9dbeaeda6a730",
    };
    c.bench_function("sign_acs3_encrypt", |b| {
        b.iter(|| acs3::sign(black_box(&req), black_box(&params)))
    });
    c.bench_function("sign_rpc_v1_encrypt", |b| {
        b.iter(|| rpc::sign(black_box(&req), black_box(&params)))
    });

    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/testdata/clientkey/clientkey_private.pem"
    ))
    .expect("the shared test ClientKey (../shared/testdata/clientkey) next to the repository");
    {
        let key = kmskit::ClientKey::from_private_key_pem(
            "KAAP.00000000-1111-2222-3333-444444444444",
            &pem.into(),
        )
        .unwrap();
        let body = [0x0a_u8; 40];
        let req = kmskit::signing::instance::InstanceRequestToSign {
            host: "kst-test0000000000000000.cryptoservice.kms.aliyuncs.com",
            api_name: "Encrypt",
            body: &body,
            date: "Tue, 14 Nov 2023 22:13:20 GMT",
            user_agent: "kmskit/0.1.0 (linux; x86_64) Rust",
        };
        c.bench_function("sign_instance_api_rsa2048", |b| {
            b.iter(|| kmskit::signing::instance::sign(black_box(&req), black_box(&key)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
