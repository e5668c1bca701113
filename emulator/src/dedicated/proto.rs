//! The Instance API's protobuf messages (proto3, package `protobuf`, file `api.proto` of the
//! official dkms-gcs SDKs), written out by hand with prost derives so no protoc is needed. Field
//! numbers follow shared/reference/kms-instance-api.md §4; the emulator decodes requests and encodes
//! responses, so only those directions matter, but each message is symmetric anyway.

use prost::Message;

#[derive(Clone, PartialEq, Message)]
pub struct Error {
    #[prost(int32, tag = "1")]
    pub status_code: i32,
    #[prost(string, tag = "2")]
    pub error_code: String,
    #[prost(string, tag = "3")]
    pub error_message: String,
    #[prost(string, tag = "4")]
    pub request_id: String,
}

/// EncryptRequest and AdvanceEncryptRequest share this numbering.
#[derive(Clone, PartialEq, Message)]
pub struct EncryptRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub plaintext: Vec<u8>,
    #[prost(string, tag = "3")]
    pub algorithm: String,
    #[prost(bytes = "vec", tag = "4")]
    pub aad: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    pub iv: Vec<u8>,
    #[prost(string, tag = "6")]
    pub padding_mode: String,
}

/// EncryptResponse; AdvanceEncryptResponse adds field 7.
#[derive(Clone, PartialEq, Message)]
pub struct EncryptResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub ciphertext_blob: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub iv: Vec<u8>,
    #[prost(string, tag = "4")]
    pub request_id: String,
    #[prost(string, tag = "5")]
    pub algorithm: String,
    #[prost(string, tag = "6")]
    pub padding_mode: String,
    #[prost(string, tag = "7")]
    pub key_version_id: String,
}

/// DecryptRequest and AdvanceDecryptRequest share this numbering.
#[derive(Clone, PartialEq, Message)]
pub struct DecryptRequest {
    #[prost(bytes = "vec", tag = "1")]
    pub ciphertext_blob: Vec<u8>,
    #[prost(string, tag = "2")]
    pub key_id: String,
    #[prost(string, tag = "3")]
    pub algorithm: String,
    #[prost(bytes = "vec", tag = "4")]
    pub aad: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    pub iv: Vec<u8>,
    #[prost(string, tag = "6")]
    pub padding_mode: String,
}

/// DecryptResponse; AdvanceDecryptResponse adds field 6.
#[derive(Clone, PartialEq, Message)]
pub struct DecryptResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub plaintext: Vec<u8>,
    #[prost(string, tag = "3")]
    pub request_id: String,
    #[prost(string, tag = "4")]
    pub algorithm: String,
    #[prost(string, tag = "5")]
    pub padding_mode: String,
    #[prost(string, tag = "6")]
    pub key_version_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct SignRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub digest: Vec<u8>,
    #[prost(string, tag = "3")]
    pub algorithm: String,
    #[prost(bytes = "vec", tag = "4")]
    pub message: Vec<u8>,
    #[prost(string, tag = "5")]
    pub message_type: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct SignResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub signature: Vec<u8>,
    #[prost(string, tag = "3")]
    pub request_id: String,
    #[prost(string, tag = "4")]
    pub algorithm: String,
    #[prost(string, tag = "5")]
    pub message_type: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct VerifyRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub digest: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub signature: Vec<u8>,
    #[prost(string, tag = "4")]
    pub algorithm: String,
    #[prost(bytes = "vec", tag = "5")]
    pub message: Vec<u8>,
    #[prost(string, tag = "6")]
    pub message_type: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct VerifyResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bool, tag = "2")]
    pub value: bool,
    #[prost(string, tag = "3")]
    pub request_id: String,
    #[prost(string, tag = "4")]
    pub algorithm: String,
    #[prost(string, tag = "5")]
    pub message_type: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct GenerateRandomRequest {
    #[prost(int32, tag = "1")]
    pub length: i32,
}

#[derive(Clone, PartialEq, Message)]
pub struct GenerateRandomResponse {
    #[prost(bytes = "vec", tag = "1")]
    pub random: Vec<u8>,
    #[prost(string, tag = "2")]
    pub request_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct GenerateDataKeyRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(string, tag = "2")]
    pub algorithm: String,
    #[prost(int32, tag = "3")]
    pub number_of_bytes: i32,
    #[prost(bytes = "vec", tag = "4")]
    pub aad: Vec<u8>,
}

