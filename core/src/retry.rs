//! When to try again, and how long to wait. Throttling, 5xx and service-unavailable answers,
//! connection failures and timeouts are retryable; everything else is final. A call that may
//! change state is retried only when the failure proves the server did not process it (the
//! connection never opened, or the service answered "throttled" / "unavailable"). Delays are
//! exponential with full jitter and a cap; the service's `x-acs-retry-after` wins when present.
//! A per-client token bucket (the retry budget) stops a fleet from multiplying a storm.

use crate::error::{Error, ErrorCode};
use std::sync::Mutex;
use std::time::Duration;

/// How a client retries. Defaults: 3 attempts in all, 100 ms base delay, 5 s cap, retry-after
/// honoured up to 20 s, budget of 500 tokens (5 per retry, 10 per retry after a timeout or a
/// lost connection, 1 returned per success).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included. 1 disables retries.
    pub max_attempts: u32,
    /// Base of the exponential backoff.
    pub initial_backoff: Duration,
    /// Cap of one backoff delay.
    pub max_backoff: Duration,
    /// Cap applied to the service's `x-acs-retry-after`.
    pub max_retry_after: Duration,
    /// The retry budget; `None` disables it.
    pub budget: Option<RetryBudgetConfig>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(20),
            budget: Some(RetryBudgetConfig::default()),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (the official SDK's default).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The largest delay before retry number `retry` (1-based): `min(cap, base * 2^(retry-1))`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let shift = retry.saturating_sub(1).min(30);
        let ceiling = self.initial_backoff.saturating_mul(1u32 << shift);
        ceiling.min(self.max_backoff)
    }

    /// Full jitter: uniform in `[0, ceiling]`. `unit` is a uniform sample in `[0, 1)`.
    pub fn jittered_backoff(&self, retry: u32, unit: f64) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        Duration::from_nanos((ceiling.as_nanos() as f64 * unit) as u64)
    }

    /// The delay before retry number `retry` after `err`.
    pub fn delay_for(&self, retry: u32, err: &Error, unit: f64) -> Duration {
        match err.retry_after_ms() {
            Some(ms) => Duration::from_millis(ms).min(self.max_retry_after),
            None => self.jittered_backoff(retry, unit),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryBudgetConfig {
    pub capacity: u32,
    pub retry_cost: u32,
    /// Cost of a retry after a timeout or a lost connection (these hint at an overloaded peer).
    pub timeout_retry_cost: u32,
    pub success_refill: u32,
}

impl Default for RetryBudgetConfig {
    fn default() -> Self {
        RetryBudgetConfig {
            capacity: 500,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refill: 1,
        }
    }
}

/// The token bucket behind [`RetryBudgetConfig`]; one per client, shared by all its calls.
#[derive(Debug)]
pub struct RetryBudget {
    config: Option<RetryBudgetConfig>,
    tokens: Mutex<u32>,
}

impl RetryBudget {
    pub fn new(config: Option<RetryBudgetConfig>) -> Self {
        let tokens = config.as_ref().map(|c| c.capacity).unwrap_or(0);
        RetryBudget {
            config,
            tokens: Mutex::new(tokens),
        }
    }

    /// Takes the cost of one retry after `err`; `false` when the budget is spent.
    pub fn try_acquire(&self, err: &Error) -> bool {
        let Some(cfg) = &self.config else { return true };
        let cost = match err.code() {
            ErrorCode::ReadTimeout | ErrorCode::ConnectTimeout | ErrorCode::ConnectionLost => {
                cfg.timeout_retry_cost
            }
            _ => cfg.retry_cost,
        };
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if *tokens < cost {
            return false;
        }
        *tokens -= cost;
        true
    }

    /// Returns tokens after a success.
    pub fn on_success(&self) {
        let Some(cfg) = &self.config else { return };
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        *tokens = (*tokens + cfg.success_refill).min(cfg.capacity);
    }

    pub fn available(&self) -> Option<u32> {
        self.config
            .as_ref()
            .map(|_| *self.tokens.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Whether `err` may be retried. `idempotent` says whether repeating the call is harmless even
/// if the first attempt was processed.
pub fn is_retryable(err: &Error, idempotent: bool) -> bool {
    match err.code() {
        // Never reached the server, or the server refused before doing anything.
        ErrorCode::ConnectFailed
        | ErrorCode::ConnectTimeout
        | ErrorCode::Throttled
        | ErrorCode::ServiceUnavailable => true,
        // The server may have processed the request.
        ErrorCode::ReadTimeout | ErrorCode::ConnectionLost => idempotent,
        ErrorCode::ServiceError | ErrorCode::InvalidResponse => {
            idempotent
                && err
                    .http_status()
                    .map(|s| (500..600).contains(&s))
                    .unwrap_or(false)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceDetails;

    fn svc(code: ErrorCode, status: u16) -> Error {
        Error::new(code, "x").with_service(ServiceDetails {
            http_status: Some(status),
            ..Default::default()
        })
    }

    #[test]
    fn classification() {
        assert!(is_retryable(
            &Error::new(ErrorCode::ConnectFailed, "x"),
            false
        ));
        assert!(is_retryable(&svc(ErrorCode::Throttled, 400), false));
        assert!(is_retryable(
            &svc(ErrorCode::ServiceUnavailable, 503),
            false
        ));
        assert!(!is_retryable(
            &Error::new(ErrorCode::ReadTimeout, "x"),
            false
        ));
        assert!(is_retryable(&Error::new(ErrorCode::ReadTimeout, "x"), true));
        assert!(!is_retryable(&svc(ErrorCode::ServiceError, 500), false));
        assert!(is_retryable(&svc(ErrorCode::ServiceError, 500), true));
        assert!(is_retryable(&svc(ErrorCode::InvalidResponse, 502), true));
        assert!(!is_retryable(&svc(ErrorCode::InvalidResponse, 200), true));
        assert!(!is_retryable(&svc(ErrorCode::ResourceNotFound, 404), true));
        assert!(!is_retryable(
            &svc(ErrorCode::AuthenticationFailed, 400),
            true
        ));
    }

    #[test]
    fn backoff_is_exponential_capped_and_jittered() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(p.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(p.backoff_ceiling(4), Duration::from_millis(800));
        assert_eq!(p.backoff_ceiling(40), Duration::from_secs(5));
        assert_eq!(p.jittered_backoff(3, 0.0), Duration::ZERO);
        assert_eq!(p.jittered_backoff(3, 0.5), Duration::from_millis(200));
        assert!(p.jittered_backoff(3, 0.999_999) <= Duration::from_millis(400));
        assert_eq!(p.jittered_backoff(3, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn retry_after_wins_and_is_capped() {
        let p = RetryPolicy::default();
        let e = svc(ErrorCode::Throttled, 400).with_retry_after_ms(Some(1500));
        assert_eq!(p.delay_for(1, &e, 0.0), Duration::from_millis(1500));
        let e = svc(ErrorCode::Throttled, 400).with_retry_after_ms(Some(10_000_000));
        assert_eq!(p.delay_for(1, &e, 0.0), Duration::from_secs(20));
    }

    #[test]
    fn budget_drains_and_refills() {
        let b = RetryBudget::new(Some(RetryBudgetConfig {
            capacity: 12,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refill: 1,
        }));
        let throttled = svc(ErrorCode::Throttled, 400);
        assert!(b.try_acquire(&throttled));
        assert!(b.try_acquire(&throttled));
        assert!(!b.try_acquire(&throttled));
        assert_eq!(b.available(), Some(2));
        for _ in 0..20 {
            b.on_success();
        }
        assert_eq!(b.available(), Some(12));
        assert!(b.try_acquire(&Error::new(ErrorCode::ReadTimeout, "x")));
        assert_eq!(b.available(), Some(2));
        assert!(RetryBudget::new(None).try_acquire(&throttled));
    }
}
