//! `InstanceClient`: the dedicated gateway's Instance API (ClientKey authentication), from
//! `KmsClient.instance()`. One `suspend fun` / `async` method per core operation, named as the
//! core names them (camelCase), arguments as the core's request fields, optional ones defaulting
//! to `null` / `nil`.

use crate::error::KmsException;
use crate::instance_results::*;
use crate::runtime::run;
use kmskit::instance_api as ia;
use std::future::Future;

/// The Instance API of a client configured with a ClientKey. Shares the client's connections.
#[derive(uniffi::Object)]
pub struct InstanceClient {
    pub(crate) inner: kmskit::InstanceClient,
}

impl InstanceClient {
    /// Runs one core call on the face's runtime and converts its response.
    async fn exec<R, T, F, Fut>(&self, f: F) -> Result<T, KmsException>
    where
        F: FnOnce(kmskit::InstanceClient) -> Fut,
        Fut: Future<Output = kmskit::Result<R>> + Send + 'static,
        R: Into<T>,
        T: Send + 'static,
    {
        let fut = f(self.inner.clone());
        run(async move { Ok(fut.await?.into()) }).await
    }
}

fn encrypt_request(
    key_id: String,
    plaintext: Vec<u8>,
    algorithm: Option<String>,
    aad: Option<Vec<u8>>,
    iv: Option<Vec<u8>>,
    padding_mode: Option<String>,
) -> ia::EncryptRequest {
    let mut req = ia::EncryptRequest::new(key_id, plaintext);
    req.algorithm = algorithm;
    req.aad = aad;
    req.iv = iv;
    req.padding_mode = padding_mode;
    req
}

fn pair_request(
    key_id: String,
    key_pair_spec: String,
    algorithm: Option<String>,
    key_format: Option<String>,
    aad: Option<Vec<u8>>,
) -> ia::GenerateDataKeyPairRequest {
    let mut req = ia::GenerateDataKeyPairRequest::new(key_id, key_pair_spec);
    req.algorithm = algorithm;
    req.key_format = key_format;
    req.aad = aad;
    req
}

fn data_key_request(
    key_id: String,
    algorithm: Option<String>,
    number_of_bytes: Option<u32>,
    aad: Option<Vec<u8>>,
) -> ia::GenerateDataKeyRequest {
    let mut req = ia::GenerateDataKeyRequest::new(key_id);
    req.algorithm = algorithm;
    req.number_of_bytes = number_of_bytes;
    req.aad = aad;
    req
}

#[uniffi::export]
impl InstanceClient {
    /// The Instance API endpoint (`https://host[:port]`).
    pub fn endpoint(&self) -> String {
        self.inner.endpoint().base_url()
    }

    /// The id of the ClientKey that signs the requests.
    pub fn client_key_id(&self) -> String {
        self.inner.client_key_id().to_string()
    }

    /// Encrypt: symmetric (AES-GCM / SM4, `iv` and `aad` optional) or asymmetric (`algorithm`).
    #[uniffi::method(default(algorithm = None, aad = None, iv = None, padding_mode = None))]
    pub async fn encrypt(
        &self,
        key_id: String,
        plaintext: Vec<u8>,
        algorithm: Option<String>,
        aad: Option<Vec<u8>>,
        iv: Option<Vec<u8>>,
        padding_mode: Option<String>,
    ) -> Result<InstanceEncryptResult, KmsException> {
        let req = encrypt_request(key_id, plaintext, algorithm, aad, iv, padding_mode);
        self.exec(|c| async move { c.encrypt(req).await }).await
    }

    /// Decrypt: the key id, the blob and the `iv`/`aad`/`algorithm` used to encrypt.
    #[uniffi::method(default(algorithm = None, aad = None, iv = None, padding_mode = None))]
    pub async fn decrypt(
        &self,
        key_id: String,
        ciphertext_blob: Vec<u8>,
        algorithm: Option<String>,
        aad: Option<Vec<u8>>,
        iv: Option<Vec<u8>>,
        padding_mode: Option<String>,
    ) -> Result<InstanceDecryptResult, KmsException> {
        let mut req = ia::DecryptRequest::new(key_id, ciphertext_blob);
        req.algorithm = algorithm;
        req.aad = aad;
        req.iv = iv;
        req.padding_mode = padding_mode;
        self.exec(|c| async move { c.decrypt(req).await }).await
    }

