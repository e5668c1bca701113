//! ECDSA over NIST P-256 and secp256k1 (EC_P256 / EC_P256K). KMS signs a caller-supplied SHA-256
//! digest and returns the DER form of (r, s), so this file works on prehashes only.
//!
//! The two curves share every line of logic and differ only in the crate that implements them,
//! hence the small macro instead of two copies or a wall of generic bounds.

use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rand::rngs::OsRng;

use super::{CryptoError, KeyMaterial, KeySpec};

/// Runs `$body` with `$curve` bound to the crate implementing `$spec`'s curve.
macro_rules! with_curve {
    ($spec:expr, $curve:ident => $body:expr) => {
        match $spec {
            KeySpec::EcP256 => {
                use ::p256 as $curve;
                $body
            }
            KeySpec::EcP256K => {
                use ::k256 as $curve;
                $body
            }
            other => Err(CryptoError::Internal(format!(
                "{other} is not an ECDSA key spec"
            ))),
        }
    };
}

pub(super) fn generate(spec: KeySpec) -> Result<KeyMaterial, CryptoError> {
    with_curve!(spec, curve => {
        let der = curve::SecretKey::random(&mut OsRng)
            .to_pkcs8_der()
            .map_err(|_| CryptoError::Internal("EC key encoding failed".to_owned()))?;
        Ok(KeyMaterial::from_bytes(der.as_bytes().to_vec()))
    })
}

pub(super) fn sign(
    spec: KeySpec,
    key: &KeyMaterial,
    digest: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    use ecdsa_traits::RandomizedPrehashSigner;
    with_curve!(spec, curve => {
        let secret = curve::SecretKey::from_pkcs8_der(key.as_bytes())
            .map_err(|_| CryptoError::InvalidKeyMaterial)?;
        let signer = curve::ecdsa::SigningKey::from(&secret);
        // Hedged rather than purely RFC 6979 nonces, as a cloud HSM's signatures are randomised.
        let signature: curve::ecdsa::Signature = signer
            .sign_prehash_with_rng(&mut OsRng, digest)
            .map_err(|_| CryptoError::Internal("ECDSA signing failed".to_owned()))?;
        Ok(signature.to_der().as_bytes().to_vec())
    })
}

pub(super) fn verify(
    spec: KeySpec,
    key: &KeyMaterial,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    use ecdsa_traits::PrehashVerifier;
    with_curve!(spec, curve => {
        let secret = curve::SecretKey::from_pkcs8_der(key.as_bytes())
            .map_err(|_| CryptoError::InvalidKeyMaterial)?;
        let verifier = curve::ecdsa::VerifyingKey::from(&curve::ecdsa::SigningKey::from(&secret));
        let Ok(parsed) = curve::ecdsa::Signature::from_der(signature) else {
            return Ok(false);
        };
        // k256 refuses high-S signatures (a Bitcoin rule), but OpenSSL and KMS accept both
        // (r, s) and (r, n - s), so normalise before checking.
        let parsed = parsed.normalize_s().unwrap_or(parsed);
        Ok(verifier.verify_prehash(digest, &parsed).is_ok())
    })
}

pub(super) fn public_key_pem(spec: KeySpec, key: &KeyMaterial) -> Result<String, CryptoError> {
    with_curve!(spec, curve => {
        curve::SecretKey::from_pkcs8_der(key.as_bytes())
            .map_err(|_| CryptoError::InvalidKeyMaterial)?
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| CryptoError::Internal("EC public key encoding failed".to_owned()))
    })
}

/// The signature traits as both curve crates re-export them (same `signature` crate version).
mod ecdsa_traits {
    pub(super) use ::p256::ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
}
