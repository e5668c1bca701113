//! `kmskit.Client` (blocking, the GIL released while it waits) and `kmskit.AsyncClient`
//! (asyncio futures). Both translate arguments, hand them to the core client and translate the
//! answer back; neither knows anything about KMS.

use crate::call::{block_on, spawn, Shared};
use crate::clientkey::ClientKey;
use crate::credentials::provider_from_py;
use crate::errors::to_py_err;
use crate::instance::{AsyncInstanceClient, InstanceClient};
use crate::json::{object_from_py, object_to_py, JsonObject};
use crate::types::{
    AccessKey, DecryptResponse, EncryptResponse, GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextResponse, GetSecretValueResponse, StsToken,
};
use kmskit::{
    ClientConfig, DecryptRequest, EncryptRequest, EncryptionContext, GenerateDataKeyRequest,
    GetSecretValueRequest, RetryPolicy, Route,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::path::PathBuf;
use std::time::Duration;

/// The options every face shares, as Python keyword arguments.
pub(crate) struct Options<'py> {
    endpoint: Option<String>,
    region: Option<String>,
    credentials: Option<Bound<'py, PyAny>>,
    gateway: Option<String>,
    instance_id: Option<String>,
    instance_endpoint: Option<String>,
    client_key: Option<Bound<'py, ClientKey>>,
    route: Option<String>,
    ca_pem: Option<Bound<'py, PyAny>>,
    ca_file: Option<PathBuf>,
    connect_timeout_ms: Option<i64>,
    read_timeout_ms: Option<i64>,
    max_attempts: Option<i64>,
    user_agent_suffix: Option<String>,
    signature_version: Option<String>,
    /// `Client` (no event loop for an `async def` credentials callable) or `AsyncClient`.
    blocking: bool,
}

pub(crate) fn parse_route(route: &str) -> PyResult<Route> {
    route.parse().map_err(to_py_err)
}

pub(crate) fn route_name(route: Route) -> &'static str {
    route.as_str()
}

fn positive_ms(value: i64, what: &str) -> Result<Duration, kmskit::Error> {
    // Zero is passed on so the core reports it in its own words.
    u64::try_from(value)
        .map(Duration::from_millis)
        .map_err(|_| kmskit::Error::configuration(format!("{what} must be greater than zero")))
}

fn build_config(opts: Options<'_>) -> PyResult<ClientConfig> {
    let mut b = ClientConfig::builder();
    if let Some(v) = opts.region {
        b = b.region(v);
    }
    if let Some(gateway) =
        kmskit::Gateway::from_options(opts.gateway.as_deref(), opts.instance_id.as_deref())
            .map_err(to_py_err)?
    {
        b = b.gateway(gateway);
    }
    if let Some(v) = opts.endpoint {
        b = b.endpoint(v);
    }
    if let Some(v) = opts.connect_timeout_ms {
        b = b.connect_timeout(positive_ms(v, "connect_timeout_ms").map_err(to_py_err)?);
    }
    if let Some(v) = opts.read_timeout_ms {
        b = b.read_timeout(positive_ms(v, "read_timeout_ms").map_err(to_py_err)?);
    }
    if let Some(v) = opts.max_attempts {
        // Below range becomes 0, which the core refuses with its own message; above range is
        // as good as unlimited (the retry budget still bounds retries).
        let max_attempts = u32::try_from(v).unwrap_or(if v < 0 { 0 } else { u32::MAX });
        b = b.retry_policy(RetryPolicy {
            max_attempts,
            ..RetryPolicy::default()
        });
    }
    if let Some(v) = opts.user_agent_suffix {
        b = b.user_agent_suffix(v);
    }
    if let Some(v) = opts.signature_version {
        b = b.signature_version(v.parse().map_err(to_py_err)?);
    }
    if let Some(pem) = opts.ca_pem {
        let bytes = if let Ok(b) = pem.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else if let Ok(s) = pem.cast::<PyString>() {
            s.to_cow()?.as_bytes().to_vec()
        } else {
            return Err(PyTypeError::new_err("ca_pem must be bytes or str"));
        };
        b = b.ca_pem(bytes);
    }
    if let Some(path) = opts.ca_file {
        b = b.ca_file(path);
    }
    if let Some(c) = opts.credentials {
        if let Ok(ak) = c.cast::<AccessKey>() {
            b = b.credentials(ak.get().credentials.clone());
        } else if let Ok(sts) = c.cast::<StsToken>() {
            b = b.credentials(sts.get().credentials.clone());
        } else {
            b = b.credentials_provider(provider_from_py(&c, opts.blocking)?);
        }
    }
    if let Some(key) = opts.client_key {
        b = b.client_key(key.get().key.clone());
    }
    if let Some(v) = opts.instance_endpoint {
        b = b.instance_endpoint(v);
    }
    if let Some(v) = opts.route {
        b = b.route(parse_route(&v)?);
    }
    b.build().map_err(to_py_err)
}

