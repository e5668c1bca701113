//! A client whose sockets and timers run on a `LoopDriver`, driven the way a host event loop
//! drives it (wait for the driver's descriptor or its next deadline, then `turn`), on a thread
//! with no tokio runtime at all. The emulator runs on a runtime of its own, on other threads.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kmskit::instance_api as ia;
use kmskit::{
    Client, ClientConfig, ClientKey, Credentials, DecryptRequest, EncryptRequest, ErrorCode,
    LoopDriver, RetryPolicy,
};
use kmskit_emulator::{
    Emulator, EmulatorConfig, RunningEmulator, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET,
};
use serde_json::{json, Map, Value};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

struct Flag(AtomicBool);
impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// What the host loop saw while running one future.
#[derive(Default, Debug)]
struct LoopStats {
    /// Times the loop blocked waiting for the descriptor or a deadline.
    waits: usize,
    /// Times it waited with a deadline pending (a timeout or a retry sleep).
    waits_with_deadline: usize,
}

/// A minimal host loop: polls `fut` when woken, otherwise blocks in poll(2) on the driver's
/// descriptor until its next deadline, then turns the driver. Every wake-up in these tests
/// comes from a `turn` on this thread, so the loop never waits on anything else.
fn run<F: Future>(driver: &LoopDriver, fut: F, stats: &mut LoopStats) -> F::Output {
    assert!(
        tokio::runtime::Handle::try_current().is_err(),
        "the host thread must have no tokio runtime"
    );
    let flag = Arc::new(Flag(AtomicBool::new(true)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    let started = Instant::now();
    loop {
        if flag.0.swap(false, Ordering::SeqCst) {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return v;
            }
            continue;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the future never finished"
        );
        let deadline = driver.next_deadline();
        let timeout_ms = match deadline {
            Some(at) => {
                let left = at.saturating_duration_since(Instant::now());
                i32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
            }
            None => 10_000,
        };
        stats.waits += 1;
        if deadline.is_some() {
            stats.waits_with_deadline += 1;
        }
        let mut pfd = libc::pollfd {
            fd: driver.fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        driver.turn();
    }
}

fn emulator(dir: &std::path::Path) -> (tokio::runtime::Runtime, RunningEmulator) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut config = EmulatorConfig::default();
    config.dedicated.client_key_out = Some(dir.to_path_buf());
    let emu = rt.block_on(Emulator::start(config)).unwrap();
    (rt, emu)
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn access_key() -> Credentials {
    Credentials::access_key(DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET).unwrap()
}

/// A client of `endpoint` on `driver`, with whatever else `more` sets.
fn driven(
    driver: &Arc<LoopDriver>,
    endpoint: String,
    more: impl FnOnce(kmskit::ClientConfigBuilder) -> kmskit::ClientConfigBuilder,
) -> Client {
    let builder = ClientConfig::builder()
        .endpoint(endpoint)
        .region("cn-hangzhou")
        .credentials(access_key())
        .loop_driver(Arc::clone(driver));
    Client::new(more(builder).build().unwrap()).unwrap()
}

/// A new AES key, made through `client` on the host loop.
fn aes_key(driver: &LoopDriver, client: &Client, stats: &mut LoopStats) -> String {
    run(
        driver,
        client.call(
            "CreateKey",
            obj(json!({"KeySpec": "Aliyun_AES_256", "KeyUsage": "ENCRYPT/DECRYPT"})),
        ),
        stats,
    )
    .unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn calls_run_on_the_host_loop_without_tokio() {
    let dir = tempfile::tempdir().unwrap();
    let (_rt, emu) = emulator(dir.path());
    let driver = LoopDriver::new().unwrap();
    let client = driven(&driver, emu.endpoint(), |b| b);
    let mut stats = LoopStats::default();
    let key = aes_key(&driver, &client, &mut stats);
    for i in 0..50 {
        let plain = format!("message {i}").into_bytes();
        let enc = run(
            &driver,
            client.encrypt(EncryptRequest::new(&key, plain.clone())),
            &mut stats,
        )
        .unwrap();
        let dec = run(
            &driver,
            client.decrypt(DecryptRequest::new(enc.ciphertext_blob)),
            &mut stats,
        )
        .unwrap();
        assert_eq!(dec.plaintext.expose(), plain.as_slice());
    }
    // The answers arrived through the driver's descriptor (a call whose answer was already
    // there when it first read needs no wait, so not every call need wait; on a loaded machine
    // some may not), each wait with the call's read timeout armed on the driver's timers; one
    // keep-alive connection carried all 101 calls.
    assert!(stats.waits > 0, "{stats:?}");
    assert_eq!(stats.waits, stats.waits_with_deadline, "{stats:?}");
    assert_eq!(driver.socket_count(), 1);
    assert_eq!(driver.next_deadline(), None, "no timer outlives its call");
    drop(client);
    assert_eq!(
        driver.socket_count(),
        0,
        "dropping the client closes its sockets"
    );
}

#[test]
fn concurrent_calls_share_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let (_rt, emu) = emulator(dir.path());
    let driver = LoopDriver::new().unwrap();
    let client = driven(&driver, emu.endpoint(), |b| b);
    let mut stats = LoopStats::default();
    let key = aes_key(&driver, &client, &mut stats);
    // 40 calls in flight at once, polled together like a host polls its tasks.
    let calls: Vec<_> = (0..40)
        .map(|i| Box::pin(client.encrypt(EncryptRequest::new(&key, vec![i as u8; 8]))))
        .collect();
    let done = AtomicUsize::new(0);
    let all = async {
        let mut calls: Vec<_> = calls.into_iter().map(Some).collect();
        std::future::poll_fn(|cx| {
            for slot in calls.iter_mut() {
                if let Some(call) = slot {
                    if let Poll::Ready(r) = call.as_mut().poll(cx) {
                        r.unwrap();
                        done.fetch_add(1, Ordering::Relaxed);
                        *slot = None;
                    }
                }
            }
            if calls.iter().all(Option::is_none) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    };
    run(&driver, all, &mut stats);
    assert_eq!(done.load(Ordering::Relaxed), 40);
    assert!(
        driver.socket_count() > 1,
        "concurrent calls open connections of their own"
    );
}

#[test]
fn read_timeout_and_connect_failure_on_the_driver() {
    // A server that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let held = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_secs(3));
        drop(conn);
    });
    let driver = LoopDriver::new().unwrap();
    let one_attempt = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let client = driven(&driver, format!("http://{addr}"), |b| {
        b.read_timeout(Duration::from_millis(300))
            .retry_policy(one_attempt.clone())
    });
    let mut stats = LoopStats::default();
    let t0 = Instant::now();
    let err = run(
        &driver,
        client.encrypt(EncryptRequest::new("alias/x", b"p".to_vec())),
        &mut stats,
    )
    .unwrap_err();
    let took = t0.elapsed();
    assert_eq!(err.code(), ErrorCode::ReadTimeout, "{err}");
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    held.join().unwrap();

    // Nobody listens on a port just freed: the connect fails at once, typed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = driven(&driver, format!("http://127.0.0.1:{port}"), |b| {
        b.retry_policy(one_attempt)
    });
    let err = run(
        &driver,
        refused.encrypt(EncryptRequest::new("alias/x", b"p".to_vec())),
        &mut stats,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ConnectFailed, "{err}");
    assert_eq!(driver.socket_count(), 0);
}

