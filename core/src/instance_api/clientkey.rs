//! ClientKey: the credential of a KMS Application Access Point. The console hands out a JSON
//! file `{"KeyId": "KAAP.…", "PrivateKeyData": "<base64 PKCS#12>"}` and a password; the key id
//! goes into `x-kms-acccesskeyid` and the RSA key signs every Instance API request. A private
//! key PEM plus key id works too (the official SDK's `access_key_id` + `private_key`).

use super::der::{self, oids, Reader};
use super::pkcs12::{self, Pkcs12Error};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::SecretString;
use base64::Engine as _;
// AWS-LC rather than ring for this one primitive: its RSA-2048 signature costs about half of
// ring's here (`cargo bench -p kmskit --bench signing`), and it is most of an Instance API call.
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A loaded ClientKey: its id and its RSA signing key. Cheap to clone; `Debug` shows the id only.
#[derive(Clone)]
pub struct ClientKey {
    key_id: String,
    key: Arc<RsaKeyPair>,
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("key_id", &self.key_id)
            .field("private_key", &"***")
            .finish()
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ClientKeyInvalid, message)
}

impl ClientKey {
    /// From the content of an official ClientKey file and its password.
    pub fn from_json(json: &str, password: &SecretString) -> Result<ClientKey> {
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(rename = "KeyId")]
            key_id: String,
            #[serde(rename = "PrivateKeyData")]
            private_key_data: SecretString,
        }
        // A file saved by a Windows editor may start with a byte order mark.
        let json = json.trim_start_matches('\u{feff}');
        let file: File = serde_json::from_str(json).map_err(|_| {
            invalid("the ClientKey is not JSON with string fields KeyId and PrivateKeyData")
        })?;
        let der = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(file.private_key_data.expose().trim())
                .map_err(|_| invalid("the ClientKey's PrivateKeyData is not valid base64"))?,
        );
        ClientKey::from_pkcs12(file.key_id, &der, password)
    }

    /// From an official ClientKey file (`clientKey_<KeyId>.json`) and its password.
    pub fn from_file(path: impl AsRef<Path>, password: &SecretString) -> Result<ClientKey> {
        let path = path.as_ref();
        let json = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            invalid(format!(
                "cannot read the ClientKey file {}: {e}",
                path.display()
            ))
        })?);
        ClientKey::from_json(&json, password)
    }

    /// From a PKCS#12 (PFX) blob, e.g. the decoded `PrivateKeyData`.
    pub fn from_pkcs12(
        key_id: impl Into<String>,
        pfx: &[u8],
        password: &SecretString,
    ) -> Result<ClientKey> {
        let pkcs8 = pkcs12::private_key_pkcs8(pfx, password.expose()).map_err(|e| match e {
            Pkcs12Error::WrongPassword => {
                invalid("the ClientKey password is wrong (the PKCS#12 integrity check failed)")
            }
            Pkcs12Error::Malformed(what) => invalid(format!(
                "the ClientKey's PKCS#12 data is malformed ({what})"
            )),
            Pkcs12Error::Unsupported(what) => invalid(format!(
                "the ClientKey's PKCS#12 data is not supported: {what}"
            )),
            Pkcs12Error::NoPrivateKey => invalid("the ClientKey's PKCS#12 data has no private key"),
        })?;
        ClientKey::from_key_der(key_id.into(), &pkcs8)
    }

    /// From a key id and an RSA private key in PEM: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`), or the bare base64 body of either, as the official SDK accepts.
    pub fn from_private_key_pem(
        key_id: impl Into<String>,
        pem: &SecretString,
    ) -> Result<ClientKey> {
        let body: Zeroizing<String> = Zeroizing::new(
            pem.expose()
                .lines()
                .map(str::trim)
                .filter(|l| !l.starts_with("-----"))
                .collect(),
        );
        if pem.expose().contains("ENCRYPTED") {
            return Err(invalid("encrypted private key PEM is not supported"));
        }
        let der = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .map_err(|_| invalid("the private key is not valid PEM or base64"))?,
        );
        ClientKey::from_key_der(key_id.into(), &der)
    }

    /// PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey` DER, whichever it is (the official SDK
    /// wraps PKCS#8 bodies in an `RSA PRIVATE KEY` label, so the label proves nothing).
    fn from_key_der(key_id: String, der: &[u8]) -> Result<ClientKey> {
        if key_id.trim().is_empty() {
            return Err(invalid("the ClientKey id is empty"));
        }
        if key_id.bytes().any(|b| b.is_ascii_control()) {
            return Err(invalid("the ClientKey id contains control characters"));
        }
        let pkcs1 = pkcs1_from_pkcs8(der).unwrap_or(der);
        let key = RsaKeyPair::from_der(pkcs1).map_err(|e| {
            invalid(format!(
                "the ClientKey private key is not a usable RSA key ({e})"
            ))
        })?;
        Ok(ClientKey {
            key_id,
            key: Arc::new(key),
        })
    }

    /// The id sent in `x-kms-acccesskeyid` (`KAAP.…`).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (deterministic).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::internal("RSA signing with the ClientKey failed"))?;
        Ok(sig)
    }

    /// Reads a password file: its whole content with CR and LF removed (as the official
    /// clients do), or the JSON variant `{"ClientKeyPassword": "…"}`.
    pub fn password_from_file(path: impl AsRef<Path>) -> Result<SecretString> {
        let path = path.as_ref();
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            invalid(format!(
                "cannot read the ClientKey password file {}: {e}",
                path.display()
            ))
        })?);
        password_from_text(&text)
    }

    /// Reads the password from an environment variable (trailing CR/LF removed).
    pub fn password_from_env(name: &str) -> Result<SecretString> {
        let value = Zeroizing::new(std::env::var(name).map_err(|_| {
            invalid(format!(
                "the environment variable {name} holding the ClientKey password is not set"
            ))
        })?);
        password_from_text(&value)
    }
}

