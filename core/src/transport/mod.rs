//! The HTTP layer: a small HTTP/1.1 client of our own over tokio, with a pool of keep-alive
//! connections to the one endpoint a client talks to, rustls for HTTPS, connect and read
//! timeouts. Owning the connection lets it say exactly how far a failed request got — never
//! sent, sent but unanswered, answered — which the retry rules depend on, and keeps the client
//! CPU per call a fraction of a general-purpose HTTP stack's. Error messages never include the
//! request line: the query carries plaintexts.

mod driver;
mod http1;
mod tls;

pub(crate) use driver::DriverSleeper;
pub use driver::{LoopDriver, Sleep};

pub(crate) use tls::parse_ca_pem;

use crate::config::ClientConfig;
use crate::endpoint::Scheme;
use crate::error::{Error, ErrorCode, Result};
use crate::signing::SignedRequest;
use rustls_pki_types::ServerName;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use zeroize::{Zeroize, Zeroizing};

/// Idle connections older than this are closed rather than reused (below common server
/// keep-alive timeouts, so the server rarely closes one under us).
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_IDLE: usize = 64;

/// A response as received, before any interpretation.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub content_type: Option<String>,
    /// Wiped on drop: a response may carry a plaintext or a secret value.
    pub body: Zeroizing<Vec<u8>>,
}

/// A TCP connection on tokio's runtime or on the client's [`LoopDriver`].
enum Tcp {
    Tokio(TcpStream),
    Driven(driver::DrivenTcp),
}

impl Tcp {
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Tcp::Tokio(s) => s.try_read(buf),
            Tcp::Driven(s) => s.try_read(buf),
        }
    }

    fn set_nodelay(&self, on: bool) -> io::Result<()> {
        match self {
            Tcp::Tokio(s) => s.set_nodelay(on),
            Tcp::Driven(s) => s.set_nodelay(on),
        }
    }
}

