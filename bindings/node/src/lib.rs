//! `kmskit-node` is the Node face of kmskit: the native addon inside the npm package `kmskit`
//! (bindings/node). It turns JavaScript arguments into core requests, core results into plain
//! JavaScript objects and core errors into `Error` objects carrying kmskit's code, kind and the
//! service's details (`errors.rs`); the package's `index.js` only re-raises those as `KmsError`
//! classes. Calls return Promises; their futures are polled on the JavaScript thread, and their
//! sockets and timers are watched by that thread's own libuv loop through the core's
//! `LoopDriver` (`uv`), or by one I/O thread where libuv is not Node's (`dispatch`). Everything
//! that knows KMS is in the core crate `kmskit`.

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

/// How this JavaScript thread's calls do their I/O; for the tests (not part of the package's API).
#[napi(object)]
pub struct IoState {
    /// On the loop's own driver (uv.rs); false: on the I/O thread's tokio runtime.
    pub driver: bool,
    /// Connections open or pooled on the driver.
    pub sockets: u32,
}

#[napi(js_name = "__ioState")]
pub fn io_state(env: napi::Env) -> napi::Result<IoState> {
    let driver = sink::sink(&env)?.driver();
    Ok(IoState {
        driver: driver.is_some(),
        sockets: driver.map_or(0, |d| u32::try_from(d.socket_count()).unwrap_or(u32::MAX)),
    })
}

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
