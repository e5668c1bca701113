//! Result codes and the error object. A `kmskit_result` is 0 on success, otherwise the core's
//! stable `ErrorCode` number; the optional `kmskit_error` carries the rest (kind, message,
//! service code, request id, HTTP status, retryable). Its strings are borrowed from it and live
//! until `kmskit_error_free`; they never contain secrets (the core keeps them out).

use crate::boundary::{free_box, or_default};
use kmskit_core::{Error, ErrorCode};
use std::ffi::{c_char, CStr, CString};
use std::ptr;

/// 0 on success, otherwise one of the KMSKIT_RESULT_* codes (the core's stable error numbers;
/// numbers are never reused, new ones may be added).
pub type kmskit_result = u32;

/// Success.
pub const KMSKIT_RESULT_OK: kmskit_result = 0;
/// An argument was invalid: NULL pointer, invalid UTF-8, a JSON string that is not an object.
pub const KMSKIT_RESULT_INVALID_ARGUMENT: kmskit_result = 1001;
/// The configuration is invalid (no region and no endpoint, bad URL, bad CA PEM, ...).
pub const KMSKIT_RESULT_INVALID_CONFIGURATION: kmskit_result = 1101;
/// No credentials could be obtained.
pub const KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE: kmskit_result = 1201;
/// A ClientKey (the dedicated gateway's Instance API key) could not be loaded: unreadable
/// file, malformed PKCS#12/PEM, unsupported algorithm or a wrong password.
pub const KMSKIT_RESULT_CLIENT_KEY_INVALID: kmskit_result = 1202;
/// No credentials source is configured (the default chain found nothing to try, or a
/// profile, file or variable a provider needs is absent).
pub const KMSKIT_RESULT_CREDENTIALS_NOT_CONFIGURED: kmskit_result = 1203;
/// Could not connect (the request was never sent).
pub const KMSKIT_RESULT_CONNECT_FAILED: kmskit_result = 2001;
/// The connection failed after the request may have been sent.
pub const KMSKIT_RESULT_CONNECTION_LOST: kmskit_result = 2002;
/// The TLS handshake failed (not retried).
pub const KMSKIT_RESULT_TLS_FAILED: kmskit_result = 2003;
/// Connecting took longer than the connect timeout.
pub const KMSKIT_RESULT_CONNECT_TIMEOUT: kmskit_result = 2101;
/// The response did not arrive within the read timeout.
pub const KMSKIT_RESULT_READ_TIMEOUT: kmskit_result = 2102;
/// The service throttled the request.
pub const KMSKIT_RESULT_THROTTLED: kmskit_result = 3001;
/// The signature or the access key was refused.
pub const KMSKIT_RESULT_AUTHENTICATION_FAILED: kmskit_result = 3101;
/// The caller is not allowed to do this.
pub const KMSKIT_RESULT_FORBIDDEN: kmskit_result = 3201;
/// The key, alias, secret or version does not exist.
pub const KMSKIT_RESULT_RESOURCE_NOT_FOUND: kmskit_result = 3301;
/// The service rejected a parameter.
pub const KMSKIT_RESULT_INVALID_PARAMETER: kmskit_result = 3401;
/// The resource is in a state that refuses the call (disabled key, pending deletion).
pub const KMSKIT_RESULT_INVALID_STATE: kmskit_result = 3402;
/// Any other error the service returned.
pub const KMSKIT_RESULT_SERVICE_ERROR: kmskit_result = 3501;
/// The service is temporarily unavailable.
pub const KMSKIT_RESULT_SERVICE_UNAVAILABLE: kmskit_result = 3502;
/// The response could not be understood.
pub const KMSKIT_RESULT_INVALID_RESPONSE: kmskit_result = 3601;
/// A cryptographic operation failed (bad ciphertext, key mismatch).
pub const KMSKIT_RESULT_CRYPTO_FAILED: kmskit_result = 4001;
/// A bug in kmskit, or a panic caught at the C boundary.
pub const KMSKIT_RESULT_INTERNAL: kmskit_result = 9001;