impl AsyncRead for Tcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Tcp::Tokio(s) => Pin::new(s).poll_read(cx, buf),
            Tcp::Driven(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Tcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Tcp::Tokio(s) => Pin::new(s).poll_write(cx, data),
            Tcp::Driven(s) => Pin::new(s).poll_write(cx, data),
        }
    }
    // Vectored, so that rustls writes a record's pieces in one writev(2).
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Tcp::Tokio(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Tcp::Driven(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }
    fn is_write_vectored(&self) -> bool {
        match self {
            Tcp::Tokio(s) => s.is_write_vectored(),
            Tcp::Driven(s) => s.is_write_vectored(),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Tcp::Tokio(s) => Pin::new(s).poll_flush(cx),
            Tcp::Driven(s) => Pin::new(s).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Tcp::Tokio(s) => Pin::new(s).poll_shutdown(cx),
            Tcp::Driven(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

enum Stream {
    Plain(Tcp),
    Tls(Box<TlsStream<Tcp>>),
}

struct Conn {
    stream: Stream,
    buf: Vec<u8>,
    idle_since: Instant,
}

impl Conn {
    fn tcp(&self) -> &Tcp {
        match &self.stream {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref().0,
        }
    }

    /// An idle connection is usable if the peer has neither closed it nor sent anything.
    fn looks_alive(&self) -> bool {
        if self.idle_since.elapsed() > IDLE_TIMEOUT || !self.buf.is_empty() {
            return false;
        }
        let mut probe = [0u8; 1];
        matches!(self.tcp().try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, data),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, data),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

pub(crate) struct Transport {
    host: String,
    port: u16,
    tls: Option<(TlsConnector, ServerName<'static>)>,
    connect_timeout: Duration,
    read_timeout: Duration,
    idle: Mutex<Vec<Conn>>,
    /// Sockets and timers on a host's event loop instead of tokio's.
    driver: Option<Arc<LoopDriver>>,
}

impl Transport {
    pub fn new(config: &ClientConfig) -> Result<Transport> {
        let endpoint = &config.endpoint;
        let (host, port) = split_authority(&endpoint.authority, endpoint.scheme)?;
        let tls = match endpoint.scheme {
            Scheme::Http => None,
            Scheme::Https => {
                let name = ServerName::try_from(
                    host.trim_start_matches('[')
                        .trim_end_matches(']')
                        .to_owned(),
                )
                .map_err(|_| {
                    Error::configuration(format!("{host:?} is not a valid TLS server name"))
                })?;
                Some((
                    TlsConnector::from(tls::client_config(config.ca_pem.as_deref())?),
                    name,
                ))
            }
        };
        Ok(Transport {
            host,
            port,
            tls,
            connect_timeout: config.connect_timeout,
            read_timeout: config.read_timeout,
            idle: Mutex::new(Vec::new()),
            driver: config.loop_driver.clone(),
        })
    }

    /// Sends one signed request and reads its response. With `reuse`, an idle pooled connection
    /// may carry it. When that connection turns out to have been closed by the server, the error
    /// says so ([`SendError::stale`]); the caller then signs the request anew (a fresh nonce: the
    /// server may have seen the first one) and sends it with `reuse = false`. The transport never
    /// sends the same signed bytes twice.
    pub async fn send(
        &self,
        method: &str,
        mut req: SignedRequest,
        reuse: bool,
    ) -> Result<RawResponse, SendError> {
        // The request carries plaintexts and tokens: its copies are wiped once serialised, and
        // the serialised bytes when this call returns.
        let mut wire = Zeroizing::new(Vec::new());
        let written = http1::write_request(
            &mut wire,
            method,
            &req.path_and_query,
            &req.headers,
            &req.body,
        );
        req.path_and_query.zeroize();
        req.body.zeroize();
        for (_, value) in req.headers.iter_mut() {
            value.zeroize();
        }
        written.map_err(SendError::fatal)?;
        let pooled = if reuse { self.take_idle() } else { None };
        let was_pooled = pooled.is_some();
        let conn = match pooled {
            Some(conn) => conn,
            None => self.connect().await.map_err(SendError::fatal)?,
        };
        let stale = |kind: Stale, error: Error| SendError {
            error,
            stale: if was_pooled { kind } else { Stale::No },
        };
        match self.exchange(conn, &wire, false).await {
            Ok(r) => Ok(r),
            Err(Failure::NotSent(e)) => Err(stale(Stale::NotSent, e)),
            Err(Failure::ClosedUnanswered(e)) => Err(stale(Stale::ClosedUnanswered, e)),
            Err(Failure::Other(e)) => Err(SendError::fatal(e)),
        }
    }

    fn take_idle(&self) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(conn) = idle.pop() {
            if conn.looks_alive() {
                return Some(conn);
            }
        }
        None
    }

    fn put_idle(&self, mut conn: Conn) {
        conn.idle_since = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    async fn connect(&self) -> Result<Conn> {
        let fut = async {
            let tcp = self.connect_tcp().await.map_err(|e| {
                Error::new(
                    ErrorCode::ConnectFailed,
                    format!("cannot connect to {}:{}: {e}", self.host, self.port),
                )
            })?;
            let _ = tcp.set_nodelay(true);
            let stream = match &self.tls {
                None => Stream::Plain(tcp),
                Some((connector, name)) => {
                    let tls = connector.connect(name.clone(), tcp).await.map_err(|e| {
                        Error::new(
                            ErrorCode::TlsFailed,
                            format!(
                                "TLS handshake with {} failed: {e} (is the CA certificate right?)",
                                self.host
                            ),
                        )
                    })?;
                    Stream::Tls(Box::new(tls))
                }
            };
            Ok(Conn {
                stream,
                buf: Vec::new(),
                idle_since: Instant::now(),
            })
        };
        match self.within(self.connect_timeout, fut).await {
            Some(r) => r,
            None => Err(Error::new(
                ErrorCode::ConnectTimeout,
                format!(
                    "connecting to {}:{} took longer than {:?}",
                    self.host, self.port, self.connect_timeout
                ),
            )),
        }
    }

    /// `fut`, or `None` once `d` has passed: on the driver's timers if there is one.
    async fn within<F: Future>(&self, d: Duration, fut: F) -> Option<F::Output> {
        match &self.driver {
            Some(driver) => driver::within(driver.sleep(d), fut).await,
            None => tokio::time::timeout(d, fut).await.ok(),
        }
    }

    async fn connect_tcp(&self) -> io::Result<Tcp> {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        let Some(driver) = &self.driver else {
            return Ok(Tcp::Tokio(TcpStream::connect((host, self.port)).await?));
        };
        let addrs = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, self.port)],
            Err(_) => resolve(host.to_owned(), self.port).await?,
        };
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
        for addr in addrs {
            match driver.connect(addr).await {
                Ok(tcp) => return Ok(Tcp::Driven(tcp)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    async fn exchange(
        &self,
        mut conn: Conn,
        wire: &[u8],
        head_only: bool,
    ) -> Result<RawResponse, Failure> {
        if let Err(e) = conn.stream.write_all(wire).await {
            return Err(Failure::NotSent(Error::new(
                ErrorCode::ConnectFailed,
                format!("the connection closed before the request was sent: {e}"),
            )));
        }
        let read = http1::read_response(&mut conn.stream, &mut conn.buf, head_only);
        let resp = match self.within(self.read_timeout, read).await {
            None => {
                return Err(Failure::Other(Error::new(
                    ErrorCode::ReadTimeout,
                    format!(
                        "no response within the read timeout of {:?}",
                        self.read_timeout
                    ),
                )))
            }
            Some(Err(e)) if e.received_nothing => return Err(Failure::ClosedUnanswered(e.error)),
            Some(Err(e)) => return Err(Failure::Other(e.error)),
            Some(Ok(r)) => r,
        };
        conn.buf.zeroize();
        if resp.reusable {
            self.put_idle(conn);
        }
        Ok(RawResponse {
            status: resp.status,
            request_id: resp.request_id,
            retry_after_ms: resp.retry_after_ms,
            content_type: resp.content_type,
            body: Zeroizing::new(resp.body),
        })
    }
}

/// A failed send, and whether it failed on a pooled connection the server had closed.
#[derive(Debug)]
pub(crate) struct SendError {
    pub error: Error,
    pub stale: Stale,
}

impl SendError {
    fn fatal(error: Error) -> SendError {
        SendError {
            error,
            stale: Stale::No,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stale {
    /// Not a pooled connection, or a failure that says nothing about staleness.
    No,
    /// The pooled connection refused the request bytes: the server cannot have processed it.
    NotSent,
    /// The request was written on a pooled connection that then closed without a byte of
    /// response: almost surely closed by the server while idle, but not provably unprocessed.
    ClosedUnanswered,
}

enum Failure {
    /// The request could not be written: the server cannot have processed it.
    NotSent(Error),
    /// Written, then the connection closed without a byte of response.
    ClosedUnanswered(Error),
    Other(Error),
}

/// Resolves `host` on a thread of its own (the system resolver blocks), so that it needs no
/// runtime: a driven client may have none.
async fn resolve(host: String, port: u16) -> io::Result<Vec<SocketAddr>> {
    use std::net::ToSocketAddrs;
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("kmskit-resolve".into())
        .spawn(move || {
            let _ = tx.send((host.as_str(), port).to_socket_addrs().map(Vec::from_iter));
        })?;
    rx.await
        .map_err(|_| io::Error::other("the name resolution thread stopped"))?
}

fn split_authority(authority: &str, scheme: Scheme) -> Result<(String, u16)> {
    let default_port = match scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    };
    if authority.starts_with('[') {
        let end = authority
            .find(']')
            .ok_or_else(|| Error::configuration("unterminated IPv6 literal"))?;
        let port = match authority[end + 1..].strip_prefix(':') {
            Some(p) => p
                .parse()
                .map_err(|_| Error::configuration("invalid port"))?,
            None => default_port,
        };
        return Ok((authority[..=end].to_owned(), port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Ok((
            h.to_owned(),
            p.parse()
                .map_err(|_| Error::configuration("invalid port"))?,
        )),
        None => Ok((authority.to_owned(), default_port)),
    }
}
