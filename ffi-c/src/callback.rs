//! Credentials from a C callback. The core calls it through `FnProvider` (cached: one call in
//! flight per provider; credentials with an expiration are refreshed ahead of it, those
//! without one are asked for again every 15 minutes). The callback runs on a blocking thread
//! of the library's runtime (`spawn_blocking`), never on an async worker and with no lock held,
//! so a slow callback delays only the requests waiting for credentials. It fills an opaque
//! sink through setter functions (no public struct). Its userdata is released exactly once, by
//! `userdata_free`, when the last handle, builder or client using the provider is freed.

use crate::boundary::{arg_mut, arg_str, check_out, give, run};
use crate::credentials::{kmskit_credentials, Shared};
use crate::error::{kmskit_error, kmskit_result, KMSKIT_RESULT_OK};
use kmskit_core::credentials::FnProvider;
use kmskit_core::{Credentials, CredentialsProvider, Error, ErrorCode, Result, SecretString};
use std::ffi::{c_char, c_void};
use std::ptr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where a credentials callback puts what it found. Valid only during the callback; use it
/// from the callback's thread only.
#[derive(Default)]
pub struct kmskit_credentials_sink {
    access_key_id: Option<String>,
    access_key_secret: Option<SecretString>,
    security_token: Option<SecretString>,
    expiration: Option<SystemTime>,
    error_message: Option<String>,
}

/// A credentials callback: fills `sink` (kmskit_credentials_sink_set_access_key, and
/// optionally _set_security_token and _set_expiration) and returns KMSKIT_RESULT_OK, or
/// returns any other number to fail (optionally after kmskit_credentials_sink_set_error). It
/// runs on a kmskit thread, not the caller's; it must not call kmskit's blocking functions
/// (they refuse with 1001 there).
pub type kmskit_credentials_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        sink: *mut kmskit_credentials_sink,
    ) -> kmskit_result,
>;

/// Releases a callback's userdata (called exactly once, from whichever thread frees the last
/// user of the provider).
pub type kmskit_userdata_free = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

struct Callback {
    /// Checked non-NULL by kmskit_credentials_callback_new before any call.
    f: kmskit_credentials_callback,
    userdata: *mut c_void,
    free: kmskit_userdata_free,
}

// SAFETY: the C contract of kmskit_credentials_callback_new: the callback and its userdata may
// be used from any thread (one call at a time per provider, enforced by FnProvider's single
// flight), and userdata_free may run on any thread.
unsafe impl Send for Callback {}
// SAFETY: as above.
unsafe impl Sync for Callback {}

impl Drop for Callback {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            // SAFETY: the userdata is released exactly once, here, per the C contract.
            unsafe { free(self.userdata) };
        }
    }
}

impl Callback {
    /// One call of the C function (on a blocking thread).
    fn invoke(&self) -> Result<Credentials> {
        let f = self
            .f
            .ok_or_else(|| Error::invalid_argument("callback is NULL"))?;
        let mut sink = kmskit_credentials_sink::default();
        // SAFETY: the function pointer and userdata come from the C caller, who promised they
        // stay valid until userdata_free; `sink` lives across the call.
        let rc = unsafe { f(self.userdata, &mut sink) };
        if rc != KMSKIT_RESULT_OK {
            let mut message = format!("the credentials callback failed (it returned {rc})");
            if let Some(m) = sink.error_message.as_deref() {
                message.push_str(": ");
                message.push_str(m);
            }
            return Err(Error::new(ErrorCode::CredentialsUnavailable, message));
        }
        let (Some(id), Some(secret)) = (sink.access_key_id.take(), sink.access_key_secret.take())
        else {
            return Err(Error::new(
                ErrorCode::CredentialsUnavailable,
                "the credentials callback returned OK without setting an access key",
            ));
        };
        let creds = match sink.security_token.take() {
            Some(token) => Credentials::sts(id, secret, token, sink.expiration)?,
            None => match sink.expiration {
                // An expiring AccessKey pair is an STS-like session without a token: refused,
                // since the core's STS credentials need one.
                Some(_) => {
                    return Err(Error::new(
                        ErrorCode::CredentialsUnavailable,
                        "the credentials callback set an expiration without a security token",
                    ))
                }
                None => Credentials::access_key(id, secret)?,
            },
        };
        Ok(creds.with_provider_name("callback"))
    }
}

