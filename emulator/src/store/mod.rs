//! Persistence: one SQLite connection behind a mutex. Callers run on blocking threads (actions are
//! dispatched with `spawn_blocking`) and each method holds the lock only for its own statements,
//! never across an await or a slow crypto operation.

mod schema;
pub mod seal;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::error::{KmsError, KmsResult};
use crate::model::{AliasRecord, KeyRecord, KeyVersionRecord, SecretRecord, SecretVersionRecord};
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

    // --- keys ---------------------------------------------------------------------------------

    /// Stores a key with its first (primary) version.
    pub fn insert_key(
        &self,
        key: &KeyRecord,
        version: &KeyVersionRecord,
        material: &[u8],
    ) -> KmsResult<()> {
        let sealed = self.seal(
            &format!("key-material:{}", version.key_version_id),
            material,
        )?;
        let doc = serde_json::to_string(key).map_err(doc_err)?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO keys (key_id, doc) VALUES (?1, ?2)",
            params![key.key_id, doc],
        )?;
        tx.execute(
            "INSERT INTO key_versions (version_id, key_id, created, material) VALUES (?1, ?2, ?3, ?4)",
            params![version.key_version_id, version.key_id, version.creation_date, sealed],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a version and saves the key document (which names the new primary) atomically.
    pub fn add_key_version(
        &self,
        key: &KeyRecord,
        version: &KeyVersionRecord,
        material: &[u8],
    ) -> KmsResult<()> {
        let sealed = self.seal(
            &format!("key-material:{}", version.key_version_id),
            material,
        )?;
        let doc = serde_json::to_string(key).map_err(doc_err)?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE keys SET doc = ?2 WHERE key_id = ?1",
            params![key.key_id, doc],
        )?;
        tx.execute(
            "INSERT INTO key_versions (version_id, key_id, created, material) VALUES (?1, ?2, ?3, ?4)",
            params![version.key_version_id, version.key_id, version.creation_date, sealed],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn put_key(&self, key: &KeyRecord) -> KmsResult<()> {
        let doc = serde_json::to_string(key).map_err(doc_err)?;
        self.lock().execute(
            "UPDATE keys SET doc = ?2 WHERE key_id = ?1",
            params![key.key_id, doc],
        )?;
        Ok(())
    }

    pub fn get_key(&self, key_id: &str) -> KmsResult<Option<KeyRecord>> {
        let doc: Option<String> = self
            .lock()
            .query_row(
                "SELECT doc FROM keys WHERE key_id = ?1",
                params![key_id],
                |r| r.get(0),
            )
            .optional()?;
        doc.map(|d| serde_json::from_str(&d).map_err(doc_err))
            .transpose()
    }

    /// All keys in creation order.
    pub fn list_keys(&self) -> KmsResult<Vec<KeyRecord>> {
        let docs: Vec<String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare("SELECT doc FROM keys ORDER BY rowid")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        docs.iter()
            .map(|d| serde_json::from_str(d).map_err(doc_err))
            .collect()
    }

    pub fn list_key_versions(&self, key_id: &str) -> KmsResult<Vec<KeyVersionRecord>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT key_id, version_id, created FROM key_versions WHERE key_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![key_id], |r| {
            Ok(KeyVersionRecord {
                key_id: r.get(0)?,
                key_version_id: r.get(1)?,
                creation_date: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn get_key_version(&self, version_id: &str) -> KmsResult<Option<KeyVersionRecord>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT key_id, version_id, created FROM key_versions WHERE version_id = ?1",
                params![version_id],
                |r| {
                    Ok(KeyVersionRecord {
                        key_id: r.get(0)?,
                        key_version_id: r.get(1)?,
                        creation_date: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// The unsealed material of one key version.
    pub fn key_material(&self, version_id: &str) -> KmsResult<Option<Zeroizing<Vec<u8>>>> {
        let sealed: Option<Vec<u8>> = self
            .lock()
            .query_row(
                "SELECT material FROM key_versions WHERE version_id = ?1",
                params![version_id],
                |r| r.get(0),
            )
            .optional()?;
        sealed
            .map(|s| self.open(&format!("key-material:{version_id}"), &s))
            .transpose()
    }

    // --- aliases ------------------------------------------------------------------------------

    /// False when the alias already exists.
    pub fn insert_alias(&self, alias: &str, key_id: &str) -> KmsResult<bool> {
        let n = self.lock().execute(
            "INSERT OR IGNORE INTO aliases (alias_name, key_id) VALUES (?1, ?2)",
            params![alias, key_id],
        )?;
        Ok(n == 1)
    }

    /// False when the alias does not exist.
    pub fn update_alias(&self, alias: &str, key_id: &str) -> KmsResult<bool> {
        let n = self.lock().execute(
            "UPDATE aliases SET key_id = ?2 WHERE alias_name = ?1",
            params![alias, key_id],
        )?;
        Ok(n == 1)
    }

    pub fn delete_alias(&self, alias: &str) -> KmsResult<bool> {
        Ok(self
            .lock()
            .execute("DELETE FROM aliases WHERE alias_name = ?1", params![alias])?
            == 1)
    }

    pub fn get_alias(&self, alias: &str) -> KmsResult<Option<String>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT key_id FROM aliases WHERE alias_name = ?1",
                params![alias],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Aliases in creation order, optionally only those of one key.
    pub fn list_aliases(&self, key_id: Option<&str>) -> KmsResult<Vec<AliasRecord>> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT alias_name, key_id FROM aliases ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| {
            Ok(AliasRecord {
                alias_name: r.get(0)?,
                key_id: r.get(1)?,
            })
        })?;
        let all: Vec<AliasRecord> = rows.collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter(|a| key_id.map_or(true, |k| a.key_id == k))
            .collect())
    }

    // --- secrets ------------------------------------------------------------------------------

    /// Stores a new secret with its first version; false when the name is taken.
    pub fn insert_secret(
        &self,
        secret: &SecretRecord,
        version: &SecretVersionRecord,
        data: &[u8],
    ) -> KmsResult<bool> {
        let doc = serde_json::to_string(secret).map_err(doc_err)?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        if tx.execute(
            "INSERT OR IGNORE INTO secrets (name, doc) VALUES (?1, ?2)",
            params![secret.name, doc],
        )? == 0
        {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO secret_versions (name, version_id, created, data_type, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![secret.name, version.version_id, version.create_time, version.data_type, data],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Adds a version and saves the secret document (its new stage map) atomically; false when
    /// the version id exists.
    pub fn add_secret_version(
        &self,
        secret: &SecretRecord,
        version: &SecretVersionRecord,
        data: &[u8],
    ) -> KmsResult<bool> {
        let doc = serde_json::to_string(secret).map_err(doc_err)?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO secret_versions (name, version_id, created, data_type, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![secret.name, version.version_id, version.create_time, version.data_type, data],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        tx.execute(
            "UPDATE secrets SET doc = ?2 WHERE name = ?1",
            params![secret.name, doc],
        )?;
        tx.commit()?;
        Ok(true)
    }

    pub fn put_secret(&self, secret: &SecretRecord) -> KmsResult<()> {
        let doc = serde_json::to_string(secret).map_err(doc_err)?;
        self.lock().execute(
            "UPDATE secrets SET doc = ?2 WHERE name = ?1",
            params![secret.name, doc],
        )?;
        Ok(())
    }

    pub fn get_secret(&self, name: &str) -> KmsResult<Option<SecretRecord>> {
        let doc: Option<String> = self
            .lock()
            .query_row(
                "SELECT doc FROM secrets WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        doc.map(|d| serde_json::from_str(&d).map_err(doc_err))
            .transpose()
    }

    pub fn list_secrets(&self) -> KmsResult<Vec<SecretRecord>> {
        let docs: Vec<String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare("SELECT doc FROM secrets ORDER BY rowid")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        docs.iter()
            .map(|d| serde_json::from_str(d).map_err(doc_err))
            .collect()
    }

    /// Removes a secret, its versions and its tags.
    pub fn delete_secret(&self, name: &str) -> KmsResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM secrets WHERE name = ?1", params![name])?;
        tx.execute("DELETE FROM secret_versions WHERE name = ?1", params![name])?;
        tx.execute(
            "DELETE FROM tags WHERE resource = ?1",
            params![format!("secret:{name}")],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn secret_versions(&self, name: &str) -> KmsResult<Vec<SecretVersionRecord>> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare("SELECT version_id, created, data_type FROM secret_versions WHERE name = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map(params![name], |r| {
            Ok(SecretVersionRecord {
                version_id: r.get(0)?,
                create_time: r.get(1)?,
                data_type: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One version with its stored (encrypted) value.
    pub fn secret_version(
        &self,
        name: &str,
        version_id: &str,
    ) -> KmsResult<Option<(SecretVersionRecord, Vec<u8>)>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT version_id, created, data_type, data FROM secret_versions WHERE name = ?1 AND version_id = ?2",
                params![name, version_id],
                |r| Ok((SecretVersionRecord { version_id: r.get(0)?, create_time: r.get(1)?, data_type: r.get(2)? }, r.get(3)?)),
            )
            .optional()?)
    }

    // --- tags -----------------------------------------------------------------------------------

    pub fn set_tags(&self, resource: &str, tags: &[(String, String)]) -> KmsResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for (k, v) in tags {
            tx.execute(
                "INSERT INTO tags (resource, tag_key, tag_value) VALUES (?1, ?2, ?3)
                 ON CONFLICT(resource, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
                params![resource, k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn remove_tags(&self, resource: &str, keys: &[String]) -> KmsResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for k in keys {
            tx.execute(
                "DELETE FROM tags WHERE resource = ?1 AND tag_key = ?2",
                params![resource, k],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn tags(&self, resource: &str) -> KmsResult<Vec<(String, String)>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT tag_key, tag_value FROM tags WHERE resource = ?1 ORDER BY tag_key")?;
        let rows = stmt.query_map(params![resource], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
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
