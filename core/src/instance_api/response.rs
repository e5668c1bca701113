//! Reading what the dedicated gateway answered: 2xx carries the `<Api>Response` message; 4xx and
//! 5xx carry the protobuf `Error {StatusCode, ErrorCode, ErrorMessage, RequestId}`, mapped to
//! kmskit's error with the service code, message, request id and the HTTP status (the official
//! SDK ignores `StatusCode` in favour of the HTTP status; so does this).

use super::proto;
use crate::error::{classify_service_code, Error, ErrorCode, Result, ServiceDetails};
use crate::transport::RawResponse;
use prost::Message as _;
use zeroize::Zeroizing;

pub(crate) fn interpret(raw: RawResponse) -> Result<Zeroizing<Vec<u8>>> {
    if !(400..600).contains(&raw.status) {
        if (200..300).contains(&raw.status) {
            return Ok(raw.body);
        }
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            format!("unexpected HTTP status {}", raw.status),
        )
        .with_service(ServiceDetails {
            http_status: Some(raw.status),
            ..Default::default()
        })
        .with_retryable(false));
    }
    let parsed = proto::Error::decode(raw.body.as_slice())
        .ok()
        .filter(|e| !e.error_code.is_empty());
    let Some(body) = parsed else {
        let kind = raw
            .content_type
            .as_deref()
            .unwrap_or("unknown content type");
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "HTTP {} with a body that is not an Instance API error ({kind}, {} bytes)",
                raw.status,
                raw.body.len()
            ),
        )
        .with_service(ServiceDetails {
            request_id: raw.request_id,
            http_status: Some(raw.status),
            ..Default::default()
        })
        .with_retryable(raw.status >= 500));
    };
    let code = classify(&body.error_code, &body.error_message, raw.status);
    let message = if body.error_message.is_empty() {
        format!("HTTP {}", raw.status)
    } else {
        body.error_message.clone()
    };
    let retryable = matches!(
        code,
        ErrorCode::Throttled | ErrorCode::ServiceUnavailable | ErrorCode::ServiceError
    );
    Err(Error::new(code, message)
        .with_service(ServiceDetails {
            code: Some(body.error_code),
            message: Some(body.error_message).filter(|m| !m.is_empty()),
            request_id: Some(body.request_id)
                .filter(|r| !r.is_empty())
                .or(raw.request_id),
            http_status: Some(raw.status),
            ..Default::default()
        })
        .with_retryable(retryable))
}

/// The Instance API's codes that the shared gateway's table does not cover; the rest
/// (`Rejected.Throttling`, `Forbidden.KeyNotFound`, `Forbidden.NoPermission`,
/// `ServiceUnavailableTemporary`, `InternalFailure`, 4xx parameter errors) map as there.
fn classify(code: &str, message: &str, status: u16) -> ErrorCode {
    match code {
        "Unauthorized" | "RequestTimeTooSkewed" => ErrorCode::AuthenticationFailed,
        // The gateway reports a bad signature or date as a parameter error.
        "InvalidParam"
            if message.contains("Authorization")
                || message.contains("Date")
                || message.contains("signaturemethod") =>
        {
            ErrorCode::AuthenticationFailed
        }
        "MissingParameter" if message.contains("acccesskeyid") => ErrorCode::AuthenticationFailed,
        _ => classify_service_code(Some(code), status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, code: &str, message: &str) -> RawResponse {
        let body = proto::Error {
            status_code: i32::from(status),
            error_code: code.into(),
            error_message: message.into(),
            request_id: "R-1".into(),
        };
        RawResponse {
            status,
            request_id: None,
            retry_after_ms: None,
            content_type: Some("application/x-protobuf".into()),
            body: Zeroizing::new(body.encode_to_vec()),
        }
    }

    #[test]
    fn error_bodies_map_to_typed_errors() {
        let cases = [
            (
                429,
                "Rejected.Throttling",
                "QPS Limit Exceeded",
                ErrorCode::Throttled,
                true,
            ),
            (
                404,
                "Forbidden.KeyNotFound",
                "x",
                ErrorCode::ResourceNotFound,
                false,
            ),
            (
                403,
                "Forbidden.NoPermission",
                "x",
                ErrorCode::Forbidden,
                false,
            ),
            (
                401,
                "Unauthorized",
                "x",
                ErrorCode::AuthenticationFailed,
                false,
            ),
            (
                400,
                "InvalidParam",
                "The Param Date is invalid.",
                ErrorCode::AuthenticationFailed,
                false,
            ),
            (
                400,
                "InvalidParam",
                "The Param KeyId is invalid.",
                ErrorCode::InvalidParameter,
                false,
            ),
            (
                400,
                "InvalidParameter",
                "x",
                ErrorCode::InvalidParameter,
                false,
            ),
            (
                400,
                "RequestTimeTooSkewed",
                "x",
                ErrorCode::AuthenticationFailed,
                false,
            ),
            (500, "InternalFailure", "x", ErrorCode::ServiceError, true),
            (
                503,
                "ServiceUnavailableTemporary",
                "x",
                ErrorCode::ServiceUnavailable,
                true,
            ),
            (
                413,
                "RequestEntityTooLarge",
                "x",
                ErrorCode::InvalidParameter,
                false,
            ),
        ];
        for (status, code, message, want, retryable) in cases {
            let e = interpret(raw(status, code, message)).unwrap_err();
            assert_eq!(e.code(), want, "{code}");
            assert_eq!(e.is_retryable(), retryable, "{code}");
            assert_eq!(e.service_code(), Some(code));
            assert_eq!(e.request_id(), Some("R-1"));
            assert_eq!(e.http_status(), Some(status));
        }
    }

    #[test]
    fn garbage_error_bodies_keep_the_status() {
        let mut r = raw(502, "x", "y");
        r.body = Zeroizing::new(b"<html>bad gateway</html>".to_vec());
        let e = interpret(r).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidResponse);
        assert_eq!(e.http_status(), Some(502));
        assert!(e.is_retryable());
    }
}
