//! The refresh cache every expiring provider sits behind.
//!
//! - **Single flight.** At most one fetch runs per provider. Callers that need a credential
//!   while none is usable queue on one async mutex; the first fetches, the rest find the result
//!   (success *or* failure) recorded under a generation number and return it without fetching.
//!   No std lock is held across an await; nothing blocks an executor thread.
//! - **Refresh ahead.** A credential with a lifetime `L` is refreshed from
//!   `expiration - min(15 min, L/2)`, plus a jitter of up to a quarter of that window so a fleet
//!   does not refresh in step. In that window the first caller to notice refreshes (inline,
//!   so no background task and no runtime dependency) while every other caller keeps getting
//!   the cached credential at once.
//! - **Failures.** A failed refresh never takes away a credential that is still valid: callers
//!   keep getting it until its real expiry (less a 10 s safety margin, a request signed at the
//!   last second could arrive late). Attempts are spaced by capped exponential backoff with
//!   jitter (`min(1 s * 2^(n-1), 60 s)`, the cap the official libraries lost by writing `max`).
//!   Once nothing valid is left, the last error is returned (fast, during the backoff).
//! - **Static stability** (metadata service only): when the service is down past the
//!   credential's expiry, the last credential is served for another 5–15 minutes (jittered),
//!   at most one hour past its expiry in total, with a warning. The service checks the token
//!   itself, so this only bridges an outage of the metadata service, never a revoked role.

use super::{BoxFuture, Credentials};
use crate::config::{Clock, JitterSource, NonceSource, Sleeper, SystemHooks};
use crate::error::{Error, ErrorCode, Result};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

/// Time, randomness and sleeping for providers, injectable so tests are exact.
#[derive(Clone)]
pub struct CredentialHooks {
    pub clock: Arc<dyn Clock>,
    pub nonce: Arc<dyn NonceSource>,
    pub sleeper: Arc<dyn Sleeper>,
    pub jitter: Arc<dyn JitterSource>,
}

impl Default for CredentialHooks {
    fn default() -> Self {
        let s = Arc::new(SystemHooks);
        CredentialHooks {
            clock: s.clone(),
            nonce: s.clone(),
            sleeper: s.clone(),
            jitter: s,
        }
    }
}

impl fmt::Debug for CredentialHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialHooks")
    }
}

/// Refresh at most this long before expiry.
pub const MAX_REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);
/// A credential this close to its expiry is no longer handed out.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(10);
/// Credentials without an expiration (URI, user providers) are fetched again after this.
pub const NO_EXPIRY_REFRESH: Duration = Duration::from_secs(15 * 60);
const RETRY_BASE: Duration = Duration::from_secs(1);
const RETRY_CAP: Duration = Duration::from_secs(60);
const EXTENSION_MIN: Duration = Duration::from_secs(5 * 60);
const EXTENSION_JITTER: Duration = Duration::from_secs(10 * 60);
/// Static stability never serves a credential longer than this past its expiry.
pub const MAX_EXTENSION: Duration = Duration::from_secs(60 * 60);

/// How a provider's cache behaves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    /// Serve the last credential past its expiry (bounded) when refreshing fails.
    pub static_stability: bool,
    /// Refetch credentials that carry no expiration after this long (`None`: never).
    pub no_expiry_refresh: Option<Duration>,
}

impl Policy {
    pub const SESSION: Policy = Policy {
        static_stability: false,
        no_expiry_refresh: Some(NO_EXPIRY_REFRESH),
    };
    pub const METADATA: Policy = Policy {
        static_stability: true,
        no_expiry_refresh: Some(NO_EXPIRY_REFRESH),
    };
}

/// What a provider does to get a fresh credential.
pub(crate) trait Fetch: Send + Sync {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials>>;
}

struct Entry {
    creds: Credentials,
    refresh_at: SystemTime,
    /// `None`: never expires.
    serve_until: Option<SystemTime>,
}

impl Entry {
    fn usable(&self, now: SystemTime) -> bool {
        self.serve_until.is_none_or(|t| now < t)
    }
}

#[derive(Default)]
struct State {
    entry: Option<Entry>,
    failures: u32,
    retry_at: Option<SystemTime>,
    last_error: Option<Error>,
    /// Bumped by every finished fetch, successful or not.
    generation: u64,
}

pub(crate) struct Cache {
    state: Mutex<State>,
    flight: tokio::sync::Mutex<()>,
    policy: Policy,
    hooks: CredentialHooks,
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("policy", &self.policy)
            .finish()
    }
}

enum Plan {
    /// Usable but due: refresh if nobody else is, else serve this.
    Prefetch(Credentials),
    /// Nothing usable: wait for (or run) the one fetch.
    Blocking,
}

