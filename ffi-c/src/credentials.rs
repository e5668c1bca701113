//! `kmskit_credentials`: where a client's identity comes from — a static AccessKey or STS
//! token, one of the core's refreshing providers (ECS RAM role, RAM role ARN, OIDC role ARN,
//! credentials URI), a profile file, the default chain, or a C callback (callback.rs). Options
//! of every provider live on one `kmskit_credentials_options` handle (no public structs, so
//! adding an option never changes a layout); a constructor refuses an option its provider does
//! not take (1101) instead of ignoring it.
//!
//! A handle keeps a recipe (a factory) and the provider it made for the current process: all
//! clients of a process share that provider (its cache and refreshes), and a forked child makes
//! its own from the recipe instead of touching the parent's pooled connections.

use crate::boundary::{arg_mut, arg_ref, arg_str, check_out, free_box, give, run};
use crate::error::{kmskit_error, kmskit_result};
use crate::per_process::PerProcess;
use kmskit_core::credentials::{
    CliProfileOptions, CliProfileProvider, DefaultChain, DefaultChainOptions, EcsRamRoleOptions,
    EcsRamRoleProvider, Env, IniProfileOptions, IniProfileProvider, OidcRoleArnOptions,
    OidcRoleArnProvider, RamRoleArnOptions, RamRoleArnProvider, UriOptions, UriProvider,
};
use kmskit_core::{Credentials, CredentialsProvider, Error, Result, StaticProvider};
use std::ffi::c_char;
use std::ptr;
use std::sync::Arc;

type Provider = Arc<dyn CredentialsProvider>;
type Factory = dyn Fn() -> Result<Provider> + Send + Sync;

/// The recipe and this process's provider; shared by the handle, builders and clients.
pub(crate) struct Shared {
    factory: Box<Factory>,
    current: PerProcess<Provider>,
}

impl Shared {
    /// Makes the provider for this process now, so configuration errors surface at `_new`.
    pub(crate) fn new(factory: Box<Factory>) -> Result<Arc<Shared>> {
        let first = factory()?;
        Ok(Arc::new(Shared {
            factory,
            current: PerProcess::with(first),
        }))
    }

    pub(crate) fn fixed(credentials: Credentials) -> Arc<Shared> {
        let provider: Provider = Arc::new(StaticProvider::new(credentials.clone()));
        Arc::new(Shared {
            factory: Box::new(move || Ok(Arc::new(StaticProvider::new(credentials.clone())))),
            current: PerProcess::with(provider),
        })
    }

    /// The provider of the current process.
    pub(crate) fn provider(&self) -> Result<Provider> {
        self.current
            .get_or_try_init(|| (self.factory)())
            .map(Arc::clone)
    }
}

/// A credentials provider. Create with one of the kmskit_credentials_*_new functions, give it
/// to kmskit_config_builder_set_credentials (or as the source of a RAM role ARN), free with
/// kmskit_credentials_free. Builders and clients keep their own reference: the handle may be
/// freed right after use. Thread-safe.
pub struct kmskit_credentials(pub(crate) Arc<Shared>);

/// Options of the credentials providers, set one by one. Each constructor takes the ones its
/// provider uses and refuses the others (1101). Not thread-safe: set from one thread.
#[derive(Clone, Default)]
pub struct kmskit_credentials_options {
    role_name: Option<String>,
    disable_imds_v1: Option<bool>,
    metadata_endpoint: Option<String>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    duration_seconds: Option<u64>,
    policy: Option<String>,
    external_id: Option<String>,
    sts_region: Option<String>,
    sts_endpoint: Option<String>,
    enable_vpc: Option<bool>,
    oidc_provider_arn: Option<String>,
    oidc_token_file: Option<String>,
    profile_name: Option<String>,
    config_file: Option<String>,
    credentials_file: Option<String>,
    connect_timeout_ms: Option<u64>,
    read_timeout_ms: Option<u64>,
}

