//! Opening the database: pragmas for durability and the schema, created on every start.

use std::path::Path;

use rusqlite::Connection;

/// One JSON document per key/secret; versions, aliases, tags and sealed material in their own
/// tables so lookups by id stay indexed.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS keys (
    key_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS key_versions (
    version_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    created TEXT NOT NULL,
    material BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS key_versions_by_key ON key_versions(key_id);
CREATE TABLE IF NOT EXISTS aliases (
    alias_name TEXT PRIMARY KEY,
    key_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS secret_versions (
    name TEXT NOT NULL,
    version_id TEXT NOT NULL,
    created TEXT NOT NULL,
    data_type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (name, version_id)
);
CREATE TABLE IF NOT EXISTS tags (
    resource TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (resource, tag_key)
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
";

/// A file database in WAL mode with `synchronous=FULL`: every acknowledged write has been fsynced,
/// so it survives `kill -9` (and power loss, as far as the disk is honest).
pub fn open_file(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

pub fn open_memory() -> rusqlite::Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}
