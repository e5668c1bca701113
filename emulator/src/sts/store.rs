//! Temporary credentials the emulator issued (AssumeRole, AssumeRoleWithOIDC, ECS metadata), kept
//! in memory. The KMS and STS listeners look secrets up here when an `STS.` AccessKey signs, then
//! hold the request's security token against the one issued with that key and its expiry.
//!
//! Expired entries stay for a while so a late caller hears "expired" rather than "not found";
//! they are dropped once well past their expiry.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::distributions::{Alphanumeric, DistString};

use crate::auth::{Authenticated, RawRequest, Scheme};
use crate::error::KmsError;

/// How long an expired credential is remembered (to answer `InvalidSecurityToken.Expired`).
const FORGET_AFTER: i64 = 3600;

/// Whom a temporary credential speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    pub account_id: String,
    pub role_name: String,
    pub session_name: String,
    /// Numeric id of the role, stable per role ARN (as RAM's role ids are).
    pub role_id: String,
}

impl AssumedRole {
    pub fn arn(&self) -> String {
        format!(
            "acs:ram::{}:assumed-role/{}/{}",
            self.account_id, self.role_name, self.session_name
        )
    }
    /// `<role id>:<session name>`, STS's AssumedRoleId.
    pub fn assumed_role_id(&self) -> String {
        format!("{}:{}", self.role_id, self.session_name)
    }
}

/// One issued credential. The secret and token never reach logs (Debug hides them).
#[derive(Clone)]
pub struct TempCredential {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: String,
    pub expiration: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    pub identity: AssumedRole,
}

impl std::fmt::Debug for TempCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempCredential")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl TempCredential {
    /// `YYYY-MM-DDTHH:MM:SSZ`, the only form the official libraries parse.
    pub fn expiration_text(&self) -> String {
        format_time(self.expiration)
    }
}

pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A stable 19-digit id for a role ARN, shaped like RAM's role ids.
pub fn role_id_for(arn: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(arn.as_bytes());
    let mut n = [0u8; 8];
    n.copy_from_slice(&h[..8]);
    format!("3{:018}", u64::from_be_bytes(n) % 1_000_000_000_000_000_000)
}

#[derive(Debug, Default)]
pub struct TempCredentialStore {
    by_key: RwLock<HashMap<String, TempCredential>>,
}

impl TempCredentialStore {
    /// Issues a fresh credential valid for `lifetime` from `now`. The expiry is rounded up to a
    /// whole second, because the wire form has no fraction and a client must never see an expiry
    /// earlier than the server's.
    pub fn issue(
        &self,
        identity: AssumedRole,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> TempCredential {
        let mut rng = rand::rngs::OsRng;
        let end = now + lifetime;
        let expiration = match end.duration_trunc(Duration::seconds(1)) {
            Ok(t) if t == end => t,
            Ok(t) => t + Duration::seconds(1),
            Err(_) => end,
        };
        let cred = TempCredential {
            access_key_id: format!("STS.N{}", Alphanumeric.sample_string(&mut rng, 27)),
            access_key_secret: Alphanumeric.sample_string(&mut rng, 44),
            security_token: format!("CAIS{}", Alphanumeric.sample_string(&mut rng, 120)),
            expiration,
            issued_at: now,
            identity,
        };
        let mut map = match self.by_key.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        map.retain(|_, c| now - c.expiration < Duration::seconds(FORGET_AFTER));
        map.insert(cred.access_key_id.clone(), cred.clone());
        cred
    }

    pub fn get(&self, access_key_id: &str) -> Option<TempCredential> {
        let map = match self.by_key.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        map.get(access_key_id).cloned()
    }

    /// The secret of an issued key, expired or not: the signature is checked first, then
    /// [`Self::check_token`] says whether the key may still be used.
    pub fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self.get(access_key_id).map(|c| c.access_key_secret)
    }

    /// After a request verified: an `STS.` key needs its own security token, unexpired. Requests
    /// signed with long-term keys pass untouched (a token sent alongside one is ignored).
    pub fn check_token(
        &self,
        req: &RawRequest,
        authed: &Authenticated,
        now: DateTime<Utc>,
    ) -> Result<(), KmsError> {
        let Some(cred) = self.get(&authed.access_key_id) else {
            return Ok(());
        };
        let token = match authed.scheme {
            Scheme::RpcV1 => authed.params.get("SecurityToken").map(String::as_str),
            Scheme::Acs3 | Scheme::Acs4 => req.header("x-acs-security-token").map(str::trim),
        }
        .filter(|t| !t.is_empty())
        .ok_or_else(missing_token)?;
        if !crate::auth::ct_eq(token.as_bytes(), cred.security_token.as_bytes()) {
            return Err(token_mismatch());
        }
        if now >= cred.expiration {
            return Err(token_expired());
        }
        Ok(())
    }
}

pub fn missing_token() -> KmsError {
    KmsError::new(
        400,
        "MissingSecurityToken",
        "SecurityToken is mandatory for this action.",
    )
}

pub fn token_mismatch() -> KmsError {
    KmsError::new(
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
        "Specified SecurityToken mismatch with the AccessKey.",
    )
}

pub fn token_expired() -> KmsError {
    KmsError::new(
        400,
        "InvalidSecurityToken.Expired",
        "Specified SecurityToken is expired.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who() -> AssumedRole {
        AssumedRole {
            account_id: "1".into(),
            role_name: "r".into(),
            session_name: "s".into(),
            role_id: role_id_for("acs:ram::1:role/r"),
        }
    }

    #[test]
    fn expiry_rounds_up_and_ids_look_real() {
        let store = TempCredentialStore::default();
        let now = DateTime::parse_from_rfc3339("2024-01-01T00:00:00.300Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = store.issue(who(), now, Duration::seconds(2));
        assert_eq!(c.expiration_text(), "2024-01-01T00:00:03Z");
        assert!(c.access_key_id.starts_with("STS.") && c.access_key_id.len() == 32);
        assert!(c.security_token.starts_with("CAIS"));
        assert_eq!(
            store.secret_for(&c.access_key_id),
            Some(c.access_key_secret.clone())
        );
        assert!(!format!("{c:?}").contains(&c.access_key_secret));
        assert_eq!(role_id_for("a").len(), 19);
    }
}
