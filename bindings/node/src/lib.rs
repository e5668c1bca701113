//! `kmskit-node` is the Node face of kmskit: the native addon inside the npm package `kmskit`
//! (bindings/node). It turns JavaScript arguments into core requests, core results into plain
//! JavaScript objects and core errors into `Error` objects carrying kmskit's code, kind and the
//! service's details (`errors.rs`); the package's `index.js` only re-raises those as `KmsError`
//! classes. Calls run on one tokio runtime, handed to napi once at load (`runtime`), and return
//! Promises. Everything that knows KMS is in the core crate `kmskit`.

mod client;
mod errors;
mod json;
mod types;

use napi_derive::napi;

/// The names of the client operations of the core (`kmskit::OPERATIONS`, snake_case); each is a
/// camelCase method of `Client`.
#[napi]
pub fn core_operations() -> Vec<&'static str> {
    kmskit::OPERATIONS.to_vec()
}

/// The version of kmskit (the core and this package share one version).
#[napi]
pub fn version() -> &'static str {
    kmskit::VERSION
}

/// One runtime for every call of the process, configured when Node loads the addon: two
/// workers (the calls are I/O; the work per call is small), named so they are recognisable in a
/// thread dump. napi drives Promises from it and shuts it down when the Node environment goes
/// away; its threads are not libuv handles, so they never keep the process alive.
#[napi_derive::module_init]
fn runtime() {
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kmskit-rt")
        .enable_all()
        .build();
    // Should the build fail (no threads to spare), napi's own default runtime is used instead.
    if let Ok(rt) = built {
        napi::bindgen_prelude::create_custom_tokio_runtime(rt);
    }
}
