//! Credential providers for the Node face: one native class, `NativeProvider`, holding any core
//! `CredentialsProvider`, made by one factory per credentials type. The package's `index.js`
//! wraps each factory in a class of its own (`EcsRamRole`, `RamRoleArn`, ...); nothing secret
//! ever sits on a JavaScript object.
//!
//! A user's async function becomes a core `FnProvider` (cached, one call in flight). It is
//! called through a threadsafe function and its Promise awaited from Rust, so the JavaScript
//! thread is never blocked waiting for it. The threadsafe function is weak: it never keeps the
//! process alive by itself (a call in flight does, through the dispatch's own function).

use crate::errors::to_js_error;
use crate::types::{AccessKey, StsToken};
use kmskit::credentials::{
    CliProfileOptions, CliProfileProvider, DefaultChain, DefaultChainOptions, EcsRamRoleOptions,
    EcsRamRoleProvider, FnProvider, IniProfileOptions, IniProfileProvider, OidcRoleArnOptions,
    OidcRoleArnProvider, RamRoleArnOptions, RamRoleArnProvider, UriOptions, UriProvider,
};
use kmskit::{CredentialsProvider, ErrorCode, StaticProvider};
use napi::bindgen_prelude::{ClassInstance, Either, Function, Promise};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, Result};
use napi_derive::napi;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// The core's credentials sources (parity tests check each has a class here).
// Reached from JavaScript only (registered by #[napi]), which the dead-code lint cannot see.
#[allow(dead_code)]
#[napi]
pub fn credentials_types() -> Vec<&'static str> {
    kmskit::credentials::SOURCES.to_vec()
}

#[napi(object, js_name = "EcsRamRoleOptions")]
pub struct JsEcsRamRoleOptions {
    pub role_name: Option<String>,
    pub metadata_endpoint: Option<String>,
    pub disable_imds_v1: Option<bool>,
}

#[napi(object, js_name = "RamRoleArnOptions")]
pub struct JsRamRoleArnOptions {
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<f64>,
    pub policy: Option<String>,
    pub external_id: Option<String>,
    pub sts_region: Option<String>,
    pub sts_endpoint: Option<String>,
    pub enable_vpc: Option<bool>,
}

#[napi(object, js_name = "OidcRoleArnOptions")]
pub struct JsOidcRoleArnOptions {
    pub role_arn: Option<String>,
    pub oidc_provider_arn: Option<String>,
    pub oidc_token_file: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<f64>,
    pub policy: Option<String>,
    pub sts_region: Option<String>,
    pub sts_endpoint: Option<String>,
    pub enable_vpc: Option<bool>,
}

#[napi(object, js_name = "CliProfileOptions")]
pub struct JsCliProfileOptions {
    pub profile_name: Option<String>,
    pub config_file: Option<String>,
    pub sts_endpoint: Option<String>,
    pub metadata_endpoint: Option<String>,
}

#[napi(object, js_name = "IniProfileOptions")]
pub struct JsIniProfileOptions {
    pub profile_name: Option<String>,
    pub credentials_file: Option<String>,
    pub sts_endpoint: Option<String>,
    pub metadata_endpoint: Option<String>,
}

#[napi(object, js_name = "DefaultChainOptions")]
pub struct JsDefaultChainOptions {
    pub sts_endpoint: Option<String>,
    pub metadata_endpoint: Option<String>,
}

/// What a user's credentials function resolves to, as index.js normalises it (`expiration` is
/// passed on as milliseconds since the epoch).
#[napi(object)]
pub struct FunctionCredentials {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: Option<String>,
    pub expiration_ms: Option<f64>,
}

fn seconds(v: Option<f64>) -> std::result::Result<Option<u64>, kmskit::Error> {
    match v {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= u64::MAX as f64 => {
            Ok(Some(n as u64))
        }
        Some(_) => Err(kmskit::Error::configuration(
            "durationSeconds must be a whole number of seconds",
        )),
    }
}

type JsCredentialsFn =
    ThreadsafeFunction<(), Promise<FunctionCredentials>, (), napi::Status, false, true>;

