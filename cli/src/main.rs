//! `kmskit`, the core from a shell: each command makes one KMS call and prints the response as
//! JSON on stdout (wire field names, as KMS returns them). Errors go to stderr with kmskit's
//! code, the service code and the request id, and the exit status is non-zero. Credentials come
//! from the default chain (environment, OIDC, ~/.aliyun/config.json, ~/.alibabacloud/credentials.ini,
//! ECS metadata, credentials URI), or a named CLI profile (`--profile`), optionally with a RAM role
//! assumed on top (`--role-arn`). A ClientKey (`--client-key-file`) sends the data-plane commands
//! to the dedicated gateway's Instance API.

use base64::Engine as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use kmskit::CredentialsProvider;
use kmskit::{
    Client, ClientConfig, DecryptRequest, EncryptRequest, EncryptionContext, Gateway,
    GenerateDataKeyRequest, GetSecretValueRequest, RetryPolicy, SignatureVersion,
};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "kmskit",
    version,
    about = "Alibaba Cloud KMS from the command line (kmskit)"
)]
struct Cli {
    /// Endpoint URL (https://host[:port], or http:// for a local emulator); overrides --gateway.
    #[arg(long, global = true, env = "KMSKIT_ENDPOINT")]
    endpoint: Option<String>,
    /// Region, e.g. cn-hangzhou.
    #[arg(long, global = true, env = "ALIBABA_CLOUD_REGION_ID")]
    region: Option<String>,
    /// Which gateway to use when no endpoint is given.
    #[arg(long, global = true, value_enum, default_value_t = GatewayArg::Shared)]
    gateway: GatewayArg,
    /// KMS instance id, for --gateway dedicated.
    #[arg(long, global = true)]
    instance_id: Option<String>,
    /// A CA certificate (PEM) to trust in addition to the public roots.
    #[arg(long, global = true)]
    ca_file: Option<PathBuf>,
    #[arg(long, global = true, value_name = "MS")]
    connect_timeout_ms: Option<u64>,
    #[arg(long, global = true, value_name = "MS")]
    read_timeout_ms: Option<u64>,
    /// Attempts in all, the first included (1 = no retries).
    #[arg(long, global = true)]
    max_attempts: Option<u32>,
    #[arg(long, global = true, value_enum, default_value_t = SigArg::Acs3)]
    signature: SigArg,
    /// Use this profile of ~/.aliyun/config.json instead of the default chain.
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Assume this RAM role (STS AssumeRole) with the credentials found otherwise.
    #[arg(long, global = true, value_name = "ARN")]
    role_arn: Option<String>,
    #[arg(long, global = true, requires = "role_arn")]
    role_session_name: Option<String>,
    /// STS endpoint (host[:port] or a URL; http:// for a local emulator).
    #[arg(long, global = true, env = "KMSKIT_STS_ENDPOINT")]
    sts_endpoint: Option<String>,
    /// ECS metadata service (default http://100.100.100.200).
    #[arg(long, global = true, env = "KMSKIT_METADATA_ENDPOINT")]
    metadata_endpoint: Option<String>,
    /// A ClientKey file (clientKey_<KeyId>.json): data-plane commands use the Instance API.
    #[arg(long, global = true)]
    client_key_file: Option<PathBuf>,
    /// The ClientKey's password file (the whole file, or {"ClientKeyPassword": ...}).
    #[arg(long, global = true, requires = "client_key_file")]
    client_key_password_file: Option<PathBuf>,
    /// The environment variable holding the ClientKey's password.
    #[arg(long, global = true, requires = "client_key_file")]
    client_key_password_env: Option<String>,
    /// The dedicated gateway for the Instance API (https://host[:port]); default: from
    /// --instance-id or --endpoint.
    #[arg(long, global = true)]
    instance_endpoint: Option<String>,
    /// Where data-plane commands go when a ClientKey is given.
    #[arg(long, global = true, value_enum, default_value_t = RouteArg::Auto)]
    route: RouteArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum GatewayArg {
    Shared,
    Vpc,
    Dedicated,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RouteArg {
    /// The Instance API when a ClientKey is given, else the configured endpoint.
    Auto,
    /// The configured endpoint with RAM credentials.
    Shared,
    /// The Instance API (needs a ClientKey).
    Dedicated,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SigArg {
    /// ACS3-HMAC-SHA256 (default).
    Acs3,
    /// RPC V1 HMAC-SHA1.
    Rpc,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Encrypt a plaintext under a key (Encrypt).
    Encrypt(EncryptArgs),
    /// Decrypt a ciphertext blob (Decrypt); Plaintext is printed base64-encoded, as KMS returns it.
    Decrypt(DecryptArgs),
    /// Generate a data key (GenerateDataKey).
    GenerateDataKey(DataKeyArgs),
    /// Read a secret value (GetSecretValue).
    GetSecret(GetSecretArgs),
    /// Call any KMS 2016-01-20 action.
    Call(CallArgs),
}

#[derive(Args, Debug)]
struct EncryptArgs {
    #[arg(long)]
    key_id: String,
    #[arg(
        long,
        conflicts_with = "plaintext_file",
        required_unless_present = "plaintext_file"
    )]
    plaintext: Option<String>,
    #[arg(long)]
    plaintext_file: Option<PathBuf>,
    /// A JSON object, e.g. '{"purpose":"test"}'.
    #[arg(long)]
    encryption_context: Option<String>,
}

#[derive(Args, Debug)]
struct DecryptArgs {
    #[arg(long)]
    ciphertext_blob: String,
    #[arg(long)]
    encryption_context: Option<String>,
}

#[derive(Args, Debug)]
struct DataKeyArgs {
    #[arg(long)]
    key_id: String,
    #[arg(long)]
    number_of_bytes: Option<u32>,
    /// AES_256 or AES_128.
    #[arg(long)]
    key_spec: Option<String>,
    #[arg(long)]
    encryption_context: Option<String>,
}

#[derive(Args, Debug)]
struct GetSecretArgs {
    #[arg(long)]
    secret_name: String,
    #[arg(long)]
    version_stage: Option<String>,
    #[arg(long)]
    version_id: Option<String>,
    #[arg(long)]
    fetch_extended_config: bool,
}

#[derive(Args, Debug)]
struct CallArgs {
    /// The action, e.g. CreateKey.
    action: String,
    /// A parameter as KEY=VALUE (the value is sent as a string); repeatable.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// Parameters as one JSON object (booleans, numbers, objects keep their types).
    #[arg(long)]
    params_json: Option<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("KMSKIT_LOG"))
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            let code = json!({
                "Code": e.code().as_u32(),
                "Name": e.code().name(),
                "Kind": e.kind().as_str(),
                "ServiceCode": e.service_code(),
                "RequestId": e.request_id(),
                "HttpStatus": e.http_status(),
                "Retryable": e.is_retryable(),
            });
            eprintln!("{code}");
            ExitCode::from(1)
        }
    }
}

