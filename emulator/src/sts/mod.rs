//! STS (OpenAPI 2015-04-01) and ECS instance metadata on their own plain-HTTP listeners, so the
//! credential providers of kmskit and of the official libraries can be tested end to end: they
//! obtain temporary credentials here and spend them on the KMS listener.
//!
//! * `AssumeRole` and `GetCallerIdentity` are signed like KMS calls and checked by the same
//!   verifier (`auth::verify_for_version`), by long-term keys or by temporary ones with their token.
//! * `AssumeRoleWithOIDC` is anonymous; its JWT is checked against a JWKS given at start (`oidc`).
//! * The metadata service (`crate::imds`) hands out credentials for one configured role.
//!
//! Every credential issued lands in [`store::TempCredentialStore`], which the KMS listener
//! consults for `STS.` AccessKeys.

pub mod actions;
pub mod listener;
pub mod oidc;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use http::{Method, Request};
use hyper::body::Incoming;
use serde_json::json;
use tokio::sync::watch;

use crate::error::KmsError;
use crate::faults::FaultOutcome;
use crate::imds::{self, MetadataConfig};
use crate::server::{json_response, new_request_id, DropConnection, HttpResponse, Shared};
pub use oidc::OidcProviderConfig;
pub use store::{AssumedRole, TempCredential, TempCredentialStore};

/// The one STS API version served.
pub const STS_VERSION: &str = "2015-04-01";
const STS_HOST_ID: &str = "sts.aliyuncs.com";
/// AssumeRole's policy and the OIDC token are the largest inputs; both are a few KiB at most.
const MAX_BODY: usize = 64 * 1024;

/// How the STS listener behaves.
#[derive(Debug, Clone)]
pub struct StsConfig {
    /// Where STS listens; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Largest accepted `DurationSeconds` (the smallest is always 900).
    pub max_duration_seconds: u64,
    /// Issue every temporary credential (STS and ECS metadata) with this lifetime instead of the
    /// requested one, so tests can cross an expiry in seconds.
    pub credential_lifetime: Option<Duration>,
    /// Trusted OIDC providers for AssumeRoleWithOIDC; empty: every OIDC call is refused.
    pub oidc: Vec<OidcProviderConfig>,
    /// Allowance on the JWT's `exp`, `nbf` and `iat`.
    pub oidc_clock_skew: Duration,
}

impl Default for StsConfig {
    fn default() -> Self {
        StsConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_duration_seconds: 3600,
            credential_lifetime: None,
            oidc: Vec::new(),
            oidc_clock_skew: Duration::from_secs(60),
        }
    }
}

/// STS and metadata state, shared by all listeners.
#[derive(Debug)]
pub struct StsState {
    pub config: StsConfig,
    pub metadata: MetadataConfig,
    pub credentials: TempCredentialStore,
    oidc: Vec<oidc::OidcProvider>,
    pub(crate) imds: imds::ImdsState,
}

impl StsState {
    /// Parses the JWKS documents; a bad one is a start-up error, not a silent refusal later.
    pub fn new(config: StsConfig, metadata: MetadataConfig) -> Result<Self, String> {
        let oidc = config
            .oidc
            .iter()
            .cloned()
            .map(oidc::OidcProvider::new)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StsState {
            config,
            metadata,
            credentials: TempCredentialStore::default(),
            oidc,
            imds: imds::ImdsState::default(),
        })
    }

    /// The lifetime of a credential asked for `requested` (the test override wins).
    pub fn lifetime(&self, requested: Duration) -> chrono::Duration {
        let d = self.config.credential_lifetime.unwrap_or(requested);
        chrono::Duration::from_std(d).unwrap_or(chrono::Duration::seconds(3600))
    }
}