fn provider(cb: Arc<Callback>) -> Arc<dyn CredentialsProvider> {
    Arc::new(FnProvider::new(move || {
        let cb = cb.clone();
        async move {
            tokio::task::spawn_blocking(move || cb.invoke())
                .await
                .map_err(|e| {
                    Error::new(
                        ErrorCode::CredentialsUnavailable,
                        format!("the credentials callback did not complete: {e}"),
                    )
                })?
        }
    }))
}

/// Credentials from `callback(userdata, sink)`, cached by kmskit (see
/// kmskit_credentials_callback). `userdata_free` (may be NULL) is called exactly once with
/// `userdata`, when the last user of the provider is freed, or before this function returns
/// when it fails (kmskit owns the userdata either way). A failing callback makes the call fail with 1201
/// CredentialsUnavailable (message: the result and the sink's error message).
///
/// # Safety
/// `callback` and `userdata` stay valid until `userdata_free` is called and may be used from
/// any thread; `out` and `err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_callback_new(
    callback: kmskit_credentials_callback,
    userdata: *mut c_void,
    userdata_free: kmskit_userdata_free,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    run(err, || {
        // The userdata belongs to `cb` from the start: released on any failure below.
        let cb = Arc::new(Callback {
            f: callback,
            userdata,
            free: userdata_free,
        });
        if callback.is_none() {
            return Err(Error::invalid_argument("callback is NULL"));
        }
        check_out(out, "out")?;
        let shared = Shared::new(Box::new(move || Ok(provider(cb.clone()))))?;
        // SAFETY: checked above.
        unsafe { give(out, kmskit_credentials(shared)) };
        Ok(())
    })
}

fn with_sink(
    sink: *mut kmskit_credentials_sink,
    f: impl FnOnce(&mut kmskit_credentials_sink) -> Result<()>,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        // SAFETY: the sink's contract: NULL or the sink passed to the running callback.
        f(unsafe { arg_mut(sink, "sink") }?)
    })
}

/// Sets the AccessKey id and secret (required; copied, the secret into wiped memory).
///
/// # Safety
/// `sink` is NULL or the callback's sink; strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_sink_set_access_key(
    sink: *mut kmskit_credentials_sink,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
) -> kmskit_result {
    with_sink(sink, |s| {
        // SAFETY: per the contract above.
        let id = unsafe { arg_str(access_key_id, "access_key_id") }?;
        // SAFETY: per the contract above.
        let secret = unsafe { arg_str(access_key_secret, "access_key_secret") }?;
        if id.is_empty() || secret.is_empty() {
            return Err(Error::invalid_argument(
                "access key id and secret must not be empty",
            ));
        }
        s.access_key_id = Some(id.to_owned());
        s.access_key_secret = Some(SecretString::new(secret));
        Ok(())
    })
}

/// Sets the STS security token (for temporary credentials).
///
/// # Safety
/// `sink` is NULL or the callback's sink; `security_token` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_sink_set_security_token(
    sink: *mut kmskit_credentials_sink,
    security_token: *const c_char,
) -> kmskit_result {
    with_sink(sink, |s| {
        // SAFETY: per the contract above.
        let token = unsafe { arg_str(security_token, "security_token") }?;
        s.security_token = Some(SecretString::new(token));
        Ok(())
    })
}

/// Sets when the credentials expire, in seconds since the Unix epoch (with a security token):
/// kmskit asks again before then. Without it, kmskit asks again every 15 minutes.
///
/// # Safety
/// `sink` is NULL or the callback's sink.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_sink_set_expiration(
    sink: *mut kmskit_credentials_sink,
    unix_seconds: i64,
) -> kmskit_result {
    with_sink(sink, |s| {
        let secs = u64::try_from(unix_seconds)
            .map_err(|_| Error::invalid_argument("expiration must not be before 1970"))?;
        s.expiration = Some(UNIX_EPOCH + Duration::from_secs(secs));
        Ok(())
    })
}

/// A message for a failing callback, added to the 1201 error's message. Never put secrets in
/// it.
///
/// # Safety
/// `sink` is NULL or the callback's sink; `message` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_sink_set_error(
    sink: *mut kmskit_credentials_sink,
    message: *const c_char,
) -> kmskit_result {
    with_sink(sink, |s| {
        // SAFETY: per the contract above.
        s.error_message = Some(unsafe { arg_str(message, "message") }?.to_owned());
        Ok(())
    })
}
