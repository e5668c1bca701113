//! `kmskit_config_builder`: the options every face has, set one by one (no public structs, so
//! adding an option never changes a layout). Names and defaults are the core's. Setters check
//! their own argument (NULL, UTF-8, a known gateway or signature version) and return a code; the
//! whole configuration is checked by the core when kmskit_client_new builds a client. The
//! builder is borrowed, not consumed, by kmskit_client_new.

use crate::boundary::{
    arg_bytes, arg_mut, arg_ref, arg_str, check_out, free_box, give, opt_str, run,
};
use crate::clientkey::kmskit_client_key;
use crate::credentials::{kmskit_credentials, Shared};
use crate::error::kmskit_result;
use kmskit_core::{
    ClientConfig, ClientKey, Credentials, Gateway, Result, RetryPolicy, Route, SignatureVersion,
};
use std::ffi::c_char;
use std::path::PathBuf;
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

/// Client options. Create with kmskit_config_builder_new, free with kmskit_config_builder_free.
/// Not thread-safe: set options from one thread.
#[derive(Clone, Default)]
pub struct kmskit_config_builder {
    endpoint: Option<String>,
    region: Option<String>,
    gateway: Option<Gateway>,
    ca_pem: Option<Vec<u8>>,
    ca_file: Option<PathBuf>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    max_attempts: Option<u32>,
    user_agent_suffix: Option<String>,
    signature_version: Option<SignatureVersion>,
    credentials: Option<Arc<Shared>>,
    client_key: Option<ClientKey>,
    instance_endpoint: Option<String>,
    route: Option<Route>,
}

impl kmskit_config_builder {
    pub(crate) fn build(&self) -> Result<ClientConfig> {
        let mut b = ClientConfig::builder();
        if let Some(v) = &self.region {
            b = b.region(v.clone());
        }
        if let Some(v) = &self.gateway {
            b = b.gateway(v.clone());
        }
        if let Some(v) = &self.endpoint {
            b = b.endpoint(v.clone());
        }
        if let Some(v) = self.connect_timeout {
            b = b.connect_timeout(v);
        }
        if let Some(v) = self.read_timeout {
            b = b.read_timeout(v);
        }
        if let Some(v) = self.max_attempts {
            b = b.retry_policy(RetryPolicy {
                max_attempts: v,
                ..RetryPolicy::default()
            });
        }
        if let Some(v) = &self.user_agent_suffix {
            b = b.user_agent_suffix(v.clone());
        }
        if let Some(v) = &self.ca_pem {
            b = b.ca_pem(v.clone());
        }
        if let Some(v) = &self.ca_file {
            b = b.ca_file(v.clone());
        }
        if let Some(v) = self.signature_version {
            b = b.signature_version(v);
        }
        if let Some(v) = &self.credentials {
            // This process's provider (a forked child gets its own: credentials.rs).
            b = b.credentials_provider(v.provider()?);
        }
        if let Some(v) = &self.client_key {
            b = b.client_key(v.clone());
        }
        if let Some(v) = &self.instance_endpoint {
            b = b.instance_endpoint(v.clone());
        }
        if let Some(v) = self.route {
            b = b.route(v);
        }
        b.build()
    }
}

/// Creates an empty builder (every option at its default; credentials from the default chain).
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_new(
    out: *mut *mut kmskit_config_builder,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        check_out(out, "out")?;
        // SAFETY: checked above.
        unsafe { give(out, kmskit_config_builder::default()) };
        Ok(())
    })
}

/// Frees a builder. NULL is a no-op. Clients built from it stay valid.
///
/// # Safety
/// `builder` is NULL or a builder not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_free(builder: *mut kmskit_config_builder) {
    // SAFETY: per the contract above.
    run(ptr::null_mut(), || {
        unsafe { free_box(builder) };
        Ok(())
    });
}

/// One setter: checks the builder pointer, runs `set`, returns its code.
fn set(
    builder: *mut kmskit_config_builder,
    set: impl FnOnce(&mut kmskit_config_builder) -> Result<()>,
) -> kmskit_result {
    run(ptr::null_mut(), || {
        // SAFETY: the setters' contract: NULL or a live builder used by one thread.
        let b = unsafe { arg_mut(builder, "builder") }?;
        set(b)
    })
}

