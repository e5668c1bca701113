//! The panic boundary and argument checks every `extern "C"` function goes through. A panic
//! must never unwind into C (since Rust 1.81 it aborts the process): fallible functions turn it
//! into 9001 Internal, accessors into a neutral default. NULL pointers and invalid UTF-8 become
//! 1001 InvalidArgument with a message naming the argument.

use crate::error::{kmskit_error, kmskit_result, KMSKIT_RESULT_OK};
use kmskit_core::{Error, ErrorCode, Result};
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

const PANIC_MESSAGE: &str = "a panic was caught at the kmskit C boundary (a bug in kmskit)";

/// Runs a fallible body: Ok -> 0; Err -> its code, and the error object into `*err` when `err`
/// is not NULL; panic -> 9001 Internal.
pub(crate) fn run(err: *mut *mut kmskit_error, body: impl FnOnce() -> Result<()>) -> kmskit_result {
    let outcome = catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|_| Err(Error::new(ErrorCode::Internal, PANIC_MESSAGE)));
    match outcome {
        Ok(()) => KMSKIT_RESULT_OK,
        Err(e) => {
            let code = e.code().as_u32();
            if !err.is_null() {
                let boxed = Box::into_raw(Box::new(kmskit_error::from(e)));
                // SAFETY: the caller passes either NULL or a valid `kmskit_error **`.
                unsafe { err.write(boxed) };
            }
            code
        }
    }
}

/// Runs an infallible body (accessors); a panic yields `default`.
pub(crate) fn or_default<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

pub(crate) fn null(what: &str) -> Error {
    Error::invalid_argument(format!("{what} is NULL"))
}

/// A shared reference from a handle pointer, or 1001.
///
/// # Safety
/// `p` is NULL or points to a live `T` made by this library.
pub(crate) unsafe fn arg_ref<'a, T>(p: *const T, what: &str) -> Result<&'a T> {
    // SAFETY: guaranteed by the caller.
    unsafe { p.as_ref() }.ok_or_else(|| null(what))
}

/// A mutable reference from a handle pointer, or 1001.
///
/// # Safety
/// `p` is NULL or points to a live `T` made by this library, used by no one else meanwhile.
pub(crate) unsafe fn arg_mut<'a, T>(p: *mut T, what: &str) -> Result<&'a mut T> {
    // SAFETY: guaranteed by the caller.
    unsafe { p.as_mut() }.ok_or_else(|| null(what))
}

/// A required NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that stays valid during the call.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(null(what));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .map_err(|_| Error::invalid_argument(format!("{what} is not valid UTF-8")))
}

/// An optional string argument: NULL means "not given".
///
/// # Safety
/// As [`arg_str`].
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: as the caller guarantees.
        unsafe { arg_str(p, what) }.map(Some)
    }
}

/// A byte-string argument `(ptr, len)`; `(NULL, 0)` is the empty string.
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes that stay valid during the call.
pub(crate) unsafe fn arg_bytes<'a>(p: *const u8, len: usize, what: &str) -> Result<&'a [u8]> {
    if p.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(what)) };
    }
    // SAFETY: non-NULL, `len` readable bytes per the caller.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Checks an out-param before any work is done, so a NULL out-param costs no request.
pub(crate) fn check_out<T>(out: *mut *mut T, what: &str) -> Result<()> {
    if out.is_null() {
        Err(null(what))
    } else {
        Ok(())
    }
}

/// Hands a new object to C through a checked out-param.
///
/// # Safety
/// `out` was checked by [`check_out`] and points to writable storage for a pointer.
pub(crate) unsafe fn give<T>(out: *mut *mut T, value: T) {
    let raw = Box::into_raw(Box::new(value));
    // SAFETY: per the caller.
    unsafe { out.write(raw) };
}

/// Frees a boxed handle; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or a pointer this library made with `Box::into_raw` and has not freed yet.
pub(crate) unsafe fn free_box<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: per the caller.
        drop(unsafe { Box::from_raw(p) });
    }
}
