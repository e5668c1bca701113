//! The dedicated gateway's Instance API: `kmskit_client_instance_<api>` for each of the 15
//! APIs, with the required arguments explicit and the optional ones on a
//! `kmskit_instance_options` handle (NULL: none). An option the API does not take is 1001, not
//! silently ignored. Results are `kmskit_response`s (binary fields as raw bytes). A client
//! without a ClientKey answers 1101.

use crate::boundary::{arg_bytes, arg_mut, arg_ref, arg_str, check_out, free_box, give, run};
use crate::client::kmskit_client;
use crate::error::{kmskit_error, kmskit_result};
use crate::response::kmskit_response;
use crate::runtime;
use kmskit_core::instance_api as ia;
use kmskit_core::{Error, InstanceClient, Result};
use std::ffi::c_char;
use std::ptr;

/// Optional arguments of the kmskit_client_instance_* functions. Not thread-safe: set from
/// one thread; may be reused for several calls.
#[derive(Clone, Default)]
pub struct kmskit_instance_options {
    algorithm: Option<String>,
    aad: Option<Vec<u8>>,
    iv: Option<Vec<u8>>,
    padding_mode: Option<String>,
    key_id: Option<String>,
    message_type: Option<String>,
    number_of_bytes: Option<u32>,
    key_format: Option<String>,
    version_stage: Option<String>,
    version_id: Option<String>,
    fetch_extended_config: Option<bool>,
}

impl kmskit_instance_options {
    /// A copy after checking that `api` takes every option that is set.
    ///
    /// # Safety
    /// `opts` is NULL or live.
    unsafe fn take(opts: *const Self, api: &str, allowed: &[&str]) -> Result<Self> {
        // SAFETY: per the caller.
        let Some(o) = (unsafe { opts.as_ref() }) else {
            return Ok(Self::default());
        };
        let set = [
            ("algorithm", o.algorithm.is_some()),
            ("aad", o.aad.is_some()),
            ("iv", o.iv.is_some()),
            ("padding_mode", o.padding_mode.is_some()),
            ("key_id", o.key_id.is_some()),
            ("message_type", o.message_type.is_some()),
            ("number_of_bytes", o.number_of_bytes.is_some()),
            ("key_format", o.key_format.is_some()),
            ("version_stage", o.version_stage.is_some()),
            ("version_id", o.version_id.is_some()),
            ("fetch_extended_config", o.fetch_extended_config.is_some()),
        ];
        if let Some((bad, _)) = set.iter().find(|(n, on)| *on && !allowed.contains(n)) {
            return Err(Error::invalid_argument(format!(
                "the Instance API's {api} takes no option {bad}"
            )));
        }
        Ok(o.clone())
    }
}

/// Creates an empty options handle.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_new(
    out: *mut *mut kmskit_instance_options,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        check_out(out, "out")?;
        // SAFETY: checked above.
        unsafe { give(out, kmskit_instance_options::default()) };
        Ok(())
    })
}

/// Frees an options handle. NULL is a no-op.
///
/// # Safety
/// `opts` is NULL or a handle not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_free(opts: *mut kmskit_instance_options) {
    run(ptr::null_mut(), || {
        // SAFETY: per the contract above.
        unsafe { free_box(opts) };
        Ok(())
    });
}

fn set_opt(
    opts: *mut kmskit_instance_options,
    set: impl FnOnce(&mut kmskit_instance_options) -> Result<()>,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        // SAFETY: the setters' contract: NULL or a live handle used by one thread.
        set(unsafe { arg_mut(opts, "opts") }?)
    })
}

/// Encrypt/decrypt: the algorithm ("AES_GCM", "SM4_GCM", "RSAES_OAEP_SHA_256", ...);
/// generate_data_key and the non-advance pair APIs: the data key's encryption algorithm.
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_algorithm(
    opts: *mut kmskit_instance_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.algorithm = Some(unsafe { arg_str(value, "value") }?.to_owned());
        Ok(())
    })
}

/// Additional authenticated data (encrypt, decrypt, their advance forms, the data key APIs).
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_aad(
    opts: *mut kmskit_instance_options,
    value: *const u8,
    len: usize,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.aad = Some(unsafe { arg_bytes(value, len, "value") }?.to_vec());
        Ok(())
    })
}

