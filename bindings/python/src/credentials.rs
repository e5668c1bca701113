//! The credentials a Python caller can hand to a client: the static `AccessKey` and `StsToken`
//! (in `types.rs`), one class per core provider (ECS RAM role, RAM role ARN, OIDC, credentials
//! URI, CLI profile, ini profile, default chain), and any Python callable.
//!
//! Every refreshing provider keeps pooled connections and a cache guarded by locks, and none of
//! them may be used (or dropped) in a child after `fork()`: [`ForkAware`] rebuilds the provider
//! from its options the first time a child asks it for credentials, and leaks the parent's.

use crate::errors::to_py_err;
use crate::runtime::{current_pid, KmsRuntime};
use crate::types::{AccessKey, StsToken};
use kmskit::credentials::{
    BoxFuture, CliProfileOptions, CliProfileProvider, DefaultChain, DefaultChainOptions,
    EcsRamRoleOptions, EcsRamRoleProvider, Env, FnProvider, IniProfileOptions, IniProfileProvider,
    OidcRoleArnOptions, OidcRoleArnProvider, RamRoleArnOptions, RamRoleArnProvider, UriOptions,
    UriProvider,
};
use kmskit::{Credentials, CredentialsProvider, ErrorCode, StaticProvider};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::ContextExt;
use pyo3_async_runtimes::TaskLocals;
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

type Provider = Arc<dyn CredentialsProvider>;
type Factory = Box<dyn Fn() -> kmskit::Result<Provider> + Send + Sync>;

struct Slot {
    pid: u32,
    provider: ManuallyDrop<Provider>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.pid == current_pid() {
            // SAFETY: dropped exactly once, here, in the process that built it.
            unsafe { ManuallyDrop::drop(&mut self.provider) }
        }
    }
}

/// A provider that is only ever used (and dropped) in the process that built it.
pub(crate) struct ForkAware {
    name: &'static str,
    factory: Factory,
    slot: Mutex<Slot>,
}

impl fmt::Debug for ForkAware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl ForkAware {
    /// Builds the provider now, so option mistakes are raised by the constructor.
    fn build(name: &'static str, factory: Factory) -> PyResult<Provider> {
        let provider = factory().map_err(to_py_err)?;
        Ok(Arc::new(ForkAware {
            name,
            factory,
            slot: Mutex::new(Slot {
                pid: current_pid(),
                provider: ManuallyDrop::new(provider),
            }),
        }))
    }

    /// The provider of this process; the lock is held only to compare a pid and clone an `Arc`.
    fn current(&self) -> kmskit::Result<Provider> {
        let pid = current_pid();
        let mut slot = self
            .slot
            .lock()
            .map_err(|_| kmskit::Error::internal("the credentials provider's state is poisoned"))?;
        if slot.pid != pid {
            let fresh = (self.factory)()?;
            // The old slot carries the parent's pid: its Drop leaves the provider alone.
            *slot = Slot {
                pid,
                provider: ManuallyDrop::new(fresh),
            };
        }
        Ok(Arc::clone(&slot.provider))
    }
}

impl CredentialsProvider for ForkAware {
    fn credentials(&self) -> BoxFuture<'_, kmskit::Result<Credentials>> {
        let provider = self.current();
        Box::pin(async move { provider?.credentials().await })
    }
}

fn path_string(p: Option<PathBuf>) -> Option<String> {
    p.map(|p| p.to_string_lossy().into_owned())
}

fn credentials_error(message: impl Into<String>) -> kmskit::Error {
    kmskit::Error::new(ErrorCode::CredentialsUnavailable, message)
}

/// The exception a credentials callable raised, by type and message, as a credentials error.
fn describe(py: Python<'_>, err: &PyErr) -> kmskit::Error {
    let kind = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".to_owned());
    let text = err
        .value(py)
        .str()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let text: String = text.chars().take(500).collect();
    credentials_error(format!("the credentials callable raised {kind}: {text}"))
}

fn returned_credentials(obj: &Bound<'_, PyAny>) -> Option<Credentials> {
    if let Ok(ak) = obj.cast::<AccessKey>() {
        Some(ak.get().credentials.clone())
    } else if let Ok(sts) = obj.cast::<StsToken>() {
        Some(sts.get().credentials.clone())
    } else {
        None
    }
}

fn from_returned(obj: &Bound<'_, PyAny>) -> kmskit::Result<Credentials> {
    returned_credentials(obj)
        .map(|c| c.with_provider_name("python_callable"))
        .ok_or_else(|| {
            let name = obj
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            credentials_error(format!(
                "the credentials callable must return kmskit.AccessKey or kmskit.StsToken, not {name}"
            ))
        })
}

