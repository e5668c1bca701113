//! Credentials: one recursive enum, [`Credentials`], with a variant per core provider (a
//! `RamRoleArn` takes any other variant as its source), plus [`CredentialsProvider`], a trait the
//! Kotlin/Swift side implements for a provider of its own (`suspend fun` / `async`). Each variant
//! maps 1:1 onto a provider of `kmskit::credentials`; nothing here fetches or refreshes anything.

use crate::error::KmsException;
use kmskit::credentials::{
    CliProfileOptions, CliProfileProvider, DefaultChain, DefaultChainOptions, EcsRamRoleOptions,
    EcsRamRoleProvider, EnvProvider, FnProvider, IniProfileOptions, IniProfileProvider,
    OidcRoleArnOptions, OidcRoleArnProvider, RamRoleArnOptions, RamRoleArnProvider, UriOptions,
    UriProvider,
};
use kmskit::{ErrorCode, StaticProvider};
use std::sync::Arc;
use std::time::SystemTime;

/// The variant names of [`Credentials`] (the parity tests compare them with the generated
/// sealed class / Swift enum and with the other faces' credential types).
pub const CREDENTIALS_TYPES: &[&str] = &[
    "AccessKey",
    "StsToken",
    "EcsRamRole",
    "RamRoleArn",
    "OidcRoleArn",
    "CredentialsUri",
    "CliProfile",
    "IniProfile",
    "DefaultChain",
    "Custom",
    "Environment",
];

/// Where the client's credentials come from. Unset optional fields fall back to the same
/// environment variables and defaults as the core (docs/core.md).
#[derive(Clone, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum Credentials {
    /// A long-term AccessKey pair.
    AccessKey { id: String, secret: String },
    /// Temporary STS credentials; `expiration` is informational (the service decides).
    StsToken {
        id: String,
        secret: String,
        token: String,
        #[uniffi(default = None)]
        expiration: Option<SystemTime>,
    },
    /// The ECS instance RAM role from the metadata service (IMDSv2, v1 fallback).
    EcsRamRole {
        #[uniffi(default = None)]
        role_name: Option<String>,
        #[uniffi(default = None)]
        metadata_endpoint: Option<String>,
        #[uniffi(default = None)]
        disable_imds_v1: Option<bool>,
    },
    /// STS AssumeRole signed with the `source` credentials (any variant, another role too).
    RamRoleArn {
        source: Box<Credentials>,
        role_arn: String,
        #[uniffi(default = None)]
        role_session_name: Option<String>,
        #[uniffi(default = None)]
        duration_seconds: Option<u64>,
        #[uniffi(default = None)]
        policy: Option<String>,
        #[uniffi(default = None)]
        external_id: Option<String>,
        #[uniffi(default = None)]
        sts_region: Option<String>,
        #[uniffi(default = None)]
        sts_endpoint: Option<String>,
        #[uniffi(default = None)]
        enable_vpc: Option<bool>,
    },
    /// STS AssumeRoleWithOIDC with a token file (re-read at every refresh).
    OidcRoleArn {
        #[uniffi(default = None)]
        role_arn: Option<String>,
        #[uniffi(default = None)]
        oidc_provider_arn: Option<String>,
        #[uniffi(default = None)]
        oidc_token_file: Option<String>,
        #[uniffi(default = None)]
        role_session_name: Option<String>,
        #[uniffi(default = None)]
        duration_seconds: Option<u64>,
        #[uniffi(default = None)]
        policy: Option<String>,
        #[uniffi(default = None)]
        sts_region: Option<String>,
        #[uniffi(default = None)]
        sts_endpoint: Option<String>,
        #[uniffi(default = None)]
        enable_vpc: Option<bool>,
    },
    /// A credentials URI answering the official JSON document.
    CredentialsUri { uri: String },
    /// A profile of the Alibaba Cloud CLI's `~/.aliyun/config.json`.
    CliProfile {
        #[uniffi(default = None)]
        profile_name: Option<String>,
        #[uniffi(default = None)]
        config_file: Option<String>,
        #[uniffi(default = None)]
        sts_endpoint: Option<String>,
        #[uniffi(default = None)]
        metadata_endpoint: Option<String>,
    },
    /// A section of `~/.alibabacloud/credentials.ini`.
    IniProfile {
        #[uniffi(default = None)]
        profile_name: Option<String>,
        #[uniffi(default = None)]
        credentials_file: Option<String>,
        #[uniffi(default = None)]
        sts_endpoint: Option<String>,
        #[uniffi(default = None)]
        metadata_endpoint: Option<String>,
    },
    /// The official default chain (env, OIDC, CLI profile, ini profile, ECS role, URI); also
    /// what a client without `credentials` uses.
    DefaultChain {
        #[uniffi(default = None)]
        sts_endpoint: Option<String>,
        #[uniffi(default = None)]
        metadata_endpoint: Option<String>,
    },
    /// A provider written in Kotlin or Swift, cached like the STS providers.
    Custom {
        provider: Arc<dyn CredentialsProvider>,
    },
    /// ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN, read when the
    /// client is built.
    Environment,
}