/// The IV (encrypt: chosen by the gateway when unset; decrypt: the one encrypt returned).
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_iv(
    opts: *mut kmskit_instance_options,
    value: *const u8,
    len: usize,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.iv = Some(unsafe { arg_bytes(value, len, "value") }?.to_vec());
        Ok(())
    })
}

/// Encrypt/decrypt: the padding mode (symmetric CBC/ECB modes: "PKCS7_PADDING", ...).
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_padding_mode(
    opts: *mut kmskit_instance_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.padding_mode = Some(unsafe { arg_str(value, "value") }?.to_owned());
        Ok(())
    })
}

/// advance_decrypt: the key id (the blob names its key; optional).
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_key_id(
    opts: *mut kmskit_instance_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.key_id = Some(unsafe { arg_str(value, "value") }?.to_owned());
        Ok(())
    })
}

/// sign/verify: "RAW" (default: the message itself) or "DIGEST" (its digest).
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_message_type(
    opts: *mut kmskit_instance_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.message_type = Some(unsafe { arg_str(value, "value") }?.to_owned());
        Ok(())
    })
}

/// generate_data_key (both forms): the data key's length in bytes (1..=1024; default 32).
///
/// # Safety
/// `opts` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_number_of_bytes(
    opts: *mut kmskit_instance_options,
    value: u32,
) -> kmskit_result {
    set_opt(opts, |o| {
        o.number_of_bytes = Some(value);
        Ok(())
    })
}

/// The data key pair APIs: "PEM" (default) or "DER".
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_key_format(
    opts: *mut kmskit_instance_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.key_format = Some(unsafe { arg_str(value, "value") }?.to_owned());
        Ok(())
    })
}

/// get_secret_value: the version stage (default "ACSCurrent").
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_version_stage(
    opts: *mut kmskit_instance_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.version_stage = Some(unsafe { arg_str(value, "value") }?.to_owned());
        Ok(())
    })
}

/// get_secret_value: the version id.
///
/// # Safety
/// `opts` is NULL or live; `value` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_version_id(
    opts: *mut kmskit_instance_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.version_id = Some(unsafe { arg_str(value, "value") }?.to_owned());
        Ok(())
    })
}

/// get_secret_value: also return the secret's extended configuration.
///
/// # Safety
/// `opts` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_instance_options_set_fetch_extended_config(
    opts: *mut kmskit_instance_options,
    value: bool,
) -> kmskit_result {
    set_opt(opts, |o| {
        o.fetch_extended_config = Some(value);
        Ok(())
    })
}

/// Runs one Instance API call: arguments checked (by `prepare`) before anything is sent,
/// `*out` written on success only.
///
/// # Safety
/// `client` is NULL or live; `out` and `err` NULL or writable.
unsafe fn call<F, Fut>(
    client: *const kmskit_client,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
    prepare: impl FnOnce() -> Result<F>,
) -> kmskit_result
where
    F: FnOnce(InstanceClient) -> Fut,
    Fut: std::future::Future<Output = Result<kmskit_response>>,
{
    run(err, || {
        // SAFETY: per the caller.
        let handle = unsafe { arg_ref(client, "client") }?;
        let go = prepare()?;
        check_out(out, "out")?;
        let instance = handle.core()?.instance()?;
        let response = runtime::block_on(go(instance))??;
        // SAFETY: checked above.
        unsafe { give(out, response) };
        Ok(())
    })
}

const CIPHER_OPTS: &[&str] = &["algorithm", "aad", "iv", "padding_mode"];

/// # Safety
/// Pointers are NULL or valid for the call.
unsafe fn encrypt_request(
    key_id: *const c_char,
    plaintext: *const u8,
    len: usize,
    o: kmskit_instance_options,
) -> Result<ia::EncryptRequest> {
    // SAFETY: per the caller.
    let mut req = unsafe {
        ia::EncryptRequest::new(
            arg_str(key_id, "key_id")?,
            arg_bytes(plaintext, len, "plaintext")?.to_vec(),
        )
    };
    req.algorithm = o.algorithm;
    req.aad = o.aad;
    req.iv = o.iv;
    req.padding_mode = o.padding_mode;
    Ok(req)
}

