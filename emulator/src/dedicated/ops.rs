//! The 15 Instance API operations over the emulator's keys and secrets.
//!
//! Version rules (see docs/emulator.md): Encrypt, Decrypt, Sign, Verify, GetPublicKey,
//! GenerateDataKey and GenerateDataKeyPair[WithoutPlaintext] use the key's *initial* version, as the
//! real gateway's Encrypt does, so their Iv-separate ciphertexts and signatures stay valid after a
//! rotation; the version is reported in the `x-kms-migrationkeyversionid` response header, and a
//! request carrying that header uses the version it names. The Advance* operations use the
//! *primary* version and put its id into a self-describing blob, so AdvanceDecrypt needs nothing
//! but the blob (and the Aad).

use std::collections::BTreeMap;

use base64::Engine;
use prost::Message;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::cipher::{self, AES_CBC, GCM_IV_LEN, PKCS7_PADDING};
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

    // --- APIs -----------------------------------------------------------------------------------

    fn encrypt(&self, r: EncryptRequest) -> R<Output> {
        let (key, spec) = self.key(&r.key_id, ENCRYPT_DECRYPT)?;
        if r.plaintext.is_empty() {
            return Err(InstanceError::missing("Plaintext"));
        }
        let version = self.initial_version(&key)?;
        let mat = self.material(&version)?;
        let mut resp = EncryptResponse {
            key_id: key.key_id.clone(),
            request_id: self.rid.to_owned(),
            ..Default::default()
        };
        if spec.is_symmetric() {
            let alg = cipher::pick_algorithm(spec, &r.algorithm)?;
            let iv = if r.iv.is_empty() {
                random_iv(cipher::iv_len(alg))
            } else {
                r.iv
            };
            resp.ciphertext_blob =
                cipher::encrypt(alg, &mat, &iv, &r.plaintext, &r.aad, &r.padding_mode)?;
            resp.iv = iv;
            resp.algorithm = alg.to_owned();
            if alg == AES_CBC {
                resp.padding_mode = padding_or_default(&r.padding_mode);
            }
        } else {
            let alg = asym_encryption_algorithm(spec, &r.algorithm)?;
            resp.ciphertext_blob = crypto::asym_encrypt(spec, &mat, alg, &r.plaintext)?;
            resp.algorithm = alg.to_owned();
        }
        out(&resp, Some(version))
    }

    fn decrypt(&self, r: DecryptRequest) -> R<Output> {
        let (key, spec) = match (r.key_id.trim().is_empty(), self.migration) {
            (false, _) => self.key(&r.key_id, ENCRYPT_DECRYPT)?,
            (true, Some(v)) => self.key_of_version(v, ENCRYPT_DECRYPT)?,
            (true, None) => return Err(InstanceError::missing("KeyId")),
        };
        if r.ciphertext_blob.is_empty() {
            return Err(InstanceError::missing("CiphertextBlob"));
        }
        let version = self.initial_version(&key)?;
        let mat = self.material(&version)?;
        let mut resp = DecryptResponse {
            key_id: key.key_id.clone(),
            request_id: self.rid.to_owned(),
            ..Default::default()
        };
        if spec.is_symmetric() {
            let alg = cipher::pick_algorithm(spec, &r.algorithm)?;
            if r.iv.is_empty() {
                return Err(InstanceError::missing("Iv"));
            }
            let pt = cipher::decrypt(
                alg,
                &mat,
                &r.iv,
                &r.ciphertext_blob,
                &r.aad,
                &r.padding_mode,
            )?;
            resp.plaintext = pt.to_vec();
            resp.algorithm = alg.to_owned();
            if alg == AES_CBC {
                resp.padding_mode = padding_or_default(&r.padding_mode);
            }
        } else {
            let alg = asym_encryption_algorithm(spec, &r.algorithm)?;
            let pt = crypto::asym_decrypt(spec, &mat, alg, &r.ciphertext_blob)
                .map_err(|_| InstanceError::invalid_ciphertext())?;
            resp.plaintext = pt.to_vec();
            resp.algorithm = alg.to_owned();
        }
        out(&resp, Some(version))
    }

    fn advance_encrypt(&self, r: EncryptRequest) -> R<Output> {
        let (key, spec) = self.key(&r.key_id, ENCRYPT_DECRYPT)?;
        if r.plaintext.is_empty() {
            return Err(InstanceError::missing("Plaintext"));
        }
        let (blob, iv, alg, version) = self.advance_seal(&key, spec, &r.plaintext, &r.aad)?;
        let resp = EncryptResponse {
            key_id: key.key_id,
            ciphertext_blob: blob,
            iv,
            request_id: self.rid.to_owned(),
            algorithm: alg.to_owned(),
            key_version_id: version.clone(),
            ..Default::default()
        };
        out(&resp, Some(version))
    }

    fn advance_decrypt(&self, r: DecryptRequest) -> R<Output> {
        let blob = &r.ciphertext_blob;
        if blob.is_empty() {
            return Err(InstanceError::missing("CiphertextBlob"));
        }
        let head = ADVANCE_MAGIC.len() + VERSION_ID_LEN;
        if blob.len() < head + GCM_IV_LEN + TAG_LEN || blob[..3] != ADVANCE_MAGIC {
            return Err(InstanceError::invalid_ciphertext());
        }
        let version =
            std::str::from_utf8(&blob[3..head]).map_err(|_| InstanceError::invalid_ciphertext())?;
        let (key, spec) = self.key_of_version(version, ENCRYPT_DECRYPT)?;
        let alg = advance_algorithm(spec)?;
        let (iv, ct) = blob[head..].split_at(GCM_IV_LEN);
        let pt = cipher::decrypt(alg, &self.material(version)?, iv, ct, &r.aad, "")?;
        let resp = DecryptResponse {
            key_id: key.key_id,
            plaintext: pt.to_vec(),
            request_id: self.rid.to_owned(),
            algorithm: alg.to_owned(),
            key_version_id: version.to_owned(),
            ..Default::default()
        };
        out(&resp, Some(version.to_owned()))
    }

    /// Sign/Verify common part: key, version, algorithm, the 32-byte digest, message type.
    fn signing(
        &self,
        key_id: &str,
        algorithm: &str,
        message: &[u8],
        digest_field: &[u8],
        message_type: &str,
    ) -> R<SignUse> {
        let (key, spec) = self.key(key_id, SIGN_VERIFY)?;
        let allowed = spec.signing_algorithms();
        let alg = match algorithm {
            "" => allowed
                .first()
                .copied()
                .ok_or_else(KmsError::unsupported_operation)?,
            a => allowed
                .iter()
                .copied()
                .find(|x| *x == a)
                .ok_or_else(|| InstanceError::invalid_parameter("Algorithm"))?,
        };
        let version = self.initial_version(&key)?;
        let mat = self.material(&version)?;
        // The SDK models have no Digest field; a digest travels in Message with type DIGEST.
        let (input, kind) = match (message.is_empty(), digest_field.is_empty()) {
            (false, _) => (message, message_type),
            (true, false) => (digest_field, "DIGEST"),
            (true, true) => return Err(InstanceError::missing("Message")),
        };
        let (digest, kind) = match kind {
            "" | "RAW" => {
                let d = if alg == crypto::SM2DSA {
                    sm2_e(spec, &mat, input)?
                } else {
                    Sha256::digest(input).to_vec()
                };
                (d, "RAW")
            }
            "DIGEST" if input.len() == 32 => (input.to_vec(), "DIGEST"),
            "DIGEST" => return Err(InstanceError::invalid_parameter("Message")),
            _ => return Err(InstanceError::invalid_parameter("MessageType")),
        };
        Ok(SignUse {
            key,
            spec,
            alg,
            version,
            mat,
            digest,
            kind,
        })
    }

    fn sign(&self, r: SignRequest) -> R<Output> {
        let u = self.signing(
            &r.key_id,
            &r.algorithm,
            &r.message,
            &r.digest,
            &r.message_type,
        )?;
        let sig = crypto::sign(u.spec, &u.mat, u.alg, &u.digest)?;
        let resp = SignResponse {
            key_id: u.key.key_id,
            signature: sig,
            request_id: self.rid.to_owned(),
            algorithm: u.alg.to_owned(),
            message_type: u.kind.to_owned(),
        };
        out(&resp, Some(u.version))
    }

    fn verify(&self, r: VerifyRequest) -> R<Output> {
        let u = self.signing(
            &r.key_id,
            &r.algorithm,
            &r.message,
            &r.digest,
            &r.message_type,
        )?;
        if r.signature.is_empty() {
            return Err(InstanceError::missing("Signature"));
        }
        let ok = crypto::verify(u.spec, &u.mat, u.alg, &u.digest, &r.signature).unwrap_or(false);
        let resp = VerifyResponse {
            key_id: u.key.key_id,
            value: ok,
            request_id: self.rid.to_owned(),
            algorithm: u.alg.to_owned(),
            message_type: u.kind.to_owned(),
        };
        out(&resp, Some(u.version))
    }

    fn generate_random(&self, r: GenerateRandomRequest) -> R<Output> {
        let len = match r.length {
            0 => 32,
            n @ 1..=1024 => n as usize,
            _ => return Err(InstanceError::invalid_parameter("Length")),
        };
        let resp = GenerateRandomResponse {
            random: crypto::random_bytes(len),
            request_id: self.rid.to_owned(),
        };
        out(&resp, None)
    }

    fn data_key_len(n: i32) -> R<usize> {
        match n {
            0 => Ok(32),
            n @ 1..=1024 => Ok(n as usize),
            _ => Err(InstanceError::invalid_parameter("NumberOfBytes")),
        }
    }

    fn generate_data_key(&self, r: GenerateDataKeyRequest) -> R<Output> {
        let (key, spec) = self.key(&r.key_id, ENCRYPT_DECRYPT)?;
        if !spec.is_symmetric() {
            return Err(KmsError::unsupported_operation().into());
        }
        let data_key = Zeroizing::new(crypto::random_bytes(Self::data_key_len(r.number_of_bytes)?));
        let alg = cipher::pick_algorithm(spec, &r.algorithm)?;
        let version = self.initial_version(&key)?;
        let iv = random_iv(cipher::iv_len(alg));
        let ct = cipher::encrypt(alg, &self.material(&version)?, &iv, &data_key, &r.aad, "")?;
        let resp = GenerateDataKeyResponse {
            key_id: key.key_id,
            iv,
            plaintext: data_key.to_vec(),
            ciphertext_blob: ct,
            request_id: self.rid.to_owned(),
            algorithm: alg.to_owned(),
            key_version_id: String::new(),
        };
        out(&resp, Some(version))
    }

    fn advance_generate_data_key(&self, r: AdvanceGenerateDataKeyRequest) -> R<Output> {
        let (key, spec) = self.key(&r.key_id, ENCRYPT_DECRYPT)?;
        let data_key = Zeroizing::new(crypto::random_bytes(Self::data_key_len(r.number_of_bytes)?));
        let (blob, iv, alg, version) = self.advance_seal(&key, spec, &data_key, &r.aad)?;
        let resp = GenerateDataKeyResponse {
            key_id: key.key_id,
            iv,
            plaintext: data_key.to_vec(),
            ciphertext_blob: blob,
            request_id: self.rid.to_owned(),
            algorithm: alg.to_owned(),
            key_version_id: version.clone(),
        };
        out(&resp, Some(version))
    }

    fn data_key_pair(&self, r: PairRequest, with_plaintext: bool, advance: bool) -> R<Output> {
        let (key, spec) = self.key(&r.key_id, ENCRYPT_DECRYPT)?;
        if !spec.is_symmetric() {
            return Err(KmsError::unsupported_operation().into());
        }
        let pair_spec = match r.spec.as_str() {
            "" => KeySpec::Rsa2048,
            s => KeySpec::parse(s)
                .filter(|k| !k.is_symmetric())
                .ok_or_else(|| InstanceError::invalid_parameter("KeyPairSpec"))?,
        };
        let pem = match r.format.as_str() {
            "" | "PEM" => true,
            "DER" => false,
            _ => return Err(InstanceError::invalid_parameter("KeyFormat")),
        };
        let material = crypto::generate(pair_spec)?;
        let public_pem = crypto::public_key_pem(pair_spec, &material)?;
        let (private, public) = if pem {
            (
                Zeroizing::new(pem_encode("PRIVATE KEY", material.as_bytes()).into_bytes()),
                public_pem.into_bytes(),
            )
        } else {
            (
                Zeroizing::new(material.as_bytes().to_vec()),
                pem_decode(&public_pem).ok_or_else(InstanceError::internal)?,
            )
        };
        let (blob, iv, alg, version, advance_version) = if advance {
            let (blob, iv, alg, v) = self.advance_seal(&key, spec, &private, &r.aad)?;
            (blob, iv, alg, v.clone(), v)
        } else {
            let alg = cipher::pick_algorithm(spec, &r.algorithm)?;
            let version = self.initial_version(&key)?;
            let iv = random_iv(cipher::iv_len(alg));
            let ct = cipher::encrypt(alg, &self.material(&version)?, &iv, &private, &r.aad, "")?;
            (ct, iv, alg, version, String::new())
        };
        if with_plaintext {
            let resp = GenerateDataKeyPairResponse {
                key_id: key.key_id,
                iv,
                key_pair_spec: pair_spec.as_str().to_owned(),
                private_key_plaintext: private.to_vec(),
                private_key_ciphertext_blob: blob,
                public_key: public,
                request_id: self.rid.to_owned(),
                algorithm: alg.to_owned(),
                key_version_id: advance_version,
            };
            out(&resp, Some(version))
        } else {
            let resp = GenerateDataKeyPairWithoutPlaintextResponse {
                key_id: key.key_id,
                iv,
                key_pair_spec: pair_spec.as_str().to_owned(),
                private_key_ciphertext_blob: blob,
                public_key: public,
                request_id: self.rid.to_owned(),
                algorithm: alg.to_owned(),
                key_version_id: advance_version,
            };
            out(&resp, Some(version))
        }
    }

    fn get_public_key(&self, r: GetPublicKeyRequest) -> R<Output> {
        let key = self.resolve(&r.key_id)?;
        let spec = spec_of(&key)?;
        ensure_enabled(&key)?;
        if spec.is_symmetric() {
            return Err(KmsError::unsupported_operation().into());
        }
        let version = self.initial_version(&key)?;
        let pem = crypto::public_key_pem(spec, &self.material(&version)?)?;
        let resp = GetPublicKeyResponse {
            key_id: key.key_id,
            public_key: pem,
            request_id: self.rid.to_owned(),
        };
        out(&resp, Some(version))
    }

    fn get_secret_value(&self, r: GetSecretValueRequest) -> R<Output> {
        if r.secret_name.is_empty() {
            return Err(InstanceError::missing("SecretName"));
        }
        let mut params = BTreeMap::new();
        params.insert("SecretName".to_owned(), r.secret_name);
        params.insert("VersionStage".to_owned(), r.version_stage);
        params.insert("VersionId".to_owned(), r.version_id);
        if r.fetch_extended_config {
            params.insert("FetchExtendedConfig".to_owned(), "true".to_owned());
        }
        let v = actions::dispatch(self.ctx, "GetSecretValue", &params)?;
        let s = |k: &str| match v.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let stages = v
            .get("VersionStages")
            .and_then(|x| x.get("VersionStage"))
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let resp = GetSecretValueResponse {
            secret_name: s("SecretName"),
            secret_type: s("SecretType"),
            secret_data: s("SecretData"),
            secret_data_type: s("SecretDataType"),
            version_stages: stages,
            version_id: s("VersionId"),
            create_time: s("CreateTime"),
            request_id: self.rid.to_owned(),
            last_rotation_date: s("LastRotationDate"),
            next_rotation_date: s("NextRotationDate"),
            extended_config: s("ExtendedConfig"),
            automatic_rotation: s("AutomaticRotation"),
            rotation_interval: s("RotationInterval"),
        };
        out(&resp, None)
    }
}

