//! Where a request's identity comes from. A [`CredentialsProvider`] hands out one consistent
//! [`Credentials`] snapshot per call (id, secret and token always belong together).
//!
//! - static: [`StaticProvider`] (AccessKey or STS token), [`EnvProvider`];
//! - refreshing, each behind the single-flight refresh cache of `cache.rs`:
//!   [`EcsRamRoleProvider`], [`RamRoleArnProvider`] (any provider as its source),
//!   [`OidcRoleArnProvider`], [`UriProvider`], and [`FnProvider`] (a user's async closure);
//! - files: [`CliProfileProvider`] (`~/.aliyun/config.json`) and [`IniProfileProvider`]
//!   (`~/.alibabacloud/credentials.ini`);
//! - [`DefaultChain`]: the official order and environment variable names.

mod cache;
mod chain;
mod cli_profile;
mod ecs;
mod env;
mod http;
mod ini_profile;
mod sts;
mod uri;

pub use cache::{
    CredentialHooks, EXPIRY_MARGIN, MAX_EXTENSION, MAX_REFRESH_WINDOW, NO_EXPIRY_REFRESH,
};
pub use chain::{DefaultChain, DefaultChainOptions};
pub use cli_profile::{CliProfileOptions, CliProfileProvider};
pub use ecs::{
    EcsRamRoleOptions, EcsRamRoleProvider, DEFAULT_METADATA_ENDPOINT, DEFAULT_TOKEN_TTL_SECONDS,
};
pub use env::{env_names, Env};
pub use ini_profile::{IniProfileOptions, IniProfileProvider};
pub use sts::{
    sts_endpoint, OidcRoleArnOptions, OidcRoleArnProvider, RamRoleArnOptions, RamRoleArnProvider,
    DEFAULT_DURATION_SECONDS, MIN_DURATION_SECONDS, STS_API_VERSION,
};
pub use uri::{UriOptions, UriProvider};

/// The credentials sources every face must construct, by their face-level class name (the
/// faces' parity tests check that each one exists; a face may add its own, such as a provider
/// written in its language).
pub const SOURCES: &[&str] = &[
    "AccessKey",
    "StsToken",
    "EcsRamRole",
    "RamRoleArn",
    "OidcRoleArn",
    "CredentialsUri",
    "CliProfile",
    "IniProfile",
    "DefaultChain",
];

use crate::error::{Error, ErrorCode, Result};
use crate::secret::SecretString;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

/// One consistent set of credentials.
#[derive(Clone)]
pub struct Credentials(Arc<CredentialsInner>);

struct CredentialsInner {
    access_key_id: String,
    access_key_secret: SecretString,
    security_token: Option<SecretString>,
    expiration: Option<SystemTime>,
    provider_name: String,
}

impl Credentials {
    /// A long-term AccessKey pair.
    pub fn access_key(id: impl Into<String>, secret: impl Into<SecretString>) -> Result<Self> {
        Self::build(id.into(), secret.into(), None, None, "static_ak")
    }

    /// Temporary STS credentials (id, secret and security token).
    pub fn sts(
        id: impl Into<String>,
        secret: impl Into<SecretString>,
        token: impl Into<SecretString>,
        expiration: Option<SystemTime>,
    ) -> Result<Self> {
        let token = token.into();
        if token.is_empty() {
            return Err(Error::new(
                ErrorCode::CredentialsUnavailable,
                "the security token is empty",
            ));
        }
        Self::build(
            id.into(),
            secret.into(),
            Some(token),
            expiration,
            "static_sts",
        )
    }

    /// Any credentials with a provider name of the caller's choosing (sent, like the official
    /// SDK does, in `x-acs-credentials-provider`).
    pub fn with_provider_name(self, name: impl Into<String>) -> Self {
        let inner = &self.0;
        Credentials(Arc::new(CredentialsInner {
            access_key_id: inner.access_key_id.clone(),
            access_key_secret: inner.access_key_secret.clone(),
            security_token: inner.security_token.clone(),
            expiration: inner.expiration,
            provider_name: name.into(),
        }))
    }