/// Encrypt: `plaintext` (`len` bytes) under `key_id`. Options: algorithm, aad, iv,
/// padding_mode. Response: key_id, ciphertext_blob, iv, algorithm, padding_mode, request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_encrypt(
    client: *const kmskit_client,
    key_id: *const c_char,
    plaintext: *const u8,
    len: usize,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(opts, "encrypt", CIPHER_OPTS)?;
            let req = encrypt_request(key_id, plaintext, len, o)?;
            Ok(move |c: InstanceClient| async move {
                c.encrypt(req).await.map(kmskit_response::InstanceEncrypt)
            })
        })
    }
}

/// AdvanceEncrypt: like encrypt; the ciphertext blob carries the key version and IV.
/// Response: also key_version_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_advance_encrypt(
    client: *const kmskit_client,
    key_id: *const c_char,
    plaintext: *const u8,
    len: usize,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(opts, "advance_encrypt", CIPHER_OPTS)?;
            let req = encrypt_request(key_id, plaintext, len, o)?;
            Ok(move |c: InstanceClient| async move {
                c.advance_encrypt(req)
                    .await
                    .map(kmskit_response::InstanceAdvanceEncrypt)
            })
        })
    }
}

/// Decrypt: a ciphertext blob from encrypt (bytes) under `key_id`. Options: algorithm, aad,
/// iv (the one encrypt returned), padding_mode. Response: key_id, plaintext, algorithm,
/// padding_mode, request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_decrypt(
    client: *const kmskit_client,
    key_id: *const c_char,
    ciphertext_blob: *const u8,
    len: usize,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(opts, "decrypt", CIPHER_OPTS)?;
            let mut req = ia::DecryptRequest::new(
                arg_str(key_id, "key_id")?,
                arg_bytes(ciphertext_blob, len, "ciphertext_blob")?.to_vec(),
            );
            req.algorithm = o.algorithm;
            req.aad = o.aad;
            req.iv = o.iv;
            req.padding_mode = o.padding_mode;
            Ok(move |c: InstanceClient| async move {
                c.decrypt(req).await.map(kmskit_response::InstanceDecrypt)
            })
        })
    }
}

/// AdvanceDecrypt: a blob from advance_encrypt. Options: key_id, algorithm, aad, iv,
/// padding_mode. Response: key_id, plaintext, algorithm, padding_mode, key_version_id,
/// request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_advance_decrypt(
    client: *const kmskit_client,
    ciphertext_blob: *const u8,
    len: usize,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(
                opts,
                "advance_decrypt",
                &["key_id", "algorithm", "aad", "iv", "padding_mode"],
            )?;
            let mut req = ia::AdvanceDecryptRequest::new(
                arg_bytes(ciphertext_blob, len, "ciphertext_blob")?.to_vec(),
            );
            req.key_id = o.key_id;
            req.algorithm = o.algorithm;
            req.aad = o.aad;
            req.iv = o.iv;
            req.padding_mode = o.padding_mode;
            Ok(move |c: InstanceClient| async move {
                c.advance_decrypt(req)
                    .await
                    .map(kmskit_response::InstanceDecrypt)
            })
        })
    }
}

/// Sign: `message` (`len` bytes) with `key_id` and `algorithm` ("RSA_PSS_SHA_256",
/// "ECDSA_SHA_256", "SM2DSA", ...). Options: message_type. Response: key_id, signature,
/// algorithm, message_type, request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_sign(
    client: *const kmskit_client,
    key_id: *const c_char,
    algorithm: *const c_char,
    message: *const u8,
    len: usize,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(opts, "sign", &["message_type"])?;
            let mut req = ia::SignRequest::new(
                arg_str(key_id, "key_id")?,
                arg_str(algorithm, "algorithm")?,
                arg_bytes(message, len, "message")?.to_vec(),
            );
            req.message_type = o.message_type;
            Ok(move |c: InstanceClient| async move {
                c.sign(req).await.map(kmskit_response::InstanceSign)
            })
        })
    }
}

