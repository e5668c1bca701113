//! Behavioural tests of the engine: round trips for every spec and algorithm, tamper detection,
//! parameter checks and known-answer vectors. Interoperability with OpenSSL lives in
//! `openssl_tests.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::*;

pub(super) fn rsa2048() -> &'static KeyMaterial {
    static KEY: OnceLock<KeyMaterial> = OnceLock::new();
    KEY.get_or_init(|| generate(KeySpec::Rsa2048).unwrap())
}

pub(super) fn rsa3072() -> &'static KeyMaterial {
    static KEY: OnceLock<KeyMaterial> = OnceLock::new();
    KEY.get_or_init(|| generate(KeySpec::Rsa3072).unwrap())
}

pub(super) fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

fn key_for(spec: KeySpec) -> KeyMaterial {
    match spec {
        KeySpec::Rsa2048 => rsa2048().clone(),
        KeySpec::Rsa3072 => rsa3072().clone(),
        other => generate(other).unwrap(),
    }
}

#[test]
fn spec_names_round_trip_and_capabilities_match_kms() {
    for spec in KeySpec::ALL {
        assert_eq!(KeySpec::parse(spec.as_str()), Some(spec));
        assert!(spec.supports_usage(spec.default_usage()), "{spec}");
        assert!(!spec.supports_usage("ENCRYPT"), "{spec}");
        let encrypts = spec.supports_usage("ENCRYPT/DECRYPT");
        assert_eq!(
            encrypts,
            spec.is_symmetric() || !spec.encryption_algorithms().is_empty()
        );
        assert_eq!(
            spec.supports_usage("SIGN/VERIFY"),
            !spec.signing_algorithms().is_empty()
        );
    }
    assert_eq!(KeySpec::parse("aliyun_aes_256"), None);
    assert_eq!(KeySpec::parse("EC_P384"), None);
    assert_eq!(KeySpec::Sm4.default_usage(), "ENCRYPT/DECRYPT");
    assert_eq!(KeySpec::EcSm2.default_usage(), "SIGN/VERIFY");
    assert!(KeySpec::EcSm2.supports_usage("ENCRYPT/DECRYPT"));
    assert!(!KeySpec::EcP256K.supports_usage("ENCRYPT/DECRYPT"));
    assert!(!KeySpec::Aes256.supports_usage("SIGN/VERIFY"));
}

#[test]
fn key_material_never_shows_its_bytes() {
    let key = KeyMaterial::from_bytes(vec![0xAB; 32]);
    assert_eq!(format!("{key:?}"), "***");
    assert_eq!(key.as_bytes(), &[0xAB; 32]);
    assert_eq!(generate(KeySpec::Aes256).unwrap().as_bytes().len(), 32);
    assert_eq!(generate(KeySpec::Sm4).unwrap().as_bytes().len(), 16);
}

#[test]
fn symmetric_round_trip_and_layout() {
    for spec in [KeySpec::Aes256, KeySpec::Sm4] {
        let key = generate(spec).unwrap();
        for plaintext in [&b""[..], b"x", &[7u8; 1000][..]] {
            let blob = sym_encrypt(spec, &key, plaintext, b"ctx").unwrap();
            assert_eq!(blob.len(), 12 + plaintext.len() + 16);
            let opened = sym_decrypt(spec, &key, &blob, b"ctx").unwrap();
            assert_eq!(opened.as_slice(), plaintext);
        }
        let a = sym_encrypt(spec, &key, b"same", b"").unwrap();
        let b = sym_encrypt(spec, &key, b"same", b"").unwrap();
        assert_ne!(a[..12], b[..12], "IVs must be fresh");
    }
}