type Awaiting = Pin<Box<dyn Future<Output = PyResult<Py<PyAny>>> + Send>>;

enum Step {
    Ready(Credentials),
    Awaiting(Awaiting),
}

/// Calls the callable (GIL taken on the blocking thread running this). An awaitable result is
/// handed to the event loop of the `AsyncClient` call that asked, when there is one.
fn first_step(
    py: Python<'_>,
    func: &Py<PyAny>,
    locals: Option<TaskLocals>,
) -> kmskit::Result<Step> {
    let out = func.bind(py).call0().map_err(|e| describe(py, &e))?;
    if returned_credentials(&out).is_none() && out.hasattr("__await__").unwrap_or(false) {
        let Some(locals) = locals else {
            // Closing it spares the caller Python's "coroutine was never awaited" warning.
            if out.hasattr("close").unwrap_or(false) {
                let _ = out.call_method0("close");
            }
            return Err(credentials_error(
                "the credentials callable returned an awaitable: async callables work only with kmskit.AsyncClient",
            ));
        };
        let fut = pyo3_async_runtimes::into_future_with_locals(&locals, out)
            .map_err(|e| describe(py, &e))?;
        return Ok(Step::Awaiting(Box::pin(fut)));
    }
    from_returned(&out).map(Step::Ready)
}

fn join_error(e: tokio::task::JoinError) -> kmskit::Error {
    credentials_error(format!("the credentials callable did not complete: {e}"))
}

/// One call of a Python credentials callable, never holding the GIL on a runtime worker.
async fn call_python(
    func: Arc<Py<PyAny>>,
    locals: Option<TaskLocals>,
) -> kmskit::Result<Credentials> {
    let step =
        tokio::task::spawn_blocking(move || Python::attach(|py| first_step(py, &func, locals)))
            .await
            .map_err(join_error)??;
    match step {
        Step::Ready(c) => Ok(c),
        Step::Awaiting(fut) => {
            let outcome = fut.await;
            tokio::task::spawn_blocking(move || {
                Python::attach(|py| match outcome {
                    Ok(obj) => from_returned(obj.bind(py)),
                    Err(e) => Err(describe(py, &e)),
                })
            })
            .await
            .map_err(join_error)?
        }
    }
}

fn callable_provider(func: Arc<Py<PyAny>>) -> Provider {
    Arc::new(FnProvider::new(move || {
        // Read here, synchronously inside the caller's task: an AsyncClient call carries its
        // event loop in a task local, a blocking Client call carries none.
        let locals = KmsRuntime::get_task_locals();
        call_python(Arc::clone(&func), locals)
    }))
}

fn is_coroutine_function(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let inspect = obj.py().import("inspect")?;
    let direct: bool = inspect
        .call_method1("iscoroutinefunction", (obj,))?
        .extract()?;
    if direct {
        return Ok(true);
    }
    match obj.getattr("__call__") {
        Ok(call) => inspect
            .call_method1("iscoroutinefunction", (call,))?
            .extract(),
        Err(_) => Ok(false),
    }
}

/// Any credentials object of this face as a core provider. `blocking` is true for `Client`,
/// which has no event loop to run an `async def` on.
pub(crate) fn provider_from_py(obj: &Bound<'_, PyAny>, blocking: bool) -> PyResult<Provider> {
    if let Some(c) = returned_credentials(obj) {
        return Ok(Arc::new(StaticProvider::new(c)));
    }
    macro_rules! providers {
        ($($t:ty),*) => {$(
            if let Ok(p) = obj.cast::<$t>() {
                return Ok(Arc::clone(&p.get().provider));
            }
        )*};
    }
    providers!(
        EcsRamRole,
        RamRoleArn,
        OidcRoleArn,
        CredentialsUri,
        CliProfile,
        IniProfile,
        DefaultChainCredentials
    );
    if obj.is_callable() {
        if blocking && is_coroutine_function(obj)? {
            return Err(PyTypeError::new_err(
                "kmskit.Client needs a synchronous credentials callable; use kmskit.AsyncClient for an async one",
            ));
        }
        let func = Arc::new(obj.clone().unbind());
        return ForkAware::build(
            "python_callable",
            Box::new(move || Ok(callable_provider(Arc::clone(&func)))),
        );
    }
    Err(PyTypeError::new_err(
        "credentials must be kmskit.AccessKey, kmskit.StsToken, a kmskit credentials provider \
         (EcsRamRole, RamRoleArn, OidcRoleArn, CredentialsUri, CliProfile, IniProfile, DefaultChain) \
         or a callable returning AccessKey or StsToken",
    ))
}

