//! Sign/Verify (RAW messages hashed here, or 32-byte DIGESTs) and GetPublicKey.

use sha2::{Digest, Sha256};

use super::*;

impl Env<'_> {
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

    pub(super) fn sign(&self, r: SignRequest) -> R<Output> {
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

    pub(super) fn verify(&self, r: VerifyRequest) -> R<Output> {
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

    pub(super) fn get_public_key(&self, r: GetPublicKeyRequest) -> R<Output> {
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
