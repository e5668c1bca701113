//! STS role providers: `AssumeRole` (RamRoleArn, signed with RPC HMAC-SHA1 by credentials from
//! any other provider) and `AssumeRoleWithOIDC` (unsigned; the OIDC token is the proof).
//!
//! AssumeRole is a GET with every parameter in the query, in the official Python library's
//! wire order, but canonicalised per the POP spec (RFC 3986: space `%20`), so parameters with
//! spaces sign correctly where the Python library's do not. AssumeRoleWithOIDC is a POST form
//! like the Go, Java and Node libraries, which keeps the token out of the URL.

use super::cache::{Cache, CredentialHooks, Fetch, Policy};
use super::env::{env_names, Env};
use super::http::{self, Reply, StepError, Target};
use super::{BoxFuture, Credentials, CredentialsProvider};
use crate::error::{Error, ErrorCode, Result};
use crate::signing::{encode, format_timestamp, rpc};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

pub const STS_API_VERSION: &str = "2015-04-01";
pub const DEFAULT_DURATION_SECONDS: u64 = 3600;
pub const MIN_DURATION_SECONDS: u64 = 900;
pub const STS_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const STS_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts per fetch for transient STS failures (network, 5xx, 429).
const STS_ATTEMPTS: u32 = 2;

/// The STS endpoint: an explicit one (`host[:port]` means HTTPS; `http://host:port` for local
/// servers), else `sts[-vpc].<region>.aliyuncs.com` (the VPC prefix only with a region, as the
/// official libraries do), else `sts.aliyuncs.com`.
pub fn sts_endpoint(endpoint: Option<&str>, region: Option<&str>, vpc: bool) -> String {
    if let Some(e) = endpoint.map(str::trim).filter(|e| !e.is_empty()) {
        return if e.contains("://") {
            e.to_owned()
        } else {
            format!("https://{e}")
        };
    }
    match region.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) if vpc => format!("https://sts-vpc.{r}.aliyuncs.com"),
        Some(r) => format!("https://sts.{r}.aliyuncs.com"),
        None => "https://sts.aliyuncs.com".to_owned(),
    }
}

/// Settings both STS providers share, resolved.
struct StsCommon {
    role_arn: String,
    role_session_name: Option<String>,
    duration_seconds: u64,
    policy: Option<String>,
    target: Target,
}

#[allow(clippy::too_many_arguments)]
fn common(
    env: &Env,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    duration_seconds: Option<u64>,
    policy: Option<String>,
    sts_region: Option<String>,
    enable_vpc: Option<bool>,
    sts_endpoint_opt: Option<String>,
    connect_timeout_ms: Option<u64>,
    read_timeout_ms: Option<u64>,
) -> Result<StsCommon> {
    let role_arn = non_empty(role_arn)
        .or_else(|| env.get(env_names::ROLE_ARN))
        .ok_or_else(|| {
            Error::configuration(format!(
                "a role ARN is required (role_arn or {})",
                env_names::ROLE_ARN
            ))
        })?;
    let duration_seconds = duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
    if duration_seconds < MIN_DURATION_SECONDS {
        return Err(Error::configuration(format!(
            "duration_seconds must be at least {MIN_DURATION_SECONDS}, got {duration_seconds}"
        )));
    }
    let region = non_empty(sts_region).or_else(|| env.get(env_names::STS_REGION));
    let vpc = enable_vpc.unwrap_or_else(|| env.flag(env_names::VPC_ENDPOINT_ENABLED));
    let url = sts_endpoint(sts_endpoint_opt.as_deref(), region.as_deref(), vpc);
    let target = Target::new(
        &url,
        millis(connect_timeout_ms, STS_CONNECT_TIMEOUT),
        millis(read_timeout_ms, STS_READ_TIMEOUT),
    )?;
    Ok(StsCommon {
        role_arn,
        role_session_name: non_empty(role_session_name)
            .or_else(|| env.get(env_names::ROLE_SESSION_NAME)),
        duration_seconds,
        policy: non_empty(policy),
        target,
    })
}

pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

pub(crate) fn millis(ms: Option<u64>, default: Duration) -> Duration {
    match ms {
        Some(ms) if ms > 0 => Duration::from_millis(ms),
        _ => default,
    }
}

