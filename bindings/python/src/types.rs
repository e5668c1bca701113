//! The Python value types: credentials in, typed results out. All frozen. Reprs show ids and
//! request ids, never a secret, a plaintext, a data key or a secret value.

use crate::errors::to_py_err;
use kmskit::{SecretBytes, SecretString};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A long-term AccessKey pair.
#[pyclass(frozen, module = "kmskit")]
pub struct AccessKey {
    pub(crate) credentials: kmskit::Credentials,
}

#[pymethods]
impl AccessKey {
    #[new]
    fn new(access_key_id: String, access_key_secret: String) -> PyResult<Self> {
        let credentials =
            kmskit::Credentials::access_key(access_key_id, access_key_secret).map_err(to_py_err)?;
        Ok(AccessKey { credentials })
    }
    #[getter]
    fn access_key_id(&self) -> &str {
        self.credentials.access_key_id()
    }
    fn __repr__(&self) -> String {
        format!(
            "AccessKey(access_key_id={:?}, access_key_secret='***')",
            self.credentials.access_key_id()
        )
    }
}

/// Temporary STS credentials: id, secret and security token.
#[pyclass(frozen, module = "kmskit")]
pub struct StsToken {
    pub(crate) credentials: kmskit::Credentials,
}

#[pymethods]
impl StsToken {
    #[new]
    fn new(
        access_key_id: String,
        access_key_secret: String,
        security_token: String,
    ) -> PyResult<Self> {
        let credentials =
            kmskit::Credentials::sts(access_key_id, access_key_secret, security_token, None)
                .map_err(to_py_err)?;
        Ok(StsToken { credentials })
    }
    #[getter]
    fn access_key_id(&self) -> &str {
        self.credentials.access_key_id()
    }
    fn __repr__(&self) -> String {
        format!(
            "StsToken(access_key_id={:?}, access_key_secret='***', security_token='***')",
            self.credentials.access_key_id()
        )
    }
}

/// The result of `encrypt`.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct EncryptResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl From<kmskit::EncryptResponse> for EncryptResponse {
    fn from(r: kmskit::EncryptResponse) -> Self {
        EncryptResponse {
            ciphertext_blob: r.ciphertext_blob,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl EncryptResponse {
    fn __repr__(&self) -> String {
        format!(
            "EncryptResponse(key_id={:?}, key_version_id={:?}, request_id={:?}, ciphertext_blob={:?})",
            self.key_id, self.key_version_id, self.request_id, self.ciphertext_blob
        )
    }
}

/// The result of `decrypt`. `plaintext` is only reachable through its attribute.
#[pyclass(frozen, module = "kmskit")]
pub struct DecryptResponse {
    plaintext: SecretBytes,
    #[pyo3(get)]
    key_id: String,
    #[pyo3(get)]
    key_version_id: String,
    #[pyo3(get)]
    request_id: String,
}

impl From<kmskit::DecryptResponse> for DecryptResponse {
    fn from(r: kmskit::DecryptResponse) -> Self {
        DecryptResponse {
            plaintext: r.plaintext,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl DecryptResponse {
    #[getter]
    fn plaintext<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.plaintext.expose())
    }
    fn __repr__(&self) -> String {
        format!(
            "DecryptResponse(key_id={:?}, key_version_id={:?}, request_id={:?}, plaintext=***)",
            self.key_id, self.key_version_id, self.request_id
        )
    }
}

/// The result of `generate_data_key`: the data key in clear (`plaintext`) and under the master
/// key (`ciphertext_blob`).
#[pyclass(frozen, module = "kmskit")]
pub struct GenerateDataKeyResponse {
    plaintext: SecretBytes,
    #[pyo3(get)]
    ciphertext_blob: String,
    #[pyo3(get)]
    key_id: String,
    #[pyo3(get)]
    key_version_id: String,
    #[pyo3(get)]
    request_id: String,
}

impl From<kmskit::GenerateDataKeyResponse> for GenerateDataKeyResponse {
    fn from(r: kmskit::GenerateDataKeyResponse) -> Self {
        GenerateDataKeyResponse {
            plaintext: r.plaintext,
            ciphertext_blob: r.ciphertext_blob,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl GenerateDataKeyResponse {
    #[getter]
    fn plaintext<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.plaintext.expose())
    }
    fn __repr__(&self) -> String {
        format!(
            "GenerateDataKeyResponse(key_id={:?}, key_version_id={:?}, request_id={:?}, ciphertext_blob={:?}, plaintext=***)",
            self.key_id, self.key_version_id, self.request_id, self.ciphertext_blob
        )
    }
}

/// The result of `generate_data_key_without_plaintext`.
#[pyclass(frozen, module = "kmskit", get_all)]
pub struct GenerateDataKeyWithoutPlaintextResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    pub request_id: String,
}

impl From<kmskit::GenerateDataKeyWithoutPlaintextResponse>
    for GenerateDataKeyWithoutPlaintextResponse
{
    fn from(r: kmskit::GenerateDataKeyWithoutPlaintextResponse) -> Self {
        GenerateDataKeyWithoutPlaintextResponse {
            ciphertext_blob: r.ciphertext_blob,
            key_id: r.key_id,
            key_version_id: r.key_version_id,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl GenerateDataKeyWithoutPlaintextResponse {
    fn __repr__(&self) -> String {
        format!(
            "GenerateDataKeyWithoutPlaintextResponse(key_id={:?}, key_version_id={:?}, request_id={:?}, ciphertext_blob={:?})",
            self.key_id, self.key_version_id, self.request_id, self.ciphertext_blob
        )
    }
}

/// The result of `get_secret_value`. `secret_data` is only reachable through its attribute.
#[pyclass(frozen, module = "kmskit")]
pub struct GetSecretValueResponse {
    secret_data: SecretString,
    #[pyo3(get)]
    secret_name: String,
    #[pyo3(get)]
    secret_type: String,
    #[pyo3(get)]
    secret_data_type: String,
    #[pyo3(get)]
    version_id: String,
    version_stages: Vec<String>,
    #[pyo3(get)]
    create_time: String,
    #[pyo3(get)]
    automatic_rotation: Option<String>,
    #[pyo3(get)]
    rotation_interval: Option<String>,
    #[pyo3(get)]
    last_rotation_date: Option<String>,
    #[pyo3(get)]
    next_rotation_date: Option<String>,
    #[pyo3(get)]
    extended_config: Option<String>,
    #[pyo3(get)]
    request_id: String,
}

impl From<kmskit::GetSecretValueResponse> for GetSecretValueResponse {
    fn from(r: kmskit::GetSecretValueResponse) -> Self {
        GetSecretValueResponse {
            secret_data: r.secret_data,
            secret_name: r.secret_name,
            secret_type: r.secret_type,
            secret_data_type: r.secret_data_type,
            version_id: r.version_id,
            version_stages: r.version_stages,
            create_time: r.create_time,
            automatic_rotation: r.automatic_rotation,
            rotation_interval: r.rotation_interval,
            last_rotation_date: r.last_rotation_date,
            next_rotation_date: r.next_rotation_date,
            extended_config: r.extended_config,
            request_id: r.request_id,
        }
    }
}

#[pymethods]
impl GetSecretValueResponse {
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
            "GetSecretValueResponse(secret_name={:?}, version_id={:?}, version_stages={:?}, secret_data_type={:?}, request_id={:?}, secret_data=***)",
            self.secret_name, self.version_id, self.version_stages, self.secret_data_type, self.request_id
        )
    }
}
