//! The aliyun CLI's profile file, `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`):
//! `{"current": "...", "profiles": [{"name", "mode", ...}]}`. The profile is
//! `ALIBABA_CLOUD_PROFILE`, else the file's `current`. Modes AK, StsToken, RamRoleArn,
//! ChainableRamRoleArn (a `source_profile` of any mode, resolved recursively, cycles refused),
//! EcsRamRole, OIDC and CredentialsURI; the others (CloudSSO, OAuth, External) rewrite the file
//! or run commands and are refused with a clear error. The file is read at the first call and
//! the provider it describes kept; a missing file is retried at the next call.

use super::cache::CredentialHooks;
use super::ecs::{EcsRamRoleOptions, EcsRamRoleProvider};
use super::env::{env_names, Env};
use super::sts::{
    non_empty, OidcRoleArnOptions, OidcRoleArnProvider, RamRoleArnOptions, RamRoleArnProvider,
};
use super::uri::{UriOptions, UriProvider};
use super::{BoxFuture, Credentials, CredentialsProvider, Prefixed, StaticProvider};
use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Options of [`CliProfileProvider`].
#[derive(Clone, Debug, Default)]
pub struct CliProfileOptions {
    /// Else `ALIBABA_CLOUD_PROFILE`, else the file's `current`.
    pub profile_name: Option<String>,
    /// Else `ALIBABA_CLOUD_CONFIG_FILE`, else `~/.aliyun/config.json`.
    pub config_file: Option<String>,
    /// STS endpoint for role modes (`host[:port]` or `http://host:port`), over the profile's region.
    pub sts_endpoint: Option<String>,
    /// Metadata service for the EcsRamRole mode.
    pub metadata_endpoint: Option<String>,
}

/// What the file-based providers need to build the provider a profile describes.
#[derive(Clone, Debug)]
pub(crate) struct Builder {
    pub env: Env,
    pub hooks: CredentialHooks,
    pub sts_endpoint: Option<String>,
    pub metadata_endpoint: Option<String>,
}

impl Builder {
    pub fn ram_role_arn(
        &self,
        source: Arc<dyn CredentialsProvider>,
        mut o: RamRoleArnOptions,
    ) -> Result<Arc<dyn CredentialsProvider>> {
        if self.sts_endpoint.is_some() {
            o.sts_endpoint = self.sts_endpoint.clone();
        }
        Ok(Arc::new(
            RamRoleArnProvider::with_env(source, o, &self.env)?.with_hooks(self.hooks.clone()),
        ))
    }
    pub fn oidc(&self, mut o: OidcRoleArnOptions) -> Result<Arc<dyn CredentialsProvider>> {
        if self.sts_endpoint.is_some() {
            o.sts_endpoint = self.sts_endpoint.clone();
        }
        Ok(Arc::new(
            OidcRoleArnProvider::with_env(o, &self.env)?.with_hooks(self.hooks.clone()),
        ))
    }
    pub fn ecs(&self, mut o: EcsRamRoleOptions) -> Result<Arc<dyn CredentialsProvider>> {
        if self.metadata_endpoint.is_some() {
            o.metadata_endpoint = self.metadata_endpoint.clone();
        }
        Ok(Arc::new(
            EcsRamRoleProvider::with_env(o, &self.env)?.with_hooks(self.hooks.clone()),
        ))
    }
    pub fn uri(&self, o: UriOptions) -> Result<Arc<dyn CredentialsProvider>> {
        Ok(Arc::new(
            UriProvider::new(o)?.with_hooks(self.hooks.clone()),
        ))
    }
}

pub(crate) fn not_configured(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::CredentialsNotConfigured, msg)
}

pub(crate) fn unusable(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::CredentialsUnavailable, msg)
}

/// Credentials from a profile of the aliyun CLI's `config.json`.
pub struct CliProfileProvider {
    path: Option<PathBuf>,
    profile: Option<String>,
    disabled: bool,
    builder: Builder,
    inner: tokio::sync::OnceCell<Arc<dyn CredentialsProvider>>,
}

impl fmt::Debug for CliProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CliProfileProvider")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .finish()
    }
}

impl CliProfileProvider {
    pub fn new(options: CliProfileOptions) -> Self {
        Self::with_env(options, &Env::system())
    }

    /// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true` makes every call fail as "not configured".
    pub fn with_env(o: CliProfileOptions, env: &Env) -> Self {
        let path = non_empty(o.config_file)
            .or_else(|| env.get(env_names::CONFIG_FILE))
            .map(PathBuf::from)
            .or_else(|| env.home().map(|h| h.join(".aliyun").join("config.json")));
        CliProfileProvider {
            path,
            profile: non_empty(o.profile_name).or_else(|| env.get(env_names::PROFILE)),
            disabled: env.flag(env_names::CLI_PROFILE_DISABLED),
            builder: Builder {
                env: env.clone(),
                hooks: CredentialHooks::default(),
                sts_endpoint: non_empty(o.sts_endpoint),
                metadata_endpoint: non_empty(o.metadata_endpoint),
            },
            inner: tokio::sync::OnceCell::new(),
        }
    }

