//! `kmskit` is the core of the kmskit project: everything that knows Alibaba Cloud KMS lives
//! here — request signing (sans-I/O, byte-identical to the official SDKs), credentials,
//! endpoints and gateways, the HTTP transport, retries with backoff and a retry budget, the
//! operation table and typed data-plane calls. The CLI, the agent, the C ABI and the language
//! bindings are thin faces over this crate: they translate types and errors and own a runtime.
//!
//! ```no_run
//! # async fn demo() -> kmskit::Result<()> {
//! use kmskit::{Client, ClientConfig, Credentials, EncryptRequest};
//! let config = ClientConfig::builder()
//!     .region("cn-hangzhou")
//!     .credentials(Credentials::access_key("LTAI...", "secret")?)
//!     .build()?;
//! let client = Client::new(config)?;
//! let out = client.encrypt(EncryptRequest::new("alias/app", b"hello".to_vec())).await?;
//! println!("{}", out.ciphertext_blob);
//! # Ok(()) }
//! ```

pub mod api;
mod client;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod instance_api;
mod response;
pub mod retry;
pub mod secret;
pub mod signing;
mod transport;

pub use api::models::{
    DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse, EncryptionContext,
    GenerateDataKeyRequest, GenerateDataKeyResponse, GenerateDataKeyWithoutPlaintextResponse,
    GetSecretValueRequest, GetSecretValueResponse,
};
pub use client::Client;
pub use config::{ClientConfig, ClientConfigBuilder};
pub use credentials::{Credentials, CredentialsProvider, StaticProvider};
pub use endpoint::{Endpoint, Gateway};
pub use error::{Error, ErrorCode, ErrorKind, Result};
pub use instance_api::{ClientKey, InstanceClient, Route};
pub use retry::RetryPolicy;
pub use secret::{SecretBytes, SecretString};
pub use signing::SignatureVersion;
pub use transport::{LoopDriver, Sleep};

/// The client operations every face must expose (the parity tests of the faces compare their
/// own surface with this list). Names are the core's method names.
pub const OPERATIONS: &[&str] = &[
    "encrypt",
    "decrypt",
    "generate_data_key",
    "generate_data_key_without_plaintext",
    "get_secret_value",
    "call",
];

/// The version of this crate (and of every kmskit package).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
