//! Load generator for `scripts/bench-emulator`: sequential-per-task Encrypt calls from N
//! concurrent tasks for a fixed time against an endpoint, through the kmskit client (so every
//! request carries a fresh nonce and a real ACS3 signature). Prints one JSON line.
//!
//! `emulator_load serve-trivial` instead serves a fixed Encrypt response (no verification, no
//! crypto) on 127.0.0.1 and prints its endpoint: the peer that shows the load tool's own ceiling.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kmskit::{Client, ClientConfig, Credentials, EncryptRequest, EncryptionContext, RetryPolicy};
use std::io::Write;
use std::time::{Duration, Instant};

#[path = "../../core/benches/support/trivial_server.rs"]
mod trivial_server;

fn serve_trivial() -> ! {
    println!("{{\"endpoint\":\"{}\"}}", trivial_server::start());
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::park();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve-trivial") {
        serve_trivial();
    }
    let endpoint = std::env::var("KMSKIT_ENDPOINT").expect("KMSKIT_ENDPOINT");
    let concurrency: usize = std::env::var("LOAD_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let seconds: u64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let label = std::env::var("LOAD_LABEL").unwrap_or_else(|_| "target".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let client = Client::new(
            ClientConfig::builder()
                .endpoint(&endpoint)
                .credentials(Credentials::from_env_or_panic())
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap(),
        )
        .unwrap();
        let key_id = match std::env::var("LOAD_KEY_ID") {
            Ok(k) => k,
            Err(_) => {
                let r = client.call("CreateKey", serde_json::Map::new()).await.unwrap();
                r["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
            }
        };
        let ctx: EncryptionContext = [("app", "bench")].into_iter().collect();
        let req = EncryptRequest::new(key_id, b"Hello world, this is a 32B secret".to_vec()).encryption_context(ctx);
        // Warm up the connection pool.
        for _ in 0..concurrency {
            client.encrypt(req.clone()).await.unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (client, req) = (client.clone(), req.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match client.encrypt(req.clone()).await {
                        Ok(_) => latencies.push(t.elapsed()),
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.unwrap();
            all.extend(l);
            errors += e;
        }
        let elapsed = start.elapsed().as_secs_f64();
        all.sort();
        let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).map(|d| d.as_micros()).unwrap_or(0);
        println!(
            "{{\"label\":\"{label}\",\"concurrency\":{concurrency},\"seconds\":{elapsed:.2},\"requests\":{},\"errors\":{errors},\"rps\":{:.0},\"p50_us\":{},\"p99_us\":{}}}",
            all.len(),
            all.len() as f64 / elapsed,
            pct(0.5),
            pct(0.99)
        );
    });
}

trait FromEnvOrPanic {
    fn from_env_or_panic() -> Credentials;
}
impl FromEnvOrPanic for Credentials {
    fn from_env_or_panic() -> Credentials {
        kmskit::credentials::from_env().expect("ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET")
    }
}
