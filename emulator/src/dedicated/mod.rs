//! The dedicated gateway of a KMS instance (`<kst-id>.cryptoservice.kms.aliyuncs.com`), emulated on
//! a second, HTTPS-only listener with a CA generated at start. One port speaks two protocols, told
//! apart by the `x-kms-apiversion` header as the real gateway does:
//!
//! * the KMS OpenAPI with RAM (AccessKey) signatures: the very same service as the plain HTTP
//!   listener, same actions, same verifier, same store;
//! * the KMS Instance API (dkms-gcs-0.2): protobuf bodies signed with a ClientKey
//!   (`signature.rs`), answered by `ops.rs` over the same keys and secrets.
//!
//! ClientKeys are issued here (`clientkey.rs`, PKCS#12 by `pkcs12_writer.rs`): at start with
//! `--client-key-out`, or through the OpenAPI action CreateClientKey.

pub mod cipher;
pub mod clientkey;
mod handler;
mod ops;
pub mod pkcs12_writer;
pub mod proto;
pub mod signature;
pub mod tls;

use std::borrow::Cow;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use clientkey::{ClientKeyFiles, ClientKeyPublic, ClientKeyRegistry, IssuedClientKey};

use crate::error::KmsError;
use crate::server::Shared;

/// The instance id used when none is configured; shaped like real ids (`kst-` + 20 characters).
pub const DEFAULT_INSTANCE_ID: &str = "kst-emu00000000000000000";
/// The CA file's name, as the console names the download.
pub fn ca_file_name(instance_id: &str) -> String {
    format!("PrivateKmsCA_{instance_id}.pem")
}

/// How the dedicated gateway is set up.
#[derive(Debug, Clone)]
pub struct DedicatedConfig {
    /// Start the HTTPS listener at all (default true).
    pub enabled: bool,
    /// Where it listens; port 0 picks a free port.
    pub addr: SocketAddr,
    pub instance_id: String,
    /// Where the CA PEM is written. None: the data directory, or a fresh temporary directory
    /// (removed on shutdown) for in-memory storage.
    pub ca_dir: Option<PathBuf>,
    /// ClientKeys accepted besides the ones issued here (e.g. the shared test ClientKey).
    pub client_keys: Vec<ClientKeyPublic>,
    /// Issue one ClientKey at start and write its two files into this directory.
    pub client_key_out: Option<PathBuf>,
    /// The password for that ClientKey (default: random 32 hex digits).
    pub client_key_password: Option<String>,
}

impl Default for DedicatedConfig {
    fn default() -> Self {
        DedicatedConfig {
            enabled: true,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            instance_id: DEFAULT_INSTANCE_ID.to_owned(),
            ca_dir: None,
            client_keys: Vec::new(),
            client_key_out: None,
            client_key_password: None,
        }
    }
}

/// An Instance API failure: the protobuf `Error` body and its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
}

impl InstanceError {
    pub fn new(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        InstanceError {
            status,
            code: code.into(),
            message: message.into(),
        }
    }
    /// The gateway's wording for a bad protocol header ("The Param Date is invalid.").
    pub fn invalid_param(what: &str) -> Self {
        InstanceError::new(400, "InvalidParam", format!("The Param {what} is invalid."))
    }
    pub fn invalid_parameter(what: &str) -> Self {
        InstanceError::new(
            400,
            "InvalidParameter",
            format!("The parameter {what} is invalid."),
        )
    }
    pub fn missing(what: &str) -> Self {
        InstanceError::new(
            400,
            "MissingParameter",
            format!("The parameter {what} is missing."),
        )
    }
    pub fn invalid_ciphertext() -> Self {
        KmsError::invalid_ciphertext().into()
    }
    pub fn internal() -> Self {
        KmsError::internal().into()
    }
}

impl From<KmsError> for InstanceError {
    fn from(e: KmsError) -> Self {
        InstanceError {
            status: e.status,
            code: e.code,
            message: e.message,
        }
    }
}

impl From<crate::crypto::CryptoError> for InstanceError {
    fn from(e: crate::crypto::CryptoError) -> Self {
        KmsError::from(e).into()
    }
}

/// The gateway's state, shared by its connections and by CreateClientKey on either listener.
pub struct Gateway {
    pub instance_id: String,
    pub client_keys: ClientKeyRegistry,
}

impl Gateway {
    pub fn new(config: &DedicatedConfig) -> Result<Self, String> {
        let gw = Gateway {
            instance_id: config.instance_id.clone(),
            client_keys: ClientKeyRegistry::default(),
        };
        for k in &config.client_keys {
            gw.client_keys.add_public(k)?;
        }
        Ok(gw)
    }