impl kmskit_credentials_options {
    fn set_names(&self) -> Vec<&'static str> {
        let flags = [
            ("role_name", self.role_name.is_some()),
            ("disable_imds_v1", self.disable_imds_v1.is_some()),
            ("metadata_endpoint", self.metadata_endpoint.is_some()),
            ("role_arn", self.role_arn.is_some()),
            ("role_session_name", self.role_session_name.is_some()),
            ("duration_seconds", self.duration_seconds.is_some()),
            ("policy", self.policy.is_some()),
            ("external_id", self.external_id.is_some()),
            ("sts_region", self.sts_region.is_some()),
            ("sts_endpoint", self.sts_endpoint.is_some()),
            ("enable_vpc", self.enable_vpc.is_some()),
            ("oidc_provider_arn", self.oidc_provider_arn.is_some()),
            ("oidc_token_file", self.oidc_token_file.is_some()),
            ("profile_name", self.profile_name.is_some()),
            ("config_file", self.config_file.is_some()),
            ("credentials_file", self.credentials_file.is_some()),
            ("connect_timeout_ms", self.connect_timeout_ms.is_some()),
            ("read_timeout_ms", self.read_timeout_ms.is_some()),
        ];
        flags
            .iter()
            .filter(|(_, set)| *set)
            .map(|(n, _)| *n)
            .collect()
    }

    /// A copy of the options after checking that `provider` takes every one that is set.
    ///
    /// # Safety
    /// `opts` is NULL or a live options handle.
    unsafe fn take(opts: *const Self, provider: &str, allowed: &[&str]) -> Result<Self> {
        // SAFETY: per the caller.
        let Some(o) = (unsafe { opts.as_ref() }) else {
            return Ok(Self::default());
        };
        if let Some(bad) = o.set_names().into_iter().find(|n| !allowed.contains(n)) {
            return Err(Error::configuration(format!(
                "the {provider} credentials provider has no option {bad}"
            )));
        }
        Ok(o.clone())
    }
}

/// Creates an empty options handle (every option unset: the provider's default or its
/// environment variable applies).
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_new(
    out: *mut *mut kmskit_credentials_options,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        check_out(out, "out")?;
        // SAFETY: checked above.
        unsafe { give(out, kmskit_credentials_options::default()) };
        Ok(())
    })
}

/// Frees an options handle. NULL is a no-op. Providers made with it are not affected.
///
/// # Safety
/// `opts` is NULL or an options handle not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_free(opts: *mut kmskit_credentials_options) {
    run(ptr::null_mut(), || {
        // SAFETY: per the contract above.
        unsafe { free_box(opts) };
        Ok(())
    });
}

fn set_opt(
    opts: *mut kmskit_credentials_options,
    set: impl FnOnce(&mut kmskit_credentials_options) -> Result<()>,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        // SAFETY: the setters' contract: NULL or a live handle used by one thread.
        set(unsafe { arg_mut(opts, "opts") }?)
    })
}

/// # Safety
/// `value` is NULL or a NUL-terminated string.
unsafe fn text(value: *const c_char, what: &str) -> Result<Option<String>> {
    // SAFETY: per the caller.
    unsafe { arg_str(value, what) }.map(|s| Some(s.to_owned()))
}

// One setter per option. They are spelled out (not generated by a macro) because cbindgen
// reads the source as written.

/// ECS RAM role: the role name (else ALIBABA_CLOUD_ECS_METADATA, else discovered).
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_role_name(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.role_name = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// ECS RAM role: refuse the IMDSv1 fallback (else ALIBABA_CLOUD_IMDSV1_DISABLED).
///
/// # Safety
/// `opts` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_disable_imds_v1(
    opts: *mut kmskit_credentials_options,
    value: bool,
) -> kmskit_result {
    set_opt(opts, |o| {
        o.disable_imds_v1 = Some(value);
        Ok(())
    })
}

