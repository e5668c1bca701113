//! `NativeClient`: the options every face shares, turned into a core `ClientConfig`, and one
//! Promise-returning method per core operation. Each method converts its arguments on the
//! JavaScript thread, runs the core call (`dispatch.rs`), and converts the outcome back on the
//! JavaScript thread (where Buffers and error objects can be made). No KMS knowledge here.

use crate::dispatch;
use crate::errors::to_js_error;
use crate::json::{encryption_context, normalize_numbers};
use crate::types::{
    AccessKey, DecryptResult, EncryptResult, GenerateDataKeyResult,
    GenerateDataKeyWithoutPlaintextResult, GetSecretValueResult, StsToken,
};
use kmskit::{
    ClientConfig, DecryptRequest, EncryptRequest, GenerateDataKeyRequest, GetSecretValueRequest,
    RetryPolicy,
};
use napi::bindgen_prelude::{Buffer, ClassInstance, Either, PromiseRaw, ToNapiValue};
use napi::{sys, Env, Result};
use napi_derive::napi;
use serde_json::{Map, Value};
use std::future::Future;
use std::time::Duration;

/// The client options, camelCase (see docs/node.md for defaults). Credentials travel apart, as
/// the second constructor argument.
#[napi(object)]
pub struct ClientOptions {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// `'shared'` (default), `'vpc'` or `'dedicated'`; `instanceId` alone implies `'dedicated'`.
    pub gateway: Option<String>,
    pub instance_id: Option<String>,
    /// PEM certificates trusted in addition to the public roots.
    pub ca_pem: Option<Either<String, Buffer>>,
    pub ca_file: Option<String>,
    pub connect_timeout_ms: Option<f64>,
    pub read_timeout_ms: Option<f64>,
    /// Attempts in all, the first included; 1 = no retries.
    pub max_attempts: Option<f64>,
    pub user_agent_suffix: Option<String>,
    /// `'acs3'` (default) or `'rpc'`.
    pub signature_version: Option<String>,
    /// The Instance API endpoint (`https://host[:port]` or `host[:port]`); needs a ClientKey.
    pub instance_endpoint: Option<String>,
    /// `'auto'` (default), `'shared'` or `'dedicated'`.
    pub route: Option<String>,
}

#[napi(object)]
pub struct EncryptOptions {
    #[napi(ts_type = "Record<string, string>")]
    pub encryption_context: Option<Map<String, Value>>,
}

#[napi(object)]
pub struct DataKeyOptions {
    pub number_of_bytes: Option<f64>,
    pub key_spec: Option<String>,
    #[napi(ts_type = "Record<string, string>")]
    pub encryption_context: Option<Map<String, Value>>,
}

#[napi(object)]
pub struct GetSecretValueOptions {
    pub version_id: Option<String>,
    pub version_stage: Option<String>,
    pub fetch_extended_config: Option<bool>,
}

/// A whole non-negative number that fits `u64`, or a Configuration/InvalidArgument error built
/// by `bad`. Zero passes, so the core reports it in its own words.
fn whole(value: f64, bad: impl Fn() -> kmskit::Error) -> std::result::Result<u64, kmskit::Error> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= u64::MAX as f64 {
        Ok(value as u64)
    } else {
        Err(bad())
    }
}

fn millis(value: f64, what: &str) -> std::result::Result<Duration, kmskit::Error> {
    whole(value, || {
        kmskit::Error::configuration(format!("{what} must be a whole number of milliseconds"))
    })
    .map(Duration::from_millis)
}

fn build_config(
    opts: ClientOptions,
    credentials: Option<kmskit::Credentials>,
    extra: crate::options::Extra,
) -> std::result::Result<ClientConfig, kmskit::Error> {
    let mut b = ClientConfig::builder();
    if let Some(v) = opts.region {
        b = b.region(v);
    }
    if let Some(gateway) =
        kmskit::Gateway::from_options(opts.gateway.as_deref(), opts.instance_id.as_deref())?
    {
        b = b.gateway(gateway);
    }
    if let Some(v) = opts.endpoint {
        b = b.endpoint(v);
    }
    if let Some(v) = opts.connect_timeout_ms {
        b = b.connect_timeout(millis(v, "connectTimeoutMs")?);
    }
    if let Some(v) = opts.read_timeout_ms {
        b = b.read_timeout(millis(v, "readTimeoutMs")?);
    }
    if let Some(v) = opts.max_attempts {
        let n = whole(v, || {
            kmskit::Error::configuration("maxAttempts must be a whole number")
        })?;
        // Above u32 is as good as unlimited (the retry budget still bounds retries); zero is
        // refused by the core.
        b = b.retry_policy(RetryPolicy {
            max_attempts: u32::try_from(n).unwrap_or(u32::MAX),
            ..RetryPolicy::default()
        });
    }
    if let Some(v) = opts.user_agent_suffix {
        b = b.user_agent_suffix(v);
    }
    if let Some(v) = opts.signature_version {
        b = b.signature_version(v.parse()?);
    }
    match opts.ca_pem {
        Some(Either::A(s)) => b = b.ca_pem(s.into_bytes()),
        Some(Either::B(buf)) => b = b.ca_pem(buf.to_vec()),
        None => {}
    }
    if let Some(path) = opts.ca_file {
        b = b.ca_file(path);
    }
    if let Some(c) = credentials {
        b = b.credentials(c);
    }
    b = extra.apply(b, opts.instance_endpoint, opts.route)?;
    b.build()
}

/// Runs `fut` (`dispatch.rs`) and settles the Promise on the JavaScript thread: `ok` turns the core's answer into a JavaScript value, a core error becomes a rejection
/// with the error object of `errors.rs`.
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

