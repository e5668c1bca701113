//! The ECS instance RAM role, from the instance metadata service (IMDS).
//!
//! IMDSv2 first: `PUT /latest/api/token` with the TTL header; the token is cached for its TTL
//! (the official libraries fetch one before every request). When the service answers the PUT
//! with an error status, requests go without a token (IMDSv1) unless v1 is disabled; a tokened
//! request refused by the service is retried once without the token (same rule). A network
//! failure of the PUT is not a reason to try v1: the same host would not answer that either.
//! Transient failures are retried a few times with backoff; the cache adds static stability
//! (see `cache.rs`).

use super::cache::{Cache, CredentialHooks, Fetch, Policy};
use super::env::{env_names, Env};
use super::http::{self, Reply, StepError, Target};
use super::sts::{millis, non_empty};
use super::{BoxFuture, Credentials, CredentialsProvider};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::SecretString;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

pub const DEFAULT_METADATA_ENDPOINT: &str = "http://100.100.100.200";
pub const DEFAULT_TOKEN_TTL_SECONDS: u64 = 21_600;
pub const DEFAULT_METADATA_TIMEOUT: Duration = Duration::from_secs(1);
pub const DEFAULT_METADATA_ATTEMPTS: u32 = 3;
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";

/// Options of [`EcsRamRoleProvider`]. Unset fields fall back to the environment variable named.
#[derive(Clone, Debug, Default)]
pub struct EcsRamRoleOptions {
    /// Else `ALIBABA_CLOUD_ECS_METADATA`, else discovered from the metadata service.
    pub role_name: Option<String>,
    /// Never fall back to IMDSv1 (else `ALIBABA_CLOUD_IMDSV1_DISABLED=true`).
    pub disable_imds_v1: Option<bool>,
    /// Default `http://100.100.100.200`; any `http://host:port` (tests, the emulator).
    pub metadata_endpoint: Option<String>,
    /// Lifetime asked for the IMDSv2 token, default 21600.
    pub metadata_token_ttl_seconds: Option<u64>,
    /// Default 1000.
    pub connect_timeout_ms: Option<u64>,
    /// Default 1000.
    pub read_timeout_ms: Option<u64>,
    /// Attempts per refresh for transient failures, default 3.
    pub max_attempts: Option<u32>,
}

/// Credentials of the RAM role attached to this ECS instance.
pub struct EcsRamRoleProvider {
    fetch: Imds,
    cache: Cache,
}

struct Imds {
    target: Target,
    role_name: Option<String>,
    v1_disabled: bool,
    token_ttl: u64,
    attempts: u32,
    token: Mutex<Option<(SecretString, SystemTime)>>,
    hooks: CredentialHooks,
}

impl fmt::Debug for EcsRamRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsRamRoleProvider")
            .field("endpoint", &self.fetch.target)
            .field("role_name", &self.fetch.role_name)
            .field("imds_v1_disabled", &self.fetch.v1_disabled)
            .finish()
    }
}

impl EcsRamRoleProvider {
    pub fn new(options: EcsRamRoleOptions) -> Result<Self> {
        Self::with_env(options, &Env::system())
    }

    /// Refused when `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`.
    pub fn with_env(o: EcsRamRoleOptions, env: &Env) -> Result<Self> {
        if env.flag(env_names::ECS_METADATA_DISABLED) {
            return Err(Error::new(
                ErrorCode::CredentialsNotConfigured,
                format!(
                    "the ECS metadata service is disabled ({}=true)",
                    env_names::ECS_METADATA_DISABLED
                ),
            ));
        }
        let endpoint =
            non_empty(o.metadata_endpoint).unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_owned());
        let endpoint = if endpoint.contains("://") {
            endpoint
        } else {
            format!("http://{endpoint}")
        };
        let target = Target::new(
            &endpoint,
            millis(o.connect_timeout_ms, DEFAULT_METADATA_TIMEOUT),
            millis(o.read_timeout_ms, DEFAULT_METADATA_TIMEOUT),
        )?;
        let hooks = CredentialHooks::default();
        Ok(EcsRamRoleProvider {
            fetch: Imds {
                target,
                role_name: non_empty(o.role_name)
                    .or_else(|| env.get(env_names::ECS_METADATA))
                    .map(|r| r.trim().to_owned()),
                v1_disabled: o
                    .disable_imds_v1
                    .unwrap_or_else(|| env.flag(env_names::IMDSV1_DISABLED)),
                token_ttl: o
                    .metadata_token_ttl_seconds
                    .filter(|t| *t > 0)
                    .unwrap_or(DEFAULT_TOKEN_TTL_SECONDS),
                attempts: o
                    .max_attempts
                    .filter(|a| *a > 0)
                    .unwrap_or(DEFAULT_METADATA_ATTEMPTS),
                token: Mutex::new(None),
                hooks: hooks.clone(),
            },
            cache: Cache::new(Policy::METADATA, hooks),
        })
    }

    pub fn with_hooks(mut self, hooks: CredentialHooks) -> Self {
        self.cache = Cache::new(Policy::METADATA, hooks.clone());
        self.fetch.hooks = hooks;
        self
    }
}

impl CredentialsProvider for EcsRamRoleProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(self.cache.get(&self.fetch))
    }
}

