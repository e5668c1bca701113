//! The client against a scripted server that checks every signature with its own code: attempt
//! counts, backoff bounds, retry-after, the retry budget, timeouts that fire, and no retry of a
//! state-changing call after a failure that leaves its outcome unknown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use kmskit::config::{JitterSource, NonceSource, Sleeper};
use kmskit::{
    Client, ClientConfig, Credentials, EncryptRequest, ErrorCode, RetryPolicy, SignatureVersion,
};
use serde_json::{json, Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;

#[derive(Default)]
struct RecordingSleeper(Mutex<Vec<Duration>>);
impl Sleeper for RecordingSleeper {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(d);
        Box::pin(async {})
    }
}

struct FixedJitter(f64);
impl JitterSource for FixedJitter {
    fn unit(&self) -> f64 {
        self.0
    }
}

struct CountingNonce(AtomicU32);
impl NonceSource for CountingNonce {
    fn nonce(&self) -> String {
        format!("{:032x}", self.0.fetch_add(1, Ordering::SeqCst))
    }
}

fn client_with(
    server: &TestServer,
    policy: RetryPolicy,
    sleeper: Arc<RecordingSleeper>,
    jitter: f64,
) -> Client {
    let cfg = ClientConfig::builder()
        .endpoint(server.endpoint())
        .credentials(Credentials::access_key(AK, SK).unwrap())
        .retry_policy(policy)
        .sleeper(sleeper)
        .jitter_source(Arc::new(FixedJitter(jitter)))
        .nonce_source(Arc::new(CountingNonce(AtomicU32::new(1))))
        .read_timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    Client::new(cfg).unwrap()
}

fn encrypt_req() -> EncryptRequest {
    EncryptRequest::new("alias/app", b"hello world".to_vec())
}

