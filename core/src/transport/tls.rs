//! TLS for HTTPS endpoints: rustls with the ring provider, the public web PKI roots plus an
//! optional custom CA (a KMS instance CA for the dedicated gateway). Verification is never off.

use crate::error::{Error, Result};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::sync::Arc;

/// Parses one or more PEM certificates; at least one is required.
pub(crate) fn parse_ca_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    let mut certs = Vec::new();
    for item in CertificateDer::pem_slice_iter(pem) {
        certs.push(
            item.map_err(|e| Error::configuration(format!("invalid CA certificate PEM: {e}")))?,
        );
    }
    if certs.is_empty() {
        return Err(Error::configuration("the CA PEM contains no certificate"));
    }
    Ok(certs)
}

pub(crate) fn client_config(ca_pem: Option<&[u8]>) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = ca_pem {
        for cert in parse_ca_pem(pem)? {
            roots.add(cert).map_err(|e| {
                Error::configuration(format!(
                    "the CA certificate cannot be used as a trust anchor: {e}"
                ))
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::configuration(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
