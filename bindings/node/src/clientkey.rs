//! `NativeClientKey`: the ClientKey of a dedicated KMS instance (Instance API authentication).
//! The private key and its password go straight into the core's zeroizing holders; the object
//! shows only the key id.

use crate::errors::to_js_error;
use kmskit::{ClientKey, SecretString};
use napi::{Env, Result};
use napi_derive::napi;

/// Where the password of a ClientKey file comes from: exactly one of the three.
#[napi(object)]
pub struct ClientKeyPassword {
    pub password: Option<String>,
    pub password_file: Option<String>,
    pub password_env: Option<String>,
}

fn password(p: Option<ClientKeyPassword>) -> kmskit::Result<SecretString> {
    let p = p.unwrap_or(ClientKeyPassword {
        password: None,
        password_file: None,
        password_env: None,
    });
    match (p.password, p.password_file, p.password_env) {
        (Some(v), None, None) => Ok(SecretString::from(v)),
        (None, Some(f), None) => ClientKey::password_from_file(f),
        (None, None, Some(e)) => ClientKey::password_from_env(&e),
        _ => Err(kmskit::Error::configuration(
            "give exactly one of password, passwordFile, passwordEnv",
        )),
    }
}

#[napi]
pub struct NativeClientKey {
    pub(crate) key: ClientKey,
}

#[napi]
impl NativeClientKey {
    /// A `clientKey_<KeyId>.json` file as the console or CreateClientKey issues it.
    #[napi(factory)]
    pub fn from_file(
        env: Env,
        path: String,
        password_from: Option<ClientKeyPassword>,
    ) -> Result<NativeClientKey> {
        password(password_from)
            .and_then(|pw| ClientKey::from_file(path, &pw))
            .map(|key| NativeClientKey { key })
            .map_err(|e| to_js_error(&env, &e))
    }

    /// The content of such a file.
    #[napi(factory)]
    pub fn from_json(
        env: Env,
        json: String,
        password_from: Option<ClientKeyPassword>,
    ) -> Result<NativeClientKey> {
        password(password_from)
            .and_then(|pw| ClientKey::from_json(&json, &pw))
            .map(|key| NativeClientKey { key })
            .map_err(|e| to_js_error(&env, &e))
    }

    /// A key id and its RSA private key (PKCS#8 / PKCS#1 PEM, or bare base64).
    #[napi(factory)]
    pub fn from_private_key_pem(env: Env, key_id: String, pem: String) -> Result<NativeClientKey> {
        ClientKey::from_private_key_pem(key_id, &SecretString::from(pem))
            .map(|key| NativeClientKey { key })
            .map_err(|e| to_js_error(&env, &e))
    }

    /// The ClientKey's id (not a secret).
    #[napi(getter)]
    pub fn key_id(&self) -> String {
        self.key.key_id().to_owned()
    }
}
