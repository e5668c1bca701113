//! The HTTP front: a hyper HTTP/1.1 server (hyper directly rather than a router, because the
//! `drop` fault needs to close a connection without answering, which a service error does).
//! `/` is KMS (GET or POST); `/_emulator/...` is the admin API.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde_json::{json, Value};

use crate::actions::{self, Ctx};
use crate::auth::{self, NonceCache, RawRequest, VerifyOptions};
use crate::error::KmsError;
use crate::faults::{FaultOutcome, Faults, Stats};

/// Large enough for any SecretData the SDK sends; bigger bodies are refused before parsing.
const MAX_BODY: usize = 1024 * 1024;

/// State shared by every connection.
pub struct Shared {
    pub ctx: Arc<Ctx>,
    pub credentials: HashMap<String, String>,
    pub verify: VerifyOptions,
    pub nonces: NonceCache,
    pub faults: Faults,
    pub stats: Stats,
    pub admin_token: String,
    pub host_id: String,
    /// The dedicated gateway's state (ClientKeys), when it runs; CreateClientKey needs it.
    pub dedicated: Option<Arc<crate::dedicated::Gateway>>,
    /// STS, ECS metadata and the temporary credentials they issued.
    pub sts: Arc<crate::sts::StsState>,
}

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped (fault injection)")
    }
}

impl std::error::Error for DropConnection {}

pub type HttpResponse = Response<Full<Bytes>>;

pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_ascii_uppercase()
}

pub fn json_response(status: u16, request_id: &str, body: &Value) -> HttpResponse {
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-acs-request-id", v);
    }
    resp
}

pub fn error_response(e: &KmsError, request_id: &str, host_id: &str) -> HttpResponse {
    let body = json!({
        "RequestId": request_id,
        "HostId": host_id,
        "Code": e.code,
        "Message": e.message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}&product=Kms", e.code),
    });
    let mut resp = json_response(e.status, request_id, &body);
    if let Some(ms) = e.retry_after_ms {
        if let Ok(v) = HeaderValue::from_str(&ms.to_string()) {
            resp.headers_mut().insert("x-acs-retry-after", v);
        }
    }
    resp
}

/// One request, start to end.
pub async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let request_id = new_request_id();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            let err = KmsError::new(413, "InvalidParameter", "The request body is too large.");
            return Ok(error_response(&err, &request_id, &shared.host_id));
        }
        // The peer went away mid-body; nobody is left to answer.
        Err(_) => return Err(DropConnection),
    };
    let path = parts.uri.path();
    if let Some(rest) = path.strip_prefix("/_emulator/") {
        return Ok(crate::admin::handle(
            &shared,
            &parts.method,
            rest,
            &parts.headers,
            &body,
            &request_id,
        ));
    }
    if path != "/" {
        return Ok(error_response(
            &KmsError::action_not_found(),
            &request_id,
            &shared.host_id,
        ));
    }
    if !(parts.method == Method::GET || parts.method == Method::POST) {
        let err = KmsError::new(
            403,
            "UnsupportedHTTPMethod",
            "This http method is not supported.",
        );
        return Ok(error_response(&err, &request_id, &shared.host_id));
    }
    let raw = RawRequest {
        method: parts.method.as_str().to_owned(),
        raw_query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    kms_request(&shared, raw, &request_id).await
}

async fn kms_request(
    shared: &Arc<Shared>,
    raw: RawRequest,
    request_id: &str,
) -> Result<HttpResponse, DropConnection> {
    let started = Instant::now();
    let lookup = |ak: &str| {
        shared
            .credentials
            .get(ak)
            .cloned()
            .or_else(|| shared.sts.credentials.secret_for(ak))
    };
    let now = chrono::Utc::now();
    let authed = match auth::verify(&raw, &lookup, &shared.verify, now, Some(&shared.nonces))
        .and_then(|a| {
            shared
                .sts
                .credentials
                .check_token(&raw, &a, now)
                .map(|()| a)
        }) {
        Ok(a) => a,
        Err(e) => {
            tracing::info!(request_id, status = e.status, code = %e.code, "request refused by authentication");
            return Ok(error_response(&e, request_id, &shared.host_id));
        }
    };
    let action = authed.action.clone();
    shared.stats.record(&action);
    match shared.faults.check(&action) {
        Some(FaultOutcome::Drop) => {
            tracing::info!(request_id, action = %action, "fault: dropping connection");
            return Err(DropConnection);
        }
        Some(FaultOutcome::Respond(e)) => {
            tracing::info!(request_id, action = %action, status = e.status, code = %e.code, "fault: injected error");
            return Ok(error_response(&e, request_id, &shared.host_id));
        }
        Some(FaultOutcome::Delay(d)) => {
            tracing::info!(request_id, action = %action, delay_ms = d.as_millis() as u64, "fault: delaying");
            tokio::time::sleep(d).await;
        }
        None => {}
    }
    let ctx = shared.ctx.clone();
    let params = authed.params;
    let act = action.clone();
    let dedicated = shared.dedicated.clone();
    let result = tokio::task::spawn_blocking(move || match (act.as_str(), dedicated) {
        ("CreateClientKey", Some(gw)) => gw.create_client_key(&params),
        _ => actions::dispatch(&ctx, &act, &params),
    })
    .await
    .unwrap_or_else(|_| Err(KmsError::internal()));
    let elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(match result {
        Ok(mut body) => {
            if let Value::Object(m) = &mut body {
                m.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
            }
            tracing::info!(request_id, action = %action, status = 200, elapsed_ms, "ok");
            json_response(200, request_id, &body)
        }
        Err(e) => {
            tracing::info!(request_id, action = %action, status = e.status, code = %e.code, elapsed_ms, "error");
            error_response(&e, request_id, &shared.host_id)
        }
    })
}
