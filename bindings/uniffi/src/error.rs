//! The one error of this face: a variant per core error kind, each carrying the same fields, so
//! Kotlin gets a sealed `KmsException` hierarchy (`KmsException.NotFound`, ...) and Swift an
//! `Error` enum. The mapping from the core's error happens here and nowhere else.

use kmskit::ErrorKind;

/// An error from kmskit. Variants are the error kinds; every variant carries the stable numeric
/// `code`, its `name`, the `message`, the service's own code, the request id and HTTP status when
/// the service answered, and whether a retry may succeed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
pub enum KmsException {
    Throttling {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Authentication {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Authorization {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    NotFound {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    InvalidArgument {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Network {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Timeout {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Service {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Credentials {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Configuration {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Crypto {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
    Internal {
        code: u32,
        name: String,
        message: String,
        service_code: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
        retryable: bool,
    },
}

// The core's messages never carry secrets, so Display may repeat them.
impl std::fmt::Display for KmsException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, message) = self.name_and_message();
        write!(f, "{name}: {message}")
    }
}

impl std::error::Error for KmsException {}

macro_rules! by_kind {
    ($err:expr, $($kind:ident),+ $(,)?) => {{
        let e: &kmskit::Error = $err;
        let code = e.code();
        let (code, name) = (code.as_u32(), code.name().to_string());
        let message = e.message().to_string();
        let service_code = e.service_code().map(str::to_string);
        let request_id = e.request_id().map(str::to_string);
        let http_status = e.http_status();
        let retryable = e.is_retryable();
        match e.kind() {
            $(ErrorKind::$kind => KmsException::$kind {
                code, name, message, service_code, request_id, http_status, retryable,
            },)+
            // ErrorKind may grow; a kind this face does not know yet is reported as Internal
            // with the core's own code and message.
            #[allow(unreachable_patterns)]
            _ => KmsException::Internal {
                code, name, message, service_code, request_id, http_status, retryable,
            },
        }
    }};
}

impl From<kmskit::Error> for KmsException {
    fn from(e: kmskit::Error) -> Self {
        by_kind!(
            &e,
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
        )
    }
}

// A Kotlin/Swift custom credentials provider threw something other than a KmsException: UniFFI
// hands over the exception's description (`toString()` of the Kotlin exception).
impl From<uniffi::UnexpectedUniFFICallbackError> for KmsException {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        kmskit::Error::new(kmskit::ErrorCode::CredentialsUnavailable, e.reason).into()
    }
}

impl KmsException {
    /// The core's message (or the foreign provider's description of its failure).
    pub(crate) fn detail(&self) -> &str {
        self.name_and_message().1
    }

    fn name_and_message(&self) -> (&str, &str) {
        match self {
            KmsException::Throttling { name, message, .. }
            | KmsException::Authentication { name, message, .. }
            | KmsException::Authorization { name, message, .. }
            | KmsException::NotFound { name, message, .. }
            | KmsException::InvalidArgument { name, message, .. }
            | KmsException::Network { name, message, .. }
            | KmsException::Timeout { name, message, .. }
            | KmsException::Service { name, message, .. }
            | KmsException::Credentials { name, message, .. }
            | KmsException::Configuration { name, message, .. }
            | KmsException::Crypto { name, message, .. }
            | KmsException::Internal { name, message, .. } => (name, message),
        }
    }
}

/// An argument this face refuses before reaching the core (e.g. call parameters that are not a
/// JSON object), reported like the core reports its own invalid arguments.
pub(crate) fn invalid_argument(message: impl Into<String>) -> KmsException {
    kmskit::Error::invalid_argument(message).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmskit::ErrorCode;

    #[test]
    fn every_code_maps_to_the_variant_of_its_kind() {
        for code in ErrorCode::ALL {
            let e = KmsException::from(kmskit::Error::new(*code, "m"));
            let variant = format!("{e:?}");
            let kind = code.kind().as_str();
            assert!(
                variant.starts_with(&format!("{kind} {{")),
                "{variant} for {kind}"
            );
            assert_eq!(e.to_string(), format!("{}: m", code.name()));
        }
    }

    #[test]
    fn client_key_and_unconfigured_credentials_are_credentials_errors() {
        for (code, name) in [
            (ErrorCode::CredentialsUnavailable, "CredentialsUnavailable"),
            (ErrorCode::ClientKeyInvalid, "ClientKeyInvalid"),
            (
                ErrorCode::CredentialsNotConfigured,
                "CredentialsNotConfigured",
            ),
        ] {
            match KmsException::from(kmskit::Error::new(code, "m")) {
                KmsException::Credentials {
                    code: c, name: n, ..
                } => {
                    assert_eq!((c, n.as_str()), (code.as_u32(), name));
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(ErrorCode::ClientKeyInvalid.as_u32(), 1202);
        assert_eq!(ErrorCode::CredentialsNotConfigured.as_u32(), 1203);
    }
}
