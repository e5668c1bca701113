//! The results of the Instance API (`client.instance.*`), frozen, every field of the core's
//! response. Binary fields are `bytes`. Plaintexts, random bytes, private keys and secret values
//! are reachable only through their attributes: reprs show ids and request ids, never them.
//!
//! Four names are prefixed with `Instance`: the shared API has results of the same name with
//! other fields (`EncryptResponse`, `DecryptResponse`, `GenerateDataKeyResponse`,
//! `GetSecretValueResponse`).

use kmskit::instance_api as core;
use kmskit::{SecretBytes, SecretString};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

fn bytes<'py>(py: Python<'py>, b: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, b)
}

/// The result of `instance.encrypt`.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct InstanceEncryptResponse {
    key_id: String,
    ciphertext_blob: Vec<u8>,
    iv: Vec<u8>,
    algorithm: String,
    padding_mode: String,
    request_id: String,
}

impl From<core::EncryptResponse> for InstanceEncryptResponse {
    fn from(r: core::EncryptResponse) -> Self {
        InstanceEncryptResponse {
            key_id: r.key_id,
            ciphertext_blob: r.ciphertext_blob,
            iv: r.iv,
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl InstanceEncryptResponse {
    fn __repr__(&self) -> String {
        format!(
            "InstanceEncryptResponse(key_id={:?}, algorithm={:?}, request_id={:?}, ciphertext_blob=<{} bytes>)",
            self.key_id,
            self.algorithm,
            self.request_id,
            self.ciphertext_blob.len()
        )
    }
}

/// The result of `instance.advance_encrypt`: a self-describing ciphertext.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct AdvanceEncryptResponse {
    key_id: String,
    ciphertext_blob: Vec<u8>,
    iv: Vec<u8>,
    algorithm: String,
    padding_mode: String,
    key_version_id: String,
    request_id: String,
}

impl From<core::AdvanceEncryptResponse> for AdvanceEncryptResponse {
    fn from(r: core::AdvanceEncryptResponse) -> Self {
        AdvanceEncryptResponse {
            key_id: r.key_id,
            ciphertext_blob: r.ciphertext_blob,
            iv: r.iv,
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl AdvanceEncryptResponse {
    fn __repr__(&self) -> String {
        format!(
            "AdvanceEncryptResponse(key_id={:?}, key_version_id={:?}, algorithm={:?}, request_id={:?}, ciphertext_blob=<{} bytes>)",
            self.key_id,
            self.key_version_id,
            self.algorithm,
            self.request_id,
            self.ciphertext_blob.len()
        )
    }
}

/// The result of `instance.decrypt` and `instance.advance_decrypt` (`key_version_id` is "" for
/// `decrypt`).
#[pyclass(frozen, module = "kmskit")]
pub struct InstanceDecryptResponse {
    plaintext: SecretBytes,
    #[pyo3(get)]
    key_id: String,
    #[pyo3(get)]
    algorithm: String,
    #[pyo3(get)]
    padding_mode: String,
    #[pyo3(get)]
    key_version_id: String,
    #[pyo3(get)]
    request_id: String,
}

impl From<core::DecryptResponse> for InstanceDecryptResponse {
    fn from(r: core::DecryptResponse) -> Self {
        InstanceDecryptResponse {
            plaintext: r.plaintext,
            key_id: r.key_id,
            algorithm: r.algorithm,
            padding_mode: r.padding_mode,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl InstanceDecryptResponse {
    #[getter]
    fn plaintext<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.plaintext.expose())
    }
    fn __repr__(&self) -> String {
        format!(
            "InstanceDecryptResponse(key_id={:?}, key_version_id={:?}, algorithm={:?}, request_id={:?}, plaintext=***)",
            self.key_id, self.key_version_id, self.algorithm, self.request_id
        )
    }
}

/// The result of `instance.sign`.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct SignResponse {
    key_id: String,
    signature: Vec<u8>,
    algorithm: String,
    message_type: String,
    request_id: String,
}

impl From<core::SignResponse> for SignResponse {
    fn from(r: core::SignResponse) -> Self {
        SignResponse {
            key_id: r.key_id,
            signature: r.signature,
            algorithm: r.algorithm,
            message_type: r.message_type,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl SignResponse {
    fn __repr__(&self) -> String {
        format!(
            "SignResponse(key_id={:?}, algorithm={:?}, message_type={:?}, request_id={:?}, signature=<{} bytes>)",
            self.key_id,
            self.algorithm,
            self.message_type,
            self.request_id,
            self.signature.len()
        )
    }
}

/// The result of `instance.verify`: `value` says whether the signature is valid.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct VerifyResponse {
    key_id: String,
    value: bool,
    algorithm: String,
    message_type: String,
    request_id: String,
}

impl From<core::VerifyResponse> for VerifyResponse {
    fn from(r: core::VerifyResponse) -> Self {
        VerifyResponse {
            key_id: r.key_id,
            value: r.value,
            algorithm: r.algorithm,
            message_type: r.message_type,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl VerifyResponse {
    fn __repr__(&self) -> String {
        format!(
            "VerifyResponse(key_id={:?}, value={}, algorithm={:?}, message_type={:?}, request_id={:?})",
            self.key_id,
            if self.value { "True" } else { "False" },
            self.algorithm,
            self.message_type,
            self.request_id
        )
    }
}

/// The result of `instance.generate_random`.
#[pyclass(frozen, module = "kmskit")]
pub struct GenerateRandomResponse {
    random: SecretBytes,
    #[pyo3(get)]
    request_id: String,
}

impl From<core::GenerateRandomResponse> for GenerateRandomResponse {
    fn from(r: core::GenerateRandomResponse) -> Self {
        GenerateRandomResponse {
            random: r.random,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl GenerateRandomResponse {
    #[getter]
    fn random<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.random.expose())
    }
    fn __repr__(&self) -> String {
        format!(
            "GenerateRandomResponse(request_id={:?}, random=***)",
            self.request_id
        )
    }
}

/// The result of `instance.generate_data_key` and `instance.advance_generate_data_key`.
#[pyclass(frozen, module = "kmskit")]
pub struct InstanceGenerateDataKeyResponse {
    plaintext: SecretBytes,
    #[pyo3(get)]
    key_id: String,
    #[pyo3(get)]
    iv: Vec<u8>,
    #[pyo3(get)]
    ciphertext_blob: Vec<u8>,
    #[pyo3(get)]
    algorithm: String,
    #[pyo3(get)]
    key_version_id: String,
    #[pyo3(get)]
    request_id: String,
}

impl From<core::GenerateDataKeyResponse> for InstanceGenerateDataKeyResponse {
    fn from(r: core::GenerateDataKeyResponse) -> Self {
        InstanceGenerateDataKeyResponse {
            plaintext: r.plaintext,
            key_id: r.key_id,
            iv: r.iv,
            ciphertext_blob: r.ciphertext_blob,
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl InstanceGenerateDataKeyResponse {
    #[getter]
    fn plaintext<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.plaintext.expose())
    }
    fn __repr__(&self) -> String {
        format!(
            "InstanceGenerateDataKeyResponse(key_id={:?}, key_version_id={:?}, algorithm={:?}, request_id={:?}, ciphertext_blob=<{} bytes>, plaintext=***)",
            self.key_id,
            self.key_version_id,
            self.algorithm,
            self.request_id,
            self.ciphertext_blob.len()
        )
    }
}

/// The result of `instance.generate_data_key_pair` and its `advance_` form.
#[pyclass(frozen, module = "kmskit")]
pub struct GenerateDataKeyPairResponse {
    private_key_plaintext: SecretBytes,
    #[pyo3(get)]
    key_id: String,
    #[pyo3(get)]
    iv: Vec<u8>,
    #[pyo3(get)]
    key_pair_spec: String,
    #[pyo3(get)]
    private_key_ciphertext_blob: Vec<u8>,
    #[pyo3(get)]
    public_key: Vec<u8>,
    #[pyo3(get)]
    algorithm: String,
    #[pyo3(get)]
    key_version_id: String,
    #[pyo3(get)]
    request_id: String,
}

impl From<core::GenerateDataKeyPairResponse> for GenerateDataKeyPairResponse {
    fn from(r: core::GenerateDataKeyPairResponse) -> Self {
        GenerateDataKeyPairResponse {
            private_key_plaintext: r.private_key_plaintext,
            key_id: r.key_id,
            iv: r.iv,
            key_pair_spec: r.key_pair_spec,
            private_key_ciphertext_blob: r.private_key_ciphertext_blob,
            public_key: r.public_key,
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl GenerateDataKeyPairResponse {
    #[getter]
    fn private_key_plaintext<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.private_key_plaintext.expose())
    }
    fn __repr__(&self) -> String {
        format!(
            "GenerateDataKeyPairResponse(key_id={:?}, key_version_id={:?}, key_pair_spec={:?}, algorithm={:?}, request_id={:?}, public_key=<{} bytes>, private_key_ciphertext_blob=<{} bytes>, private_key_plaintext=***)",
            self.key_id,
            self.key_version_id,
            self.key_pair_spec,
            self.algorithm,
            self.request_id,
            self.public_key.len(),
            self.private_key_ciphertext_blob.len()
        )
    }
}

/// The result of `instance.generate_data_key_pair_without_plaintext` and its `advance_` form.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct GenerateDataKeyPairWithoutPlaintextResponse {
    key_id: String,
    iv: Vec<u8>,
    key_pair_spec: String,
    private_key_ciphertext_blob: Vec<u8>,
    public_key: Vec<u8>,
    algorithm: String,
    key_version_id: String,
    request_id: String,
}

impl From<core::GenerateDataKeyPairWithoutPlaintextResponse>
    for GenerateDataKeyPairWithoutPlaintextResponse
{
    fn from(r: core::GenerateDataKeyPairWithoutPlaintextResponse) -> Self {
        GenerateDataKeyPairWithoutPlaintextResponse {
            key_id: r.key_id,
            iv: r.iv,
            key_pair_spec: r.key_pair_spec,
            private_key_ciphertext_blob: r.private_key_ciphertext_blob,
            public_key: r.public_key,
            algorithm: r.algorithm,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl GenerateDataKeyPairWithoutPlaintextResponse {
    fn __repr__(&self) -> String {
        format!(
            "GenerateDataKeyPairWithoutPlaintextResponse(key_id={:?}, key_version_id={:?}, key_pair_spec={:?}, algorithm={:?}, request_id={:?}, public_key=<{} bytes>, private_key_ciphertext_blob=<{} bytes>)",
            self.key_id,
            self.key_version_id,
            self.key_pair_spec,
            self.algorithm,
            self.request_id,
            self.public_key.len(),
            self.private_key_ciphertext_blob.len()
        )
    }
}

/// The result of `instance.get_public_key`: the public key in PEM.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct GetPublicKeyResponse {
    key_id: String,
    public_key: String,
    request_id: String,
}

impl From<core::GetPublicKeyResponse> for GetPublicKeyResponse {
    fn from(r: core::GetPublicKeyResponse) -> Self {
        GetPublicKeyResponse {
            key_id: r.key_id,
            public_key: r.public_key,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl GetPublicKeyResponse {
    fn __repr__(&self) -> String {
        format!(
            "GetPublicKeyResponse(key_id={:?}, request_id={:?})",
            self.key_id, self.request_id
        )
    }
}

/// The result of `instance.get_secret_value`. Absent fields are "".
#[pyclass(frozen, module = "kmskit")]
pub struct InstanceGetSecretValueResponse {
    secret_data: SecretString,
    #[pyo3(get)]
    secret_name: String,
    #[pyo3(get)]
    secret_type: String,
    #[pyo3(get)]
    secret_data_type: String,
    version_stages: Vec<String>,
    #[pyo3(get)]
    version_id: String,
    #[pyo3(get)]
    create_time: String,
    #[pyo3(get)]
    last_rotation_date: String,
    #[pyo3(get)]
    next_rotation_date: String,
    #[pyo3(get)]
    extended_config: String,
    #[pyo3(get)]
    automatic_rotation: String,
    #[pyo3(get)]
    rotation_interval: String,
    #[pyo3(get)]
    request_id: String,
}

impl From<core::GetSecretValueResponse> for InstanceGetSecretValueResponse {
    fn from(r: core::GetSecretValueResponse) -> Self {
        InstanceGetSecretValueResponse {
            secret_data: r.secret_data,
            secret_name: r.secret_name,
            secret_type: r.secret_type,
            secret_data_type: r.secret_data_type,
            version_stages: r.version_stages,
            version_id: r.version_id,
            create_time: r.create_time,
            last_rotation_date: r.last_rotation_date,
            next_rotation_date: r.next_rotation_date,
            extended_config: r.extended_config,
            automatic_rotation: r.automatic_rotation,
            rotation_interval: r.rotation_interval,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl InstanceGetSecretValueResponse {
    #[getter]
    fn secret_data(&self) -> &str {
        self.secret_data.expose()
    }
    /// A new list on every access (the result itself is immutable).
    #[getter]
    fn version_stages(&self) -> Vec<String> {
        self.version_stages.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "InstanceGetSecretValueResponse(secret_name={:?}, version_id={:?}, version_stages={:?}, secret_data_type={:?}, request_id={:?}, secret_data=***)",
            self.secret_name,
            self.version_id,
            self.version_stages,
            self.secret_data_type,
            self.request_id
        )
    }
}
