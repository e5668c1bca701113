//! `kmskit.Client` (blocking, the GIL released while it waits) and `kmskit.AsyncClient`
//! (asyncio futures). Both translate arguments, hand them to the core client and translate the
//! answer back; neither knows anything about KMS.

use crate::errors::to_py_err;
use crate::json::{object_from_py, object_to_py, JsonObject};
use crate::runtime::{current_pid, runtime, KmsRuntime};
use crate::types::{
    AccessKey, DecryptResponse, EncryptResponse, GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextResponse, GetSecretValueResponse, StsToken,
};
use kmskit::{
    ClientConfig, DecryptRequest, EncryptRequest, EncryptionContext, GenerateDataKeyRequest,
    GetSecretValueRequest, RetryPolicy,
};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The options every face shares, as Python keyword arguments.
pub(crate) struct Options<'py> {
    endpoint: Option<String>,
    region: Option<String>,
    credentials: Option<Bound<'py, PyAny>>,
    gateway: Option<String>,
    instance_id: Option<String>,
    ca_pem: Option<Bound<'py, PyAny>>,
    ca_file: Option<PathBuf>,
    connect_timeout_ms: Option<i64>,
    read_timeout_ms: Option<i64>,
    max_attempts: Option<i64>,
    user_agent_suffix: Option<String>,
    signature_version: Option<String>,
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
        let credentials = if let Ok(ak) = c.cast::<AccessKey>() {
            ak.get().credentials.clone()
        } else if let Ok(sts) = c.cast::<StsToken>() {
            sts.get().credentials.clone()
        } else {
            return Err(PyTypeError::new_err(
                "credentials must be kmskit.AccessKey or kmskit.StsToken",
            ));
        };
        b = b.credentials(credentials);
    }
    b.build().map_err(to_py_err)
}

/// A core client that is only ever used (and dropped) in the process that made it.
///
/// A core client holds pooled connections registered with the epoll instance of the runtime
/// that opened them; after `fork()` the child shares that epoll instance with the parent, so
/// using or even dropping those connections in the child would disturb the parent. A child
/// therefore gets a fresh core client built from the same configuration, and the inherited one
/// is leaked.
struct ForkLocal {
    pid: u32,
    client: ManuallyDrop<kmskit::Client>,
}

impl Drop for ForkLocal {
    fn drop(&mut self) {
        if self.pid == current_pid() {
            // SAFETY: dropped exactly once, here, in the process that created it.
            unsafe { ManuallyDrop::drop(&mut self.client) }
        }
    }
}

pub(crate) struct Shared {
    config: ClientConfig,
    current: Arc<Mutex<ForkLocal>>,
}

impl Shared {
    fn new(config: ClientConfig) -> PyResult<Self> {
        let client = kmskit::Client::new(config.clone()).map_err(to_py_err)?;
        Ok(Shared {
            config,
            current: Arc::new(Mutex::new(ForkLocal {
                pid: current_pid(),
                client: ManuallyDrop::new(client),
            })),
        })
    }

    fn clone_handle(&self) -> Shared {
        Shared {
            config: self.config.clone(),
            current: Arc::clone(&self.current),
        }
    }

