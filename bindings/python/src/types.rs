//! The Python value types: credentials in, typed results out. All frozen. Reprs show ids and
//! request ids, never a secret, a plaintext, a data key or a secret value.

use crate::errors::to_py_err;
use kmskit::{SecretBytes, SecretString};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyInt};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Temporary STS credentials: id, secret, security token and, optionally, when they expire.
#[pyclass(frozen, module = "kmskit")]
pub struct StsToken {
    pub(crate) credentials: kmskit::Credentials,
}

/// `None`, an aware `datetime` or seconds since the epoch. A naive `datetime` is refused: read
/// as local time (what `datetime.timestamp()` does) it would move the expiry by hours.
fn expiration_from_py(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<SystemTime>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let seconds: f64 = if obj.hasattr("utcoffset")? && obj.hasattr("timestamp")? {
        if obj.call_method0("utcoffset")?.is_none() {
            return Err(PyValueError::new_err(
                "expiration must be a timezone-aware datetime (e.g. tzinfo=datetime.timezone.utc)",
            ));
        }
        obj.call_method0("timestamp")?.extract()?
    } else if obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>() {
        obj.extract()?
    } else {
        return Err(PyTypeError::new_err(
            "expiration must be a datetime or seconds since the epoch",
        ));
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(PyValueError::new_err(
            "expiration must be a finite time after the epoch",
        ));
    }
    Duration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .map(Some)
        .ok_or_else(|| PyValueError::new_err("expiration is out of range"))
}

#[pymethods]
impl StsToken {
    #[new]
    #[pyo3(signature = (access_key_id, access_key_secret, security_token, expiration=None))]
    fn new(
        access_key_id: String,
        access_key_secret: String,
        security_token: String,
        expiration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let expiration = expiration_from_py(expiration)?;
        let credentials =
            kmskit::Credentials::sts(access_key_id, access_key_secret, security_token, expiration)
                .map_err(to_py_err)?;
        Ok(StsToken { credentials })
    }
    #[getter]
    fn access_key_id(&self) -> &str {
        self.credentials.access_key_id()
    }
    /// When the credentials expire, as an aware UTC `datetime`, or `None`.
    #[getter]
    fn expiration<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(at) = self.credentials.expiration() else {
            return Ok(None);
        };
        let seconds = at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let datetime = py.import("datetime")?;
        let utc = datetime.getattr("timezone")?.getattr("utc")?;
        datetime
            .getattr("datetime")?
            .call_method1("fromtimestamp", (seconds, utc))
            .map(Some)
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
