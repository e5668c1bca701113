//! The 15 Instance API operations over the emulator's keys and secrets.
//!
//! Version rules (see docs/emulator.md): Encrypt, Decrypt, Sign, Verify, GetPublicKey,
//! GenerateDataKey and GenerateDataKeyPair[WithoutPlaintext] use the key's *initial* version, as the
//! real gateway's Encrypt does, so their Iv-separate ciphertexts and signatures stay valid after a
//! rotation; the version is reported in the `x-kms-migrationkeyversionid` response header, and a
//! request carrying that header uses the version it names. The Advance* operations use the
//! *primary* version and put its id into a self-describing blob, so AdvanceDecrypt needs nothing
//! but the blob (and the Aad).

mod encryption;
mod misc;
mod signing;
use base64::Engine;
use prost::Message;

use super::cipher::{self, GCM_IV_LEN, PKCS7_PADDING};
use super::proto::*;
use super::InstanceError;
use crate::actions::{self, Ctx};
use crate::crypto::{self, KeyMaterial, KeySpec, ENCRYPT_DECRYPT, SIGN_VERIFY};
use crate::error::KmsError;
use crate::model::{KeyRecord, STATE_DISABLED, STATE_ENABLED, STATE_PENDING_DELETION};

type R<T> = Result<T, InstanceError>;

/// An API's protobuf answer and the key version to report in `x-kms-migrationkeyversionid`.
pub struct Output {
    pub body: Vec<u8>,
    pub key_version_id: Option<String>,
}

fn out(msg: &impl Message, version: Option<String>) -> R<Output> {
    Ok(Output {
        body: msg.encode_to_vec(),
        key_version_id: version,
    })
}

fn decode<M: Message + Default>(body: &[u8]) -> R<M> {
    M::decode(body).map_err(|_| {
        InstanceError::new(
            400,
            "InvalidParameter",
            "The request body is not a valid protobuf message.",
        )
    })
}

pub fn call(
    ctx: &Ctx,
    api: &str,
    body: &[u8],
    headers: &[(String, String)],
    rid: &str,
) -> R<Output> {
    let migration = headers
        .iter()
        .find(|(n, _)| n == "x-kms-migrationkeyversionid")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty());
    let env = Env {
        ctx,
        migration,
        rid,
    };
    match api {
        "Encrypt" => env.encrypt(decode(body)?),
        "Decrypt" => env.decrypt(decode(body)?),
        "AdvanceEncrypt" => env.advance_encrypt(decode(body)?),
        "AdvanceDecrypt" => env.advance_decrypt(decode(body)?),
        "Sign" => env.sign(decode(body)?),
        "Verify" => env.verify(decode(body)?),
        "GenerateRandom" => env.generate_random(decode(body)?),
        "GenerateDataKey" => env.generate_data_key(decode(body)?),
        "AdvanceGenerateDataKey" => env.advance_generate_data_key(decode(body)?),
        "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext" => {
            let r: GenerateDataKeyPairRequest = decode(body)?;
            let pair = PairRequest {
                key_id: r.key_id,
                algorithm: r.algorithm,
                spec: r.key_pair_spec,
                format: r.key_format,
                aad: r.aad,
            };
            env.data_key_pair(pair, api == "GenerateDataKeyPair", false)
        }
        "AdvanceGenerateDataKeyPair" | "AdvanceGenerateDataKeyPairWithoutPlaintext" => {
            let r: AdvanceGenerateDataKeyPairRequest = decode(body)?;
            let pair = PairRequest {
                key_id: r.key_id,
                algorithm: String::new(),
                spec: r.key_pair_spec,
                format: r.key_format,
                aad: r.aad,
            };
            env.data_key_pair(pair, api == "AdvanceGenerateDataKeyPair", true)
        }
        "GetPublicKey" => env.get_public_key(decode(body)?),
        "GetSecretValue" => env.get_secret_value(decode(body)?),
        _ => Err(InstanceError::new(
            400,
            "InvalidApiName",
            "The api name is invalid.",
        )),
    }
}

struct PairRequest {
    key_id: String,
    algorithm: String,
    spec: String,
    format: String,
    aad: Vec<u8>,
}

// --- keys ---------------------------------------------------------------------------------------

/// `$`, cipher version 0 / no padding, AES_GCM: the Advance blob header (reference §5).
const ADVANCE_MAGIC: [u8; 3] = [b'$', 0x00, 0x02];
const VERSION_ID_LEN: usize = 36;
const TAG_LEN: usize = 16;

fn spec_of(key: &KeyRecord) -> R<KeySpec> {
    KeySpec::parse(&key.key_spec).ok_or_else(InstanceError::internal)
}

fn ensure_enabled(key: &KeyRecord) -> R<()> {
    match key.key_state.as_str() {
        STATE_ENABLED => Ok(()),
        STATE_DISABLED => Err(KmsError::key_disabled().into()),
        STATE_PENDING_DELETION => Err(KmsError::key_pending_deletion().into()),
        _ => Err(KmsError::unexpected_state().into()),
    }
}

fn random_iv(len: usize) -> Vec<u8> {
    crypto::random_bytes(len)
}

