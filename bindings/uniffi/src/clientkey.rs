//! `ClientKey`: the credential of the dedicated gateway's Instance API (a key id and an RSA
//! private key), loaded by the core. Passwords and private keys become zeroizing `SecretString`s
//! as soon as they cross the FFI, and nothing prints more than the key id.

use crate::error::KmsException;
use kmskit::SecretString;
use std::sync::Arc;

/// A ClientKey of a KMS instance. `toString()` / `debugDescription` show the key id only.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct ClientKey {
    pub(crate) inner: kmskit::ClientKey,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientKey(keyId={})", self.inner.key_id())
    }
}

/// Exactly one of the three ways to give the ClientKey password.
fn password(
    password: Option<String>,
    password_file: Option<String>,
    password_env: Option<String>,
) -> Result<SecretString, KmsException> {
    match (password, password_file, password_env) {
        (Some(p), None, None) => Ok(SecretString::from(p)),
        (None, Some(file), None) => Ok(kmskit::ClientKey::password_from_file(file)?),
        (None, None, Some(name)) => Ok(kmskit::ClientKey::password_from_env(&name)?),
        (None, None, None) => Err(kmskit::Error::configuration(
            "a ClientKey needs password, passwordFile or passwordEnv",
        )
        .into()),
        _ => Err(kmskit::Error::configuration(
            "give only one of password, passwordFile and passwordEnv",
        )
        .into()),
    }
}

#[uniffi::export]
impl ClientKey {
    /// Loads an official `clientKey_<KeyId>.json` file; its password given directly, read from
    /// a file (`clientKey_<KeyId>_Password.txt`) or from an environment variable.
    /// A wrong password or a malformed file is `KmsException.Credentials` (code 1202).
    #[uniffi::constructor(default(password = None, password_file = None, password_env = None))]
    pub fn from_file(
        path: String,
        password: Option<String>,
        password_file: Option<String>,
        password_env: Option<String>,
    ) -> Result<Arc<Self>, KmsException> {
        let pw = self::password(password, password_file, password_env)?;
        Ok(Arc::new(ClientKey {
            inner: kmskit::ClientKey::from_file(path, &pw)?,
        }))
    }

    /// Like `fromFile`, from the file's JSON text.
    #[uniffi::constructor(default(password = None, password_file = None, password_env = None))]
    pub fn from_json(
        json: String,
        password: Option<String>,
        password_file: Option<String>,
        password_env: Option<String>,
    ) -> Result<Arc<Self>, KmsException> {
        let pw = self::password(password, password_file, password_env)?;
        Ok(Arc::new(ClientKey {
            inner: kmskit::ClientKey::from_json(&json, &pw)?,
        }))
    }

    /// A key id and its RSA private key (PKCS#8 or PKCS#1 PEM, or bare base64 DER).
    #[uniffi::constructor]
    pub fn from_private_key_pem(key_id: String, pem: String) -> Result<Arc<Self>, KmsException> {
        let pem = SecretString::from(pem);
        Ok(Arc::new(ClientKey {
            inner: kmskit::ClientKey::from_private_key_pem(key_id, &pem)?,
        }))
    }

    /// The ClientKey's id (`KAAP.…`).
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_string()
    }
}