    /// AdvanceEncrypt: a blob that carries its key version (decrypts after rotation).
    #[uniffi::method(default(algorithm = None, aad = None, iv = None, padding_mode = None))]
    pub async fn advance_encrypt(
        &self,
        key_id: String,
        plaintext: Vec<u8>,
        algorithm: Option<String>,
        aad: Option<Vec<u8>>,
        iv: Option<Vec<u8>>,
        padding_mode: Option<String>,
    ) -> Result<AdvanceEncryptResult, KmsException> {
        let req = encrypt_request(key_id, plaintext, algorithm, aad, iv, padding_mode);
        self.exec(|c| async move { c.advance_encrypt(req).await })
            .await
    }

    /// AdvanceDecrypt: the blob of `advanceEncrypt` (the key id is optional).
    #[uniffi::method(default(key_id = None, algorithm = None, aad = None, iv = None, padding_mode = None))]
    pub async fn advance_decrypt(
        &self,
        ciphertext_blob: Vec<u8>,
        key_id: Option<String>,
        algorithm: Option<String>,
        aad: Option<Vec<u8>>,
        iv: Option<Vec<u8>>,
        padding_mode: Option<String>,
    ) -> Result<InstanceDecryptResult, KmsException> {
        let mut req = ia::AdvanceDecryptRequest::new(ciphertext_blob);
        req.key_id = key_id;
        req.algorithm = algorithm;
        req.aad = aad;
        req.iv = iv;
        req.padding_mode = padding_mode;
        self.exec(|c| async move { c.advance_decrypt(req).await })
            .await
    }

    /// Sign a message (`messageType` "RAW", the default, or "DIGEST").
    #[uniffi::method(default(message_type = None))]
    pub async fn sign(
        &self,
        key_id: String,
        algorithm: String,
        message: Vec<u8>,
        message_type: Option<String>,
    ) -> Result<SignResult, KmsException> {
        let mut req = ia::SignRequest::new(key_id, algorithm, message);
        req.message_type = message_type;
        self.exec(|c| async move { c.sign(req).await }).await
    }

    /// Verify a signature; `value` of the result says whether it is valid.
    #[uniffi::method(default(message_type = None))]
    pub async fn verify(
        &self,
        key_id: String,
        algorithm: String,
        message: Vec<u8>,
        signature: Vec<u8>,
        message_type: Option<String>,
    ) -> Result<VerifyResult, KmsException> {
        let mut req = ia::VerifyRequest::new(key_id, algorithm, message, signature);
        req.message_type = message_type;
        self.exec(|c| async move { c.verify(req).await }).await
    }

    /// `length` random bytes from the instance.
    pub async fn generate_random(&self, length: u32) -> Result<RandomResult, KmsException> {
        let req = ia::GenerateRandomRequest::new(length);
        self.exec(|c| async move { c.generate_random(req).await })
            .await
    }

    /// A data key (`numberOfBytes` 1..=1024, default 32) in plaintext and encrypted.
    #[uniffi::method(default(algorithm = None, number_of_bytes = None, aad = None))]
    pub async fn generate_data_key(
        &self,
        key_id: String,
        algorithm: Option<String>,
        number_of_bytes: Option<u32>,
        aad: Option<Vec<u8>>,
    ) -> Result<InstanceDataKeyResult, KmsException> {
        let req = data_key_request(key_id, algorithm, number_of_bytes, aad);
        self.exec(|c| async move { c.generate_data_key(req).await })
            .await
    }