fn create_key_params() -> Map<String, Value> {
    json!({"KeySpec": "Aliyun_AES_256"})
        .as_object()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn success_is_signed_and_parsed() {
    let server = TestServer::start().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = client_with(&server, RetryPolicy::default(), sleeper.clone(), 0.5);
    let r = client.encrypt(encrypt_req()).await.unwrap();
    assert_eq!(r.ciphertext_blob, "Y2lwaGVy");
    assert_eq!(r.request_id, "R-OK");
    let rec = server.recorded();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].signature_ok, Ok(()));
    assert_eq!(rec[0].header("x-acs-action"), Some("Encrypt"));
    assert_eq!(rec[0].header("x-acs-retry-attempts"), None);
    assert!(sleeper.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn throttling_is_retried_with_fresh_signatures_and_bounded_jitter() {
    let server = TestServer::start().await;
    server.script([
        kms_error(400, "Throttling.User"),
        kms_error(503, "ServiceUnavailable"),
    ]);
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = client_with(&server, RetryPolicy::default(), sleeper.clone(), 0.75);
    let r = client.encrypt(encrypt_req()).await.unwrap();
    assert_eq!(r.key_id, "key-1");
    let rec = server.recorded();
    assert_eq!(rec.len(), 3);
    assert!(rec.iter().all(|r| r.signature_ok.is_ok()));
    let nonces: Vec<_> = rec
        .iter()
        .map(|r| r.header("x-acs-signature-nonce").unwrap().to_owned())
        .collect();
    assert_eq!(nonces.len(), 3);
    assert!(
        nonces[0] != nonces[1] && nonces[1] != nonces[2],
        "every attempt is signed anew"
    );
    assert_eq!(rec[1].header("x-acs-retry-attempts"), Some("1"));
    assert_eq!(rec[2].header("x-acs-retry-attempts"), Some("2"));
    let delays = sleeper.0.lock().unwrap().clone();
    // Full jitter with a fixed unit of 0.75: 75% of 100 ms, then of 200 ms.
    assert_eq!(
        delays,
        vec![Duration::from_millis(75), Duration::from_millis(150)]
    );
    assert_eq!(rec[2].header("x-acs-retry-delay"), Some("150"));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = TestServer::start().await;
    server.script([Behaviour::Error {
        status: 400,
        code: "Throttling".into(),
        retry_after_ms: Some(1500),
    }]);
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = client_with(&server, RetryPolicy::default(), sleeper.clone(), 0.1);
    client.encrypt(encrypt_req()).await.unwrap();
    assert_eq!(
        sleeper.0.lock().unwrap().clone(),
        vec![Duration::from_millis(1500)]
    );
}

#[tokio::test]
async fn attempts_are_capped_and_the_last_error_is_returned() {
    let server = TestServer::start().await;
    server.set_default(kms_error(500, "InternalFailure"));
    let sleeper = Arc::new(RecordingSleeper::default());
    let policy = RetryPolicy {
        max_attempts: 4,
        ..RetryPolicy::default()
    };
    let client = client_with(&server, policy, sleeper.clone(), 0.999);
    let e = client.encrypt(encrypt_req()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ServiceError);
    assert_eq!(e.service_code(), Some("InternalFailure"));
    assert_eq!(e.http_status(), Some(500));
    assert_eq!(e.request_id(), Some("R-500"));
    assert_eq!(server.count(), 4);
    let delays = sleeper.0.lock().unwrap().clone();
    assert_eq!(delays.len(), 3);
    for (i, d) in delays.iter().enumerate() {
        let ceiling = Duration::from_millis(100 << i);
        assert!(
            *d <= ceiling && *d >= ceiling.mul_f64(0.99),
            "delay {i}: {d:?}"
        );
    }
}

#[tokio::test]
async fn final_errors_are_not_retried() {
    let server = TestServer::start().await;
    server.set_default(kms_error(404, "Forbidden.KeyNotFound"));
    let client = client_with(
        &server,
        RetryPolicy::default(),
        Arc::new(RecordingSleeper::default()),
        0.5,
    );
    let e = client.encrypt(encrypt_req()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_write_is_not_retried_after_an_ambiguous_failure() {
    let server = TestServer::start().await;
    let client = client_with(
        &server,
        RetryPolicy::default(),
        Arc::new(RecordingSleeper::default()),
        0.5,
    );
    // 500 and a dropped connection leave unknown whether CreateKey ran: one attempt only.
    server.script([kms_error(500, "InternalFailure")]);
    let e = client
        .call("CreateKey", create_key_params())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ServiceError);
    assert_eq!(server.count(), 1);
    server.script([Behaviour::Drop]);
    let e = client
        .call("CreateKey", create_key_params())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionLost, "{e}");
    assert_eq!(server.count(), 2);
    // Throttling proves it did not run: retried.
    server.script([
        kms_error(400, "Throttling"),
        Behaviour::Ok(r#"{"KeyMetadata":{"KeyId":"k"},"RequestId":"R"}"#.into()),
    ]);
    let r = client.call("CreateKey", create_key_params()).await.unwrap();
    assert_eq!(r["KeyMetadata"]["KeyId"], "k");
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn a_read_is_retried_after_a_dropped_connection() {
    let server = TestServer::start().await;
    server.script([Behaviour::Drop]);
    let client = client_with(
        &server,
        RetryPolicy::default(),
        Arc::new(RecordingSleeper::default()),
        0.5,
    );
    client.encrypt(encrypt_req()).await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn read_timeouts_fire_and_writes_are_not_repeated() {
    let server = TestServer::start().await;
    server.set_default(Behaviour::Delay(Duration::from_secs(3), OK_ENCRYPT.into()));
    let client = client_with(
        &server,
        RetryPolicy::default(),
        Arc::new(RecordingSleeper::default()),
        0.5,
    );
    let e = client
        .call("CreateKey", create_key_params())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReadTimeout, "{e}");
    assert!(e.is_retryable());
    assert_eq!(server.count(), 1);
    let e = client.encrypt(encrypt_req()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReadTimeout);
    assert_eq!(server.count(), 4, "Encrypt is retried up to 3 attempts");
}

#[tokio::test]
async fn connect_failures_are_retried_even_for_writes() {
    // A port with nothing listening: bind, note the port, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let sleeper = Arc::new(RecordingSleeper::default());
    let cfg = ClientConfig::builder()
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::access_key(AK, SK).unwrap())
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    let client = Client::new(cfg).unwrap();
    let e = client
        .call("CreateKey", create_key_params())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectFailed, "{e}");
    assert_eq!(
        sleeper.0.lock().unwrap().len(),
        2,
        "three attempts, two sleeps"
    );
}

#[tokio::test]
async fn the_retry_budget_stops_a_storm() {
    let server = TestServer::start().await;
    server.set_default(kms_error(400, "Throttling"));
    let policy = RetryPolicy {
        budget: Some(kmskit::retry::RetryBudgetConfig {
            capacity: 12,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refill: 1,
        }),
        ..RetryPolicy::default()
    };
    let client = client_with(&server, policy, Arc::new(RecordingSleeper::default()), 0.0);
    assert_eq!(
        client.encrypt(encrypt_req()).await.unwrap_err().code(),
        ErrorCode::Throttled
    );
    assert_eq!(server.count(), 3, "two retries fit in the budget");
    assert_eq!(client.retry_budget_available(), Some(2));
    assert_eq!(
        client.encrypt(encrypt_req()).await.unwrap_err().code(),
        ErrorCode::Throttled
    );
    assert_eq!(server.count(), 4, "budget spent: no retry");
    // Clones share the budget.
    let clone = client.clone();
    assert!(clone.encrypt(encrypt_req()).await.is_err());
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn non_json_error_bodies_are_typed() {
    let server = TestServer::start().await;
    server.script([Behaviour::Raw {
        status: 502,
        content_type: "text/html".into(),
        body: "<html>502 Bad Gateway</html>".into(),
    }]);
    let client = client_with(
        &server,
        RetryPolicy::none(),
        Arc::new(RecordingSleeper::default()),
        0.5,
    );
    let e = client.encrypt(encrypt_req()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidResponse);
    assert_eq!(e.http_status(), Some(502));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn sts_and_rpc_signatures_verify_and_secrets_stay_out_of_errors() {
    let server = TestServer::start().await;
    let cfg = ClientConfig::builder()
        .endpoint(server.endpoint())
        .credentials(Credentials::sts("STS.tmp", SK, "token-abc", None).unwrap())
        .build()
        .unwrap();
    Client::new(cfg)
        .unwrap()
        .encrypt(encrypt_req())
        .await
        .unwrap();
    let rec = server.recorded();
    assert_eq!(rec[0].signature_ok, Ok(()));
    assert_eq!(rec[0].header("x-acs-security-token"), Some("token-abc"));

    let cfg = ClientConfig::builder()
        .endpoint(server.endpoint())
        .credentials(Credentials::access_key(AK, SK).unwrap())
        .signature_version(SignatureVersion::RpcHmacSha1)
        .build()
        .unwrap();
    let c = Client::new(cfg).unwrap();
    c.call(
        "GetSecretValue",
        json!({"SecretName": "db pass/1"})
            .as_object()
            .unwrap()
            .clone(),
    )
    .await
    .unwrap();
    let rec = server.recorded();
    assert_eq!(rec[1].signature_ok, Ok(()), "RPC V1 with a form body");
    assert!(rec[1].target.contains("Signature="));

    // A wrong secret is refused; the error never echoes the secret or the plaintext.
    let cfg = ClientConfig::builder()
        .endpoint(server.endpoint())
        .credentials(Credentials::access_key(AK, "wrong-secret-xyz").unwrap())
        .build()
        .unwrap();
    let e = Client::new(cfg)
        .unwrap()
        .encrypt(EncryptRequest::new("k", b"top secret plaintext".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthenticationFailed);
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("wrong-secret-xyz") && !text.contains("dG9wIHNlY3JldCBwbGFpbnRleHQ"),
        "{text}"
    );
}

#[tokio::test]
async fn credentials_are_fetched_per_attempt() {
    #[derive(Debug, Default)]
    struct Counting(AtomicU32);
    impl kmskit::CredentialsProvider for Counting {
        fn credentials(&self) -> kmskit::credentials::BoxFuture<'_, kmskit::Result<Credentials>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Credentials::access_key(AK, SK) })
        }
    }
    let server = TestServer::start().await;
    server.script([kms_error(503, "ServiceUnavailable")]);
    let provider = Arc::new(Counting::default());
    let cfg = ClientConfig::builder()
        .endpoint(server.endpoint())
        .credentials_provider(provider.clone())
        .sleeper(Arc::new(RecordingSleeper::default()))
        .build()
        .unwrap();
    Client::new(cfg)
        .unwrap()
        .encrypt(encrypt_req())
        .await
        .unwrap();
    assert_eq!(provider.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_pooled_connection_closed_by_the_server_is_replaced_with_a_fresh_signature() {
    let server = TestServer::start().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = client_with(&server, RetryPolicy::none(), sleeper.clone(), 0.5);
    client.encrypt(encrypt_req()).await.unwrap(); // warms the pool
                                                  // The next request arrives on the pooled connection, which the server closes unanswered.
    server.script([Behaviour::Drop]);
    client.encrypt(encrypt_req()).await.unwrap();
    let rec = server.recorded();
    assert_eq!(rec.len(), 3);
    assert!(rec.iter().all(|r| r.signature_ok.is_ok()));
    assert_ne!(
        rec[1].header("x-acs-signature-nonce"),
        rec[2].header("x-acs-signature-nonce"),
        "the resend is signed anew, never a replay of the same bytes"
    );
    assert!(
        sleeper.0.lock().unwrap().is_empty(),
        "a reconnect is not a retry"
    );
    // A write in the same situation is not repeated.
    server.script([Behaviour::Drop]);
    let e = client
        .call("CreateKey", create_key_params())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionLost);
    assert_eq!(server.count(), 4);
}
