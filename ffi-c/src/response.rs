//! `kmskit_response`: the result of one typed operation, read through accessors. Each accessor
//! copies one field into a new `kmskit_buffer` the caller owns (so values outlive the response,
//! and plaintexts and secret values are wiped when their buffer is freed). Asking for a field
//! the operation does not return is 1001; a field the operation returns but the service left
//! out (e.g. AutomaticRotation) is success with `*out = NULL`.

use crate::boundary::{arg_ref, check_out, free_box, give, or_default, run};
use crate::buffer::kmskit_buffer;
use crate::error::kmskit_result;
use kmskit_core::instance_api as ia;
use kmskit_core::{
    DecryptResponse, EncryptResponse, Error, GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextResponse, GetSecretValueResponse, Result,
};
use std::ptr;

/// The result of kmskit_client_encrypt, _decrypt, _generate_data_key,
/// _generate_data_key_without_plaintext, _get_secret_value or of a kmskit_client_instance_*
/// function. Free with kmskit_response_free. Immutable: may be read from several threads.
pub enum kmskit_response {
    Encrypt(EncryptResponse),
    Decrypt(DecryptResponse),
    DataKey(GenerateDataKeyResponse),
    DataKeyWithoutPlaintext(GenerateDataKeyWithoutPlaintextResponse),
    Secret(GetSecretValueResponse),
    // The Instance API's (binary fields are raw bytes there, not base64).
    InstanceEncrypt(ia::EncryptResponse),
    InstanceAdvanceEncrypt(ia::AdvanceEncryptResponse),
    InstanceDecrypt(ia::DecryptResponse),
    InstanceSign(ia::SignResponse),
    InstanceVerify(ia::VerifyResponse),
    InstanceRandom(ia::GenerateRandomResponse),
    InstanceDataKey(ia::GenerateDataKeyResponse),
    InstanceDataKeyPair(ia::GenerateDataKeyPairResponse),
    InstanceDataKeyPairWithoutPlaintext(ia::GenerateDataKeyPairWithoutPlaintextResponse),
    InstancePublicKey(ia::GetPublicKeyResponse),
    InstanceSecret(ia::GetSecretValueResponse),
}

/// Frees a response (its plaintext or secret value is wiped). NULL is a no-op. Buffers taken
/// from it stay valid.
///
/// # Safety
/// `resp` is NULL or a response not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_free(resp: *mut kmskit_response) {
    // SAFETY: per the contract above.
    or_default((), || unsafe { free_box(resp) })
}

/// `None`: the operation has no such field; `Some(None)`: absent in this answer.
pub(crate) type Pick = for<'a> fn(&'a kmskit_response) -> Option<Option<&'a [u8]>>;

pub(crate) fn field(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
    name: &str,
    pick: Pick,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        // SAFETY: the accessors' contract: NULL or a live response.
        let r = unsafe { arg_ref(resp, "resp") }?;
        check_out(out, "out")?;
        let value = pick(r).ok_or_else(|| not_here(name))?;
        match value {
            // SAFETY: checked above.
            Some(bytes) => unsafe { give(out, kmskit_buffer::new(bytes)) },
            // SAFETY: checked above; success with "absent".
            None => unsafe { out.write(ptr::null_mut()) },
        }
        Ok(())
    })
}

fn not_here(name: &str) -> Error {
    Error::invalid_argument(format!("this operation's response has no {name}"))
}

pub(crate) fn s(v: &str) -> Option<Option<&[u8]>> {
    Some(Some(v.as_bytes()))
}

pub(crate) fn b(v: &[u8]) -> Option<Option<&[u8]>> {
    Some(Some(v))
}

/// The Instance API leaves a field out as "": absent.
pub(crate) fn ne(v: &str) -> Option<Option<&[u8]>> {
    Some((!v.is_empty()).then_some(v.as_bytes()))
}

fn opt(v: &Option<String>) -> Option<Option<&[u8]>> {
    Some(v.as_deref().map(str::as_bytes))
}

/// CiphertextBlob of encrypt, generate_data_key and generate_data_key_without_plaintext
/// (base64 text), and of the Instance API's encrypt, advance_encrypt and the data key
/// operations (raw bytes).
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_ciphertext_blob(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "ciphertext_blob", |r| match r {
        kmskit_response::Encrypt(x) => s(&x.ciphertext_blob),
        kmskit_response::DataKey(x) => s(&x.ciphertext_blob),
        kmskit_response::DataKeyWithoutPlaintext(x) => s(&x.ciphertext_blob),
        kmskit_response::InstanceEncrypt(x) => b(&x.ciphertext_blob),
        kmskit_response::InstanceAdvanceEncrypt(x) => b(&x.ciphertext_blob),
        kmskit_response::InstanceDataKey(x) => b(&x.ciphertext_blob),
        _ => None,
    })
}

