//! How a client is set up: where it sends requests, how long it waits, how it retries, whom it
//! trusts, who it is. Built once with [`ClientConfig::builder`]; a `Client` never changes it.
//! TLS verification is always on; a custom CA adds to the public roots.

use crate::credentials::{Credentials, CredentialsProvider, StaticProvider};
use crate::endpoint::{Endpoint, Gateway};
use crate::error::{Error, Result};
use crate::instance_api::{ClientKey, Route};
use crate::retry::RetryPolicy;
use crate::signing::SignatureVersion;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The KMS OpenAPI version every action of this client speaks.
pub const API_VERSION: &str = "2016-01-20";

/// Time, randomness and sleeping, injectable so tests are exact and fast.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}
pub trait NonceSource: Send + Sync {
    fn nonce(&self) -> String;
}
pub trait Sleeper: Send + Sync {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}
/// Uniform samples in `[0, 1)` for backoff jitter.
pub trait JitterSource: Send + Sync {
    fn unit(&self) -> f64;
}

#[derive(Debug)]
pub(crate) struct SystemHooks;
impl Clock for SystemHooks {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
impl NonceSource for SystemHooks {
    fn nonce(&self) -> String {
        crate::signing::new_nonce()
    }
}
impl Sleeper for SystemHooks {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(d))
    }
}
impl JitterSource for SystemHooks {
    fn unit(&self) -> f64 {
        rand::random::<f64>()
    }
}

#[derive(Clone)]
pub(crate) struct Hooks {
    pub clock: Arc<dyn Clock>,
    pub nonce: Arc<dyn NonceSource>,
    pub sleeper: Arc<dyn Sleeper>,
    pub jitter: Arc<dyn JitterSource>,
}

impl Default for Hooks {
    fn default() -> Self {
        let s = Arc::new(SystemHooks);
        Hooks {
            clock: s.clone(),
            nonce: s.clone(),
            sleeper: s.clone(),
            jitter: s,
        }
    }
}

/// A complete client configuration.
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) region: Option<String>,
    pub(crate) gateway: Gateway,
    pub(crate) endpoint: Endpoint,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) ca_pem: Option<Vec<u8>>,
    pub(crate) signature_version: SignatureVersion,
    pub(crate) credentials: Option<Arc<dyn CredentialsProvider>>,
    pub(crate) hooks: Hooks,
    /// The dedicated gateway's Instance API: its endpoint and the ClientKey (both or neither).
    pub(crate) instance: Option<(Endpoint, ClientKey)>,
    pub(crate) route: Route,
    pub(crate) loop_driver: Option<Arc<crate::transport::LoopDriver>>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("region", &self.region)
            .field("gateway", &self.gateway)
            .field("endpoint", &self.endpoint)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("custom_ca", &self.ca_pem.is_some())
            .field("signature_version", &self.signature_version)
            .field("credentials", &self.credentials)
            .field("instance", &self.instance)
            .field("route", &self.route)
            .field("loop_driver", &self.loop_driver.is_some())
            .finish()
    }
}

impl ClientConfig {
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }
    pub fn signature_version(&self) -> SignatureVersion {
        self.signature_version
    }
    /// The dedicated gateway's Instance API endpoint, when a ClientKey is configured.
    pub fn instance_endpoint(&self) -> Option<&Endpoint> {
        self.instance.as_ref().map(|(e, _)| e)
    }
    pub fn client_key(&self) -> Option<&ClientKey> {
        self.instance.as_ref().map(|(_, k)| k)
    }
    pub fn route(&self) -> Route {
        self.route
    }
}

