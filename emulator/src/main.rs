//! `kmskit-emulator`: start a local KMS, print one JSON ready line on stdout, log to stderr, stop
//! cleanly on SIGTERM or Ctrl-C.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use kmskit_emulator::{Credential, Emulator, EmulatorConfig, Storage};

#[derive(Debug, Parser)]
#[command(
    name = "kmskit-emulator",
    version,
    about = "A local Alibaba Cloud KMS for development and tests"
)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Keep keys and secrets in this directory (SQLite + master key), surviving restarts.
    #[arg(long, conflicts_with = "in_memory")]
    data_dir: Option<PathBuf>,
    /// Keep everything in memory (the default).
    #[arg(long)]
    in_memory: bool,
    /// Accepted AccessKey as ID:SECRET; repeatable. Default: the documented development pair.
    #[arg(long = "access-key", value_name = "ID:SECRET")]
    access_keys: Vec<String>,
    /// Region reported in the ready line, ARNs and HostId.
    #[arg(long, default_value = kmskit_emulator::config::DEFAULT_REGION)]
    region: String,
    /// Fixed admin token (default: random per start).
    #[arg(long)]
    admin_token: Option<String>,
    /// Address of the dedicated gateway's HTTPS listener (Instance API + OpenAPI over TLS).
    #[arg(long, default_value = "127.0.0.1:0")]
    dedicated_addr: SocketAddr,
    /// Do not start the dedicated gateway.
    #[arg(long)]
    no_dedicated: bool,
    /// KMS instance id of the dedicated gateway (its host is <id>.cryptoservice.kms.aliyuncs.com).
    #[arg(long, default_value = kmskit_emulator::dedicated::DEFAULT_INSTANCE_ID)]
    instance_id: String,
    /// Directory for the instance CA file (default: the data dir, or a temporary dir).
    #[arg(long)]
    ca_dir: Option<PathBuf>,
    /// Issue a ClientKey at start: writes clientKey_<KeyId>.json and clientKey_<KeyId>_Password.txt here.
    #[arg(long, value_name = "DIR")]
    client_key_out: Option<PathBuf>,
    /// Password of the ClientKey issued with --client-key-out (default: random).
    #[arg(long, requires = "client_key_out")]
    client_key_password: Option<String>,
    /// Also accept this ClientKey: KEY_ID=PUBLIC_KEY_PEM_FILE; repeatable.
    #[arg(long = "client-key", value_name = "KEY_ID=PEM_FILE")]
    client_keys: Vec<String>,
    /// Address of the STS listener (AssumeRole, AssumeRoleWithOIDC, GetCallerIdentity).
    #[arg(long, default_value = "127.0.0.1:0")]
    sts_addr: SocketAddr,
    /// Largest DurationSeconds STS accepts (the smallest is 900).
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    sts_max_duration: u64,
    /// Issue every temporary credential (STS and metadata) with this lifetime, whatever was asked.
    #[arg(long, value_name = "SECS")]
    sts_credential_lifetime: Option<u64>,
    /// JWKS file trusted by AssumeRoleWithOIDC (RS256 keys); without it OIDC calls are refused.
    #[arg(long, value_name = "FILE")]
    oidc_jwks: Option<PathBuf>,
    /// Required `iss` of OIDC tokens (default: any).
    #[arg(long, requires = "oidc_jwks")]
    oidc_issuer: Option<String>,
    /// Accepted `aud` of OIDC tokens; repeatable (default: any).
    #[arg(long = "oidc-audience", requires = "oidc_jwks")]
    oidc_audiences: Vec<String>,
    /// The OIDCProviderArn these keys belong to (default: any well-formed provider ARN).
    #[arg(long, requires = "oidc_jwks")]
    oidc_provider_arn: Option<String>,
    /// Address of the ECS instance metadata listener.
    #[arg(long, default_value = "127.0.0.1:0")]
    metadata_addr: SocketAddr,
    /// The instance's RAM role name served by the metadata listener.
    #[arg(long, default_value = kmskit_emulator::imds::DEFAULT_ROLE_NAME)]
    metadata_role: String,
    /// Require IMDSv2 session tokens (refuse token-less metadata requests).
    #[arg(long)]
    imds_v1_disabled: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only help a human at a terminal; log files and CI captures stay plain.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let mut credentials = Vec::new();
    for spec in &args.access_keys {
        match Credential::parse(spec) {
            Some(c) => credentials.push(c),
            None => {
                eprintln!("kmskit-emulator: --access-key expects ID:SECRET");
                return ExitCode::from(2);
            }
        }
    }
    let mut extra_keys = Vec::new();
    for spec in &args.client_keys {
        let parsed = spec.split_once('=').and_then(|(id, path)| {
            let pem = std::fs::read_to_string(path).ok()?;
            Some(kmskit_emulator::dedicated::ClientKeyPublic {
                key_id: id.to_owned(),
                public_key_pem: pem,
            })
        });
        match parsed {
            Some(k) => extra_keys.push(k),
            None => {
                eprintln!("kmskit-emulator: --client-key expects KEY_ID=PUBLIC_KEY_PEM_FILE (a readable file)");
                return ExitCode::from(2);
            }
        }
    }
    let dedicated = kmskit_emulator::dedicated::DedicatedConfig {
        enabled: !args.no_dedicated,
        addr: args.dedicated_addr,
        instance_id: args.instance_id,
        ca_dir: args.ca_dir,
        client_keys: extra_keys,
        client_key_out: args.client_key_out,
        client_key_password: args.client_key_password,
    };
    let mut sts = kmskit_emulator::sts::StsConfig {
        addr: args.sts_addr,
        max_duration_seconds: args.sts_max_duration,
        credential_lifetime: args
            .sts_credential_lifetime
            .map(std::time::Duration::from_secs),
        ..Default::default()
    };
    if let Some(path) = &args.oidc_jwks {
        let jwks = match std::fs::read_to_string(path) {
            Ok(j) => j,
            Err(e) => {
                eprintln!(
                    "kmskit-emulator: cannot read --oidc-jwks {}: {e}",
                    path.display()
                );
                return ExitCode::from(2);
            }
        };
        sts.oidc.push(kmskit_emulator::sts::OidcProviderConfig {
            provider_arn: args.oidc_provider_arn,
            issuer: args.oidc_issuer,
            audiences: args.oidc_audiences,
            jwks,
        });
    }
    let metadata = kmskit_emulator::imds::MetadataConfig {
        addr: args.metadata_addr,
        role_name: args.metadata_role,
        allow_v1: !args.imds_v1_disabled,
    };
    let config = EmulatorConfig {
        sts,
        metadata,
        dedicated,
        addr: args.addr,
        storage: args
            .data_dir
            .map(Storage::DataDir)
            .unwrap_or(Storage::InMemory),
        credentials,
        region: args.region,
        admin_token: args.admin_token,
        ..EmulatorConfig::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kmskit-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: EmulatorConfig) -> ExitCode {
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "kmskit-emulator failed to start");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{}", emulator.ready_line())
            .and_then(|_| out.flush())
            .is_err()
        {
            tracing::warn!("could not write the ready line");
        }
    }
    wait_for_signal().await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