fn context(py_ctx: Option<&Bound<'_, PyAny>>) -> PyResult<Option<EncryptionContext>> {
    let Some(obj) = py_ctx else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    let mut pairs = Vec::new();
    for item in obj.call_method0("items")?.try_iter()? {
        let (k, v): (String, String) = item?
            .extract()
            .map_err(|_| PyTypeError::new_err("encryption_context must map str to str"))?;
        pairs.push((k, v));
    }
    Ok(Some(pairs.into_iter().collect()))
}

fn data_key_request(
    key_id: String,
    number_of_bytes: Option<i64>,
    key_spec: Option<String>,
    encryption_context: Option<&Bound<'_, PyAny>>,
) -> PyResult<GenerateDataKeyRequest> {
    let mut req = GenerateDataKeyRequest::new(key_id);
    if let Some(n) = number_of_bytes {
        // Values outside u32 are never valid; u32::MAX lets the core's range check refuse them.
        req = req.number_of_bytes(u32::try_from(n).unwrap_or(u32::MAX));
    }
    if let Some(spec) = key_spec {
        req = req.key_spec(spec);
    }
    if let Some(ctx) = context(encryption_context)? {
        req = req.encryption_context(ctx);
    }
    Ok(req)
}

fn secret_request(
    secret_name: String,
    version_id: Option<String>,
    version_stage: Option<String>,
    fetch_extended_config: Option<bool>,
) -> GetSecretValueRequest {
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
    req
}

fn params(obj: Option<&Bound<'_, PyAny>>) -> PyResult<serde_json::Map<String, serde_json::Value>> {
    match obj {
        Some(o) if !o.is_none() => object_from_py(o),
        _ => Ok(serde_json::Map::new()),
    }
}

fn repr(class: &str, shared: &Shared) -> String {
    let config = &shared.config;
    let mut text = format!("{class}(endpoint={:?}", config.endpoint().base_url());
    if let Some(e) = config.instance_endpoint() {
        text.push_str(&format!(", instance_endpoint={:?}", e.base_url()));
    }
    if let Some(k) = config.client_key() {
        text.push_str(&format!(", client_key_id={:?}", k.key_id()));
    }
    if config.client_key().is_some() || shared.route() != Route::Auto {
        text.push_str(&format!(", route={:?}", route_name(shared.route())));
    }
    text.push(')');
    text
}

/// A blocking KMS client. Every call releases the GIL while it waits for the network.
#[pyclass(frozen, module = "kmskit")]
pub struct Client {
    shared: Shared,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (*, endpoint=None, region=None, credentials=None, gateway=None, instance_id=None, instance_endpoint=None, client_key=None, route=None, ca_pem=None, ca_file=None, connect_timeout_ms=None, read_timeout_ms=None, max_attempts=None, user_agent_suffix=None, signature_version=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        endpoint: Option<String>,
        region: Option<String>,
        credentials: Option<Bound<'py, PyAny>>,
        gateway: Option<String>,
        instance_id: Option<String>,
        instance_endpoint: Option<String>,
        client_key: Option<Bound<'py, ClientKey>>,
        route: Option<String>,
        ca_pem: Option<Bound<'py, PyAny>>,
        ca_file: Option<PathBuf>,
        connect_timeout_ms: Option<i64>,
        read_timeout_ms: Option<i64>,
        max_attempts: Option<i64>,
        user_agent_suffix: Option<String>,
        signature_version: Option<String>,
    ) -> PyResult<Self> {
        let config = build_config(Options {
            endpoint,
            region,
            credentials,
            gateway,
            instance_id,
            instance_endpoint,
            client_key,
            route,
            ca_pem,
            ca_file,
            connect_timeout_ms,
            read_timeout_ms,
            max_attempts,
            user_agent_suffix,
            signature_version,
            blocking: true,
        })?;
        Ok(Client {
            shared: Shared::new(config)?,
        })
    }

