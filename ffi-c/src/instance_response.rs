//! Accessors of the Instance API's response fields that the shared API's responses do not have
//! (response.rs holds the common ones: key_id, ciphertext_blob, plaintext, request_id, ...).
//! Same rules: a new buffer per call, 1001 for a field the operation does not return, success
//! with `*out = NULL` for one the gateway left out.

use crate::boundary::{arg_ref, run};
use crate::buffer::kmskit_buffer;
use crate::error::kmskit_result;
use crate::response::{b, field, kmskit_response, ne, s};
use kmskit_core::Error;
use std::ptr;

/// The IV of the Instance API's encrypt, advance_encrypt and data key operations (bytes).
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_iv(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "iv", |r| match r {
        kmskit_response::InstanceEncrypt(x) => b(&x.iv),
        kmskit_response::InstanceAdvanceEncrypt(x) => b(&x.iv),
        kmskit_response::InstanceDataKey(x) => b(&x.iv),
        kmskit_response::InstanceDataKeyPair(x) => b(&x.iv),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => b(&x.iv),
        _ => None,
    })
}

/// The algorithm of the Instance API's encrypt, decrypt (both forms), sign, verify and data
/// key operations.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_algorithm(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "algorithm", |r| match r {
        kmskit_response::InstanceEncrypt(x) => ne(&x.algorithm),
        kmskit_response::InstanceAdvanceEncrypt(x) => ne(&x.algorithm),
        kmskit_response::InstanceDecrypt(x) => ne(&x.algorithm),
        kmskit_response::InstanceSign(x) => ne(&x.algorithm),
        kmskit_response::InstanceVerify(x) => ne(&x.algorithm),
        kmskit_response::InstanceDataKey(x) => ne(&x.algorithm),
        kmskit_response::InstanceDataKeyPair(x) => ne(&x.algorithm),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => ne(&x.algorithm),
        _ => None,
    })
}

/// The padding mode of the Instance API's encrypt and decrypt (both forms).
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_padding_mode(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "padding_mode", |r| match r {
        kmskit_response::InstanceEncrypt(x) => ne(&x.padding_mode),
        kmskit_response::InstanceAdvanceEncrypt(x) => ne(&x.padding_mode),
        kmskit_response::InstanceDecrypt(x) => ne(&x.padding_mode),
        _ => None,
    })
}

/// The signature of the Instance API's sign (bytes).
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_signature(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "signature", |r| match r {
        kmskit_response::InstanceSign(x) => b(&x.signature),
        _ => None,
    })
}

/// The message type ("RAW" or "DIGEST") of the Instance API's sign and verify.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_message_type(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "message_type", |r| match r {
        kmskit_response::InstanceSign(x) => ne(&x.message_type),
        kmskit_response::InstanceVerify(x) => ne(&x.message_type),
        _ => None,
    })
}

/// The random bytes of the Instance API's generate_random. Secret: wiped by
/// kmskit_buffer_free.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_random(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "random", |r| match r {
        kmskit_response::InstanceRandom(x) => b(x.random.expose()),
        _ => None,
    })
}

/// The public key: PEM text for the Instance API's get_public_key; PEM or DER bytes (per
/// key_format) for the data key pair operations.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_public_key(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "public_key", |r| match r {
        kmskit_response::InstancePublicKey(x) => s(&x.public_key),
        kmskit_response::InstanceDataKeyPair(x) => b(&x.public_key),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => b(&x.public_key),
        _ => None,
    })
}

/// The key pair spec of the data key pair operations (e.g. "RSA_2048").
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_key_pair_spec(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "key_pair_spec", |r| match r {
        kmskit_response::InstanceDataKeyPair(x) => s(&x.key_pair_spec),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => s(&x.key_pair_spec),
        _ => None,
    })
}

/// The private key of generate_data_key_pair and its advance form (PEM or DER bytes).
/// Secret: wiped by kmskit_buffer_free.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_private_key_plaintext(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "private_key_plaintext", |r| match r {
        kmskit_response::InstanceDataKeyPair(x) => b(x.private_key_plaintext.expose()),
        _ => None,
    })
}

/// The encrypted private key of the data key pair operations (bytes).
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_private_key_ciphertext_blob(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "private_key_ciphertext_blob", |r| match r {
        kmskit_response::InstanceDataKeyPair(x) => b(&x.private_key_ciphertext_blob),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => {
            b(&x.private_key_ciphertext_blob)
        }
        _ => None,
    })
}

/// Whether the signature is valid, of the Instance API's verify: `*out` is written on success.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_value(
    resp: *const kmskit_response,
    out: *mut bool,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        // SAFETY: per the contract above.
        let r = unsafe { arg_ref(resp, "resp") }?;
        if out.is_null() {
            return Err(Error::invalid_argument("out is NULL"));
        }
        match r {
            // SAFETY: `out` is non-NULL and writable per the contract.
            kmskit_response::InstanceVerify(x) => unsafe { out.write(x.value) },
            _ => {
                return Err(Error::invalid_argument(
                    "this operation's response has no value",
                ))
            }
        }
        Ok(())
    })
}