    fn build(
        id: String,
        secret: SecretString,
        token: Option<SecretString>,
        expiration: Option<SystemTime>,
        provider: &str,
    ) -> Result<Self> {
        if id.trim().is_empty() {
            return Err(Error::new(
                ErrorCode::CredentialsUnavailable,
                "the access key id is empty",
            ));
        }
        if secret.is_empty() {
            return Err(Error::new(
                ErrorCode::CredentialsUnavailable,
                "the access key secret is empty",
            ));
        }
        if id.bytes().any(|b| b.is_ascii_control()) {
            return Err(Error::new(
                ErrorCode::CredentialsUnavailable,
                "the access key id contains control characters",
            ));
        }
        Ok(Credentials(Arc::new(CredentialsInner {
            access_key_id: id,
            access_key_secret: secret,
            security_token: token,
            expiration,
            provider_name: provider.to_owned(),
        })))
    }

    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }
    /// The secret. Never log it.
    pub fn access_key_secret(&self) -> &str {
        self.0.access_key_secret.expose()
    }
    /// The STS security token, if any. Never log it.
    pub fn security_token(&self) -> Option<&str> {
        self.0.security_token.as_ref().map(|t| t.expose())
    }
    pub fn expiration(&self) -> Option<SystemTime> {
        self.0.expiration
    }
    pub fn provider_name(&self) -> &str {
        &self.0.provider_name
    }

    /// The very same snapshot (not merely equal values).
    pub(crate) fn same(&self, other: &Credentials) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.0.access_key_id)
            .field("access_key_secret", &"***")
            .field(
                "security_token",
                &self.0.security_token.as_ref().map(|_| "***"),
            )
            .field("expiration", &self.0.expiration)
            .field("provider_name", &self.0.provider_name)
            .finish()
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of credentials. Called once per attempt; implementations cache and refresh.
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>>;
}

/// Always the same credentials.
#[derive(Clone, Debug)]
pub struct StaticProvider(Credentials);

impl StaticProvider {
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider(credentials)
    }
}

impl CredentialsProvider for StaticProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        let c = self.0.clone();
        Box::pin(async move { Ok(c) })
    }
}

/// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
/// `ALIBABA_CLOUD_SECURITY_TOKEN` (provider name `env`, as the official library sends).
pub fn from_env() -> Result<Credentials> {
    from_lookup(|name| std::env::var(name).ok())
}

/// [`from_env`] over any lookup function (tests use a map instead of the process environment).
pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Credentials> {
    let id = lookup(env_names::ACCESS_KEY_ID)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::CredentialsUnavailable,
                format!("{} is not set", env_names::ACCESS_KEY_ID),
            )
        })?;
    let secret = lookup(env_names::ACCESS_KEY_SECRET)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::CredentialsUnavailable,
                format!("{} is not set", env_names::ACCESS_KEY_SECRET),
            )
        })?;
    let creds = match lookup(env_names::SECURITY_TOKEN).filter(|v| !v.is_empty()) {
        Some(token) => Credentials::sts(id, secret, token, None)?,
        None => Credentials::access_key(id, secret)?,
    };
    Ok(creds.with_provider_name("env"))
}

/// The `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN` variables,
/// read once when the provider is built (provider name `env`).
#[derive(Debug)]
pub struct EnvProvider(std::result::Result<Credentials, Error>);

impl EnvProvider {
    /// Reads the process environment now.
    pub fn new() -> Self {
        Self::with_env(&Env::system())
    }

    pub fn with_env(env: &Env) -> Self {
        EnvProvider(
            from_lookup(|name| env.get(name)).map_err(|e| {
                Error::new(ErrorCode::CredentialsNotConfigured, e.message().to_owned())
            }),
        )
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialsProvider for EnvProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        let r = self.0.clone();
        Box::pin(async move { r })
    }
}

type CredentialsFn = dyn Fn() -> BoxFuture<'static, Result<Credentials>> + Send + Sync;