struct SignUse {
    key: KeyRecord,
    spec: KeySpec,
    alg: &'static str,
    version: String,
    mat: KeyMaterial,
    digest: Vec<u8>,
    kind: &'static str,
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

/// SM2DSA over a raw message: e = SM3(Z || M) with Z = SM3(ENTL || ID || a || b || xG || yG || xA
/// || yA) and the default ID "1234567812345678" (GB/T 32918.2).
fn sm2_e(spec: KeySpec, mat: &KeyMaterial, message: &[u8]) -> R<Vec<u8>> {
    use sm3::Sm3;
    const ID: &[u8] = b"1234567812345678";
    const CURVE: &str = concat!(
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
        "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
        "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
        "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
    );
    let spki =
        pem_decode(&crypto::public_key_pem(spec, mat)?).ok_or_else(InstanceError::internal)?;
    // The SPKI ends with the uncompressed point 04 || x || y.
    let point = spki
        .len()
        .checked_sub(64)
        .map(|i| &spki[i..])
        .ok_or_else(InstanceError::internal)?;
    let curve = hex::decode(CURVE).map_err(|_| InstanceError::internal())?;
    let entl = ((ID.len() * 8) as u16).to_be_bytes();
    let z = Sm3::new()
        .chain_update(entl)
        .chain_update(ID)
        .chain_update(&curve)
        .chain_update(point)
        .finalize();
    Ok(Sm3::new()
        .chain_update(z)
        .chain_update(message)
        .finalize()
        .to_vec())
}