#[test]
fn symmetric_tampering_is_detected() {
    for spec in [KeySpec::Aes256, KeySpec::Sm4] {
        let key = generate(spec).unwrap();
        let blob = sym_encrypt(spec, &key, b"attack at dawn", b"aad").unwrap();
        // one byte in the IV, the ciphertext and the tag
        for index in [0, 11, 12, 12 + 13, blob.len() - 16, blob.len() - 1] {
            let mut bad = blob.clone();
            bad[index] ^= 0x01;
            assert_eq!(
                sym_decrypt(spec, &key, &bad, b"aad"),
                Err(CryptoError::InvalidCiphertext),
                "{spec} byte {index}"
            );
        }
        assert_eq!(
            sym_decrypt(spec, &key, &blob, b"aae"),
            Err(CryptoError::InvalidCiphertext)
        );
        assert_eq!(
            sym_decrypt(spec, &key, &blob, b""),
            Err(CryptoError::InvalidCiphertext)
        );
        assert_eq!(
            sym_decrypt(spec, &key, &blob[..27], b"aad"),
            Err(CryptoError::InvalidCiphertext)
        );
        let other = generate(spec).unwrap();
        assert_eq!(
            sym_decrypt(spec, &other, &blob, b"aad"),
            Err(CryptoError::InvalidCiphertext)
        );
    }
}

#[test]
fn symmetric_rejects_bad_keys_and_asymmetric_specs() {
    let short = KeyMaterial::from_bytes(vec![1; 16]);
    assert_eq!(
        sym_encrypt(KeySpec::Aes256, &short, b"x", b""),
        Err(CryptoError::InvalidKeyMaterial)
    );
    let long = KeyMaterial::from_bytes(vec![1; 32]);
    assert_eq!(
        sym_encrypt(KeySpec::Sm4, &long, b"x", b""),
        Err(CryptoError::InvalidKeyMaterial)
    );
    assert!(matches!(
        sym_encrypt(KeySpec::EcSm2, &long, b"x", b""),
        Err(CryptoError::UnsupportedAlgorithm(_))
    ));
}

/// RFC 8998 appendix A.1: SM4-GCM, which must be the real GCM construction over SM4.
#[test]
fn sm4_gcm_known_answer() {
    let key = KeyMaterial::from_bytes(hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap());
    let blob = hex::decode(concat!(
        "00001234567800000000ABCD",
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735",
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
        "83DE3541E4C2B58177E065A9BF7B62EC",
    ))
    .unwrap();
    let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
    let plaintext = sym_decrypt(KeySpec::Sm4, &key, &blob, &aad).unwrap();
    assert_eq!(
        hex::encode_upper(plaintext.as_slice()),
        concat!(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD",
            "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
        )
    );
}

/// NIST GCM test case 14 (AES-256, zero key and IV, one zero block).
#[test]
fn aes_gcm_known_answer() {
    let key = KeyMaterial::from_bytes(vec![0; 32]);
    let blob = hex::decode(concat!(
        "000000000000000000000000",
        "cea7403d4d606b6e074ec5d3baf39d18",
        "d0d1c8a799996bf0265b98b5d48ab919",
    ))
    .unwrap();
    let plaintext = sym_decrypt(KeySpec::Aes256, &key, &blob, b"").unwrap();
    assert_eq!(plaintext.as_slice(), &[0u8; 16]);
}

