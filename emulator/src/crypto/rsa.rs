//! RSA keys: OAEP encryption and PSS / PKCS#1 v1.5 signatures with the exact parameters KMS
//! documents, so signatures and ciphertexts interoperate with OpenSSL and the cloud service.
//! PSS uses SHA-256, MGF1-SHA-256 and a 32-byte salt (the digest length), which is also what a
//! verifier assuming "salt length = digest length" expects.

use ::rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use ::rsa::traits::PublicKeyParts;
use ::rsa::{Oaep, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use rand::rngs::OsRng;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{
    CryptoError, KeyMaterial, KeySpec, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_PKCS1_SHA_256,
    RSA_PSS_SHA_256,
};

const PSS_SALT_LEN: usize = 32;

pub(super) fn generate(spec: KeySpec) -> Result<KeyMaterial, CryptoError> {
    let bits = spec
        .rsa_bits()
        .ok_or_else(|| CryptoError::Internal(format!("{spec} is not an RSA spec")))?;
    let key = RsaPrivateKey::new(&mut OsRng, bits)
        .map_err(|_| CryptoError::Internal("RSA key generation failed".to_owned()))?;
    let der = key
        .to_pkcs8_der()
        .map_err(|_| CryptoError::Internal("RSA key encoding failed".to_owned()))?;
    Ok(KeyMaterial::from_bytes(der.as_bytes().to_vec()))
}

fn private_key(key: &KeyMaterial) -> Result<RsaPrivateKey, CryptoError> {
    RsaPrivateKey::from_pkcs8_der(key.as_bytes()).map_err(|_| CryptoError::InvalidKeyMaterial)
}

/// OAEP with MGF1 over the same hash and an empty label; the hash length decides the capacity.
fn oaep(algorithm: &str) -> Result<(Oaep, usize), CryptoError> {
    match algorithm {
        RSAES_OAEP_SHA_1 => Ok((Oaep::new::<sha1::Sha1>(), 20)),
        RSAES_OAEP_SHA_256 => Ok((Oaep::new::<Sha256>(), 32)),
        other => Err(CryptoError::UnsupportedAlgorithm(format!(
            "{other} is not an RSA encryption algorithm"
        ))),
    }
}

pub(super) fn encrypt(
    key: &KeyMaterial,
    algorithm: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let public = RsaPublicKey::from(&private_key(key)?);
    let (padding, hash_len) = oaep(algorithm)?;
    let max = public.size().saturating_sub(2 * hash_len + 2);
    if plaintext.len() > max {
        return Err(CryptoError::InvalidParameter(format!(
            "plaintext is {} bytes; {algorithm} with this key takes at most {max}",
            plaintext.len()
        )));
    }
    public
        .encrypt(&mut OsRng, padding, plaintext)
        .map_err(|_| CryptoError::Internal("RSA encryption failed".to_owned()))
}

pub(super) fn decrypt(
    key: &KeyMaterial,
    algorithm: &str,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let private = private_key(key)?;
    let (padding, _) = oaep(algorithm)?;
    if ciphertext.len() != private.size() {
        return Err(CryptoError::InvalidCiphertext);
    }
    private
        .decrypt_blinded(&mut OsRng, padding, ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::InvalidCiphertext)
}

pub(super) fn sign(
    key: &KeyMaterial,
    algorithm: &str,
    digest: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let private = private_key(key)?;
    let signed = match algorithm {
        RSA_PSS_SHA_256 => private.sign_with_rng(
            &mut OsRng,
            Pss::new_with_salt::<Sha256>(PSS_SALT_LEN),
            digest,
        ),
        RSA_PKCS1_SHA_256 => {
            private.sign_with_rng(&mut OsRng, Pkcs1v15Sign::new::<Sha256>(), digest)
        }
        other => {
            return Err(CryptoError::UnsupportedAlgorithm(format!(
                "{other} is not an RSA signing algorithm"
            )))
        }
    };
    signed.map_err(|_| CryptoError::Internal("RSA signing failed".to_owned()))
}

pub(super) fn verify(
    key: &KeyMaterial,
    algorithm: &str,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let public = RsaPublicKey::from(&private_key(key)?);
    let checked = match algorithm {
        RSA_PSS_SHA_256 => public.verify(
            Pss::new_with_salt::<Sha256>(PSS_SALT_LEN),
            digest,
            signature,
        ),
        RSA_PKCS1_SHA_256 => public.verify(Pkcs1v15Sign::new::<Sha256>(), digest, signature),
        other => {
            return Err(CryptoError::UnsupportedAlgorithm(format!(
                "{other} is not an RSA signing algorithm"
            )))
        }
    };
    Ok(checked.is_ok())
}

pub(super) fn public_key_pem(key: &KeyMaterial) -> Result<String, CryptoError> {
    RsaPublicKey::from(&private_key(key)?)
        .to_public_key_pem(LineEnding::LF)
        .map_err(|_| CryptoError::Internal("RSA public key encoding failed".to_owned()))
}
