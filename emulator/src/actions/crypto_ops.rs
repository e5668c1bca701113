//! Cryptographic actions. Symmetric `Plaintext` is treated as an opaque string (what real KMS
//! does): the SDKs send base64, so Decrypt hands back exactly the base64 that went in, and data
//! keys are encrypted as their base64 text, so Decrypt of a GenerateDataKey blob returns the same
//! `Plaintext` GenerateDataKey did.

use serde_json::{json, Value};

use super::envelope;
use super::keys::{ensure_enabled, material, pick_version, resolve_key, spec_of};
use super::{b64_decode, b64_encode, Ctx, Params};
use crate::crypto::{self, KeySpec};
use crate::error::{KmsError, KmsResult};
use crate::model::KeyRecord;

const ENCRYPT_DECRYPT: &str = "ENCRYPT/DECRYPT";
const SIGN_VERIFY: &str = "SIGN/VERIFY";
/// Real KMS caps Encrypt's plaintext at 6 KiB; the emulator is a little more generous.
const MAX_PLAINTEXT: usize = 32 * 1024;

fn symmetric_key(ctx: &Ctx, id: &str) -> KmsResult<(KeyRecord, KeySpec)> {
    let key = resolve_key(ctx, id)?;
    let spec = spec_of(&key)?;
    if !spec.is_symmetric() || key.key_usage != ENCRYPT_DECRYPT {
        return Err(KmsError::unsupported_operation());
    }
    ensure_enabled(&key)?;
    Ok((key, spec))
}

/// Encrypts `plaintext` under the key's primary version; returns (blob base64, version id).
pub(super) fn seal_with(
    ctx: &Ctx,
    key: &KeyRecord,
    spec: KeySpec,
    plaintext: &[u8],
    context: &[u8],
) -> KmsResult<(String, String)> {
    let version = key.primary_key_version.clone();
    let mat = material(ctx, &version)?;
    let mut blob = envelope::header(&key.key_id, &version)?;
    let sealed = crypto::sym_encrypt(spec, &mat, plaintext, &envelope::aad(&blob, context))?;
    blob.extend_from_slice(&sealed);
    Ok((b64_encode(&blob), version))
}

/// An opened ciphertext: the key, its version id and the plaintext bytes.
type Opened = (KeyRecord, String, zeroize::Zeroizing<Vec<u8>>);

/// Opens a CiphertextBlob; returns the key, its version id and the plaintext bytes.
pub(super) fn open_blob(ctx: &Ctx, blob_b64: &str, context: &[u8]) -> KmsResult<Opened> {
    let blob = b64_decode(blob_b64).ok_or_else(KmsError::invalid_ciphertext)?;
    let parsed = envelope::parse(&blob)?;
    let key = ctx
        .store
        .get_key(&parsed.key_id)?
        .ok_or_else(KmsError::key_not_found)?;
    let spec = spec_of(&key)?;
    if !spec.is_symmetric() {
        return Err(KmsError::invalid_ciphertext());
    }
    ensure_enabled(&key)?;
    match ctx.store.get_key_version(&parsed.key_version_id)? {
        Some(v) if v.key_id == key.key_id => {}
        _ => return Err(KmsError::invalid_ciphertext()),
    }
    let mat = material(ctx, &parsed.key_version_id)?;
    let plaintext = crypto::sym_decrypt(
        spec,
        &mat,
        parsed.sealed,
        &envelope::aad(parsed.header, context),
    )
    .map_err(|_| KmsError::invalid_ciphertext())?;
    Ok((key, parsed.key_version_id.clone(), plaintext))
}

