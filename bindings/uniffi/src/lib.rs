//! `kmskit-uniffi` is the Kotlin and Swift face of kmskit. It exports the core client through
//! UniFFI (proc-macro mode): [`KmsClient`] built from a [`ClientOptions`] record, async methods
//! that become Kotlin `suspend` and Swift `async` functions, result records, and one error enum,
//! [`KmsException`], with a variant per error kind; [`Credentials`] (every core provider, and
//! [`CredentialsProvider`], a Kotlin/Swift provider with an async method); [`ClientKey`] and
//! [`InstanceClient`], the dedicated gateway's Instance API. Nothing here knows KMS: every call converts
//! its arguments, runs the core's future on this crate's own tokio runtime and converts back.
//! The bindings are generated from the compiled library by `bindings/uniffi-bindgen`.

mod client;
mod clientkey;
mod credentials;
mod error;
mod instance;
mod instance_results;
mod options;
mod runtime;

pub use client::{
    DecryptResult, EncryptResult, GenerateDataKeyResult, GenerateDataKeyWithoutPlaintextResult,
    KmsClient, SecretValue,
};
pub use clientkey::ClientKey;
pub use credentials::{CredentialValue, Credentials, CredentialsProvider, CREDENTIALS_TYPES};
pub use error::KmsException;
pub use instance::InstanceClient;
pub use instance_results::*;
pub use options::ClientOptions;

uniffi::setup_scaffolding!("kmskit");

/// The version of the kmskit library (the same for every face).
#[uniffi::export]
pub fn version() -> String {
    kmskit::VERSION.to_string()
}

/// The operations of the core client, by their core (snake_case) names. Each one is a
/// camelCase method of `KmsClient`; the parity tests check that.
#[uniffi::export]
pub fn core_operations() -> Vec<String> {
    kmskit::OPERATIONS.iter().map(|s| s.to_string()).collect()
}

/// The Instance API operations of the core (`kmskit::instance_api::INSTANCE_OPERATIONS`, API
/// names); each one is a camelCase method of `InstanceClient`; the parity tests check that.
#[uniffi::export]
pub fn instance_operations() -> Vec<String> {
    kmskit::instance_api::INSTANCE_OPERATIONS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The kinds of credentials this face constructs: the variants of `Credentials`.
#[uniffi::export]
pub fn credentials_types() -> Vec<String> {
    // Core's list of sources first, then the variants only this face has.
    let mut names: Vec<String> = kmskit::credentials::SOURCES
        .iter()
        .map(|s| s.to_string())
        .collect();
    for extra in CREDENTIALS_TYPES {
        if !names.iter().any(|n| n == extra) {
            names.push(extra.to_string());
        }
    }
    names
}