async fn call_function(tsfn: Arc<JsCredentialsFn>) -> kmskit::Result<kmskit::Credentials> {
    let failed = |e: napi::Error| {
        kmskit::Error::new(
            ErrorCode::CredentialsUnavailable,
            format!("the credentials function failed: {}", e.reason),
        )
    };
    let promise = tsfn.call_async_catch(()).await.map_err(failed)?;
    let c = promise.await.map_err(failed)?;
    match c.security_token {
        Some(token) => {
            let expiration = match c.expiration_ms {
                Some(ms) if ms.is_finite() && ms >= 0.0 => {
                    Some(UNIX_EPOCH + Duration::from_millis(ms as u64))
                }
                Some(_) => {
                    return Err(kmskit::Error::new(
                        ErrorCode::CredentialsUnavailable,
                        "the credentials function returned an invalid expiration",
                    ))
                }
                None => None,
            };
            kmskit::Credentials::sts(c.access_key_id, c.access_key_secret, token, expiration)
        }
        None => kmskit::Credentials::access_key(c.access_key_id, c.access_key_secret),
    }
    .map(|c| c.with_provider_name("function"))
}

/// Any credentials provider of the core; made only through the factories below.
#[napi]
pub struct NativeProvider {
    pub(crate) provider: Arc<dyn CredentialsProvider>,
    kind: &'static str,
}

fn made(
    env: &Env,
    kind: &'static str,
    p: kmskit::Result<Arc<dyn CredentialsProvider>>,
) -> Result<NativeProvider> {
    p.map(|provider| NativeProvider { provider, kind })
        .map_err(|e| to_js_error(env, &e))
}

#[napi]
impl NativeProvider {
    /// The credentials type this provider was made as (e.g. `'RamRoleArn'`).
    #[napi(getter)]
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    #[napi(factory)]
    pub fn from_static(
        credentials: Either<ClassInstance<'_, AccessKey>, ClassInstance<'_, StsToken>>,
    ) -> NativeProvider {
        let (c, kind) = match credentials {
            Either::A(ak) => (ak.credentials.clone(), "AccessKey"),
            Either::B(sts) => (sts.credentials.clone(), "StsToken"),
        };
        NativeProvider {
            provider: Arc::new(StaticProvider::new(c)),
            kind,
        }
    }

    #[napi(factory)]
    pub fn ecs_ram_role(env: Env, options: Option<JsEcsRamRoleOptions>) -> Result<NativeProvider> {
        let o = options.unwrap_or(JsEcsRamRoleOptions {
            role_name: None,
            metadata_endpoint: None,
            disable_imds_v1: None,
        });
        let opts = EcsRamRoleOptions {
            role_name: o.role_name,
            metadata_endpoint: o.metadata_endpoint,
            disable_imds_v1: o.disable_imds_v1,
            ..Default::default()
        };
        made(
            &env,
            "EcsRamRole",
            EcsRamRoleProvider::new(opts).map(|p| Arc::new(p) as Arc<dyn CredentialsProvider>),
        )
    }

    #[napi(factory)]
    pub fn ram_role_arn(
        env: Env,
        source: &NativeProvider,
        options: JsRamRoleArnOptions,
    ) -> Result<NativeProvider> {
        let p = seconds(options.duration_seconds).and_then(|duration_seconds| {
            let opts = RamRoleArnOptions {
                role_arn: options.role_arn,
                role_session_name: options.role_session_name,
                duration_seconds,
                policy: options.policy,
                external_id: options.external_id,
                sts_region: options.sts_region,
                sts_endpoint: options.sts_endpoint,
                enable_vpc: options.enable_vpc,
                ..Default::default()
            };
            RamRoleArnProvider::new(Arc::clone(&source.provider), opts)
                .map(|p| Arc::new(p) as Arc<dyn CredentialsProvider>)
        });
        made(&env, "RamRoleArn", p)
    }