impl Cache {
    pub fn new(policy: Policy, hooks: CredentialHooks) -> Cache {
        Cache {
            state: Mutex::new(State::default()),
            flight: tokio::sync::Mutex::new(()),
            policy,
            hooks,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> SystemTime {
        self.hooks.clock.now()
    }

    pub async fn get(&self, fetcher: &dyn Fetch) -> Result<Credentials> {
        let now = self.now();
        let (generation, plan) = {
            let st = self.lock();
            match &st.entry {
                Some(e) if e.usable(now) => {
                    let due = now >= e.refresh_at && st.retry_at.is_none_or(|t| now >= t);
                    if !due {
                        return Ok(e.creds.clone());
                    }
                    (st.generation, Plan::Prefetch(e.creds.clone()))
                }
                _ => {
                    if let (Some(t), Some(err)) = (st.retry_at, &st.last_error) {
                        if now < t {
                            return Err(err.clone());
                        }
                    }
                    (st.generation, Plan::Blocking)
                }
            }
        };
        match plan {
            Plan::Prefetch(cached) => {
                let Ok(_guard) = self.flight.try_lock() else {
                    return Ok(cached);
                };
                if self.lock().generation != generation {
                    return self.settled();
                }
                self.refresh(fetcher).await
            }
            Plan::Blocking => {
                let _guard = self.flight.lock().await;
                if self.lock().generation != generation {
                    return self.settled();
                }
                self.refresh(fetcher).await
            }
        }
    }

    /// The outcome of the fetch another caller just finished.
    fn settled(&self) -> Result<Credentials> {
        let now = self.now();
        let st = self.lock();
        match &st.entry {
            Some(e) if e.usable(now) => Ok(e.creds.clone()),
            _ => Err(st.last_error.clone().unwrap_or_else(|| {
                Error::new(
                    ErrorCode::CredentialsUnavailable,
                    "no credentials available",
                )
            })),
        }
    }

    /// Runs one fetch (the caller holds the flight lock) and records its outcome.
    async fn refresh(&self, fetcher: &dyn Fetch) -> Result<Credentials> {
        let result = fetcher.fetch().await;
        let now = self.now();
        let unit = self.hooks.jitter.unit();
        let result = result.and_then(|c| self.entry_for(c, now, unit));
        let mut st = self.lock();
        st.generation = st.generation.wrapping_add(1);
        match result {
            Ok(entry) => {
                let creds = entry.creds.clone();
                st.entry = Some(entry);
                st.failures = 0;
                st.retry_at = None;
                st.last_error = None;
                Ok(creds)
            }
            Err(err) => {
                st.failures = st.failures.saturating_add(1);
                let delay = super::http::backoff(st.failures, RETRY_BASE, RETRY_CAP, unit);
                st.retry_at = Some(now + delay);
                st.last_error = Some(err.clone());
                let static_stability = self.policy.static_stability;
                let Some(entry) = st.entry.as_mut() else {
                    return Err(err);
                };
                if entry.usable(now) {
                    tracing::warn!(
                        provider = entry.creds.provider_name(),
                        error = %err,
                        retry_in_ms = delay.as_millis() as u64,
                        "refreshing credentials failed; still using the cached credential, which has not expired"
                    );
                    return Ok(entry.creds.clone());
                }
                if static_stability {
                    if let Some(exp) = entry.creds.expiration() {
                        let until = (now + EXTENSION_MIN + EXTENSION_JITTER.mul_f64(unit))
                            .min(exp + MAX_EXTENSION);
                        if until > now {
                            entry.serve_until = Some(until);
                            tracing::warn!(
                                provider = entry.creds.provider_name(),
                                error = %err,
                                "the credentials service is unreachable; using the last credential past its expiration for a few more minutes"
                            );
                            return Ok(entry.creds.clone());
                        }
                    }
                }
                Err(err)
            }
        }
    }

    fn entry_for(&self, creds: Credentials, now: SystemTime, unit: f64) -> Result<Entry> {
        let Some(exp) = creds.expiration() else {
            let refresh_at = match self.policy.no_expiry_refresh {
                Some(d) => now + d,
                None => now + Duration::from_secs(100 * 365 * 86_400),
            };
            return Ok(Entry {
                creds,
                refresh_at,
                serve_until: None,
            });
        };
        let lifetime = exp.duration_since(now).unwrap_or(Duration::ZERO);
        let margin = EXPIRY_MARGIN.min(lifetime / 4);
        if lifetime.is_zero() || lifetime <= margin {
            if self.policy.static_stability {
                // The metadata service handed out an expired credential (its clock or ours is
                // off): use it briefly, try again soon.
                tracing::warn!(
                    provider = creds.provider_name(),
                    "the metadata service returned an expired credential; using it for a few minutes"
                );
                let until =
                    (now + EXTENSION_MIN + EXTENSION_JITTER.mul_f64(unit)).min(exp + MAX_EXTENSION);
                if until > now {
                    return Ok(Entry {
                        creds,
                        refresh_at: now + RETRY_BASE,
                        serve_until: Some(until),
                    });
                }
            }
            return Err(Error::new(
                ErrorCode::CredentialsUnavailable,
                format!(
                    "the {} provider returned credentials that have already expired",
                    creds.provider_name()
                ),
            ));
        }
        let window = MAX_REFRESH_WINDOW.min(lifetime / 2);
        Ok(Entry {
            refresh_at: exp - window + (window / 4).mul_f64(unit.clamp(0.0, 1.0)),
            serve_until: Some(exp - margin),
            creds,
        })
    }
}