#[test]
fn retry_sleeps_run_on_the_driver() {
    // Two throttling answers, then one the client accepts: the backoff sleeps between the
    // attempts are the driver's timers (there is no tokio timer on this thread to use).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let throttled = r#"{"Code":"Throttling","Message":"slow down","RequestId":"r1"}"#;
        let ok = r#"{"RequestId":"r3","KeyId":"k","CiphertextBlob":"YmxvYg==","KeyVersionId":"v"}"#;
        let mut served = 0;
        while served < 3 {
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 8192];
            while served < 3 {
                let n = conn.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                let (status, body) = if served < 2 {
                    ("400 Bad Request", throttled)
                } else {
                    ("200 OK", ok)
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                conn.write_all(resp.as_bytes()).unwrap();
                served += 1;
            }
        }
    });
    let driver = LoopDriver::new().unwrap();
    let client = driven(&driver, format!("http://{addr}"), |b| b);
    let mut stats = LoopStats::default();
    let r = run(
        &driver,
        client.encrypt(EncryptRequest::new("alias/x", b"p".to_vec())),
        &mut stats,
    )
    .unwrap();
    assert_eq!(r.request_id, "r3");
    server.join().unwrap();
}

#[test]
fn tls_and_the_instance_api_on_the_driver() {
    let dir = tempfile::tempdir().unwrap();
    let (_rt, emu) = emulator(dir.path());
    let files = emu.client_key_files().unwrap();
    let password = ClientKey::password_from_file(&files.password_file).unwrap();
    let driver = LoopDriver::new().unwrap();
    let client = driven(&driver, emu.endpoint(), |b| {
        b.instance_endpoint(emu.dedicated_endpoint().unwrap())
            .ca_file(emu.dedicated_ca_file().unwrap())
            .client_key(ClientKey::from_file(&files.key_file, &password).unwrap())
    });
    let mut stats = LoopStats::default();
    let key = aes_key(&driver, &client, &mut stats);
    let inst = client.instance().unwrap();
    for _ in 0..3 {
        let enc = run(
            &driver,
            inst.encrypt(ia::EncryptRequest::new(&key, b"over tls".to_vec())),
            &mut stats,
        )
        .unwrap();
        let dec = run(
            &driver,
            inst.decrypt(ia::DecryptRequest::new(&key, enc.ciphertext_blob).iv(enc.iv)),
            &mut stats,
        )
        .unwrap();
        assert_eq!(dec.plaintext.expose(), b"over tls");
    }
    // The routed data plane (dedicated gateway) on the same driver.
    let enc = run(
        &driver,
        client.encrypt(EncryptRequest::new(&key, b"routed".to_vec())),
        &mut stats,
    )
    .unwrap();
    let dec = run(
        &driver,
        client.decrypt(DecryptRequest::new(enc.ciphertext_blob)),
        &mut stats,
    )
    .unwrap();
    assert_eq!(dec.plaintext.expose(), b"routed");
    // One plain connection (shared gateway) and one TLS connection (dedicated) at least.
    assert!(driver.socket_count() >= 2, "{}", driver.socket_count());
}