impl Fetch for Imds {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(async move {
            http::with_retries(
                self.attempts,
                Duration::from_millis(100),
                Duration::from_secs(1),
                &*self.hooks.sleeper,
                &*self.hooks.jitter,
                || self.once(),
            )
            .await
        })
    }
}

fn failure(status: u16, message: String) -> StepError {
    StepError::for_status(
        status,
        Error::new(ErrorCode::CredentialsUnavailable, message),
    )
}

impl Imds {
    async fn once(&self) -> std::result::Result<Credentials, StepError> {
        let token = self.token().await?;
        let role = match &self.role_name {
            Some(r) => r.clone(),
            None => {
                let reply = self.get(CREDENTIALS_PATH, token.as_ref()).await?;
                let text = reply.text();
                text.lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        StepError::fatal(Error::new(
                            ErrorCode::CredentialsNotConfigured,
                            "no RAM role is attached to this ECS instance",
                        ))
                    })?
            }
        };
        if role.contains(['/', '?', '#', ' ']) {
            return Err(StepError::fatal(Error::configuration(
                "the ECS RAM role name contains characters that cannot be in a role name",
            )));
        }
        let reply = self
            .get(&format!("{CREDENTIALS_PATH}{role}"), token.as_ref())
            .await
            .map_err(|mut e| {
                if e.error.http_status() == Some(404) || e.error.message().contains("http 404") {
                    e.error = Error::new(
                        ErrorCode::CredentialsUnavailable,
                        format!("the RAM role {role:?} is not attached to this ECS instance"),
                    );
                }
                e
            })?;
        parse_credentials(&reply)
    }

    /// A cached IMDSv2 token, a new one, or `None` for IMDSv1.
    async fn token(&self) -> std::result::Result<Option<SecretString>, StepError> {
        let now = self.hooks.clock.now();
        if let Some((t, until)) = &*self.token.lock().unwrap_or_else(|p| p.into_inner()) {
            if now < *until {
                return Ok(Some(t.clone()));
            }
        }
        let headers = [(
            "x-aliyun-ecs-metadata-token-ttl-seconds",
            self.token_ttl.to_string(),
        )];
        let reply = self.target.send("PUT", TOKEN_PATH, &headers, &[]).await?;
        let token = String::from_utf8_lossy(&reply.body).trim().to_owned();
        if reply.status == 200 && !token.is_empty() {
            let token = SecretString::new(token);
            // Renew a minute early so a token never expires between our check and its use.
            let life =
                Duration::from_secs(self.token_ttl.saturating_sub(60).max(self.token_ttl / 2));
            *self.token.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((token.clone(), now + life));
            return Ok(Some(token));
        }
        if self.v1_disabled {
            return Err(failure(
                reply.status,
                format!(
                    "cannot get a metadata token (IMDSv2) from the ECS metadata service: http {}; IMDSv1 is disabled",
                    reply.status
                ),
            ));
        }
        tracing::debug!(status = reply.status, "IMDSv2 token refused; using IMDSv1");
        Ok(None)
    }

    async fn get(
        &self,
        path: &str,
        token: Option<&SecretString>,
    ) -> std::result::Result<Reply, StepError> {
        let mut reply = match token {
            Some(t) => {
                let headers = [("x-aliyun-ecs-metadata-token", t.expose().to_owned())];
                self.target.send("GET", path, &headers, &[]).await?
            }
            None => self.target.send("GET", path, &[], &[]).await?,
        };
        if reply.status != 200 && token.is_some() {
            // The token may have been revoked or expired early: forget it either way.
            *self.token.lock().unwrap_or_else(|p| p.into_inner()) = None;
            if !self.v1_disabled && reply.status < 500 {
                reply = self.target.send("GET", path, &[], &[]).await?;
            }
        }
        if reply.status != 200 {
            let mut e = failure(
                reply.status,
                format!(
                    "the ECS metadata service refused the RAM role request: http {}",
                    reply.status
                ),
            );
            // A refused token was forgotten above; the next attempt gets a new one.
            e.transient |= reply.status == 401 && token.is_some();
            return Err(e);
        }
        Ok(reply)
    }
}

fn parse_credentials(reply: &Reply) -> std::result::Result<Credentials, StepError> {
    let bad = |m: &str| {
        StepError::fatal(Error::new(
            ErrorCode::CredentialsUnavailable,
            format!("the ECS metadata service answered unexpectedly: {m}"),
        ))
    };
    let json: serde_json::Value =
        serde_json::from_slice(&reply.body).map_err(|_| bad("not JSON"))?;
    let field = |k: &str| {
        json.get(k)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(&format!("{k} is missing")))
    };
    let code = json.get("Code").and_then(|v| v.as_str()).unwrap_or("");
    if code != "Success" {
        return Err(bad(&format!("Code is {code:?}, not \"Success\"")));
    }
    let expiration = http::parse_expiration(field("Expiration")?)
        .ok_or_else(|| bad("Expiration is not a UTC timestamp"))?;
    Credentials::sts(
        field("AccessKeyId")?,
        field("AccessKeySecret")?,
        field("SecurityToken")?,
        Some(expiration),
    )
    .map(|c| c.with_provider_name("ecs_ram_role"))
    .map_err(StepError::fatal)
}
