//! `KmsClient`: the core client behind UniFFI. Each method converts its arguments into a core
//! request, runs the call on the face's runtime ([`crate::runtime::run`]) and converts the
//! response into a record. Plaintexts and secret values leave the core's zeroizing holders only
//! here, as the byte arrays and strings the caller asked for.

use crate::error::{invalid_argument, KmsException};
use crate::instance::InstanceClient;
use crate::options::ClientOptions;
use crate::runtime::run;
use kmskit::{
    Client, DecryptRequest, EncryptRequest, EncryptionContext, GenerateDataKeyRequest,
    GetSecretValueRequest,
};
use std::collections::HashMap;
use std::sync::Arc;

/// The result of `encrypt`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct EncryptResult {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// The result of `decrypt`: the plaintext bytes.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct DecryptResult {
    pub plaintext: Vec<u8>,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// The result of `generateDataKey`: the data key in plaintext and encrypted under the key.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct GenerateDataKeyResult {
    pub plaintext: Vec<u8>,
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// The result of `generateDataKeyWithoutPlaintext`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct GenerateDataKeyWithoutPlaintextResult {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

/// The result of `getSecretValue`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SecretValue {
    pub secret_name: String,
    pub secret_type: String,
    pub secret_data: String,
    pub secret_data_type: String,
    pub version_id: String,
    pub version_stages: Vec<String>,
    pub create_time: String,
    pub automatic_rotation: Option<String>,
    pub rotation_interval: Option<String>,
    pub last_rotation_date: Option<String>,
    pub next_rotation_date: Option<String>,
    pub extended_config: Option<String>,
    pub request_id: String,
}

// Kotlin's toString() and Swift's debugDescription come from these: never the secret material.
impl std::fmt::Debug for DecryptResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptResult")
            .field("plaintext", &"***")
            .field("key_id", &self.key_id)
            .field("key_version_id", &self.key_version_id)
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl std::fmt::Debug for GenerateDataKeyResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenerateDataKeyResult")
            .field("plaintext", &"***")
            .field("ciphertext_blob", &self.ciphertext_blob)
            .field("key_id", &self.key_id)
            .field("key_version_id", &self.key_version_id)
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretValue")
            .field("secret_name", &self.secret_name)
            .field("secret_type", &self.secret_type)
            .field("secret_data", &"***")
            .field("secret_data_type", &self.secret_data_type)
            .field("version_id", &self.version_id)
            .field("version_stages", &self.version_stages)
            .field("create_time", &self.create_time)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

fn context(ctx: Option<HashMap<String, String>>) -> Option<EncryptionContext> {
    ctx.map(|m| m.into_iter().collect())
}

fn data_key_request(
    key_id: String,
    number_of_bytes: Option<u32>,
    key_spec: Option<String>,
    encryption_context: Option<HashMap<String, String>>,
) -> GenerateDataKeyRequest {
    let mut req = GenerateDataKeyRequest::new(key_id);
    if let Some(n) = number_of_bytes {
        req = req.number_of_bytes(n);
    }
    if let Some(spec) = key_spec {
        req = req.key_spec(spec);
    }
    if let Some(ctx) = context(encryption_context) {
        req = req.encryption_context(ctx);
    }
    req
}

/// A KMS client. Cheap to share between coroutines/tasks; every method is safe to call
/// concurrently.
#[derive(uniffi::Object)]
pub struct KmsClient {
    inner: Client,
}

#[uniffi::export]
impl KmsClient {
    /// Builds a client; fails with `KmsException.Configuration` (or `Credentials`) on bad options.
    #[uniffi::constructor]
    pub fn new(options: ClientOptions) -> Result<Arc<Self>, KmsException> {
        let inner = Client::new(options.to_config()?)?;
        Ok(Arc::new(KmsClient { inner }))
    }

    /// The Instance API of the dedicated gateway; `KmsException.Configuration` without a
    /// `clientKey` in the options.
    pub fn instance(&self) -> Result<Arc<InstanceClient>, KmsException> {
        Ok(Arc::new(InstanceClient {
            inner: self.inner.instance()?,
        }))
    }

    /// The same client (same connections and credentials) with another route: `auto`,
    /// `shared` or `dedicated`.
    pub fn with_route(&self, route: String) -> Result<Arc<KmsClient>, KmsException> {
        Ok(Arc::new(KmsClient {
            inner: self.inner.with_route(route.parse()?),
        }))
    }

    /// This client's route: `auto`, `shared` or `dedicated`.
    pub fn route(&self) -> String {
        self.inner.route().as_str().to_string()
    }

    /// Encrypts `plaintext` (at most 6 KiB) under `key_id` (key id, ARN or alias).
    #[uniffi::method(default(encryption_context = None))]
    pub async fn encrypt(
        &self,
        key_id: String,
        plaintext: Vec<u8>,
        encryption_context: Option<HashMap<String, String>>,
    ) -> Result<EncryptResult, KmsException> {
        let client = self.inner.clone();
        let mut req = EncryptRequest::new(key_id, plaintext);
        if let Some(ctx) = context(encryption_context) {
            req = req.encryption_context(ctx);
        }
        run(async move {
            let r = client.encrypt(req).await?;
            Ok(EncryptResult {
                ciphertext_blob: r.ciphertext_blob,
                key_id: r.key_id,
                key_version_id: r.key_version_id,
                request_id: r.request_id,
            })
        })
        .await
    }