/// The bound STS and metadata listeners.
pub struct RunningSts {
    pub sts_addr: SocketAddr,
    pub metadata_addr: SocketAddr,
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Binds and serves both listeners until `shutdown` flips.
pub async fn start(
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<RunningSts> {
    let (sts_listener, sts_addr) = listener::bind(shared.sts.config.addr).await?;
    let (md_listener, metadata_addr) = listener::bind(shared.sts.metadata.addr).await?;
    let s = shared.clone();
    let sts_task = tokio::spawn(listener::serve(
        sts_listener,
        move |req| handle(s.clone(), req),
        shutdown.clone(),
        "sts",
    ));
    let s = shared.clone();
    let md_task = tokio::spawn(listener::serve(
        md_listener,
        move |req| imds::handle(s.clone(), req),
        shutdown,
        "metadata",
    ));
    tracing::info!(sts = %sts_addr, metadata = %metadata_addr, role = %shared.sts.metadata.role_name, "STS and ECS metadata listening");
    Ok(RunningSts {
        sts_addr,
        metadata_addr,
        tasks: vec![sts_task, md_task],
    })
}

/// STS's error body: KMS's shape with STS's host and troubleshooting link.
pub fn sts_error(e: &KmsError, request_id: &str) -> HttpResponse {
    let body = json!({
        "RequestId": request_id,
        "HostId": STS_HOST_ID,
        "Code": e.code,
        "Message": e.message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}&product=Sts", e.code),
    });
    json_response(e.status, request_id, &body)
}

/// Consults the admin faults for an STS or metadata action (only faults naming it match).
pub(crate) async fn apply_fault(
    shared: &Shared,
    action: &str,
    request_id: &str,
) -> Result<Option<KmsError>, DropConnection> {
    shared.stats.record(action);
    match shared.faults.check_exact(action) {
        Some(FaultOutcome::Drop) => {
            tracing::info!(request_id, action, "fault: dropping connection");
            Err(DropConnection)
        }
        Some(FaultOutcome::Respond(e)) => {
            tracing::info!(request_id, action, status = e.status, code = %e.code, "fault: injected error");
            Ok(Some(e))
        }
        Some(FaultOutcome::Delay(d)) => {
            tracing::info!(
                request_id,
                action,
                delay_ms = d.as_millis() as u64,
                "fault: delaying"
            );
            tokio::time::sleep(d).await;
            Ok(None)
        }
        None => Ok(None),
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let request_id = new_request_id();
    let (parts, raw) = match listener::read_request(req, MAX_BODY).await {
        Ok(r) => r,
        Err(listener::ReadError::TooLarge) => {
            let e = KmsError::new(413, "InvalidParameter", "The request body is too large.");
            return Ok(sts_error(&e, &request_id));
        }
        Err(listener::ReadError::Gone) => return Err(DropConnection),
    };
    if parts.uri.path() != "/" {
        return Ok(sts_error(&KmsError::action_not_found(), &request_id));
    }
    if !(parts.method == Method::GET || parts.method == Method::POST) {
        let e = KmsError::new(
            403,
            "UnsupportedHTTPMethod",
            "This http method is not supported.",
        );
        return Ok(sts_error(&e, &request_id));
    }
    let now = Utc::now();
    let authed = match actions::authenticate(&shared, &raw, now) {
        Ok(a) => a,
        Err(e) => {
            tracing::info!(request_id, status = e.status, code = %e.code, "STS request refused");
            return Ok(sts_error(&e, &request_id));
        }
    };
    if let Some(e) = apply_fault(&shared, &authed.action, &request_id).await? {
        return Ok(sts_error(&e, &request_id));
    }
    let action = authed.action.clone();
    Ok(match actions::dispatch(&shared, authed, now) {
        Ok(mut body) => {
            if let serde_json::Value::Object(m) = &mut body {
                m.insert("RequestId".into(), request_id.clone().into());
            }
            tracing::info!(request_id, action = %action, status = 200, "ok");
            json_response(200, &request_id, &body)
        }
        Err(e) => {
            tracing::info!(request_id, action = %action, status = e.status, code = %e.code, "error");
            sts_error(&e, &request_id)
        }
    })
}