fn check_asymmetric_encryption(spec: KeySpec, key: &KeyMaterial) {
    for algorithm in spec.encryption_algorithms() {
        let max = match (spec, *algorithm) {
            (KeySpec::EcSm2, _) => 6047,
            (_, RSAES_OAEP_SHA_1) => key_bytes(spec) - 42,
            _ => key_bytes(spec) - 66,
        };
        for len in [1, 32, max] {
            let plaintext = vec![0x5A; len];
            let ct = asym_encrypt(spec, key, algorithm, &plaintext).unwrap();
            let pt = asym_decrypt(spec, key, algorithm, &ct).unwrap();
            assert_eq!(pt.as_slice(), &plaintext[..], "{spec} {algorithm} {len}");
        }
        for bad_len in [0, max + 1] {
            assert!(
                matches!(
                    asym_encrypt(spec, key, algorithm, &vec![1; bad_len]),
                    Err(CryptoError::InvalidParameter(_))
                ),
                "{spec} {algorithm} {bad_len}"
            );
        }
        let ct = asym_encrypt(spec, key, algorithm, b"secret").unwrap();
        for index in [0, ct.len() / 2, ct.len() - 1] {
            let mut bad = ct.clone();
            bad[index] ^= 0x80;
            assert_eq!(
                asym_decrypt(spec, key, algorithm, &bad),
                Err(CryptoError::InvalidCiphertext),
                "{spec} {algorithm} byte {index}"
            );
        }
        assert_eq!(
            asym_decrypt(spec, key, algorithm, &ct[..ct.len() - 1]),
            Err(CryptoError::InvalidCiphertext)
        );
        let other = generate(KeySpec::EcSm2).unwrap();
        if spec == KeySpec::EcSm2 {
            assert_eq!(
                asym_decrypt(spec, &other, algorithm, &ct),
                Err(CryptoError::InvalidCiphertext)
            );
        }
    }
    for wrong in [
        SM2PKE,
        RSAES_OAEP_SHA_1,
        "RSAES_OAEP_SHA_512",
        ECDSA_SHA_256,
    ] {
        if !spec.encryption_algorithms().contains(&wrong) {
            assert!(matches!(
                asym_encrypt(spec, key, wrong, b"x"),
                Err(CryptoError::UnsupportedAlgorithm(_))
            ));
            assert!(matches!(
                asym_decrypt(spec, key, wrong, b"x"),
                Err(CryptoError::UnsupportedAlgorithm(_))
            ));
        }
    }
}

fn key_bytes(spec: KeySpec) -> usize {
    spec.rsa_bits().map_or(0, |bits| bits / 8)
}

fn check_signatures(spec: KeySpec, key: &KeyMaterial) {
    let digest = sha256(b"the message");
    for algorithm in spec.signing_algorithms() {
        let signature = sign(spec, key, algorithm, &digest).unwrap();
        assert_eq!(verify(spec, key, algorithm, &digest, &signature), Ok(true));

        let mut other_digest = digest.clone();
        other_digest[31] ^= 1;
        assert_eq!(
            verify(spec, key, algorithm, &other_digest, &signature),
            Ok(false)
        );
        for index in [0, signature.len() / 2, signature.len() - 1] {
            let mut bad = signature.clone();
            bad[index] ^= 0x01;
            assert_eq!(
                verify(spec, key, algorithm, &digest, &bad),
                Ok(false),
                "{spec} {algorithm} byte {index}"
            );
        }
        for malformed in [&b""[..], b"\x30\x00", &[0xFF; 600]] {
            assert_eq!(verify(spec, key, algorithm, &digest, malformed), Ok(false));
        }
        for bad_len in [0, 20, 31, 33, 64] {
            assert!(matches!(
                sign(spec, key, algorithm, &vec![1; bad_len]),
                Err(CryptoError::InvalidParameter(_))
            ));
            assert!(matches!(
                verify(spec, key, algorithm, &vec![1; bad_len], &signature),
                Err(CryptoError::InvalidParameter(_))
            ));
        }
        let other = key_for(spec_peer(spec));
        assert_eq!(
            verify(spec, &other, algorithm, &digest, &signature),
            Ok(false)
        );
    }
    for wrong in [
        RSA_PSS_SHA_256,
        ECDSA_SHA_256,
        SM2DSA,
        "ECDSA_SHA_384",
        SM2PKE,
    ] {
        if !spec.signing_algorithms().contains(&wrong) {
            assert!(matches!(
                sign(spec, key, wrong, &digest),
                Err(CryptoError::UnsupportedAlgorithm(_))
            ));
            assert!(matches!(
                verify(spec, key, wrong, &digest, b"sig"),
                Err(CryptoError::UnsupportedAlgorithm(_))
            ));
        }
    }
    let pem = public_key_pem(spec, key).unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    assert!(pem.trim_end().ends_with("-----END PUBLIC KEY-----"));
}

