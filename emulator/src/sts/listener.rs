//! A plain-HTTP accept loop shared by the STS and ECS metadata listeners: the same keep-alive and
//! graceful-shutdown behaviour as the KMS listener, with the request handler passed in.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::auth::RawRequest;
use crate::server::{DropConnection, HttpResponse};

/// Binds `addr`, reporting 127.0.0.1 when bound to the unspecified address.
pub async fn bind(
    addr: std::net::SocketAddr,
) -> std::io::Result<(tokio::net::TcpListener, std::net::SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut local = listener.local_addr()?;
    if local.ip().is_unspecified() {
        local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    Ok((listener, local))
}

pub async fn serve<H, F>(
    listener: tokio::net::TcpListener,
    handler: H,
    mut shutdown: watch::Receiver<bool>,
    name: &'static str,
) where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<HttpResponse, DropConnection>> + Send + 'static,
{
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, listener = name, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let handler = handler.clone();
                let mut stop = shutdown.clone();
                conns.spawn(async move {
                    let svc = service_fn(handler);
                    let conn = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
        while conns.try_join_next().is_some() {}
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        conns.abort_all();
    }
    tracing::info!(listener = name, "stopped");
}

/// Reads the whole request (bodies over `limit` bytes are an error) into the verifier's form.
pub async fn read_request(
    req: Request<Incoming>,
    limit: usize,
) -> Result<(http::request::Parts, RawRequest), ReadError> {
    let (parts, body) = req.into_parts();
    let body: Bytes = match Limited::new(body, limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Err(ReadError::TooLarge)
        }
        Err(_) => return Err(ReadError::Gone),
    };
    let raw = RawRequest {
        method: parts.method.as_str().to_owned(),
        raw_query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    Ok((parts, raw))
}

pub enum ReadError {
    TooLarge,
    /// The peer went away mid-body.
    Gone,
}