/// Endpoint URL overriding the gateway: "https://host[:port]", "http://host[:port]" (local
/// servers) or a bare "host[:port]" (HTTPS).
///
/// # Safety
/// `builder` is NULL or live; `endpoint` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_endpoint(
    builder: *mut kmskit_config_builder,
    endpoint: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.endpoint = Some(unsafe { arg_str(endpoint, "endpoint") }?.to_owned());
        Ok(())
    })
}

/// Region, e.g. "cn-hangzhou" (needed for the shared gateways).
///
/// # Safety
/// `builder` is NULL or live; `region` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_region(
    builder: *mut kmskit_config_builder,
    region: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.region = Some(unsafe { arg_str(region, "region") }?.to_owned());
        Ok(())
    })
}

/// Gateway: `kind` is "shared" (default), "vpc" or "dedicated"; `instance_id` (the KMS
/// instance id) is required for "dedicated" and may be NULL otherwise. `kind` may be NULL: an
/// instance id alone then means "dedicated", and both NULL leave the default (shared). An
/// unknown kind or a dedicated gateway without an instance id is 1101 InvalidConfiguration.
///
/// # Safety
/// `builder` is NULL or live; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_gateway(
    builder: *mut kmskit_config_builder,
    kind: *const c_char,
    instance_id: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        let kind = unsafe { opt_str(kind, "kind") }?;
        // SAFETY: per the contract above.
        let instance_id = unsafe { opt_str(instance_id, "instance_id") }?;
        b.gateway = Gateway::from_options(kind, instance_id)?;
        Ok(())
    })
}

/// CA certificate(s) in PEM trusted in addition to the public roots (e.g. a KMS instance CA).
/// The bytes are copied. Parsed by kmskit_client_new (bad PEM: 1101).
///
/// # Safety
/// `builder` is NULL or live; `pem` is NULL or points to `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_ca_pem(
    builder: *mut kmskit_config_builder,
    pem: *const u8,
    len: usize,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        let pem = unsafe { arg_bytes(pem, len, "pem") }?;
        if pem.is_empty() {
            return Err(kmskit_core::Error::invalid_argument("pem is empty"));
        }
        b.ca_pem = Some(pem.to_vec());
        Ok(())
    })
}

/// Like kmskit_config_builder_set_ca_pem, read from a file by kmskit_client_new.
///
/// # Safety
/// `builder` is NULL or live; `path` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_ca_file(
    builder: *mut kmskit_config_builder,
    path: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.ca_file = Some(PathBuf::from(unsafe { arg_str(path, "path") }?));
        Ok(())
    })
}

/// TCP connect + TLS handshake timeout in milliseconds (default 5000; 0 is refused by
/// kmskit_client_new with 1101).
///
/// # Safety
/// `builder` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_connect_timeout_ms(
    builder: *mut kmskit_config_builder,
    ms: u64,
) -> kmskit_result {
    set(builder, |b| {
        b.connect_timeout = Some(Duration::from_millis(ms));
        Ok(())
    })
}

/// Read timeout in milliseconds, from the request written to the whole response read
/// (default 10000; 0 is refused by kmskit_client_new with 1101).
///
/// # Safety
/// `builder` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_read_timeout_ms(
    builder: *mut kmskit_config_builder,
    ms: u64,
) -> kmskit_result {
    set(builder, |b| {
        b.read_timeout = Some(Duration::from_millis(ms));
        Ok(())
    })
}

/// Attempts in all, the first included (default 3; 1 = no retries; 0 is refused by
/// kmskit_client_new with 1101).
///
/// # Safety
/// `builder` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_max_attempts(
    builder: *mut kmskit_config_builder,
    max_attempts: u32,
) -> kmskit_result {
    set(builder, |b| {
        b.max_attempts = Some(max_attempts);
        Ok(())
    })
}

/// Appended to kmskit's user-agent after a space.
///
/// # Safety
/// `builder` is NULL or live; `suffix` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_user_agent_suffix(
    builder: *mut kmskit_config_builder,
    suffix: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.user_agent_suffix = Some(unsafe { arg_str(suffix, "suffix") }?.to_owned());
        Ok(())
    })
}

