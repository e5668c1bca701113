//! Encrypt/Decrypt (Iv separate), the Advance blob forms, data keys and data key pairs.

use zeroize::Zeroizing;

use super::*;
use crate::dedicated::cipher::{AES_CBC, GCM_IV_LEN};

impl Env<'_> {
    pub(super) fn encrypt(&self, r: EncryptRequest) -> R<Output> {
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

    pub(super) fn decrypt(&self, r: DecryptRequest) -> R<Output> {
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

    pub(super) fn advance_encrypt(&self, r: EncryptRequest) -> R<Output> {
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

    pub(super) fn advance_decrypt(&self, r: DecryptRequest) -> R<Output> {
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

    pub(super) fn data_key_len(n: i32) -> R<usize> {
        match n {
            0 => Ok(32),
            n @ 1..=1024 => Ok(n as usize),
            _ => Err(InstanceError::invalid_parameter("NumberOfBytes")),
        }
    }

    pub(super) fn generate_data_key(&self, r: GenerateDataKeyRequest) -> R<Output> {
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

    pub(super) fn advance_generate_data_key(&self, r: AdvanceGenerateDataKeyRequest) -> R<Output> {
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

    pub(super) fn data_key_pair(
        &self,
        r: PairRequest,
        with_plaintext: bool,
        advance: bool,
    ) -> R<Output> {
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
}
