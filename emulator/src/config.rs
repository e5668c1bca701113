//! How an emulator instance is configured, from the command line or from a Rust test.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::VerifyOptions;

/// The documented development AccessKey pair; other tools and tests rely on these exact values.
pub const DEV_ACCESS_KEY_ID: &str = "LTAI5tKmskitEmulatorDev";
pub const DEV_ACCESS_KEY_SECRET: &str = "kmskit-emulator-dev-secret-do-not-use";
pub const DEFAULT_REGION: &str = "cn-hangzhou";

/// Where keys and secrets live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// SQLite in memory: nothing touches the disk, everything is gone on exit.
    InMemory,
    /// SQLite (WAL, synchronous=FULL) plus a master key file in this directory.
    DataDir(PathBuf),
}

/// One AccessKey the emulator accepts.
#[derive(Clone)]
pub struct Credential {
    pub access_key_id: String,
    pub access_key_secret: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .finish()
    }
}

impl Credential {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Credential {
            access_key_id: id.into(),
            access_key_secret: secret.into(),
        }
    }

    /// `ID:SECRET` as given to `--access-key`.
    pub fn parse(s: &str) -> Option<Self> {
        let (id, secret) = s.split_once(':')?;
        (!id.is_empty() && !secret.is_empty()).then(|| Credential::new(id, secret))
    }

    pub fn dev() -> Self {
        Credential::new(DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET)
    }
}

/// Everything `Emulator::start` needs.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub addr: SocketAddr,
    pub storage: Storage,
    /// Accepted keys; empty means the development pair.
    pub credentials: Vec<Credential>,
    pub region: String,
    /// Fixed admin token, else a random one per start.
    pub admin_token: Option<String>,
    pub verify: VerifyOptions,
    /// The dedicated gateway (HTTPS, Instance API, ClientKeys); on by default.
    pub dedicated: crate::dedicated::DedicatedConfig,
    /// STS: its listener, DurationSeconds cap, credential lifetime override, OIDC providers.
    pub sts: crate::sts::StsConfig,
    /// ECS instance metadata: its listener, role name, IMDSv1 allowed or not.
    pub metadata: crate::imds::MetadataConfig,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            storage: Storage::InMemory,
            credentials: Vec::new(),
            region: DEFAULT_REGION.to_owned(),
            admin_token: None,
            verify: VerifyOptions::default(),
            dedicated: crate::dedicated::DedicatedConfig::default(),
            sts: crate::sts::StsConfig::default(),
            metadata: crate::imds::MetadataConfig::default(),
        }
    }
}

impl EmulatorConfig {
    /// The credentials in effect (the dev pair when none were configured).
    pub fn effective_credentials(&self) -> Vec<Credential> {
        if self.credentials.is_empty() {
            vec![Credential::dev()]
        } else {
            self.credentials.clone()
        }
    }
}
