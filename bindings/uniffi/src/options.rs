//! The client options, the same names and defaults as every other face (camelCase in Kotlin and
//! Swift), and their translation into the core's `ClientConfig`. Unset options keep the core's
//! defaults: 5000 ms connect timeout, 10000 ms read timeout, 3 attempts, ACS3 signatures,
//! credentials from the environment.

use crate::error::KmsException;
use kmskit::{ClientConfig, RetryPolicy};
use std::time::Duration;

/// Where the client's credentials come from.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum Credentials {
    /// A long-term AccessKey pair.
    AccessKey { id: String, secret: String },
    /// Temporary STS credentials.
    StsToken {
        id: String,
        secret: String,
        token: String,
    },
    /// ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN, read at each call.
    Environment,
}

// Shown as Kotlin `toString()` and Swift `debugDescription`: never the secret or the token.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::AccessKey { id, .. } => {
                write!(f, "AccessKey(id={id}, secret=***)")
            }
            Credentials::StsToken { id, .. } => {
                write!(f, "StsToken(id={id}, secret=***, token=***)")
            }
            Credentials::Environment => f.write_str("Environment"),
        }
    }
}

/// Options of a `KmsClient`. Every field is optional; `null`/`nil` means the core's default.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ClientOptions {
    /// Endpoint override, e.g. `http://127.0.0.1:8080` or `kms.cn-hangzhou.aliyuncs.com`.
    #[uniffi(default = None)]
    pub endpoint: Option<String>,
    /// Region id, e.g. `cn-hangzhou`.
    #[uniffi(default = None)]
    pub region: Option<String>,
    /// `shared` (default), `vpc` or `dedicated`.
    #[uniffi(default = None)]
    pub gateway: Option<String>,
    /// The KMS instance id of a dedicated gateway (implies `dedicated` when `gateway` is unset).
    #[uniffi(default = None)]
    pub instance_id: Option<String>,
    /// PEM bytes of extra trusted CA certificates (e.g. the KMS instance CA).
    #[uniffi(default = None)]
    pub ca_pem: Option<Vec<u8>>,
    /// Path of a PEM file with extra trusted CA certificates.
    #[uniffi(default = None)]
    pub ca_file: Option<String>,
    /// Connect timeout in milliseconds (default 5000).
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<u64>,
    /// Read timeout in milliseconds (default 10000).
    #[uniffi(default = None)]
    pub read_timeout_ms: Option<u64>,
    /// Attempts in all, the first included (default 3; 1 = no retries).
    #[uniffi(default = None)]
    pub max_attempts: Option<u32>,
    /// Appended to the User-Agent header.
    #[uniffi(default = None)]
    pub user_agent_suffix: Option<String>,
    /// `acs3` (default) or `rpc`.
    #[uniffi(default = None)]
    pub signature_version: Option<String>,
    /// Credentials; `null` (like `Credentials.Environment`) reads the environment at each call.
    #[uniffi(default = None)]
    pub credentials: Option<Credentials>,
}

fn positive_ms(ms: u64, what: &str) -> Result<Duration, KmsException> {
    if ms == 0 {
        return Err(kmskit::Error::configuration(format!("{what} must be greater than 0")).into());
    }
    Ok(Duration::from_millis(ms))
}

impl ClientOptions {
    pub(crate) fn to_config(&self) -> Result<ClientConfig, KmsException> {
        let mut b = ClientConfig::builder();
        if let Some(v) = &self.region {
            b = b.region(v.as_str());
        }
        if let Some(gateway) =
            kmskit::Gateway::from_options(self.gateway.as_deref(), self.instance_id.as_deref())?
        {
            b = b.gateway(gateway);
        }
        if let Some(v) = &self.endpoint {
            b = b.endpoint(v.as_str());
        }
        if let Some(v) = self.connect_timeout_ms {
            b = b.connect_timeout(positive_ms(v, "connectTimeoutMs")?);
        }
        if let Some(v) = self.read_timeout_ms {
            b = b.read_timeout(positive_ms(v, "readTimeoutMs")?);
        }
        if let Some(max_attempts) = self.max_attempts {
            // 0 is refused by the core with its own Configuration error.
            b = b.retry_policy(RetryPolicy {
                max_attempts,
                ..RetryPolicy::default()
            });
        }
        if let Some(v) = &self.user_agent_suffix {
            b = b.user_agent_suffix(v.as_str());
        }
        if let Some(v) = &self.signature_version {
            b = b.signature_version(v.parse()?);
        }
        if let Some(pem) = &self.ca_pem {
            b = b.ca_pem(pem.clone());
        }
        if let Some(path) = &self.ca_file {
            b = b.ca_file(path.as_str());
        }
        match &self.credentials {
            Some(Credentials::AccessKey { id, secret }) => {
                b = b.credentials(kmskit::Credentials::access_key(
                    id.as_str(),
                    secret.as_str(),
                )?);
            }
            Some(Credentials::StsToken { id, secret, token }) => {
                b = b.credentials(kmskit::Credentials::sts(
                    id.as_str(),
                    secret.as_str(),
                    token.as_str(),
                    None,
                )?);
            }
            Some(Credentials::Environment) | None => {}
        }
        Ok(b.build()?)
    }
}
