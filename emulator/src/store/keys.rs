//! Keys, key versions (with sealed material) and aliases.

use rusqlite::{params, OptionalExtension};
use zeroize::Zeroizing;

use super::{doc_err, Store};
use crate::error::KmsResult;
use crate::model::{AliasRecord, KeyRecord, KeyVersionRecord};

impl Store {
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
            .filter(|a| key_id.is_none_or(|k| a.key_id == k))
            .collect())
    }
}
