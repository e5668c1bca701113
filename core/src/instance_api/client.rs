//! The Instance API client: protobuf body -> loop (fresh RFC 1123 date, RSA signature with the
//! ClientKey, `POST https://<endpoint>/` through kmskit's own transport with the instance CA,
//! classify, back off) -> typed response. Every attempt is signed anew.
//!
//! Retries: throttling (`Rejected.Throttling`), `ServiceUnavailableTemporary`, `InternalFailure`
//! and other 5xx answers, connect failures and timeouts — the union of what the official Go and
//! Python SDKs retry. Every Instance API operation is treated as idempotent: encrypt, decrypt,
//! sign, verify, data key generation and random generation are stateless on the server (a
//! repeated Encrypt yields another valid ciphertext, nothing is stored), and GetSecretValue and
//! GetPublicKey are reads. So a request that may have been processed (read timeout, lost
//! connection) is retried too.

use super::datakey::*;
use super::models::*;
use super::{ClientKey, InstanceOperation};
use crate::config::{ClientConfig, Hooks};
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::retry::{is_retryable, RetryBudget, RetryPolicy};
use crate::signing::instance::{self as signer, InstanceRequestToSign};
use crate::transport::{Stale, Transport};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tracing::Instrument as _;
use zeroize::Zeroizing;

/// A client of one dedicated gateway's Instance API. Cheap to clone; clones share the
/// connection pool and the retry budget. Get one from [`crate::Client::instance`].
#[derive(Clone)]
pub struct InstanceClient {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    transport: Transport,
    key: ClientKey,
    user_agent: String,
    retry: RetryPolicy,
    budget: RetryBudget,
    hooks: Hooks,
}

impl fmt::Debug for InstanceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceClient")
            .field("endpoint", &self.inner.endpoint)
            .field("client_key", &self.inner.key)
            .finish()
    }
}

impl InstanceClient {
    /// Timeouts, retry policy, CA, user-agent and hooks come from `config`; the endpoint and
    /// key from its dedicated gateway settings.
    pub(crate) fn new(
        config: &ClientConfig,
        endpoint: &Endpoint,
        key: &ClientKey,
    ) -> Result<InstanceClient> {
        let mut transport_config = config.clone();
        transport_config.endpoint = endpoint.clone();
        let transport = Transport::new(&transport_config)?;
        Ok(InstanceClient {
            inner: Arc::new(Inner {
                endpoint: endpoint.clone(),
                transport,
                key: key.clone(),
                user_agent: config.user_agent.clone(),
                retry: config.retry.clone(),
                budget: RetryBudget::new(config.retry.budget.clone()),
                hooks: config.hooks.clone(),
            }),
        })
    }

    /// The dedicated gateway this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The ClientKey id sent with every request.
    pub fn client_key_id(&self) -> &str {
        self.inner.key.key_id()
    }

    /// Any Instance API operation by its typed request.
    pub async fn call<O: InstanceOperation>(&self, op: &O) -> Result<O::Response> {
        let body = op.encode()?;
        let answer = self.execute(O::API_NAME, &body).await?;
        O::decode(&answer)
    }

    pub async fn encrypt(&self, req: EncryptRequest) -> Result<EncryptResponse> {
        self.call(&req).await
    }
    pub async fn decrypt(&self, req: DecryptRequest) -> Result<DecryptResponse> {
        self.call(&req).await
    }
    pub async fn advance_encrypt(&self, req: EncryptRequest) -> Result<AdvanceEncryptResponse> {
        self.call(&AdvanceEncrypt(&req)).await
    }
    pub async fn advance_decrypt(&self, req: AdvanceDecryptRequest) -> Result<DecryptResponse> {
        self.call(&req).await
    }
    pub async fn sign(&self, req: SignRequest) -> Result<SignResponse> {
        self.call(&req).await
    }
    pub async fn verify(&self, req: VerifyRequest) -> Result<VerifyResponse> {
        self.call(&req).await
    }
    pub async fn generate_random(
        &self,
        req: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        self.call(&req).await
    }
    pub async fn generate_data_key(
        &self,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        self.call(&req).await
    }
    pub async fn advance_generate_data_key(
        &self,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        self.call(&AdvanceGenerateDataKey(&req)).await
    }
    pub async fn generate_data_key_pair(
        &self,
        req: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse> {
        self.call(&req).await
    }
    pub async fn advance_generate_data_key_pair(
        &self,
        req: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse> {
        self.call(&AdvanceGenerateDataKeyPair(&req)).await
    }
    pub async fn generate_data_key_pair_without_plaintext(
        &self,
        req: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        self.call(&GenerateDataKeyPairWithoutPlaintext(&req)).await
    }
    pub async fn advance_generate_data_key_pair_without_plaintext(
        &self,
        req: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        self.call(&AdvanceGenerateDataKeyPairWithoutPlaintext(&req))
            .await
    }
    pub async fn get_public_key(&self, req: GetPublicKeyRequest) -> Result<GetPublicKeyResponse> {
        self.call(&req).await
    }
    pub async fn get_secret_value(
        &self,
        req: GetSecretValueRequest,
    ) -> Result<GetSecretValueResponse> {
        self.call(&req).await
    }

    async fn execute(&self, api: &'static str, body: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let inner = &*self.inner;
        let span = tracing::debug_span!("kms.instance_call", api, attempt = tracing::field::Empty);
        async {
            let mut attempt: u32 = 1;
            loop {
                tracing::Span::current().record("attempt", attempt);
                let err = match self.attempt_once(api, body).await {
                    Ok(answer) => {
                        inner.budget.on_success();
                        return Ok(answer);
                    }
                    Err(err) => err,
                };
                if attempt >= inner.retry.max_attempts || !is_retryable(&err, true) {
                    tracing::debug!(code = err.code().as_u32(), "instance call failed");
                    return Err(err);
                }
                if !inner.budget.try_acquire(&err) {
                    tracing::warn!(
                        code = err.code().as_u32(),
                        "retry budget exhausted; not retrying"
                    );
                    return Err(err);
                }
                let delay = inner
                    .retry
                    .delay_for(attempt, &err, inner.hooks.jitter.unit());
                tracing::debug!(
                    code = err.code().as_u32(),
                    service_code = err.service_code(),
                    delay_ms = delay.as_millis() as u64,
                    "retrying"
                );
                if !delay.is_zero() {
                    inner.hooks.sleeper.sleep(delay).await;
                }
                attempt += 1;
            }
        }
        .instrument(span)
        .await
    }

    async fn attempt_once(&self, api: &'static str, body: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let inner = &*self.inner;
        let sign_now = || {
            let now = inner
                .hooks
                .clock
                .now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs();
            let date = signer::format_http_date(now);
            signer::sign(
                &InstanceRequestToSign {
                    host: &inner.endpoint.authority,
                    api_name: api,
                    body,
                    date: &date,
                    user_agent: &inner.user_agent,
                },
                &inner.key,
            )
        };
        let raw = match inner.transport.send("POST", sign_now()?, true).await {
            Ok(raw) => raw,
            // A pooled connection the server had closed: sign anew, use a new connection.
            Err(e) if e.stale != Stale::No => {
                tracing::debug!("pooled connection was closed by the server; re-signing");
                inner
                    .transport
                    .send("POST", sign_now()?, false)
                    .await
                    .map_err(|e| e.error)?
            }
            Err(e) => return Err(e.error),
        };
        super::response::interpret(raw)
    }
}
