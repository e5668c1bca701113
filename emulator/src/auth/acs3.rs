//! ACS3-HMAC-SHA256 (the SDK default, §4): HMAC-SHA256 keyed with the raw AccessKey secret over
//! `ACS3-HMAC-SHA256\n` + hex(SHA-256(canonical request)).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{
    canonical_request, check_payload_hash, check_required_signed, parse_authorization,
    Authenticated, CredentialLookup, RawRequest, Scheme,
};
use crate::error::KmsError;

pub(super) const ALGORITHM: &str = "ACS3-HMAC-SHA256";

pub(super) fn verify(
    req: &RawRequest,
    authz: &str,
    creds: &dyn CredentialLookup,
) -> Result<Authenticated, KmsError> {
    let parsed = parse_authorization(authz, ALGORITHM)?;
    check_required_signed(req, &parsed.signed_headers)?;
    let secret = creds
        .secret_for(&parsed.credential)
        .ok_or_else(KmsError::access_key_not_found)?;
    let payload_hash = check_payload_hash(req)?;
    let canonical = canonical_request(req, &parsed.signed_headers, &payload_hash)?;
    let string_to_sign = format!(
        "{ALGORITHM}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| KmsError::internal())?;
    mac.update(string_to_sign.as_bytes());
    let claimed =
        hex::decode(parsed.signature.trim()).map_err(|_| KmsError::signature_mismatch())?;
    mac.verify_slice(&claimed)
        .map_err(|_| KmsError::signature_mismatch())?;
    Ok(Authenticated {
        scheme: Scheme::Acs3,
        access_key_id: parsed.credential,
        action: req.header("x-acs-action").unwrap_or("").trim().to_owned(),
        params: req.params(),
    })
}