/// ECS RAM role, CLI/ini profiles, default chain: the metadata service
/// (default "http://100.100.100.200").
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_metadata_endpoint(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.metadata_endpoint = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// RAM/OIDC role ARN: the role to assume (else ALIBABA_CLOUD_ROLE_ARN; required).
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_role_arn(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.role_arn = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// RAM/OIDC role ARN: the session name (else ALIBABA_CLOUD_ROLE_SESSION_NAME, else
/// "kmskit-<unix ms>").
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_role_session_name(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.role_session_name = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// RAM/OIDC role ARN: session duration in seconds (default 3600, at least 900).
///
/// # Safety
/// `opts` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_duration_seconds(
    opts: *mut kmskit_credentials_options,
    value: u64,
) -> kmskit_result {
    set_opt(opts, |o| {
        o.duration_seconds = Some(value);
        Ok(())
    })
}

/// RAM/OIDC role ARN: a policy (JSON) narrowing the session's permissions.
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_policy(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.policy = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// RAM role ARN: the external id the role's trust policy asks for.
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_external_id(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.external_id = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// RAM/OIDC role ARN: the STS region (else ALIBABA_CLOUD_STS_REGION): sts.<region>.aliyuncs.com.
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_sts_region(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.sts_region = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// RAM/OIDC role ARN, CLI/ini profiles, default chain: the STS endpoint, "host[:port]"
/// (HTTPS) or a URL such as "http://127.0.0.1:PORT"; overrides the region.
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_sts_endpoint(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.sts_endpoint = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// RAM/OIDC role ARN: use sts-vpc.<region>.aliyuncs.com (with a region; else
/// ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED).
///
/// # Safety
/// `opts` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_enable_vpc(
    opts: *mut kmskit_credentials_options,
    value: bool,
) -> kmskit_result {
    set_opt(opts, |o| {
        o.enable_vpc = Some(value);
        Ok(())
    })
}

/// OIDC role ARN: the OIDC provider (else ALIBABA_CLOUD_OIDC_PROVIDER_ARN; required).
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_oidc_provider_arn(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.oidc_provider_arn = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// OIDC role ARN: the token file, re-read at every refresh (else ALIBABA_CLOUD_OIDC_TOKEN_FILE;
/// required).
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_oidc_token_file(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.oidc_token_file = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// CLI/ini profiles: the profile (else ALIBABA_CLOUD_PROFILE, else the CLI file's "current" /
/// the ini section "default").
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_profile_name(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.profile_name = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// CLI profile: the aliyun CLI config file (else ALIBABA_CLOUD_CONFIG_FILE, else
/// ~/.aliyun/config.json).
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_config_file(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.config_file = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// ini profile: the credentials file (else ALIBABA_CLOUD_CREDENTIALS_FILE, else
/// ~/.alibabacloud/credentials.ini, else ~/.alibabacloud/credentials).
///
/// # Safety
/// `opts` is NULL or live; `value` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_credentials_file(
    opts: *mut kmskit_credentials_options,
    value: *const c_char,
) -> kmskit_result {
    set_opt(opts, |o| {
        // SAFETY: per the contract above.
        o.credentials_file = unsafe { text(value, "value") }?;
        Ok(())
    })
}

/// ECS RAM role, RAM/OIDC role ARN, URI: connect timeout of the provider's own requests in
/// milliseconds (ECS 1000, STS and URI 5000).
///
/// # Safety
/// `opts` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_connect_timeout_ms(
    opts: *mut kmskit_credentials_options,
    value: u64,
) -> kmskit_result {
    set_opt(opts, |o| {
        o.connect_timeout_ms = Some(value);
        Ok(())
    })
}

/// ECS RAM role, RAM/OIDC role ARN, URI: read timeout of the provider's own requests in
/// milliseconds (ECS 1000, STS and URI 10000).
///
/// # Safety
/// `opts` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_options_set_read_timeout_ms(
    opts: *mut kmskit_credentials_options,
    value: u64,
) -> kmskit_result {
    set_opt(opts, |o| {
        o.read_timeout_ms = Some(value);
        Ok(())
    })
}

/// Common tail of every constructor: checks `out`, makes the handle.
///
/// # Safety
/// `out` and `err` are NULL or writable.
unsafe fn make(
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
    build: impl FnOnce() -> Result<Arc<Shared>>,
) -> kmskit_result {
    run(err, || {
        check_out(out, "out")?;
        let shared = build()?;
        // SAFETY: checked above.
        unsafe { give(out, kmskit_credentials(shared)) };
        Ok(())
    })
}

/// A static AccessKey pair (the secret is copied into memory wiped when the last user of the
/// handle is freed). On success `*out` is a handle to free with kmskit_credentials_free.
///
/// # Safety
/// Strings are NULL or NUL-terminated; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_access_key_new(
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let id = arg_str(access_key_id, "access_key_id")?;
            let secret = arg_str(access_key_secret, "access_key_secret")?;
            Ok(Shared::fixed(Credentials::access_key(id, secret)?))
        })
    }
}

/// Static STS credentials (AccessKey id, secret and security token).
///
/// # Safety
/// Strings are NULL or NUL-terminated; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_sts_new(
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    security_token: *const c_char,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let id = arg_str(access_key_id, "access_key_id")?;
            let secret = arg_str(access_key_secret, "access_key_secret")?;
            let token = arg_str(security_token, "security_token")?;
            Ok(Shared::fixed(Credentials::sts(id, secret, token, None)?))
        })
    }
}