/// An error: code, kind, message and, when the service answered, its details.
/// Free with kmskit_error_free.
pub struct kmskit_error {
    code: ErrorCode,
    message: CString,
    service_code: Option<CString>,
    request_id: Option<CString>,
    http_status: u16,
    retryable: bool,
}

fn c_string(s: &str) -> CString {
    // Interior NULs cannot be represented in a C string; they are cut there.
    let cut = s.split('\0').next().unwrap_or_default();
    CString::new(cut).unwrap_or_default()
}

impl From<Error> for kmskit_error {
    fn from(e: Error) -> Self {
        kmskit_error {
            code: e.code(),
            message: c_string(e.message()),
            service_code: e.service_code().map(c_string),
            request_id: e.request_id().map(c_string),
            http_status: e.http_status().unwrap_or(0),
            retryable: e.is_retryable(),
        }
    }
}

fn static_c(names: &'static [(ErrorCode, &'static CStr)], code: ErrorCode) -> *const c_char {
    names
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(ptr::null(), |(_, s)| s.as_ptr())
}

/// Code names as C strings, in the core's ErrorCode order (a test checks them against the core).
static NAMES: &[(ErrorCode, &CStr)] = &[
    (ErrorCode::InvalidArgument, c"InvalidArgument"),
    (ErrorCode::InvalidConfiguration, c"InvalidConfiguration"),
    (ErrorCode::CredentialsUnavailable, c"CredentialsUnavailable"),
    (ErrorCode::ClientKeyInvalid, c"ClientKeyInvalid"),
    (
        ErrorCode::CredentialsNotConfigured,
        c"CredentialsNotConfigured",
    ),
    (ErrorCode::ConnectFailed, c"ConnectFailed"),
    (ErrorCode::ConnectionLost, c"ConnectionLost"),
    (ErrorCode::TlsFailed, c"TlsFailed"),
    (ErrorCode::ConnectTimeout, c"ConnectTimeout"),
    (ErrorCode::ReadTimeout, c"ReadTimeout"),
    (ErrorCode::Throttled, c"Throttled"),
    (ErrorCode::AuthenticationFailed, c"AuthenticationFailed"),
    (ErrorCode::Forbidden, c"Forbidden"),
    (ErrorCode::ResourceNotFound, c"ResourceNotFound"),
    (ErrorCode::InvalidParameter, c"InvalidParameter"),
    (ErrorCode::InvalidState, c"InvalidState"),
    (ErrorCode::ServiceError, c"ServiceError"),
    (ErrorCode::ServiceUnavailable, c"ServiceUnavailable"),
    (ErrorCode::InvalidResponse, c"InvalidResponse"),
    (ErrorCode::CryptoFailed, c"CryptoFailed"),
    (ErrorCode::Internal, c"Internal"),
];

static KINDS: &[(&str, &CStr)] = &[
    ("Throttling", c"Throttling"),
    ("Authentication", c"Authentication"),
    ("Authorization", c"Authorization"),
    ("NotFound", c"NotFound"),
    ("InvalidArgument", c"InvalidArgument"),
    ("Network", c"Network"),
    ("Timeout", c"Timeout"),
    ("Service", c"Service"),
    ("Credentials", c"Credentials"),
    ("Configuration", c"Configuration"),
    ("Crypto", c"Crypto"),
    ("Internal", c"Internal"),
];

fn code_from_u32(n: u32) -> Option<ErrorCode> {
    ErrorCode::ALL.iter().copied().find(|c| c.as_u32() == n)
}

fn kind_c(code: ErrorCode) -> *const c_char {
    let kind = code.kind().as_str();
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(ptr::null(), |(_, s)| s.as_ptr())
}

