//! `client.instance`: the dedicated gateway's Instance API, one method per API with keyword
//! options and bytes in and out. `InstanceClient` blocks (the GIL released while it waits);
//! `AsyncInstanceClient` (in `instance_async.rs`) has the same methods as coroutines. Both go
//! through the client's `Shared` state, so they follow it across `fork()`.

use crate::call::{block_on, Shared};
use crate::errors::to_py_err;
use crate::instance_types::{
    AdvanceEncryptResponse, GenerateDataKeyPairResponse,
    GenerateDataKeyPairWithoutPlaintextResponse, GenerateRandomResponse, GetPublicKeyResponse,
    InstanceDecryptResponse, InstanceEncryptResponse, InstanceGenerateDataKeyResponse,
    InstanceGetSecretValueResponse, SignResponse, VerifyResponse,
};
use kmskit::instance_api::{
    AdvanceDecryptRequest, DecryptRequest, EncryptRequest, GenerateDataKeyPairRequest,
    GenerateDataKeyRequest, GenerateRandomRequest, GetPublicKeyRequest, GetSecretValueRequest,
    SignRequest, VerifyRequest,
};
use pyo3::prelude::*;

pub(crate) use crate::instance_async::AsyncInstanceClient;

/// The names of the Instance API operations of the core (`INSTANCE_OPERATIONS`); each one's
/// snake_case form is a method of `client.instance`.
#[pyfunction]
pub(crate) fn core_instance_operations() -> Vec<&'static str> {
    kmskit::instance_api::INSTANCE_OPERATIONS.to_vec()
}

/// Checks that the client has a ClientKey, with the core's own error when it has none.
pub(crate) fn instance_view(shared: &Shared) -> PyResult<Shared> {
    shared
        .client()
        .and_then(|c| c.instance())
        .map_err(to_py_err)?;
    Ok(shared.clone_handle())
}

fn bytes(b: Option<&[u8]>) -> Option<Vec<u8>> {
    b.map(<[u8]>::to_vec)
}

/// Counts outside `u32` are never valid; `u32::MAX` lets the core's range check refuse them.
fn count(n: Option<i64>) -> Option<u32> {
    n.map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) fn encrypt_request(
    key_id: String,
    plaintext: &[u8],
    algorithm: Option<String>,
    aad: Option<&[u8]>,
    iv: Option<&[u8]>,
    padding_mode: Option<String>,
) -> EncryptRequest {
    EncryptRequest {
        algorithm,
        aad: bytes(aad),
        iv: bytes(iv),
        padding_mode,
        ..EncryptRequest::new(key_id, plaintext)
    }
}

pub(crate) fn decrypt_request(
    key_id: String,
    ciphertext_blob: &[u8],
    algorithm: Option<String>,
    aad: Option<&[u8]>,
    iv: Option<&[u8]>,
    padding_mode: Option<String>,
) -> DecryptRequest {
    DecryptRequest {
        algorithm,
        aad: bytes(aad),
        iv: bytes(iv),
        padding_mode,
        ..DecryptRequest::new(key_id, ciphertext_blob)
    }
}

pub(crate) fn advance_decrypt_request(
    ciphertext_blob: &[u8],
    key_id: Option<String>,
    algorithm: Option<String>,
    aad: Option<&[u8]>,
    iv: Option<&[u8]>,
    padding_mode: Option<String>,
) -> AdvanceDecryptRequest {
    AdvanceDecryptRequest {
        key_id,
        algorithm,
        aad: bytes(aad),
        iv: bytes(iv),
        padding_mode,
        ..AdvanceDecryptRequest::new(ciphertext_blob)
    }
}

pub(crate) fn data_key_request(
    key_id: String,
    algorithm: Option<String>,
    number_of_bytes: Option<i64>,
    aad: Option<&[u8]>,
) -> GenerateDataKeyRequest {
    GenerateDataKeyRequest {
        algorithm,
        number_of_bytes: count(number_of_bytes),
        aad: bytes(aad),
        ..GenerateDataKeyRequest::new(key_id)
    }
}

pub(crate) fn pair_request(
    key_id: String,
    key_pair_spec: String,
    algorithm: Option<String>,
    key_format: Option<String>,
    aad: Option<&[u8]>,
) -> GenerateDataKeyPairRequest {
    GenerateDataKeyPairRequest {
        algorithm,
        key_format,
        aad: bytes(aad),
        ..GenerateDataKeyPairRequest::new(key_id, key_pair_spec)
    }
}

/// `client.instance` of a blocking `Client`.
#[pyclass(frozen, module = "kmskit")]
pub struct InstanceClient {
    shared: Shared,
}

impl InstanceClient {
    pub(crate) fn new(shared: &Shared) -> PyResult<Self> {
        Ok(InstanceClient {
            shared: instance_view(shared)?,
        })
    }
}

