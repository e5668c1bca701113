//! The emulator's cryptographic engine.
//!
//! The emulator answers KMS data-plane calls with real cryptography so that a client tested against
//! it meets the same failure modes (tampered ciphertexts, wrong algorithms, bad digests) it would
//! meet in the cloud. Everything here is a pure function of its inputs plus the OS RNG: no I/O, no
//! state, no knowledge of key ids or HTTP. The server layer maps [`CryptoError`] to KMS error codes.
//!
//! Stored key material ([`KeyMaterial`]) is raw key bytes for symmetric specs and the PKCS#8 DER of
//! the private key for every asymmetric spec, SM2 included (id-ecPublicKey + the SM2 curve OID
//! 1.2.156.10197.1.301, which is what OpenSSL and the `sm2` crate both read and write).

mod der;
mod ec;
mod rsa;
mod sm2;
mod symmetric;

#[cfg(test)]
mod openssl_tests;
#[cfg(test)]
mod sm2_tests;
#[cfg(test)]
mod tests;

use std::fmt;

use rand::RngCore;
use zeroize::Zeroizing;

/// The key specs the emulator supports, named as KMS names them on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySpec {
    Aes256,
    Sm4,
    Rsa2048,
    Rsa3072,
    EcP256,
    EcP256K,
    EcSm2,
}

pub const ENCRYPT_DECRYPT: &str = "ENCRYPT/DECRYPT";
pub const SIGN_VERIFY: &str = "SIGN/VERIFY";

pub const RSAES_OAEP_SHA_1: &str = "RSAES_OAEP_SHA_1";
pub const RSAES_OAEP_SHA_256: &str = "RSAES_OAEP_SHA_256";
pub const SM2PKE: &str = "SM2PKE";
pub const RSA_PSS_SHA_256: &str = "RSA_PSS_SHA_256";
pub const RSA_PKCS1_SHA_256: &str = "RSA_PKCS1_SHA_256";
pub const ECDSA_SHA_256: &str = "ECDSA_SHA_256";
pub const SM2DSA: &str = "SM2DSA";

impl KeySpec {
    pub const ALL: [KeySpec; 7] = [
        KeySpec::Aes256,
        KeySpec::Sm4,
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::EcP256,
        KeySpec::EcP256K,
        KeySpec::EcSm2,
    ];

    /// Parses a KMS key spec name; names are case-sensitive on the wire, so they are here too.
    pub fn parse(s: &str) -> Option<KeySpec> {
        KeySpec::ALL.into_iter().find(|spec| spec.as_str() == s)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            KeySpec::Aes256 => "Aliyun_AES_256",
            KeySpec::Sm4 => "Aliyun_SM4",
            KeySpec::Rsa2048 => "RSA_2048",
            KeySpec::Rsa3072 => "RSA_3072",
            KeySpec::EcP256 => "EC_P256",
            KeySpec::EcP256K => "EC_P256K",
            KeySpec::EcSm2 => "EC_SM2",
        }
    }

    pub fn is_symmetric(&self) -> bool {
        matches!(self, KeySpec::Aes256 | KeySpec::Sm4)
    }

    /// The usage CreateKey assumes when the caller gives none.
    pub fn default_usage(&self) -> &'static str {
        if self.is_symmetric() {
            ENCRYPT_DECRYPT
        } else {
            SIGN_VERIFY
        }
    }

    pub fn supports_usage(&self, usage: &str) -> bool {
        match usage {
            ENCRYPT_DECRYPT => !matches!(self, KeySpec::EcP256 | KeySpec::EcP256K),
            SIGN_VERIFY => !self.is_symmetric(),
            _ => false,
        }
    }

    /// Algorithms AsymmetricEncrypt/AsymmetricDecrypt accept for this spec (empty for symmetric
    /// specs, whose Encrypt takes no algorithm).
    pub fn encryption_algorithms(&self) -> &'static [&'static str] {
        match self {
            KeySpec::Rsa2048 | KeySpec::Rsa3072 => &[RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256],
            KeySpec::EcSm2 => &[SM2PKE],
            _ => &[],
        }
    }

    pub fn signing_algorithms(&self) -> &'static [&'static str] {
        match self {
            KeySpec::Rsa2048 | KeySpec::Rsa3072 => &[RSA_PSS_SHA_256, RSA_PKCS1_SHA_256],
            KeySpec::EcP256 | KeySpec::EcP256K => &[ECDSA_SHA_256],
            KeySpec::EcSm2 => &[SM2DSA],
            _ => &[],
        }
    }

    fn rsa_bits(&self) -> Option<usize> {
        match self {
            KeySpec::Rsa2048 => Some(2048),
            KeySpec::Rsa3072 => Some(3072),
            _ => None,
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Key material as stored: raw key bytes for symmetric keys, PKCS#8 DER of the private key for
/// asymmetric ones. Zeroized on drop; Debug never shows it.
#[derive(Clone)]
pub struct KeyMaterial {
    bytes: Zeroizing<Vec<u8>>,
}

impl KeyMaterial {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        KeyMaterial {
            bytes: Zeroizing::new(bytes),
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Failures of the engine. Messages name algorithms, specs and sizes only: never key bytes,
/// plaintexts or anything derived from them.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the ciphertext is invalid or has been tampered with")]
    InvalidCiphertext,
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    #[error("the stored key material is invalid")]
    InvalidKeyMaterial,
    #[error("internal crypto error: {0}")]
    Internal(String),
}

/// Creates fresh key material for `spec`.
pub fn generate(spec: KeySpec) -> Result<KeyMaterial, CryptoError> {
    match spec {
        KeySpec::Aes256 | KeySpec::Sm4 => Ok(KeyMaterial::from_bytes(random_bytes(
            symmetric::key_len(spec),
        ))),
        KeySpec::Rsa2048 | KeySpec::Rsa3072 => rsa::generate(spec),
        KeySpec::EcP256 | KeySpec::EcP256K => ec::generate(spec),
        KeySpec::EcSm2 => sm2::generate(),
    }
}

/// Symmetric AEAD: AES-256-GCM for Aes256, SM4-GCM for Sm4. Output = iv(12) || ciphertext ||
/// tag(16); `aad` is authenticated but not stored.
pub fn sym_encrypt(
    spec: KeySpec,
    key: &KeyMaterial,
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    symmetric::encrypt(spec, key, plaintext, aad)
}

/// Inverse of [`sym_encrypt`]; any change to IV, ciphertext, tag or `aad` gives
/// [`CryptoError::InvalidCiphertext`].
pub fn sym_decrypt(
    spec: KeySpec,
    key: &KeyMaterial,
    blob: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    symmetric::decrypt(spec, key, blob, aad)
}

/// AsymmetricEncrypt: raw OAEP block for RSA, GM/T 0009 DER for SM2PKE (see `sm2.rs`).
/// Plaintexts must be non-empty and within the algorithm's capacity (OAEP:
/// key bytes - 2 * hash bytes - 2; SM2PKE: 6047 bytes), else `InvalidParameter`.
pub fn asym_encrypt(
    spec: KeySpec,
    key: &KeyMaterial,
    algorithm: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_algorithm(algorithm, spec.encryption_algorithms(), spec, "encryption")?;
    if plaintext.is_empty() {
        return Err(CryptoError::InvalidParameter(
            "plaintext must not be empty".to_owned(),
        ));
    }
    match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 => rsa::encrypt(key, algorithm, plaintext),
        KeySpec::EcSm2 => sm2::encrypt(key, plaintext),
        _ => Err(unsupported(algorithm, spec)),
    }
}

pub fn asym_decrypt(
    spec: KeySpec,
    key: &KeyMaterial,
    algorithm: &str,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_algorithm(algorithm, spec.encryption_algorithms(), spec, "encryption")?;
    match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 => rsa::decrypt(key, algorithm, ciphertext),
        KeySpec::EcSm2 => sm2::decrypt(key, ciphertext),
        _ => Err(unsupported(algorithm, spec)),
    }
}

/// Signs an already-computed digest (KMS AsymmetricSign takes a digest, not a message): SHA-256
/// for the RSA and ECDSA algorithms, the SM3 value e = SM3(Z || M) for SM2DSA. Always 32 bytes.
/// The signature is the raw modulus-sized block for RSA and DER SEQUENCE { r, s } for ECDSA and
/// SM2DSA, as KMS returns them.
pub fn sign(
    spec: KeySpec,
    key: &KeyMaterial,
    algorithm: &str,
    digest: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_algorithm(algorithm, spec.signing_algorithms(), spec, "signing")?;
    check_digest(digest)?;
    match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 => rsa::sign(key, algorithm, digest),
        KeySpec::EcP256 | KeySpec::EcP256K => ec::sign(spec, key, digest),
        KeySpec::EcSm2 => sm2::sign(key, digest),
        _ => Err(unsupported(algorithm, spec)),
    }
}