    /// The OpenAPI action CreateClientKey (RAM-authenticated). Answers with the fields of the
    /// official `CreateClientKeyResponseBody`.
    pub fn create_client_key(
        &self,
        params: &std::collections::BTreeMap<String, String>,
    ) -> Result<serde_json::Value, KmsError> {
        let get = |n: &str| params.get(n).map(String::as_str).filter(|v| !v.is_empty());
        get("AapName").ok_or_else(|| KmsError::missing("AapName"))?;
        let password = get("Password").ok_or_else(|| KmsError::missing("Password"))?;
        if !password_ok(password) {
            return Err(KmsError::invalid("Password"));
        }
        let time = |n: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, KmsError> {
            get(n)
                .map(|v| {
                    chrono::DateTime::parse_from_rfc3339(v.trim())
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .map_err(|_| KmsError::invalid(n))
                })
                .transpose()
        };
        let issued = self
            .client_keys
            .issue(&clientkey::IssueRequest {
                instance_id: self.instance_id.clone(),
                password: Some(password.to_owned()),
                not_before: time("NotBefore")?,
                not_after: time("NotAfter")?,
            })
            .map_err(|e| {
                tracing::warn!(error = %e, "CreateClientKey failed");
                KmsError::invalid_msg("NotAfter must be later than NotBefore.")
            })?;
        let fmt = |t: chrono::DateTime<chrono::Utc>| crate::model::fmt_time(t);
        Ok(serde_json::json!({
            "ClientKeyId": issued.key_id,
            "KeyAlgorithm": "RSA_2048",
            "NotBefore": fmt(issued.not_before),
            "NotAfter": fmt(issued.not_after),
            "PrivateKeyData": issued.private_key_data.as_str(),
        }))
    }
}

/// KMS: 8 to 64 characters with at least two of digits, letters and special characters.
fn password_ok(p: &str) -> bool {
    let kinds = [
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| c.is_ascii_alphabetic()),
        p.chars().any(|c| c.is_ascii_punctuation()),
    ];
    (8..=64).contains(&p.chars().count()) && kinds.iter().filter(|k| **k).count() >= 2
}

/// A started dedicated listener.
pub struct RunningGateway {
    pub addr: SocketAddr,
    pub instance_id: String,
    pub ca_file: PathBuf,
    pub ca_pem: String,
    pub client_key: Option<(Arc<IssuedClientKey>, ClientKeyFiles)>,
    /// A temporary directory to remove on shutdown (in-memory storage).
    pub temp_dir: Option<PathBuf>,
    pub task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningGateway {
    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn temp_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "kmskit-emulator-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Generates the CA, writes it, issues the start-up ClientKey if asked, binds and serves.
pub async fn start(
    config: &DedicatedConfig,
    data_dir: Option<&Path>,
    shared: Arc<Shared>,
    gateway: Arc<Gateway>,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<RunningGateway> {
    let other = |e: String| std::io::Error::other(e);
    let instance_id = config.instance_id.clone();
    let tls = tokio::task::spawn_blocking(move || tls::generate(&instance_id))
        .await
        .map_err(|e| other(e.to_string()))?
        .map_err(other)?;
    let (dir, temp) = match (&config.ca_dir, data_dir) {
        (Some(d), _) => (d.clone(), None),
        (None, Some(d)) => (d.to_path_buf(), None),
        (None, None) => {
            let d = temp_dir()?;
            (d.clone(), Some(d))
        }
    };
    std::fs::create_dir_all(&dir)?;
    let ca_file = dir.join(ca_file_name(&config.instance_id));
    std::fs::write(&ca_file, tls.ca_pem.as_bytes())?;
    let client_key = match &config.client_key_out {
        Some(out) => {
            let gw = gateway.clone();
            let req = clientkey::IssueRequest {
                instance_id: config.instance_id.clone(),
                password: config.client_key_password.clone(),
                not_before: None,
                not_after: None,
            };
            let issued = tokio::task::spawn_blocking(move || gw.client_keys.issue(&req))
                .await
                .map_err(|e| other(e.to_string()))?
                .map_err(other)?;
            let files = issued.write_files(out)?;
            Some((Arc::new(issued), files))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let mut addr = listener.local_addr()?;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config);
    let task = tokio::spawn(serve(listener, acceptor, shared, gateway, shutdown));
    tracing::info!(%addr, instance_id = %config.instance_id, ca_file = %ca_file.display(), "dedicated gateway listening (HTTPS)");
    Ok(RunningGateway {
        addr,
        instance_id: config.instance_id.clone(),
        ca_file,
        ca_pem: tls.ca_pem,
        client_key,
        temp_dir: temp,
        task: Some(task),
    })
}

async fn serve(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    shared: Arc<Shared>,
    gateway: Arc<Gateway>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "dedicated accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let (shared, gateway, acceptor) = (shared.clone(), gateway.clone(), acceptor.clone());
                let mut stop = shutdown.clone();
                conns.spawn(async move {
                    // A client that never finishes the handshake must not hold a task forever.
                    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let (shared, gateway) = (shared.clone(), gateway.clone());
                        async move {
                            if req.headers().contains_key("x-kms-apiversion") {
                                handler::handle(shared, gateway, req).await
                            } else {
                                crate::server::handle(shared, req).await
                            }
                        }
                    });
                    let conn = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(tls), svc);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
        while conns.try_join_next().is_some() {}
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        conns.abort_all();
    }
}