fn build_client(cli: &Cli) -> kmskit::Result<Client> {
    let mut b = ClientConfig::builder();
    if let Some(r) = &cli.region {
        b = b.region(r);
    }
    b = b.gateway(match cli.gateway {
        GatewayArg::Shared => Gateway::Shared,
        GatewayArg::Vpc => Gateway::SharedVpc,
        GatewayArg::Dedicated => Gateway::Dedicated {
            instance_id: cli.instance_id.clone().ok_or_else(|| {
                kmskit::Error::configuration("--gateway dedicated needs --instance-id")
            })?,
        },
    });
    if let Some(e) = &cli.endpoint {
        b = b.endpoint(e);
    }
    if let Some(f) = &cli.ca_file {
        b = b.ca_file(f);
    }
    if let Some(ms) = cli.connect_timeout_ms {
        b = b.connect_timeout(Duration::from_millis(ms));
    }
    if let Some(ms) = cli.read_timeout_ms {
        b = b.read_timeout(Duration::from_millis(ms));
    }
    if let Some(n) = cli.max_attempts {
        b = b.retry_policy(RetryPolicy {
            max_attempts: n,
            ..RetryPolicy::default()
        });
    }
    b = b.signature_version(match cli.signature {
        SigArg::Acs3 => SignatureVersion::Acs3HmacSha256,
        SigArg::Rpc => SignatureVersion::RpcHmacSha1,
    });
    b = b.credentials_provider(credentials(cli)?);
    if let Some(path) = &cli.client_key_file {
        let password = match (&cli.client_key_password_file, &cli.client_key_password_env) {
            (Some(f), _) => kmskit::ClientKey::password_from_file(f)?,
            (None, Some(name)) => kmskit::ClientKey::password_from_env(name)?,
            (None, None) => return Err(kmskit::Error::configuration(
                "--client-key-file needs --client-key-password-file or --client-key-password-env",
            )),
        };
        b = b.client_key(kmskit::ClientKey::from_file(path, &password)?);
    }
    if let Some(e) = &cli.instance_endpoint {
        b = b.instance_endpoint(e);
    }
    b = b.route(match cli.route {
        RouteArg::Auto => kmskit::Route::Auto,
        RouteArg::Shared => kmskit::Route::Shared,
        RouteArg::Dedicated => kmskit::Route::Dedicated,
    });
    Client::new(b.build()?)
}