fn password_from_text(text: &str) -> Result<SecretString> {
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(rename = "ClientKeyPassword")]
            password: SecretString,
        }
        if let Ok(f) = serde_json::from_str::<File>(trimmed) {
            return Ok(f.password);
        }
    }
    let password: String = text.chars().filter(|&c| c != '\r' && c != '\n').collect();
    if password.is_empty() {
        return Err(invalid("the ClientKey password is empty"));
    }
    Ok(SecretString::new(password))
}

/// The PKCS#1 key inside a PKCS#8 `PrivateKeyInfo` with `rsaEncryption`, or `None` when `der`
/// is not such a structure.
fn pkcs1_from_pkcs8(der: &[u8]) -> Option<&[u8]> {
    let mut outer = Reader::new(der);
    let mut info = outer.sequence().ok()?;
    if info.small_uint().ok()? > 1 {
        return None;
    }
    let mut alg = info.sequence().ok()?;
    if alg.oid().ok()? != oids::RSA_ENCRYPTION {
        return None;
    }
    let _ = alg.optional(der::NULL);
    info.octet_string().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_from_text() {
        assert_eq!(password_from_text("abc\r\n").unwrap().expose(), "abc");
        assert_eq!(password_from_text("\u{feff}abc").unwrap().expose(), "abc");
        assert_eq!(
            password_from_text("{\"ClientKeyPassword\": \"p w\"}\n")
                .unwrap()
                .expose(),
            "p w"
        );
        assert!(password_from_text("\r\n").is_err());
    }

    #[test]
    fn bad_keys_are_typed_errors() {
        let e = ClientKey::from_private_key_pem("KAAP.x", &"not a key".into()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ClientKeyInvalid);
        let e = ClientKey::from_json("{}", &"pw".into()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ClientKeyInvalid);
    }
}
