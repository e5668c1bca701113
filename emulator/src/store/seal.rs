//! At-rest sealing of key material under the instance's master key (AES-256-GCM, random 96-bit
//! nonce, the row's identity as AAD so a sealed blob cannot be moved to another row).
//! With `--data-dir` the master key is a 0600 file next to the database; in memory it is random
//! per process.

use std::io::{Read, Write};
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use zeroize::Zeroizing;

pub const MASTER_KEY_FILE: &str = "master.key";
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("master key file: {0}")]
    Io(#[from] std::io::Error),
    #[error("master key file has the wrong length")]
    BadMasterKey,
    #[error("sealed data failed authentication")]
    Corrupt,
}

pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    pub fn random() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::thread_rng().fill_bytes(key.as_mut());
        Sealer {
            cipher: Aes256Gcm::new(key.as_ref().into()),
        }
    }

    /// Loads `<dir>/master.key`, creating it (mode 0600, fsynced) on first start.
    pub fn load_or_create(dir: &Path) -> Result<Self, SealError> {
        let path = dir.join(MASTER_KEY_FILE);
        let mut key = Zeroizing::new([0u8; 32]);
        match std::fs::File::open(&path) {
            Ok(mut f) => {
                let mut buf = Zeroizing::new(Vec::new());
                f.read_to_end(&mut buf)?;
                if buf.len() != 32 {
                    return Err(SealError::BadMasterKey);
                }
                key.copy_from_slice(&buf);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                rand::thread_rng().fill_bytes(key.as_mut());
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let mut f = opts.open(&path)?;
                f.write_all(key.as_ref())?;
                f.sync_all()?;
                if let Ok(d) = std::fs::File::open(dir) {
                    let _ = d.sync_all();
                }
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Sealer {
            cipher: Aes256Gcm::new(key.as_ref().into()),
        })
    }

    pub fn seal(&self, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| SealError::Corrupt)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn open(&self, label: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SealError::Corrupt);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: label.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Corrupt)
    }
}