/// KeyId of the encrypt, decrypt and data key operations.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_key_id(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "key_id", |r| match r {
        kmskit_response::Encrypt(x) => s(&x.key_id),
        kmskit_response::Decrypt(x) => s(&x.key_id),
        kmskit_response::DataKey(x) => s(&x.key_id),
        kmskit_response::DataKeyWithoutPlaintext(x) => s(&x.key_id),
        kmskit_response::InstanceEncrypt(x) => s(&x.key_id),
        kmskit_response::InstanceAdvanceEncrypt(x) => s(&x.key_id),
        kmskit_response::InstanceDecrypt(x) => s(&x.key_id),
        kmskit_response::InstanceSign(x) => s(&x.key_id),
        kmskit_response::InstanceVerify(x) => s(&x.key_id),
        kmskit_response::InstanceDataKey(x) => s(&x.key_id),
        kmskit_response::InstanceDataKeyPair(x) => s(&x.key_id),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => s(&x.key_id),
        kmskit_response::InstancePublicKey(x) => s(&x.key_id),
        _ => None,
    })
}

/// KeyVersionId of the encrypt, decrypt and data key operations.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_key_version_id(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "key_version_id", |r| match r {
        kmskit_response::Encrypt(x) => s(&x.key_version_id),
        kmskit_response::Decrypt(x) => s(&x.key_version_id),
        kmskit_response::DataKey(x) => s(&x.key_version_id),
        kmskit_response::DataKeyWithoutPlaintext(x) => s(&x.key_version_id),
        kmskit_response::InstanceAdvanceEncrypt(x) => ne(&x.key_version_id),
        kmskit_response::InstanceDecrypt(x) => ne(&x.key_version_id),
        kmskit_response::InstanceDataKey(x) => ne(&x.key_version_id),
        kmskit_response::InstanceDataKeyPair(x) => ne(&x.key_version_id),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => ne(&x.key_version_id),
        _ => None,
    })
}

/// The service's RequestId (every operation).
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_request_id(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "request_id", |r| match r {
        kmskit_response::Encrypt(x) => s(&x.request_id),
        kmskit_response::Decrypt(x) => s(&x.request_id),
        kmskit_response::DataKey(x) => s(&x.request_id),
        kmskit_response::DataKeyWithoutPlaintext(x) => s(&x.request_id),
        kmskit_response::Secret(x) => s(&x.request_id),
        kmskit_response::InstanceEncrypt(x) => s(&x.request_id),
        kmskit_response::InstanceAdvanceEncrypt(x) => s(&x.request_id),
        kmskit_response::InstanceDecrypt(x) => s(&x.request_id),
        kmskit_response::InstanceSign(x) => s(&x.request_id),
        kmskit_response::InstanceVerify(x) => s(&x.request_id),
        kmskit_response::InstanceRandom(x) => s(&x.request_id),
        kmskit_response::InstanceDataKey(x) => s(&x.request_id),
        kmskit_response::InstanceDataKeyPair(x) => s(&x.request_id),
        kmskit_response::InstanceDataKeyPairWithoutPlaintext(x) => s(&x.request_id),
        kmskit_response::InstancePublicKey(x) => s(&x.request_id),
        kmskit_response::InstanceSecret(x) => s(&x.request_id),
    })
}

/// The plaintext bytes of decrypt (both APIs), or the data key of generate_data_key (both
/// APIs). Secret: the buffer is wiped by kmskit_buffer_free.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_plaintext(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "plaintext", |r| match r {
        kmskit_response::Decrypt(x) => Some(Some(x.plaintext.expose())),
        kmskit_response::DataKey(x) => Some(Some(x.plaintext.expose())),
        kmskit_response::InstanceDecrypt(x) => b(x.plaintext.expose()),
        kmskit_response::InstanceDataKey(x) => b(x.plaintext.expose()),
        _ => None,
    })
}

/// SecretData of get_secret_value. Secret: the buffer is wiped by kmskit_buffer_free.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_secret_data(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "secret_data", |r| match r {
        kmskit_response::Secret(x) => s(x.secret_data.expose()),
        kmskit_response::InstanceSecret(x) => s(x.secret_data.expose()),
        _ => None,
    })
}

