//! `client.instance`: the Instance API of a dedicated KMS instance (ClientKey authentication),
//! one Promise-returning method per operation of `kmskit::instance_api::INSTANCE_OPERATIONS`,
//! and `client.withRoute(route)`. Calls travel like the client's own (`dispatch.rs`).

use crate::client::NativeClient;
use crate::dispatch;
use crate::errors::to_js_error;
use crate::instance_types::*;
use kmskit::instance_api as ia;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::{sys, Env, Result};
use napi_derive::napi;
use std::future::Future;

/// The names of the Instance API operations (`x-kms-apiname`); each is a camelCase method of
/// `client.instance`.
// Reached from JavaScript only (registered by #[napi]), which the dead-code lint cannot see.
#[allow(dead_code)]
#[napi]
pub fn core_instance_operations() -> Vec<&'static str> {
    ia::INSTANCE_OPERATIONS.to_vec()
}

fn settle<'env, T, F, C>(env: &'env Env, fut: F, ok: C) -> Result<PromiseRaw<'env, ()>>
where
    T: Send + 'static,
    F: Future<Output = std::result::Result<T, kmskit::Error>> + Send + 'static,
    C: FnOnce(&Env, T) -> Result<sys::napi_value> + Send + 'static,
{
    dispatch::run(env, fut, move |env, outcome| match outcome {
        Ok(value) => ok(env, value),
        Err(e) => Err(to_js_error(env, &e)),
    })
}

fn js<V: ToNapiValue>(env: &Env, value: V) -> Result<sys::napi_value> {
    // SAFETY: `env` is the live environment of the JavaScript thread this runs on.
    unsafe { V::to_napi_value(env.raw(), value) }
}

fn bytes(b: Option<napi::bindgen_prelude::Buffer>) -> Option<Vec<u8>> {
    b.map(|b| b.to_vec())
}

#[napi]
impl NativeClient {
    /// The Instance API client; a Configuration error without a ClientKey.
    #[napi]
    pub fn instance(&self, env: Env) -> Result<NativeInstanceClient> {
        self.inner
            .instance()
            .map(|inner| NativeInstanceClient { inner })
            .map_err(|e| to_js_error(&env, &e))
    }

    /// Where the data-plane operations go: `'auto'`, `'shared'` or `'dedicated'`.
    #[napi(ts_return_type = "'auto' | 'shared' | 'dedicated'")]
    pub fn route(&self) -> &'static str {
        self.inner.route().as_str()
    }

    /// A view of this client with another route (`'auto'`, `'shared'`, `'dedicated'`), sharing
    /// its connections.
    #[napi]
    pub fn with_route(&self, env: Env, route: String) -> Result<NativeClient> {
        route
            .parse::<kmskit::Route>()
            .map(|r| NativeClient {
                inner: self.inner.with_route(r),
            })
            .map_err(|e| to_js_error(&env, &e))
    }
}

#[napi]
pub struct NativeInstanceClient {
    inner: kmskit::InstanceClient,
}

fn cipher_request(
    key_id: String,
    plaintext: &[u8],
    options: Option<InstanceCipherOptions>,
) -> ia::EncryptRequest {
    let mut req = ia::EncryptRequest::new(key_id, plaintext);
    if let Some(o) = options {
        req.algorithm = o.algorithm;
        req.aad = bytes(o.aad);
        req.iv = bytes(o.iv);
        req.padding_mode = o.padding_mode;
    }
    req
}

fn data_key_request(
    key_id: String,
    o: Option<InstanceDataKeyOptions>,
) -> ia::GenerateDataKeyRequest {
    let mut req = ia::GenerateDataKeyRequest::new(key_id);
    if let Some(o) = o {
        req.algorithm = o.algorithm;
        req.number_of_bytes = o.number_of_bytes;
        req.aad = bytes(o.aad);
    }
    req
}

fn pair_request(
    key_id: String,
    key_pair_spec: String,
    o: Option<DataKeyPairOptions>,
) -> ia::GenerateDataKeyPairRequest {
    let mut req = ia::GenerateDataKeyPairRequest::new(key_id, key_pair_spec);
    if let Some(o) = o {
        req.algorithm = o.algorithm;
        req.key_format = o.key_format;
        req.aad = bytes(o.aad);
    }
    req
}

