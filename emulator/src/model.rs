//! What the emulator stores, as serde documents (one JSON document per row keeps the schema small
//! and lets fields be added without migrations). Key material and secret values are never in
//! these documents: they live sealed in their own columns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const STATE_ENABLED: &str = "Enabled";
pub const STATE_DISABLED: &str = "Disabled";
pub const STATE_PENDING_DELETION: &str = "PendingDeletion";

pub const STAGE_CURRENT: &str = "ACSCurrent";
pub const STAGE_PREVIOUS: &str = "ACSPrevious";

/// A customer master key's metadata (DescribeKey's `KeyMetadata`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyRecord {
    pub key_id: String,
    pub arn: String,
    pub key_spec: String,
    pub key_usage: String,
    pub key_state: String,
    pub description: String,
    pub creation_date: String,
    pub creator: String,
    pub origin: String,
    pub protection_level: String,
    pub primary_key_version: String,
    pub automatic_rotation: bool,
    pub rotation_interval: Option<String>,
    pub last_rotation_date: Option<String>,
    pub next_rotation_date: Option<String>,
    pub delete_date: Option<String>,
}

/// One version of a key (its material is stored separately, sealed).
#[derive(Debug, Clone)]
pub struct KeyVersionRecord {
    pub key_id: String,
    pub key_version_id: String,
    pub creation_date: String,
}

#[derive(Debug, Clone)]
pub struct AliasRecord {
    pub alias_name: String,
    pub key_id: String,
}

/// A secret's metadata; `stages` maps a stage label to the version holding it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretRecord {
    pub name: String,
    pub arn: String,
    pub secret_type: String,
    pub description: String,
    /// Empty when the emulator-managed key protects the secret.
    pub encryption_key_id: String,
    pub create_time: String,
    pub update_time: String,
    pub planned_delete_time: Option<String>,
    pub extended_config: Option<String>,
    pub automatic_rotation: bool,
    pub rotation_interval: Option<String>,
    pub last_rotation_date: Option<String>,
    pub stages: BTreeMap<String, String>,
}

impl SecretRecord {
    /// Stage labels attached to a version, sorted.
    pub fn stages_of(&self, version_id: &str) -> Vec<String> {
        self.stages
            .iter()
            .filter(|(_, v)| *v == version_id)
            .map(|(s, _)| s.clone())
            .collect()
    }
}

/// A secret version without its value.
#[derive(Debug, Clone)]
pub struct SecretVersionRecord {
    pub version_id: String,
    pub create_time: String,
    pub data_type: String,
}

/// `2024-05-01T08:09:10Z`, the timestamp form KMS answers with.
pub fn now_str() -> String {
    fmt_time(chrono::Utc::now())
}

pub fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