fn quoted(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "None".to_owned(),
    }
}

/// Credentials of the ECS instance's RAM role, from the metadata service (IMDSv2 first).
#[pyclass(frozen, module = "kmskit")]
pub struct EcsRamRole {
    provider: Provider,
    repr: String,
}

#[pymethods]
impl EcsRamRole {
    #[new]
    #[pyo3(signature = (role_name=None, *, metadata_endpoint=None, disable_imds_v1=None))]
    fn new(
        role_name: Option<String>,
        metadata_endpoint: Option<String>,
        disable_imds_v1: Option<bool>,
    ) -> PyResult<Self> {
        let repr = format!(
            "EcsRamRole(role_name={}, metadata_endpoint={})",
            quoted(&role_name),
            quoted(&metadata_endpoint)
        );
        let options = EcsRamRoleOptions {
            role_name,
            metadata_endpoint,
            disable_imds_v1,
            ..EcsRamRoleOptions::default()
        };
        let provider = ForkAware::build(
            "ecs_ram_role",
            Box::new(move || Ok(Arc::new(EcsRamRoleProvider::new(options.clone())?) as Provider)),
        )?;
        Ok(EcsRamRole { provider, repr })
    }
    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// Credentials of a RAM role assumed with STS AssumeRole, signed with the `source` credentials.
#[pyclass(frozen, module = "kmskit")]
pub struct RamRoleArn {
    provider: Provider,
    repr: String,
}

#[pymethods]
impl RamRoleArn {
    #[new]
    #[pyo3(signature = (source, role_arn=None, *, role_session_name=None, duration_seconds=None, policy=None, external_id=None, sts_region=None, sts_endpoint=None, enable_vpc=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        source: &Bound<'_, PyAny>,
        role_arn: Option<String>,
        role_session_name: Option<String>,
        duration_seconds: Option<u64>,
        policy: Option<String>,
        external_id: Option<String>,
        sts_region: Option<String>,
        sts_endpoint: Option<String>,
        enable_vpc: Option<bool>,
    ) -> PyResult<Self> {
        let source_provider = provider_from_py(source, false)?;
        let repr = format!(
            "RamRoleArn(role_arn={}, role_session_name={}, source={})",
            quoted(&role_arn),
            quoted(&role_session_name),
            source.repr()?
        );
        let options = RamRoleArnOptions {
            role_arn,
            role_session_name,
            duration_seconds,
            policy,
            external_id,
            sts_region,
            sts_endpoint,
            enable_vpc,
            ..RamRoleArnOptions::default()
        };
        let provider = ForkAware::build(
            "ram_role_arn",
            Box::new(move || {
                Ok(Arc::new(RamRoleArnProvider::new(
                    Arc::clone(&source_provider),
                    options.clone(),
                )?) as Provider)
            }),
        )?;
        Ok(RamRoleArn { provider, repr })
    }
    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// Credentials of a RAM role assumed with STS AssumeRoleWithOIDC (e.g. ACK RRSA).
#[pyclass(frozen, module = "kmskit")]
pub struct OidcRoleArn {
    provider: Provider,
    repr: String,
}

#[pymethods]
impl OidcRoleArn {
    #[new]
    #[pyo3(signature = (*, role_arn=None, oidc_provider_arn=None, oidc_token_file=None, role_session_name=None, duration_seconds=None, policy=None, sts_region=None, sts_endpoint=None, enable_vpc=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        role_arn: Option<String>,
        oidc_provider_arn: Option<String>,
        oidc_token_file: Option<PathBuf>,
        role_session_name: Option<String>,
        duration_seconds: Option<u64>,
        policy: Option<String>,
        sts_region: Option<String>,
        sts_endpoint: Option<String>,
        enable_vpc: Option<bool>,
    ) -> PyResult<Self> {
        let options = OidcRoleArnOptions {
            role_arn,
            oidc_provider_arn,
            oidc_token_file: path_string(oidc_token_file),
            role_session_name,
            duration_seconds,
            policy,
            sts_region,
            sts_endpoint,
            enable_vpc,
            ..OidcRoleArnOptions::default()
        };
        let repr = format!(
            "OidcRoleArn(role_arn={}, oidc_provider_arn={})",
            quoted(&options.role_arn),
            quoted(&options.oidc_provider_arn)
        );
        let provider = ForkAware::build(
            "oidc_role_arn",
            Box::new(move || Ok(Arc::new(OidcRoleArnProvider::new(options.clone())?) as Provider)),
        )?;
        Ok(OidcRoleArn { provider, repr })
    }
    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// Credentials served as JSON by a URL (the `credentials_uri` protocol).
#[pyclass(frozen, module = "kmskit")]
pub struct CredentialsUri {
    provider: Provider,
    repr: String,
}

#[pymethods]
impl CredentialsUri {
    #[new]
    fn new(uri: String) -> PyResult<Self> {
        // The URI may carry a token in its query: the repr shows scheme and authority only.
        let shown = uri.split(['?', '#']).next().unwrap_or_default().to_owned();
        let repr = format!("CredentialsUri({shown:?})");
        let options = UriOptions {
            uri,
            ..UriOptions::default()
        };
        let provider = ForkAware::build(
            "credentials_uri",
            Box::new(move || Ok(Arc::new(UriProvider::new(options.clone())?) as Provider)),
        )?;
        Ok(CredentialsUri { provider, repr })
    }
    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// A profile of the Alibaba Cloud CLI's `~/.aliyun/config.json`.
#[pyclass(frozen, module = "kmskit")]
pub struct CliProfile {
    provider: Provider,
    repr: String,
}

#[pymethods]
impl CliProfile {
    #[new]
    #[pyo3(signature = (profile_name=None, *, config_file=None, sts_endpoint=None, metadata_endpoint=None))]
    fn new(
        profile_name: Option<String>,
        config_file: Option<PathBuf>,
        sts_endpoint: Option<String>,
        metadata_endpoint: Option<String>,
    ) -> PyResult<Self> {
        let options = CliProfileOptions {
            profile_name,
            config_file: path_string(config_file),
            sts_endpoint,
            metadata_endpoint,
        };
        let repr = format!(
            "CliProfile(profile_name={}, config_file={})",
            quoted(&options.profile_name),
            quoted(&options.config_file)
        );
        let provider = ForkAware::build(
            "cli_profile",
            Box::new(move || Ok(Arc::new(CliProfileProvider::new(options.clone())) as Provider)),
        )?;
        Ok(CliProfile { provider, repr })
    }
    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// A section of the credentials ini file (`~/.alibabacloud/credentials.ini`).
#[pyclass(frozen, module = "kmskit")]
pub struct IniProfile {
    provider: Provider,
    repr: String,
}

#[pymethods]
impl IniProfile {
    #[new]
    #[pyo3(signature = (profile_name=None, *, credentials_file=None, sts_endpoint=None, metadata_endpoint=None))]
    fn new(
        profile_name: Option<String>,
        credentials_file: Option<PathBuf>,
        sts_endpoint: Option<String>,
        metadata_endpoint: Option<String>,
    ) -> PyResult<Self> {
        let options = IniProfileOptions {
            profile_name,
            credentials_file: path_string(credentials_file),
            sts_endpoint,
            metadata_endpoint,
        };
        let repr = format!(
            "IniProfile(profile_name={}, credentials_file={})",
            quoted(&options.profile_name),
            quoted(&options.credentials_file)
        );
        let provider = ForkAware::build(
            "ini_profile",
            Box::new(move || Ok(Arc::new(IniProfileProvider::new(options.clone())) as Provider)),
        )?;
        Ok(IniProfile { provider, repr })
    }
    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// The default credentials chain (what a client uses when given no credentials): environment,
/// OIDC, CLI profile, ini profile, ECS RAM role, credentials URI.
#[pyclass(frozen, module = "kmskit", name = "DefaultChain")]
pub struct DefaultChainCredentials {
    provider: Provider,
    repr: String,
}

#[pymethods]
impl DefaultChainCredentials {
    #[new]
    #[pyo3(signature = (*, sts_endpoint=None, metadata_endpoint=None))]
    fn new(sts_endpoint: Option<String>, metadata_endpoint: Option<String>) -> PyResult<Self> {
        let options = DefaultChainOptions {
            sts_endpoint,
            metadata_endpoint,
        };
        let repr = format!(
            "DefaultChain(sts_endpoint={}, metadata_endpoint={})",
            quoted(&options.sts_endpoint),
            quoted(&options.metadata_endpoint)
        );
        let provider = ForkAware::build(
            "default",
            Box::new(move || {
                Ok(Arc::new(DefaultChain::with_env(options.clone(), &Env::system())) as Provider)
            }),
        )?;
        Ok(DefaultChainCredentials { provider, repr })
    }
    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// The core's credentials sources (the parity test checks that each has a class here).
#[pyfunction]
pub(crate) fn credentials_types() -> Vec<&'static str> {
    kmskit::credentials::SOURCES.to_vec()
}
