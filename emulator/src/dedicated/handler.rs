//! One Instance API request over the dedicated listener: read the body, verify the ClientKey
//! signature, count it, apply admin faults, run the API on a blocking thread, answer protobuf.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use prost::Message;

use super::{ops, proto, signature, Gateway, InstanceError};
use crate::faults::FaultOutcome;
use crate::server::{DropConnection, HttpResponse, Shared};

/// The real gateway refuses bodies over 3 MB with 413.
const MAX_BODY: usize = 3 * 1024 * 1024;
const PROTOBUF: &str = "application/x-protobuf";

fn protobuf_response(status: u16, body: Vec<u8>) -> HttpResponse {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROTOBUF));
    resp
}

pub fn error_response(e: &InstanceError, request_id: &str) -> HttpResponse {
    let body = proto::Error {
        status_code: i32::from(e.status),
        error_code: e.code.to_string(),
        error_message: e.message.to_string(),
        request_id: request_id.to_owned(),
    };
    protobuf_response(e.status, body.encode_to_vec())
}

/// Admin faults speak the OpenAPI's codes; the Instance API has its own names for two of them.
fn instance_fault(e: crate::error::KmsError) -> InstanceError {
    let mut out = InstanceError::from(e);
    match out.code.as_ref() {
        "Throttling" => {
            out.code = "Rejected.Throttling".into();
            out.message = "QPS Limit Exceeded".into();
            if out.status == 400 {
                out.status = 429;
            }
        }
        "ServiceUnavailable" => out.code = "ServiceUnavailableTemporary".into(),
        _ => {}
    }
    out
}

pub async fn handle(
    shared: Arc<Shared>,
    gateway: Arc<Gateway>,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            let err = InstanceError::new(
                413,
                "RequestEntityTooLarge",
                "The request body is too large.",
            );
            return Ok(error_response(&err, &request_id));
        }
        Err(_) => return Err(DropConnection),
    };
    if parts.uri.path() != "/" || parts.method != http::Method::POST {
        let err = InstanceError::new(404, "InvalidApiName", "The api name is invalid.");
        return Ok(error_response(&err, &request_id));
    }
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let now = chrono::Utc::now();
    let max_skew = shared.verify.check_time.then_some(shared.verify.max_skew);
    let verified = match signature::verify(
        parts.method.as_str(),
        &headers,
        &body,
        now,
        max_skew,
        |id| gateway.client_keys.public_key(id, now),
    ) {
        Ok(v) => v,
        Err(e) => {
            tracing::info!(request_id, status = e.status, code = %e.code, "instance API request refused by authentication");
            return Ok(error_response(&e, &request_id));
        }
    };
    let api = verified.api_name;
    shared.stats.record(&api);
    match shared.faults.check(&api) {
        Some(FaultOutcome::Drop) => return Err(DropConnection),
        Some(FaultOutcome::Respond(e)) => {
            let e = instance_fault(e);
            tracing::info!(request_id, api = %api, status = e.status, code = %e.code, "fault: injected error");
            return Ok(error_response(&e, &request_id));
        }
        Some(FaultOutcome::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let ctx = shared.ctx.clone();
    let rid = request_id.clone();
    let api2 = api.clone();
    let result = tokio::task::spawn_blocking(move || ops::call(&ctx, &api2, &body, &headers, &rid))
        .await
        .unwrap_or_else(|_| Err(InstanceError::internal()));
    let elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(match result {
        Ok(out) => {
            tracing::info!(request_id, api = %api, client_key = %verified.client_key_id, status = 200, elapsed_ms, "ok");
            let mut resp = protobuf_response(200, out.body);
            if let Some(v) = out
                .key_version_id
                .and_then(|v| HeaderValue::from_str(&v).ok())
            {
                resp.headers_mut().insert("x-kms-migrationkeyversionid", v);
            }
            resp
        }
        Err(e) => {
            tracing::info!(request_id, api = %api, status = e.status, code = %e.code, elapsed_ms, "error");
            error_response(&e, &request_id)
        }
    })
}
