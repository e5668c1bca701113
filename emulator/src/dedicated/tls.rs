//! The dedicated gateway's TLS identity: a CA generated at every start (as each real KMS instance
//! has its own `PrivateKmsCA_<kst-id>.pem`) and a server certificate it issues for
//! `<instance-id>.cryptoservice.kms.aliyuncs.com`, `localhost` and `127.0.0.1`, so clients can
//! verify the hostname whether they dial the instance name or the loopback address.

use std::sync::Arc;

use chrono::Datelike;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct GatewayTls {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

/// The hostname of a KMS instance's dedicated gateway.
pub fn instance_host(instance_id: &str) -> String {
    format!("{instance_id}.cryptoservice.kms.aliyuncs.com")
}

fn validity(params: &mut CertificateParams, years: i32) {
    let today = chrono::Utc::now().date_naive();
    let start = today - chrono::Duration::days(1);
    params.not_before = rcgen::date_time_ymd(start.year(), start.month() as u8, start.day() as u8);
    params.not_after = rcgen::date_time_ymd(
        start.year() + years,
        start.month() as u8,
        start.day().min(28) as u8,
    );
}

pub fn generate(instance_id: &str) -> Result<GatewayTls, String> {
    let err = |e: rcgen::Error| format!("certificate generation failed: {e}");
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("kmskit-emulator CA {instance_id}"),
    );
    ca.distinguished_name
        .push(DnType::OrganizationName, "kmskit-emulator");
    validity(&mut ca, 10);
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, ca_key);

    let host = instance_host(instance_id);
    let mut server = CertificateParams::new(vec![
        host.clone(),
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
    ])
    .map_err(err)?;
    server.distinguished_name.push(DnType::CommonName, host);
    server.use_authority_key_identifier_extension = true;
    validity(&mut server, 5);
    let server_key = KeyPair::generate().map_err(err)?;
    let server_cert = server.signed_by(&server_key, &issuer).map_err(err)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS setup failed: {e}"))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| format!("TLS setup failed: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(GatewayTls {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(config),
    })
}