/// The name of a result code ("OK", "InvalidArgument", "ResourceNotFound", ...), or NULL for
/// a number kmskit does not define. Static; never free.
#[no_mangle]
pub extern "C" fn kmskit_result_name(result: kmskit_result) -> *const c_char {
    or_default(ptr::null(), || {
        if result == KMSKIT_RESULT_OK {
            return c"OK".as_ptr();
        }
        code_from_u32(result).map_or(ptr::null(), |c| static_c(NAMES, c))
    })
}

/// The kind of a result code ("NotFound", "Authentication", ...), or NULL for 0 and for a
/// number kmskit does not define. Static; never free.
#[no_mangle]
pub extern "C" fn kmskit_result_kind(result: kmskit_result) -> *const c_char {
    or_default(ptr::null(), || {
        code_from_u32(result).map_or(ptr::null(), kind_c)
    })
}

/// Frees an error. NULL is a no-op.
///
/// # Safety
/// `err` is NULL or an error from this library not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_free(err: *mut kmskit_error) {
    // SAFETY: per the contract above.
    or_default((), || unsafe { free_box(err) })
}

/// # Safety
/// `err` is NULL or a live error.
unsafe fn with<T>(err: *const kmskit_error, default: T, f: impl FnOnce(&kmskit_error) -> T) -> T {
    // SAFETY: per the caller.
    match unsafe { err.as_ref() } {
        Some(e) => or_default(default, || f(e)),
        None => default,
    }
}

/// The error's code (a KMSKIT_RESULT_* value); 0 when `err` is NULL.
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_code(err: *const kmskit_error) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe { with(err, 0, |e| e.code.as_u32()) }
}

/// The code's name, e.g. "ResourceNotFound"; NULL when `err` is NULL. Static.
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_name(err: *const kmskit_error) -> *const c_char {
    // SAFETY: per the contract above.
    unsafe { with(err, ptr::null(), |e| static_c(NAMES, e.code)) }
}

/// The error's kind: "Throttling", "Authentication", "Authorization", "NotFound",
/// "InvalidArgument", "Network", "Timeout", "Service", "Credentials", "Configuration",
/// "Crypto" or "Internal"; NULL when `err` is NULL. Static.
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_kind(err: *const kmskit_error) -> *const c_char {
    // SAFETY: per the contract above.
    unsafe { with(err, ptr::null(), |e| kind_c(e.code)) }
}

/// The message (kmskit's, or the service's for service errors); NULL when `err` is NULL.
/// Borrowed: valid until kmskit_error_free(err).
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_message(err: *const kmskit_error) -> *const c_char {
    // SAFETY: per the contract above.
    unsafe { with(err, ptr::null(), |e| e.message.as_ptr()) }
}

/// The service's own error code (e.g. "Forbidden.KeyNotFound"), or NULL when the service did
/// not answer with one. Borrowed: valid until kmskit_error_free(err).
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_service_code(err: *const kmskit_error) -> *const c_char {
    // SAFETY: per the contract above.
    unsafe {
        with(err, ptr::null(), |e| {
            e.service_code.as_ref().map_or(ptr::null(), |s| s.as_ptr())
        })
    }
}

/// The service's request id, or NULL. Borrowed: valid until kmskit_error_free(err).
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_request_id(err: *const kmskit_error) -> *const c_char {
    // SAFETY: per the contract above.
    unsafe {
        with(err, ptr::null(), |e| {
            e.request_id.as_ref().map_or(ptr::null(), |s| s.as_ptr())
        })
    }
}

/// The HTTP status of the service's answer, or 0 when there was none.
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_http_status(err: *const kmskit_error) -> u16 {
    // SAFETY: per the contract above.
    unsafe { with(err, 0, |e| e.http_status) }
}

