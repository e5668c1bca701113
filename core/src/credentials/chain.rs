//! The default chain, in the official libraries' order and with their environment variable
//! names:
//!
//! 1. environment (`ALIBABA_CLOUD_ACCESS_KEY_ID` + `_SECRET`, optional `_SECURITY_TOKEN`);
//! 2. OIDC role ARN, only when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
//!    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set;
//! 3. the aliyun CLI profile (`~/.aliyun/config.json`; off with
//!    `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`);
//! 4. the credentials ini file;
//! 5. the ECS instance RAM role, unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`;
//! 6. the credentials URI, only when `ALIBABA_CLOUD_CREDENTIALS_URI` is set.
//!
//! The environment is read when the chain is built. Each call asks the provider that answered
//! last (so a running process does not re-read files or probe the metadata service on every
//! request); when that provider fails, the whole chain is walked again in order and the first
//! provider that answers is remembered instead. (The official Python and Java chains keep the
//! first winner forever, errors included; Go's remembers the last provider it *tried*, even
//! after a failure.) When every provider fails the error lists each one's reason; its code is
//! `CredentialsNotConfigured` when none of them was configured at all.

use super::cache::CredentialHooks;
use super::cli_profile::{Builder, CliProfileOptions, CliProfileProvider};
use super::ecs::EcsRamRoleOptions;
use super::env::{env_names, Env};
use super::ini_profile::{IniProfileOptions, IniProfileProvider};
use super::sts::{non_empty, OidcRoleArnOptions};
use super::uri::UriOptions;
use super::{BoxFuture, Credentials, CredentialsProvider, EnvProvider, Failing, Prefixed};
use crate::error::{Error, ErrorCode, Result};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Endpoint overrides for the chain's network providers (tests, the emulator).
#[derive(Clone, Debug, Default)]
pub struct DefaultChainOptions {
    /// STS endpoint for the OIDC step and role profiles (`host[:port]` or `http://host:port`).
    pub sts_endpoint: Option<String>,
    /// Metadata service for the ECS step and EcsRamRole profiles.
    pub metadata_endpoint: Option<String>,
}

const NONE: usize = usize::MAX;

pub struct DefaultChain {
    steps: Vec<(&'static str, Arc<dyn CredentialsProvider>)>,
    /// The step that answered last, or `NONE`.
    current: AtomicUsize,
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.steps.iter().map(|(n, _)| *n).collect();
        f.debug_struct("DefaultChain")
            .field("steps", &names)
            .finish()
    }
}

impl DefaultChain {
    /// The chain over the process environment.
    pub fn new() -> Self {
        Self::with_env(DefaultChainOptions::default(), &Env::system())
    }

    pub fn with_env(options: DefaultChainOptions, env: &Env) -> Self {
        Self::build(options, env, CredentialHooks::default())
    }

    /// As [`Self::with_env`] with injected time and randomness (tests).
    pub fn with_env_and_hooks(
        options: DefaultChainOptions,
        env: &Env,
        hooks: CredentialHooks,
    ) -> Self {
        Self::build(options, env, hooks)
    }

    fn build(o: DefaultChainOptions, env: &Env, hooks: CredentialHooks) -> Self {
        let b = Builder {
            env: env.clone(),
            hooks: hooks.clone(),
            sts_endpoint: non_empty(o.sts_endpoint.clone()),
            metadata_endpoint: non_empty(o.metadata_endpoint.clone()),
        };
        // A step that cannot even be built still takes its place and reports why.
        let or_failing = |r: Result<Arc<dyn CredentialsProvider>>| match r {
            Ok(p) => p,
            Err(e) => Arc::new(Failing(e)) as Arc<dyn CredentialsProvider>,
        };
        let mut steps: Vec<(&'static str, Arc<dyn CredentialsProvider>)> = Vec::new();
        steps.push(("env", Arc::new(EnvProvider::with_env(env))));
        if [
            env_names::OIDC_TOKEN_FILE,
            env_names::ROLE_ARN,
            env_names::OIDC_PROVIDER_ARN,
        ]
        .iter()
        .all(|n| env.get(n).is_some())
        {
            steps.push((
                "oidc_role_arn",
                or_failing(b.oidc(OidcRoleArnOptions::default())),
            ));
        }
        steps.push((
            "cli_profile",
            Arc::new(
                CliProfileProvider::with_env(
                    CliProfileOptions {
                        sts_endpoint: o.sts_endpoint.clone(),
                        metadata_endpoint: o.metadata_endpoint.clone(),
                        ..Default::default()
                    },
                    env,
                )
                .with_hooks(hooks.clone()),
            ),
        ));
        steps.push((
            "profile",
            Arc::new(
                IniProfileProvider::with_env(
                    IniProfileOptions {
                        sts_endpoint: o.sts_endpoint.clone(),
                        metadata_endpoint: o.metadata_endpoint.clone(),
                        ..Default::default()
                    },
                    env,
                )
                .with_hooks(hooks.clone()),
            ),
        ));
        if !env.flag(env_names::ECS_METADATA_DISABLED) {
            steps.push((
                "ecs_ram_role",
                or_failing(b.ecs(EcsRamRoleOptions::default())),
            ));
        }
        if let Some(uri) = env.get(env_names::CREDENTIALS_URI) {
            steps.push((
                "credential_uri",
                or_failing(b.uri(UriOptions {
                    uri,
                    ..Default::default()
                })),
            ));
        }
        let steps = steps
            .into_iter()
            .map(|(n, p)| {
                (
                    n,
                    Arc::new(Prefixed::new("default", p)) as Arc<dyn CredentialsProvider>,
                )
            })
            .collect();
        DefaultChain {
            steps,
            current: AtomicUsize::new(NONE),
        }
    }

    /// The names of the steps, in order (`env`, `oidc_role_arn`, `cli_profile`, `profile`,
    /// `ecs_ram_role`, `credential_uri`).
    pub fn step_names(&self) -> Vec<&'static str> {
        self.steps.iter().map(|(n, _)| *n).collect()
    }

    async fn get(&self) -> Result<Credentials> {
        let current = self.current.load(Ordering::Acquire);
        if let Some((_, p)) = self.steps.get(current) {
            match p.credentials().await {
                Ok(c) => return Ok(c),
                Err(e) => {
                    tracing::debug!(error = %e, "the chain's current provider failed; walking the chain again");
                }
            }
        }
        let mut reasons = Vec::with_capacity(self.steps.len());
        let mut all_unconfigured = true;
        for (i, (name, p)) in self.steps.iter().enumerate() {
            match p.credentials().await {
                Ok(c) => {
                    self.current.store(i, Ordering::Release);
                    return Ok(c);
                }
                Err(e) => {
                    all_unconfigured &= e.code() == ErrorCode::CredentialsNotConfigured;
                    reasons.push(format!("{name}: {}", e.message()));
                }
            }
        }
        self.current.store(NONE, Ordering::Release);
        Err(Error::new(
            if all_unconfigured {
                ErrorCode::CredentialsNotConfigured
            } else {
                ErrorCode::CredentialsUnavailable
            },
            format!(
                "no provider of the default credentials chain has credentials: [{}]",
                reasons.join("; ")
            ),
        ))
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialsProvider for DefaultChain {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        Box::pin(self.get())
    }
}