#[pymethods]
impl InstanceClient {
    #[pyo3(signature = (key_id, plaintext, *, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn encrypt(
        &self,
        py: Python<'_>,
        key_id: String,
        plaintext: &[u8],
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<InstanceEncryptResponse> {
        let req = encrypt_request(key_id, plaintext, algorithm, aad, iv, padding_mode);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.encrypt(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, ciphertext_blob, *, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn decrypt(
        &self,
        py: Python<'_>,
        key_id: String,
        ciphertext_blob: &[u8],
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<InstanceDecryptResponse> {
        let req = decrypt_request(key_id, ciphertext_blob, algorithm, aad, iv, padding_mode);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.decrypt(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, plaintext, *, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_encrypt(
        &self,
        py: Python<'_>,
        key_id: String,
        plaintext: &[u8],
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<AdvanceEncryptResponse> {
        let req = encrypt_request(key_id, plaintext, algorithm, aad, iv, padding_mode);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.advance_encrypt(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (ciphertext_blob, *, key_id=None, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_decrypt(
        &self,
        py: Python<'_>,
        ciphertext_blob: &[u8],
        key_id: Option<String>,
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<InstanceDecryptResponse> {
        let req =
            advance_decrypt_request(ciphertext_blob, key_id, algorithm, aad, iv, padding_mode);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.advance_decrypt(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, algorithm, message, *, message_type=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        key_id: String,
        algorithm: String,
        message: &[u8],
        message_type: Option<String>,
    ) -> PyResult<SignResponse> {
        let req = SignRequest {
            message_type,
            ..SignRequest::new(key_id, algorithm, message.to_vec())
        };
        block_on(py, &self.shared, |c| async move {
            c.instance()?.sign(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, algorithm, message, signature, *, message_type=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        py: Python<'_>,
        key_id: String,
        algorithm: String,
        message: &[u8],
        signature: &[u8],
        message_type: Option<String>,
    ) -> PyResult<VerifyResponse> {
        let req = VerifyRequest {
            message_type,
            ..VerifyRequest::new(key_id, algorithm, message.to_vec(), signature.to_vec())
        };
        block_on(py, &self.shared, |c| async move {
            c.instance()?.verify(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (length))]
    #[allow(clippy::too_many_arguments)]
    fn generate_random(&self, py: Python<'_>, length: i64) -> PyResult<GenerateRandomResponse> {
        let req = GenerateRandomRequest::new(u32::try_from(length).unwrap_or(0));
        block_on(py, &self.shared, |c| async move {
            c.instance()?.generate_random(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, *, algorithm=None, number_of_bytes=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_data_key(
        &self,
        py: Python<'_>,
        key_id: String,
        algorithm: Option<String>,
        number_of_bytes: Option<i64>,
        aad: Option<&[u8]>,
    ) -> PyResult<InstanceGenerateDataKeyResponse> {
        let req = data_key_request(key_id, algorithm, number_of_bytes, aad);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.generate_data_key(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, *, number_of_bytes=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_generate_data_key(
        &self,
        py: Python<'_>,
        key_id: String,
        number_of_bytes: Option<i64>,
        aad: Option<&[u8]>,
    ) -> PyResult<InstanceGenerateDataKeyResponse> {
        let req = data_key_request(key_id, None, number_of_bytes, aad);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.advance_generate_data_key(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, algorithm=None, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_data_key_pair(
        &self,
        py: Python<'_>,
        key_id: String,
        key_pair_spec: String,
        algorithm: Option<String>,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<GenerateDataKeyPairResponse> {
        let req = pair_request(key_id, key_pair_spec, algorithm, key_format, aad);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.generate_data_key_pair(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_generate_data_key_pair(
        &self,
        py: Python<'_>,
        key_id: String,
        key_pair_spec: String,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<GenerateDataKeyPairResponse> {
        let req = pair_request(key_id, key_pair_spec, None, key_format, aad);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.advance_generate_data_key_pair(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, algorithm=None, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_data_key_pair_without_plaintext(
        &self,
        py: Python<'_>,
        key_id: String,
        key_pair_spec: String,
        algorithm: Option<String>,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<GenerateDataKeyPairWithoutPlaintextResponse> {
        let req = pair_request(key_id, key_pair_spec, algorithm, key_format, aad);
        block_on(py, &self.shared, |c| async move {
            c.instance()?
                .generate_data_key_pair_without_plaintext(req)
                .await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_generate_data_key_pair_without_plaintext(
        &self,
        py: Python<'_>,
        key_id: String,
        key_pair_spec: String,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<GenerateDataKeyPairWithoutPlaintextResponse> {
        let req = pair_request(key_id, key_pair_spec, None, key_format, aad);
        block_on(py, &self.shared, |c| async move {
            c.instance()?
                .advance_generate_data_key_pair_without_plaintext(req)
                .await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (key_id))]
    #[allow(clippy::too_many_arguments)]
    fn get_public_key(&self, py: Python<'_>, key_id: String) -> PyResult<GetPublicKeyResponse> {
        let req = GetPublicKeyRequest::new(key_id);
        block_on(py, &self.shared, |c| async move {
            c.instance()?.get_public_key(req).await
        })
        .map(Into::into)
    }

    #[pyo3(signature = (secret_name, *, version_stage=None, version_id=None, fetch_extended_config=None))]
    #[allow(clippy::too_many_arguments)]
    fn get_secret_value(
        &self,
        py: Python<'_>,
        secret_name: String,
        version_stage: Option<String>,
        version_id: Option<String>,
        fetch_extended_config: Option<bool>,
    ) -> PyResult<InstanceGetSecretValueResponse> {
        let req = GetSecretValueRequest {
            version_stage,
            version_id,
            fetch_extended_config: fetch_extended_config.unwrap_or(false),
            ..GetSecretValueRequest::new(secret_name)
        };
        block_on(py, &self.shared, |c| async move {
            c.instance()?.get_secret_value(req).await
        })
        .map(Into::into)
    }
    fn __repr__(&self) -> String {
        instance_repr("InstanceClient", &self.shared)
    }
}

pub(crate) fn instance_repr(class: &str, shared: &Shared) -> String {
    let config = &shared.config;
    match (config.instance_endpoint(), config.client_key()) {
        (Some(e), Some(k)) => format!(
            "{class}(endpoint={:?}, client_key_id={:?})",
            e.base_url(),
            k.key_id()
        ),
        _ => format!("{class}()"),
    }
}