/// The default `user-agent`: kmskit's name and version, OS and architecture.
pub fn default_user_agent() -> String {
    format!(
        "kmskit/{} ({}; {}) Rust",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// Builder for [`ClientConfig`].
#[derive(Default)]
pub struct ClientConfigBuilder {
    region: Option<String>,
    gateway: Gateway,
    endpoint: Option<String>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    user_agent_suffix: Option<String>,
    retry: Option<RetryPolicy>,
    ca_pem: Option<Vec<u8>>,
    ca_file: Option<std::path::PathBuf>,
    signature_version: SignatureVersion,
    credentials: Option<Arc<dyn CredentialsProvider>>,
    hooks: Hooks,
    client_key: Option<ClientKey>,
    instance_id: Option<String>,
    instance_endpoint: Option<String>,
    route: Route,
    loop_driver: Option<Arc<crate::transport::LoopDriver>>,
}

impl ClientConfigBuilder {
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    pub fn gateway(mut self, gateway: Gateway) -> Self {
        self.gateway = gateway;
        self
    }
    /// An explicit endpoint URL (`https://host[:port]`, or `http://` for local servers); it
    /// overrides the gateway's.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }
    pub fn read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = Some(d);
        self
    }
    /// Appended to kmskit's user-agent after a space.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
    /// A CA certificate (PEM, one or more) trusted in addition to the public roots, e.g. a KMS
    /// instance CA.
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }
    /// Like [`Self::ca_pem`], read from a file when the config is built.
    pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }
    pub fn signature_version(mut self, v: SignatureVersion) -> Self {
        self.signature_version = v;
        self
    }
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(StaticProvider::new(credentials)));
        self
    }
    pub fn credentials_provider(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.hooks.clock = clock;
        self
    }
    pub fn nonce_source(mut self, nonce: Arc<dyn NonceSource>) -> Self {
        self.hooks.nonce = nonce;
        self
    }
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.hooks.sleeper = sleeper;
        self
    }
    pub fn jitter_source(mut self, jitter: Arc<dyn JitterSource>) -> Self {
        self.hooks.jitter = jitter;
        self
    }
    /// Runs the client's sockets, timeouts and retry sleeps on a host event loop through
    /// `driver` instead of on tokio (see [`crate::LoopDriver`]). It also becomes the sleeper; a
    /// later [`Self::sleeper`] overrides that.
    pub fn loop_driver(mut self, driver: Arc<crate::transport::LoopDriver>) -> Self {
        self.hooks.sleeper = Arc::new(crate::transport::DriverSleeper(Arc::clone(&driver)));
        self.loop_driver = Some(driver);
        self
    }
    /// The ClientKey for the dedicated gateway's Instance API. With it, the data-plane
    /// operations go to the dedicated gateway (see [`Route`]); management calls stay on the
    /// configured endpoint with RAM credentials.
    pub fn client_key(mut self, key: ClientKey) -> Self {
        self.client_key = Some(key);
        self
    }
    /// The KMS instance whose dedicated gateway serves the Instance API
    /// (`<instance-id>.cryptoservice.kms.aliyuncs.com`), when the main gateway is another one.
    pub fn instance_id(mut self, id: impl Into<String>) -> Self {
        self.instance_id = Some(id.into());
        self
    }
    /// An explicit Instance API endpoint (`https://host[:port]` or `host[:port]`); it overrides
    /// [`Self::instance_id`]. Without either, the dedicated gateway of [`Self::gateway`] or the
    /// explicit [`Self::endpoint`] is used.
    pub fn instance_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.instance_endpoint = Some(endpoint.into());
        self
    }
    /// Where data-plane operations go when a ClientKey is configured (default [`Route::Auto`]).
    pub fn route(mut self, route: Route) -> Self {
        self.route = route;
        self
    }

    fn resolve_instance(&self) -> Result<Option<(Endpoint, ClientKey)>> {
        let Some(key) = &self.client_key else {
            if self.instance_endpoint.is_some() || self.instance_id.is_some() {
                return Err(Error::configuration(
                    "an instance endpoint or instance id for the Instance API needs a ClientKey",
                ));
            }
            if self.route == Route::Dedicated {
                return Err(Error::configuration(
                    "the dedicated route needs a ClientKey",
                ));
            }
            return Ok(None);
        };
        let endpoint = if let Some(e) = &self.instance_endpoint {
            Endpoint::parse(e)?
        } else if let Some(id) = &self.instance_id {
            Endpoint::for_gateway(
                &Gateway::Dedicated {
                    instance_id: id.clone(),
                },
                None,
            )?
        } else if let Gateway::Dedicated { .. } = &self.gateway {
            Endpoint::for_gateway(&self.gateway, None)?
        } else if let Some(e) = &self.endpoint {
            Endpoint::parse(e)?
        } else {
            return Err(Error::configuration(
                "a ClientKey needs the dedicated gateway: set instance_id or instance_endpoint",
            ));
        };
        Ok(Some((endpoint, key.clone())))
    }

    pub fn build(self) -> Result<ClientConfig> {
        let instance = self.resolve_instance()?;
        let endpoint = match (&self.endpoint, &instance) {
            (Some(e), _) => Endpoint::parse(e)?,
            // Only the dedicated gateway is configured: RAM-authenticated calls go there too.
            (None, Some((e, _))) if self.region.is_none() && self.gateway == Gateway::Shared => {
                e.clone()
            }
            (None, _) => Endpoint::for_gateway(&self.gateway, self.region.as_deref())?,
        };
        let check = |d: Duration, what: &str| {
            if d.is_zero() {
                Err(Error::configuration(format!(
                    "{what} must be greater than zero"
                )))
            } else {
                Ok(d)
            }
        };
        let connect_timeout = check(
            self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            "connect timeout",
        )?;
        let read_timeout = check(
            self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT),
            "read timeout",
        )?;
        let retry = self.retry.unwrap_or_default();
        if retry.max_attempts == 0 {
            return Err(Error::configuration(
                "retry policy: max_attempts must be at least 1",
            ));
        }
        let mut user_agent = default_user_agent();
        if let Some(suffix) = self
            .user_agent_suffix
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if suffix.bytes().any(|b| b.is_ascii_control()) {
                return Err(Error::configuration(
                    "user-agent suffix contains control characters",
                ));
            }
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let ca_pem = match (self.ca_pem, self.ca_file) {
            (Some(pem), _) => Some(pem),
            (None, Some(path)) => Some(std::fs::read(&path).map_err(|e| {
                Error::configuration(format!("cannot read CA file {}: {e}", path.display()))
            })?),
            (None, None) => None,
        };
        if let Some(pem) = &ca_pem {
            crate::transport::parse_ca_pem(pem)?;
        }
        Ok(ClientConfig {
            region: self.region,
            gateway: self.gateway,
            endpoint,
            connect_timeout,
            read_timeout,
            user_agent,
            retry,
            ca_pem,
            signature_version: self.signature_version,
            credentials: self.credentials,
            hooks: self.hooks,
            instance,
            route: self.route,
            loop_driver: self.loop_driver,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = ClientConfig::builder()
            .region("cn-hangzhou")
            .build()
            .unwrap();
        assert_eq!(
            c.endpoint().base_url(),
            "https://kms.cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(c.connect_timeout(), Duration::from_secs(5));
        assert_eq!(c.read_timeout(), Duration::from_secs(10));
        assert_eq!(c.retry_policy(), &RetryPolicy::default());
        assert!(c.user_agent().starts_with("kmskit/"));
        assert_eq!(c.signature_version(), SignatureVersion::Acs3HmacSha256);
    }

    #[test]
    fn endpoint_overrides_gateway_and_suffix_is_appended() {
        let c = ClientConfig::builder()
            .endpoint("http://127.0.0.1:9")
            .user_agent_suffix("myapp/1.0")
            .build()
            .unwrap();
        assert_eq!(c.endpoint().base_url(), "http://127.0.0.1:9");
        assert!(c.user_agent().ends_with(" myapp/1.0"));
    }

    #[test]
    fn invalid_settings_are_refused() {
        assert!(ClientConfig::builder().build().is_err());
        assert!(ClientConfig::builder()
            .region("r")
            .read_timeout(Duration::ZERO)
            .build()
            .is_err());
        assert!(ClientConfig::builder()
            .region("r")
            .ca_pem(b"not a pem".to_vec())
            .build()
            .is_err());
        assert!(ClientConfig::builder()
            .region("r")
            .ca_file("/nonexistent/ca.pem")
            .build()
            .is_err());
        assert!(ClientConfig::builder()
            .region("r")
            .retry_policy(RetryPolicy {
                max_attempts: 0,
                ..RetryPolicy::default()
            })
            .build()
            .is_err());
    }
}