/// The dedicated gateway's ciphertexts in the form the unified SDK hands out: the AdvanceEncrypt
/// blob without its 3-byte header, `keyVersionId (36) | iv (12) | ciphertext || tag`, with the
/// AAD it derives from an EncryptionContext (lowercase hex SHA-256 of the sorted `k=v&…`). The
/// shared gateway of a KMS instance decrypts these, so the emulator's does too. `None`: the
/// blob is not of that form (the caller reports its own error).
fn open_compatible(
    ctx: &Ctx,
    blob_b64: &str,
    raw_context: Option<&str>,
) -> KmsResult<Option<Opened>> {
    use crate::dedicated::cipher;
    const VERSION_LEN: usize = 36;
    let Some(blob) = b64_decode(blob_b64) else {
        return Ok(None);
    };
    if blob.len() < VERSION_LEN + cipher::GCM_IV_LEN + 16 {
        return Ok(None);
    }
    let Ok(version) = std::str::from_utf8(&blob[..VERSION_LEN]) else {
        return Ok(None);
    };
    let Some(v) = ctx.store.get_key_version(version)? else {
        return Ok(None);
    };
    let key = ctx
        .store
        .get_key(&v.key_id)?
        .ok_or_else(KmsError::key_not_found)?;
    ensure_enabled(&key)?;
    let alg = match spec_of(&key)? {
        KeySpec::Aes256 => cipher::AES_GCM,
        KeySpec::Sm4 => cipher::SM4_GCM,
        _ => return Err(KmsError::invalid_ciphertext()),
    };
    let aad = unified_sdk_aad(raw_context)?;
    let (iv, ct) = blob[VERSION_LEN..].split_at(cipher::GCM_IV_LEN);
    let plaintext = cipher::decrypt(alg, &material(ctx, version)?, iv, ct, &aad, "")
        .map_err(|_| KmsError::invalid_ciphertext())?;
    Ok(Some((key, version.to_owned(), plaintext)))
}

fn unified_sdk_aad(raw: Option<&str>) -> KmsResult<Vec<u8>> {
    use sha2::Digest as _;
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let v: Value = serde_json::from_str(raw).map_err(|_| KmsError::invalid("EncryptionContext"))?;
    let Value::Object(map) = v else {
        return Err(KmsError::invalid("EncryptionContext"));
    };
    if map.is_empty() {
        return Ok(Vec::new());
    }
    let mut pairs: Vec<(String, String)> = map
        .into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect();
    pairs.sort();
    let text = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    Ok(hex::encode(sha2::Sha256::digest(text.as_bytes())).into_bytes())
}

fn plaintext_string(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => b64_encode(bytes),
    }
}

pub(super) fn encrypt(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let (key, spec) = symmetric_key(ctx, p.req("KeyId")?)?;
    let plaintext = p.req("Plaintext")?;
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(KmsError::invalid("Plaintext"));
    }
    let context = envelope::canonical_context(p.opt("EncryptionContext"), "EncryptionContext")?;
    let (blob, version) = seal_with(ctx, &key, spec, plaintext.as_bytes(), &context)?;
    Ok(json!({"CiphertextBlob": blob, "KeyId": key.key_id, "KeyVersionId": version}))
}

pub(super) fn decrypt(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let context = envelope::canonical_context(p.opt("EncryptionContext"), "EncryptionContext")?;
    let blob_b64 = p.req("CiphertextBlob")?;
    let (key, version, plaintext) = match open_blob(ctx, blob_b64, &context) {
        Ok(opened) => opened,
        Err(e) => match open_compatible(ctx, blob_b64, p.opt("EncryptionContext"))? {
            Some(opened) => opened,
            None => return Err(e),
        },
    };
    Ok(
        json!({"Plaintext": plaintext_string(&plaintext), "KeyId": key.key_id, "KeyVersionId": version}),
    )
}

pub(super) fn generate_data_key(ctx: &Ctx, p: &Params, with_plaintext: bool) -> KmsResult<Value> {
    let (key, spec) = symmetric_key(ctx, p.req("KeyId")?)?;
    let len = match (p.opt_int("NumberOfBytes")?, p.opt("KeySpec")) {
        (Some(n), _) if (1..=1024).contains(&n) => {
            usize::try_from(n).map_err(|_| KmsError::invalid("NumberOfBytes"))?
        }
        (Some(_), _) => return Err(KmsError::invalid("NumberOfBytes")),
        (None, None | Some("AES_256")) => 32,
        (None, Some("AES_128")) => 16,
        (None, Some(_)) => return Err(KmsError::invalid("KeySpec")),
    };
    let context = envelope::canonical_context(p.opt("EncryptionContext"), "EncryptionContext")?;
    let data_key = zeroize::Zeroizing::new(b64_encode(&crypto::random_bytes(len)));
    let (blob, version) = seal_with(ctx, &key, spec, data_key.as_bytes(), &context)?;
    let mut out = json!({"CiphertextBlob": blob, "KeyId": key.key_id, "KeyVersionId": version});
    if with_plaintext {
        out["Plaintext"] = json!(data_key.as_str());
    }
    Ok(out)
}

