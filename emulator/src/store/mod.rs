//! Persistence: one SQLite connection behind a mutex. Callers run on blocking threads (actions are
//! dispatched with `spawn_blocking`) and each method holds the lock only for its own statements,
//! never across an await or a slow crypto operation.

mod keys;
mod schema;
pub mod seal;
mod secrets;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::error::{KmsError, KmsResult};
use seal::Sealer;

pub const DB_FILE: &str = "kmskit-emulator.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error(transparent)]
    Seal(#[from] seal::SealError),
    #[error("data dir: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Store {
    conn: Mutex<Connection>,
    sealer: Sealer,
}

fn doc_err(e: serde_json::Error) -> KmsError {
    tracing::error!(error = %e, "corrupt stored document");
    KmsError::internal()
}

impl Store {
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Store {
            conn: Mutex::new(schema::open_memory()?),
            sealer: Sealer::random(),
        })
    }

    pub fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)?;
        let sealer = Sealer::load_or_create(dir)?;
        let conn = schema::open_file(&dir.join(DB_FILE))?;
        Ok(Store {
            conn: Mutex::new(conn),
            sealer,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Folds the WAL into the main file; called on clean shutdown.
    pub fn checkpoint(&self) {
        let conn = self.lock();
        if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }

    fn seal(&self, label: &str, data: &[u8]) -> KmsResult<Vec<u8>> {
        self.sealer
            .seal(label, data)
            .map_err(|_| KmsError::internal())
    }

    fn open(&self, label: &str, data: &[u8]) -> KmsResult<Zeroizing<Vec<u8>>> {
        self.sealer.open(label, data).map_err(|e| {
            tracing::error!(error = %e, "cannot unseal stored material");
            KmsError::internal()
        })
    }

    /// Deletes every key, alias, secret and tag (the admin reset).
    pub fn wipe(&self) -> KmsResult<()> {
        let conn = self.lock();
        conn.execute_batch(
            "BEGIN; DELETE FROM keys; DELETE FROM key_versions; DELETE FROM aliases; DELETE FROM secrets;
             DELETE FROM secret_versions; DELETE FROM tags; DELETE FROM meta; COMMIT;",
        )?;
        Ok(())
    }

    // --- sealed metadata (the emulator-managed secrets key) --------------------------------------

    pub fn meta_secret(&self, name: &str) -> KmsResult<Option<Zeroizing<Vec<u8>>>> {
        let sealed: Option<Vec<u8>> = self
            .lock()
            .query_row(
                "SELECT value FROM meta WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        sealed
            .map(|s| self.open(&format!("meta:{name}"), &s))
            .transpose()
    }

    /// Stores a value unless one exists; returns the value in effect (first writer wins).
    pub fn meta_secret_init(&self, name: &str, value: &[u8]) -> KmsResult<Zeroizing<Vec<u8>>> {
        let sealed = self.seal(&format!("meta:{name}"), value)?;
        self.lock().execute(
            "INSERT OR IGNORE INTO meta (name, value) VALUES (?1, ?2)",
            params![name, sealed],
        )?;
        self.meta_secret(name)?.ok_or_else(KmsError::internal)
    }
}