/// A provider written by the user as an async closure (faces wrap a Python callable, a JS
/// async function, a Kotlin/Swift interface or a C callback in one). It sits behind the same
/// refresh cache as the built-in providers: one call in flight however many requests wait;
/// credentials with an expiration are refreshed ahead of it and kept while still valid if a
/// call fails; credentials without one are asked for again every 15 minutes.
pub struct FnProvider {
    fetch: FnFetch,
    cache: cache::Cache,
}

struct FnFetch(Arc<CredentialsFn>);

impl fmt::Debug for FnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnProvider")
    }
}

impl FnProvider {
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Credentials>> + Send + 'static,
    {
        FnProvider {
            fetch: FnFetch(Arc::new(move || Box::pin(f()))),
            cache: cache::Cache::new(cache::Policy::SESSION, CredentialHooks::default()),
        }
    }

    pub fn with_hooks(mut self, hooks: CredentialHooks) -> Self {
        self.cache = cache::Cache::new(cache::Policy::SESSION, hooks);
        self
    }
}

impl cache::Fetch for FnFetch {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials>> {
        let fut = (self.0)();
        Box::pin(async move { fut.await.map_err(http::into_credentials_error) })
    }
}

impl CredentialsProvider for FnProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(self.cache.get(&self.fetch))
    }
}

/// Prefixes the provider name (`default/`, `cli_profile/`, ...) without copying the secrets
/// at every call: the renamed snapshot is kept until the inner one changes.
pub(crate) struct Prefixed {
    prefix: &'static str,
    inner: Arc<dyn CredentialsProvider>,
    last: std::sync::Mutex<Option<(Credentials, Credentials)>>,
}

impl fmt::Debug for Prefixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:?}", self.prefix, self.inner)
    }
}

impl Prefixed {
    pub(crate) fn new(prefix: &'static str, inner: Arc<dyn CredentialsProvider>) -> Self {
        Prefixed {
            prefix,
            inner,
            last: std::sync::Mutex::new(None),
        }
    }
}

impl CredentialsProvider for Prefixed {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(async move {
            let c = self.inner.credentials().await?;
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((src, out)) = &*last {
                if src.same(&c) {
                    return Ok(out.clone());
                }
            }
            let name = format!("{}/{}", self.prefix, c.provider_name());
            let out = c.clone().with_provider_name(name);
            *last = Some((c, out.clone()));
            Ok(out)
        })
    }
}

/// A provider that always fails with the same error (a chain step that cannot work).
#[derive(Debug)]
pub(crate) struct Failing(pub Error);

impl CredentialsProvider for Failing {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        let e = self.0.clone();
        Box::pin(async move { Err(e) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn debug_redacts_secret_and_token() {
        let c =
            Credentials::sts("STS.id", "s3cr3t", "t0k3n", None).unwrap_or_else(|e| panic!("{e}"));
        let s = format!("{c:?}");
        assert!(!s.contains("s3cr3t") && !s.contains("t0k3n"), "{s}");
        assert!(s.contains("STS.id"));
        assert_eq!(c.provider_name(), "static_sts");
    }

    #[test]
    fn empty_values_are_refused() {
        assert_eq!(
            Credentials::access_key("", "x").err().map(|e| e.code()),
            Some(ErrorCode::CredentialsUnavailable)
        );
        assert!(Credentials::access_key("id", "").is_err());
        assert!(Credentials::sts("id", "s", "", None).is_err());
    }

    #[test]
    fn env_lookup() {
        let mut m = HashMap::new();
        m.insert(env_names::ACCESS_KEY_ID, "AK".to_string());
        assert!(from_lookup(|k| m.get(k).cloned()).is_err());
        m.insert(env_names::ACCESS_KEY_SECRET, "SK".to_string());
        let c = from_lookup(|k| m.get(k).cloned()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.security_token(), None);
        assert_eq!(c.provider_name(), "env");
        m.insert(env_names::SECURITY_TOKEN, "TOK".to_string());
        let c = from_lookup(|k| m.get(k).cloned()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.security_token(), Some("TOK"));
    }
}
