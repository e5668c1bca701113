//! kmskit-emulator: a local Alibaba Cloud KMS (OpenAPI 2016-01-20) over a real socket.
//!
//! It is the fake server every kmskit face and the official Alibaba SDKs are tested against, so it
//! must be strict where KMS is strict: it verifies ACS3, ACS4 and RPC V1 signatures with its own
//! verifier (sharing nothing with the client's signer in `core/`, so a signing bug cannot hide by
//! agreeing with itself), refuses stale dates and replayed nonces, answers with KMS's error codes
//! and the SDK models' field names, and does real cryptography (`crypto`, a pure engine) over keys
//! kept in SQLite. An admin API under `/_emulator/` injects faults for retry tests.
//! Two more plain-HTTP listeners serve STS and ECS instance metadata (`sts`, `imds`), so credential
//! providers can be tested end to end: the temporary keys they issue are accepted by KMS until
//! they expire. An HTTPS listener plays a KMS instance's dedicated gateway (`dedicated`): the same
//! OpenAPI plus the protobuf Instance API signed with ClientKeys, under a CA generated at start.
//!
//! Use it from Rust tests with [`Emulator::start`], or as the `kmskit-emulator` binary, which
//! prints one JSON ready line on stdout. See docs/emulator.md.

pub mod actions;
pub mod admin;
pub mod auth;
pub mod config;
pub mod crypto;
pub mod dedicated;
pub mod error;
pub mod faults;
pub mod imds;
pub mod model;
pub mod server;
pub mod store;
pub mod sts;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use config::{Credential, EmulatorConfig, Storage, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET};