/// Verify: `signature` over `message`. Options: message_type. Response: key_id, value
/// (kmskit_response_value), algorithm, message_type, request_id. A wrong signature is
/// success with value false.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_verify(
    client: *const kmskit_client,
    key_id: *const c_char,
    algorithm: *const c_char,
    message: *const u8,
    message_len: usize,
    signature: *const u8,
    signature_len: usize,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(opts, "verify", &["message_type"])?;
            let mut req = ia::VerifyRequest::new(
                arg_str(key_id, "key_id")?,
                arg_str(algorithm, "algorithm")?,
                arg_bytes(message, message_len, "message")?.to_vec(),
                arg_bytes(signature, signature_len, "signature")?.to_vec(),
            );
            req.message_type = o.message_type;
            Ok(move |c: InstanceClient| async move {
                c.verify(req).await.map(kmskit_response::InstanceVerify)
            })
        })
    }
}

/// GenerateRandom: `length` random bytes. Response: random, request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_generate_random(
    client: *const kmskit_client,
    length: u32,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let req = ia::GenerateRandomRequest::new(length);
            Ok(move |c: InstanceClient| async move {
                c.generate_random(req)
                    .await
                    .map(kmskit_response::InstanceRandom)
            })
        })
    }
}

/// # Safety
/// `key_id` is NULL or NUL-terminated.
unsafe fn data_key_request(
    key_id: *const c_char,
    o: kmskit_instance_options,
) -> Result<ia::GenerateDataKeyRequest> {
    // SAFETY: per the caller.
    let mut req = ia::GenerateDataKeyRequest::new(unsafe { arg_str(key_id, "key_id") }?);
    req.algorithm = o.algorithm;
    req.number_of_bytes = o.number_of_bytes;
    req.aad = o.aad;
    Ok(req)
}

/// GenerateDataKey: a data key under `key_id`. Options: algorithm, number_of_bytes, aad.
/// Response: key_id, iv, plaintext, ciphertext_blob, algorithm, request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_generate_data_key(
    client: *const kmskit_client,
    key_id: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(
                opts,
                "generate_data_key",
                &["algorithm", "number_of_bytes", "aad"],
            )?;
            let req = data_key_request(key_id, o)?;
            Ok(move |c: InstanceClient| async move {
                c.generate_data_key(req)
                    .await
                    .map(kmskit_response::InstanceDataKey)
            })
        })
    }
}

/// AdvanceGenerateDataKey: like generate_data_key; the blob carries key version and IV.
/// Options: number_of_bytes, aad. Response: also key_version_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_advance_generate_data_key(
    client: *const kmskit_client,
    key_id: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(
                opts,
                "advance_generate_data_key",
                &["number_of_bytes", "aad"],
            )?;
            let req = data_key_request(key_id, o)?;
            Ok(move |c: InstanceClient| async move {
                c.advance_generate_data_key(req)
                    .await
                    .map(kmskit_response::InstanceDataKey)
            })
        })
    }
}

/// Which of the four data key pair APIs.
#[derive(Clone, Copy)]
enum Pair {
    Plain,
    Advance,
    WithoutPlaintext,
    AdvanceWithoutPlaintext,
}

/// # Safety
/// Pointers are NULL or valid for the call.
unsafe fn pair(
    which: Pair,
    client: *const kmskit_client,
    key_id: *const c_char,
    key_pair_spec: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    let (api, allowed): (&str, &[&str]) = match which {
        Pair::Plain => (
            "generate_data_key_pair",
            &["algorithm", "key_format", "aad"],
        ),
        Pair::Advance => ("advance_generate_data_key_pair", &["key_format", "aad"]),
        Pair::WithoutPlaintext => (
            "generate_data_key_pair_without_plaintext",
            &["algorithm", "key_format", "aad"],
        ),
        Pair::AdvanceWithoutPlaintext => (
            "advance_generate_data_key_pair_without_plaintext",
            &["key_format", "aad"],
        ),
    };
    // SAFETY: per the caller.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(opts, api, allowed)?;
            let mut req = ia::GenerateDataKeyPairRequest::new(
                arg_str(key_id, "key_id")?,
                arg_str(key_pair_spec, "key_pair_spec")?,
            );
            req.algorithm = o.algorithm;
            req.key_format = o.key_format;
            req.aad = o.aad;
            Ok(move |c: InstanceClient| async move {
                match which {
                    Pair::Plain => c
                        .generate_data_key_pair(req)
                        .await
                        .map(kmskit_response::InstanceDataKeyPair),
                    Pair::Advance => c
                        .advance_generate_data_key_pair(req)
                        .await
                        .map(kmskit_response::InstanceDataKeyPair),
                    Pair::WithoutPlaintext => c
                        .generate_data_key_pair_without_plaintext(req)
                        .await
                        .map(kmskit_response::InstanceDataKeyPairWithoutPlaintext),
                    Pair::AdvanceWithoutPlaintext => c
                        .advance_generate_data_key_pair_without_plaintext(req)
                        .await
                        .map(kmskit_response::InstanceDataKeyPairWithoutPlaintext),
                }
            })
        })
    }
}

