//! Injected faults and request counters, driven by the admin API so client retry logic can be
//! tested against a real socket. Faults are consulted after a request authenticated and before
//! its action runs; a fault either answers in place of the action, delays it, or drops the
//! connection.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::error::KmsError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    Throttling,
    Error,
    Delay,
    Drop,
}

/// The body of `POST /_emulator/faults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub kind: FaultKind,
    pub action: Option<String>,
    pub count: Option<u64>,
    pub ratio: Option<f64>,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub delay_ms: Option<u64>,
}

impl FaultSpec {
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.count.is_some() && self.ratio.is_some() {
            return Err("give either count or ratio, not both");
        }
        if let Some(r) = self.ratio {
            if !(0.0..=1.0).contains(&r) {
                return Err("ratio must be within 0.0..=1.0");
            }
        }
        if let Some(s) = self.status {
            if !(400..=599).contains(&s) {
                return Err("status must be within 400..=599");
            }
        }
        if self.kind == FaultKind::Delay && self.delay_ms.is_none() {
            return Err("delay needs delay_ms");
        }
        if self.delay_ms.is_some_and(|d| d > 600_000) {
            return Err("delay_ms must be at most 600000");
        }
        Ok(())
    }
}

/// What the server should do with a request a fault matched.
#[derive(Debug, Clone)]
pub enum FaultOutcome {
    Respond(KmsError),
    Delay(Duration),
    Drop,
}

#[derive(Debug)]
struct Active {
    id: String,
    spec: FaultSpec,
    remaining: Option<u64>,
}

#[derive(Debug, Default)]
pub struct Faults {
    active: Mutex<Vec<Active>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Faults {
    pub fn add(&self, spec: FaultSpec) -> String {
        let id = format!("fault-{}", uuid::Uuid::new_v4().simple());
        let remaining = spec.count;
        lock(&self.active).push(Active {
            id: id.clone(),
            spec,
            remaining,
        });
        id
    }

    pub fn clear(&self) {
        lock(&self.active).clear();
    }

    /// The first fault (in creation order) that matches `action` and fires this time.
    pub fn check(&self, action: &str) -> Option<FaultOutcome> {
        let mut active = lock(&self.active);
        let idx = active.iter().position(|f| {
            f.spec.action.as_deref().is_none_or(|a| a == action)
                && f.remaining.is_none_or(|n| n > 0)
                && f.spec.ratio.is_none_or(|r| rand::random::<f64>() < r)
        })?;
        let fault = &mut active[idx];
        let outcome = outcome(&fault.spec);
        if let Some(n) = fault.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                active.remove(idx);
            }
        }
        Some(outcome)
    }

    /// Like [`Self::check`], but only faults that name `action` match: STS and metadata actions
    /// are reached by naming them, so a catch-all KMS fault leaves credential sources alone.
    pub fn check_exact(&self, action: &str) -> Option<FaultOutcome> {
        let mut active = lock(&self.active);
        let idx = active.iter().position(|f| {
            f.spec.action.as_deref() == Some(action)
                && f.remaining.is_none_or(|n| n > 0)
                && f.spec.ratio.is_none_or(|r| rand::random::<f64>() < r)
        })?;
        let fault = &mut active[idx];
        let outcome = outcome(&fault.spec);
        if let Some(n) = fault.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                active.remove(idx);
            }
        }
        Some(outcome)
    }

    pub fn ids(&self) -> Vec<String> {
        lock(&self.active).iter().map(|f| f.id.clone()).collect()
    }
}

fn outcome(spec: &FaultSpec) -> FaultOutcome {
    match spec.kind {
        FaultKind::Drop => FaultOutcome::Drop,
        FaultKind::Delay => FaultOutcome::Delay(Duration::from_millis(spec.delay_ms.unwrap_or(0))),
        FaultKind::Throttling => {
            let mut e = KmsError::throttling(spec.retry_after_ms);
            if let Some(s) = spec.status {
                e.status = s;
            }
            if let Some(c) = &spec.code {
                e.code = c.clone().into();
            }
            FaultOutcome::Respond(e)
        }
        FaultKind::Error => {
            let status = spec.status.unwrap_or(503);
            let (code, message) = match status {
                500 => ("InternalFailure", "Internal Failure."),
                503 => (
                    "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.",
                ),
                s if s >= 500 => ("InternalFailure", "Internal Failure."),
                _ => ("InvalidParameter", "The specified parameter is not valid."),
            };
            let mut e = KmsError::new(status, code, message);
            if let Some(c) = &spec.code {
                e.code = c.clone().into();
            }
            if let Some(m) = &spec.message {
                e.message = m.clone().into();
            }
            e.retry_after_ms = spec.retry_after_ms;
            FaultOutcome::Respond(e)
        }
    }
}

/// Authenticated KMS requests per action.
#[derive(Debug, Default)]
pub struct Stats {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub fn record(&self, action: &str) {
        *lock(&self.counts).entry(action.to_owned()).or_insert(0) += 1;
    }

    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        lock(&self.counts).clone()
    }

    pub fn reset(&self) {
        lock(&self.counts).clear();
    }
}
