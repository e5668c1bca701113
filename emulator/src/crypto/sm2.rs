//! SM2 (EC_SM2): SM2DSA signatures over a caller-supplied e = SM3(Z || M), and SM2PKE public-key
//! encryption. The `sm2` crate (0.13) ships signatures but no encryption, so SM2PKE is built here
//! from the crate's curve arithmetic, following GB/T 32918.4:
//!
//!   C1 = kG, (x2, y2) = kP, t = KDF(x2 || y2, len M) (t = 0 is rejected),
//!   C2 = M xor t, C3 = SM3(x2 || M || y2)
//!
//! serialised in the GM/T 0009 DER form KMS and OpenSSL use:
//! SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET STRING C2 }.
//! Signatures use the GM/T 0009 DER form SEQUENCE { INTEGER r, INTEGER s }.
//! Private keys are stored as PKCS#8 DER (id-ecPublicKey with the SM2 curve OID).

use ::sm2::dsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use ::sm2::dsa::{Signature, SigningKey, VerifyingKey};
use ::sm2::elliptic_curve::ops::MulByGenerator;
use ::sm2::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use ::sm2::elliptic_curve::subtle::ConstantTimeEq;
use ::sm2::{
    AffinePoint, EncodedPoint, FieldBytes, NonZeroScalar, ProjectivePoint, PublicKey, SecretKey,
};
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rand::rngs::OsRng;
use sm3::{Digest, Sm3};
use zeroize::Zeroizing;

use super::der;
use super::{CryptoError, KeyMaterial};

/// The default user id of GB/T 35276. It only feeds Z, which the caller has already folded into
/// the digest, so its value never changes a prehash signature; the crate merely requires one.
const DEFAULT_DISTID: &str = "1234567812345678";

const COORD_LEN: usize = 32;
const C3_LEN: usize = 32;

/// KMS's documented ceiling for SM2PKE plaintexts.
pub(super) const MAX_PLAINTEXT: usize = 6047;

pub(super) fn generate() -> Result<KeyMaterial, CryptoError> {
    let der = SecretKey::random(&mut OsRng)
        .to_pkcs8_der()
        .map_err(|_| CryptoError::Internal("SM2 key encoding failed".to_owned()))?;
    Ok(KeyMaterial::from_bytes(der.as_bytes().to_vec()))
}

fn secret_key(key: &KeyMaterial) -> Result<SecretKey, CryptoError> {
    SecretKey::from_pkcs8_der(key.as_bytes()).map_err(|_| CryptoError::InvalidKeyMaterial)
}

pub(super) fn public_key_pem(key: &KeyMaterial) -> Result<String, CryptoError> {
    secret_key(key)?
        .public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|_| CryptoError::Internal("SM2 public key encoding failed".to_owned()))
}

pub(super) fn sign(key: &KeyMaterial, e: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let signer = SigningKey::new(DEFAULT_DISTID, &secret_key(key)?)
        .map_err(|_| CryptoError::InvalidKeyMaterial)?;
    let signature: Signature = signer
        .sign_prehash_with_rng(&mut OsRng, e)
        .map_err(|_| CryptoError::Internal("SM2 signing failed".to_owned()))?;
    let mut body = Vec::with_capacity(72);
    der::push_uint(&mut body, &signature.r_bytes());
    der::push_uint(&mut body, &signature.s_bytes());
    Ok(der::sequence(&body))
}

pub(super) fn verify(key: &KeyMaterial, e: &[u8], signature: &[u8]) -> Result<bool, CryptoError> {
    let public = secret_key(key)?.public_key();
    let verifier =
        VerifyingKey::new(DEFAULT_DISTID, public).map_err(|_| CryptoError::InvalidKeyMaterial)?;
    let Some(parsed) = parse_signature(signature) else {
        return Ok(false);
    };
    Ok(verifier.verify_prehash(e, &parsed).is_ok())
}

fn parse_signature(signature: &[u8]) -> Option<Signature> {
    let mut seq = der::read_sequence(signature).ok()?;
    let r = seq.read_uint_fixed::<COORD_LEN>().ok()?;
    let s = seq.read_uint_fixed::<COORD_LEN>().ok()?;
    if !seq.is_empty() {
        return None;
    }
    // Rejects r or s outside [1, n-1].
    Signature::from_scalars(FieldBytes::from(r), FieldBytes::from(s)).ok()
}

pub(super) fn encrypt(key: &KeyMaterial, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(CryptoError::InvalidParameter(format!(
            "plaintext is {} bytes; SM2PKE takes at most {MAX_PLAINTEXT}",
            plaintext.len()
        )));
    }
    let public = secret_key(key)?.public_key();
    // An all-zero keystream has probability ~2^-(8 len M); the standard says pick another k.
    for _ in 0..16 {
        let k = NonZeroScalar::random(&mut OsRng);
        if let Some(ciphertext) = encrypt_with_k(&public, &k, plaintext)? {
            return Ok(ciphertext);
        }
    }
    Err(CryptoError::Internal(
        "SM2 encryption found no usable ephemeral key".to_owned(),
    ))
}