/// SecretName of get_secret_value.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_secret_name(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "secret_name", |r| match r {
        kmskit_response::Secret(x) => s(&x.secret_name),
        kmskit_response::InstanceSecret(x) => s(&x.secret_name),
        _ => None,
    })
}

/// SecretType of get_secret_value (e.g. "Generic").
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_secret_type(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "secret_type", |r| match r {
        kmskit_response::Secret(x) => s(&x.secret_type),
        kmskit_response::InstanceSecret(x) => s(&x.secret_type),
        _ => None,
    })
}

/// SecretDataType of get_secret_value ("text" or "binary").
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_secret_data_type(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "secret_data_type", |r| match r {
        kmskit_response::Secret(x) => s(&x.secret_data_type),
        kmskit_response::InstanceSecret(x) => s(&x.secret_data_type),
        _ => None,
    })
}

/// VersionId of get_secret_value.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_version_id(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "version_id", |r| match r {
        kmskit_response::Secret(x) => s(&x.version_id),
        kmskit_response::InstanceSecret(x) => s(&x.version_id),
        _ => None,
    })
}

/// CreateTime of get_secret_value.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_create_time(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "create_time", |r| match r {
        kmskit_response::Secret(x) => s(&x.create_time),
        kmskit_response::InstanceSecret(x) => s(&x.create_time),
        _ => None,
    })
}

/// AutomaticRotation of get_secret_value, or `*out = NULL` when absent.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_automatic_rotation(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "automatic_rotation", |r| match r {
        kmskit_response::Secret(x) => opt(&x.automatic_rotation),
        kmskit_response::InstanceSecret(x) => ne(&x.automatic_rotation),
        _ => None,
    })
}

/// RotationInterval of get_secret_value, or `*out = NULL` when absent.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_rotation_interval(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "rotation_interval", |r| match r {
        kmskit_response::Secret(x) => opt(&x.rotation_interval),
        kmskit_response::InstanceSecret(x) => ne(&x.rotation_interval),
        _ => None,
    })
}

/// LastRotationDate of get_secret_value, or `*out = NULL` when absent.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_last_rotation_date(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "last_rotation_date", |r| match r {
        kmskit_response::Secret(x) => opt(&x.last_rotation_date),
        kmskit_response::InstanceSecret(x) => ne(&x.last_rotation_date),
        _ => None,
    })
}

/// NextRotationDate of get_secret_value, or `*out = NULL` when absent.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_next_rotation_date(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "next_rotation_date", |r| match r {
        kmskit_response::Secret(x) => opt(&x.next_rotation_date),
        kmskit_response::InstanceSecret(x) => ne(&x.next_rotation_date),
        _ => None,
    })
}

/// ExtendedConfig (JSON text) of get_secret_value, or `*out = NULL` when absent.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_extended_config(
    resp: *const kmskit_response,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    field(resp, out, "extended_config", |r| match r {
        kmskit_response::Secret(x) => opt(&x.extended_config),
        kmskit_response::InstanceSecret(x) => ne(&x.extended_config),
        _ => None,
    })
}

fn stages<'a>(resp: *const kmskit_response) -> Result<&'a [String]> {
    // SAFETY: the accessors' contract; the slice is only used while the response lives.
    match unsafe { arg_ref(resp, "resp") }? {
        kmskit_response::Secret(x) => Ok(x.version_stages.as_slice()),
        kmskit_response::InstanceSecret(x) => Ok(x.version_stages.as_slice()),
        _ => Err(not_here("version stages")),
    }
}

/// The number of version stages of a get_secret_value response; 0 for NULL or another
/// operation's response.
///
/// # Safety
/// `resp` is NULL or a live response.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_version_stage_count(
    resp: *const kmskit_response,
) -> usize {
    or_default(0, || stages(resp).map_or(0, <[String]>::len))
}

/// Version stage number `index` (e.g. "ACSCurrent") of a get_secret_value response; 1001 when
/// `index` is out of range.
///
/// # Safety
/// `resp` is NULL or a live response; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_response_version_stage(
    resp: *const kmskit_response,
    index: usize,
    out: *mut *mut kmskit_buffer,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        let all = stages(resp)?;
        check_out(out, "out")?;
        let stage = all
            .get(index)
            .ok_or_else(|| Error::invalid_argument("version stage index out of range"))?;
        // SAFETY: checked above.
        unsafe { give(out, kmskit_buffer::new(stage.as_bytes())) };
        Ok(())
    })
}