/// GenerateDataKeyResponse; AdvanceGenerateDataKeyResponse adds field 7.
#[derive(Clone, PartialEq, Message)]
pub struct GenerateDataKeyResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub iv: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub plaintext: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub ciphertext_blob: Vec<u8>,
    #[prost(string, tag = "5")]
    pub request_id: String,
    #[prost(string, tag = "6")]
    pub algorithm: String,
    #[prost(string, tag = "7")]
    pub key_version_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct AdvanceGenerateDataKeyRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(int32, tag = "2")]
    pub number_of_bytes: i32,
    #[prost(bytes = "vec", tag = "3")]
    pub aad: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct GetPublicKeyRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct GetPublicKeyResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(string, tag = "2")]
    pub public_key: String,
    #[prost(string, tag = "3")]
    pub request_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct GetSecretValueRequest {
    #[prost(string, tag = "1")]
    pub secret_name: String,
    #[prost(string, tag = "2")]
    pub version_stage: String,
    #[prost(string, tag = "3")]
    pub version_id: String,
    #[prost(bool, tag = "4")]
    pub fetch_extended_config: bool,
}

#[derive(Clone, PartialEq, Message)]
pub struct GetSecretValueResponse {
    #[prost(string, tag = "1")]
    pub secret_name: String,
    #[prost(string, tag = "2")]
    pub secret_type: String,
    #[prost(string, tag = "3")]
    pub secret_data: String,
    #[prost(string, tag = "4")]
    pub secret_data_type: String,
    #[prost(string, repeated, tag = "5")]
    pub version_stages: Vec<String>,
    #[prost(string, tag = "6")]
    pub version_id: String,
    #[prost(string, tag = "7")]
    pub create_time: String,
    #[prost(string, tag = "8")]
    pub request_id: String,
    #[prost(string, tag = "9")]
    pub last_rotation_date: String,
    #[prost(string, tag = "10")]
    pub next_rotation_date: String,
    #[prost(string, tag = "11")]
    pub extended_config: String,
    #[prost(string, tag = "12")]
    pub automatic_rotation: String,
    #[prost(string, tag = "13")]
    pub rotation_interval: String,
}

/// GenerateDataKeyPair[WithoutPlaintext]Request.
#[derive(Clone, PartialEq, Message)]
pub struct GenerateDataKeyPairRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(string, tag = "2")]
    pub algorithm: String,
    #[prost(string, tag = "3")]
    pub key_pair_spec: String,
    #[prost(string, tag = "4")]
    pub key_format: String,
    #[prost(bytes = "vec", tag = "5")]
    pub aad: Vec<u8>,
}

/// AdvanceGenerateDataKeyPair[WithoutPlaintext]Request.
#[derive(Clone, PartialEq, Message)]
pub struct AdvanceGenerateDataKeyPairRequest {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(string, tag = "2")]
    pub key_pair_spec: String,
    #[prost(string, tag = "3")]
    pub key_format: String,
    #[prost(bytes = "vec", tag = "4")]
    pub aad: Vec<u8>,
}

/// GenerateDataKeyPairResponse; the Advance variant adds field 9.
#[derive(Clone, PartialEq, Message)]
pub struct GenerateDataKeyPairResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub iv: Vec<u8>,
    #[prost(string, tag = "3")]
    pub key_pair_spec: String,
    #[prost(bytes = "vec", tag = "4")]
    pub private_key_plaintext: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    pub private_key_ciphertext_blob: Vec<u8>,
    #[prost(bytes = "vec", tag = "6")]
    pub public_key: Vec<u8>,
    #[prost(string, tag = "7")]
    pub request_id: String,
    #[prost(string, tag = "8")]
    pub algorithm: String,
    #[prost(string, tag = "9")]
    pub key_version_id: String,
}

/// GenerateDataKeyPairWithoutPlaintextResponse; the Advance variant adds field 8.
#[derive(Clone, PartialEq, Message)]
pub struct GenerateDataKeyPairWithoutPlaintextResponse {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub iv: Vec<u8>,
    #[prost(string, tag = "3")]
    pub key_pair_spec: String,
    #[prost(bytes = "vec", tag = "4")]
    pub private_key_ciphertext_blob: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    pub public_key: Vec<u8>,
    #[prost(string, tag = "6")]
    pub request_id: String,
    #[prost(string, tag = "7")]
    pub algorithm: String,
    #[prost(string, tag = "8")]
    pub key_version_id: String,
}
