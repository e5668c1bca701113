//! The KMS Instance API (`dkms-gcs-0.2`) of dedicated gateways: protobuf over HTTPS, each
//! request signed with a ClientKey (RSA PKCS#1 v1.5, SHA-256; see
//! [`crate::signing::instance`]). [`ClientKey`] loads the credential (the official JSON file with
//! its PKCS#12, or a PEM key); [`InstanceClient`] has one method per API; the routing of
//! [`crate::Client`]'s own operations to the dedicated gateway is in `transfer.rs`.

mod client;
mod clientkey;
mod datakey;
pub(crate) mod der;
mod models;
mod pkcs12;
pub(crate) mod proto;
mod response;
pub(crate) mod transfer;

pub use client::InstanceClient;
pub use clientkey::ClientKey;
pub use datakey::{
    AdvanceGenerateDataKey, AdvanceGenerateDataKeyPair, AdvanceGenerateDataKeyPairWithoutPlaintext,
    GenerateDataKeyPairRequest, GenerateDataKeyPairResponse, GenerateDataKeyPairWithoutPlaintext,
    GenerateDataKeyPairWithoutPlaintextResponse, GenerateDataKeyRequest, GenerateDataKeyResponse,
    GetSecretValueRequest, GetSecretValueResponse,
};
pub use models::{
    AdvanceDecryptRequest, AdvanceEncrypt, AdvanceEncryptResponse, DecryptRequest, DecryptResponse,
    EncryptRequest, EncryptResponse, GenerateRandomRequest, GenerateRandomResponse,
    GetPublicKeyRequest, GetPublicKeyResponse, SignRequest, SignResponse, VerifyRequest,
    VerifyResponse,
};
pub use transfer::{aad_from_context, Route};

use crate::error::Result;
use zeroize::Zeroizing;

/// The names of the Instance API operations, as `x-kms-apiname` spells them (faces compare
/// their surface with this list; the method names are their snake_case forms).
pub const INSTANCE_OPERATIONS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "AdvanceEncrypt",
    "AdvanceDecrypt",
    "Sign",
    "Verify",
    "GenerateRandom",
    "GenerateDataKey",
    "AdvanceGenerateDataKey",
    "GenerateDataKeyPair",
    "AdvanceGenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "AdvanceGenerateDataKeyPairWithoutPlaintext",
    "GetPublicKey",
    "GetSecretValue",
];

/// One Instance API operation: its `x-kms-apiname`, how its request becomes a protobuf body and
/// how the response body becomes a typed response.
pub trait InstanceOperation {
    const API_NAME: &'static str;
    type Response;
    /// The protobuf request body (wiped on drop: it may carry a plaintext).
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>>;
    fn decode(body: &[u8]) -> Result<Self::Response>;
}
