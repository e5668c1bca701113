//! The credentials ini file: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
//! `~/.alibabacloud/credentials.ini` (Python, Java), else `~/.alibabacloud/credentials` (Go,
//! Node). Section `ALIBABA_CLOUD_PROFILE`, else `default`. Types `access_key`, `ram_role_arn`,
//! `oidc_role_arn`, `ecs_ram_role`; `rsa_key_pair` (a deprecated Japan-site key type) and
//! anything else are refused with a clear error. A value is cut at its first `#`.

use super::cache::CredentialHooks;
use super::cli_profile::{not_configured, unusable, Builder};
use super::ecs::EcsRamRoleOptions;
use super::env::{env_names, Env};
use super::sts::{non_empty, OidcRoleArnOptions, RamRoleArnOptions};
use super::{BoxFuture, Credentials, CredentialsProvider, Prefixed, StaticProvider};
use crate::error::Result;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Options of [`IniProfileProvider`].
#[derive(Clone, Debug, Default)]
pub struct IniProfileOptions {
    /// Section; else `ALIBABA_CLOUD_PROFILE`, else `default`.
    pub profile_name: Option<String>,
    /// Else `ALIBABA_CLOUD_CREDENTIALS_FILE`, else the first of `~/.alibabacloud/credentials.ini`
    /// and `~/.alibabacloud/credentials` that exists.
    pub credentials_file: Option<String>,
    /// STS endpoint for role types (`host[:port]` or `http://host:port`).
    pub sts_endpoint: Option<String>,
    /// Metadata service for `ecs_ram_role`.
    pub metadata_endpoint: Option<String>,
}

pub struct IniProfileProvider {
    paths: Vec<PathBuf>,
    section: String,
    builder: Builder,
    inner: tokio::sync::OnceCell<Arc<dyn CredentialsProvider>>,
}

impl fmt::Debug for IniProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IniProfileProvider")
            .field("paths", &self.paths)
            .field("section", &self.section)
            .finish()
    }
}

impl IniProfileProvider {
    pub fn new(options: IniProfileOptions) -> Self {
        Self::with_env(options, &Env::system())
    }

    pub fn with_env(o: IniProfileOptions, env: &Env) -> Self {
        let paths =
            match non_empty(o.credentials_file).or_else(|| env.get(env_names::CREDENTIALS_FILE)) {
                Some(p) => vec![PathBuf::from(p)],
                None => env
                    .home()
                    .map(|h| {
                        let dir = h.join(".alibabacloud");
                        vec![dir.join("credentials.ini"), dir.join("credentials")]
                    })
                    .unwrap_or_default(),
            };
        IniProfileProvider {
            paths,
            section: non_empty(o.profile_name)
                .or_else(|| env.get(env_names::PROFILE))
                .unwrap_or_else(|| "default".to_owned()),
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
        for path in &self.paths {
            let bytes = match super::http::read_file(path.clone()).await {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(unusable(format!("cannot read {}: {e}", path.display()))),
            };
            let text = String::from_utf8_lossy(&bytes);
            let sections = parse_ini(&text);
            let section = sections.get(&self.section).ok_or_else(|| {
                not_configured(format!(
                    "{} has no section [{}]",
                    path.display(),
                    self.section
                ))
            })?;
            let inner = build_section(section, &self.section, &self.builder).map_err(|e| {
                crate::error::Error::new(e.code(), format!("{} ({})", e.message(), path.display()))
            })?;
            return Ok(Arc::new(Prefixed::new("profile", inner)));
        }
        let shown: Vec<String> = self.paths.iter().map(|p| p.display().to_string()).collect();
        Err(not_configured(if shown.is_empty() {
            "no home directory to find ~/.alibabacloud/credentials.ini in".to_owned()
        } else {
            format!("no credentials file ({})", shown.join(", "))
        }))
    }
}

impl CredentialsProvider for IniProfileProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(async move {
            let inner = self.inner.get_or_try_init(|| self.load()).await?;
            inner.credentials().await
        })
    }
}

/// Sections of an ini file: `[name]`, `key = value` or `key: value`, `#`/`;` comment lines,
/// values cut at the first `#` (as the Python library does).
pub(crate) fn parse_ini(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_owned();
            out.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        let Some(section) = &current else { continue };
        let Some(i) = line.find(['=', ':']) else {
            continue;
        };
        let key = line[..i].trim().to_ascii_lowercase();
        let value = line[i + 1..]
            .split('#')
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        out.entry(section.clone()).or_default().insert(key, value);
    }
    out
}

fn build_section(
    s: &HashMap<String, String>,
    name: &str,
    b: &Builder,
) -> Result<Arc<dyn CredentialsProvider>> {
    let get = |k: &str| s.get(k).filter(|v| !v.is_empty()).cloned();
    let ty = get("type").unwrap_or_default();
    let need = |k: &str| {
        get(k).ok_or_else(|| unusable(format!("section [{name}] (type {ty}) has no {k}")))
    };
    let number = |k: &str| -> Result<Option<u64>> {
        match get(k) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| unusable(format!("section [{name}]: {k} is not a number"))),
        }
    };
    let vpc = get("enable_vpc").map(|v| v.eq_ignore_ascii_case("true"));
    match ty.as_str() {
        "access_key" => Ok(Arc::new(StaticProvider::new(Credentials::access_key(
            need("access_key_id")?,
            need("access_key_secret")?,
        )?))),
        "ram_role_arn" => {
            let source = Arc::new(StaticProvider::new(Credentials::access_key(
                need("access_key_id")?,
                need("access_key_secret")?,
            )?));
            b.ram_role_arn(
                source,
                RamRoleArnOptions {
                    role_arn: Some(need("role_arn")?),
                    role_session_name: get("role_session_name"),
                    duration_seconds: number("duration_seconds")?,
                    policy: get("policy"),
                    external_id: get("external_id"),
                    sts_region: get("sts_region"),
                    enable_vpc: vpc,
                    ..Default::default()
                },
            )
        }
        "oidc_role_arn" => b.oidc(OidcRoleArnOptions {
            role_arn: Some(need("role_arn")?),
            oidc_provider_arn: Some(need("oidc_provider_arn")?),
            oidc_token_file: Some(need("oidc_token_file_path")?),
            role_session_name: get("role_session_name"),
            duration_seconds: number("duration_seconds")?,
            policy: get("policy"),
            sts_region: get("sts_region"),
            enable_vpc: vpc,
            ..Default::default()
        }),
        "ecs_ram_role" => b.ecs(EcsRamRoleOptions {
            role_name: get("role_name"),
            ..Default::default()
        }),
        "rsa_key_pair" => Err(unusable(format!(
            "section [{name}]: type rsa_key_pair is not supported by kmskit (use access_key or ram_role_arn)"
        ))),
        "" => Err(unusable(format!("section [{name}] has no type"))),
        other => Err(unusable(format!(
            "section [{name}]: credential type {other:?} is not supported (supported: access_key, ram_role_arn, oidc_role_arn, ecs_ram_role)"
        ))),
    }
}
