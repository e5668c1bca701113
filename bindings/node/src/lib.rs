//! `kmskit-node` is the Node face of kmskit: the native addon inside the npm package `kmskit`
//! (bindings/node). It turns JavaScript arguments into core requests, core results into plain
//! JavaScript objects and core errors into `Error` objects carrying kmskit's code, kind and the
//! service's details (`errors.rs`); the package's `index.js` only re-raises those as `KmsError`
//! classes. Calls return Promises; their futures are polled on the JavaScript thread while one
//! I/O thread waits on their sockets and timers (`dispatch`). Everything that knows KMS is in the
//! core crate `kmskit`.

mod client;
mod clientkey;
mod credentials;
mod dispatch;
mod errors;
mod instance;
mod instance_types;
mod json;
mod options;
mod sink;
mod types;
mod uv;

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
