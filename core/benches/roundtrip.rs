//! Client CPU per Encrypt round trip over a loopback keep-alive connection: the client runs on
//! a current-thread runtime in the measuring thread, the server on its own thread, and the
//! figure is that thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time — so the server's
//! work and the network wait are not counted. Target: at most 20 µs per call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use kmskit::{Client, ClientConfig, Credentials, EncryptRequest, EncryptionContext};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

const BODY: &str = r#"{"CiphertextBlob":"ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJmS7FmDBBQ0BkKsQrtRnidtPwirmDcS0ZuJCU41xxAAWk4Z8qsADfbV0b+i6kQmlvj79dJdGOvtX69Uycs901q","KeyId":"key-hzz62f1cb66fy8gwlnt9e","KeyVersionId":"2ab1a983-7072-4bbc-a582-584b5bd80000","RequestId":"A7B6F2C1-0000-4D3E-9F00-000000000001"}"#;

/// A trivial keep-alive HTTP/1.1 server: reads a request, answers a fixed Encrypt response.
fn start_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                s.set_nodelay(true).ok();
                let resp = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}", BODY.len());
                let mut buf = vec![0u8; 65536];
                let mut have = 0usize;
                loop {
                    let n = match s.read(&mut buf[have..]) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    have += n;
                    // Requests carry no body (Encrypt's parameters are in the query).
                    while let Some(end) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                        if s.write_all(resp.as_bytes()).is_err() {
                            return;
                        }
                        buf.copy_within(end + 4..have, 0);
                        have -= end + 4;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

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
    let endpoint = std::env::var("KMSKIT_BENCH_ENDPOINT").unwrap_or_else(|_| start_server());
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
