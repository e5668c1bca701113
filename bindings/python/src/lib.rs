//! `kmskit-python` is the Python face of kmskit: the native module `kmskit._kmskit` inside the
//! Python package `kmskit` (python/kmskit/). It translates Python arguments into core requests,
//! core results into frozen Python objects and core errors into the exception classes of
//! `kmskit._errors`, and it owns the tokio runtime the calls run on (fork-aware, see
//! `runtime.rs`). Blocking calls release the GIL while they wait; async calls return asyncio
//! futures. Everything that knows KMS is in the core crate `kmskit`.

mod client;
mod errors;
mod json;
mod runtime;
mod types;

use pyo3::prelude::*;

/// The names of the client operations of the core (`kmskit::OPERATIONS`); every one is a method
/// of `Client` and of `AsyncClient`.
#[pyfunction]
fn core_operations() -> Vec<&'static str> {
    kmskit::OPERATIONS.to_vec()
}

#[pymodule]
fn _kmskit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", kmskit::VERSION)?;
    m.add_function(wrap_pyfunction!(core_operations, m)?)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<client::PendingCall>()?;
    m.add_class::<types::AccessKey>()?;
    m.add_class::<types::StsToken>()?;
    m.add_class::<types::EncryptResponse>()?;
    m.add_class::<types::DecryptResponse>()?;
    m.add_class::<types::GenerateDataKeyResponse>()?;
    m.add_class::<types::GenerateDataKeyWithoutPlaintextResponse>()?;
    m.add_class::<types::GetSecretValueResponse>()?;
    Ok(())
}