/// The ECS instance RAM role from the metadata service (IMDSv2 token, refreshed before
/// expiry). Options: role_name, metadata_endpoint, disable_imds_v1, connect_timeout_ms,
/// read_timeout_ms. 1203 when ALIBABA_CLOUD_ECS_METADATA_DISABLED=true.
///
/// # Safety
/// `opts` is NULL or live; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_ecs_ram_role_new(
    opts: *const kmskit_credentials_options,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let o = kmskit_credentials_options::take(
                opts,
                "ECS RAM role",
                &[
                    "role_name",
                    "metadata_endpoint",
                    "disable_imds_v1",
                    "connect_timeout_ms",
                    "read_timeout_ms",
                ],
            )?;
            let options = EcsRamRoleOptions {
                role_name: o.role_name,
                disable_imds_v1: o.disable_imds_v1,
                metadata_endpoint: o.metadata_endpoint,
                connect_timeout_ms: o.connect_timeout_ms,
                read_timeout_ms: o.read_timeout_ms,
                ..Default::default()
            };
            Shared::new(Box::new(move || {
                Ok(Arc::new(EcsRamRoleProvider::new(options.clone())?) as Provider)
            }))
        })
    }
}

/// Assumes a RAM role (STS AssumeRole) with the credentials of `source` (any credentials
/// handle, another role included; the new handle keeps its own reference). Options: role_arn
/// (required, else ALIBABA_CLOUD_ROLE_ARN), role_session_name, duration_seconds, policy,
/// external_id, sts_region, sts_endpoint, enable_vpc, connect_timeout_ms, read_timeout_ms.
///
/// # Safety
/// `source` and `opts` are NULL or live; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_ram_role_arn_new(
    source: *const kmskit_credentials,
    opts: *const kmskit_credentials_options,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let source = arg_ref(source, "source")?.0.clone();
            let o = kmskit_credentials_options::take(
                opts,
                "RAM role ARN",
                &[
                    "role_arn",
                    "role_session_name",
                    "duration_seconds",
                    "policy",
                    "external_id",
                    "sts_region",
                    "sts_endpoint",
                    "enable_vpc",
                    "connect_timeout_ms",
                    "read_timeout_ms",
                ],
            )?;
            let options = RamRoleArnOptions {
                role_arn: o.role_arn,
                role_session_name: o.role_session_name,
                duration_seconds: o.duration_seconds,
                policy: o.policy,
                external_id: o.external_id,
                sts_region: o.sts_region,
                enable_vpc: o.enable_vpc,
                sts_endpoint: o.sts_endpoint,
                connect_timeout_ms: o.connect_timeout_ms,
                read_timeout_ms: o.read_timeout_ms,
            };
            Shared::new(Box::new(move || {
                let provider = RamRoleArnProvider::new(source.provider()?, options.clone())?;
                Ok(Arc::new(provider) as Provider)
            }))
        })
    }
}

/// Assumes a RAM role with an OIDC token (STS AssumeRoleWithOIDC). Options: role_arn,
/// oidc_provider_arn, oidc_token_file (each required, else ALIBABA_CLOUD_ROLE_ARN,
/// ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), role_session_name,
/// duration_seconds, policy, sts_region, sts_endpoint, enable_vpc, connect_timeout_ms,
/// read_timeout_ms.
///
/// # Safety
/// `opts` is NULL or live; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_oidc_role_arn_new(
    opts: *const kmskit_credentials_options,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let o = kmskit_credentials_options::take(
                opts,
                "OIDC role ARN",
                &[
                    "role_arn",
                    "oidc_provider_arn",
                    "oidc_token_file",
                    "role_session_name",
                    "duration_seconds",
                    "policy",
                    "sts_region",
                    "sts_endpoint",
                    "enable_vpc",
                    "connect_timeout_ms",
                    "read_timeout_ms",
                ],
            )?;
            let options = OidcRoleArnOptions {
                role_arn: o.role_arn,
                oidc_provider_arn: o.oidc_provider_arn,
                oidc_token_file: o.oidc_token_file,
                role_session_name: o.role_session_name,
                duration_seconds: o.duration_seconds,
                policy: o.policy,
                sts_region: o.sts_region,
                enable_vpc: o.enable_vpc,
                sts_endpoint: o.sts_endpoint,
                connect_timeout_ms: o.connect_timeout_ms,
                read_timeout_ms: o.read_timeout_ms,
            };
            Shared::new(Box::new(move || {
                Ok(Arc::new(OidcRoleArnProvider::new(options.clone())?) as Provider)
            }))
        })
    }
}

