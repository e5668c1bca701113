//! Every Instance API operation end to end, signed in the test with the shared test ClientKey, on
//! keys and secrets made through the OpenAPI of the same emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod dedicated_support;

use dedicated_support::*;
use kmskit_emulator::dedicated::proto::*;
use kmskit_emulator::{EmulatorConfig, RunningEmulator};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use sha2::{Digest, Sha256};

async fn setup() -> (RunningEmulator, common::Kms) {
    let emu = start_with(EmulatorConfig::default()).await;
    let kms = common::Kms::new(
        &emu.endpoint(),
        &emu.credential().access_key_id,
        &emu.credential().access_key_secret,
        emu.admin_token(),
    );
    (emu, kms)
}

fn enc(key_id: &str, pt: &[u8]) -> EncryptRequest {
    EncryptRequest {
        key_id: key_id.into(),
        plaintext: pt.to_vec(),
        ..Default::default()
    }
}

#[tokio::test]
async fn encrypt_decrypt_gcm_cbc_and_rsa() {
    let (emu, kms) = setup().await;
    let inst = Instance::test_key(&emu);
    let aes = kms.new_key("Aliyun_AES_256", None).await;
    kms.ok(
        "CreateAlias",
        &[("AliasName", "alias/dedicated"), ("KeyId", aes.as_str())],
    )
    .await;

    // AES_GCM by default, with Aad, a generated 12-byte IV returned separately, via the alias.
    let req = EncryptRequest {
        aad: b"context".to_vec(),
        ..enc("alias/dedicated", b"hello world")
    };
    let (e, http): (EncryptResponse, _) = inst.call_with("Encrypt", &req, &[]).await.unwrap();
    assert_eq!(
        (e.key_id.as_str(), e.algorithm.as_str(), e.iv.len()),
        (aes.as_str(), "AES_GCM", 12)
    );
    assert_eq!(e.ciphertext_blob.len(), 11 + 16);
    let version = http
        .header("x-kms-migrationkeyversionid")
        .unwrap()
        .to_owned();
    assert_eq!(version.len(), 36);
    let dec = |aad: &[u8]| DecryptRequest {
        ciphertext_blob: e.ciphertext_blob.clone(),
        key_id: aes.clone(),
        algorithm: "AES_GCM".into(),
        aad: aad.to_vec(),
        iv: e.iv.clone(),
        ..Default::default()
    };
    let d: DecryptResponse = inst.ok("Decrypt", &dec(b"context")).await;
    assert_eq!(d.plaintext, b"hello world");
    let err = inst
        .call::<DecryptResponse>("Decrypt", &dec(b"other"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status_code, err.error_code.as_str()),
        (400, "InvalidCiphertext")
    );

    // A caller-chosen IV is used as given.
    let e2: EncryptResponse = inst
        .ok(
            "Encrypt",
            &EncryptRequest {
                iv: vec![7; 12],
                ..enc(&aes, b"x")
            },
        )
        .await;
    assert_eq!(e2.iv, vec![7; 12]);
    let bad_iv = inst
        .call::<EncryptResponse>(
            "Encrypt",
            &EncryptRequest {
                iv: vec![7; 5],
                ..enc(&aes, b"x")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad_iv.error_code, "InvalidParameter");

    // AES_CBC with PKCS#7 padding (16-byte IV).
    let cbc = EncryptRequest {
        algorithm: "AES_CBC".into(),
        ..enc(&aes, b"seventeen bytes!!")
    };
    let e3: EncryptResponse = inst.ok("Encrypt", &cbc).await;
    assert_eq!(
        (
            e3.iv.len(),
            e3.ciphertext_blob.len(),
            e3.padding_mode.as_str()
        ),
        (16, 32, "PKCS7_PADDING")
    );
    let d3: DecryptResponse = inst
        .ok(
            "Decrypt",
            &DecryptRequest {
                ciphertext_blob: e3.ciphertext_blob,
                key_id: aes.clone(),
                algorithm: "AES_CBC".into(),
                iv: e3.iv,
                ..Default::default()
            },
        )
        .await;
    assert_eq!(d3.plaintext, b"seventeen bytes!!");

    // RSA keys: RSAES_OAEP_SHA_256 by default.
    let rsa_key = kms.new_key("RSA_2048", Some("ENCRYPT/DECRYPT")).await;
    let e4: EncryptResponse = inst.ok("Encrypt", &enc(&rsa_key, b"secret")).await;
    assert_eq!(
        (e4.algorithm.as_str(), e4.ciphertext_blob.len()),
        ("RSAES_OAEP_SHA_256", 256)
    );
    let d4: DecryptResponse = inst
        .ok(
            "Decrypt",
            &DecryptRequest {
                ciphertext_blob: e4.ciphertext_blob,
                key_id: rsa_key.clone(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(d4.plaintext, b"secret");

    // The low-version unified SDK sends only the blob, the IV and the version header.
    let d5: DecryptResponse = inst
        .call_with(
            "Decrypt",
            &DecryptRequest {
                key_id: String::new(),
                ..dec(b"context")
            },
            &[("x-kms-migrationkeyversionid", version.as_str())],
        )
        .await
        .unwrap()
        .0;
    assert_eq!(d5.plaintext, b"hello world");
}

#[tokio::test]
async fn advance_ciphertexts_survive_rotation_and_plain_ones_too() {
    let (emu, kms) = setup().await;
    let inst = Instance::test_key(&emu);
    let aes = kms.new_key("Aliyun_AES_256", None).await;
    let v1 = kms.ok("DescribeKey", &[("KeyId", aes.as_str())]).await["KeyMetadata"]
        ["PrimaryKeyVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let adv: EncryptResponse = inst
        .ok(
            "AdvanceEncrypt",
            &EncryptRequest {
                aad: b"a".to_vec(),
                ..enc(&aes, b"advance")
            },
        )
        .await;
    // '$', cipher version 0, AES_GCM, the 36-character version id, a 12-byte IV, ct || tag.
    let blob = &adv.ciphertext_blob;
    assert_eq!(&blob[..3], b"$\x00\x02");
    assert_eq!(std::str::from_utf8(&blob[3..39]).unwrap(), v1);
    assert_eq!(&blob[39..51], adv.iv.as_slice());
    assert_eq!(blob.len(), 51 + 7 + 16);
    assert_eq!(adv.key_version_id, v1);
    let plain: EncryptResponse = inst.ok("Encrypt", &enc(&aes, b"plain")).await;

    let v2 = kms.ok("CreateKeyVersion", &[("KeyId", aes.as_str())]).await["KeyVersion"]
        ["KeyVersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let advance_decrypt = |blob: Vec<u8>, aad: &[u8]| DecryptRequest {
        ciphertext_blob: blob,
        aad: aad.to_vec(),
        ..Default::default()
    };
    let d: DecryptResponse = inst
        .ok("AdvanceDecrypt", &advance_decrypt(blob.clone(), b"a"))
        .await;
    assert_eq!(
        (
            d.plaintext.as_slice(),
            d.key_version_id.as_str(),
            d.key_id.as_str()
        ),
        (&b"advance"[..], v1.as_str(), aes.as_str())
    );
    let adv2: EncryptResponse = inst.ok("AdvanceEncrypt", &enc(&aes, b"after")).await;
    assert_eq!(adv2.key_version_id, v2);
    let d2: DecryptResponse = inst
        .ok(
            "AdvanceDecrypt",
            &advance_decrypt(adv2.ciphertext_blob.clone(), b""),
        )
        .await;
    assert_eq!(d2.plaintext, b"after");
    // Tampering with the blob or the Aad fails.
    let mut bad = blob.clone();
    *bad.last_mut().unwrap() ^= 1;
    let e = inst
        .call::<DecryptResponse>("AdvanceDecrypt", &advance_decrypt(bad, b"a"))
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "InvalidCiphertext");
    let e = inst
        .call::<DecryptResponse>("AdvanceDecrypt", &advance_decrypt(blob.clone(), b"b"))
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "InvalidCiphertext");
    let e = inst
        .call::<DecryptResponse>("AdvanceDecrypt", &advance_decrypt(b"garbage".to_vec(), b""))
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "InvalidCiphertext");
    // Encrypt (Iv separate) stays on the initial version, so it still decrypts.
    let d3: DecryptResponse = inst
        .ok(
            "Decrypt",
            &DecryptRequest {
                ciphertext_blob: plain.ciphertext_blob,
                key_id: aes.clone(),
                iv: plain.iv,
                ..Default::default()
            },
        )
        .await;
    assert_eq!(d3.plaintext, b"plain");
    // Disabled keys refuse.
    kms.ok("DisableKey", &[("KeyId", aes.as_str())]).await;
    let e = inst
        .call::<DecryptResponse>("AdvanceDecrypt", &advance_decrypt(blob.clone(), b"a"))
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "Rejected.Disabled");
}

#[tokio::test]
async fn sign_and_verify_every_algorithm_raw_and_digest() {
    let (emu, kms) = setup().await;
    let inst = Instance::test_key(&emu);
    let message = b"message to sign".to_vec();
    let digest = Sha256::digest(&message).to_vec();
    for (spec, alg) in [
        ("RSA_2048", "RSA_PSS_SHA_256"),
        ("RSA_2048", "RSA_PKCS1_SHA_256"),
        ("EC_P256", "ECDSA_SHA_256"),
        ("EC_P256K", "ECDSA_SHA_256"),
        ("EC_SM2", "SM2DSA"),
    ] {
        let key = kms.new_key(spec, Some("SIGN/VERIFY")).await;
        for (msg, kind) in [(message.clone(), "RAW"), (digest.clone(), "DIGEST")] {
            let s: SignResponse = inst
                .ok(
                    "Sign",
                    &SignRequest {
                        key_id: key.clone(),
                        algorithm: alg.into(),
                        message: msg.clone(),
                        message_type: kind.into(),
                        ..Default::default()
                    },
                )
                .await;
            assert_eq!((s.algorithm.as_str(), s.message_type.as_str()), (alg, kind));
            let verify = |sig: Vec<u8>| VerifyRequest {
                key_id: key.clone(),
                signature: sig,
                algorithm: alg.into(),
                message: msg.clone(),
                message_type: kind.into(),
                ..Default::default()
            };
            let v: VerifyResponse = inst.ok("Verify", &verify(s.signature.clone())).await;
            assert!(v.value, "{spec} {alg} {kind}");
            let mut bad = s.signature.clone();
            bad[10] ^= 1;
            let v: VerifyResponse = inst.ok("Verify", &verify(bad)).await;
            assert!(!v.value, "{spec} {alg} {kind} tampered");
            // SM2 RAW: e = SM3(Z || M) with the default ID, checked by the sm2 crate itself.
            if alg == "SM2DSA" && kind == "RAW" {
                use sm2::dsa::signature::Verifier as _;
                use sm2::pkcs8::DecodePublicKey as _;
                let pk: GetPublicKeyResponse = inst
                    .ok(
                        "GetPublicKey",
                        &GetPublicKeyRequest {
                            key_id: key.clone(),
                        },
                    )
                    .await;
                let public = sm2::PublicKey::from_public_key_pem(&pk.public_key).unwrap();
                let vk = sm2::dsa::VerifyingKey::new("1234567812345678", public).unwrap();
                let sig = sm2_signature_from_der(&s.signature);
                vk.verify(&msg, &sig).unwrap();
            }
            // Cross-check with the OpenAPI's AsymmetricVerify over the SHA-256 digest.
            if alg != "SM2DSA" {
                let ok = kms
                    .ok(
                        "AsymmetricVerify",
                        &[
                            ("KeyId", key.as_str()),
                            ("Algorithm", alg),
                            ("Digest", &b64(&digest)),
                            ("Value", &b64(&s.signature)),
                        ],
                    )
                    .await;
                assert_eq!(ok["Value"], true, "{spec} {alg} {kind}");
            }
        }
    }
    // RSA PKCS#1 checked outside the emulator, against GetPublicKey.
    let key = kms.new_key("RSA_2048", Some("SIGN/VERIFY")).await;
    let s: SignResponse = inst
        .ok(
            "Sign",
            &SignRequest {
                key_id: key.clone(),
                algorithm: "RSA_PKCS1_SHA_256".into(),
                message: message.clone(),
                ..Default::default()
            },
        )
        .await;
    let pk: GetPublicKeyResponse = inst
        .ok(
            "GetPublicKey",
            &GetPublicKeyRequest {
                key_id: key.clone(),
            },
        )
        .await;
    let public = rsa::RsaPublicKey::from_public_key_pem(&pk.public_key).unwrap();
    use rsa::signature::Verifier;
    rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public)
        .verify(
            &message,
            &rsa::pkcs1v15::Signature::try_from(s.signature.as_slice()).unwrap(),
        )
        .unwrap();
    let openapi = kms.ok("GetPublicKey", &[("KeyId", key.as_str())]).await;
    assert_eq!(openapi["PublicKey"], pk.public_key.as_str());
    // A DIGEST that is not 32 bytes, an algorithm the key cannot do, and a wrong MessageType.
    for (msg, alg, kind) in [
        (vec![1; 31], "", "DIGEST"),
        (message.clone(), "ECDSA_SHA_256", ""),
        (message.clone(), "", "HEX"),
    ] {
        let e = inst
            .call::<SignResponse>(
                "Sign",
                &SignRequest {
                    key_id: key.clone(),
                    algorithm: alg.into(),
                    message: msg,
                    message_type: kind.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.error_code, "InvalidParameter");
    }
}

#[tokio::test]
async fn random_and_data_keys() {
    let (emu, kms) = setup().await;
    let inst = Instance::test_key(&emu);
    let r: GenerateRandomResponse = inst
        .ok("GenerateRandom", &GenerateRandomRequest { length: 16 })
        .await;
    assert_eq!(r.random.len(), 16);
    let e = inst
        .call::<GenerateRandomResponse>("GenerateRandom", &GenerateRandomRequest { length: 5000 })
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "InvalidParameter");

    let aes = kms.new_key("Aliyun_AES_256", None).await;
    let g: GenerateDataKeyResponse = inst
        .ok(
            "GenerateDataKey",
            &GenerateDataKeyRequest {
                key_id: aes.clone(),
                number_of_bytes: 24,
                aad: b"x".to_vec(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(
        (g.plaintext.len(), g.iv.len(), g.algorithm.as_str()),
        (24, 12, "AES_GCM")
    );
    let d: DecryptResponse = inst
        .ok(
            "Decrypt",
            &DecryptRequest {
                ciphertext_blob: g.ciphertext_blob,
                key_id: aes.clone(),
                iv: g.iv,
                aad: b"x".to_vec(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(d.plaintext, g.plaintext);

    let a: GenerateDataKeyResponse = inst
        .ok(
            "AdvanceGenerateDataKey",
            &AdvanceGenerateDataKeyRequest {
                key_id: aes.clone(),
                number_of_bytes: 0,
                aad: vec![],
            },
        )
        .await;
    assert_eq!((a.plaintext.len(), a.key_version_id.len()), (32, 36));
    let d: DecryptResponse = inst
        .ok(
            "AdvanceDecrypt",
            &DecryptRequest {
                ciphertext_blob: a.ciphertext_blob,
                ..Default::default()
            },
        )
        .await;
    assert_eq!(d.plaintext, a.plaintext);
    let e = inst
        .call::<GenerateDataKeyResponse>(
            "GenerateDataKey",
            &GenerateDataKeyRequest {
                key_id: aes.clone(),
                number_of_bytes: 2000,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "InvalidParameter");
}

#[tokio::test]
async fn data_key_pairs_in_every_variant() {
    let (emu, kms) = setup().await;
    let inst = Instance::test_key(&emu);
    let aes = kms.new_key("Aliyun_AES_256", None).await;

    // Plain, PEM, RSA_2048: the private key decrypts back and matches the public key.
    let p: GenerateDataKeyPairResponse = inst
        .ok(
            "GenerateDataKeyPair",
            &GenerateDataKeyPairRequest {
                key_id: aes.clone(),
                key_pair_spec: "RSA_2048".into(),
                key_format: "PEM".into(),
                aad: b"pair".to_vec(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(p.key_pair_spec, "RSA_2048");
    let private =
        rsa::RsaPrivateKey::from_pkcs8_pem(std::str::from_utf8(&p.private_key_plaintext).unwrap())
            .unwrap();
    let public =
        rsa::RsaPublicKey::from_public_key_pem(std::str::from_utf8(&p.public_key).unwrap())
            .unwrap();
    assert_eq!(private.to_public_key(), public);
    let d: DecryptResponse = inst
        .ok(
            "Decrypt",
            &DecryptRequest {
                ciphertext_blob: p.private_key_ciphertext_blob,
                key_id: aes.clone(),
                iv: p.iv,
                aad: b"pair".to_vec(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(d.plaintext, p.private_key_plaintext);

    // Without plaintext, DER, EC_P256.
    let w: GenerateDataKeyPairWithoutPlaintextResponse = inst
        .ok(
            "GenerateDataKeyPairWithoutPlaintext",
            &GenerateDataKeyPairRequest {
                key_id: aes.clone(),
                key_pair_spec: "EC_P256".into(),
                key_format: "DER".into(),
                ..Default::default()
            },
        )
        .await;
    let d: DecryptResponse = inst
        .ok(
            "Decrypt",
            &DecryptRequest {
                ciphertext_blob: w.private_key_ciphertext_blob,
                key_id: aes.clone(),
                iv: w.iv,
                ..Default::default()
            },
        )
        .await;
    let sk = p256::SecretKey::from_pkcs8_der(&d.plaintext).unwrap();
    assert_eq!(
        p256::PublicKey::from_public_key_der(&w.public_key).unwrap(),
        sk.public_key()
    );

    // Advance variants: the blob decrypts with AdvanceDecrypt alone.
    let a: GenerateDataKeyPairResponse = inst
        .ok(
            "AdvanceGenerateDataKeyPair",
            &AdvanceGenerateDataKeyPairRequest {
                key_id: aes.clone(),
                key_pair_spec: "EC_P256".into(),
                key_format: "PEM".into(),
                aad: vec![],
            },
        )
        .await;
    assert_eq!(a.key_version_id.len(), 36);
    let d: DecryptResponse = inst
        .ok(
            "AdvanceDecrypt",
            &DecryptRequest {
                ciphertext_blob: a.private_key_ciphertext_blob,
                ..Default::default()
            },
        )
        .await;
    assert_eq!(d.plaintext, a.private_key_plaintext);
    let aw: GenerateDataKeyPairWithoutPlaintextResponse = inst
        .ok(
            "AdvanceGenerateDataKeyPairWithoutPlaintext",
            &AdvanceGenerateDataKeyPairRequest {
                key_id: aes.clone(),
                key_pair_spec: "RSA_2048".into(),
                key_format: "DER".into(),
                aad: vec![],
            },
        )
        .await;
    let d: DecryptResponse = inst
        .ok(
            "AdvanceDecrypt",
            &DecryptRequest {
                ciphertext_blob: aw.private_key_ciphertext_blob,
                ..Default::default()
            },
        )
        .await;
    let private = rsa::RsaPrivateKey::from_pkcs8_der(&d.plaintext).unwrap();
    assert_eq!(
        private.to_public_key(),
        rsa::RsaPublicKey::from_public_key_der(&aw.public_key).unwrap()
    );

    let e = inst
        .call::<GenerateDataKeyPairResponse>(
            "GenerateDataKeyPair",
            &GenerateDataKeyPairRequest {
                key_id: aes.clone(),
                key_pair_spec: "Aliyun_AES_256".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "InvalidParameter");
}

#[tokio::test]
async fn public_keys_and_secrets() {
    let (emu, kms) = setup().await;
    let inst = Instance::test_key(&emu);
    let ec = kms.new_key("EC_P256", None).await;
    let pk: GetPublicKeyResponse = inst
        .ok("GetPublicKey", &GetPublicKeyRequest { key_id: ec.clone() })
        .await;
    assert!(pk.public_key.starts_with("-----BEGIN PUBLIC KEY-----"));
    let aes = kms.new_key("Aliyun_AES_256", None).await;
    let e = inst
        .call::<GetPublicKeyResponse>("GetPublicKey", &GetPublicKeyRequest { key_id: aes })
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "Rejected.UnsupportedOperation");

    kms.ok(
        "CreateSecret",
        &[
            ("SecretName", "db-pass"),
            ("SecretData", "s3cr3t"),
            ("VersionId", "v1"),
        ],
    )
    .await;
    kms.ok(
        "PutSecretValue",
        &[
            ("SecretName", "db-pass"),
            ("SecretData", "n3w"),
            ("VersionId", "v2"),
        ],
    )
    .await;
    let s: GetSecretValueResponse = inst
        .ok(
            "GetSecretValue",
            &GetSecretValueRequest {
                secret_name: "db-pass".into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(
        (
            s.secret_name.as_str(),
            s.secret_data.as_str(),
            s.version_id.as_str(),
            s.secret_data_type.as_str()
        ),
        ("db-pass", "n3w", "v2", "text")
    );
    assert_eq!(s.version_stages, vec!["ACSCurrent".to_owned()]);
    assert!(!s.create_time.is_empty() && !s.request_id.is_empty());
    let s: GetSecretValueResponse = inst
        .ok(
            "GetSecretValue",
            &GetSecretValueRequest {
                secret_name: "db-pass".into(),
                version_stage: "ACSPrevious".into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(s.secret_data, "s3cr3t");
    let e = inst
        .call::<GetSecretValueResponse>(
            "GetSecretValue",
            &GetSecretValueRequest {
                secret_name: "nope".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.status_code, e.error_code.as_str()),
        (404, "Forbidden.ResourceNotFound")
    );
}

#[tokio::test]
async fn errors_faults_and_stats() {
    let (emu, kms) = setup().await;
    let inst = Instance::test_key(&emu);
    // Unknown key, alias and missing KeyId.
    for (id, code) in [
        ("key-doesnotexist", "Forbidden.KeyNotFound"),
        ("alias/none", "Forbidden.AliasNotFound"),
        ("", "MissingParameter"),
    ] {
        let e = inst
            .call::<EncryptResponse>("Encrypt", &enc(id, b"x"))
            .await
            .unwrap_err();
        assert_eq!(e.error_code, code, "{id}");
    }
    // A key with the wrong usage.
    let sign_key = kms.new_key("EC_P256", None).await;
    let e = inst
        .call::<EncryptResponse>("Encrypt", &enc(&sign_key, b"x"))
        .await
        .unwrap_err();
    assert_eq!(e.error_code, "Rejected.UnsupportedOperation");
    // A body that is not protobuf.
    let resp = inst.raw("Encrypt", b"\xff\xff\xff", &[]).await;
    assert_eq!(expect_error(&resp).error_code, "InvalidParameter");
    // A signature by another key under the test key's id.
    let other = Instance {
        emu: &emu,
        key: rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap(),
        key_id: TEST_KEY_ID.into(),
    };
    let e = other
        .call::<GenerateRandomResponse>("GenerateRandom", &GenerateRandomRequest { length: 4 })
        .await
        .unwrap_err();
    assert_eq!(
        (e.status_code, e.error_code.as_str()),
        (401, "Unauthorized")
    );

    // Admin faults: throttling speaks the Instance API's name and status.
    let (s, _) = kms
        .admin(
            "POST",
            "/_emulator/faults",
            Some(serde_json::json!({"kind":"throttling","action":"GenerateRandom","count":1})),
        )
        .await;
    assert_eq!(s, 200);
    let e = inst
        .call::<GenerateRandomResponse>("GenerateRandom", &GenerateRandomRequest { length: 4 })
        .await
        .unwrap_err();
    assert_eq!(
        (
            e.status_code,
            e.error_code.as_str(),
            e.error_message.as_str()
        ),
        (429, "Rejected.Throttling", "QPS Limit Exceeded")
    );
    let (s, _) = kms
        .admin(
            "POST",
            "/_emulator/faults",
            Some(serde_json::json!({"kind":"error","status":503,"count":1})),
        )
        .await;
    assert_eq!(s, 200);
    let e = inst
        .call::<GenerateRandomResponse>("GenerateRandom", &GenerateRandomRequest { length: 4 })
        .await
        .unwrap_err();
    assert_eq!(
        (e.status_code, e.error_code.as_str()),
        (503, "ServiceUnavailableTemporary")
    );
    let _: GenerateRandomResponse = inst
        .ok("GenerateRandom", &GenerateRandomRequest { length: 4 })
        .await;
    // Authenticated Instance API requests count under their API name; refused ones do not.
    let (_, stats) = kms.admin("GET", "/_emulator/stats", None).await;
    assert_eq!(stats["requests"]["GenerateRandom"], 3, "{stats}");
}

/// DER SEQUENCE { INTEGER r, INTEGER s } (short lengths, as SM2 signatures have) to r || s.
fn sm2_signature_from_der(der: &[u8]) -> sm2::dsa::Signature {
    assert_eq!(der[0], 0x30);
    let mut rest = &der[2..];
    let mut out = [0u8; 64];
    for half in 0..2 {
        assert_eq!(rest[0], 0x02);
        let len = usize::from(rest[1]);
        let int = &rest[2..2 + len];
        let int = &int[int.len().saturating_sub(32)..];
        out[half * 32 + 32 - int.len()..half * 32 + 32].copy_from_slice(int);
        rest = &rest[2 + len..];
    }
    sm2::dsa::Signature::from_slice(&out).unwrap()
}