/// What a custom provider returns. A `securityToken` makes it STS credentials; with an
/// `expiration` the client asks again shortly before it, without one every 15 minutes.
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct CredentialValue {
    pub access_key_id: String,
    pub access_key_secret: String,
    #[uniffi(default = None)]
    pub security_token: Option<String>,
    #[uniffi(default = None)]
    pub expiration: Option<SystemTime>,
}

/// A credentials provider implemented in Kotlin (`suspend fun credentials()`) or Swift
/// (`func credentials() async throws`). Whatever it throws fails the request with
/// `KmsException.Credentials` (code 1201).
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait CredentialsProvider: Send + Sync {
    async fn credentials(&self) -> Result<CredentialValue, KmsException>;
}

// Kotlin's toString() and Swift's debugDescription: never a secret, token or provider state.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::AccessKey { id, .. } => write!(f, "AccessKey(id={id}, secret=***)"),
            Credentials::StsToken { id, .. } => {
                write!(f, "StsToken(id={id}, secret=***, token=***)")
            }
            Credentials::EcsRamRole { role_name, .. } => {
                write!(f, "EcsRamRole(roleName={role_name:?})")
            }
            Credentials::RamRoleArn {
                source, role_arn, ..
            } => write!(f, "RamRoleArn(roleArn={role_arn}, source={source:?})"),
            Credentials::OidcRoleArn { role_arn, .. } => {
                write!(f, "OidcRoleArn(roleArn={role_arn:?})")
            }
            // A URI may carry a token in its query: only the scheme and host are shown.
            Credentials::CredentialsUri { uri } => {
                let shown = uri.split(['?', '#']).next().unwrap_or_default();
                write!(f, "CredentialsUri(uri={shown})")
            }
            Credentials::CliProfile { profile_name, .. } => {
                write!(f, "CliProfile(profileName={profile_name:?})")
            }
            Credentials::IniProfile { profile_name, .. } => {
                write!(f, "IniProfile(profileName={profile_name:?})")
            }
            Credentials::DefaultChain { .. } => f.write_str("DefaultChain"),
            Credentials::Custom { .. } => f.write_str("Custom"),
            Credentials::Environment => f.write_str("Environment"),
        }
    }
}

impl std::fmt::Debug for CredentialValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialValue")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

fn not_empty(value: String, what: &str) -> Result<String, kmskit::Error> {
    if value.trim().is_empty() {
        return Err(kmskit::Error::configuration(format!(
            "{what} must not be empty"
        )));
    }
    Ok(value)
}

impl CredentialValue {
    fn into_core(self) -> kmskit::Result<kmskit::Credentials> {
        match self.security_token {
            Some(token) => kmskit::Credentials::sts(
                self.access_key_id,
                self.access_key_secret,
                token,
                self.expiration,
            ),
            None => kmskit::Credentials::access_key(self.access_key_id, self.access_key_secret),
        }
        .map(|c| c.with_provider_name("custom"))
    }
}

/// The foreign provider behind the core's FnProvider (single flight, refresh ahead). UniFFI
/// runs the Kotlin coroutine / Swift task on the foreign side and completes a Rust future, so
/// waiting on it never blocks a tokio worker.
fn custom(provider: Arc<dyn CredentialsProvider>) -> FnProvider {
    FnProvider::new(move || {
        let provider = provider.clone();
        async move {
            match provider.credentials().await {
                Ok(value) => value.into_core(),
                // The provider's own error text, never the values it would have returned.
                Err(e) => Err(kmskit::Error::new(
                    ErrorCode::CredentialsUnavailable,
                    format!("the custom credentials provider failed: {}", e.detail()),
                )),
            }
        }
    })
}

