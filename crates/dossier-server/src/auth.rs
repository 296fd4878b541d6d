//! API key authentication and per-key rate limiting.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use dossier_domain::audit::Actor;
use dossier_store::ApiKey;

use crate::AppState;
use crate::error::ApiError;

/// The caller of an `/api` route: a live API key and its workspace.
#[derive(Debug, Clone)]
pub struct Auth {
    pub key: ApiKey,
    /// The workspace's settings version when the request came in (handed to its transaction).
    pub settings_version: i64,
}

impl Auth {
    pub fn workspace_id(&self) -> &str {
        &self.key.workspace_id
    }

    pub fn actor(&self) -> Actor {
        Actor::api_key(&self.key.id)
    }

    /// 403 for a read-only key.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.key.read_only {
            Err(ApiError::Forbidden("this API key is read-only".into()))
        } else {
            Ok(())
        }
    }
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
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let (key, settings_version) = state
            .store
            .api_key_by_secret(secret)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        state.limiter.check(&key.id)?;
        Ok(Auth {
            key,
            settings_version,
        })
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

    pub fn check(&self, key_id: &str) -> Result<(), ApiError> {
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
            Err(ApiError::RateLimited {
                retry_after_secs: wait.ceil().max(1.0) as u64,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_a_burst_then_refuses_with_a_retry_time() {
        let limiter = RateLimiter::new(1, 3);
        for _ in 0..3 {
            assert!(limiter.check("k").is_ok());
        }
        match limiter.check("k") {
            Err(ApiError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
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
