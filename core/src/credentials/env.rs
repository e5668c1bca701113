//! The environment the providers read, injectable so tests never touch the process
//! environment. Read when a provider or the chain is built (not at import like the official
//! Python library, and not at every call).

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Every environment variable the providers read (the official libraries' names).
pub mod env_names {
    pub const ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
    pub const ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
    pub const SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
    pub const ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
    pub const OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
    pub const OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
    pub const ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
    pub const STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
    pub const VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
    pub const ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
    pub const ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
    pub const IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
    pub const CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";
    pub const PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
    pub const CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
    pub const CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
    pub const CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
}

type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// A view of environment variables (and through them the home directory).
#[derive(Clone)]
pub struct Env {
    lookup: Arc<Lookup>,
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Env")
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::system()
    }
}

impl Env {
    /// The process environment.
    pub fn system() -> Env {
        Env {
            lookup: Arc::new(|name| std::env::var(name).ok()),
        }
    }

    /// A fixed map (tests, or a face passing its own settings). `HOME` in the map is the home
    /// directory.
    pub fn from_map<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        let map: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Env {
            lookup: Arc::new(move |name| map.get(name).cloned()),
        }
    }

    /// Any lookup function.
    pub fn from_fn(f: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Env {
        Env {
            lookup: Arc::new(f),
        }
    }

    /// The variable's value when set and not empty.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    /// `true` (any case) means on, as in the official libraries.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
            .unwrap_or(false)
    }

    /// `HOME`, else `USERPROFILE`, else `HOMEDRIVE` + `HOMEPATH` (Windows).
    pub fn home(&self) -> Option<PathBuf> {
        if let Some(h) = self.get("HOME").or_else(|| self.get("USERPROFILE")) {
            return Some(PathBuf::from(h));
        }
        match (self.get("HOMEDRIVE"), self.get("HOMEPATH")) {
            (Some(d), Some(p)) => Some(PathBuf::from(format!("{d}{p}"))),
            _ => None,
        }
    }
}
