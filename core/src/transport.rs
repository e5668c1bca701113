//! The HTTP layer: one pooled keep-alive reqwest client per kmskit client, rustls with the
//! public roots plus an optional custom CA, connect and read timeouts. It maps every transport
//! failure to a typed error that says whether the request could have reached the server, which
//! the retry logic needs. Error messages never include the URL: the query carries plaintexts.

use crate::config::ClientConfig;
use crate::error::{Error, ErrorCode, Result};
use crate::signing::SignedRequest;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: String,
}

/// A response as received, before any interpretation.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// Checks that `pem` holds at least one certificate.
pub(crate) fn parse_ca_pem(pem: &[u8]) -> Result<Vec<reqwest::Certificate>> {
    let certs = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|e| Error::configuration(format!("invalid CA certificate PEM: {}", e.without_url())))?;
    if certs.is_empty() {
        return Err(Error::configuration("the CA PEM contains no certificate"));
    }
    Ok(certs)
}

impl Transport {
    pub fn new(config: &ClientConfig) -> Result<Transport> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .pool_idle_timeout(std::time::Duration::from_secs(50))
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true)
            .http1_only()
            .redirect(reqwest::redirect::Policy::none())
            .use_rustls_tls()
            .https_only(false);
        if let Some(pem) = &config.ca_pem {
            for cert in parse_ca_pem(pem)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| Error::configuration(format!("cannot build the HTTP client: {}", e.without_url())))?;
        Ok(Transport { http, base_url: config.endpoint.base_url() })
    }

    pub async fn send(&self, method: &'static str, req: SignedRequest) -> Result<RawResponse> {
        let mut url = String::with_capacity(self.base_url.len() + req.path_and_query.len());
        url.push_str(&self.base_url);
        url.push_str(&req.path_and_query);
        let method = if method == "GET" { reqwest::Method::GET } else { reqwest::Method::POST };
        let mut headers = HeaderMap::with_capacity(req.headers.len());
        for (name, value) in &req.headers {
            let value = HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| Error::invalid_argument(format!("header {name} has a value that cannot be sent")))?;
            headers.insert(HeaderName::from_static(lower_static(name)), value);
        }
        let response = self
            .http
            .request(method, url)
            .headers(headers)
            .body(req.body)
            .send()
            .await
            .map_err(map_reqwest_error)?;
        let status = response.status().as_u16();
        let h = response.headers();
        let header_str = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let request_id = header_str("x-acs-request-id");
        let retry_after_ms = header_str("x-acs-retry-after").and_then(|v| v.trim().parse::<u64>().ok()).filter(|v| *v > 0);
        let content_type = header_str("content-type");
        let body = response.bytes().await.map_err(map_reqwest_error)?;
        Ok(RawResponse { status, request_id, retry_after_ms, content_type, body })
    }
}

// Header names the signers emit are static; `Authorization` is the only one not in lowercase.
fn lower_static(name: &'static str) -> &'static str {
    if name == "Authorization" {
        "authorization"
    } else {
        name
    }
}

fn map_reqwest_error(e: reqwest::Error) -> Error {
    let e = e.without_url();
    let detail = error_chain(&e);
    if e.is_timeout() {
        if e.is_connect() {
            Error::new(ErrorCode::ConnectTimeout, format!("connect timed out: {detail}"))
        } else {
            Error::new(ErrorCode::ReadTimeout, format!("no response within the read timeout: {detail}"))
        }
    } else if e.is_connect() {
        Error::new(ErrorCode::ConnectFailed, format!("cannot connect: {detail}"))
    } else if e.is_builder() {
        Error::invalid_argument(format!("cannot build the request: {detail}"))
    } else {
        Error::new(ErrorCode::ConnectionLost, format!("connection failed during the request: {detail}"))
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        let text = inner.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cur = inner.source();
    }
    s
}
