//! `kmskit.ClientKey`: the credential of a dedicated gateway's Instance API. Loading decrypts a
//! PKCS#12 blob (key derivation with many iterations), so the GIL is released meanwhile.
//! Neither the password nor the private key is ever printed.

use crate::errors::to_py_err;
use kmskit::SecretString;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::path::PathBuf;

/// A ClientKey: its id (`KAAP.…`) and RSA private key.
#[pyclass(frozen, module = "kmskit")]
pub struct ClientKey {
    pub(crate) key: kmskit::ClientKey,
}

/// Exactly one of the three ways to give the password.
fn password(
    password: Option<String>,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
) -> PyResult<SecretString> {
    match (password, password_file, password_env) {
        (Some(p), None, None) => Ok(SecretString::from(p)),
        (None, Some(f), None) => kmskit::ClientKey::password_from_file(f).map_err(to_py_err),
        (None, None, Some(e)) => kmskit::ClientKey::password_from_env(&e).map_err(to_py_err),
        (None, None, None) => Err(PyTypeError::new_err(
            "the ClientKey password is required: pass password, password_file or password_env",
        )),
        _ => Err(PyTypeError::new_err(
            "pass only one of password, password_file and password_env",
        )),
    }
}

fn text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<SecretString> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        let s = std::str::from_utf8(b.as_bytes())
            .map_err(|_| PyTypeError::new_err(format!("{what} must be UTF-8 text")))?;
        Ok(SecretString::from(s))
    } else if let Ok(s) = obj.cast::<PyString>() {
        Ok(SecretString::from(s.to_cow()?.as_ref()))
    } else {
        Err(PyTypeError::new_err(format!("{what} must be str or bytes")))
    }
}

#[pymethods]
impl ClientKey {
    /// From an official ClientKey file (`clientKey_<KeyId>.json`) and its password.
    #[staticmethod]
    #[pyo3(signature = (path, password=None, *, password_file=None, password_env=None))]
    fn from_file(
        py: Python<'_>,
        path: PathBuf,
        password: Option<String>,
        password_file: Option<PathBuf>,
        password_env: Option<String>,
    ) -> PyResult<ClientKey> {
        let password = self::password(password, password_file, password_env)?;
        let key = py
            .detach(|| kmskit::ClientKey::from_file(&path, &password))
            .map_err(to_py_err)?;
        Ok(ClientKey { key })
    }

    /// From the content of an official ClientKey file and its password.
    #[staticmethod]
    #[pyo3(signature = (json, password=None, *, password_file=None, password_env=None))]
    fn from_json(
        py: Python<'_>,
        json: &Bound<'_, PyAny>,
        password: Option<String>,
        password_file: Option<PathBuf>,
        password_env: Option<String>,
    ) -> PyResult<ClientKey> {
        let json = text(json, "json")?;
        let password = self::password(password, password_file, password_env)?;
        let key = py
            .detach(|| kmskit::ClientKey::from_json(json.expose(), &password))
            .map_err(to_py_err)?;
        Ok(ClientKey { key })
    }

    /// From a key id and an RSA private key in PEM (PKCS#8 or PKCS#1, or the bare base64 body).
    #[staticmethod]
    fn from_private_key_pem(key_id: String, pem: &Bound<'_, PyAny>) -> PyResult<ClientKey> {
        let pem = text(pem, "pem")?;
        let key = kmskit::ClientKey::from_private_key_pem(key_id, &pem).map_err(to_py_err)?;
        Ok(ClientKey { key })
    }

    /// The ClientKey's id (`KAAP.…`), sent with every Instance API request.
    #[getter]
    fn key_id(&self) -> &str {
        self.key.key_id()
    }

    fn __repr__(&self) -> String {
        format!("ClientKey(key_id={:?})", self.key.key_id())
    }
}