/// The default chain, or the named CLI profile, optionally under an assumed role.
fn credentials(cli: &Cli) -> kmskit::Result<Arc<dyn CredentialsProvider>> {
    use kmskit::credentials as c;
    let base: Arc<dyn CredentialsProvider> = match &cli.profile {
        Some(name) => Arc::new(c::CliProfileProvider::new(c::CliProfileOptions {
            profile_name: Some(name.clone()),
            sts_endpoint: cli.sts_endpoint.clone(),
            metadata_endpoint: cli.metadata_endpoint.clone(),
            ..Default::default()
        })),
        None => Arc::new(c::DefaultChain::with_env(
            c::DefaultChainOptions {
                sts_endpoint: cli.sts_endpoint.clone(),
                metadata_endpoint: cli.metadata_endpoint.clone(),
            },
            &c::Env::system(),
        )),
    };
    Ok(match &cli.role_arn {
        Some(arn) => Arc::new(c::RamRoleArnProvider::new(
            base,
            c::RamRoleArnOptions {
                role_arn: Some(arn.clone()),
                role_session_name: cli.role_session_name.clone(),
                sts_endpoint: cli.sts_endpoint.clone(),
                ..Default::default()
            },
        )?),
        None => base,
    })
}

fn context(arg: &Option<String>) -> kmskit::Result<Option<EncryptionContext>> {
    arg.as_deref()
        .map(EncryptionContext::from_json_str)
        .transpose()
}

async fn run(cli: Cli) -> kmskit::Result<Value> {
    let client = build_client(&cli)?;
    match cli.command {
        Command::Encrypt(a) => {
            let plaintext = match (&a.plaintext, &a.plaintext_file) {
                (Some(t), _) => t.as_bytes().to_vec(),
                (None, Some(f)) => std::fs::read(f).map_err(|e| {
                    kmskit::Error::invalid_argument(format!("cannot read {}: {e}", f.display()))
                })?,
                (None, None) => {
                    return Err(kmskit::Error::invalid_argument(
                        "give --plaintext or --plaintext-file",
                    ))
                }
            };
            let mut req = EncryptRequest::new(a.key_id, plaintext);
            if let Some(c) = context(&a.encryption_context)? {
                req = req.encryption_context(c);
            }
            let r = client.encrypt(req).await?;
            Ok(
                json!({"CiphertextBlob": r.ciphertext_blob, "KeyId": r.key_id, "KeyVersionId": r.key_version_id, "RequestId": r.request_id}),
            )
        }
        Command::Decrypt(a) => {
            let mut req = DecryptRequest::new(a.ciphertext_blob);
            if let Some(c) = context(&a.encryption_context)? {
                req = req.encryption_context(c);
            }
            let r = client.decrypt(req).await?;
            Ok(json!({
                "KeyId": r.key_id,
                "KeyVersionId": r.key_version_id,
                "Plaintext": r.plaintext_wire.expose(),
                "RequestId": r.request_id,
            }))
        }
        Command::GenerateDataKey(a) => {
            let mut req = GenerateDataKeyRequest::new(a.key_id);
            if let Some(n) = a.number_of_bytes {
                req = req.number_of_bytes(n);
            }
            if let Some(s) = a.key_spec {
                req = req.key_spec(s);
            }
            if let Some(c) = context(&a.encryption_context)? {
                req = req.encryption_context(c);
            }
            let r = client.generate_data_key(req).await?;
            Ok(json!({
                "CiphertextBlob": r.ciphertext_blob,
                "KeyId": r.key_id,
                "KeyVersionId": r.key_version_id,
                "Plaintext": base64::engine::general_purpose::STANDARD.encode(r.plaintext.expose()),
                "RequestId": r.request_id,
            }))
        }
        Command::GetSecret(a) => {
            let mut req = GetSecretValueRequest::new(a.secret_name);
            if let Some(s) = a.version_stage {
                req = req.version_stage(s);
            }
            if let Some(v) = a.version_id {
                req = req.version_id(v);
            }
            if a.fetch_extended_config {
                req = req.fetch_extended_config(true);
            }
            let r = client.get_secret_value(req).await?;
            let mut out = json!({
                "SecretName": r.secret_name,
                "SecretType": r.secret_type,
                "SecretData": r.secret_data.expose(),
                "SecretDataType": r.secret_data_type,
                "VersionId": r.version_id,
                "VersionStages": {"VersionStage": r.version_stages},
                "CreateTime": r.create_time,
                "RequestId": r.request_id,
            });
            if let (Some(ext), Some(o)) = (r.extended_config, out.as_object_mut()) {
                o.insert("ExtendedConfig".into(), Value::String(ext));
            }
            Ok(out)
        }
        Command::Call(a) => {
            let mut params = match &a.params_json {
                Some(j) => match serde_json::from_str::<Value>(j) {
                    Ok(Value::Object(m)) => m,
                    _ => {
                        return Err(kmskit::Error::invalid_argument(
                            "--params-json must be a JSON object",
                        ))
                    }
                },
                None => Map::new(),
            };
            for p in &a.params {
                let (k, v) = p.split_once('=').ok_or_else(|| {
                    kmskit::Error::invalid_argument(format!("--param {p:?}: expected KEY=VALUE"))
                })?;
                params.insert(k.to_owned(), Value::String(v.to_owned()));
            }
            Ok(Value::Object(client.call(&a.action, params).await?))
        }
    }
}