    /// The core client for this process. The lock is held only to compare a pid and clone an
    /// `Arc`, never across I/O.
    fn client(&self) -> Result<kmskit::Client, kmskit::Error> {
        let pid = current_pid();
        let mut guard = self
            .current
            .lock()
            .map_err(|_| kmskit::Error::internal("the client's state is poisoned"))?;
        if guard.pid != pid {
            let fresh = kmskit::Client::new(self.config.clone())?;
            let old = std::mem::replace(
                &mut *guard,
                ForkLocal {
                    pid,
                    client: ManuallyDrop::new(fresh),
                },
            );
            // `old.pid` is the parent's: its Drop leaves the client alone.
            drop(old);
        }
        Ok((*guard.client).clone())
    }
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

/// Runs a core call to completion with the GIL released.
fn block_on<T, F, Fut>(py: Python<'_>, shared: &Shared, call: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(kmskit::Client) -> Fut + Send,
    Fut: Future<Output = Result<T, kmskit::Error>> + Send,
{
    let rt = runtime().map_err(to_py_err)?;
    let client = shared.client().map_err(to_py_err)?;
    py.detach(|| rt.block_on(call(client))).map_err(to_py_err)
}

type Start = Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send>;

/// A call whose arguments are already converted, waiting for its coroutine to be awaited.
/// `AsyncClient` methods return `kmskit._aio.drive(pending)`, a real coroutine, so they work with
/// `asyncio.run`, `create_task` and `gather` alike, and nothing starts until it is awaited.
#[pyclass(frozen, module = "kmskit._kmskit")]
pub struct PendingCall {
    start: Mutex<Option<Start>>,
}

#[pymethods]
impl PendingCall {
    /// Starts the call on kmskit's runtime; returns an asyncio future bound to the running loop.
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let start = self
            .start
            .lock()
            .map_err(|_| to_py_err(kmskit::Error::internal("pending call state is poisoned")))?
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this call was already started"))?;
        start(py)
    }
}

static DRIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Prepares a core call and returns a coroutine that runs it when awaited.
fn spawn<'py, T, R, F, Fut>(
    py: Python<'py>,
    shared: &Shared,
    call: F,
    convert: fn(T) -> R,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    R: for<'a> IntoPyObject<'a> + Send + 'static,
    F: FnOnce(kmskit::Client) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, kmskit::Error>> + Send + 'static,
{
    let shared = shared.clone_handle();
    let start: Start = Box::new(move |py| {
        runtime().map_err(to_py_err)?;
        let client = shared.client().map_err(to_py_err)?;
        let fut = call(client);
        pyo3_async_runtimes::generic::future_into_py::<KmsRuntime, _, R>(py, async move {
            fut.await.map(convert).map_err(to_py_err)
        })
    });
    let pending = Bound::new(
        py,
        PendingCall {
            start: Mutex::new(Some(start)),
        },
    )?;
    let drive = DRIVE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("kmskit._aio")?.getattr("drive")?.unbind())
    })?;
    drive.bind(py).call1((pending,))
}

/// A blocking KMS client. Every call releases the GIL while it waits for the network.
#[pyclass(frozen, module = "kmskit")]
pub struct Client {
    shared: Shared,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (*, endpoint=None, region=None, credentials=None, gateway=None, instance_id=None, ca_pem=None, ca_file=None, connect_timeout_ms=None, read_timeout_ms=None, max_attempts=None, user_agent_suffix=None, signature_version=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        endpoint: Option<String>,
        region: Option<String>,
        credentials: Option<Bound<'py, PyAny>>,
        gateway: Option<String>,
        instance_id: Option<String>,
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
            ca_pem,
            ca_file,
            connect_timeout_ms,
            read_timeout_ms,
            max_attempts,
            user_agent_suffix,
            signature_version,
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

    fn __repr__(&self) -> String {
        format!(
            "Client(endpoint={:?})",
            self.shared.config.endpoint().base_url()
        )
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
    #[pyo3(signature = (*, endpoint=None, region=None, credentials=None, gateway=None, instance_id=None, ca_pem=None, ca_file=None, connect_timeout_ms=None, read_timeout_ms=None, max_attempts=None, user_agent_suffix=None, signature_version=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        endpoint: Option<String>,
        region: Option<String>,
        credentials: Option<Bound<'py, PyAny>>,
        gateway: Option<String>,
        instance_id: Option<String>,
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
            ca_pem,
            ca_file,
            connect_timeout_ms,
            read_timeout_ms,
            max_attempts,
            user_agent_suffix,
            signature_version,
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

    fn __repr__(&self) -> String {
        format!(
            "AsyncClient(endpoint={:?})",
            self.shared.config.endpoint().base_url()
        )
    }
}