/// `value` as a JavaScript value of `env`, on its thread.
fn js<V: ToNapiValue>(env: &Env, value: V) -> Result<sys::napi_value> {
    // SAFETY: `env` is the live environment of the JavaScript thread this runs on.
    unsafe { V::to_napi_value(env.raw(), value) }
}

fn data_key_request(
    key_id: String,
    options: Option<DataKeyOptions>,
) -> std::result::Result<GenerateDataKeyRequest, kmskit::Error> {
    let mut req = GenerateDataKeyRequest::new(key_id);
    let Some(o) = options else { return Ok(req) };
    if let Some(n) = o.number_of_bytes {
        let n = whole(n, || {
            kmskit::Error::invalid_argument("numberOfBytes must be a whole number")
        })?;
        let n = u32::try_from(n)
            .map_err(|_| kmskit::Error::invalid_argument("numberOfBytes is out of range"))?;
        req = req.number_of_bytes(n);
    }
    if let Some(s) = o.key_spec {
        req = req.key_spec(s);
    }
    if let Some(ctx) = encryption_context(o.encryption_context)? {
        req = req.encryption_context(ctx);
    }
    Ok(req)
}

/// The core client behind the package's `Client` (index.js), which adds error classes.
#[napi]
pub struct NativeClient {
    pub(crate) inner: kmskit::Client,
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        options: Option<ClientOptions>,
        credentials: Option<Either<ClassInstance<'_, AccessKey>, ClassInstance<'_, StsToken>>>,
        provider: Option<&crate::credentials::NativeProvider>,
        client_key: Option<&crate::clientkey::NativeClientKey>,
    ) -> Result<Self> {
        let credentials = credentials.map(|c| match c {
            Either::A(ak) => ak.credentials.clone(),
            Either::B(sts) => sts.credentials.clone(),
        });
        let opts = options.unwrap_or(ClientOptions {
            endpoint: None,
            region: None,
            gateway: None,
            instance_id: None,
            ca_pem: None,
            ca_file: None,
            connect_timeout_ms: None,
            read_timeout_ms: None,
            max_attempts: None,
            user_agent_suffix: None,
            signature_version: None,
            instance_endpoint: None,
            route: None,
        });
        let mut extra = crate::options::Extra::new(provider, client_key);
        extra.driver = crate::sink::sink(&env)?.driver();
        build_config(opts, credentials, extra)
            .and_then(kmskit::Client::new)
            .map(|inner| NativeClient { inner })
            .map_err(|e| to_js_error(&env, &e))
    }

    #[napi(ts_return_type = "Promise<EncryptResult>")]
    pub fn encrypt<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        plaintext: &[u8],
        options: Option<EncryptOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = EncryptRequest::new(key_id, plaintext);
        if let Some(ctx) = encryption_context(options.and_then(|o| o.encryption_context))
            .map_err(|e| to_js_error(env, &e))?
        {
            req = req.encryption_context(ctx);
        }
        let client = self.inner.clone();
        settle(env, async move { client.encrypt(req).await }, |env, r| {
            js(env, EncryptResult::from(r))
        })
    }

    #[napi(ts_return_type = "Promise<DecryptResult>")]
    pub fn decrypt<'env>(
        &self,
        env: &'env Env,
        ciphertext_blob: String,
        options: Option<EncryptOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = DecryptRequest::new(ciphertext_blob);
        if let Some(ctx) = encryption_context(options.and_then(|o| o.encryption_context))
            .map_err(|e| to_js_error(env, &e))?
        {
            req = req.encryption_context(ctx);
        }
        let client = self.inner.clone();
        settle(env, async move { client.decrypt(req).await }, |env, r| {
            js(env, DecryptResult::new(env, r)?)
        })
    }

    #[napi(ts_return_type = "Promise<GenerateDataKeyResult>")]
    pub fn generate_data_key<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        options: Option<DataKeyOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = data_key_request(key_id, options).map_err(|e| to_js_error(env, &e))?;
        let client = self.inner.clone();
        settle(
            env,
            async move { client.generate_data_key(req).await },
            |env, r| js(env, GenerateDataKeyResult::new(env, r)?),
        )
    }

    #[napi(ts_return_type = "Promise<GenerateDataKeyWithoutPlaintextResult>")]
    pub fn generate_data_key_without_plaintext<'env>(
        &self,
        env: &'env Env,
        key_id: String,
        options: Option<DataKeyOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let req = data_key_request(key_id, options).map_err(|e| to_js_error(env, &e))?;
        let client = self.inner.clone();
        settle(
            env,
            async move { client.generate_data_key_without_plaintext(req).await },
            |env, r| js(env, GenerateDataKeyWithoutPlaintextResult::from(r)),
        )
    }

    #[napi(ts_return_type = "Promise<GetSecretValueResult>")]
    pub fn get_secret_value<'env>(
        &self,
        env: &'env Env,
        secret_name: String,
        options: Option<GetSecretValueOptions>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut req = GetSecretValueRequest::new(secret_name);
        if let Some(o) = options {
            if let Some(v) = o.version_id {
                req = req.version_id(v);
            }
            if let Some(v) = o.version_stage {
                req = req.version_stage(v);
            }
            if let Some(v) = o.fetch_extended_config {
                req = req.fetch_extended_config(v);
            }
        }
        let client = self.inner.clone();
        settle(
            env,
            async move { client.get_secret_value(req).await },
            |env, r| js(env, GetSecretValueResult::from(r)),
        )
    }

    /// Any KMS action by name, with JSON-like parameters; resolves to the response body.
    #[napi(ts_return_type = "Promise<Record<string, any>>")]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        action: String,
        params: Option<Map<String, Value>>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let mut params = params.unwrap_or_default();
        normalize_numbers(&mut params);
        let client = self.inner.clone();
        settle(env, async move { client.call(&action, params).await }, js)
    }
}
