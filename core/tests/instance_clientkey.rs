//! ClientKey loading: the official JSON file + password (string, file, JSON password file,
//! environment variable) through kmskit's own PKCS#12 reader; PEM keys; wrong passwords and
//! malformed input are typed errors that never echo secrets, and mutated input never panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use kmskit::{ClientKey, ErrorCode, ErrorKind, SecretString};
use proptest::prelude::*;
use std::path::PathBuf;

const KEY_ID: &str = "KAAP.00000000-1111-2222-3333-444444444444";
const PASSWORD: &str = "0123456789abcdef0123456789abcdef";

fn dir() -> PathBuf {
    let shared = std::env::var_os("KMSKIT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    shared.join("testdata/clientkey")
}

fn key_file() -> PathBuf {
    dir().join(format!("clientKey_{KEY_ID}.json"))
}

fn p12() -> Vec<u8> {
    std::fs::read(dir().join("clientkey.p12")).unwrap()
}

fn reference_signature(msg: &[u8]) -> Vec<u8> {
    let pem = std::fs::read_to_string(dir().join("clientkey_private.pem")).unwrap();
    ClientKey::from_private_key_pem(KEY_ID, &SecretString::new(pem))
        .unwrap()
        .sign(msg)
        .unwrap()
}

#[test]
fn the_official_file_loads_with_every_password_source() {
    let want = reference_signature(b"message");
    let from_string = ClientKey::from_file(key_file(), &SecretString::new(PASSWORD)).unwrap();
    assert_eq!(from_string.key_id(), KEY_ID);
    assert_eq!(from_string.sign(b"message").unwrap(), want);

    let plain =
        ClientKey::password_from_file(dir().join(format!("clientKey_{KEY_ID}_Password.txt")))
            .unwrap();
    let json =
        ClientKey::password_from_file(dir().join(format!("password_{KEY_ID}.json"))).unwrap();
    assert_eq!(plain.expose(), PASSWORD);
    assert_eq!(json.expose(), PASSWORD);

    // A password file written on Windows: CR LF stripped, everything else kept.
    let tmp = std::env::temp_dir().join(format!("kmskit-pw-{}.txt", std::process::id()));
    std::fs::write(&tmp, format!("{PASSWORD}\r\n")).unwrap();
    assert_eq!(
        ClientKey::password_from_file(&tmp).unwrap().expose(),
        PASSWORD
    );
    std::fs::remove_file(&tmp).unwrap();

    let var = format!("KMSKIT_TEST_CLIENTKEY_PASSWORD_{}", std::process::id());
    std::env::set_var(&var, PASSWORD);
    let env = ClientKey::password_from_env(&var).unwrap();
    std::env::remove_var(&var);
    let json_text = std::fs::read_to_string(key_file()).unwrap();
    let k = ClientKey::from_json(&json_text, &env).unwrap();
    assert_eq!(k.sign(b"message").unwrap(), want);
    assert!(ClientKey::password_from_env(&var).is_err());
}

#[test]
fn the_p12_file_and_pem_forms_give_the_same_key() {
    let want = reference_signature(b"m");
    let k = ClientKey::from_pkcs12(KEY_ID, &p12(), &SecretString::new(PASSWORD)).unwrap();
    assert_eq!(k.sign(b"m").unwrap(), want);
    // Bare base64 of the PKCS#8 body, and the same body under the SDK's RSA PRIVATE KEY label.
    let pem = std::fs::read_to_string(dir().join("clientkey_private.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let bare = ClientKey::from_private_key_pem(KEY_ID, &SecretString::new(body.clone())).unwrap();
    assert_eq!(bare.sign(b"m").unwrap(), want);
    let relabelled =
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n");
    let k = ClientKey::from_private_key_pem(KEY_ID, &SecretString::new(relabelled)).unwrap();
    assert_eq!(k.sign(b"m").unwrap(), want);
    assert!(format!("{k:?}").contains(KEY_ID));
    assert!(!format!("{k:?}").contains(&body[..20]));
}

#[test]
fn a_wrong_password_is_a_clear_typed_error_without_secrets() {
    let e = ClientKey::from_file(key_file(), &SecretString::new("wrong-password-123")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ClientKeyInvalid);
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.message().contains("password is wrong"), "{e}");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("wrong-password-123"));
    assert!(!shown.contains("MIIK"), "no key material in the error");
}

#[test]
fn malformed_files_are_typed_errors() {
    for json in [
        "",
        "[]",
        "{\"KeyId\": \"k\"}",
        "{\"KeyId\": \"k\", \"PrivateKeyData\": \"%%%\"}",
        "{\"KeyId\": \"k\", \"PrivateKeyData\": \"aGVsbG8=\"}",
        "{\"KeyId\": \"\", \"PrivateKeyData\": \"aGVsbG8=\"}",
    ] {
        let e = ClientKey::from_json(json, &SecretString::new(PASSWORD)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ClientKeyInvalid, "{json}: {e}");
    }
    let e =
        ClientKey::from_file("/nonexistent/clientKey.json", &SecretString::new("x")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ClientKeyInvalid);
    let pem = std::fs::read_to_string(dir().join("clientkey_public.pem")).unwrap();
    assert!(ClientKey::from_private_key_pem(KEY_ID, &SecretString::new(pem)).is_err());
    let good = std::fs::read_to_string(dir().join("clientkey_private.pem")).unwrap();
    assert!(ClientKey::from_private_key_pem(" ", &SecretString::new(good)).is_err());
    // The JSON file's own base64 decodes to the same PFX as clientkey.p12.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(key_file()).unwrap()).unwrap();
    let der = base64::engine::general_purpose::STANDARD
        .decode(v["PrivateKeyData"].as_str().unwrap())
        .unwrap();
    assert!(ClientKey::from_pkcs12(KEY_ID, &der, &SecretString::new(PASSWORD)).is_ok());
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let pfx = p12();
    let pw = SecretString::new(PASSWORD);
    for len in (0..pfx.len()).step_by(7) {
        assert!(ClientKey::from_pkcs12(KEY_ID, &pfx[..len], &pw).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Flipping bytes anywhere (the MAC catches content changes; header changes hit the
    /// DER reader) must give an error or, at worst, a key — never a panic or a hang.
    #[test]
    fn mutated_pkcs12_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let mut pfx = p12();
        for (i, v) in flips {
            let at = i.index(pfx.len());
            pfx[at] ^= v | 1;
        }
        let _ = ClientKey::from_pkcs12(KEY_ID, &pfx, &SecretString::new(PASSWORD));
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(ClientKey::from_pkcs12(KEY_ID, &bytes, &SecretString::new("x")).is_err());
        let text = SecretString::new(String::from_utf8_lossy(&bytes).into_owned());
        prop_assert!(ClientKey::from_private_key_pem(KEY_ID, &text).is_err());
    }
}
