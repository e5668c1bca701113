//! Interoperability with OpenSSL: what the emulator signs or encrypts must be accepted by a
//! standard tool reading the GetPublicKey PEM, and what the tool produces must be accepted here.
//! Skipped (with a message) only when no `openssl` binary is installed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use super::tests::{rsa2048, sha256};
use super::*;

/// A scratch directory holding one key's PEM public key and DER private key, or `None` when
/// OpenSSL is missing.
pub(super) struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub(super) fn new(spec: KeySpec, key: &KeyMaterial) -> Option<Workspace> {
        if Command::new("openssl").arg("version").output().is_err() {
            eprintln!("SKIPPED: openssl is not installed, interop not checked");
            return None;
        }
        let ws = Workspace {
            dir: tempfile::tempdir().unwrap(),
        };
        ws.write("pub.pem", public_key_pem(spec, key).unwrap().as_bytes());
        ws.write("priv.der", key.as_bytes());
        Some(ws)
    }

    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(super) fn write(&self, name: &str, data: &[u8]) {
        std::fs::write(self.path(name), data).unwrap();
    }

    pub(super) fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// Runs `openssl <command>` (arguments split on whitespace) in the scratch directory and
    /// returns whether it succeeded.
    pub(super) fn openssl(&self, command: &str) -> bool {
        let args: Vec<&str> = command.split_whitespace().collect();
        let out = Command::new("openssl")
            .args(&args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        if !out.status.success() {
            eprintln!(
                "openssl {args:?} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out.status.success()
    }

    pub(super) fn dir(&self) -> &Path {
        self.dir.path()
    }
}

const MESSAGE: &[u8] = b"kmskit interop message";

#[test]
fn openssl_verifies_rsa_signatures_and_signs_pss_we_accept() {
    let key = rsa2048();
    let Some(ws) = Workspace::new(KeySpec::Rsa2048, key) else {
        return;
    };
    assert!(ws.dir().exists());
    ws.write("msg", MESSAGE);
    let digest = sha256(MESSAGE);

    let pss = sign(KeySpec::Rsa2048, key, RSA_PSS_SHA_256, &digest).unwrap();
    ws.write("pss.sig", &pss);
    // An explicit salt length of 32 proves the salt is the digest length, not just "some salt".
    assert!(ws.openssl("dgst -sha256 -verify pub.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 -signature pss.sig msg"));
    assert!(!ws.openssl("dgst -sha256 -verify pub.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20 -signature pss.sig msg"));

    let pkcs1 = sign(KeySpec::Rsa2048, key, RSA_PKCS1_SHA_256, &digest).unwrap();
    ws.write("pkcs1.sig", &pkcs1);
    assert!(ws.openssl("dgst -sha256 -verify pub.pem -signature pkcs1.sig msg"));

    assert!(ws.openssl("dgst -sha256 -sign priv.der -keyform DER -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -out theirs.sig msg"));
    let theirs = ws.read("theirs.sig");
    assert_eq!(
        verify(KeySpec::Rsa2048, key, RSA_PSS_SHA_256, &digest, &theirs),
        Ok(true)
    );
    assert!(ws.openssl("dgst -sha256 -sign priv.der -keyform DER -out theirs1.sig msg"));
    let theirs = ws.read("theirs1.sig");
    assert_eq!(
        verify(KeySpec::Rsa2048, key, RSA_PKCS1_SHA_256, &digest, &theirs),
        Ok(true)
    );
    assert_eq!(
        verify(KeySpec::Rsa2048, key, RSA_PSS_SHA_256, &digest, &theirs),
        Ok(false)
    );
}

#[test]
fn rsa_oaep_interoperates_with_openssl_both_ways() {
    let key = rsa2048();
    let Some(ws) = Workspace::new(KeySpec::Rsa2048, key) else {
        return;
    };
    ws.write("pt", MESSAGE);
    for (algorithm, md) in [(RSAES_OAEP_SHA_1, "sha1"), (RSAES_OAEP_SHA_256, "sha256")] {
        let oaep_md = format!("rsa_oaep_md:{md}");
        let mgf1_md = format!("rsa_mgf1_md:{md}");
        assert!(ws.openssl(&format!("pkeyutl -encrypt -pubin -inkey pub.pem -in pt -out ct -pkeyopt rsa_padding_mode:oaep -pkeyopt {oaep_md} -pkeyopt {mgf1_md}")));
        let plaintext = asym_decrypt(KeySpec::Rsa2048, key, algorithm, &ws.read("ct")).unwrap();
        assert_eq!(plaintext.as_slice(), MESSAGE, "{algorithm}");

        let ours = asym_encrypt(KeySpec::Rsa2048, key, algorithm, MESSAGE).unwrap();
        ws.write("ours.ct", &ours);
        assert!(ws.openssl(&format!("pkeyutl -decrypt -inkey priv.der -keyform DER -in ours.ct -out ours.pt -pkeyopt rsa_padding_mode:oaep -pkeyopt {oaep_md} -pkeyopt {mgf1_md}")));
        assert_eq!(ws.read("ours.pt"), MESSAGE, "{algorithm}");
    }
}

#[test]
fn ecdsa_interoperates_with_openssl_both_ways() {
    for (spec, curve) in [
        (KeySpec::EcP256, "prime256v1"),
        (KeySpec::EcP256K, "secp256k1"),
    ] {
        let key = generate(spec).unwrap();
        let Some(ws) = Workspace::new(spec, &key) else {
            return;
        };
        ws.write("msg", MESSAGE);
        let digest = sha256(MESSAGE);
        let out = Command::new("openssl")
            .args(["pkey", "-pubin", "-in", "pub.pem", "-text", "-noout"])
            .current_dir(ws.dir())
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(curve),
            "{spec}"
        );

        let ours = sign(spec, &key, ECDSA_SHA_256, &digest).unwrap();
        ws.write("ours.sig", &ours);
        assert!(ws.openssl("dgst -sha256 -verify pub.pem -signature ours.sig msg"));

        // OpenSSL does not normalise s, so over a few signatures this also exercises high-S.
        for round in 0..4 {
            let name = format!("theirs{round}.sig");
            assert!(ws.openssl(&format!(
                "dgst -sha256 -sign priv.der -keyform DER -out {name} msg"
            )));
            let theirs = ws.read(&name);
            assert_eq!(
                verify(spec, &key, ECDSA_SHA_256, &digest, &theirs),
                Ok(true),
                "{spec}"
            );
        }
    }
}