    #[napi(factory)]
    pub fn oidc_role_arn(
        env: Env,
        options: Option<JsOidcRoleArnOptions>,
    ) -> Result<NativeProvider> {
        let o = options.unwrap_or(JsOidcRoleArnOptions {
            role_arn: None,
            oidc_provider_arn: None,
            oidc_token_file: None,
            role_session_name: None,
            duration_seconds: None,
            policy: None,
            sts_region: None,
            sts_endpoint: None,
            enable_vpc: None,
        });
        let p = seconds(o.duration_seconds).and_then(|duration_seconds| {
            let opts = OidcRoleArnOptions {
                role_arn: o.role_arn,
                oidc_provider_arn: o.oidc_provider_arn,
                oidc_token_file: o.oidc_token_file,
                role_session_name: o.role_session_name,
                duration_seconds,
                policy: o.policy,
                sts_region: o.sts_region,
                sts_endpoint: o.sts_endpoint,
                enable_vpc: o.enable_vpc,
                ..Default::default()
            };
            OidcRoleArnProvider::new(opts).map(|p| Arc::new(p) as Arc<dyn CredentialsProvider>)
        });
        made(&env, "OidcRoleArn", p)
    }

    #[napi(factory)]
    pub fn credentials_uri(env: Env, uri: String) -> Result<NativeProvider> {
        let opts = UriOptions {
            uri,
            connect_timeout_ms: None,
            read_timeout_ms: None,
        };
        made(
            &env,
            "CredentialsUri",
            UriProvider::new(opts).map(|p| Arc::new(p) as Arc<dyn CredentialsProvider>),
        )
    }

    #[napi(factory)]
    pub fn cli_profile(options: Option<JsCliProfileOptions>) -> NativeProvider {
        let o = options.unwrap_or(JsCliProfileOptions {
            profile_name: None,
            config_file: None,
            sts_endpoint: None,
            metadata_endpoint: None,
        });
        let opts = CliProfileOptions {
            profile_name: o.profile_name,
            config_file: o.config_file,
            sts_endpoint: o.sts_endpoint,
            metadata_endpoint: o.metadata_endpoint,
        };
        NativeProvider {
            provider: Arc::new(CliProfileProvider::new(opts)),
            kind: "CliProfile",
        }
    }

    #[napi(factory)]
    pub fn ini_profile(options: Option<JsIniProfileOptions>) -> NativeProvider {
        let o = options.unwrap_or(JsIniProfileOptions {
            profile_name: None,
            credentials_file: None,
            sts_endpoint: None,
            metadata_endpoint: None,
        });
        let opts = IniProfileOptions {
            profile_name: o.profile_name,
            credentials_file: o.credentials_file,
            sts_endpoint: o.sts_endpoint,
            metadata_endpoint: o.metadata_endpoint,
        };
        NativeProvider {
            provider: Arc::new(IniProfileProvider::new(opts)),
            kind: "IniProfile",
        }
    }

    /// The default chain with the process environment as it is now.
    #[napi(factory)]
    pub fn default_chain(options: Option<JsDefaultChainOptions>) -> NativeProvider {
        let provider = match options {
            Some(o) if o.sts_endpoint.is_some() || o.metadata_endpoint.is_some() => {
                DefaultChain::with_env(
                    DefaultChainOptions {
                        sts_endpoint: o.sts_endpoint,
                        metadata_endpoint: o.metadata_endpoint,
                    },
                    &kmskit::credentials::Env::system(),
                )
            }
            _ => DefaultChain::new(),
        };
        NativeProvider {
            provider: Arc::new(provider),
            kind: "DefaultChain",
        }
    }

    /// A user's async function (index.js makes sure it always returns a Promise).
    #[napi(factory)]
    pub fn from_function(
        #[napi(ts_arg_type = "() => Promise<FunctionCredentials>")] f: Function<
            '_,
            (),
            Promise<FunctionCredentials>,
        >,
    ) -> Result<NativeProvider> {
        let tsfn: JsCredentialsFn = f
            .build_threadsafe_function::<()>()
            .callee_handled::<false>()
            .weak::<true>()
            .build()?;
        let tsfn = Arc::new(tsfn);
        let provider = FnProvider::new(move || call_function(Arc::clone(&tsfn)));
        Ok(NativeProvider {
            provider: Arc::new(provider),
            kind: "Function",
        })
    }
}
