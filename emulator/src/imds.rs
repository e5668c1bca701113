//! ECS instance metadata (the `100.100.100.200` service) on its own plain-HTTP listener, the part
//! the RAM-role credential providers use: IMDSv2 session tokens, role discovery and the role's
//! temporary credentials, which the KMS listener accepts until they expire.
//!
//! Admin faults named `ImdsToken`, `ImdsRoleName` or `ImdsCredentials` make this service fail or
//! stall, for outage tests; the error is answered as a bare status with a text body, as IMDS does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use rand::distributions::{Alphanumeric, DistString};
use serde_json::json;

use crate::server::{DropConnection, HttpResponse, Shared};
use crate::sts::listener::{self, ReadError};
use crate::sts::store::{format_time, role_id_for, AssumedRole, TempCredential};

pub const DEFAULT_ROLE_NAME: &str = "kmskit-emulator-role";
pub const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";
pub const TOKEN_TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials";
/// What real ECS role credentials live for when no test override is set.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// How the metadata listener behaves.
#[derive(Debug, Clone)]
pub struct MetadataConfig {
    /// Where it listens; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The instance's RAM role.
    pub role_name: String,
    /// Serve requests without a session token (IMDSv1); false enforces IMDSv2.
    pub allow_v1: bool,
}

impl Default for MetadataConfig {
    fn default() -> Self {
        MetadataConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            role_name: DEFAULT_ROLE_NAME.to_owned(),
            allow_v1: true,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct ImdsState {
    /// Session token → expiry.
    tokens: Mutex<HashMap<String, DateTime<Utc>>>,
    /// The role's current credential, rotated once half its life is gone (as ECS does ahead of
    /// expiry), so every poller sees the same key until then.
    current: Mutex<Option<TempCredential>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn text(status: u16, body: impl Into<String>) -> HttpResponse {
    let mut resp = Response::new(Full::new(Bytes::from(body.into())));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    resp
}

pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let request_id = crate::server::new_request_id();
    let (parts, raw) = match listener::read_request(req, 4096).await {
        Ok(r) => r,
        Err(ReadError::TooLarge) => return Ok(text(413, "Request Entity Too Large")),
        Err(ReadError::Gone) => return Err(DropConnection),
    };
    let path = parts.uri.path();
    let now = Utc::now();
    let state = &shared.sts.imds;
    if path == "/latest/api/token" {
        if parts.method != Method::PUT {
            return Ok(text(405, "Method Not Allowed"));
        }
        // Real IMDS refuses token requests that went through a proxy.
        if raw.header("x-forwarded-for").is_some() {
            return Ok(text(403, "Forbidden"));
        }
        let ttl = raw
            .header(TOKEN_TTL_HEADER)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|t| (1..=21600).contains(t));
        let Some(ttl) = ttl else {
            return Ok(text(
                400,
                "Bad Request: the token TTL must be 1..=21600 seconds",
            ));
        };
        if let Some(e) = crate::sts::apply_fault(&shared, "ImdsToken", &request_id).await? {
            return Ok(text(e.status, e.message));
        }
        let token = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 56);
        let mut tokens = lock(&state.tokens);
        tokens.retain(|_, exp| *exp > now);
        tokens.insert(token.clone(), now + chrono::Duration::seconds(ttl));
        drop(tokens);
        let mut resp = text(200, token);
        if let Ok(v) = HeaderValue::from_str(&ttl.to_string()) {
            resp.headers_mut().insert(TOKEN_TTL_HEADER, v);
        }
        return Ok(resp);
    }
    let Some(rest) = path.strip_prefix(CREDENTIALS_PATH) else {
        return Ok(text(404, "Not Found"));
    };
    if parts.method != Method::GET {
        return Ok(text(405, "Method Not Allowed"));
    }
    match raw.header(TOKEN_HEADER).map(str::trim) {
        Some(token) => {
            let valid = lock(&state.tokens).get(token).is_some_and(|exp| *exp > now);
            if !valid {
                return Ok(text(401, "Unauthorized: invalid or expired metadata token"));
            }
        }
        None if shared.sts.metadata.allow_v1 => {}
        None => {
            return Ok(text(
                401,
                "Unauthorized: a metadata token is required (IMDSv2)",
            ))
        }
    }
    let role = &shared.sts.metadata.role_name;
    match rest {
        "" | "/" => {
            if let Some(e) = crate::sts::apply_fault(&shared, "ImdsRoleName", &request_id).await? {
                return Ok(text(e.status, e.message));
            }
            Ok(text(200, role.clone()))
        }
        r if r.strip_prefix('/') == Some(role.as_str()) => {
            if let Some(e) =
                crate::sts::apply_fault(&shared, "ImdsCredentials", &request_id).await?
            {
                return Ok(text(e.status, e.message));
            }
            let c = role_credential(&shared, now);
            let body = json!({
                "AccessKeyId": c.access_key_id,
                "AccessKeySecret": c.access_key_secret,
                "Expiration": c.expiration_text(),
                "SecurityToken": c.security_token,
                "LastUpdated": format_time(c.issued_at),
                "Code": "Success",
            });
            Ok(crate::server::json_response(200, &request_id, &body))
        }
        _ => Ok(text(404, "Not Found")),
    }
}

fn role_credential(shared: &Shared, now: DateTime<Utc>) -> TempCredential {
    let mut current = lock(&shared.sts.imds.current);
    if let Some(c) = current.as_ref() {
        let life = c.expiration - c.issued_at;
        if c.expiration - now > life / 2 {
            return c.clone();
        }
    }
    let role_name = shared.sts.metadata.role_name.clone();
    let account = shared.ctx.account_id.clone();
    let identity = AssumedRole {
        role_id: role_id_for(&format!("acs:ram::{account}:role/{role_name}")),
        account_id: account,
        role_name,
        session_name: "kmskit-emulator-instance".to_owned(),
    };
    let lifetime = shared.sts.lifetime(DEFAULT_LIFETIME);
    let c = shared.sts.credentials.issue(identity, now, lifetime);
    tracing::info!(access_key_id = %c.access_key_id, expiration = %c.expiration_text(), "metadata issued role credentials");
    *current = Some(c.clone());
    c
}