    pub fn with_hooks(mut self, hooks: CredentialHooks) -> Self {
        self.builder.hooks = hooks;
        self
    }

    async fn load(&self) -> Result<Arc<dyn CredentialsProvider>> {
        if self.disabled {
            return Err(not_configured(format!(
                "the CLI profile is disabled ({}=true)",
                env_names::CLI_PROFILE_DISABLED
            )));
        }
        let path = self
            .path
            .clone()
            .ok_or_else(|| not_configured("no home directory to find ~/.aliyun/config.json in"))?;
        let bytes = match super::http::read_file(path.clone()).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(not_configured(format!("{} does not exist", path.display())))
            }
            Err(e) => return Err(unusable(format!("cannot read {}: {e}", path.display()))),
        };
        let json: Value = serde_json::from_slice(&bytes)
            .map_err(|e| unusable(format!("{} is not valid JSON: {e}", path.display())))?;
        let name = match &self.profile {
            Some(p) => p.clone(),
            None => json
                .get("current")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("default")
                .to_owned(),
        };
        let profiles = json
            .get("profiles")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let inner = build_profile(&profiles, &name, &self.builder, &mut Vec::new())
            .map_err(|e| with_context(e, &path))?;
        Ok(Arc::new(Prefixed::new("cli_profile", inner)))
    }
}

fn with_context(e: Error, path: &std::path::Path) -> Error {
    Error::new(e.code(), format!("{} ({})", e.message(), path.display()))
}

impl CredentialsProvider for CliProfileProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(async move {
            let inner = self.inner.get_or_try_init(|| self.load()).await?;
            inner.credentials().await
        })
    }
}

/// A profile's string field (numbers and booleans written as text).
fn field(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn build_profile(
    profiles: &[Value],
    name: &str,
    b: &Builder,
    visiting: &mut Vec<String>,
) -> Result<Arc<dyn CredentialsProvider>> {
    if visiting.iter().any(|v| v == name) {
        visiting.push(name.to_owned());
        return Err(unusable(format!(
            "the CLI profiles' source_profile links form a cycle: {}",
            visiting.join(" -> ")
        )));
    }
    visiting.push(name.to_owned());
    let p = profiles
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .ok_or_else(|| not_configured(format!("no CLI profile named {name:?}")))?;
    let mode = field(p, "mode").unwrap_or_default();
    let need = |key: &str| {
        field(p, key)
            .ok_or_else(|| unusable(format!("CLI profile {name:?} (mode {mode}) has no {key}")))
    };
    let access_key = || -> Result<Credentials> {
        Credentials::access_key(need("access_key_id")?, need("access_key_secret")?)
    };
    let number = |key: &str| -> Result<Option<u64>> {
        match field(p, key) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| unusable(format!("CLI profile {name:?}: {key} is not a number"))),
        }
    };
    let vpc = field(p, "enable_vpc").map(|v| v.eq_ignore_ascii_case("true"));
    let role_options = || -> Result<RamRoleArnOptions> {
        Ok(RamRoleArnOptions {
            role_arn: Some(need("ram_role_arn")?),
            role_session_name: field(p, "ram_session_name"),
            duration_seconds: number("expired_seconds")?,
            policy: field(p, "policy"),
            external_id: field(p, "external_id"),
            sts_region: field(p, "sts_region"),
            enable_vpc: vpc,
            ..Default::default()
        })
    };
    match mode.as_str() {
        "AK" => Ok(Arc::new(StaticProvider::new(access_key()?))),
        "StsToken" => Ok(Arc::new(StaticProvider::new(Credentials::sts(
            need("access_key_id")?,
            need("access_key_secret")?,
            need("sts_token")?,
            None,
        )?))),
        "RamRoleArn" => {
            let source = Arc::new(StaticProvider::new(access_key()?));
            b.ram_role_arn(source, role_options()?)
        }
        "ChainableRamRoleArn" => {
            let source_name = need("source_profile")?;
            let source = build_profile(profiles, &source_name, b, visiting)?;
            b.ram_role_arn(source, role_options()?)
        }
        "EcsRamRole" => b.ecs(EcsRamRoleOptions {
            role_name: field(p, "ram_role_name"),
            ..Default::default()
        }),
        "OIDC" => b.oidc(OidcRoleArnOptions {
            role_arn: Some(need("ram_role_arn")?),
            oidc_provider_arn: Some(need("oidc_provider_arn")?),
            oidc_token_file: Some(need("oidc_token_file")?),
            // Python writes role_session_name, Go and Java ram_session_name: take either.
            role_session_name: field(p, "role_session_name")
                .or_else(|| field(p, "ram_session_name")),
            duration_seconds: number("expired_seconds")?,
            policy: field(p, "policy"),
            sts_region: field(p, "sts_region"),
            enable_vpc: vpc,
            ..Default::default()
        }),
        "CredentialsURI" => b.uri(UriOptions {
            uri: need("credentials_uri")?,
            ..Default::default()
        }),
        "" => Err(unusable(format!("CLI profile {name:?} has no mode"))),
        other => Err(unusable(format!(
            "CLI profile {name:?}: mode {other:?} is not supported (supported: AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, CredentialsURI)"
        ))),
    }
}