/// A different key of the same spec (RSA keys are costly, so the 2048 and 3072 keys stand in
/// for each other: a signature must not verify under either).
fn spec_peer(spec: KeySpec) -> KeySpec {
    match spec {
        KeySpec::Rsa2048 => KeySpec::Rsa3072,
        KeySpec::Rsa3072 => KeySpec::Rsa2048,
        other => other,
    }
}

#[test]
fn rsa_2048() {
    check_asymmetric_encryption(KeySpec::Rsa2048, rsa2048());
    check_signatures(KeySpec::Rsa2048, rsa2048());
}

#[test]
fn rsa_3072() {
    check_asymmetric_encryption(KeySpec::Rsa3072, rsa3072());
    check_signatures(KeySpec::Rsa3072, rsa3072());
}

#[test]
fn ecdsa_p256_and_secp256k1() {
    for spec in [KeySpec::EcP256, KeySpec::EcP256K] {
        let key = generate(spec).unwrap();
        check_signatures(spec, &key);
        check_asymmetric_encryption(spec, &key);
        assert!(matches!(
            asym_encrypt(spec, &key, SM2PKE, b"x"),
            Err(CryptoError::UnsupportedAlgorithm(_))
        ));
    }
}

#[test]
fn sm2_signatures_and_encryption() {
    let key = generate(KeySpec::EcSm2).unwrap();
    check_signatures(KeySpec::EcSm2, &key);
    check_asymmetric_encryption(KeySpec::EcSm2, &key);
}

#[test]
fn symmetric_specs_have_no_asymmetric_operations() {
    for spec in [KeySpec::Aes256, KeySpec::Sm4] {
        let key = generate(spec).unwrap();
        assert!(matches!(
            asym_encrypt(spec, &key, RSAES_OAEP_SHA_256, b"x"),
            Err(CryptoError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            sign(spec, &key, ECDSA_SHA_256, &[0; 32]),
            Err(CryptoError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            public_key_pem(spec, &key),
            Err(CryptoError::UnsupportedAlgorithm(_))
        ));
    }
}

#[test]
fn garbage_key_material_is_reported_without_echoing_it() {
    let garbage = KeyMaterial::from_bytes(vec![0x42; 40]);
    for spec in [
        KeySpec::Rsa2048,
        KeySpec::EcP256,
        KeySpec::EcP256K,
        KeySpec::EcSm2,
    ] {
        let algorithm = spec.signing_algorithms()[0];
        let err = sign(spec, &garbage, algorithm, &[0; 32]).unwrap_err();
        assert_eq!(err, CryptoError::InvalidKeyMaterial);
        assert!(!err.to_string().contains("42"));
        assert_eq!(
            public_key_pem(spec, &garbage),
            Err(CryptoError::InvalidKeyMaterial)
        );
    }
    // A P-256 key is not an SM2 key even though both are PKCS#8 EC keys.
    let p256_key = generate(KeySpec::EcP256).unwrap();
    assert_eq!(
        sign(KeySpec::EcSm2, &p256_key, SM2DSA, &[0; 32]),
        Err(CryptoError::InvalidKeyMaterial)
    );
}

#[test]
fn secp256k1_accepts_high_s_signatures() {
    use k256::ecdsa::Signature;
    use k256::elliptic_curve::scalar::IsHigh;
    let key = generate(KeySpec::EcP256K).unwrap();
    let digest = sha256(b"bitcoin rules do not apply");
    let der = sign(KeySpec::EcP256K, &key, ECDSA_SHA_256, &digest).unwrap();
    let low = Signature::from_der(&der).unwrap();
    assert!(bool::from(!low.s().is_high()), "k256 signs low-S");
    let high = Signature::from_scalars(low.r(), -*low.s()).unwrap();
    assert!(bool::from(high.s().is_high()));
    let high_der = high.to_der().as_bytes().to_vec();
    assert_eq!(
        verify(KeySpec::EcP256K, &key, ECDSA_SHA_256, &digest, &high_der),
        Ok(true)
    );
}