/// Request signature: "acs3" (ACS3-HMAC-SHA256, the default) or "rpc" (HMAC-SHA1). Anything
/// else is 1101 InvalidConfiguration.
///
/// # Safety
/// `builder` is NULL or live; `version` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_signature_version(
    builder: *mut kmskit_config_builder,
    version: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        let v = unsafe { arg_str(version, "version") }?;
        b.signature_version = Some(v.parse::<SignatureVersion>()?);
        Ok(())
    })
}

/// Static AccessKey credentials. The secret is copied into memory that is wiped when the last
/// client using it is freed. Replaces credentials set before.
///
/// # Safety
/// `builder` is NULL or live; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_access_key(
    builder: *mut kmskit_config_builder,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        let id = unsafe { arg_str(access_key_id, "access_key_id") }?;
        // SAFETY: per the contract above.
        let secret = unsafe { arg_str(access_key_secret, "access_key_secret") }?;
        b.credentials = Some(Shared::fixed(Credentials::access_key(id, secret)?));
        Ok(())
    })
}

/// Static STS credentials (AccessKey id, secret and security token). Replaces credentials set
/// before.
///
/// # Safety
/// `builder` is NULL or live; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_sts_token(
    builder: *mut kmskit_config_builder,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    security_token: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        let id = unsafe { arg_str(access_key_id, "access_key_id") }?;
        // SAFETY: per the contract above.
        let secret = unsafe { arg_str(access_key_secret, "access_key_secret") }?;
        // SAFETY: per the contract above.
        let token = unsafe { arg_str(security_token, "security_token") }?;
        b.credentials = Some(Shared::fixed(Credentials::sts(id, secret, token, None)?));
        Ok(())
    })
}

/// Credentials from a provider handle (kmskit_credentials_*_new). The builder, and every client
/// built from it, keep their own reference: `creds` may be freed right after. Replaces
/// credentials set before. Without any, a client uses the default chain (read when the client
/// is built).
///
/// # Safety
/// `builder` and `creds` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_credentials(
    builder: *mut kmskit_config_builder,
    creds: *const kmskit_credentials,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.credentials = Some(unsafe { arg_ref(creds, "creds") }?.0.clone());
        Ok(())
    })
}

/// The ClientKey of a dedicated gateway's Instance API (copied; `key` may be freed after).
/// With it the kmskit_client_instance_* functions work, and with route "auto" encrypt,
/// decrypt, the data key operations and get_secret_value go to the Instance API. Its endpoint:
/// kmskit_config_builder_set_instance_endpoint, else the dedicated gateway of
/// kmskit_config_builder_set_gateway, else the endpoint (checked by kmskit_client_new: 1101).
///
/// # Safety
/// `builder` and `key` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_client_key(
    builder: *mut kmskit_config_builder,
    key: *const kmskit_client_key,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.client_key = Some(unsafe { arg_ref(key, "key") }?.key.clone());
        Ok(())
    })
}

/// The Instance API endpoint ("https://host[:port]" or "host[:port]", e.g.
/// "kst-hzz1234.cryptoservice.kms.aliyuncs.com"), when RAM-authenticated calls go elsewhere
/// (a region's shared gateway). Needs a ClientKey (else kmskit_client_new: 1101).
///
/// # Safety
/// `builder` is NULL or live; `endpoint` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_instance_endpoint(
    builder: *mut kmskit_config_builder,
    endpoint: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.instance_endpoint = Some(unsafe { arg_str(endpoint, "endpoint") }?.to_owned());
        Ok(())
    })
}

/// Where the data-plane operations (encrypt, decrypt, data keys, get_secret_value) go: "auto"
/// (default: the Instance API when a ClientKey is set), "shared" (always RAM-authenticated on
/// the endpoint) or "dedicated" (always the Instance API; needs a ClientKey). Anything else is
/// 1101. kmskit_client_call always uses the endpoint.
///
/// # Safety
/// `builder` is NULL or live; `route` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn kmskit_config_builder_set_route(
    builder: *mut kmskit_config_builder,
    route: *const c_char,
) -> kmskit_result {
    set(builder, |b| {
        // SAFETY: per the contract above.
        b.route = Some(unsafe { arg_str(route, "route") }?.parse::<Route>()?);
        Ok(())
    })
}
