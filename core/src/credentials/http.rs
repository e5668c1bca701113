//! What the network providers share: one pooled connection target per provider over the core's
//! own transport, retries of transient failures with capped backoff, reading small files off
//! the executor, and the `Expiration` timestamps STS and the metadata service return.

use crate::config::{ClientConfig, JitterSource, Sleeper};
use crate::error::{Error, ErrorCode, Result, ServiceDetails};
use crate::signing::SignedRequest;
use crate::transport::{Stale, Transport};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A response: status and body (the body is wiped on drop: it carries secrets).
pub(crate) struct Reply {
    pub status: u16,
    pub body: zeroize::Zeroizing<Vec<u8>>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One endpoint (`scheme://host[:port]`) reached over the core transport.
pub(crate) struct Target {
    transport: Transport,
    /// The `host` header: `host` or `host:port` as the URL had it.
    pub authority: String,
    pub base_url: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base_url)
    }
}

impl Target {
    pub fn new(base_url: &str, connect: Duration, read: Duration) -> Result<Target> {
        let config = ClientConfig::builder()
            .endpoint(base_url)
            .connect_timeout(connect)
            .read_timeout(read)
            .build()?;
        Ok(Target {
            transport: Transport::new(&config)?,
            authority: config.endpoint.authority.clone(),
            base_url: config.endpoint.base_url(),
        })
    }

    /// Sends one request (`host`, `user-agent` and `accept-encoding` are added here). A pooled
    /// connection the server had closed is replaced once; every request a provider makes is
    /// safe to repeat.
    pub async fn send(
        &self,
        method: &'static str,
        path_and_query: &str,
        extra_headers: &[(&'static str, String)],
        body: &[u8],
    ) -> Result<Reply> {
        let build = || {
            let mut headers: Vec<(&'static str, String)> =
                Vec::with_capacity(4 + extra_headers.len());
            headers.push(("host", self.authority.clone()));
            headers.push(("user-agent", crate::config::default_user_agent()));
            headers.push(("accept-encoding", "identity".to_owned()));
            headers.extend(extra_headers.iter().cloned());
            SignedRequest {
                path_and_query: path_and_query.to_owned(),
                headers,
                body: body.to_vec(),
            }
        };
        let raw = match self.transport.send(method, build(), true).await {
            Ok(r) => r,
            Err(e) if e.stale != Stale::No => self
                .transport
                .send(method, build(), false)
                .await
                .map_err(|e| e.error)?,
            Err(e) => return Err(e.error),
        };
        Ok(Reply {
            status: raw.status,
            body: raw.body,
        })
    }
}

/// A failure of one step, and whether trying again soon may help.
pub(crate) struct StepError {
    pub error: Error,
    pub transient: bool,
}

impl From<Error> for StepError {
    /// Transport failures (connect, timeout, reset) are transient; anything else is not.
    fn from(error: Error) -> Self {
        let transient = matches!(
            error.code(),
            ErrorCode::ConnectFailed
                | ErrorCode::ConnectTimeout
                | ErrorCode::ReadTimeout
                | ErrorCode::ConnectionLost
        );
        StepError { error, transient }
    }
}

impl StepError {
    pub fn fatal(error: Error) -> Self {
        StepError {
            error,
            transient: false,
        }
    }
    pub fn for_status(status: u16, error: Error) -> Self {
        StepError {
            error,
            transient: status >= 500 || status == 429,
        }
    }
}

/// Runs `step` up to `attempts` times while it fails transiently, sleeping
/// `min(base * 2^(n-1), cap)` scaled by a jitter in `[0.5, 1)` in between.
pub(crate) async fn with_retries<T, F, Fut>(
    attempts: u32,
    base: Duration,
    cap: Duration,
    sleeper: &dyn Sleeper,
    jitter: &dyn JitterSource,
    mut step: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, StepError>>,
{
    let mut n = 1;
    loop {
        match step().await {
            Ok(v) => return Ok(v),
            Err(e) if e.transient && n < attempts.max(1) => {
                let delay = backoff(n, base, cap, jitter.unit());
                tracing::debug!(attempt = n, delay_ms = delay.as_millis() as u64, error = %e.error, "credentials request failed; retrying");
                sleeper.sleep(delay).await;
                n += 1;
            }
            Err(e) => return Err(into_credentials_error(e.error)),
        }
    }
}

/// Capped exponential backoff with jitter: `min(base * 2^(n-1), cap) * (0.5 + unit/2)`.
pub(crate) fn backoff(n: u32, base: Duration, cap: Duration, unit: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << (n.saturating_sub(1)).min(20));
    exp.min(cap).mul_f64(0.5 + unit.clamp(0.0, 1.0) / 2.0)
}

/// Every provider failure surfaces as a Credentials-kind error, keeping the cause in the text.
pub(crate) fn into_credentials_error(e: Error) -> Error {
    if e.kind() == crate::error::ErrorKind::Credentials {
        e
    } else {
        let service = e.service_details().clone();
        Error::new(ErrorCode::CredentialsUnavailable, e.to_string()).with_service(service)
    }
}

/// The error for a non-success answer; `what` names the call. The body is summarised from its
/// JSON `Code`/`Message`/`RequestId` only (never echoed whole: it could hold a secret).
pub(crate) fn service_failure(what: &str, reply: &Reply) -> Error {
    let json: Option<serde_json::Value> = serde_json::from_slice(&reply.body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let code = field("Code");
    let message = field("Message");
    let mut text = format!("{what} failed with http {}", reply.status);
    if let Some(c) = &code {
        text.push_str(&format!(": {c}"));
    }
    if let Some(m) = &message {
        text.push_str(&format!(": {m}"));
    }
    Error::new(ErrorCode::CredentialsUnavailable, text).with_service(ServiceDetails {
        code,
        message,
        request_id: field("RequestId"),
        host_id: field("HostId"),
        recommend: None,
        http_status: Some(reply.status),
    })
}

/// Reads a small local file on the blocking pool, never on an executor thread.
pub(crate) async fn read_file(path: PathBuf) -> std::io::Result<Vec<u8>> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle
            .spawn_blocking(move || std::fs::read(path))
            .await
            .map_err(std::io::Error::other)?,
        Err(_) => std::fs::read(path),
    }
}

/// `2023-11-15T04:13:20Z`, optionally with a fraction (`.123Z`) or a `+00:00` offset.
pub(crate) fn parse_expiration(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" | "+00:00" | "" => 0,
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

// Howard Hinnant's days_from_civil.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expirations() {
        let t =
            |s: &str| parse_expiration(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs());
        assert_eq!(t("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(t("2023-11-14T22:13:20.123Z"), Some(1_700_000_000));
        assert_eq!(t("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(t("garbage"), None);
        assert_eq!(t("2023-13-14T22:13:20Z"), None);
    }

    #[test]
    fn backoff_is_capped() {
        let b = Duration::from_secs(1);
        let c = Duration::from_secs(60);
        assert_eq!(backoff(1, b, c, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(3, b, c, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(40, b, c, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(40, b, c, 0.0), Duration::from_secs(30));
    }
}