    /// Decrypts a ciphertext blob made by `encrypt`; the encryption context must match.
    #[uniffi::method(default(encryption_context = None))]
    pub async fn decrypt(
        &self,
        ciphertext_blob: String,
        encryption_context: Option<HashMap<String, String>>,
    ) -> Result<DecryptResult, KmsException> {
        let client = self.inner.clone();
        let mut req = DecryptRequest::new(ciphertext_blob);
        if let Some(ctx) = context(encryption_context) {
            req = req.encryption_context(ctx);
        }
        run(async move {
            let r = client.decrypt(req).await?;
            Ok(DecryptResult {
                plaintext: r.plaintext.expose().to_vec(),
                key_id: r.key_id,
                key_version_id: r.key_version_id,
                request_id: r.request_id,
            })
        })
        .await
    }

    /// Generates a data key: `number_of_bytes` (1..=1024) or `key_spec` (`AES_256`, `AES_128`).
    #[uniffi::method(default(number_of_bytes = None, key_spec = None, encryption_context = None))]
    pub async fn generate_data_key(
        &self,
        key_id: String,
        number_of_bytes: Option<u32>,
        key_spec: Option<String>,
        encryption_context: Option<HashMap<String, String>>,
    ) -> Result<GenerateDataKeyResult, KmsException> {
        let client = self.inner.clone();
        let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context);
        run(async move {
            let r = client.generate_data_key(req).await?;
            Ok(GenerateDataKeyResult {
                plaintext: r.plaintext.expose().to_vec(),
                ciphertext_blob: r.ciphertext_blob,
                key_id: r.key_id,
                key_version_id: r.key_version_id,
                request_id: r.request_id,
            })
        })
        .await
    }

    /// Like `generateDataKey`, but returns only the encrypted data key.
    #[uniffi::method(default(number_of_bytes = None, key_spec = None, encryption_context = None))]
    pub async fn generate_data_key_without_plaintext(
        &self,
        key_id: String,
        number_of_bytes: Option<u32>,
        key_spec: Option<String>,
        encryption_context: Option<HashMap<String, String>>,
    ) -> Result<GenerateDataKeyWithoutPlaintextResult, KmsException> {
        let client = self.inner.clone();
        let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context);
        run(async move {
            let r = client.generate_data_key_without_plaintext(req).await?;
            Ok(GenerateDataKeyWithoutPlaintextResult {
                ciphertext_blob: r.ciphertext_blob,
                key_id: r.key_id,
                key_version_id: r.key_version_id,
                request_id: r.request_id,
            })
        })
        .await
    }

    /// Reads a secret's value (`version_stage` defaults to ACSCurrent on the service side).
    #[uniffi::method(default(version_id = None, version_stage = None, fetch_extended_config = None))]
    pub async fn get_secret_value(
        &self,
        secret_name: String,
        version_id: Option<String>,
        version_stage: Option<String>,
        fetch_extended_config: Option<bool>,
    ) -> Result<SecretValue, KmsException> {
        let client = self.inner.clone();
        let mut req = GetSecretValueRequest::new(secret_name);
        if let Some(v) = version_id {
            req = req.version_id(v);
        }
        if let Some(v) = version_stage {
            req = req.version_stage(v);
        }
        if let Some(v) = fetch_extended_config {
            req = req.fetch_extended_config(v);
        }
        run(async move {
            let r = client.get_secret_value(req).await?;
            Ok(SecretValue {
                secret_name: r.secret_name,
                secret_type: r.secret_type,
                secret_data: r.secret_data.expose().to_string(),
                secret_data_type: r.secret_data_type,
                version_id: r.version_id,
                version_stages: r.version_stages,
                create_time: r.create_time,
                automatic_rotation: r.automatic_rotation,
                rotation_interval: r.rotation_interval,
                last_rotation_date: r.last_rotation_date,
                next_rotation_date: r.next_rotation_date,
                extended_config: r.extended_config,
                request_id: r.request_id,
            })
        })
        .await
    }

    /// Any KMS 2016-01-20 action. `params_json` is a JSON object text of parameters by their wire
    /// names (values may be strings, numbers, booleans, objects or arrays); the result is the
    /// response body as JSON object text.
    #[uniffi::method(default(params_json = "{}"))]
    pub async fn call(&self, action: String, params_json: String) -> Result<String, KmsException> {
        let client = self.inner.clone();
        let params = match serde_json::from_str::<serde_json::Value>(&params_json) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => return Err(invalid_argument("call params must be a JSON object")),
            Err(e) => {
                return Err(invalid_argument(format!(
                    "call params are not valid JSON: {e}"
                )))
            }
        };
        run(async move {
            let body = client.call(&action, params).await?;
            serde_json::to_string(&body).map_err(|e| {
                KmsException::from(kmskit::Error::internal(format!(
                    "cannot serialise the response: {e}"
                )))
            })
        })
        .await
    }
}
