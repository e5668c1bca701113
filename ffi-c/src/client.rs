//! `kmskit_client` and the blocking operations. Each call converts its arguments, runs the
//! core's future on the ffi runtime and hands back a `kmskit_response` (typed operations) or a
//! JSON `kmskit_buffer` (`kmskit_client_call`).
//!
//! fork(): the core client's connection pool holds sockets registered with the runtime of the
//! process that used them. A child must neither use nor drop them (it shares the sockets and the
//! epoll instance with its parent), so the handle keeps its options and a child's first call
//! builds a fresh core client from them (per_process.rs); the parent's copy is leaked in the
//! child.

use crate::boundary::{arg_bytes, arg_ref, arg_str, check_out, give, opt_str, run};
use crate::buffer::kmskit_buffer;
use crate::builder::kmskit_config_builder;
use crate::error::{kmskit_error, kmskit_result};
use crate::per_process::PerProcess;
use crate::response::kmskit_response;
use crate::runtime;
use kmskit_core::{
    Client, DecryptRequest, EncryptRequest, EncryptionContext, Error, GenerateDataKeyRequest,
    GetSecretValueRequest, Result, Route,
};
use std::ffi::c_char;

/// A KMS client. Thread-safe: one client may be used from many threads at once (calls share
/// its connection pool). Free with kmskit_client_free once no call is running.
pub struct kmskit_client {
    options: kmskit_config_builder,
    /// Set by kmskit_client_with_route.
    route: Option<Route>,
    current: PerProcess<Client>,
}

impl kmskit_client {
    /// The core client for this process (a fresh one in a forked child).
    pub(crate) fn core(&self) -> Result<&Client> {
        self.current.get_or_try_init(|| {
            let client = Client::new(self.options.build()?)?;
            Ok(match self.route {
                Some(r) => client.with_route(r),
                None => client,
            })
        })
    }
}

/// Creates a client from a builder. The builder is borrowed, not consumed: it may be changed and
/// reused, and must still be freed with kmskit_config_builder_free. Configuration errors (no
/// region and no endpoint, bad URL or CA, zero timeout...) are 1101. No network traffic happens
/// here. On success `*out` is a client to free with kmskit_client_free.
///
/// # Safety
/// `builder` is NULL or live; `out` is NULL or writable; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_new(
    builder: *const kmskit_config_builder,
    out: *mut *mut kmskit_client,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    run(err, || {
        // SAFETY: per the contract above.
        let b = unsafe { arg_ref(builder, "builder") }?;
        check_out(out, "out")?;
        let client = Client::new(b.build()?)?;
        let handle = kmskit_client {
            options: b.clone(),
            route: None,
            current: PerProcess::with(client),
        };
        // SAFETY: checked above.
        unsafe { give(out, handle) };
        Ok(())
    })
}

/// A second handle on the same client (same connections, credentials and ClientKey) whose
/// data-plane operations are routed as `route`: "auto", "shared" or "dedicated" (1101 for
/// anything else, or for "dedicated" without a ClientKey). Free it with kmskit_client_free,
/// independently of `client`.
///
/// # Safety
/// `client` is NULL or live; `route` NULL or NUL-terminated; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_with_route(
    client: *const kmskit_client,
    route: *const c_char,
    out: *mut *mut kmskit_client,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    run(err, || {
        // SAFETY: per the contract above.
        let handle = unsafe { arg_ref(client, "client") }?;
        // SAFETY: per the contract above.
        let route = unsafe { arg_str(route, "route") }?.parse::<Route>()?;
        check_out(out, "out")?;
        let core = handle.core()?;
        if route == Route::Dedicated && core.config().client_key().is_none() {
            return Err(Error::configuration(
                "the dedicated route needs a ClientKey",
            ));
        }
        let view = kmskit_client {
            options: handle.options.clone(),
            route: Some(route),
            current: PerProcess::with(core.with_route(route)),
        };
        // SAFETY: checked above.
        unsafe { give(out, view) };
        Ok(())
    })
}