struct Env<'a> {
    ctx: &'a Ctx,
    migration: Option<&'a str>,
    rid: &'a str,
}

impl Env<'_> {
    /// A KeyId, `alias/...` or key/alias ARN, to an enabled key with the given usage.
    fn key(&self, id: &str, usage: &str) -> R<(KeyRecord, KeySpec)> {
        let key = self.resolve(id)?;
        self.check(key, usage)
    }

    fn resolve(&self, id: &str) -> R<KeyRecord> {
        let id = id.trim();
        if id.is_empty() {
            return Err(InstanceError::missing("KeyId"));
        }
        let id = match id.strip_prefix("acs:kms:") {
            Some(rest) => rest
                .splitn(3, ':')
                .nth(2)
                .ok_or_else(|| InstanceError::invalid_parameter("KeyId"))?,
            None => id,
        };
        let key_id = if id.starts_with("alias/") {
            self.ctx
                .store
                .get_alias(id)?
                .ok_or_else(KmsError::alias_not_found)?
        } else {
            id.strip_prefix("key/").unwrap_or(id).to_owned()
        };
        Ok(self
            .ctx
            .store
            .get_key(&key_id)?
            .ok_or_else(KmsError::key_not_found)?)
    }

    fn check(&self, key: KeyRecord, usage: &str) -> R<(KeyRecord, KeySpec)> {
        let spec = spec_of(&key)?;
        if key.key_usage != usage {
            return Err(KmsError::unsupported_operation().into());
        }
        ensure_enabled(&key)?;
        Ok((key, spec))
    }

    /// The key owning a key version (Decrypt with only `x-kms-migrationkeyversionid`, and
    /// AdvanceDecrypt).
    fn key_of_version(&self, version: &str, usage: &str) -> R<(KeyRecord, KeySpec)> {
        let rec = self
            .ctx
            .store
            .get_key_version(version)?
            .ok_or_else(KmsError::key_not_found)?;
        let key = self
            .ctx
            .store
            .get_key(&rec.key_id)?
            .ok_or_else(KmsError::key_not_found)?;
        self.check(key, usage)
    }

    /// The version for the non-Advance operations: the one named by the migration header, else
    /// the key's first.
    fn initial_version(&self, key: &KeyRecord) -> R<String> {
        if let Some(v) = self.migration {
            return match self.ctx.store.get_key_version(v)? {
                Some(rec) if rec.key_id == key.key_id => Ok(rec.key_version_id),
                _ => Err(KmsError::key_not_found().into()),
            };
        }
        self.ctx
            .store
            .list_key_versions(&key.key_id)?
            .into_iter()
            .next()
            .map(|v| v.key_version_id)
            .ok_or_else(InstanceError::internal)
    }

    fn material(&self, version: &str) -> R<KeyMaterial> {
        let bytes = self
            .ctx
            .store
            .key_material(version)?
            .ok_or_else(InstanceError::internal)?;
        Ok(KeyMaterial::from_bytes(bytes.to_vec()))
    }

    /// Seals `plaintext` into an Advance blob under the key's primary version.
    fn advance_seal(
        &self,
        key: &KeyRecord,
        spec: KeySpec,
        plaintext: &[u8],
        aad: &[u8],
    ) -> R<(Vec<u8>, Vec<u8>, &'static str, String)> {
        let alg = advance_algorithm(spec)?;
        let version = key.primary_key_version.clone();
        if version.len() != VERSION_ID_LEN {
            return Err(InstanceError::internal());
        }
        let iv = random_iv(GCM_IV_LEN);
        let ct = cipher::encrypt(alg, &self.material(&version)?, &iv, plaintext, aad, "")?;
        let mut blob = ADVANCE_MAGIC.to_vec();
        blob.extend_from_slice(version.as_bytes());
        blob.extend_from_slice(&iv);
        blob.extend_from_slice(&ct);
        Ok((blob, iv, alg, version))
    }
}

fn padding_or_default(p: &str) -> String {
    if p.is_empty() {
        PKCS7_PADDING.to_owned()
    } else {
        p.to_owned()
    }
}

fn advance_algorithm(spec: KeySpec) -> R<&'static str> {
    match spec {
        KeySpec::Aes256 => Ok(cipher::AES_GCM),
        KeySpec::Sm4 => Ok(cipher::SM4_GCM),
        _ => Err(KmsError::unsupported_operation().into()),
    }
}

/// RSA keys default to RSAES_OAEP_SHA_256 on the Instance API (the OpenAPI's first is SHA-1).
fn asym_encryption_algorithm(spec: KeySpec, alg: &str) -> R<&'static str> {
    let allowed = spec.encryption_algorithms();
    match alg {
        "" if allowed.contains(&crypto::RSAES_OAEP_SHA_256) => Ok(crypto::RSAES_OAEP_SHA_256),
        "" => allowed
            .first()
            .copied()
            .ok_or_else(|| KmsError::unsupported_operation().into()),
        a => allowed
            .iter()
            .copied()
            .find(|x| *x == a)
            .ok_or_else(|| InstanceError::invalid_parameter("Algorithm")),
    }
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(&String::from_utf8_lossy(chunk));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

fn pem_decode(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}
