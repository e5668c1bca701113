//! HTTP/1.1 framing for one request and one response on a connection we own. KMS speaks plain
//! request/response JSON, so this is all a client needs: a request head with Content-Length, and
//! a response with Content-Length, chunked encoding, or a body that ends with the connection.

use crate::error::{Error, ErrorCode, Result};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Responses larger than this are refused rather than buffered.
pub(crate) const MAX_BODY: usize = 16 * 1024 * 1024;
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 64;

/// Serialises a request. Header values must not contain CR or LF (a signer never produces them;
/// user-provided text reaches headers only through the user-agent, which config validates).
pub(crate) fn write_request(
    out: &mut Vec<u8>,
    method: &str,
    path_and_query: &str,
    headers: &[(&'static str, String)],
    body: &[u8],
) -> Result<()> {
    out.reserve(path_and_query.len() + 64 * headers.len() + body.len() + 64);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path_and_query.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(Error::invalid_argument(format!(
                "header {name} contains a line break"
            )));
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if method != "GET" || !body.is_empty() {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(body.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Ok(())
}

/// A parsed response.
#[derive(Debug, Default)]
pub(crate) struct Response {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The connection may carry another request.
    pub reusable: bool,
}

/// Why reading a response failed; `received_nothing` lets the caller tell a stale pooled
/// connection (closed before answering) from a response cut short.
pub(crate) struct ReadError {
    pub error: Error,
    pub received_nothing: bool,
}

fn lost(msg: impl Into<String>, received_nothing: bool) -> ReadError {
    ReadError {
        error: Error::new(ErrorCode::ConnectionLost, msg),
        received_nothing,
    }
}

fn invalid(msg: impl Into<String>) -> ReadError {
    ReadError {
        error: Error::new(ErrorCode::InvalidResponse, msg).with_retryable(false),
        received_nothing: false,
    }
}

/// Reads more bytes into `buf`; `Ok(false)` at end of stream.
async fn fill<R: AsyncRead + Unpin>(io: &mut R, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let len = buf.len();
    buf.reserve(8192);
    let n = io.read_buf(buf).await?;
    debug_assert!(buf.len() == len + n);
    Ok(n > 0)
}

/// Reads one response. `buf` holds bytes already read from the connection and, on return, any
/// bytes past this response.
pub(crate) async fn read_response<R: AsyncRead + Unpin>(
    io: &mut R,
    buf: &mut Vec<u8>,
    head_only: bool,
) -> Result<Response, ReadError> {
    loop {
        // Parse the head; skip interim 1xx responses.
        let (head_len, mut resp, framing) = loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed.parse(buf) {
                Ok(httparse::Status::Complete(n)) => {
                    let (resp, framing) = interpret_head(&parsed)?;
                    break (n, resp, framing);
                }
                Ok(httparse::Status::Partial) => {
                    if buf.len() > MAX_HEAD {
                        return Err(invalid("response head too large"));
                    }
                    let nothing = buf.is_empty();
                    match fill(io, buf).await {
                        Ok(true) => {}
                        Ok(false) => {
                            return Err(lost(
                                "the connection closed before a complete response arrived",
                                nothing,
                            ))
                        }
                        Err(e) => {
                            return Err(lost(format!("reading the response failed: {e}"), nothing))
                        }
                    }
                }
                Err(e) => return Err(invalid(format!("malformed HTTP response: {e}"))),
            }
        };
        buf.drain(..head_len);
        if (100..200).contains(&resp.status) {
            continue;
        }
        if head_only || resp.status == 204 || resp.status == 304 {
            return Ok(resp);
        }
        match framing {
            Framing::Length(n) => {
                if n > MAX_BODY {
                    return Err(invalid("response body too large"));
                }
                while buf.len() < n {
                    match fill(io, buf).await {
                        Ok(true) => {}
                        Ok(false) => {
                            return Err(lost(
                                "the connection closed in the middle of the response body",
                                false,
                            ))
                        }
                        Err(e) => {
                            return Err(lost(
                                format!("reading the response body failed: {e}"),
                                false,
                            ))
                        }
                    }
                }
                resp.body = buf.drain(..n).collect();
            }
            Framing::Chunked => resp.body = read_chunked(io, buf).await?,
            Framing::UntilClose => {
                loop {
                    if buf.len() > MAX_BODY {
                        return Err(invalid("response body too large"));
                    }
                    match fill(io, buf).await {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => {
                            return Err(lost(
                                format!("reading the response body failed: {e}"),
                                false,
                            ))
                        }
                    }
                }
                resp.body = std::mem::take(buf);
                resp.reusable = false;
            }
        }
        return Ok(resp);
    }
}

enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

fn interpret_head(parsed: &httparse::Response<'_, '_>) -> Result<(Response, Framing), ReadError> {
    let status = parsed
        .code
        .ok_or_else(|| invalid("response without a status"))?;
    let mut resp = Response {
        status,
        reusable: parsed.version == Some(1),
        ..Response::default()
    };
    let mut framing = Framing::UntilClose;
    for h in parsed.headers.iter() {
        let value = || {
            std::str::from_utf8(h.value)
                .ok()
                .map(|s| s.trim().to_owned())
        };
        let name = h.name;
        if name.eq_ignore_ascii_case("content-length") {
            let n = value()
                .and_then(|v| v.parse::<usize>().ok())
                .ok_or_else(|| invalid("invalid content-length"))?;
            if !matches!(framing, Framing::Chunked) {
                framing = Framing::Length(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            if value()
                .map(|v| v.to_ascii_lowercase().ends_with("chunked"))
                .unwrap_or(false)
            {
                framing = Framing::Chunked;
            }
        } else if name.eq_ignore_ascii_case("connection") {
            match value().map(|v| v.to_ascii_lowercase()) {
                Some(v) if v.contains("close") => resp.reusable = false,
                Some(v) if v.contains("keep-alive") => resp.reusable = true,
                _ => {}
            }
        } else if name.eq_ignore_ascii_case("x-acs-request-id") {
            resp.request_id = value();
        } else if name.eq_ignore_ascii_case("x-acs-retry-after") {
            resp.retry_after_ms = value()
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|v| *v > 0);
        } else if name.eq_ignore_ascii_case("content-type") {
            resp.content_type = value();
        }
    }
    Ok((resp, framing))
}

async fn read_chunked<R: AsyncRead + Unpin>(
    io: &mut R,
    buf: &mut Vec<u8>,
) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        // Chunk size line.
        let line_end = loop {
            if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                break p;
            }
            if buf.len() > 1024 {
                return Err(invalid("malformed chunk header"));
            }
            if !fill(io, buf)
                .await
                .map_err(|e| lost(format!("reading the response failed: {e}"), false))?
            {
                return Err(lost(
                    "the connection closed in the middle of a chunked body",
                    false,
                ));
            }
        };
        let line =
            std::str::from_utf8(&buf[..line_end]).map_err(|_| invalid("malformed chunk header"))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size_text, 16).map_err(|_| invalid("malformed chunk size"))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers, then the final CRLF.
            loop {
                if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                    let empty = p == 0;
                    buf.drain(..p + 2);
                    if empty {
                        return Ok(body);
                    }
                    continue;
                }
                if !fill(io, buf)
                    .await
                    .map_err(|e| lost(format!("reading the response failed: {e}"), false))?
                {
                    return Err(lost("the connection closed in the chunked trailer", false));
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(invalid("response body too large"));
        }
        while buf.len() < size + 2 {
            if !fill(io, buf)
                .await
                .map_err(|e| lost(format!("reading the response failed: {e}"), false))?
            {
                return Err(lost(
                    "the connection closed in the middle of a chunk",
                    false,
                ));
            }
        }
        body.extend_from_slice(&buf[..size]);
        if &buf[size..size + 2] != b"\r\n" {
            return Err(invalid("malformed chunk terminator"));
        }
        buf.drain(..size + 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(bytes: &[u8]) -> Result<Response, ReadError> {
        let mut io = bytes;
        let mut buf = Vec::new();
        read_response(&mut io, &mut buf, false).await
    }

    #[tokio::test]
    async fn content_length_and_headers() {
        let r = parse(b"HTTP/1.1 400 Bad\r\nContent-Length: 2\r\nx-acs-request-id: R1\r\nx-acs-retry-after: 150\r\nContent-Type: application/json\r\n\r\n{}").await.ok().unwrap();
        assert_eq!(
            (r.status, r.body.as_slice(), r.reusable),
            (400, &b"{}"[..], true)
        );
        assert_eq!(r.request_id.as_deref(), Some("R1"));
        assert_eq!(r.retry_after_ms, Some(150));
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
    }

    #[tokio::test]
    async fn chunked_interim_and_close() {
        let r = parse(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n").await.ok().unwrap();
        assert_eq!(r.body, b"abcde");
        assert!(!r.reusable);
        let r = parse(b"HTTP/1.0 200 OK\r\n\r\nuntil close")
            .await
            .ok()
            .unwrap();
        assert_eq!(r.body, b"until close");
        assert!(!r.reusable);
    }

    #[tokio::test]
    async fn truncated_and_malformed() {
        let e = parse(b"").await.err().unwrap();
        assert!(e.received_nothing);
        assert_eq!(e.error.code(), ErrorCode::ConnectionLost);
        let e = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            .await
            .err()
            .unwrap();
        assert!(!e.received_nothing);
        assert_eq!(e.error.code(), ErrorCode::ConnectionLost);
        assert_eq!(
            parse(b"NOT HTTP\r\n\r\n").await.err().unwrap().error.code(),
            ErrorCode::InvalidResponse
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")
                .await
                .err()
                .unwrap()
                .error
                .code(),
            ErrorCode::InvalidResponse
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                .await
                .err()
                .unwrap()
                .error
                .code(),
            ErrorCode::InvalidResponse
        );
    }

    #[test]
    fn request_head() {
        let mut out = Vec::new();
        write_request(&mut out, "POST", "/?a=b", &[("host", "h".into())], b"").unwrap();
        assert_eq!(
            out,
            b"POST /?a=b HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n"
        );
        let mut out = Vec::new();
        assert!(write_request(
            &mut out,
            "POST",
            "/",
            &[("user-agent", "a\r\nb".into())],
            b""
        )
        .is_err());
    }
}