/// Checks a signature over a digest. A signature that cannot even be parsed is just a signature
/// that does not verify, so it yields `Ok(false)` rather than an error.
pub fn verify(
    spec: KeySpec,
    key: &KeyMaterial,
    algorithm: &str,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    check_algorithm(algorithm, spec.signing_algorithms(), spec, "signing")?;
    check_digest(digest)?;
    match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 => rsa::verify(key, algorithm, digest, signature),
        KeySpec::EcP256 | KeySpec::EcP256K => ec::verify(spec, key, digest, signature),
        KeySpec::EcSm2 => sm2::verify(key, digest, signature),
        _ => Err(unsupported(algorithm, spec)),
    }
}

/// SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----", LF line endings), as GetPublicKey
/// returns it.
pub fn public_key_pem(spec: KeySpec, key: &KeyMaterial) -> Result<String, CryptoError> {
    match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 => rsa::public_key_pem(key),
        KeySpec::EcP256 | KeySpec::EcP256K => ec::public_key_pem(spec, key),
        KeySpec::EcSm2 => sm2::public_key_pem(key),
        KeySpec::Aes256 | KeySpec::Sm4 => Err(CryptoError::UnsupportedAlgorithm(format!(
            "{spec} keys have no public key"
        ))),
    }
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut out);
    out
}

/// Every signing algorithm KMS offers here hashes with a 256-bit function.
const DIGEST_LEN: usize = 32;

fn check_digest(digest: &[u8]) -> Result<(), CryptoError> {
    if digest.len() == DIGEST_LEN {
        Ok(())
    } else {
        Err(CryptoError::InvalidParameter(format!(
            "digest must be {DIGEST_LEN} bytes, got {}",
            digest.len()
        )))
    }
}

fn check_algorithm(
    algorithm: &str,
    allowed: &[&str],
    spec: KeySpec,
    purpose: &str,
) -> Result<(), CryptoError> {
    if allowed.contains(&algorithm) {
        Ok(())
    } else if allowed.is_empty() {
        Err(CryptoError::UnsupportedAlgorithm(format!(
            "{spec} keys do not support asymmetric {purpose}"
        )))
    } else {
        Err(unsupported(algorithm, spec))
    }
}

fn unsupported(algorithm: &str, spec: KeySpec) -> CryptoError {
    // The algorithm name comes from the caller; cap it so a huge parameter cannot bloat logs.
    let shown: String = algorithm.chars().take(64).collect();
    CryptoError::UnsupportedAlgorithm(format!("{shown} is not supported for {spec} keys"))
}
