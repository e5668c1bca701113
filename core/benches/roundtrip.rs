//! Client CPU per Encrypt round trip over a loopback keep-alive connection: the client runs on
//! a current-thread runtime in the measuring thread, the server on its own thread, and the
//! figure is that thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time — so the server's
//! work and the network wait are not counted. Target: at most 20 µs per call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use kmskit::{Client, ClientConfig, Credentials, EncryptRequest, EncryptionContext};
use std::time::Duration;

#[path = "support/trivial_server.rs"]
mod trivial_server;

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn bench(c: &mut Criterion) {
    let endpoint =
        std::env::var("KMSKIT_BENCH_ENDPOINT").unwrap_or_else(|_| trivial_server::start());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = ClientConfig::builder()
        .endpoint(&endpoint)
        .credentials(
            Credentials::access_key(
                "LTAI5tFakeAccessKeyId01",
                "FakeAccessKeySecretForVectors0123456789",
            )
            .unwrap(),
        )
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let ctx: EncryptionContext = [("app", "billing")].into_iter().collect();
    let req = EncryptRequest::new("alias/app", b"Hello world, this is a secret".to_vec())
        .encryption_context(ctx);
    rt.block_on(client.encrypt(req.clone())).unwrap();
    c.bench_function("encrypt_roundtrip_client_cpu", |b| {
        b.iter_custom(|iters| {
            let start = thread_cpu();
            rt.block_on(async {
                for _ in 0..iters {
                    client.encrypt(req.clone()).await.unwrap();
                }
            });
            thread_cpu() - start
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