impl StsCommon {
    fn session_name(&self, hooks: &CredentialHooks) -> String {
        self.role_session_name.clone().unwrap_or_else(|| {
            let ms = hooks
                .clock
                .now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis();
            format!("kmskit-{ms}")
        })
    }
}

fn timestamp(hooks: &CredentialHooks) -> String {
    format_timestamp(
        hooks
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs(),
    )
}

/// Reads `Credentials` of an STS answer.
fn parse_sts(
    what: &str,
    reply: &Reply,
    provider_name: &str,
) -> std::result::Result<Credentials, StepError> {
    if reply.status != 200 {
        return Err(StepError::for_status(
            reply.status,
            http::service_failure(what, reply),
        ));
    }
    let bad = |m: &str| {
        StepError::fatal(Error::new(
            ErrorCode::CredentialsUnavailable,
            format!("{what}: unexpected response: {m}"),
        ))
    };
    let json: serde_json::Value =
        serde_json::from_slice(&reply.body).map_err(|_| bad("not JSON"))?;
    let c = json
        .get("Credentials")
        .ok_or_else(|| bad("no Credentials"))?;
    let field = |k: &str| {
        c.get(k)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(&format!("Credentials.{k} is missing")))
    };
    let expiration = http::parse_expiration(field("Expiration")?)
        .ok_or_else(|| bad("Credentials.Expiration is not a UTC timestamp"))?;
    Credentials::sts(
        field("AccessKeyId")?,
        field("AccessKeySecret")?,
        field("SecurityToken")?,
        Some(expiration),
    )
    .map(|c| c.with_provider_name(provider_name))
    .map_err(StepError::fatal)
}

// ---------------------------------------------------------------------------------------------

/// Options of [`RamRoleArnProvider`]. Unset fields fall back to the environment variable named.
#[derive(Clone, Debug, Default)]
pub struct RamRoleArnOptions {
    /// Required (else `ALIBABA_CLOUD_ROLE_ARN`).
    pub role_arn: Option<String>,
    /// Else `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else `kmskit-<unix ms>`.
    pub role_session_name: Option<String>,
    /// Default 3600, at least 900.
    pub duration_seconds: Option<u64>,
    pub policy: Option<String>,
    pub external_id: Option<String>,
    /// Else `ALIBABA_CLOUD_STS_REGION`.
    pub sts_region: Option<String>,
    /// Use `sts-vpc.<region>.aliyuncs.com` (else `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`).
    pub enable_vpc: Option<bool>,
    /// `host[:port]` (HTTPS) or a URL such as `http://127.0.0.1:8080`; overrides the region.
    pub sts_endpoint: Option<String>,
    /// Default 5000.
    pub connect_timeout_ms: Option<u64>,
    /// Default 10000.
    pub read_timeout_ms: Option<u64>,
}

/// STS `AssumeRole` with credentials from another provider (an AccessKey, STS token, the ECS
/// role, another role: anything). A source with a security token adds `SecurityToken`.
pub struct RamRoleArnProvider {
    fetch: AssumeRole,
    cache: Cache,
}

struct AssumeRole {
    source: Arc<dyn CredentialsProvider>,
    common: StsCommon,
    external_id: Option<String>,
    hooks: CredentialHooks,
}

impl fmt::Debug for RamRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnProvider")
            .field("role_arn", &self.fetch.common.role_arn)
            .field("endpoint", &self.fetch.common.target)
            .field("source", &self.fetch.source)
            .finish()
    }
}

impl RamRoleArnProvider {
    /// Reads unset options from the process environment.
    pub fn new(source: Arc<dyn CredentialsProvider>, options: RamRoleArnOptions) -> Result<Self> {
        Self::with_env(source, options, &Env::system())
    }

    pub fn with_env(
        source: Arc<dyn CredentialsProvider>,
        o: RamRoleArnOptions,
        env: &Env,
    ) -> Result<Self> {
        let common = common(
            env,
            o.role_arn,
            o.role_session_name,
            o.duration_seconds,
            o.policy,
            o.sts_region,
            o.enable_vpc,
            o.sts_endpoint,
            o.connect_timeout_ms,
            o.read_timeout_ms,
        )?;
        let hooks = CredentialHooks::default();
        Ok(RamRoleArnProvider {
            fetch: AssumeRole {
                source,
                common,
                external_id: non_empty(o.external_id),
                hooks: hooks.clone(),
            },
            cache: Cache::new(Policy::SESSION, hooks),
        })
    }

