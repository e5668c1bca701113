//! The client options, the same names and defaults as every other face (camelCase in Kotlin and
//! Swift), and their translation into the core's `ClientConfig`. Unset options keep the core's
//! defaults: 5000 ms connect timeout, 10000 ms read timeout, 3 attempts, ACS3 signatures,
//! credentials from the default chain, route `auto`.

use crate::clientkey::ClientKey;
use crate::credentials::Credentials;
use crate::error::KmsException;
use kmskit::{ClientConfig, RetryPolicy};
use std::sync::Arc;
use std::time::Duration;

/// Options of a `KmsClient`. Every field is optional; `null`/`nil` means the core's default.
#[derive(Clone, Debug, uniffi::Record)]
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
    /// Credentials for RAM-authenticated calls; `null` = the default chain.
    #[uniffi(default = None)]
    pub credentials: Option<Credentials>,
    /// A ClientKey: enables `KmsClient.instance()` (the Instance API of the dedicated gateway)
    /// and, with route `auto`, sends encrypt/decrypt/data keys/secrets there.
    #[uniffi(default = None)]
    pub client_key: Option<Arc<ClientKey>>,
    /// The dedicated gateway's Instance API endpoint (`https://host[:port]`), when it differs
    /// from the one `instanceId` or `endpoint` give. Needs a `clientKey`.
    #[uniffi(default = None)]
    pub instance_endpoint: Option<String>,
    /// `auto` (default), `shared` or `dedicated`: where the data-plane operations go.
    #[uniffi(default = None)]
    pub route: Option<String>,
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
        if let Some(credentials) = &self.credentials {
            b = b.credentials_provider(credentials.provider()?);
        }
        if let Some(key) = &self.client_key {
            b = b.client_key(key.inner.clone());
        }
        if let Some(v) = &self.instance_endpoint {
            b = b.instance_endpoint(v.as_str());
        }
        if let Some(v) = &self.route {
            b = b.route(v.parse()?);
        }
        Ok(b.build()?)
    }
}