/// Frees a client. NULL is a no-op. No call on it may be running.
///
/// # Safety
/// `client` is NULL or a client not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_free(client: *mut kmskit_client) {
    run(std::ptr::null_mut(), || {
        // SAFETY: per the contract above.
        unsafe { crate::boundary::free_box(client) };
        Ok(())
    });
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn context(p: *const c_char) -> Result<Option<EncryptionContext>> {
    // SAFETY: per the caller.
    match unsafe { opt_str(p, "encryption_context_json") }? {
        None => Ok(None),
        Some(json) => EncryptionContext::from_json_str(json).map(Some),
    }
}

/// Runs an operation for a typed response: arguments checked, the future run on the runtime,
/// `*out` written on success only.
///
/// # Safety
/// `client` is NULL or live; `out` and `err` are NULL or writable.
unsafe fn typed<F, Fut>(
    client: *const kmskit_client,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
    prepare: impl FnOnce() -> Result<F>,
) -> kmskit_result
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<kmskit_response>>,
{
    run(err, || {
        // SAFETY: per the caller.
        let handle = unsafe { arg_ref(client, "client") }?;
        let call = prepare()?;
        check_out(out, "out")?;
        let core = handle.core()?.clone();
        let response = runtime::block_on(call(core))??;
        // SAFETY: checked above.
        unsafe { give(out, response) };
        Ok(())
    })
}

/// Encrypts `plaintext` (`len` bytes; (NULL, 0) is empty) under `key_id` (id, alias or ARN).
/// `encryption_context_json` is NULL or a JSON object such as {"app":"x"} (anything else:
/// 1001). On success `*out` is a response with ciphertext_blob, key_id, key_version_id and
/// request_id; free it with kmskit_response_free.
///
/// # Safety
/// Pointers are NULL or valid for the call; `plaintext` points to `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_encrypt(
    client: *const kmskit_client,
    key_id: *const c_char,
    plaintext: *const u8,
    len: usize,
    encryption_context_json: *const c_char,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        typed(client, out, err, || {
            let mut req = EncryptRequest::new(
                arg_str(key_id, "key_id")?,
                arg_bytes(plaintext, len, "plaintext")?.to_vec(),
            );
            if let Some(ctx) = context(encryption_context_json)? {
                req = req.encryption_context(ctx);
            }
            Ok(move |c: Client| async move { c.encrypt(req).await.map(kmskit_response::Encrypt) })
        })
    }
}

/// Decrypts a ciphertext blob (as returned by encrypt). `encryption_context_json` must match
/// the one used to encrypt (NULL when none). On success `*out` has plaintext, key_id,
/// key_version_id and request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_decrypt(
    client: *const kmskit_client,
    ciphertext_blob: *const c_char,
    encryption_context_json: *const c_char,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        typed(client, out, err, || {
            let mut req = DecryptRequest::new(arg_str(ciphertext_blob, "ciphertext_blob")?);
            if let Some(ctx) = context(encryption_context_json)? {
                req = req.encryption_context(ctx);
            }
            Ok(move |c: Client| async move { c.decrypt(req).await.map(kmskit_response::Decrypt) })
        })
    }
}

/// # Safety
/// Pointers are NULL or NUL-terminated strings.
unsafe fn data_key_request(
    key_id: *const c_char,
    number_of_bytes: u32,
    key_spec: *const c_char,
    encryption_context_json: *const c_char,
) -> Result<GenerateDataKeyRequest> {
    // SAFETY: per the caller.
    let mut req = GenerateDataKeyRequest::new(unsafe { arg_str(key_id, "key_id") }?);
    if number_of_bytes != 0 {
        req = req.number_of_bytes(number_of_bytes);
    }
    // SAFETY: per the caller.
    if let Some(spec) = unsafe { opt_str(key_spec, "key_spec") }? {
        req = req.key_spec(spec);
    }
    // SAFETY: per the caller.
    if let Some(ctx) = unsafe { context(encryption_context_json) }? {
        req = req.encryption_context(ctx);
    }
    Ok(req)
}

