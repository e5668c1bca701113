//! The one mapping from a `kmskit::Error` to a JavaScript value: an `Error` whose `message` is
//! the core's description and whose properties carry everything else. `code` is the stable name
//! of kmskit's error code (`'ResourceNotFound'`), in the way Node's own errors carry `'ENOENT'`;
//! the number is `kmsCode`. The package's `index.js` re-raises it as the `KmsError` subclass of
//! its `kind`; nothing here depends on that.
//!
//! The object is made on the JavaScript thread (Promise settlement or a synchronous throw) and
//! handed to napi as a reference, so napi rejects or throws this very object.

use napi::bindgen_prelude::{Null, Object};
use napi::{Env, JsValue, Status};

/// A JavaScript error for `err`, as a napi error that settles to exactly that object. Should
/// the object itself not be makeable, a plain napi error with the same message is the answer.
pub(crate) fn to_js_error(env: &Env, err: &kmskit::Error) -> napi::Error {
    match build(env, err) {
        Ok(object) => napi::Error::from(object.to_unknown()),
        Err(_) => napi::Error::new(Status::GenericFailure, err.to_string()),
    }
}

fn build<'env>(env: &'env Env, err: &kmskit::Error) -> napi::Result<Object<'env>> {
    let code = err.code();
    let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, err.to_string()))?;
    obj.set("code", code.name())?;
    obj.set("kmsCode", code.as_u32())?;
    obj.set("kind", err.kind().as_str())?;
    set_opt(&mut obj, "serviceCode", err.service_code())?;
    set_opt(&mut obj, "requestId", err.request_id())?;
    match err.http_status() {
        Some(status) => obj.set("httpStatus", u32::from(status))?,
        None => obj.set("httpStatus", Null)?,
    }
    obj.set("retryable", err.is_retryable())?;
    set_opt(&mut obj, "hostId", err.host_id())?;
    set_opt(&mut obj, "recommend", err.recommend())?;
    match err.retry_after_ms() {
        // A delay beyond 2^53 ms is not a real one; f64 keeps it a number either way.
        Some(ms) => obj.set("retryAfterMs", ms as f64)?,
        None => obj.set("retryAfterMs", Null)?,
    }
    Ok(obj)
}

fn set_opt(obj: &mut Object<'_>, name: &str, value: Option<&str>) -> napi::Result<()> {
    match value {
        Some(v) => obj.set(name, v),
        None => obj.set(name, Null),
    }
}
