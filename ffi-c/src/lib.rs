//! `kmskit-ffi` is the C face of kmskit: `extern "C"` functions over the `kmskit` core, built as
//! `libkmskit.so` and `libkmskit.a`, described by the checked-in `include/kmskit.h` (written by
//! cbindgen through `scripts/gen-header`, never by build.rs). It translates C arguments into core
//! requests and core results into opaque handles, result codes and error objects; it owns the
//! tokio runtime the blocking calls run on (rebuilt in a child after `fork()`). No KMS logic
//! lives here.
//!
//! Conventions (rustls-ffi's): opaque handles created and destroyed by the library;
//! `kmskit_*_new(..., T **out) -> kmskit_result`; `kmskit_*_free(T *)` accepts NULL; out-params
//! are written only on success; every function catches panics (9001 Internal) and checks its
//! pointers (1001 InvalidArgument); strings in are NUL-terminated UTF-8, bytes in are
//! `(const uint8_t *, size_t)`, strings and bytes out are `kmskit_buffer *` freed with
//! `kmskit_buffer_free`. docs/c.md is the user's guide.

#![allow(non_camel_case_types)]

mod boundary;
mod buffer;
mod builder;
mod callback;
mod client;
mod clientkey;
mod credentials;
mod error;
mod instance;
mod instance_response;
mod per_process;
mod response;
mod runtime;

use std::ffi::{c_char, CStr};
use std::sync::OnceLock;

pub use buffer::*;
pub use builder::*;
pub use callback::*;
pub use client::*;
pub use clientkey::*;
pub use credentials::*;
pub use error::*;
pub use instance::*;
pub use instance_response::*;
pub use response::*;

static VERSION_C: &CStr = {
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(s) => s,
        Err(_) => c"0.0.0",
    }
};

/// The version of the library actually loaded, e.g. "0.1.0" (compare with
/// KMSKIT_VERSION_STRING, the version of the header you compiled against). Static; never free.
#[no_mangle]
pub extern "C" fn kmskit_version() -> *const c_char {
    VERSION_C.as_ptr()
}

fn core_operations() -> &'static [std::ffi::CString] {
    static OPS: OnceLock<Vec<std::ffi::CString>> = OnceLock::new();
    OPS.get_or_init(|| {
        kmskit_core::OPERATIONS
            .iter()
            .filter_map(|op| std::ffi::CString::new(*op).ok())
            .collect()
    })
}

/// How many operations the kmskit core defines (see kmskit_core_operation). Each operation
/// `op` has a function `kmskit_client_<op>` in this API.
#[no_mangle]
pub extern "C" fn kmskit_core_operation_count() -> usize {
    boundary::or_default(0, || core_operations().len())
}

/// The name of the core's operation number `index` ("encrypt", "decrypt", ...), or NULL when
/// `index` is out of range. Static; never free.
#[no_mangle]
pub extern "C" fn kmskit_core_operation(index: usize) -> *const c_char {
    boundary::or_default(std::ptr::null(), || {
        core_operations()
            .get(index)
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

fn instance_operations() -> &'static [std::ffi::CString] {
    static OPS: OnceLock<Vec<std::ffi::CString>> = OnceLock::new();
    OPS.get_or_init(|| {
        kmskit_core::instance_api::INSTANCE_OPERATIONS
            .iter()
            .filter_map(|op| std::ffi::CString::new(*op).ok())
            .collect()
    })
}

/// How many Instance API operations the kmskit core defines (see kmskit_instance_operation).
/// Each operation `Name` has a function `kmskit_client_instance_<name in snake_case>`.
#[no_mangle]
pub extern "C" fn kmskit_instance_operation_count() -> usize {
    boundary::or_default(0, || instance_operations().len())
}

/// The Instance API name of operation number `index` ("Encrypt", "AdvanceEncrypt", ...), or
/// NULL when `index` is out of range. Static; never free.
#[no_mangle]
pub extern "C" fn kmskit_instance_operation(index: usize) -> *const c_char {
    boundary::or_default(std::ptr::null(), || {
        instance_operations()
            .get(index)
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

fn credentials_sources() -> &'static [std::ffi::CString] {
    static SOURCES: OnceLock<Vec<std::ffi::CString>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        kmskit_core::credentials::SOURCES
            .iter()
            .filter_map(|s| std::ffi::CString::new(*s).ok())
            .collect()
    })
}

/// How many credentials sources the kmskit core defines (see kmskit_credentials_source). Each
/// source has a constructor `kmskit_credentials_<source>_new` in this API (`AccessKey` ->
/// `kmskit_credentials_access_key_new`; `StsToken` -> `kmskit_credentials_sts_new`;
/// `CredentialsUri` -> `kmskit_credentials_uri_new`).
#[no_mangle]
pub extern "C" fn kmskit_credentials_source_count() -> usize {
    boundary::or_default(0, || credentials_sources().len())
}

/// The name of the core's credentials source number `index` ("AccessKey", "EcsRamRole", ...),
/// or NULL when `index` is out of range. Static; never free.
#[no_mangle]
pub extern "C" fn kmskit_credentials_source(index: usize) -> *const c_char {
    boundary::or_default(std::ptr::null(), || {
        credentials_sources()
            .get(index)
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_sources_mirror_the_core() {
        assert_eq!(
            kmskit_credentials_source_count(),
            kmskit_core::credentials::SOURCES.len()
        );
        for (i, name) in kmskit_core::credentials::SOURCES.iter().enumerate() {
            // SAFETY: non-NULL for every index below the count.
            let s = unsafe { CStr::from_ptr(kmskit_credentials_source(i)) };
            assert_eq!(s.to_str().unwrap(), *name);
        }
        assert!(kmskit_credentials_source(kmskit_core::credentials::SOURCES.len()).is_null());
    }

    #[test]
    fn version_matches_the_crate() {
        // SAFETY: kmskit_version returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(kmskit_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(v.to_str().unwrap(), kmskit_core::VERSION);
    }

    #[test]
    fn operations_mirror_the_core() {
        assert_eq!(kmskit_core_operation_count(), kmskit_core::OPERATIONS.len());
        for (i, op) in kmskit_core::OPERATIONS.iter().enumerate() {
            // SAFETY: non-NULL for every index below the count.
            let s = unsafe { CStr::from_ptr(kmskit_core_operation(i)) };
            assert_eq!(s.to_str().unwrap(), *op);
        }
        assert!(kmskit_core_operation(kmskit_core::OPERATIONS.len()).is_null());
    }
}
