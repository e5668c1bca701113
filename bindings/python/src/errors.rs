//! kmskit's one error type becomes one Python exception class per error kind. The classes are
//! written in Python (`kmskit/_errors.py`) so they carry real attributes, pickle, and are easy to
//! read; [`to_py_err`] is the only place that maps a `kmskit::Error` to them.
//!
//! The `PyErr` built here is lazy: it holds plain Rust values and becomes a Python object only
//! when it reaches Python, so async calls can produce it on a runtime thread without the GIL.

use kmskit::ErrorKind;
use pyo3::PyErr;

pyo3::import_exception!(kmskit._errors, KmsError);
pyo3::import_exception!(kmskit._errors, ThrottlingError);
pyo3::import_exception!(kmskit._errors, AuthenticationError);
pyo3::import_exception!(kmskit._errors, AuthorizationError);
pyo3::import_exception!(kmskit._errors, NotFoundError);
pyo3::import_exception!(kmskit._errors, InvalidArgumentError);
pyo3::import_exception!(kmskit._errors, NetworkError);
pyo3::import_exception!(kmskit._errors, KmsTimeoutError);
pyo3::import_exception!(kmskit._errors, ServiceError);
pyo3::import_exception!(kmskit._errors, CredentialsError);
pyo3::import_exception!(kmskit._errors, ConfigurationError);
pyo3::import_exception!(kmskit._errors, CryptoError);
pyo3::import_exception!(kmskit._errors, InternalError);

/// The constructor arguments of `kmskit.KmsError`, in its positional order:
/// message, code, name, kind, service_code, request_id, http_status, retryable.
type Args = (
    String,
    u32,
    &'static str,
    &'static str,
    Option<String>,
    Option<String>,
    Option<u16>,
    bool,
);

/// The one mapping from a kmskit error to a Python exception.
pub(crate) fn to_py_err(err: kmskit::Error) -> PyErr {
    let code = err.code();
    let args: Args = (
        err.message().to_owned(),
        code.as_u32(),
        code.name(),
        err.kind().as_str(),
        err.service_code().map(str::to_owned),
        err.request_id().map(str::to_owned),
        err.http_status(),
        err.is_retryable(),
    );
    match err.kind() {
        ErrorKind::Throttling => ThrottlingError::new_err(args),
        ErrorKind::Authentication => AuthenticationError::new_err(args),
        ErrorKind::Authorization => AuthorizationError::new_err(args),
        ErrorKind::NotFound => NotFoundError::new_err(args),
        ErrorKind::InvalidArgument => InvalidArgumentError::new_err(args),
        ErrorKind::Network => NetworkError::new_err(args),
        ErrorKind::Timeout => KmsTimeoutError::new_err(args),
        ErrorKind::Service => ServiceError::new_err(args),
        ErrorKind::Credentials => CredentialsError::new_err(args),
        ErrorKind::Configuration => ConfigurationError::new_err(args),
        ErrorKind::Crypto => CryptoError::new_err(args),
        ErrorKind::Internal => InternalError::new_err(args),
        // ErrorKind is non-exhaustive: a kind added to the core later is still a KmsError.
        _ => KmsError::new_err(args),
    }
}
