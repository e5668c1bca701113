//! KMS's own error vocabulary. Every refusal the emulator sends is one of these, rendered as
//! `{"RequestId","HostId","Code","Message","Recommend"}` — the shape the official SDKs parse into
//! `ClientException`/`ServerException`. Which codes are confirmed by vendor docs or captured SDK
//! traffic and which are our best guess is listed in docs/emulator.md.
//!
//! Messages never carry request parameters verbatim: a parameter might be a plaintext or a secret.

use std::borrow::Cow;

/// One KMS error: HTTP status, service code and a fixed, secret-free message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct KmsError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
    /// Extra response header `x-acs-retry-after` (milliseconds), set by throttling faults.
    pub retry_after_ms: Option<u64>,
}

impl KmsError {
    pub fn new(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        KmsError {
            status,
            code: code.into(),
            message: message.into(),
            retry_after_ms: None,
        }
    }

    // --- authentication / protocol -------------------------------------------------------
    pub fn incomplete_signature(what: &'static str) -> Self {
        Self::new(
            400,
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards: {what}."),
        )
    }
    pub fn signature_mismatch() -> Self {
        Self::new(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        )
    }
    pub fn access_key_not_found() -> Self {
        Self::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        )
    }
    pub fn timestamp_expired() -> Self {
        Self::new(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        )
    }
    pub fn timestamp_missing() -> Self {
        Self::new(
            400,
            "IllegalTimestamp",
            "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied.",
        )
    }
    pub fn timestamp_format() -> Self {
        Self::new(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    }
    pub fn nonce_used() -> Self {
        Self::new(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        )
    }
    pub fn action_not_found() -> Self {
        Self::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    }
    pub fn throttling(retry_after_ms: Option<u64>) -> Self {
        let mut e = Self::new(
            400,
            "Throttling",
            "Request was denied due to request throttling.",
        );
        e.retry_after_ms = retry_after_ms;
        e
    }

    // --- parameters ------------------------------------------------------------------------
    pub fn missing(param: &str) -> Self {
        Self::new(
            400,
            "MissingParameter",
            format!("The parameter {} is required.", safe_name(param)),
        )
    }
    pub fn invalid(param: &str) -> Self {
        Self::new(
            400,
            "InvalidParameter",
            format!("The specified parameter {} is not valid.", safe_name(param)),
        )
    }
    pub fn invalid_msg(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(400, "InvalidParameter", message)
    }

    // --- resources ---------------------------------------------------------------------------
    pub fn key_not_found() -> Self {
        Self::new(
            404,
            "Forbidden.KeyNotFound",
            "The specified Key is not found.",
        )
    }
    pub fn alias_not_found() -> Self {
        Self::new(
            404,
            "Forbidden.AliasNotFound",
            "The specified Alias is not found.",
        )
    }
    pub fn resource_not_found() -> Self {
        Self::new(
            404,
            "Forbidden.ResourceNotFound",
            "The resource is not found.",
        )
    }
    pub fn resource_exists() -> Self {
        Self::new(
            409,
            "Rejected.ResourceExist",
            "The resource already exists.",
        )
    }
    pub fn alias_exists() -> Self {
        Self::new(400, "AliasAlreadyExists", "AliasName Already Exists.")
    }
    pub fn key_disabled() -> Self {
        Self::new(
            409,
            "Rejected.Disabled",
            "The request was rejected because the key state is Disabled.",
        )
    }
    pub fn key_pending_deletion() -> Self {
        Self::new(
            409,
            "Rejected.PendingDeletion",
            "The request was rejected because the key state is PendingDeletion.",
        )
    }
    pub fn unexpected_state() -> Self {
        Self::new(
            409,
            "Rejected.UnexpectedState",
            "The request was rejected because the state of the resource is not as expected.",
        )
    }
    pub fn in_delete_window() -> Self {
        Self::new(
            409,
            "Rejected.ResourceInDeleteWindow",
            "The secret is planned to be deleted.",
        )
    }
    pub fn unsupported_operation() -> Self {
        Self::new(
            400,
            "Rejected.UnsupportedOperation",
            "Unsupported operation.",
        )
    }
    pub fn invalid_ciphertext() -> Self {
        Self::new(400, "InvalidCiphertext", "The Ciphertext is invalid.")
    }
    pub fn internal() -> Self {
        Self::new(500, "InternalFailure", "Internal Failure.")
    }
}

/// Parameter names come from the client; keep only a short, printable form so an attacker-chosen
/// name cannot smuggle data into our logs or responses.
fn safe_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .take(64)
        .collect()
}

impl From<crate::crypto::CryptoError> for KmsError {
    fn from(e: crate::crypto::CryptoError) -> Self {
        use crate::crypto::CryptoError as C;
        match e {
            C::InvalidCiphertext => KmsError::invalid_ciphertext(),
            C::InvalidParameter(_) => {
                KmsError::invalid_msg("The specified parameter is not valid.")
            }
            C::UnsupportedAlgorithm(_) => {
                KmsError::invalid_msg("The specified Algorithm is not supported for this key.")
            }
            C::InvalidKeyMaterial | C::Internal(_) => KmsError::internal(),
        }
    }
}

impl From<rusqlite::Error> for KmsError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "storage error");
        KmsError::internal()
    }
}

pub type KmsResult<T> = Result<T, KmsError>;