    /// Replaces the clock, nonce, jitter and sleeper (tests).
    pub fn with_hooks(mut self, hooks: CredentialHooks) -> Self {
        self.cache = Cache::new(Policy::SESSION, hooks.clone());
        self.fetch.hooks = hooks;
        self
    }
}

impl CredentialsProvider for RamRoleArnProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(self.cache.get(&self.fetch))
    }
}

impl Fetch for AssumeRole {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(async move {
            let source = self.source.credentials().await.map_err(|e| {
                Error::new(
                    ErrorCode::CredentialsUnavailable,
                    format!("AssumeRole: the source credentials are unavailable: {e}"),
                )
            })?;
            let name = format!("ram_role_arn/{}", source.provider_name());
            let h = &self.hooks;
            http::with_retries(
                STS_ATTEMPTS,
                Duration::from_millis(200),
                Duration::from_secs(1),
                &*h.sleeper,
                &*h.jitter,
                || async {
                    let path = self.signed_query(&source);
                    let reply = self.common.target.send("GET", &path, &[], &[]).await?;
                    parse_sts("STS AssumeRole", &reply, &name)
                },
            )
            .await
        })
    }
}

impl AssumeRole {
    /// `/?<query>` with the Python library's wire order and a fresh nonce and timestamp.
    fn signed_query(&self, source: &Credentials) -> String {
        let c = &self.common;
        let duration = c.duration_seconds.to_string();
        let session = c.session_name(&self.hooks);
        let ts = timestamp(&self.hooks);
        let nonce = self.hooks.nonce.nonce();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("Action", "AssumeRole"),
            ("Format", "JSON"),
            ("Version", STS_API_VERSION),
            ("DurationSeconds", &duration),
            ("RoleArn", &c.role_arn),
            ("RoleSessionName", &session),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", &ts),
            ("SignatureNonce", &nonce),
        ];
        if let Some(p) = &c.policy {
            pairs.push(("Policy", p));
        }
        if let Some(x) = &self.external_id {
            pairs.push(("ExternalId", x));
        }
        pairs.push(("AccessKeyId", source.access_key_id()));
        if let Some(t) = source.security_token() {
            pairs.push(("SecurityToken", t));
        }
        let sig = rpc::sign_pairs("GET", pairs.clone(), source.access_key_secret()).signature;
        pairs.push(("Signature", &sig));
        let mut path = String::with_capacity(1024);
        path.push_str("/?");
        encode::form_pairs_into(pairs, &mut path);
        path
    }
}

// ---------------------------------------------------------------------------------------------

/// Options of [`OidcRoleArnProvider`]. Unset fields fall back to the environment variable named.
#[derive(Clone, Debug, Default)]
pub struct OidcRoleArnOptions {
    /// Required (else `ALIBABA_CLOUD_ROLE_ARN`).
    pub role_arn: Option<String>,
    /// Required (else `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`).
    pub oidc_provider_arn: Option<String>,
    /// Path of the OIDC token, re-read at every refresh (else `ALIBABA_CLOUD_OIDC_TOKEN_FILE`).
    pub oidc_token_file: Option<String>,
    /// Else `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else `kmskit-<unix ms>`.
    pub role_session_name: Option<String>,
    /// Default 3600, at least 900.
    pub duration_seconds: Option<u64>,
    pub policy: Option<String>,
    /// Else `ALIBABA_CLOUD_STS_REGION`.
    pub sts_region: Option<String>,
    /// Else `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`.
    pub enable_vpc: Option<bool>,
    /// `host[:port]` (HTTPS) or a URL such as `http://127.0.0.1:8080`.
    pub sts_endpoint: Option<String>,
    pub connect_timeout_ms: Option<u64>,
    pub read_timeout_ms: Option<u64>,
}

/// STS `AssumeRoleWithOIDC` (ACK RRSA and other OIDC identity providers): unsigned POST form.
pub struct OidcRoleArnProvider {
    fetch: AssumeRoleWithOidc,
    cache: Cache,
}

struct AssumeRoleWithOidc {
    common: StsCommon,
    provider_arn: String,
    token_file: PathBuf,
    hooks: CredentialHooks,
}

impl fmt::Debug for OidcRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleArnProvider")
            .field("role_arn", &self.fetch.common.role_arn)
            .field("oidc_provider_arn", &self.fetch.provider_arn)
            .field("oidc_token_file", &self.fetch.token_file)
            .field("endpoint", &self.fetch.common.target)
            .finish()
    }
}

