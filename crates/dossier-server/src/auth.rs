//! API key authentication: the key becomes the request's [`Principal`], acting with the key's role.
//! Requests are rate-limited per key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use dossier_app::{AppError, Principal};

use crate::AppState;
use crate::error::ApiError;

/// The caller of an `/api` route: the principal of a live API key.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

impl std::ops::Deref for Auth {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// The secret of `Authorization: Bearer <secret>`; the scheme is case-insensitive (RFC 9110 §11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, secret) = value.split_once(' ')?;
    let secret = secret.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer)
            .ok_or(AppError::Unauthorized)?;
        let (key, settings_version) = state
            .app
            .store
            .api_key_by_secret(secret)
            .await?
            .ok_or(AppError::Unauthorized)?;
        state.limiter.check(&key.id)?;
        Ok(Auth(Principal::api_key(
            &key.workspace_id,
            &key.id,
            key.role,
            settings_version,
        )))
    }
}

/// A token bucket per API key, in this process's memory: each process of a cluster enforces the limit
/// on the requests it serves (documented in docs/configuration.md).
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    refreshed: Instant,
}

impl RateLimiter {
    /// `per_second == 0` disables limiting.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self {
            per_second: per_second as f64,
            burst: burst.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, key_id: &str) -> Result<(), AppError> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key_id.to_string()).or_insert(Bucket {
            tokens: self.burst,
            refreshed: now,
        });
        let elapsed = now.duration_since(bucket.refreshed).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.refreshed = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(AppError::RateLimited {
                retry_after_secs: wait.ceil().max(1.0) as u64,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer("Bearer dsk_1"), Some("dsk_1"));
        assert_eq!(bearer("BEARER dsk_1"), Some("dsk_1"));
        assert_eq!(bearer("bEaReR  dsk_1 "), Some("dsk_1"));
        assert_eq!(bearer("Basic dsk_1"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearerdsk_1"), None);
    }

    #[test]
    fn the_bucket_allows_a_burst_then_refuses_with_a_retry_time() {
        let limiter = RateLimiter::new(1, 3);
        for _ in 0..3 {
            assert!(limiter.check("k").is_ok());
        }
        match limiter.check("k") {
            Err(AppError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("expected 429, got {other:?}"),
        }
        // Another key has its own bucket.
        assert!(limiter.check("other").is_ok());
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = RateLimiter::new(0, 1);
        for _ in 0..1000 {
            assert!(limiter.check("k").is_ok());
        }
    }
}
