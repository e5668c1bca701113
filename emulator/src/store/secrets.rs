//! Secrets, secret versions (values stored encrypted) and tags.

use rusqlite::{params, OptionalExtension};

use super::{doc_err, Store};
use crate::error::KmsResult;
use crate::model::{SecretRecord, SecretVersionRecord};

impl Store {
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
}
