//! Credentials from a URL (`ALIBABA_CLOUD_CREDENTIALS_URI`): a GET answered with
//! `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}`. The
//! `host` header carries the port when the URL has one (the official libraries drop it).

use super::cache::{Cache, CredentialHooks, Fetch, Policy};
use super::http::{self, Reply, StepError, Target};
use super::sts::millis;
use super::{BoxFuture, Credentials, CredentialsProvider};
use crate::error::{Error, ErrorCode, Result};
use std::fmt;
use std::time::Duration;

/// Options of [`UriProvider`].
#[derive(Clone, Debug, Default)]
pub struct UriOptions {
    /// Required: `http://` or `https://` URL, query kept as given.
    pub uri: String,
    /// Default 5000.
    pub connect_timeout_ms: Option<u64>,
    /// Default 10000.
    pub read_timeout_ms: Option<u64>,
}

pub struct UriProvider {
    fetch: UriFetch,
    cache: Cache,
}

struct UriFetch {
    target: Target,
    path_and_query: String,
    hooks: CredentialHooks,
}

impl fmt::Debug for UriProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may carry a token: only the origin is shown.
        f.debug_struct("UriProvider")
            .field("origin", &self.fetch.target)
            .finish()
    }
}

impl UriProvider {
    pub fn new(o: UriOptions) -> Result<Self> {
        let uri = o.uri.trim();
        let lower = uri.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(Error::configuration(
                "the credentials URI must start with http:// or https://",
            ));
        }
        let after_scheme = uri.find("://").map(|i| i + 3).unwrap_or(0);
        let (origin, path) = match uri[after_scheme..].find(['/', '?']) {
            Some(i) => (&uri[..after_scheme + i], &uri[after_scheme + i..]),
            None => (uri, "/"),
        };
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        let path = path.split('#').next().unwrap_or("/").to_owned();
        if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(Error::configuration(
                "the credentials URI contains spaces or control characters",
            ));
        }
        let target = Target::new(
            origin,
            millis(o.connect_timeout_ms, Duration::from_secs(5)),
            millis(o.read_timeout_ms, Duration::from_secs(10)),
        )?;
        let hooks = CredentialHooks::default();
        Ok(UriProvider {
            fetch: UriFetch {
                target,
                path_and_query: path,
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

impl CredentialsProvider for UriProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(self.cache.get(&self.fetch))
    }
}

impl Fetch for UriFetch {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(async move {
            http::with_retries(
                2,
                Duration::from_millis(200),
                Duration::from_secs(1),
                &*self.hooks.sleeper,
                &*self.hooks.jitter,
                || async {
                    let reply = self
                        .target
                        .send("GET", &self.path_and_query, &[], &[])
                        .await?;
                    parse(&reply)
                },
            )
            .await
        })
    }
}

fn parse(reply: &Reply) -> std::result::Result<Credentials, StepError> {
    if reply.status != 200 {
        return Err(StepError::for_status(
            reply.status,
            http::service_failure("the credentials URI", reply),
        ));
    }
    let bad = |m: &str| {
        StepError::fatal(Error::new(
            ErrorCode::CredentialsUnavailable,
            format!("the credentials URI answered unexpectedly: {m}"),
        ))
    };
    let json: serde_json::Value =
        serde_json::from_slice(&reply.body).map_err(|_| bad("not JSON"))?;
    let code = json.get("Code").and_then(|v| v.as_str()).unwrap_or("");
    if code != "Success" {
        return Err(bad(&format!("Code is {code:?}, not \"Success\"")));
    }
    let field = |k: &str| {
        json.get(k)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let need = |k: &str| field(k).ok_or_else(|| bad(&format!("{k} is missing")));
    let expiration = match field("Expiration") {
        Some(e) => Some(
            http::parse_expiration(e).ok_or_else(|| bad("Expiration is not a UTC timestamp"))?,
        ),
        None => None,
    };
    let creds = match field("SecurityToken") {
        Some(t) => Credentials::sts(
            need("AccessKeyId")?,
            need("AccessKeySecret")?,
            t,
            expiration,
        ),
        None => Credentials::access_key(need("AccessKeyId")?, need("AccessKeySecret")?),
    };
    creds
        .map(|c| c.with_provider_name("credential_uri"))
        .map_err(StepError::fatal)
}
