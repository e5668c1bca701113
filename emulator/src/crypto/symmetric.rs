//! GCM for the two symmetric specs. KMS envelopes are authenticated, so both AES-256 and SM4 run
//! in GCM mode with a fresh 96-bit IV per call; the blob layout (iv || ciphertext || tag) is the
//! one the emulator's CiphertextBlob wraps.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use zeroize::Zeroizing;

use super::{random_bytes, CryptoError, KeyMaterial, KeySpec};

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

pub(super) const IV_LEN: usize = 12;
pub(super) const TAG_LEN: usize = 16;

pub(super) fn key_len(spec: KeySpec) -> usize {
    match spec {
        KeySpec::Sm4 => 16,
        _ => 32,
    }
}

pub(super) fn encrypt(
    spec: KeySpec,
    key: &KeyMaterial,
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let iv = random_bytes(IV_LEN);
    let payload = Payload {
        msg: plaintext,
        aad,
    };
    let nonce = Nonce::<U12>::from_slice(&iv);
    let sealed = match spec {
        KeySpec::Aes256 => aes256(key)?.encrypt(nonce, payload),
        KeySpec::Sm4 => sm4(key)?.encrypt(nonce, payload),
        _ => return Err(not_symmetric(spec)),
    }
    .map_err(|_| CryptoError::Internal("GCM encryption failed".to_owned()))?;
    let mut blob = Vec::with_capacity(IV_LEN + sealed.len());
    blob.extend_from_slice(&iv);
    blob.extend_from_slice(&sealed);
    Ok(blob)
}

pub(super) fn decrypt(
    spec: KeySpec,
    key: &KeyMaterial,
    blob: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if blob.len() < IV_LEN + TAG_LEN {
        return Err(CryptoError::InvalidCiphertext);
    }
    let (iv, sealed) = blob.split_at(IV_LEN);
    let payload = Payload { msg: sealed, aad };
    let nonce = Nonce::<U12>::from_slice(iv);
    let opened = match spec {
        KeySpec::Aes256 => aes256(key)?.decrypt(nonce, payload),
        KeySpec::Sm4 => sm4(key)?.decrypt(nonce, payload),
        _ => return Err(not_symmetric(spec)),
    };
    opened
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::InvalidCiphertext)
}

fn aes256(key: &KeyMaterial) -> Result<Aes256Gcm, CryptoError> {
    Aes256Gcm::new_from_slice(key.as_bytes()).map_err(|_| CryptoError::InvalidKeyMaterial)
}

fn sm4(key: &KeyMaterial) -> Result<Sm4Gcm, CryptoError> {
    Sm4Gcm::new_from_slice(key.as_bytes()).map_err(|_| CryptoError::InvalidKeyMaterial)
}

fn not_symmetric(spec: KeySpec) -> CryptoError {
    CryptoError::UnsupportedAlgorithm(format!("{spec} is not a symmetric key spec"))
}