impl OidcRoleArnProvider {
    pub fn new(options: OidcRoleArnOptions) -> Result<Self> {
        Self::with_env(options, &Env::system())
    }

    pub fn with_env(o: OidcRoleArnOptions, env: &Env) -> Result<Self> {
        let provider_arn = non_empty(o.oidc_provider_arn)
            .or_else(|| env.get(env_names::OIDC_PROVIDER_ARN))
            .ok_or_else(|| {
                Error::configuration(format!(
                    "an OIDC provider ARN is required (oidc_provider_arn or {})",
                    env_names::OIDC_PROVIDER_ARN
                ))
            })?;
        let token_file = non_empty(o.oidc_token_file)
            .or_else(|| env.get(env_names::OIDC_TOKEN_FILE))
            .ok_or_else(|| {
                Error::configuration(format!(
                    "an OIDC token file is required (oidc_token_file or {})",
                    env_names::OIDC_TOKEN_FILE
                ))
            })?;
        let common = common(
            env,
            o.role_arn,
            o.role_session_name,
            o.duration_seconds,
            o.policy,
            o.sts_region,
            o.enable_vpc,
            o.sts_endpoint,
            o.connect_timeout_ms,
            o.read_timeout_ms,
        )?;
        let hooks = CredentialHooks::default();
        Ok(OidcRoleArnProvider {
            fetch: AssumeRoleWithOidc {
                common,
                provider_arn,
                token_file: PathBuf::from(token_file),
                hooks: hooks.clone(),
            },
            cache: Cache::new(Policy::SESSION, hooks),
        })
    }

    pub fn with_hooks(mut self, hooks: CredentialHooks) -> Self {
        self.cache = Cache::new(Policy::SESSION, hooks.clone());
        self.fetch.hooks = hooks;
        self
    }
}

impl CredentialsProvider for OidcRoleArnProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(self.cache.get(&self.fetch))
    }
}

impl Fetch for AssumeRoleWithOidc {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(async move {
            // Re-read at every refresh: the token is rotated on disk (ACK RRSA rotates hourly).
            let token = http::read_file(self.token_file.clone())
                .await
                .map_err(|e| {
                    Error::new(
                        ErrorCode::CredentialsUnavailable,
                        format!(
                            "cannot read the OIDC token file {}: {e}",
                            self.token_file.display()
                        ),
                    )
                })?;
            let token = zeroize::Zeroizing::new(String::from_utf8_lossy(&token).trim().to_owned());
            if token.is_empty() {
                return Err(Error::new(
                    ErrorCode::CredentialsUnavailable,
                    format!("the OIDC token file {} is empty", self.token_file.display()),
                ));
            }
            let h = &self.hooks;
            http::with_retries(
                STS_ATTEMPTS,
                Duration::from_millis(200),
                Duration::from_secs(1),
                &*h.sleeper,
                &*h.jitter,
                || async {
                    let c = &self.common;
                    let ts = timestamp(h);
                    let mut path = String::from("/?");
                    encode::form_pairs_into(
                        [
                            ("Version", STS_API_VERSION),
                            ("Action", "AssumeRoleWithOIDC"),
                            ("Format", "JSON"),
                            ("Timestamp", ts.as_str()),
                        ],
                        &mut path,
                    );
                    let duration = c.duration_seconds.to_string();
                    let session = c.session_name(h);
                    let mut form: Vec<(&str, &str)> = vec![
                        ("RoleArn", &c.role_arn),
                        ("OIDCProviderArn", &self.provider_arn),
                        ("OIDCToken", token.as_str()),
                    ];
                    if let Some(p) = &c.policy {
                        form.push(("Policy", p));
                    }
                    form.push(("RoleSessionName", &session));
                    form.push(("DurationSeconds", &duration));
                    let mut body = zeroize::Zeroizing::new(String::new());
                    encode::form_pairs_into(form, &mut body);
                    let headers = [(
                        "content-type",
                        "application/x-www-form-urlencoded".to_owned(),
                    )];
                    let reply = c
                        .target
                        .send("POST", &path, &headers, body.as_bytes())
                        .await?;
                    parse_sts("STS AssumeRoleWithOIDC", &reply, "oidc_role_arn")
                },
            )
            .await
        })
    }
}