#[test]
fn driver_timers_fire_in_order_and_dropped_ones_go() {
    let driver = LoopDriver::new().unwrap();
    let mut stats = LoopStats::default();
    // Many timers dropped before they fire leave no deadline behind.
    let dropped: Vec<_> = (0..1000)
        .map(|i| {
            let mut s = Box::pin(driver.sleep(Duration::from_secs(60 + i)));
            let noop = Waker::noop();
            assert!(s.as_mut().poll(&mut Context::from_waker(noop)).is_pending());
            s
        })
        .collect();
    assert!(driver.next_deadline().is_some());
    drop(dropped);
    assert_eq!(driver.next_deadline(), None);

    let order = std::sync::Mutex::new(Vec::new());
    let t0 = Instant::now();
    let both = async {
        let a = async {
            driver.sleep(Duration::from_millis(120)).await;
            order.lock().unwrap().push("late");
        };
        let b = async {
            driver.sleep(Duration::from_millis(40)).await;
            order.lock().unwrap().push("early");
        };
        let mut a = std::pin::pin!(a);
        let mut b = std::pin::pin!(b);
        let (mut da, mut db) = (false, false);
        std::future::poll_fn(|cx| {
            if !da {
                da = a.as_mut().poll(cx).is_ready();
            }
            if !db {
                db = b.as_mut().poll(cx).is_ready();
            }
            if da && db {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    };
    run(&driver, both, &mut stats);
    assert!(t0.elapsed() >= Duration::from_millis(120));
    assert_eq!(*order.lock().unwrap(), vec!["early", "late"]);
    assert_eq!(driver.next_deadline(), None);
}