    /// Like `generateDataKey`, with a blob that carries its key version.
    #[uniffi::method(default(number_of_bytes = None, aad = None))]
    pub async fn advance_generate_data_key(
        &self,
        key_id: String,
        number_of_bytes: Option<u32>,
        aad: Option<Vec<u8>>,
    ) -> Result<InstanceDataKeyResult, KmsException> {
        let req = data_key_request(key_id, None, number_of_bytes, aad);
        self.exec(|c| async move { c.advance_generate_data_key(req).await })
            .await
    }

    /// A data key pair (`keyPairSpec` e.g. "RSA_2048", "EC_P256"; `keyFormat` "PEM" or "DER").
    #[uniffi::method(default(algorithm = None, key_format = None, aad = None))]
    pub async fn generate_data_key_pair(
        &self,
        key_id: String,
        key_pair_spec: String,
        algorithm: Option<String>,
        key_format: Option<String>,
        aad: Option<Vec<u8>>,
    ) -> Result<DataKeyPairResult, KmsException> {
        let req = pair_request(key_id, key_pair_spec, algorithm, key_format, aad);
        self.exec(|c| async move { c.generate_data_key_pair(req).await })
            .await
    }

    /// Like `generateDataKeyPair`, with a blob that carries its key version.
    #[uniffi::method(default(key_format = None, aad = None))]
    pub async fn advance_generate_data_key_pair(
        &self,
        key_id: String,
        key_pair_spec: String,
        key_format: Option<String>,
        aad: Option<Vec<u8>>,
    ) -> Result<DataKeyPairResult, KmsException> {
        let req = pair_request(key_id, key_pair_spec, None, key_format, aad);
        self.exec(|c| async move { c.advance_generate_data_key_pair(req).await })
            .await
    }

    /// A data key pair without the private key in plaintext.
    #[uniffi::method(default(algorithm = None, key_format = None, aad = None))]
    pub async fn generate_data_key_pair_without_plaintext(
        &self,
        key_id: String,
        key_pair_spec: String,
        algorithm: Option<String>,
        key_format: Option<String>,
        aad: Option<Vec<u8>>,
    ) -> Result<DataKeyPairWithoutPlaintextResult, KmsException> {
        let req = pair_request(key_id, key_pair_spec, algorithm, key_format, aad);
        self.exec(|c| async move { c.generate_data_key_pair_without_plaintext(req).await })
            .await
    }

    /// Like `generateDataKeyPairWithoutPlaintext`, with a blob that carries its key version.
    #[uniffi::method(default(key_format = None, aad = None))]
    pub async fn advance_generate_data_key_pair_without_plaintext(
        &self,
        key_id: String,
        key_pair_spec: String,
        key_format: Option<String>,
        aad: Option<Vec<u8>>,
    ) -> Result<DataKeyPairWithoutPlaintextResult, KmsException> {
        let req = pair_request(key_id, key_pair_spec, None, key_format, aad);
        self.exec(|c| async move {
            c.advance_generate_data_key_pair_without_plaintext(req)
                .await
        })
        .await
    }

    /// The public key of an asymmetric key, as PEM text.
    pub async fn get_public_key(&self, key_id: String) -> Result<PublicKeyResult, KmsException> {
        let req = ia::GetPublicKeyRequest::new(key_id);
        self.exec(|c| async move { c.get_public_key(req).await })
            .await
    }

    /// A secret's value through the dedicated gateway.
    #[uniffi::method(default(version_stage = None, version_id = None, fetch_extended_config = None))]
    pub async fn get_secret_value(
        &self,
        secret_name: String,
        version_stage: Option<String>,
        version_id: Option<String>,
        fetch_extended_config: Option<bool>,
    ) -> Result<InstanceSecretValue, KmsException> {
        let mut req = ia::GetSecretValueRequest::new(secret_name);
        req.version_stage = version_stage;
        req.version_id = version_id;
        req.fetch_extended_config = fetch_extended_config.unwrap_or(false);
        self.exec(|c| async move { c.get_secret_value(req).await })
            .await
    }
}