/// The account id in ARNs and `Creator`.
pub const ACCOUNT_ID: &str = "1234567890123456";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open storage: {0}")]
    Store(#[from] store::StoreError),
    #[error("cannot listen: {0}")]
    Bind(#[from] std::io::Error),
    #[error("dedicated gateway: {0}")]
    Dedicated(String),
    #[error("STS: {0}")]
    Sts(String),
}

/// Entry point for in-process use.
pub struct Emulator;

impl Emulator {
    /// Opens storage, binds the socket and starts serving in the background.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, StartError> {
        let store = match &config.storage {
            Storage::InMemory => store::Store::in_memory()?,
            Storage::DataDir(dir) => store::Store::open_dir(dir)?,
        };
        let credentials = config.effective_credentials();
        let admin_token = config
            .admin_token
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let gateway = if config.dedicated.enabled {
            Some(Arc::new(
                dedicated::Gateway::new(&config.dedicated).map_err(StartError::Dedicated)?,
            ))
        } else {
            None
        };
        let sts_state = sts::StsState::new(config.sts.clone(), config.metadata.clone())
            .map_err(StartError::Sts)?;
        let shared = Arc::new(server::Shared {
            ctx: Arc::new(actions::Ctx {
                store,
                region: config.region.clone(),
                account_id: ACCOUNT_ID.to_owned(),
            }),
            credentials: credentials
                .iter()
                .map(|c| (c.access_key_id.clone(), c.access_key_secret.clone()))
                .collect::<HashMap<_, _>>(),
            nonces: auth::NonceCache::new(config.verify.max_skew),
            verify: config.verify.clone(),
            faults: faults::Faults::default(),
            stats: faults::Stats::default(),
            admin_token: admin_token.clone(),
            host_id: format!("kms.{}.aliyuncs.com", config.region),
            dedicated: gateway.clone(),
            sts: Arc::new(sts_state),
        });
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let mut local = listener.local_addr()?;
        if local.ip().is_unspecified() {
            local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let dedicated = match &gateway {
            Some(gw) => {
                let data_dir = match &config.storage {
                    Storage::DataDir(d) => Some(d.as_path()),
                    Storage::InMemory => None,
                };
                let rx = shutdown_rx.clone();
                let (cfg, sh, gw) = (&config.dedicated, shared.clone(), gw.clone());
                Some(dedicated::start(cfg, data_dir, sh, gw, rx).await?)
            }
            None => None,
        };
        let sts = sts::start(shared.clone(), shutdown_rx.clone()).await?;
        let task = tokio::spawn(serve(listener, shared.clone(), shutdown_rx));
        tracing::info!(addr = %local, region = %config.region, storage = ?config.storage, "kmskit-emulator listening");
        Ok(RunningEmulator {
            addr: local,
            region: config.region,
            credential: credentials
                .into_iter()
                .next()
                .unwrap_or_else(Credential::dev),
            admin_token,
            shutdown_tx,
            task: Some(task),
            shared,
            dedicated,
            sts,
        })
    }
}

/// A started emulator. Dropping it stops accepting connections; `shutdown` also waits for
/// in-flight requests and flushes the database.
pub struct RunningEmulator {
    addr: SocketAddr,
    region: String,
    credential: Credential,
    admin_token: String,
    shutdown_tx: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    shared: Arc<server::Shared>,
    dedicated: Option<dedicated::RunningGateway>,
    sts: sts::RunningSts,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn region(&self) -> &str {
        &self.region
    }
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }
    /// The first accepted AccessKey (the dev pair unless configured).
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The ready line the binary prints.
    pub fn ready_line(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoint": self.endpoint(),
            "region": self.region,
            "access_key_id": self.credential.access_key_id,
            "access_key_secret": self.credential.access_key_secret,
            "admin_token": self.admin_token,
            "pid": std::process::id(),
            "dedicated_endpoint": self.dedicated_endpoint(),
            "dedicated_ca_file": self.dedicated_ca_file(),
            "dedicated_host": self.dedicated_host(),
            "instance_id": self.instance_id(),
            "client_key_file": self.client_key_files().map(|f| &f.key_file),
            "client_key_password_file": self.client_key_files().map(|f| &f.password_file),
            "sts_endpoint": self.sts_endpoint(),
            "metadata_endpoint": self.metadata_endpoint(),
            "metadata_role_name": self.metadata_role_name(),
        })
    }

    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.dedicated.as_mut().and_then(|d| d.task.take()) {
            let _ = task.await;
        }
        for task in self.sts.tasks.drain(..) {
            let _ = task.await;
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.shared.ctx.store.checkpoint();
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<server::Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let mut stop = shutdown.clone();
                conns.spawn(async move {
                    let svc = service_fn(move |req| server::handle(shared.clone(), req));
                    // No timer on purpose: with one, hyper would close idle keep-alive connections
                    // after 30 s, and a client reusing a pooled connection at that instant sees a
                    // spurious network error that a test would blame on its retry logic.
                    let conn = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc);
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
    tracing::info!("kmskit-emulator stopped");
}

/// STS and ECS metadata (see `sts` and `imds`).
impl RunningEmulator {
    /// STS (2015-04-01): `http://127.0.0.1:PORT`.
    pub fn sts_endpoint(&self) -> String {
        format!("http://{}", self.sts.sts_addr)
    }
    pub fn sts_addr(&self) -> SocketAddr {
        self.sts.sts_addr
    }
    /// ECS instance metadata: `http://127.0.0.1:PORT` (paths `/latest/...` below it).
    pub fn metadata_endpoint(&self) -> String {
        format!("http://{}", self.sts.metadata_addr)
    }
    pub fn metadata_addr(&self) -> SocketAddr {
        self.sts.metadata_addr
    }
    /// The RAM role the metadata service serves credentials for.
    pub fn metadata_role_name(&self) -> &str {
        &self.shared.sts.metadata.role_name
    }
    /// Temporary credentials issued so far (STS and metadata), by AccessKeyId.
    pub fn temporary_credential(&self, access_key_id: &str) -> Option<sts::TempCredential> {
        self.shared.sts.credentials.get(access_key_id)
    }
}

/// The dedicated gateway (see `dedicated`). Every accessor is None when it is disabled.
impl RunningEmulator {
    /// `https://127.0.0.1:PORT`
    pub fn dedicated_endpoint(&self) -> Option<String> {
        self.dedicated.as_ref().map(|d| d.endpoint())
    }
    pub fn dedicated_addr(&self) -> Option<SocketAddr> {
        self.dedicated.as_ref().map(|d| d.addr)
    }
    /// The instance CA (PEM file `PrivateKmsCA_<instance-id>.pem`) the server certificate chains to.
    pub fn dedicated_ca_file(&self) -> Option<&std::path::Path> {
        self.dedicated.as_ref().map(|d| d.ca_file.as_path())
    }
    pub fn dedicated_ca_pem(&self) -> Option<&str> {
        self.dedicated.as_ref().map(|d| d.ca_pem.as_str())
    }
    /// `<instance-id>.cryptoservice.kms.aliyuncs.com`, a SAN of the server certificate.
    pub fn dedicated_host(&self) -> Option<String> {
        self.instance_id().map(dedicated::tls::instance_host)
    }
    pub fn instance_id(&self) -> Option<&str> {
        self.dedicated.as_ref().map(|d| d.instance_id.as_str())
    }
    /// The ClientKey issued at start (`DedicatedConfig::client_key_out`).
    pub fn client_key(&self) -> Option<&dedicated::IssuedClientKey> {
        self.dedicated
            .as_ref()
            .and_then(|d| d.client_key.as_ref())
            .map(|(k, _)| k.as_ref())
    }
    pub fn client_key_files(&self) -> Option<&dedicated::ClientKeyFiles> {
        self.dedicated
            .as_ref()
            .and_then(|d| d.client_key.as_ref())
            .map(|(_, f)| f)
    }
    /// Issues a new ClientKey (RSA-2048, 5 years) that the Instance API accepts from now on.
    /// Blocking (RSA key generation). `password` None: random 32 hex digits.
    pub fn issue_client_key(
        &self,
        password: Option<&str>,
    ) -> Result<dedicated::IssuedClientKey, String> {
        let gw = self
            .shared
            .dedicated
            .as_ref()
            .ok_or("the dedicated gateway is disabled")?;
        gw.client_keys.issue(&dedicated::clientkey::IssueRequest {
            instance_id: gw.instance_id.clone(),
            password: password.map(str::to_owned),
            not_before: None,
            not_after: None,
        })
    }
    /// Accepts one more ClientKey by its public key.
    pub fn add_client_key(&self, key: &dedicated::ClientKeyPublic) -> Result<(), String> {
        self.shared
            .dedicated
            .as_ref()
            .ok_or("the dedicated gateway is disabled")?
            .client_keys
            .add_public(key)
    }
}
