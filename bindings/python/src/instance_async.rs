//! `AsyncClient.instance`: the Instance API methods of `instance.rs` as coroutines.

use crate::call::{spawn, Shared};
use crate::instance::{
    advance_decrypt_request, data_key_request, decrypt_request, encrypt_request, instance_repr,
    instance_view, pair_request,
};
use crate::instance_types::{
    AdvanceEncryptResponse, GenerateDataKeyPairResponse,
    GenerateDataKeyPairWithoutPlaintextResponse, GenerateRandomResponse, GetPublicKeyResponse,
    InstanceDecryptResponse, InstanceEncryptResponse, InstanceGenerateDataKeyResponse,
    InstanceGetSecretValueResponse, SignResponse, VerifyResponse,
};
use kmskit::instance_api::{
    GenerateRandomRequest, GetPublicKeyRequest, GetSecretValueRequest, SignRequest, VerifyRequest,
};
use pyo3::prelude::*;

/// `client.instance` of an `AsyncClient`: every method returns a coroutine.
#[pyclass(frozen, module = "kmskit")]
pub struct AsyncInstanceClient {
    shared: Shared,
}

impl AsyncInstanceClient {
    pub(crate) fn new(shared: &Shared) -> PyResult<Self> {
        Ok(AsyncInstanceClient {
            shared: instance_view(shared)?,
        })
    }
}

#[pymethods]
impl AsyncInstanceClient {
    #[pyo3(signature = (key_id, plaintext, *, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn encrypt<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        plaintext: &[u8],
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = encrypt_request(key_id, plaintext, algorithm, aad, iv, padding_mode);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.encrypt(req).await },
            InstanceEncryptResponse::from,
        )
    }

    #[pyo3(signature = (key_id, ciphertext_blob, *, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        ciphertext_blob: &[u8],
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = decrypt_request(key_id, ciphertext_blob, algorithm, aad, iv, padding_mode);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.decrypt(req).await },
            InstanceDecryptResponse::from,
        )
    }

    #[pyo3(signature = (key_id, plaintext, *, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_encrypt<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        plaintext: &[u8],
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = encrypt_request(key_id, plaintext, algorithm, aad, iv, padding_mode);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.advance_encrypt(req).await },
            AdvanceEncryptResponse::from,
        )
    }

    #[pyo3(signature = (ciphertext_blob, *, key_id=None, algorithm=None, aad=None, iv=None, padding_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_decrypt<'py>(
        &self,
        py: Python<'py>,
        ciphertext_blob: &[u8],
        key_id: Option<String>,
        algorithm: Option<String>,
        aad: Option<&[u8]>,
        iv: Option<&[u8]>,
        padding_mode: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req =
            advance_decrypt_request(ciphertext_blob, key_id, algorithm, aad, iv, padding_mode);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.advance_decrypt(req).await },
            InstanceDecryptResponse::from,
        )
    }

    #[pyo3(signature = (key_id, algorithm, message, *, message_type=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        algorithm: String,
        message: &[u8],
        message_type: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = SignRequest {
            message_type,
            ..SignRequest::new(key_id, algorithm, message.to_vec())
        };
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.sign(req).await },
            SignResponse::from,
        )
    }

    #[pyo3(signature = (key_id, algorithm, message, signature, *, message_type=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        algorithm: String,
        message: &[u8],
        signature: &[u8],
        message_type: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = VerifyRequest {
            message_type,
            ..VerifyRequest::new(key_id, algorithm, message.to_vec(), signature.to_vec())
        };
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.verify(req).await },
            VerifyResponse::from,
        )
    }

    #[pyo3(signature = (length))]
    #[allow(clippy::too_many_arguments)]
    fn generate_random<'py>(&self, py: Python<'py>, length: i64) -> PyResult<Bound<'py, PyAny>> {
        let req = GenerateRandomRequest::new(u32::try_from(length).unwrap_or(0));
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.generate_random(req).await },
            GenerateRandomResponse::from,
        )
    }

    #[pyo3(signature = (key_id, *, algorithm=None, number_of_bytes=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_data_key<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        algorithm: Option<String>,
        number_of_bytes: Option<i64>,
        aad: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = data_key_request(key_id, algorithm, number_of_bytes, aad);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.generate_data_key(req).await },
            InstanceGenerateDataKeyResponse::from,
        )
    }

    #[pyo3(signature = (key_id, *, number_of_bytes=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_generate_data_key<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        number_of_bytes: Option<i64>,
        aad: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = data_key_request(key_id, None, number_of_bytes, aad);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.advance_generate_data_key(req).await },
            InstanceGenerateDataKeyResponse::from,
        )
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, algorithm=None, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_data_key_pair<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        key_pair_spec: String,
        algorithm: Option<String>,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = pair_request(key_id, key_pair_spec, algorithm, key_format, aad);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.generate_data_key_pair(req).await },
            GenerateDataKeyPairResponse::from,
        )
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_generate_data_key_pair<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        key_pair_spec: String,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = pair_request(key_id, key_pair_spec, None, key_format, aad);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.advance_generate_data_key_pair(req).await },
            GenerateDataKeyPairResponse::from,
        )
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, algorithm=None, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_data_key_pair_without_plaintext<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        key_pair_spec: String,
        algorithm: Option<String>,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = pair_request(key_id, key_pair_spec, algorithm, key_format, aad);
        spawn(
            py,
            &self.shared,
            |c| async move {
                c.instance()?
                    .generate_data_key_pair_without_plaintext(req)
                    .await
            },
            GenerateDataKeyPairWithoutPlaintextResponse::from,
        )
    }

    #[pyo3(signature = (key_id, key_pair_spec, *, key_format=None, aad=None))]
    #[allow(clippy::too_many_arguments)]
    fn advance_generate_data_key_pair_without_plaintext<'py>(
        &self,
        py: Python<'py>,
        key_id: String,
        key_pair_spec: String,
        key_format: Option<String>,
        aad: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = pair_request(key_id, key_pair_spec, None, key_format, aad);
        spawn(
            py,
            &self.shared,
            |c| async move {
                c.instance()?
                    .advance_generate_data_key_pair_without_plaintext(req)
                    .await
            },
            GenerateDataKeyPairWithoutPlaintextResponse::from,
        )
    }

    #[pyo3(signature = (key_id))]
    #[allow(clippy::too_many_arguments)]
    fn get_public_key<'py>(&self, py: Python<'py>, key_id: String) -> PyResult<Bound<'py, PyAny>> {
        let req = GetPublicKeyRequest::new(key_id);
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.get_public_key(req).await },
            GetPublicKeyResponse::from,
        )
    }

    #[pyo3(signature = (secret_name, *, version_stage=None, version_id=None, fetch_extended_config=None))]
    #[allow(clippy::too_many_arguments)]
    fn get_secret_value<'py>(
        &self,
        py: Python<'py>,
        secret_name: String,
        version_stage: Option<String>,
        version_id: Option<String>,
        fetch_extended_config: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = GetSecretValueRequest {
            version_stage,
            version_id,
            fetch_extended_config: fetch_extended_config.unwrap_or(false),
            ..GetSecretValueRequest::new(secret_name)
        };
        spawn(
            py,
            &self.shared,
            |c| async move { c.instance()?.get_secret_value(req).await },
            InstanceGetSecretValueResponse::from,
        )
    }
    fn __repr__(&self) -> String {
        instance_repr("AsyncInstanceClient", &self.shared)
    }
}
