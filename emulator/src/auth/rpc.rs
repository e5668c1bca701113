//! RPC V1 HMAC-SHA1 (`signature_algorithm='v2'`, §5): the `Signature` parameter is
//! base64(HMAC-SHA1(secret + "&", METHOD&%2F&percentEncode(canonical params))), where the params
//! are the decoded query merged with the form body (body params are signed in V1).

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{encoding, Authenticated, CredentialLookup, RawRequest, Scheme};
use crate::error::KmsError;

pub(super) fn verify(
    req: &RawRequest,
    creds: &dyn CredentialLookup,
) -> Result<Authenticated, KmsError> {
    let mut params = req.params();
    let signature = params
        .remove("Signature")
        .ok_or_else(|| KmsError::incomplete_signature("no Signature"))?;
    let ak = params
        .get("AccessKeyId")
        .cloned()
        .ok_or_else(|| KmsError::missing("AccessKeyId"))?;
    if params.get("SignatureMethod").map(String::as_str) != Some("HMAC-SHA1") {
        return Err(KmsError::incomplete_signature(
            "SignatureMethod must be HMAC-SHA1",
        ));
    }
    let secret = creds
        .secret_for(&ak)
        .ok_or_else(KmsError::access_key_not_found)?;
    let pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let canonical = encoding::canonical_query(&pairs);
    let string_to_sign = format!(
        "{}&{}&{}",
        req.method.to_ascii_uppercase(),
        encoding::percent_encode("/"),
        encoding::percent_encode(&canonical)
    );
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .map_err(|_| KmsError::internal())?;
    mac.update(string_to_sign.as_bytes());
    let claimed = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| KmsError::signature_mismatch())?;
    mac.verify_slice(&claimed)
        .map_err(|_| KmsError::signature_mismatch())?;
    let action = params.get("Action").cloned().unwrap_or_default();
    // Protocol parameters (Timestamp, SignatureNonce, ...) stay in the map: the caller reads the
    // date and nonce from there, and actions ignore names they do not know.
    Ok(Authenticated {
        scheme: Scheme::RpcV1,
        access_key_id: ak,
        action,
        params,
    })
}