#[napi]
impl NativeInstanceClient {
    /// The ClientKey's id.
    #[napi(getter)]
    pub fn client_key_id(&self) -> String {
        self.inner.client_key_id().to_owned()
    }

    /// The instance endpoint, as a URL.
    #[napi(getter)]
    pub fn endpoint(&self) -> String {
        self.inner.endpoint().base_url()
    }

    #[napi(ts_return_type = "Promise<InstanceEncryptResult>")]
    pub fn encrypt<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        plaintext: &[u8],
        options: Option<InstanceCipherOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = cipher_request(key_id, plaintext, options);
        let c = self.inner.clone();
        settle(env, async move { c.encrypt(req).await }, |env, r| {
            js(env, InstanceEncryptResult::from(r))
        })
    }

    #[napi(ts_return_type = "Promise<InstanceDecryptResult>")]
    pub fn decrypt<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        ciphertext_blob: &[u8],
        options: Option<InstanceCipherOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = ia::DecryptRequest::new(key_id, ciphertext_blob);
        if let Some(o) = options {
            req.algorithm = o.algorithm;
            req.aad = bytes(o.aad);
            req.iv = bytes(o.iv);
            req.padding_mode = o.padding_mode;
        }
        let c = self.inner.clone();
        settle(env, async move { c.decrypt(req).await }, |env, r| {
            js(env, InstanceDecryptResult::new(env, r)?)
        })
    }

    #[napi(ts_return_type = "Promise<InstanceAdvanceEncryptResult>")]
    pub fn advance_encrypt<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        plaintext: &[u8],
        options: Option<InstanceCipherOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = cipher_request(key_id, plaintext, options);
        let c = self.inner.clone();
        settle(
            env,
            async move { c.advance_encrypt(req).await },
            |env, r| js(env, InstanceAdvanceEncryptResult::from(r)),
        )
    }

    #[napi(ts_return_type = "Promise<InstanceDecryptResult>")]
    pub fn advance_decrypt<'env>(
        &self,
        env: &'env Env,
        ciphertext_blob: &[u8],
        options: Option<AdvanceDecryptOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = ia::AdvanceDecryptRequest::new(ciphertext_blob);
        if let Some(o) = options {
            req.key_id = o.key_id;
            req.algorithm = o.algorithm;
            req.aad = bytes(o.aad);
            req.iv = bytes(o.iv);
            req.padding_mode = o.padding_mode;
        }
        let c = self.inner.clone();
        settle(
            env,
            async move { c.advance_decrypt(req).await },
            |env, r| js(env, InstanceDecryptResult::new(env, r)?),
        )
    }

    #[napi(ts_return_type = "Promise<InstanceSignResult>")]
    pub fn sign<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        algorithm: String,
        message: &[u8],
        options: Option<SignOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = ia::SignRequest::new(key_id, algorithm, message);
        req.message_type = options.and_then(|o| o.message_type);
        let c = self.inner.clone();
        settle(env, async move { c.sign(req).await }, |env, r| {
            js(env, InstanceSignResult::from(r))
        })
    }

    #[napi(ts_return_type = "Promise<InstanceVerifyResult>")]
    pub fn verify<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        algorithm: String,
        message: &[u8],
        signature: &[u8],
        options: Option<SignOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = ia::VerifyRequest::new(key_id, algorithm, message, signature);
        req.message_type = options.and_then(|o| o.message_type);
        let c = self.inner.clone();
        settle(env, async move { c.verify(req).await }, |env, r| {
            js(env, InstanceVerifyResult::from(r))
        })
    }

    #[napi(ts_return_type = "Promise<InstanceGenerateRandomResult>")]
    pub fn generate_random<'env>(
        &self,
        env: &'env Env,
        length: u32,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = ia::GenerateRandomRequest::new(length);
        let c = self.inner.clone();
        settle(
            env,
            async move { c.generate_random(req).await },
            |env, r| js(env, InstanceGenerateRandomResult::new(env, r)?),
        )
    }

    #[napi(ts_return_type = "Promise<InstanceGenerateDataKeyResult>")]
    pub fn generate_data_key<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        options: Option<InstanceDataKeyOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = data_key_request(key_id, options);
        let c = self.inner.clone();
        settle(
            env,
            async move { c.generate_data_key(req).await },
            |env, r| js(env, InstanceGenerateDataKeyResult::new(env, r)?),
        )
    }

    #[napi(ts_return_type = "Promise<InstanceGenerateDataKeyResult>")]
    pub fn advance_generate_data_key<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        options: Option<InstanceDataKeyOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = data_key_request(key_id, options);
        let c = self.inner.clone();
        settle(
            env,
            async move { c.advance_generate_data_key(req).await },
            |env, r| js(env, InstanceGenerateDataKeyResult::new(env, r)?),
        )
    }

    #[napi(ts_return_type = "Promise<InstanceGenerateDataKeyPairResult>")]
    pub fn generate_data_key_pair<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        key_pair_spec: String,
        options: Option<DataKeyPairOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = pair_request(key_id, key_pair_spec, options);
        let c = self.inner.clone();
        settle(
            env,
            async move { c.generate_data_key_pair(req).await },
            |env, r| js(env, InstanceGenerateDataKeyPairResult::new(env, r)?),
        )
    }

    #[napi(ts_return_type = "Promise<InstanceGenerateDataKeyPairResult>")]
    pub fn advance_generate_data_key_pair<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        key_pair_spec: String,
        options: Option<DataKeyPairOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = pair_request(key_id, key_pair_spec, options);
        let c = self.inner.clone();
        settle(
            env,
            async move { c.advance_generate_data_key_pair(req).await },
            |env, r| js(env, InstanceGenerateDataKeyPairResult::new(env, r)?),
        )
    }

    #[napi(ts_return_type = "Promise<InstanceGenerateDataKeyPairWithoutPlaintextResult>")]
    pub fn generate_data_key_pair_without_plaintext<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        key_pair_spec: String,
        options: Option<DataKeyPairOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = pair_request(key_id, key_pair_spec, options);
        let c = self.inner.clone();
        settle(
            env,
            async move { c.generate_data_key_pair_without_plaintext(req).await },
            |env, r| {
                js(
                    env,
                    InstanceGenerateDataKeyPairWithoutPlaintextResult::from(r),
                )
            },
        )
    }

    #[napi(ts_return_type = "Promise<InstanceGenerateDataKeyPairWithoutPlaintextResult>")]
    pub fn advance_generate_data_key_pair_without_plaintext<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        key_pair_spec: String,
        options: Option<DataKeyPairOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = pair_request(key_id, key_pair_spec, options);
        let c = self.inner.clone();
        settle(
            env,
            async move {
                c.advance_generate_data_key_pair_without_plaintext(req)
                    .await
            },
            |env, r| {
                js(
                    env,
                    InstanceGenerateDataKeyPairWithoutPlaintextResult::from(r),
                )
            },
        )
    }

    #[napi(ts_return_type = "Promise<InstanceGetPublicKeyResult>")]
    pub fn get_public_key<'env>(
        &self,
        env: &'env Env,
        key_id: String,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = ia::GetPublicKeyRequest::new(key_id);
        let c = self.inner.clone();
        settle(env, async move { c.get_public_key(req).await }, |env, r| {
            js(env, InstanceGetPublicKeyResult::from(r))
        })
    }

    #[napi(ts_return_type = "Promise<InstanceGetSecretValueResult>")]
    pub fn get_secret_value<'env>(
        &self,
        env: &'env Env,
        secret_name: String,
        options: Option<InstanceGetSecretValueOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = ia::GetSecretValueRequest::new(secret_name);
        if let Some(o) = options {
            req.version_stage = o.version_stage;
            req.version_id = o.version_id;
            req.fetch_extended_config = o.fetch_extended_config.unwrap_or(false);
        }
        let c = self.inner.clone();
        settle(
            env,
            async move { c.get_secret_value(req).await },
            |env, r| js(env, InstanceGetSecretValueResult::from(r)),
        )
    }
}
