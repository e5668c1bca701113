//! Symmetric modes of the Instance API. Unlike the OpenAPI envelope, the Instance API lets the
//! caller choose the IV and returns it separately, so these take the IV as input (the engine in
//! `crate::crypto` always draws its own).

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use zeroize::Zeroizing;

use super::InstanceError;
use crate::crypto::{KeyMaterial, KeySpec};

pub const AES_GCM: &str = "AES_GCM";
pub const AES_CBC: &str = "AES_CBC";
pub const SM4_GCM: &str = "SM4_GCM";
pub const PKCS7_PADDING: &str = "PKCS7_PADDING";
pub const NO_PADDING: &str = "NO_PADDING";
pub const GCM_IV_LEN: usize = 12;
pub const CBC_IV_LEN: usize = 16;

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The algorithm a symmetric key uses when the request names none, and whether it accepts `alg`.
pub fn pick_algorithm(spec: KeySpec, alg: &str) -> Result<&'static str, InstanceError> {
    match (spec, alg) {
        (KeySpec::Aes256, "" | AES_GCM) => Ok(AES_GCM),
        (KeySpec::Aes256, AES_CBC) => Ok(AES_CBC),
        (KeySpec::Sm4, "" | SM4_GCM) => Ok(SM4_GCM),
        _ => Err(InstanceError::invalid_parameter("Algorithm")),
    }
}

pub fn iv_len(alg: &str) -> usize {
    if alg == AES_CBC {
        CBC_IV_LEN
    } else {
        GCM_IV_LEN
    }
}

fn no_padding(padding: &str) -> Result<bool, InstanceError> {
    match padding {
        "" | PKCS7_PADDING => Ok(false),
        NO_PADDING => Ok(true),
        _ => Err(InstanceError::invalid_parameter("PaddingMode")),
    }
}

/// Encrypts; GCM output is ciphertext || tag (16 bytes).
pub fn encrypt(
    alg: &str,
    key: &KeyMaterial,
    iv: &[u8],
    plaintext: &[u8],
    aad: &[u8],
    padding: &str,
) -> Result<Vec<u8>, InstanceError> {
    if iv.len() != iv_len(alg) {
        return Err(InstanceError::invalid_parameter("Iv"));
    }
    let k = key.as_bytes();
    let bad_key = |_| InstanceError::internal();
    match alg {
        AES_GCM | SM4_GCM => {
            let payload = Payload {
                msg: plaintext,
                aad,
            };
            let nonce = Nonce::<U12>::from_slice(iv);
            let out = if alg == AES_GCM {
                Aes256Gcm::new_from_slice(k)
                    .map_err(bad_key)?
                    .encrypt(nonce, payload)
            } else {
                Sm4Gcm::new_from_slice(k)
                    .map_err(bad_key)?
                    .encrypt(nonce, payload)
            };
            out.map_err(|_| InstanceError::internal())
        }
        AES_CBC => {
            let enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(k, iv).map_err(bad_key)?;
            if no_padding(padding)? {
                if !plaintext.len().is_multiple_of(16) {
                    return Err(InstanceError::invalid_parameter("Plaintext"));
                }
                Ok(enc.encrypt_padded_vec_mut::<NoPadding>(plaintext))
            } else {
                Ok(enc.encrypt_padded_vec_mut::<Pkcs7>(plaintext))
            }
        }
        _ => Err(InstanceError::invalid_parameter("Algorithm")),
    }
}

pub fn decrypt(
    alg: &str,
    key: &KeyMaterial,
    iv: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
    padding: &str,
) -> Result<Zeroizing<Vec<u8>>, InstanceError> {
    if iv.len() != iv_len(alg) {
        return Err(InstanceError::invalid_parameter("Iv"));
    }
    let k = key.as_bytes();
    let bad_key = |_| InstanceError::internal();
    let out = match alg {
        AES_GCM | SM4_GCM => {
            let payload = Payload {
                msg: ciphertext,
                aad,
            };
            let nonce = Nonce::<U12>::from_slice(iv);
            if alg == AES_GCM {
                Aes256Gcm::new_from_slice(k)
                    .map_err(bad_key)?
                    .decrypt(nonce, payload)
            } else {
                Sm4Gcm::new_from_slice(k)
                    .map_err(bad_key)?
                    .decrypt(nonce, payload)
            }
            .ok()
        }
        AES_CBC => {
            let dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(k, iv).map_err(bad_key)?;
            if no_padding(padding)? {
                dec.decrypt_padded_vec_mut::<NoPadding>(ciphertext).ok()
            } else {
                dec.decrypt_padded_vec_mut::<Pkcs7>(ciphertext).ok()
            }
        }
        _ => return Err(InstanceError::invalid_parameter("Algorithm")),
    };
    out.map(Zeroizing::new)
        .ok_or_else(InstanceError::invalid_ciphertext)
}
