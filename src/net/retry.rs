//! When to try a request again, and how long to wait first (spec §8): 408, 423, 429 and 5xx
//! except 501 are retried, as are connection errors and timeouts; at most three retries, with
//! exponential backoff and jitter, each wait capped, `Retry-After` honoured up to the cap (a
//! longer one — an HTTP date years ahead — is not waited for at all: the client stops retrying
//! and says so).

use std::time::Duration;

/// The retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; doubled for each further retry.
    pub base: Duration,
    /// No single wait is longer than this, whatever `Retry-After` asks.
    pub cap: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy { max_retries: 3, base: Duration::from_millis(500), cap: Duration::from_secs(30) }
    }
}

/// Whether a response status is worth another try.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 423 | 429) || ((500..=599).contains(&status) && status != 501)
}

impl Policy {
    /// The wait before retry number `retry` (1-based). `retry_after` wins over the backoff;
    /// `jitter` in [0, 1) spreads clients over the whole backoff ("full jitter": anything from
    /// 0 to the capped exponential backoff).
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.cap);
        }
        let exp = self.base.saturating_mul(1u32 << (retry.saturating_sub(1)).min(16));
        let exp = exp.min(self.cap);
        exp.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// Parses `Retry-After`: delay seconds, or an HTTP date (relative to `now_ms`).
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = crate::timestamp::parse_rfc2822(v)?;
    Some(Duration::from_millis(u64::try_from(at - now_ms).unwrap_or(0)))
}

/// A jitter in [0, 1) from the process's random stream (seeded per process from the OS, so
/// clients started together do not retry together).
pub fn jitter() -> f64 {
    crate::random::unit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses_per_spec() {
        for s in [408, 423, 429, 500, 502, 503, 504, 599] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 413, 422, 501] {
            assert!(!retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = Policy { max_retries: 3, base: Duration::from_millis(500), cap: Duration::from_secs(3) };
        assert_eq!(p.wait(1, None, 1.0), Duration::from_millis(500));
        assert_eq!(p.wait(1, None, 0.5), Duration::from_millis(250));
        assert_eq!(p.wait(1, None, 0.0), Duration::ZERO, "full jitter: down to nothing");
        assert_eq!(p.wait(2, None, 1.0), Duration::from_millis(1000));
        assert_eq!(p.wait(3, None, 1.0), Duration::from_millis(2000));
        assert_eq!(p.wait(4, None, 1.0), Duration::from_secs(3), "capped");
        assert_eq!(p.wait(40, None, 1.0), Duration::from_secs(3), "no overflow");
        assert_eq!(p.wait(1, Some(Duration::from_secs(2)), 0.3), Duration::from_secs(2), "Retry-After wins");
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(60)), 0.3),
            Duration::from_secs(3),
            "and is capped too"
        );
    }

    #[test]
    fn retry_after_seconds_or_http_date() {
        assert_eq!(parse_retry_after("2", 0), Some(Duration::from_secs(2)));
        let now = 1_704_721_970_000; // Mon, 08 Jan 2024 13:52:50 GMT
        assert_eq!(parse_retry_after("Mon, 08 Jan 2024 13:52:55 GMT", now), Some(Duration::from_secs(5)));
        assert_eq!(
            parse_retry_after("Mon, 08 Jan 2024 13:52:40 GMT", now),
            Some(Duration::ZERO),
            "past dates: now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn jitter_spreads_over_the_whole_backoff() {
        let p = Policy::default();
        let waits: Vec<Duration> = (0..2000).map(|_| p.wait(1, None, jitter())).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(500)));
        // Both ends of 0..500 ms are reached, not only the upper half.
        assert!(waits.iter().any(|w| *w < Duration::from_millis(50)));
        assert!(waits.iter().any(|w| *w > Duration::from_millis(450)));
        let distinct: std::collections::HashSet<Duration> = waits.into_iter().collect();
        assert!(distinct.len() > 1000, "{}", distinct.len());
    }
}