/// One encryption attempt with a given ephemeral scalar; `None` when the keystream is all zero.
/// Split out so a known-answer test can fix `k`.
pub(super) fn encrypt_with_k(
    public: &PublicKey,
    k: &NonZeroScalar,
    plaintext: &[u8],
) -> Result<Option<Vec<u8>>, CryptoError> {
    let c1 = coordinates(&ProjectivePoint::mul_by_generator(k))?;
    // The cofactor of the SM2 curve is 1, so h·P is P, which a PublicKey guarantees is not O.
    let shared = coordinates(&(public.to_projective() * **k))?;
    let keystream = kdf(&shared[..], plaintext.len());
    if is_all_zero(&keystream) {
        return Ok(None);
    }
    let c2: Vec<u8> = plaintext
        .iter()
        .zip(keystream.iter())
        .map(|(m, t)| m ^ t)
        .collect();
    let c3 = c3_hash(&shared, plaintext);

    let mut body = Vec::with_capacity(2 * COORD_LEN + C3_LEN + c2.len() + 16);
    der::push_uint(&mut body, &c1[..COORD_LEN]);
    der::push_uint(&mut body, &c1[COORD_LEN..]);
    der::push_tlv(&mut body, der::TAG_OCTET_STRING, &c3);
    der::push_tlv(&mut body, der::TAG_OCTET_STRING, &c2);
    Ok(Some(der::sequence(&body)))
}

pub(super) fn decrypt(
    key: &KeyMaterial,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let secret = secret_key(key)?;
    let (c1, c3, c2) = parse_ciphertext(ciphertext).ok_or(CryptoError::InvalidCiphertext)?;
    let shared = coordinates(&(ProjectivePoint::from(c1) * *secret.to_nonzero_scalar()))?;
    let keystream = kdf(&shared[..], c2.len());
    if is_all_zero(&keystream) {
        return Err(CryptoError::InvalidCiphertext);
    }
    let plaintext = Zeroizing::new(
        c2.iter()
            .zip(keystream.iter())
            .map(|(c, t)| c ^ t)
            .collect::<Vec<u8>>(),
    );
    let expected = c3_hash(&shared, &plaintext);
    if bool::from(expected.as_slice().ct_eq(c3)) {
        Ok(plaintext)
    } else {
        Err(CryptoError::InvalidCiphertext)
    }
}

/// Splits the DER ciphertext into C1 (checked to lie on the curve), C3 and C2.
fn parse_ciphertext(ciphertext: &[u8]) -> Option<(AffinePoint, &[u8], &[u8])> {
    let mut seq = der::read_sequence(ciphertext).ok()?;
    let x1 = seq.read_uint_fixed::<COORD_LEN>().ok()?;
    let y1 = seq.read_uint_fixed::<COORD_LEN>().ok()?;
    let c3 = seq.read(der::TAG_OCTET_STRING).ok()?;
    let c2 = seq.read(der::TAG_OCTET_STRING).ok()?;
    if !seq.is_empty() || c3.len() != C3_LEN || c2.is_empty() {
        return None;
    }
    let encoded =
        EncodedPoint::from_affine_coordinates(&FieldBytes::from(x1), &FieldBytes::from(y1), false);
    // Fails for coordinates >= p and for points off the curve (an invalid-curve attack vector).
    let c1: Option<AffinePoint> = AffinePoint::from_encoded_point(&encoded).into();
    Some((c1?, c3, c2))
}

/// x || y of a point as 64 big-endian bytes; secret when the point is the ECDH-like k·P.
fn coordinates(point: &ProjectivePoint) -> Result<Zeroizing<[u8; 2 * COORD_LEN]>, CryptoError> {
    let encoded = point.to_affine().to_encoded_point(false);
    let (Some(x), Some(y)) = (encoded.x(), encoded.y()) else {
        return Err(CryptoError::Internal("SM2 point at infinity".to_owned()));
    };
    let mut out = Zeroizing::new([0u8; 2 * COORD_LEN]);
    out[..COORD_LEN].copy_from_slice(x);
    out[COORD_LEN..].copy_from_slice(y);
    Ok(out)
}

/// The GB/T 32918.4 key derivation function: SM3(Z || ct) for a 32-bit big-endian counter from 1.
fn kdf(z: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    for (chunk, counter) in out.chunks_mut(32).zip(1u32..) {
        let block = Sm3::new()
            .chain_update(z)
            .chain_update(counter.to_be_bytes())
            .finalize();
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
    out
}

fn c3_hash(shared: &[u8; 2 * COORD_LEN], plaintext: &[u8]) -> [u8; C3_LEN] {
    Sm3::new()
        .chain_update(&shared[..COORD_LEN])
        .chain_update(plaintext)
        .chain_update(&shared[COORD_LEN..])
        .finalize()
        .into()
}

fn is_all_zero(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |acc, b| acc | b) == 0
}