/// GenerateDataKeyPair: an asymmetric key pair (`key_pair_spec` "RSA_2048", "EC_P256", ...)
/// whose private key is encrypted under `key_id`. Options: algorithm, key_format, aad.
/// Response: key_id, iv, key_pair_spec, private_key_plaintext, private_key_ciphertext_blob,
/// public_key, algorithm, request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_generate_data_key_pair(
    client: *const kmskit_client,
    key_id: *const c_char,
    key_pair_spec: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe { pair(Pair::Plain, client, key_id, key_pair_spec, opts, out, err) }
}

/// AdvanceGenerateDataKeyPair. Options: key_format, aad. Response: as generate_data_key_pair,
/// plus key_version_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_advance_generate_data_key_pair(
    client: *const kmskit_client,
    key_id: *const c_char,
    key_pair_spec: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe { pair(Pair::Advance, client, key_id, key_pair_spec, opts, out, err) }
}

/// GenerateDataKeyPairWithoutPlaintext. Options: algorithm, key_format, aad. Response: as
/// generate_data_key_pair without private_key_plaintext.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_generate_data_key_pair_without_plaintext(
    client: *const kmskit_client,
    key_id: *const c_char,
    key_pair_spec: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        pair(
            Pair::WithoutPlaintext,
            client,
            key_id,
            key_pair_spec,
            opts,
            out,
            err,
        )
    }
}

/// AdvanceGenerateDataKeyPairWithoutPlaintext. Options: key_format, aad. Response: as
/// generate_data_key_pair_without_plaintext, plus key_version_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_advance_generate_data_key_pair_without_plaintext(
    client: *const kmskit_client,
    key_id: *const c_char,
    key_pair_spec: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        pair(
            Pair::AdvanceWithoutPlaintext,
            client,
            key_id,
            key_pair_spec,
            opts,
            out,
            err,
        )
    }
}

/// GetPublicKey of an asymmetric key. Response: key_id, public_key (PEM text), request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_get_public_key(
    client: *const kmskit_client,
    key_id: *const c_char,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let req = ia::GetPublicKeyRequest::new(arg_str(key_id, "key_id")?);
            Ok(move |c: InstanceClient| async move {
                c.get_public_key(req)
                    .await
                    .map(kmskit_response::InstancePublicKey)
            })
        })
    }
}

/// GetSecretValue. Options: version_stage, version_id, fetch_extended_config. Response: the
/// secret_* fields, version_id, the version stages, create_time, the rotation fields and
/// extended_config (NULL when absent), request_id.
///
/// # Safety
/// Pointers are NULL or valid for the call.
#[no_mangle]
pub unsafe extern "C" fn kmskit_client_instance_get_secret_value(
    client: *const kmskit_client,
    secret_name: *const c_char,
    opts: *const kmskit_instance_options,
    out: *mut *mut kmskit_response,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        call(client, out, err, || {
            let o = kmskit_instance_options::take(
                opts,
                "get_secret_value",
                &["version_stage", "version_id", "fetch_extended_config"],
            )?;
            let mut req = ia::GetSecretValueRequest::new(arg_str(secret_name, "secret_name")?);
            req.version_stage = o.version_stage;
            req.version_id = o.version_id;
            req.fetch_extended_config = o.fetch_extended_config.unwrap_or(false);
            Ok(move |c: InstanceClient| async move {
                c.get_secret_value(req)
                    .await
                    .map(kmskit_response::InstanceSecret)
            })
        })
    }
}
