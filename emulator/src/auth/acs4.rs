//! ACS4-HMAC-SHA256 (`signature_version='v4'`, §6): like ACS3 but the HMAC key is derived from the
//! credential scope `<AK>/<yyyymmdd>/<region>/<product>/aliyun_v4_request`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{
    canonical_request, check_payload_hash, check_required_signed, parse_authorization,
    Authenticated, CredentialLookup, RawRequest, Scheme,
};
use crate::error::KmsError;

const ALGORITHM: &str = "ACS4-HMAC-SHA256";

fn hmac256(key: &[u8], msg: &[u8]) -> Result<Vec<u8>, KmsError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| KmsError::internal())?;
    mac.update(msg);
    Ok(mac.finalize().into_bytes().to_vec())
}

pub(super) fn verify(
    req: &RawRequest,
    authz: &str,
    creds: &dyn CredentialLookup,
) -> Result<Authenticated, KmsError> {
    let parsed = parse_authorization(authz, ALGORITHM)?;
    check_required_signed(req, &parsed.signed_headers)?;
    let scope: Vec<&str> = parsed.credential.split('/').collect();
    let [ak, date, region, product, terminator] = scope.as_slice() else {
        return Err(KmsError::incomplete_signature("bad credential scope"));
    };
    if *terminator != "aliyun_v4_request" || date.len() != 8 {
        return Err(KmsError::incomplete_signature("bad credential scope"));
    }
    // The scope date must be the signed x-acs-date's day, or an old signature could be replayed
    // under a fresh date header.
    let header_day: String = req
        .header("x-acs-date")
        .unwrap_or("")
        .chars()
        .take(10)
        .filter(|c| *c != '-')
        .collect();
    if header_day != *date {
        return Err(KmsError::signature_mismatch());
    }
    let secret = creds
        .secret_for(ak)
        .ok_or_else(KmsError::access_key_not_found)?;
    let payload_hash = check_payload_hash(req)?;
    let canonical = canonical_request(req, &parsed.signed_headers, &payload_hash)?;
    let string_to_sign = format!(
        "{ALGORITHM}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac256(format!("aliyun_v4{secret}").as_bytes(), date.as_bytes())?;
    let k_region = hmac256(&k_date, region.as_bytes())?;
    let k_product = hmac256(&k_region, product.as_bytes())?;
    let k_signing = hmac256(&k_product, b"aliyun_v4_request")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&k_signing).map_err(|_| KmsError::internal())?;
    mac.update(string_to_sign.as_bytes());
    let claimed =
        hex::decode(parsed.signature.trim()).map_err(|_| KmsError::signature_mismatch())?;
    mac.verify_slice(&claimed)
        .map_err(|_| KmsError::signature_mismatch())?;
    Ok(Authenticated {
        scheme: Scheme::Acs4,
        access_key_id: (*ak).to_owned(),
        action: req.header("x-acs-action").unwrap_or("").trim().to_owned(),
        params: req.params(),
    })
}