pub(super) fn re_encrypt(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let src_context =
        envelope::canonical_context(p.opt("SourceEncryptionContext"), "SourceEncryptionContext")?;
    let dst_context = envelope::canonical_context(
        p.opt("DestinationEncryptionContext"),
        "DestinationEncryptionContext",
    )?;
    let (dst_key, dst_spec) = symmetric_key(ctx, p.req("DestinationKeyId")?)?;
    let (_, _, plaintext) = open_blob(ctx, p.req("CiphertextBlob")?, &src_context)?;
    let (blob, version) = seal_with(ctx, &dst_key, dst_spec, &plaintext, &dst_context)?;
    Ok(json!({"CiphertextBlob": blob, "KeyId": dst_key.key_id, "KeyVersionId": version}))
}

/// An asymmetric key with the right usage, the version to use and the algorithm (checked
/// against the spec; defaults to the spec's first algorithm when the caller names none).
struct AsymUse {
    key: KeyRecord,
    spec: KeySpec,
    version: String,
    algorithm: String,
}

fn asym_key(ctx: &Ctx, p: &Params, usage: &str) -> KmsResult<AsymUse> {
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    let spec = spec_of(&key)?;
    if spec.is_symmetric() || key.key_usage != usage {
        return Err(KmsError::unsupported_operation());
    }
    ensure_enabled(&key)?;
    let version = pick_version(ctx, &key, p.opt("KeyVersionId"))?;
    let allowed = if usage == SIGN_VERIFY {
        spec.signing_algorithms()
    } else {
        spec.encryption_algorithms()
    };
    let algorithm = match p.opt("Algorithm") {
        Some(a) if allowed.contains(&a) => a.to_owned(),
        Some(_) => return Err(KmsError::invalid("Algorithm")),
        None => allowed
            .first()
            .map(|a| (*a).to_owned())
            .ok_or_else(KmsError::unsupported_operation)?,
    };
    Ok(AsymUse {
        key,
        spec,
        version,
        algorithm,
    })
}

pub(super) fn asymmetric_encrypt(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let u = asym_key(ctx, p, ENCRYPT_DECRYPT)?;
    let plaintext = p.b64("Plaintext")?;
    let mat = material(ctx, &u.version)?;
    let ct = crypto::asym_encrypt(u.spec, &mat, &u.algorithm, &plaintext)?;
    Ok(json!({"CiphertextBlob": b64_encode(&ct), "KeyId": u.key.key_id, "KeyVersionId": u.version}))
}

pub(super) fn asymmetric_decrypt(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let u = asym_key(ctx, p, ENCRYPT_DECRYPT)?;
    let ct = b64_decode(p.req("CiphertextBlob")?).ok_or_else(KmsError::invalid_ciphertext)?;
    let mat = material(ctx, &u.version)?;
    let pt = crypto::asym_decrypt(u.spec, &mat, &u.algorithm, &ct)
        .map_err(|_| KmsError::invalid_ciphertext())?;
    Ok(json!({"Plaintext": b64_encode(&pt), "KeyId": u.key.key_id, "KeyVersionId": u.version}))
}

fn digest(p: &Params) -> KmsResult<Vec<u8>> {
    let d = p.b64("Digest")?;
    if d.len() != 32 {
        return Err(KmsError::invalid("Digest"));
    }
    Ok(d)
}

pub(super) fn asymmetric_sign(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let u = asym_key(ctx, p, SIGN_VERIFY)?;
    let d = digest(p)?;
    let mat = material(ctx, &u.version)?;
    let sig = crypto::sign(u.spec, &mat, &u.algorithm, &d)?;
    Ok(json!({"Value": b64_encode(&sig), "KeyId": u.key.key_id, "KeyVersionId": u.version}))
}

pub(super) fn asymmetric_verify(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let u = asym_key(ctx, p, SIGN_VERIFY)?;
    let d = digest(p)?;
    let sig = p.b64("Value")?;
    let mat = material(ctx, &u.version)?;
    // A malformed signature is simply not valid.
    let ok = crypto::verify(u.spec, &mat, &u.algorithm, &d, &sig).unwrap_or(false);
    Ok(json!({"Value": ok, "KeyId": u.key.key_id, "KeyVersionId": u.version}))
}

pub(super) fn get_public_key(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    let spec = spec_of(&key)?;
    if spec.is_symmetric() {
        return Err(KmsError::unsupported_operation());
    }
    ensure_enabled(&key)?;
    let version = pick_version(ctx, &key, p.opt("KeyVersionId"))?;
    let pem = crypto::public_key_pem(spec, &material(ctx, &version)?)?;
    Ok(json!({"PublicKey": pem, "KeyId": key.key_id, "KeyVersionId": version}))
}