impl Credentials {
    /// The core provider for these credentials (a RamRoleArn builds its source first).
    pub(crate) fn provider(&self) -> Result<Arc<dyn kmskit::CredentialsProvider>, kmskit::Error> {
        Ok(match self.clone() {
            Credentials::AccessKey { id, secret } => Arc::new(StaticProvider::new(
                kmskit::Credentials::access_key(id, secret)?,
            )),
            Credentials::StsToken {
                id,
                secret,
                token,
                expiration,
            } => Arc::new(StaticProvider::new(kmskit::Credentials::sts(
                id, secret, token, expiration,
            )?)),
            Credentials::EcsRamRole {
                role_name,
                metadata_endpoint,
                disable_imds_v1,
            } => Arc::new(EcsRamRoleProvider::new(EcsRamRoleOptions {
                role_name,
                metadata_endpoint,
                disable_imds_v1,
                ..Default::default()
            })?),
            Credentials::RamRoleArn {
                source,
                role_arn,
                role_session_name,
                duration_seconds,
                policy,
                external_id,
                sts_region,
                sts_endpoint,
                enable_vpc,
            } => Arc::new(RamRoleArnProvider::new(
                source.provider()?,
                RamRoleArnOptions {
                    role_arn: Some(not_empty(role_arn, "RamRoleArn.roleArn")?),
                    role_session_name,
                    duration_seconds,
                    policy,
                    external_id,
                    sts_region,
                    enable_vpc,
                    sts_endpoint,
                    ..Default::default()
                },
            )?),
            Credentials::OidcRoleArn {
                role_arn,
                oidc_provider_arn,
                oidc_token_file,
                role_session_name,
                duration_seconds,
                policy,
                sts_region,
                sts_endpoint,
                enable_vpc,
            } => Arc::new(OidcRoleArnProvider::new(OidcRoleArnOptions {
                role_arn,
                oidc_provider_arn,
                oidc_token_file,
                role_session_name,
                duration_seconds,
                policy,
                sts_region,
                enable_vpc,
                sts_endpoint,
                ..Default::default()
            })?),
            Credentials::CredentialsUri { uri } => Arc::new(UriProvider::new(UriOptions {
                uri,
                ..Default::default()
            })?),
            Credentials::CliProfile {
                profile_name,
                config_file,
                sts_endpoint,
                metadata_endpoint,
            } => Arc::new(CliProfileProvider::new(CliProfileOptions {
                profile_name,
                config_file,
                sts_endpoint,
                metadata_endpoint,
            })),
            Credentials::IniProfile {
                profile_name,
                credentials_file,
                sts_endpoint,
                metadata_endpoint,
            } => Arc::new(IniProfileProvider::new(IniProfileOptions {
                profile_name,
                credentials_file,
                sts_endpoint,
                metadata_endpoint,
            })),
            Credentials::DefaultChain {
                sts_endpoint,
                metadata_endpoint,
            } => Arc::new(DefaultChain::with_env(
                DefaultChainOptions {
                    sts_endpoint,
                    metadata_endpoint,
                },
                &kmskit::credentials::Env::system(),
            )),
            Credentials::Custom { provider } => Arc::new(custom(provider)),
            Credentials::Environment => Arc::new(EnvProvider::new()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let inner = Credentials::StsToken {
            id: "id".into(),
            secret: "the-secret".into(),
            token: "the-token".into(),
            expiration: None,
        };
        let role = Credentials::RamRoleArn {
            source: Box::new(inner),
            role_arn: "acs:ram::1:role/r".into(),
            role_session_name: None,
            duration_seconds: None,
            policy: None,
            external_id: None,
            sts_region: None,
            sts_endpoint: None,
            enable_vpc: None,
        };
        let shown = format!("{role:?}");
        assert!(
            !shown.contains("the-secret") && !shown.contains("the-token"),
            "{shown}"
        );
        assert!(shown.contains("acs:ram::1:role/r"), "{shown}");
        let uri = Credentials::CredentialsUri {
            uri: "http://h/c?token=abc".into(),
        };
        assert!(!format!("{uri:?}").contains("abc"));
        let value = CredentialValue {
            access_key_id: "id".into(),
            access_key_secret: "s3".into(),
            security_token: Some("t0k".into()),
            expiration: None,
        };
        let shown = format!("{value:?}");
        assert!(!shown.contains("s3\"") && !shown.contains("t0k"), "{shown}");
    }

    #[test]
    fn every_variant_builds_a_provider_or_a_typed_error() {
        let ak = Credentials::AccessKey {
            id: "id".into(),
            secret: "s".into(),
        };
        assert!(ak.provider().is_ok());
        let empty_role = Credentials::RamRoleArn {
            source: Box::new(ak),
            role_arn: " ".into(),
            role_session_name: None,
            duration_seconds: None,
            policy: None,
            external_id: None,
            sts_region: None,
            sts_endpoint: None,
            enable_vpc: None,
        };
        let e = empty_role.provider().err().map(|e| e.code());
        assert_eq!(e, Some(ErrorCode::InvalidConfiguration));
        let bad_uri = Credentials::CredentialsUri {
            uri: "ftp://x".into(),
        };
        assert!(bad_uri.provider().is_err());
    }
}