/// Whether the same call may succeed if tried again later; false when `err` is NULL.
///
/// # Safety
/// `err` is NULL or a live error.
#[no_mangle]
pub unsafe extern "C" fn kmskit_error_retryable(err: *const kmskit_error) -> bool {
    // SAFETY: per the contract above.
    unsafe { with(err, false, |e| e.retryable) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header's constants (these `const`s) must be exactly the core's codes.
    #[test]
    fn result_constants_are_the_core_codes() {
        let consts = [
            (KMSKIT_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT"),
            (KMSKIT_RESULT_INVALID_CONFIGURATION, "INVALID_CONFIGURATION"),
            (
                KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE,
                "CREDENTIALS_UNAVAILABLE",
            ),
            (KMSKIT_RESULT_CLIENT_KEY_INVALID, "CLIENT_KEY_INVALID"),
            (
                KMSKIT_RESULT_CREDENTIALS_NOT_CONFIGURED,
                "CREDENTIALS_NOT_CONFIGURED",
            ),
            (KMSKIT_RESULT_CONNECT_FAILED, "CONNECT_FAILED"),
            (KMSKIT_RESULT_CONNECTION_LOST, "CONNECTION_LOST"),
            (KMSKIT_RESULT_TLS_FAILED, "TLS_FAILED"),
            (KMSKIT_RESULT_CONNECT_TIMEOUT, "CONNECT_TIMEOUT"),
            (KMSKIT_RESULT_READ_TIMEOUT, "READ_TIMEOUT"),
            (KMSKIT_RESULT_THROTTLED, "THROTTLED"),
            (KMSKIT_RESULT_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED"),
            (KMSKIT_RESULT_FORBIDDEN, "FORBIDDEN"),
            (KMSKIT_RESULT_RESOURCE_NOT_FOUND, "RESOURCE_NOT_FOUND"),
            (KMSKIT_RESULT_INVALID_PARAMETER, "INVALID_PARAMETER"),
            (KMSKIT_RESULT_INVALID_STATE, "INVALID_STATE"),
            (KMSKIT_RESULT_SERVICE_ERROR, "SERVICE_ERROR"),
            (KMSKIT_RESULT_SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"),
            (KMSKIT_RESULT_INVALID_RESPONSE, "INVALID_RESPONSE"),
            (KMSKIT_RESULT_CRYPTO_FAILED, "CRYPTO_FAILED"),
            (KMSKIT_RESULT_INTERNAL, "INTERNAL"),
        ];
        assert_eq!(consts.len(), ErrorCode::ALL.len());
        assert_eq!(NAMES.len(), ErrorCode::ALL.len());
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            let (num, upper) = consts[i];
            assert_eq!(num, code.as_u32());
            let screaming: String = code
                .name()
                .chars()
                .enumerate()
                .flat_map(|(j, c)| {
                    let sep = (j > 0 && c.is_ascii_uppercase()).then_some('_');
                    sep.into_iter()
                        .chain(std::iter::once(c.to_ascii_uppercase()))
                })
                .collect();
            assert_eq!(upper, screaming);
            assert_eq!(NAMES[i].0, *code);
            assert_eq!(NAMES[i].1.to_str().unwrap(), code.name());
            // SAFETY: static strings.
            let kind = unsafe { CStr::from_ptr(kmskit_result_kind(num)) };
            assert_eq!(kind.to_str().unwrap(), code.kind().as_str());
        }
        assert!(kmskit_result_name(4242).is_null());
    }

    #[test]
    fn error_object_carries_the_core_error() {
        let e = Error::invalid_argument("x is NULL");
        let raw = Box::into_raw(Box::new(kmskit_error::from(e)));
        // SAFETY: `raw` is live until freed below.
        unsafe {
            assert_eq!(kmskit_error_code(raw), 1001);
            assert_eq!(
                CStr::from_ptr(kmskit_error_message(raw)).to_str().unwrap(),
                "x is NULL"
            );
            assert!(kmskit_error_request_id(raw).is_null());
            assert_eq!(kmskit_error_http_status(raw), 0);
            kmskit_error_free(raw);
            kmskit_error_free(ptr::null_mut());
        }
    }
}
