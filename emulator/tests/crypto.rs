//! Cryptographic actions end to end: symmetric envelopes with context, rotation, data keys,
//! ReEncrypt and every asymmetric spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use common::start;
use sha2::{Digest, Sha256};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn encrypt_decrypt_with_context() {
    let (_emu, kms) = start().await;
    for spec in ["Aliyun_AES_256", "Aliyun_SM4"] {
        let id = kms.new_key(spec, None).await;
        let pt = b64("héllo wörld 中文".as_bytes());
        let enc = kms
            .ok(
                "Encrypt",
                &[
                    ("KeyId", &id),
                    ("Plaintext", &pt),
                    ("EncryptionContext", r#"{"a":"1","b":"2"}"#),
                ],
            )
            .await;
        assert_eq!(enc["KeyId"], id.as_str());
        assert!(enc["KeyVersionId"].is_string());
        let blob = enc["CiphertextBlob"].as_str().unwrap();
        // Same map, other order and spacing: still decrypts.
        let dec = kms
            .ok(
                "Decrypt",
                &[
                    ("CiphertextBlob", blob),
                    ("EncryptionContext", r#"{ "b":"2", "a":"1" }"#),
                ],
            )
            .await;
        assert_eq!(dec["Plaintext"], pt.as_str());
        assert_eq!(dec["KeyId"], id.as_str());
        for wrong in [r#"{"a":"1"}"#, r#"{"a":"1","b":"3"}"#] {
            assert_eq!(
                kms.err(
                    "Decrypt",
                    &[("CiphertextBlob", blob), ("EncryptionContext", wrong)]
                )
                .await,
                (400, "InvalidCiphertext".into())
            );
        }
        assert_eq!(
            kms.err("Decrypt", &[("CiphertextBlob", blob)]).await.1,
            "InvalidCiphertext"
        );
        // A flipped bit anywhere is refused.
        let mut raw = base64::engine::general_purpose::STANDARD
            .decode(blob)
            .unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert_eq!(
            kms.err(
                "Decrypt",
                &[
                    ("CiphertextBlob", &b64(&raw)),
                    ("EncryptionContext", r#"{"a":"1","b":"2"}"#)
                ]
            )
            .await
            .1,
            "InvalidCiphertext"
        );
    }
}

#[tokio::test]
async fn decrypt_after_rotation_and_disable() {
    let (_emu, kms) = start().await;
    let id = kms.new_key("Aliyun_AES_256", None).await;
    let old = kms
        .ok("Encrypt", &[("KeyId", &id), ("Plaintext", "b2xk")])
        .await;
    kms.ok("CreateKeyVersion", &[("KeyId", &id)]).await;
    let new = kms
        .ok("Encrypt", &[("KeyId", &id), ("Plaintext", "bmV3")])
        .await;
    assert_ne!(old["KeyVersionId"], new["KeyVersionId"]);
    let d = kms
        .ok(
            "Decrypt",
            &[("CiphertextBlob", old["CiphertextBlob"].as_str().unwrap())],
        )
        .await;
    assert_eq!(
        (d["Plaintext"].as_str(), d["KeyVersionId"].clone()),
        (Some("b2xk"), old["KeyVersionId"].clone())
    );
    kms.ok("DisableKey", &[("KeyId", &id)]).await;
    assert_eq!(
        kms.err(
            "Decrypt",
            &[("CiphertextBlob", new["CiphertextBlob"].as_str().unwrap())]
        )
        .await
        .1,
        "Rejected.Disabled"
    );
}

#[tokio::test]
async fn data_keys_and_reencrypt() {
    let (_emu, kms) = start().await;
    let id = kms.new_key("Aliyun_AES_256", None).await;
    let dk = kms.ok("GenerateDataKey", &[("KeyId", &id)]).await;
    let plain = base64::engine::general_purpose::STANDARD
        .decode(dk["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(plain.len(), 32);
    let d = kms
        .ok(
            "Decrypt",
            &[("CiphertextBlob", dk["CiphertextBlob"].as_str().unwrap())],
        )
        .await;
    assert_eq!(d["Plaintext"], dk["Plaintext"]);
    let dk = kms
        .ok(
            "GenerateDataKey",
            &[
                ("KeyId", &id),
                ("KeySpec", "AES_128"),
                ("EncryptionContext", r#"{"k":"v"}"#),
            ],
        )
        .await;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(dk["Plaintext"].as_str().unwrap())
            .unwrap()
            .len(),
        16
    );
    let dk = kms
        .ok("GenerateDataKey", &[("KeyId", &id), ("NumberOfBytes", "7")])
        .await;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(dk["Plaintext"].as_str().unwrap())
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        kms.err(
            "GenerateDataKey",
            &[("KeyId", &id), ("NumberOfBytes", "1025")]
        )
        .await
        .1,
        "InvalidParameter"
    );
    assert_eq!(
        kms.err("GenerateDataKey", &[("KeyId", &id), ("KeySpec", "AES_512")])
            .await
            .1,
        "InvalidParameter"
    );

    let np = kms
        .ok(
            "GenerateDataKeyWithoutPlaintext",
            &[("KeyId", &id), ("EncryptionContext", r#"{"k":"v"}"#)],
        )
        .await;
    assert!(np.get("Plaintext").is_none());
    let d = kms
        .ok(
            "Decrypt",
            &[
                ("CiphertextBlob", np["CiphertextBlob"].as_str().unwrap()),
                ("EncryptionContext", r#"{"k":"v"}"#),
            ],
        )
        .await;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(d["Plaintext"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );

    let other = kms.new_key("Aliyun_SM4", None).await;
    let enc = kms
        .ok(
            "Encrypt",
            &[
                ("KeyId", &id),
                ("Plaintext", "cmU="),
                ("EncryptionContext", r#"{"x":"1"}"#),
            ],
        )
        .await;
    let re = kms
        .ok(
            "ReEncrypt",
            &[
                ("CiphertextBlob", enc["CiphertextBlob"].as_str().unwrap()),
                ("SourceEncryptionContext", r#"{"x":"1"}"#),
                ("DestinationKeyId", &other),
                ("DestinationEncryptionContext", r#"{"y":"2"}"#),
            ],
        )
        .await;
    assert_eq!(re["KeyId"], other.as_str());
    let d = kms
        .ok(
            "Decrypt",
            &[
                ("CiphertextBlob", re["CiphertextBlob"].as_str().unwrap()),
                ("EncryptionContext", r#"{"y":"2"}"#),
            ],
        )
        .await;
    assert_eq!(d["Plaintext"], "cmU=");
}

#[tokio::test]
async fn asymmetric_specs() {
    let (_emu, kms) = start().await;
    let digest = Sha256::digest(b"message to sign");
    let d64 = b64(&digest);
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            "RSA_2048",
            "SIGN/VERIFY",
            &["RSA_PSS_SHA_256", "RSA_PKCS1_SHA_256"],
        ),
        (
            "RSA_3072",
            "ENCRYPT/DECRYPT",
            &["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"],
        ),
        ("EC_P256", "SIGN/VERIFY", &["ECDSA_SHA_256"]),
        ("EC_P256K", "SIGN/VERIFY", &["ECDSA_SHA_256"]),
        ("EC_SM2", "SIGN/VERIFY", &["SM2DSA"]),
        ("EC_SM2", "ENCRYPT/DECRYPT", &["SM2PKE"]),
    ];
    for (spec, usage, algs) in cases {
        let id = kms.new_key(spec, Some(usage)).await;
        let version = kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"]
            ["PrimaryKeyVersion"]
            .as_str()
            .unwrap()
            .to_owned();
        let pem = kms
            .ok(
                "GetPublicKey",
                &[("KeyId", &id), ("KeyVersionId", &version)],
            )
            .await;
        assert!(
            pem["PublicKey"]
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----"),
            "{spec}"
        );
        for alg in algs {
            let base = [
                ("KeyId", id.as_str()),
                ("KeyVersionId", version.as_str()),
                ("Algorithm", alg),
            ];
            if usage == "SIGN/VERIFY" {
                let sig = kms
                    .ok(
                        "AsymmetricSign",
                        &[&base[..], &[("Digest", d64.as_str())]].concat(),
                    )
                    .await;
                let value = sig["Value"].as_str().unwrap().to_owned();
                let ok = kms
                    .ok(
                        "AsymmetricVerify",
                        &[
                            &base[..],
                            &[("Digest", d64.as_str()), ("Value", value.as_str())],
                        ]
                        .concat(),
                    )
                    .await;
                assert_eq!(ok["Value"], true, "{spec} {alg}");
                let other = b64(&Sha256::digest(b"other"));
                let bad = kms
                    .ok(
                        "AsymmetricVerify",
                        &[
                            &base[..],
                            &[("Digest", other.as_str()), ("Value", value.as_str())],
                        ]
                        .concat(),
                    )
                    .await;
                assert_eq!(bad["Value"], false, "{spec} {alg}");
                assert_eq!(
                    kms.err(
                        "AsymmetricSign",
                        &[&base[..], &[("Digest", "c2hvcnQ=")]].concat()
                    )
                    .await
                    .1,
                    "InvalidParameter"
                );
                assert_eq!(
                    kms.err(
                        "AsymmetricEncrypt",
                        &[("KeyId", id.as_str()), ("Plaintext", "aGk=")]
                    )
                    .await
                    .1,
                    "Rejected.UnsupportedOperation"
                );
            } else {
                let pt = b64(b"secret bytes");
                let ct = kms
                    .ok(
                        "AsymmetricEncrypt",
                        &[&base[..], &[("Plaintext", pt.as_str())]].concat(),
                    )
                    .await;
                let ct = ct["CiphertextBlob"].as_str().unwrap().to_owned();
                let dec = kms
                    .ok(
                        "AsymmetricDecrypt",
                        &[&base[..], &[("CiphertextBlob", ct.as_str())]].concat(),
                    )
                    .await;
                assert_eq!(dec["Plaintext"], pt.as_str(), "{spec} {alg}");
                assert_eq!(
                    kms.err(
                        "AsymmetricDecrypt",
                        &[&base[..], &[("CiphertextBlob", "AAAA")]].concat()
                    )
                    .await
                    .1,
                    "InvalidCiphertext"
                );
            }
        }
        assert_eq!(
            kms.err(
                "AsymmetricSign",
                &[
                    ("KeyId", &id),
                    ("KeyVersionId", "not-a-version"),
                    ("Digest", &d64)
                ]
            )
            .await
            .0,
            if usage == "SIGN/VERIFY" { 404 } else { 400 }
        );
        assert_eq!(
            kms.err("Encrypt", &[("KeyId", &id), ("Plaintext", "aGk=")])
                .await
                .1,
            "Rejected.UnsupportedOperation"
        );
    }
    let sym = kms.new_key("Aliyun_AES_256", None).await;
    assert_eq!(
        kms.err("GetPublicKey", &[("KeyId", &sym)]).await.1,
        "Rejected.UnsupportedOperation"
    );
}
