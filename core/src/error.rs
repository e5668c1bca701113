//! The one public error. Every failure in kmskit becomes an [`Error`] with a stable numeric
//! [`ErrorCode`] (never reused), a coarse [`ErrorKind`] that faces map to their own exception
//! classes, and — when the service answered — its code, message, request id and HTTP status.
//! Messages never carry secret material.

use std::fmt;

/// Coarse classes of failure; each face maps these once (Python exception subclasses, Node
/// `err.kind`, Kotlin sealed classes, Swift enum cases, C result codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    Throttling,
    Authentication,
    Authorization,
    NotFound,
    InvalidArgument,
    Network,
    Timeout,
    Service,
    Credentials,
    Configuration,
    Crypto,
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Throttling => "Throttling",
            ErrorKind::Authentication => "Authentication",
            ErrorKind::Authorization => "Authorization",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::Network => "Network",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Service => "Service",
            ErrorKind::Credentials => "Credentials",
            ErrorKind::Configuration => "Configuration",
            ErrorKind::Crypto => "Crypto",
            ErrorKind::Internal => "Internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $name:ident = $num:literal => $kind:ident ),* $(,)?) => {
        /// Stable numeric error codes. A number is never reused for another meaning; new codes
        /// are only appended. The C ABI and every face expose the same numbers.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[repr(u32)]
        pub enum ErrorCode { $( $(#[$doc])* $name = $num ),* }

        impl ErrorCode {
            pub fn kind(self) -> ErrorKind {
                match self { $( ErrorCode::$name => ErrorKind::$kind ),* }
            }
            pub fn as_u32(self) -> u32 { self as u32 }
            pub fn name(self) -> &'static str {
                match self { $( ErrorCode::$name => stringify!($name) ),* }
            }
            /// Every code, in numeric order (faces generate their tables from this).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$name ),* ];
        }
    };
}

error_codes! {
    /// An argument given to kmskit was invalid (empty key id, bad base64, ...).
    InvalidArgument = 1001 => InvalidArgument,
    /// The client configuration is invalid (no region and no endpoint, bad URL, bad CA PEM).
    InvalidConfiguration = 1101 => Configuration,
    /// No credentials could be obtained, or the provider failed.
    CredentialsUnavailable = 1201 => Credentials,
    /// The ClientKey (dedicated gateway credential) cannot be used: unreadable file, malformed
    /// PKCS#12 or key, or a wrong password.
    ClientKeyInvalid = 1202 => Credentials,
    /// No credentials source is configured (the default chain found nothing to try, or a
    /// profile/file/variable a provider needs is absent). The chain moves on from these.
    CredentialsNotConfigured = 1203 => Credentials,
    /// Could not connect to the endpoint (the request was never sent).
    ConnectFailed = 2001 => Network,
    /// The connection failed after the request may have been sent (reset, closed early).
    ConnectionLost = 2002 => Network,
    /// The TLS handshake failed (unknown CA, wrong host name, protocol error); not retried.
    TlsFailed = 2003 => Network,
    /// Connecting took longer than the connect timeout.
    ConnectTimeout = 2101 => Timeout,
    /// The response did not arrive within the read timeout.
    ReadTimeout = 2102 => Timeout,
    /// The service throttled the request.
    Throttled = 3001 => Throttling,
    /// The signature or the access key was refused.
    AuthenticationFailed = 3101 => Authentication,
    /// The caller is not allowed to do this.
    Forbidden = 3201 => Authorization,
    /// The key, alias, secret or version does not exist.
    ResourceNotFound = 3301 => NotFound,
    /// The service rejected a parameter.
    InvalidParameter = 3401 => InvalidArgument,
    /// The resource is in a state that refuses the call (disabled key, pending deletion).
    InvalidState = 3402 => InvalidArgument,
    /// Any other error the service returned (including 5xx).
    ServiceError = 3501 => Service,
    /// The service is temporarily unavailable (503 and the like).
    ServiceUnavailable = 3502 => Service,
    /// The response could not be understood (not JSON, missing fields).
    InvalidResponse = 3601 => Service,
    /// A cryptographic operation failed (bad ciphertext, key mismatch).
    CryptoFailed = 4001 => Crypto,
    /// A bug in kmskit, or a panic caught at an FFI boundary.
    Internal = 9001 => Internal,
}

/// Details of an error the service returned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceDetails {
    /// The service's own code, e.g. `Forbidden.KeyNotFound`.
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub host_id: Option<String>,
    pub recommend: Option<String>,
    pub http_status: Option<u16>,
}

/// The one public error type of kmskit.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    code: ErrorCode,
    message: String,
    retryable: bool,
    service: ServiceDetails,
    retry_after_ms: Option<u64>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            code,
            message: message.into(),
            retryable: default_retryable(code),
            service: ServiceDetails::default(),
            retry_after_ms: None,
        }))
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    pub fn configuration(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidConfiguration, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }

    pub(crate) fn with_service(mut self, service: ServiceDetails) -> Self {
        self.0.service = service;
        self
    }

    pub(crate) fn with_retryable(mut self, retryable: bool) -> Self {
        self.0.retryable = retryable;
        self
    }

    pub(crate) fn with_retry_after_ms(mut self, ms: Option<u64>) -> Self {
        self.0.retry_after_ms = ms;
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
    pub fn kind(&self) -> ErrorKind {
        self.0.code.kind()
    }
    /// kmskit's own description; for service errors, the service's message.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// Whether the same call may succeed if tried again later (after the client's own retries
    /// were spent, or for callers doing their own retries).
    pub fn is_retryable(&self) -> bool {
        self.0.retryable
    }
    pub fn service_code(&self) -> Option<&str> {
        self.0.service.code.as_deref()
    }
    pub fn request_id(&self) -> Option<&str> {
        self.0.service.request_id.as_deref()
    }
    pub fn http_status(&self) -> Option<u16> {
        self.0.service.http_status
    }
    pub fn host_id(&self) -> Option<&str> {
        self.0.service.host_id.as_deref()
    }
    pub fn recommend(&self) -> Option<&str> {
        self.0.service.recommend.as_deref()
    }
    /// The delay the service asked for (`x-acs-retry-after`), in milliseconds.
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.0.retry_after_ms
    }
    pub fn service_details(&self) -> &ServiceDetails {
        &self.0.service
    }
}