    #[pyo3(signature = (key_id, plaintext, encryption_context=None))]
    fn encrypt(
        &self,
        py: Python<'_>,
        key_id: String,
        plaintext: &[u8],
        encryption_context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<EncryptResponse> {
        let mut req = EncryptRequest::new(key_id, plaintext.to_vec());
        if let Some(ctx) = context(encryption_context)? {
            req = req.encryption_context(ctx);
        }
        block_on(py, &self.shared, |c| async move { c.encrypt(req).await }).map(Into::into)
    }

    #[pyo3(signature = (ciphertext_blob, encryption_context=None))]
    fn decrypt(
        &self,
        py: Python<'_>,
        ciphertext_blob: String,
        encryption_context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<DecryptResponse> {
        let mut req = DecryptRequest::new(ciphertext_blob);
        if let Some(ctx) = context(encryption_context)? {
            req = req.encryption_context(ctx);
        }
        block_on(py, &self.shared, |c| async move { c.decrypt(req).await }).map(Into::into)
    }

    #[pyo3(signature = (key_id, number_of_bytes=None, key_spec=None, encryption_context=None))]
    fn generate_data_key(
        &self,
        py: Python<'_>,
        key_id: String,
        number_of_bytes: Option<i64>,
        key_spec: Option<String>,
        encryption_context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<GenerateDataKeyResponse> {
        let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context)?;
        block_on(py, &self.shared, |c| async move {
            c.generate_data_key(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, number_of_bytes=None, key_spec=None, encryption_context=None))]
    fn generate_data_key_without_plaintext(
        &self,
        py: Python<'_>,
        key_id: String,
        number_of_bytes: Option<i64>,
        key_spec: Option<String>,
        encryption_context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<GenerateDataKeyWithoutPlaintextResponse> {
        let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context)?;
        block_on(py, &self.shared, |c| async move {
            c.generate_data_key_without_plaintext(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (secret_name, version_id=None, version_stage=None, fetch_extended_config=None))]
    fn get_secret_value(
        &self,
        py: Python<'_>,
        secret_name: String,
        version_id: Option<String>,
        version_stage: Option<String>,
        fetch_extended_config: Option<bool>,
    ) -> PyResult<GetSecretValueResponse> {
        let req = secret_request(
            secret_name,
            version_id,
            version_stage,
            fetch_extended_config,
        );
        block_on(py, &self.shared, |c| async move {
            c.get_secret_value(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (action, params=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        action: String,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let p = self::params(params)?;
        let body = block_on(
            py,
            &self.shared,
            |c| async move { c.call(&action, p).await },
        )?;
        object_to_py(py, &body)
    }

    /// The dedicated gateway's Instance API (raises `ConfigurationError` without a ClientKey).
    #[getter]
    fn instance(&self) -> PyResult<InstanceClient> {
        InstanceClient::new(&self.shared)
    }

    /// This client with its data-plane calls routed as `route` says ("auto", "shared" or
    /// "dedicated"); it shares this client's connections.
    fn with_route(&self, route: &str) -> PyResult<Client> {
        Ok(Client {
            shared: self.shared.with_route(parse_route(route)?),
        })
    }

    /// Where data-plane calls go: "auto", "shared" or "dedicated".
    #[getter]
    fn route(&self) -> &'static str {
        route_name(self.shared.route())
    }

    fn __repr__(&self) -> String {
        repr("Client", &self.shared)
    }
}

/// An asyncio KMS client: the same methods as `Client`, each returning an awaitable
/// `asyncio.Future`. Calls run on kmskit's own runtime threads, never on the event loop.
#[pyclass(frozen, module = "kmskit")]
pub struct AsyncClient {
    shared: Shared,
}

#[pymethods]
impl AsyncClient {
    #[new]
    #[pyo3(signature = (*, endpoint=None, region=None, credentials=None, gateway=None, instance_id=None, instance_endpoint=None, client_key=None, route=None, ca_pem=None, ca_file=None, connect_timeout_ms=None, read_timeout_ms=None, max_attempts=None, user_agent_suffix=None, signature_version=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        endpoint: Option<String>,
        region: Option<String>,
        credentials: Option<Bound<'py, PyAny>>,
        gateway: Option<String>,
        instance_id: Option<String>,
        instance_endpoint: Option<String>,
        client_key: Option<Bound<'py, ClientKey>>,
        route: Option<String>,
        ca_pem: Option<Bound<'py, PyAny>>,
        ca_file: Option<PathBuf>,
        connect_timeout_ms: Option<i64>,
        read_timeout_ms: Option<i64>,
        max_attempts: Option<i64>,
        user_agent_suffix: Option<String>,
        signature_version: Option<String>,
    ) -> PyResult<Self> {
        let config = build_config(Options {
            endpoint,
            region,
            credentials,
            gateway,
            instance_id,
            instance_endpoint,
            client_key,
            route,
            ca_pem,
            ca_file,
            connect_timeout_ms,
            read_timeout_ms,
            max_attempts,
            user_agent_suffix,
            signature_version,
            blocking: false,
        })?;
        Ok(AsyncClient {
            shared: Shared::new(config)?,
        })
    }

    #[pyo3(signature = (key_id, plaintext, encryption_context=None))]
    fn encrypt<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        plaintext: &[u8],
        encryption_context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut req = EncryptRequest::new(key_id, plaintext.to_vec());
        if let Some(ctx) = context(encryption_context)? {
            req = req.encryption_context(ctx);
        }
        spawn(
            py,
            &self.shared,
            |c| async move { c.encrypt(req).await },
            EncryptResponse::from,
        )
    }

    #[pyo3(signature = (ciphertext_blob, encryption_context=None))]
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        ciphertext_blob: String,
        encryption_context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut req = DecryptRequest::new(ciphertext_blob);
        if let Some(ctx) = context(encryption_context)? {
            req = req.encryption_context(ctx);
        }
        spawn(
            py,
            &self.shared,
            |c| async move { c.decrypt(req).await },
            DecryptResponse::from,
        )
    }

    #[pyo3(signature = (key_id, number_of_bytes=None, key_spec=None, encryption_context=None))]
    fn generate_data_key<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        number_of_bytes: Option<i64>,
        key_spec: Option<String>,
        encryption_context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context)?;
        spawn(
            py,
            &self.shared,
            |c| async move { c.generate_data_key(req).await },
            GenerateDataKeyResponse::from,
        )
    }

    #[pyo3(signature = (key_id, number_of_bytes=None, key_spec=None, encryption_context=None))]
    fn generate_data_key_without_plaintext<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        number_of_bytes: Option<i64>,
        key_spec: Option<String>,
        encryption_context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context)?;
        spawn(
            py,
            &self.shared,
            |c| async move { c.generate_data_key_without_plaintext(req).await },
            GenerateDataKeyWithoutPlaintextResponse::from,
        )
    }

    #[pyo3(signature = (secret_name, version_id=None, version_stage=None, fetch_extended_config=None))]
    fn get_secret_value<'py>(
        &self,
        py: Python<'py>,
        secret_name: String,
        version_id: Option<String>,
        version_stage: Option<String>,
        fetch_extended_config: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = secret_request(
            secret_name,
            version_id,
            version_stage,
            fetch_extended_config,
        );
        spawn(
            py,
            &self.shared,
            |c| async move { c.get_secret_value(req).await },
            GetSecretValueResponse::from,
        )
    }

    #[pyo3(signature = (action, params=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        action: String,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p = self::params(params)?;
        spawn(
            py,
            &self.shared,
            |c| async move { c.call(&action, p).await },
            JsonObject,
        )
    }

    /// The dedicated gateway's Instance API, with coroutine methods (raises
    /// `ConfigurationError` without a ClientKey).
    #[getter]
    fn instance(&self) -> PyResult<AsyncInstanceClient> {
        AsyncInstanceClient::new(&self.shared)
    }

    /// This client with its data-plane calls routed as `route` says ("auto", "shared" or
    /// "dedicated"); it shares this client's connections.
    fn with_route(&self, route: &str) -> PyResult<AsyncClient> {
        Ok(AsyncClient {
            shared: self.shared.with_route(parse_route(route)?),
        })
    }

    /// Where data-plane calls go: "auto", "shared" or "dedicated".
    #[getter]
    fn route(&self) -> &'static str {
        route_name(self.shared.route())
    }

    fn __repr__(&self) -> String {
        repr("AsyncClient", &self.shared)
    }
}
