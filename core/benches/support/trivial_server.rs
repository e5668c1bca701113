//! A trivial keep-alive HTTP/1.1 server for benchmarks: answers every request with a fixed
//! Encrypt response, verifying nothing. It stands for "the cheapest possible server", so a
//! client's own cost (or a server's, against it) can be measured. Used by core/benches/roundtrip.rs
//! and cli/examples/emulator_load.rs.

use std::io::{Read, Write};
use std::net::TcpListener;

pub const BODY: &str = r#"{"CiphertextBlob":"ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJmS7FmDBBQ0BkKsQrtRnidtPwirmDcS0ZuJCU41xxAAWk4Z8qsADfbV0b+i6kQmlvj79dJdGOvtX69Uycs901q","KeyId":"key-hzz62f1cb66fy8gwlnt9e","KeyVersionId":"2ab1a983-7072-4bbc-a582-584b5bd80000","RequestId":"A7B6F2C1-0000-4D3E-9F00-000000000001"}"#;

/// Starts the server on 127.0.0.1 (a thread per connection) and returns `http://127.0.0.1:PORT`.
pub fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                s.set_nodelay(true).ok();
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
                    BODY.len()
                );
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