fn default_retryable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::ConnectFailed
            | ErrorCode::ConnectionLost
            | ErrorCode::ConnectTimeout
            | ErrorCode::ReadTimeout
            | ErrorCode::Throttled
            | ErrorCode::ServiceUnavailable
            | ErrorCode::ServiceError
    )
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} {}] ", self.0.code.as_u32(), self.0.code.name())?;
        if let Some(code) = &self.0.service.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.0.message)?;
        if let Some(status) = self.0.service.http_status {
            write!(f, " (http {status}")?;
            if let Some(id) = &self.0.service.request_id {
                write!(f, ", request id {id}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.0.code)
            .field("kind", &self.kind())
            .field("message", &self.0.message)
            .field("retryable", &self.0.retryable)
            .field("service", &self.0.service)
            .field("retry_after_ms", &self.0.retry_after_ms)
            .finish()
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maps a KMS service error code (and HTTP status) to kmskit's stable code.
pub(crate) fn classify_service_code(service_code: Option<&str>, status: u16) -> ErrorCode {
    let code = service_code.unwrap_or("");
    if is_throttling_code(code) {
        return ErrorCode::Throttled;
    }
    if code.starts_with("InvalidAccessKeyId")
        || code.starts_with("SignatureDoesNotMatch")
        || code.starts_with("IncompleteSignature")
        || code.starts_with("InvalidTimeStamp")
        || code.starts_with("SignatureNonceUsed")
        || code.starts_with("InvalidSecurityToken")
        || code == "InvalidApi.NotPurchase"
    {
        return ErrorCode::AuthenticationFailed;
    }
    if code.contains("NotFound") {
        return ErrorCode::ResourceNotFound;
    }
    if code.starts_with("Forbidden") || code.contains("NoPermission") || status == 403 {
        return ErrorCode::Forbidden;
    }
    if code == "ServiceUnavailable"
        || code == "ServiceUnavailableTemporary"
        || code.starts_with("ServiceUnavailable")
        || status == 503
    {
        return ErrorCode::ServiceUnavailable;
    }
    if code.starts_with("Rejected") || code.contains("Disabled") || code.contains("PendingDeletion")
    {
        return ErrorCode::InvalidState;
    }
    if code == "InvalidCiphertext" || code.starts_with("InvalidCiphertext") {
        return ErrorCode::CryptoFailed;
    }
    if status == 404 {
        return ErrorCode::ResourceNotFound;
    }
    if (400..500).contains(&status) {
        return ErrorCode::InvalidParameter;
    }
    ErrorCode::ServiceError
}

/// Service codes that mean "slow down": the request was refused before it was processed.
pub(crate) fn is_throttling_code(code: &str) -> bool {
    code == "Throttling"
        || code.starts_with("Throttling.")
        || code == "Rejected.Throttling"
        || code == "ServiceUnavailable.Throttling"
        || code == "TooManyRequests"
        || code == "RequestLimitExceeded"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted() {
        let nums: Vec<u32> = ErrorCode::ALL.iter().map(|c| c.as_u32()).collect();
        let mut sorted = nums.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(nums, sorted);
    }

    #[test]
    fn classification_of_service_codes() {
        assert_eq!(
            classify_service_code(Some("Throttling.User"), 400),
            ErrorCode::Throttled
        );
        assert_eq!(
            classify_service_code(Some("Rejected.Throttling"), 400),
            ErrorCode::Throttled
        );
        assert_eq!(
            classify_service_code(Some("Forbidden.KeyNotFound"), 404),
            ErrorCode::ResourceNotFound
        );
        assert_eq!(
            classify_service_code(Some("SignatureDoesNotMatch"), 400),
            ErrorCode::AuthenticationFailed
        );
        assert_eq!(
            classify_service_code(Some("Forbidden.NoPermission"), 403),
            ErrorCode::Forbidden
        );
        assert_eq!(
            classify_service_code(Some("InternalFailure"), 500),
            ErrorCode::ServiceError
        );
        assert_eq!(
            classify_service_code(Some("ServiceUnavailable"), 503),
            ErrorCode::ServiceUnavailable
        );
        assert_eq!(
            classify_service_code(Some("InvalidParameter"), 400),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            classify_service_code(Some("Rejected.Disabled"), 400),
            ErrorCode::InvalidState
        );
    }

    #[test]
    fn display_includes_request_id_and_status() {
        let e = Error::new(
            ErrorCode::ResourceNotFound,
            "The specified Key is not found.",
        )
        .with_service(ServiceDetails {
            code: Some("Forbidden.KeyNotFound".into()),
            request_id: Some("R1".into()),
            http_status: Some(404),
            ..Default::default()
        });
        let s = e.to_string();
        assert!(s.contains("3301"), "{s}");
        assert!(s.contains("Forbidden.KeyNotFound"), "{s}");
        assert!(s.contains("request id R1"), "{s}");
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }
}