/// Credentials served as JSON by `uri` (an http(s) URL; the aliyun CLI's CredentialsURI
/// format). Options: connect_timeout_ms, read_timeout_ms.
///
/// # Safety
/// `uri` is NULL or NUL-terminated; `opts` NULL or live; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_uri_new(
    uri: *const c_char,
    opts: *const kmskit_credentials_options,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let uri = arg_str(uri, "uri")?.to_owned();
            let o = kmskit_credentials_options::take(
                opts,
                "credentials URI",
                &["connect_timeout_ms", "read_timeout_ms"],
            )?;
            let options = UriOptions {
                uri,
                connect_timeout_ms: o.connect_timeout_ms,
                read_timeout_ms: o.read_timeout_ms,
            };
            Shared::new(Box::new(move || {
                Ok(Arc::new(UriProvider::new(options.clone())?) as Provider)
            }))
        })
    }
}

/// A profile of the aliyun CLI's config.json (modes AK, StsToken, RamRoleArn,
/// ChainableRamRoleArn, EcsRamRole, OIDC, CredentialsURI). Options: profile_name,
/// config_file, sts_endpoint, metadata_endpoint. The file is read at the first call (errors
/// then, not here).
///
/// # Safety
/// `opts` is NULL or live; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_cli_profile_new(
    opts: *const kmskit_credentials_options,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let o = kmskit_credentials_options::take(
                opts,
                "CLI profile",
                &[
                    "profile_name",
                    "config_file",
                    "sts_endpoint",
                    "metadata_endpoint",
                ],
            )?;
            let options = CliProfileOptions {
                profile_name: o.profile_name,
                config_file: o.config_file,
                sts_endpoint: o.sts_endpoint,
                metadata_endpoint: o.metadata_endpoint,
            };
            Shared::new(Box::new(move || {
                Ok(Arc::new(CliProfileProvider::new(options.clone())) as Provider)
            }))
        })
    }
}

/// A section of the credentials ini file (types access_key, ram_role_arn, oidc_role_arn,
/// ecs_ram_role). Options: profile_name, credentials_file, sts_endpoint, metadata_endpoint.
/// The file is read at the first call.
///
/// # Safety
/// `opts` is NULL or live; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_ini_profile_new(
    opts: *const kmskit_credentials_options,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let o = kmskit_credentials_options::take(
                opts,
                "ini profile",
                &[
                    "profile_name",
                    "credentials_file",
                    "sts_endpoint",
                    "metadata_endpoint",
                ],
            )?;
            let options = IniProfileOptions {
                profile_name: o.profile_name,
                credentials_file: o.credentials_file,
                sts_endpoint: o.sts_endpoint,
                metadata_endpoint: o.metadata_endpoint,
            };
            Shared::new(Box::new(move || {
                Ok(Arc::new(IniProfileProvider::new(options.clone())) as Provider)
            }))
        })
    }
}

/// The default chain (environment, OIDC, CLI profile, ini profile, ECS RAM role, credentials
/// URI), reading the environment now. What a client uses when given no credentials. Options:
/// sts_endpoint, metadata_endpoint.
///
/// # Safety
/// `opts` is NULL or live; `out`, `err` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_default_chain_new(
    opts: *const kmskit_credentials_options,
    out: *mut *mut kmskit_credentials,
    err: *mut *mut kmskit_error,
) -> kmskit_result {
    // SAFETY: per the contract above.
    unsafe {
        make(out, err, || {
            let o = kmskit_credentials_options::take(
                opts,
                "default chain",
                &["sts_endpoint", "metadata_endpoint"],
            )?;
            let options = DefaultChainOptions {
                sts_endpoint: o.sts_endpoint,
                metadata_endpoint: o.metadata_endpoint,
            };
            Shared::new(Box::new(move || {
                Ok(Arc::new(DefaultChain::with_env(options.clone(), &Env::system())) as Provider)
            }))
        })
    }
}

/// Frees a credentials handle. NULL is a no-op. Builders, clients and RAM role ARN providers
/// that use it keep their own reference.
///
/// # Safety
/// `creds` is NULL or a handle not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_credentials_free(creds: *mut kmskit_credentials) {
    run(ptr::null_mut(), || {
        // SAFETY: per the contract above.
        unsafe { free_box(creds) };
        Ok(())
    });
}
