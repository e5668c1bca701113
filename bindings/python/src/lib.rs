//! `kmskit-python` is the Python face of kmskit: the native module `kmskit._kmskit` inside the
//! Python package `kmskit` (python/kmskit/). It translates Python arguments into core requests,
//! core results into frozen Python objects and core errors into the exception classes of
//! `kmskit._errors`, and it owns the tokio runtime the calls run on (fork-aware, see
//! `runtime.rs`). Blocking calls release the GIL while they wait; async calls return asyncio
//! futures. Everything that knows KMS is in the core crate `kmskit`.

mod call;
mod client;
mod clientkey;
mod credentials;
mod errors;
mod instance;
mod instance_async;
mod instance_types;
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
    m.add_function(wrap_pyfunction!(instance::core_instance_operations, m)?)?;
    m.add_function(wrap_pyfunction!(credentials::credentials_types, m)?)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<call::PendingCall>()?;
    m.add_class::<types::AccessKey>()?;
    m.add_class::<types::StsToken>()?;
    m.add_class::<credentials::EcsRamRole>()?;
    m.add_class::<credentials::RamRoleArn>()?;
    m.add_class::<credentials::OidcRoleArn>()?;
    m.add_class::<credentials::CredentialsUri>()?;
    m.add_class::<credentials::CliProfile>()?;
    m.add_class::<credentials::IniProfile>()?;
    m.add_class::<credentials::DefaultChainCredentials>()?;
    m.add_class::<clientkey::ClientKey>()?;
    m.add_class::<instance::InstanceClient>()?;
    m.add_class::<instance::AsyncInstanceClient>()?;
    m.add_class::<instance_types::InstanceEncryptResponse>()?;
    m.add_class::<instance_types::AdvanceEncryptResponse>()?;
    m.add_class::<instance_types::InstanceDecryptResponse>()?;
    m.add_class::<instance_types::SignResponse>()?;
    m.add_class::<instance_types::VerifyResponse>()?;
    m.add_class::<instance_types::GenerateRandomResponse>()?;
    m.add_class::<instance_types::InstanceGenerateDataKeyResponse>()?;
    m.add_class::<instance_types::GenerateDataKeyPairResponse>()?;
    m.add_class::<instance_types::GenerateDataKeyPairWithoutPlaintextResponse>()?;
    m.add_class::<instance_types::GetPublicKeyResponse>()?;
    m.add_class::<instance_types::InstanceGetSecretValueResponse>()?;
    m.add_class::<types::EncryptResponse>()?;
    m.add_class::<types::DecryptResponse>()?;
    m.add_class::<types::GenerateDataKeyResponse>()?;
    m.add_class::<types::GenerateDataKeyWithoutPlaintextResponse>()?;
    m.add_class::<types::GetSecretValueResponse>()?;
    Ok(())
}
