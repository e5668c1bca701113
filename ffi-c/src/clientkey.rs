//! `kmskit_client_key`: the credential of a dedicated gateway's Instance API (the official
//! `clientKey_<KeyId>.json` with its PKCS#12 and password, or a bare private key). Passwords and
//! private keys are copied into memory wiped on free and never appear in messages.

use crate::boundary::{arg_ref, arg_str, check_out, free_box, give, opt_str, run};
use crate::error::{kmskit_error, kmskit_result};
use kmskit_core::{ClientKey, Error, Result, SecretString};
use std::ffi::{c_char, CString};
use std::ptr;

/// A loaded ClientKey. Give it to kmskit_config_builder_set_client_key; free with
/// kmskit_client_key_free (builders and clients keep their own copy). Immutable, thread-safe.
pub struct kmskit_client_key {
    pub(crate) key: ClientKey,
    id: CString,
}

/// The password from exactly one of its three sources.
///
/// # Safety
/// Each pointer is NULL or a NUL-terminated string.
unsafe fn password(
    password: *const c_char,
    password_file: *const c_char,
    password_env: *const c_char,
) -> Result<SecretString> {
    // SAFETY: per the caller.
    let (p, f, e) = unsafe {
        (
            opt_str(password, "password")?,
            opt_str(password_file, "password_file")?,
            opt_str(password_env, "password_env")?,
        )
    };
    match (p, f, e) {
        (Some(p), None, None) => Ok(SecretString::new(p)),
        (None, Some(f), None) => ClientKey::password_from_file(f),
        (None, None, Some(e)) => ClientKey::password_from_env(e),
        _ => Err(Error::invalid_argument(
            "give exactly one of password, password_file and password_env",
        )),
    }
}

/// # Safety
/// `out` is NULL or writable; `err` NULL or writable.
unsafe fn make(
    out: *mut *mut kmskit_client_key,
    err: *mut *mut kmskit_error,
    load: impl FnOnce() -> Result<ClientKey>,
) -> kmskit_result {
    run(err, || {
        check_out(out, "out")?;
        let key = load()?;
        let id = CString::new(key.key_id())
            .map_err(|_| Error::invalid_argument("the ClientKey id contains a NUL"))?;
        // SAFETY: checked above.
        unsafe { give(out, kmskit_client_key { key, id }) };
        Ok(())
    })
}

/// Loads a ClientKey file (clientKey_<KeyId>.json). The password comes from exactly one of
/// `password` (the text), `password_file` (a file holding it, e.g. clientKey_..._Password.txt)
/// or `password_env` (the name of an environment variable); the other two are NULL. A wrong
/// password, unreadable file or malformed key is 1202 ClientKeyInvalid.
///
/// # Safety
/// Strings are NULL or NUL-terminated; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_key_from_file(
    path: *const c_char,
    password: *const c_char,
    password_file: *const c_char,
    password_env: *const c_char,
    out: *mut *mut kmskit_client_key,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let path = arg_str(path, "path")?;
            let pw = self::password(password, password_file, password_env)?;
            ClientKey::from_file(path, &pw)
        })
    }
}

/// Like kmskit_client_key_from_file, from the file's content (JSON text).
///
/// # Safety
/// Strings are NULL or NUL-terminated; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_key_from_json(
    json: *const c_char,
    password: *const c_char,
    password_file: *const c_char,
    password_env: *const c_char,
    out: *mut *mut kmskit_client_key,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let json = arg_str(json, "json")?;
            let pw = self::password(password, password_file, password_env)?;
            ClientKey::from_json(json, &pw)
        })
    }
}

/// A ClientKey from its id and RSA private key (PKCS#8 or PKCS#1 PEM, or bare base64).
///
/// # Safety
/// Strings are NULL or NUL-terminated; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_key_from_private_key_pem(
    key_id: *const c_char,
    private_key_pem: *const c_char,
    out: *mut *mut kmskit_client_key,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let id = arg_str(key_id, "key_id")?;
            let pem = SecretString::new(arg_str(private_key_pem, "private_key_pem")?);
            ClientKey::from_private_key_pem(id, &pem)
        })
    }
}

/// The ClientKey's id (KAAP.…); NULL when `key` is NULL. Borrowed: valid until
/// kmskit_client_key_free(key).
///
/// # Safety
/// `key` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_key_id(key: *const kmskit_client_key) -> *const c_char {
    let mut p = ptr::null();
    run(ptr::null_mut(), || {
        // SAFETY: per the contract above.
        p = unsafe { arg_ref(key, "key") }?.id.as_ptr();
        Ok(())
    });
    p
}

/// Frees a ClientKey (its private key is wiped). NULL is a no-op.
///
/// # Safety
/// `key` is NULL or a key not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_key_free(key: *mut kmskit_client_key) {
    run(ptr::null_mut(), || {
        // SAFETY: per the contract above.
        unsafe { free_box(key) };
        Ok(())
    });
}