/// Generates a data key under `key_id`. `number_of_bytes` 0 and `key_spec` NULL mean the
/// service's defaults ("AES_256"); `encryption_context_json` is NULL or a JSON object. On
/// success `*out` has plaintext (the data key), ciphertext_blob, key_id, key_version_id and
/// request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_generate_data_key(
    client: *const kmskit_client,
    key_id: *const c_char,
    number_of_bytes: u32,
    key_spec: *const c_char,
    encryption_context_json: *const c_char,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        typed(client, out, err, || {
            let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context_json)?;
            Ok(move |c: Client| async move {
                c.generate_data_key(req).await.map(kmskit_response::DataKey)
            })
        })
    }
}

/// Like kmskit_client_generate_data_key, without the plaintext: `*out` has ciphertext_blob,
/// key_id, key_version_id and request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_generate_data_key_without_plaintext(
    client: *const kmskit_client,
    key_id: *const c_char,
    number_of_bytes: u32,
    key_spec: *const c_char,
    encryption_context_json: *const c_char,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        typed(client, out, err, || {
            let req = data_key_request(key_id, number_of_bytes, key_spec, encryption_context_json)?;
            Ok(move |c: Client| async move {
                c.generate_data_key_without_plaintext(req)
                    .await
                    .map(kmskit_response::DataKeyWithoutPlaintext)
            })
        })
    }
}

/// Reads a secret. `version_id` and `version_stage` are NULL for the current version
/// ("ACSCurrent"); `fetch_extended_config` asks for ExtendedConfig. On success `*out` has
/// secret_name, secret_type, secret_data, secret_data_type, version_id, the version stages,
/// create_time, the rotation fields and extended_config when present, and request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_get_secret_value(
    client: *const kmskit_client,
    secret_name: *const c_char,
    version_id: *const c_char,
    version_stage: *const c_char,
    fetch_extended_config: bool,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        typed(client, out, err, || {
            let mut req = GetSecretValueRequest::new(arg_str(secret_name, "secret_name")?);
            if let Some(v) = opt_str(version_id, "version_id")? {
                req = req.version_id(v);
            }
            if let Some(v) = opt_str(version_stage, "version_stage")? {
                req = req.version_stage(v);
            }
            if fetch_extended_config {
                req = req.fetch_extended_config(true);
            }
            Ok(move |c: Client| async move {
                c.get_secret_value(req).await.map(kmskit_response::Secret)
            })
        })
    }
}

/// Any KMS action (API version 2016-01-20) by name, e.g. "CreateKey", with parameters by
/// their wire names as a JSON object (NULL means no parameters; anything but an object: 1001).
/// On success `*out_json` is the response body as a JSON object in a buffer (free with
/// kmskit_buffer_free; it may hold plaintexts and is wiped on free).
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_call(
    client: *const kmskit_client,
    action: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut kmskit_buffer,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    run(err, || {
        // SAFETY: per the contract above.
        let handle = unsafe { arg_ref(client, "client") }?;
        // SAFETY: per the contract above.
        let action = unsafe { arg_str(action, "action") }?;
        // SAFETY: per the contract above.
        let params = match unsafe { opt_str(params_json, "params_json") }? {
            None => serde_json::Map::new(),
            Some(json) => match serde_json::from_str::<serde_json::Value>(json) {
                Ok(serde_json::Value::Object(map)) => map,
                _ => return Err(Error::invalid_argument("params_json must be a JSON object")),
            },
        };
        check_out(out_json, "out_json")?;
        let core = handle.core()?.clone();
        let body = runtime::block_on(async move { core.call(action, params).await })??;
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec(&body)
                .map_err(|e| Error::internal(format!("cannot serialise the response: {e}")))?,
        );
        // SAFETY: checked above.
        unsafe { give(out_json, kmskit_buffer::new(&json)) };
        Ok(())
    })
}
