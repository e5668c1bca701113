//! The client: one call goes operation table -> retry loop (credentials snapshot, fresh date
//! and nonce, sign, send, classify, back off) -> typed response. Every attempt is signed anew.
//! Cheap to clone; clones share the connection pool and the retry budget.

use crate::api::models::*;
use crate::api::{self, Operation};
use crate::config::{ClientConfig, Hooks, API_VERSION};
use crate::credentials::{self, CredentialsProvider};
use crate::error::{Error, ErrorCode, Result};
use crate::instance_api::{transfer, InstanceClient, Route};
use crate::response::interpret;
use crate::retry::{is_retryable, RetryBudget};
use crate::signing::{self, RequestToSign, RetryInfo, SignatureVersion, SigningParams};
use crate::transport::{Stale, Transport};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tracing::Instrument as _;

/// A KMS client.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    route: Route,
}

struct Inner {
    config: ClientConfig,
    transport: Transport,
    credentials: Arc<dyn CredentialsProvider>,
    budget: RetryBudget,
    hooks: Hooks,
    /// The dedicated gateway's Instance API, when a ClientKey is configured.
    instance: Option<InstanceClient>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish()
    }
}

impl Client {
    /// Builds a client. Without explicit credentials it uses the default credentials chain
    /// ([`credentials::DefaultChain`]), which reads the environment now. Needs no runtime to
    /// build; calls need a tokio runtime.
    pub fn new(config: ClientConfig) -> Result<Client> {
        let transport = Transport::new(&config)?;
        let credentials = config
            .credentials
            .clone()
            .unwrap_or_else(|| Arc::new(credentials::DefaultChain::new()));
        let budget = RetryBudget::new(config.retry.budget.clone());
        let hooks = config.hooks.clone();
        let instance = match &config.instance {
            Some((endpoint, key)) => Some(InstanceClient::new(&config, endpoint, key)?),
            None => None,
        };
        let route = config.route;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                transport,
                credentials,
                budget,
                hooks,
                instance,
            }),
            route,
        })
    }

    /// The dedicated gateway's Instance API (one method per API), when a ClientKey is
    /// configured.
    pub fn instance(&self) -> Result<InstanceClient> {
        self.inner.instance.clone().ok_or_else(|| {
            Error::configuration("no ClientKey configured: the Instance API is not available")
        })
    }

    /// This client with its data-plane operations routed as `route` (shares the connections).
    pub fn with_route(&self, route: Route) -> Client {
        Client {
            inner: self.inner.clone(),
            route,
        }
    }

    /// This client with every operation on the configured endpoint with RAM credentials.
    pub fn shared(&self) -> Client {
        self.with_route(Route::Shared)
    }

    /// This client with its data-plane operations on the dedicated gateway's Instance API.
    pub fn dedicated(&self) -> Client {
        self.with_route(Route::Dedicated)
    }

    pub fn route(&self) -> Route {
        self.route
    }

    /// The Instance API client when this call goes to the dedicated gateway.
    fn routed(&self) -> Result<Option<&InstanceClient>> {
        match (self.route, &self.inner.instance) {
            (Route::Shared, _) | (Route::Auto, None) => Ok(None),
            (_, Some(ic)) => Ok(Some(ic)),
            (Route::Dedicated, None) => Err(Error::configuration(
                "the dedicated route needs a ClientKey",
            )),
        }
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Tokens left in the retry budget (`None` when the budget is disabled).
    pub fn retry_budget_available(&self) -> Option<u32> {
        self.inner.budget.available()
    }

    /// Any KMS 2016-01-20 action with parameters by wire name; returns the response body.
    /// Values are written as the official SDK writes them: booleans `True`/`False`, objects and
    /// arrays as compact JSON.
    pub async fn call(
        &self,
        action: &str,
        params: Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        api::validate_action(action)?;
        let op = api::operation(action);
        self.execute(action, &op, &params).await
    }

    pub async fn encrypt(&self, req: EncryptRequest) -> Result<EncryptResponse> {
        if let Some(ic) = self.routed()? {
            return transfer::encrypt(ic, req).await;
        }
        let body = self.call_known("Encrypt", req.to_params()?).await?;
        from_body(body)
    }

    pub async fn decrypt(&self, req: DecryptRequest) -> Result<DecryptResponse> {
        if let Some(ic) = self.routed()? {
            return transfer::decrypt(ic, req).await;
        }
        let body = self.call_known("Decrypt", req.to_params()?).await?;
        let wire: WirePlaintextResponse = from_body(body)?;
        Ok(DecryptResponse {
            plaintext: wire.plaintext_lenient()?,
            plaintext_wire: wire.plaintext_wire()?.clone(),
            key_id: wire.key_id,
            key_version_id: wire.key_version_id,
            request_id: wire.request_id,
        })
    }

    pub async fn generate_data_key(
        &self,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        if let Some(ic) = self.routed()? {
            return transfer::generate_data_key(ic, req).await;
        }
        let body = self.call_known("GenerateDataKey", req.to_params()?).await?;
        let wire: WirePlaintextResponse = from_body(body)?;
        Ok(GenerateDataKeyResponse {
            plaintext: wire.plaintext_bytes()?,
            ciphertext_blob: wire.ciphertext_blob.ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidResponse,
                    "the response has no CiphertextBlob",
                )
            })?,
            key_id: wire.key_id,
            key_version_id: wire.key_version_id,
            request_id: wire.request_id,
        })
    }

    pub async fn generate_data_key_without_plaintext(
        &self,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
        if let Some(ic) = self.routed()? {
            return transfer::generate_data_key_without_plaintext(ic, req).await;
        }
        let body = self
            .call_known("GenerateDataKeyWithoutPlaintext", req.to_params()?)
            .await?;
        from_body(body)
    }

    pub async fn get_secret_value(
        &self,
        req: GetSecretValueRequest,
    ) -> Result<GetSecretValueResponse> {
        if let Some(ic) = self.routed()? {
            return transfer::get_secret_value(ic, req).await;
        }
        let body = self.call_known("GetSecretValue", req.to_params()?).await?;
        from_body(body)
    }

    async fn call_known(
        &self,
        action: &'static str,
        mut params: Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        let op = api::operation(action);
        let result = self.execute(action, &op, &params).await;
        api::wipe_params(&mut params);
        result
    }

    async fn execute(
        &self,
        action: &str,
        op: &Operation,
        params: &Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        let inner = &*self.inner;
        let wire = api::place_params(op, params)?;
        if inner.config.signature_version == SignatureVersion::RpcHmacSha1 {
            if let Some((k, _)) = wire
                .query
                .iter()
                .chain(wire.body.iter().flatten())
                .find(|(k, _)| signing::rpc::RESERVED.contains(&k.as_str()))
            {
                return Err(Error::invalid_argument(format!(
                    "parameter {k} is reserved by the RPC signature"
                )));
            }
        }
        let span = tracing::debug_span!(
            "kms.call",
            action,
            attempt = tracing::field::Empty,
            request_id = tracing::field::Empty
        );
        async {
            let policy = &inner.config.retry;
            let mut retry: Option<RetryInfo> = None;
            let mut attempt: u32 = 1;
            loop {
                tracing::Span::current().record("attempt", attempt);
                let result = self.attempt_once(action, op, &wire, retry).await;
                match result {
                    Ok(body) => {
                        inner.budget.on_success();
                        if let Some(Value::String(id)) = body.get("RequestId") {
                            tracing::Span::current().record("request_id", id.as_str());
                        }
                        return Ok(body);
                    }
                    Err(err) => {
                        if let Some(id) = err.request_id() {
                            tracing::Span::current().record("request_id", id);
                        }
                        let may_retry =
                            attempt < policy.max_attempts && is_retryable(&err, op.idempotent);
                        if !may_retry {
                            tracing::debug!(
                                code = err.code().as_u32(),
                                service_code = err.service_code(),
                                "call failed"
                            );
                            return Err(err);
                        }
                        if !inner.budget.try_acquire(&err) {
                            tracing::warn!(
                                code = err.code().as_u32(),
                                "retry budget exhausted; not retrying"
                            );
                            return Err(err);
                        }
                        let delay = policy.delay_for(attempt, &err, inner.hooks.jitter.unit());
                        tracing::debug!(
                            code = err.code().as_u32(),
                            service_code = err.service_code(),
                            delay_ms = delay.as_millis() as u64,
                            "retrying"
                        );
                        if !delay.is_zero() {
                            inner.hooks.sleeper.sleep(delay).await;
                        }
                        retry = Some(RetryInfo {
                            attempts: attempt,
                            delay_ms: delay.as_millis() as u64,
                        });
                        attempt += 1;
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn attempt_once(
        &self,
        action: &str,
        op: &Operation,
        wire: &api::WireParams,
        retry: Option<RetryInfo>,
    ) -> Result<Map<String, Value>> {
        let inner = &*self.inner;
        let creds = inner.credentials.credentials().await.map_err(|e| {
            if e.kind() == crate::error::ErrorKind::Credentials {
                e
            } else {
                Error::new(
                    ErrorCode::CredentialsUnavailable,
                    format!("credentials provider failed: {e}"),
                )
            }
        })?;
        let sign_now = || {
            let now = inner
                .hooks
                .clock
                .now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs();
            let timestamp = signing::format_timestamp(now);
            let nonce = inner.hooks.nonce.nonce();
            let req = RequestToSign {
                method: op.method,
                host: &inner.config.endpoint.authority,
                action,
                version: API_VERSION,
                query: &wire.query,
                body: wire.body.as_deref(),
                user_agent: &inner.config.user_agent,
                retry,
            };
            signing::sign(
                inner.config.signature_version,
                &req,
                &SigningParams {
                    credentials: &creds,
                    timestamp: &timestamp,
                    nonce: &nonce,
                },
            )
        };
        let raw = match inner.transport.send(op.method, sign_now(), true).await {
            Ok(raw) => raw,
            // The server had closed the pooled connection. Not an attempt of its own: sign again
            // (fresh nonce and date) and use a new connection — when the request provably did
            // not arrive, or when repeating it is harmless.
            Err(e)
                if e.stale == Stale::NotSent
                    || (e.stale == Stale::ClosedUnanswered && op.idempotent) =>
            {
                tracing::debug!(
                    "pooled connection was closed by the server; re-signing on a new connection"
                );
                inner
                    .transport
                    .send(op.method, sign_now(), false)
                    .await
                    .map_err(|e| e.error)?
            }
            Err(e) => return Err(e.error),
        };
        interpret(raw)
    }
}

fn from_body<T: serde::de::DeserializeOwned>(body: Map<String, Value>) -> Result<T> {
    serde_json::from_value(Value::Object(body)).map_err(|e| {
        Error::new(
            ErrorCode::InvalidResponse,
            format!("unexpected response shape: {e}"),
        )
    })
}
