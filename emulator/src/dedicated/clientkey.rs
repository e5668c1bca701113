//! ClientKeys: the RSA credentials of an application access point. The emulator issues them in the
//! official file format (`{"KeyId":"KAAP.<uuid>","PrivateKeyData":"<base64 PKCS#12>"}` plus a
//! password) and remembers only each key's public half, which is all the Instance API needs to
//! check a request signature. Keys configured from outside (the shared test ClientKey) are public
//! keys only. Issued keys live for the process lifetime.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::Rng;
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey};
use rsa::{RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

use super::pkcs12_writer;

/// A ClientKey accepted without being issued here: its id and public key (SPKI PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyPublic {
    pub key_id: String,
    pub public_key_pem: String,
}

struct Registered {
    public: RsaPublicKey,
    not_before: Option<DateTime<Utc>>,
    not_after: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct ClientKeyRegistry {
    keys: RwLock<HashMap<String, Registered>>,
}

impl ClientKeyRegistry {
    pub fn add_public(&self, key: &ClientKeyPublic) -> Result<(), String> {
        let public = RsaPublicKey::from_public_key_pem(key.public_key_pem.trim())
            .map_err(|e| format!("client key {}: not an RSA public key PEM: {e}", key.key_id))?;
        self.insert(&key.key_id, public, None, None);
        Ok(())
    }

    fn insert(
        &self,
        id: &str,
        public: RsaPublicKey,
        not_before: Option<DateTime<Utc>>,
        not_after: Option<DateTime<Utc>>,
    ) {
        if let Ok(mut keys) = self.keys.write() {
            keys.insert(
                id.to_owned(),
                Registered {
                    public,
                    not_before,
                    not_after,
                },
            );
        }
    }

    /// The key's public half, if the key is known and valid at `now`.
    pub fn public_key(&self, id: &str, now: DateTime<Utc>) -> Option<RsaPublicKey> {
        let keys = self.keys.read().ok()?;
        let k = keys.get(id)?;
        if k.not_before.is_some_and(|t| now < t) || k.not_after.is_some_and(|t| now > t) {
            return None;
        }
        Some(k.public.clone())
    }

    /// Issues a new ClientKey and accepts it from now on.
    pub fn issue(&self, req: &IssueRequest) -> Result<IssuedClientKey, String> {
        let issued = issue(req)?;
        self.insert(
            &issued.key_id,
            issued.public.clone(),
            Some(issued.not_before),
            Some(issued.not_after),
        );
        Ok(issued)
    }
}

/// What a new ClientKey should look like.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    pub instance_id: String,
    /// None: a random 32-hex-digit password, like the console's.
    pub password: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub not_after: Option<DateTime<Utc>>,
}

/// A freshly issued ClientKey. Debug hides the private parts.
pub struct IssuedClientKey {
    pub key_id: String,
    /// Base64 of the PKCS#12, as in the official file.
    pub private_key_data: Zeroizing<String>,
    pub password: Zeroizing<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub public: RsaPublicKey,
}

impl std::fmt::Debug for IssuedClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedClientKey")
            .field("key_id", &self.key_id)
            .field("private_key_data", &"***")
            .field("password", &"***")
            .finish()
    }
}

/// Paths of the two files `write_files` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyFiles {
    pub key_file: PathBuf,
    pub password_file: PathBuf,
}

impl IssuedClientKey {
    /// The official file content: exactly `KeyId` and `PrivateKeyData`.
    pub fn file_json(&self) -> String {
        serde_json::json!({"KeyId": self.key_id, "PrivateKeyData": self.private_key_data.as_str()})
            .to_string()
    }

    /// Writes `clientKey_<KeyId>.json` and `clientKey_<KeyId>_Password.txt` (plain password, the
    /// form the official secrets clients read) into `dir`, mode 0600.
    pub fn write_files(&self, dir: &Path) -> std::io::Result<ClientKeyFiles> {
        std::fs::create_dir_all(dir)?;
        let key_file = dir.join(format!("clientKey_{}.json", self.key_id));
        let password_file = dir.join(format!("clientKey_{}_Password.txt", self.key_id));
        write_private(&key_file, self.file_json().as_bytes())?;
        write_private(&password_file, self.password.as_bytes())?;
        Ok(ClientKeyFiles {
            key_file,
            password_file,
        })
    }
}

fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    std::io::Write::write_all(&mut opts.open(path)?, content)
}

fn random_password() -> String {
    let mut rng = rand::thread_rng();
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
        .collect()
}

fn issue(req: &IssueRequest) -> Result<IssuedClientKey, String> {
    let now = Utc::now();
    let not_before = req.not_before.unwrap_or(now - chrono::Duration::minutes(5));
    let not_after = req
        .not_after
        .unwrap_or(not_before + chrono::Duration::days(5 * 365));
    if not_after <= not_before {
        return Err("NotAfter must be later than NotBefore".to_owned());
    }
    let password = Zeroizing::new(req.password.clone().unwrap_or_else(random_password));
    let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
        .map_err(|e| format!("RSA key generation failed: {e}"))?;
    let pkcs8 = private
        .to_pkcs8_der()
        .map_err(|e| format!("PKCS#8 encoding failed: {e}"))?;
    let cert_der = self_signed_cert(&req.instance_id, pkcs8.as_bytes(), not_before, not_after)?;
    let p12 = pkcs12_writer::write(&cert_der, pkcs8.as_bytes(), &password);
    Ok(IssuedClientKey {
        key_id: format!("KAAP.{}", uuid::Uuid::new_v4()),
        private_key_data: Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(p12)),
        password,
        not_before,
        not_after,
        public: private.to_public_key(),
    })
}

/// Self-signed, CN=<instance>-client, O=Alibaba, OU=Aliyun, L=Hangzhou, ST=Zhejiang, C=CN: the
/// subject real ClientKeys carry.
fn self_signed_cert(
    instance_id: &str,
    pkcs8: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Vec<u8>, String> {
    use rcgen::{CertificateParams, DnType, KeyPair};
    let err = |e: rcgen::Error| format!("client certificate generation failed: {e}");
    let key = KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.into(), &rcgen::PKCS_RSA_SHA256)
        .map_err(err)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    let dn = &mut params.distinguished_name;
    dn.push(DnType::CommonName, format!("{instance_id}-client"));
    dn.push(DnType::OrganizationName, "Alibaba");
    dn.push(DnType::OrganizationalUnitName, "Aliyun");
    dn.push(DnType::LocalityName, "Hangzhou");
    dn.push(DnType::StateOrProvinceName, "Zhejiang");
    dn.push(DnType::CountryName, "CN");
    let to_time = |t: DateTime<Utc>| {
        rcgen::date_time_ymd(1970, 1, 1)
            + std::time::Duration::from_secs(t.timestamp().max(0) as u64)
    };
    params.not_before = to_time(not_before);
    params.not_after = to_time(not_after);
    let cert = params.self_signed(&key).map_err(err)?;
    Ok(cert.der().to_vec())
}
