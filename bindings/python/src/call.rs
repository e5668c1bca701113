//! How a Python call reaches the core: [`Shared`] holds the configuration and the core client
//! of this process (rebuilt after `fork()`), [`block_on`] runs a call with the GIL released,
//! and [`spawn`] turns one into a coroutine for `AsyncClient`.

use crate::errors::to_py_err;
use crate::runtime::{current_pid, runtime, KmsRuntime};
use kmskit::{ClientConfig, Route};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::sync::{Arc, Mutex};

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
    pub(crate) config: ClientConfig,
    current: Arc<Mutex<ForkLocal>>,
    /// Set on the views `with_route` makes; `None` keeps the configured route.
    route: Option<Route>,
}

impl Shared {
    pub(crate) fn new(config: ClientConfig) -> PyResult<Self> {
        let client = kmskit::Client::new(config.clone()).map_err(to_py_err)?;
        Ok(Shared {
            config,
            current: Arc::new(Mutex::new(ForkLocal {
                pid: current_pid(),
                client: ManuallyDrop::new(client),
            })),
            route: None,
        })
    }

    pub(crate) fn clone_handle(&self) -> Shared {
        Shared {
            config: self.config.clone(),
            current: Arc::clone(&self.current),
            route: self.route,
        }
    }

    /// A view of the same client (same connections) whose data-plane calls go as `route` says.
    pub(crate) fn with_route(&self, route: Route) -> Shared {
        Shared {
            route: Some(route),
            ..self.clone_handle()
        }
    }

    pub(crate) fn route(&self) -> Route {
        self.route.unwrap_or_else(|| self.config.route())
    }

    /// The core client for this process. The lock is held only to compare a pid and clone an
    /// `Arc`, never across I/O.
    pub(crate) fn client(&self) -> Result<kmskit::Client, kmskit::Error> {
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
        Ok(match self.route {
            Some(route) => guard.client.with_route(route),
            None => (*guard.client).clone(),
        })
    }
}

/// Runs a core call to completion with the GIL released.
pub(crate) fn block_on<T, F, Fut>(py: Python<'_>, shared: &Shared, call: F) -> PyResult<T>
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
pub(crate) fn spawn<'py, T, R, F, Fut>(
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
