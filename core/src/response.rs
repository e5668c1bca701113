//! Reading what the service answered: a JSON object on success; on failure (HTTP 400-599) the
//! KMS error body `{RequestId, HostId, Code, Message, Recommend}` becomes a typed error. A body
//! that is not JSON (a proxy's HTML page, say) is an `InvalidResponse` that keeps the status.

use crate::error::{classify_service_code, Error, ErrorCode, Result, ServiceDetails};
use crate::transport::RawResponse;
use serde_json::{Map, Value};

pub(crate) fn interpret(raw: RawResponse) -> Result<Map<String, Value>> {
    let is_error = (400..600).contains(&raw.status);
    let parsed: Option<Map<String, Value>> = match serde_json::from_slice::<Value>(&raw.body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    };
    if !is_error {
        return parsed.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidResponse,
                format!("HTTP {} with a body that is not a JSON object", raw.status),
            )
            .with_service(ServiceDetails {
                request_id: raw.request_id.clone(),
                http_status: Some(raw.status),
                ..Default::default()
            })
            .with_retryable(false)
        });
    }
    let Some(body) = parsed else {
        let kind = raw
            .content_type
            .as_deref()
            .unwrap_or("unknown content type");
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "HTTP {} with a body that is not KMS JSON ({kind}, {} bytes)",
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
    let field = |a: &str, b: &str| {
        body.get(a).or_else(|| body.get(b)).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
    };
    let service_code = field("Code", "code");
    let details = ServiceDetails {
        code: service_code.clone(),
        message: field("Message", "message"),
        request_id: field("RequestId", "requestId").or(raw.request_id),
        host_id: field("HostId", "hostId"),
        recommend: field("Recommend", "recommend"),
        http_status: Some(raw.status),
    };
    let mut code = classify_service_code(service_code.as_deref(), raw.status);
    // The official SDK treats any error carrying x-acs-retry-after as throttling.
    if raw.retry_after_ms.is_some()
        && code != ErrorCode::Throttled
        && (raw.status == 429 || code == ErrorCode::ServiceUnavailable)
    {
        code = ErrorCode::Throttled;
    }
    let message = details
        .message
        .clone()
        .unwrap_or_else(|| format!("HTTP {}", raw.status));
    let retryable = matches!(
        code,
        ErrorCode::Throttled | ErrorCode::ServiceUnavailable | ErrorCode::ServiceError
    );
    Err(Error::new(code, message)
        .with_service(details)
        .with_retryable(retryable)
        .with_retry_after_ms(raw.retry_after_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            request_id: None,
            retry_after_ms: None,
            content_type: None,
            body: zeroize::Zeroizing::new(body.as_bytes().to_vec()),
        }
    }

    #[test]
    fn kms_error_body() {
        let e = interpret(raw(
            404,
            r#"{"RequestId":"E2","HostId":"kms.cn-hangzhou.aliyuncs.com","Code":"Forbidden.KeyNotFound","Message":"The specified Key is not found.","Recommend":"https://x"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::ResourceNotFound);
        assert_eq!(e.service_code(), Some("Forbidden.KeyNotFound"));
        assert_eq!(e.request_id(), Some("E2"));
        assert_eq!(e.host_id(), Some("kms.cn-hangzhou.aliyuncs.com"));
        assert_eq!(e.recommend(), Some("https://x"));
        assert_eq!(e.http_status(), Some(404));
        assert!(!e.is_retryable());
    }

    #[test]
    fn throttling_with_retry_after() {
        let mut r = raw(
            400,
            r#"{"Code":"Throttling","Message":"slow down","RequestId":"T"}"#,
        );
        r.retry_after_ms = Some(1200);
        let e = interpret(r).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Throttled);
        assert_eq!(e.retry_after_ms(), Some(1200));
        assert!(e.is_retryable());
    }

    #[test]
    fn non_json_bodies() {
        let e = interpret(raw(502, "<html><body>502 Bad Gateway</body></html>")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidResponse);
        assert_eq!(e.http_status(), Some(502));
        assert!(e.is_retryable());
        assert!(!e.message().contains("<html>"), "the body is not echoed");
        let e = interpret(raw(200, "not json")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidResponse);
        assert!(interpret(raw(200, r#"{"KeyId":"k"}"#)).is_ok());
    }
}
