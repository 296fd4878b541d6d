//! API key authentication: the key becomes the request's [`Principal`], acting with the key's role.
//! Requests are rate-limited per key, and failed authentications per client address (so made-up keys
//! cannot make the server look keys up without end). A read-only key is refused any change here,
//! before the route reads its body.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath};
use axum::http::{Method, header, request::Parts};
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

/// Routes taking a body that only read: a read-only key may call them.
const READING_ROUTES: &[&str] = &["/api/screening/search"];

/// Whether the request may change something: any method but GET, HEAD and OPTIONS, except on the
/// [`READING_ROUTES`].
fn changes(parts: &Parts) -> bool {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or_else(|| parts.uri.path());
    !READING_ROUTES.contains(&route)
}

/// The bucket of failed authentications a client address draws from: the IPv4 address, or the /64
/// of an IPv6 one (a single host commonly holds a whole /64).
pub fn client_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| client_bucket(c.0.ip()));
        let failed = || {
            if let Some(client) = &client {
                state.auth_failures.spend(client);
            }
            ApiError(AppError::Unauthorized)
        };
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer);
        let fingerprint = secret.map(RecentKeys::fingerprint);
        // An address past its budget of failures is refused before any lookup, unless it presents
        // a key that authenticated lately: a neighbour behind the same address guessing keys must
        // not lock a working integration out.
        if let Some(client) = &client
            && !fingerprint.is_some_and(|f| state.recent_keys.contains(&f))
        {
            state.auth_failures.ensure_left(client)?;
        }
        let Some(fingerprint) = fingerprint else {
            return Err(failed());
        };
        // The fingerprint is the SHA-256 the key is stored under (`hash_secret`): hashed once.
        let stored_hash = hex::encode(fingerprint);
        let Some((key, settings_version)) = state.app.store.api_key_by_hash(&stored_hash).await?
        else {
            state.recent_keys.forget(&fingerprint);
            return Err(failed());
        };
        state.recent_keys.remember(fingerprint);
        state.limiter.check(&key.id)?;
        let principal = Principal::api_key(&key.workspace_id, &key.id, key.role, settings_version);
        // Before the route's body extractor: a read-only key gets 403 whatever it sent. The
        // application layer checks again.
        if changes(parts) {
            principal.require_write()?;
        }
        Ok(Auth(principal))
    }
}

/// Fingerprints of the secrets that authenticated lately, in this process's memory. Only whether a
/// secret worked is kept, never what it grants: such a key is still looked up on every request, so a
/// revoked key stops working at once.
pub struct RecentKeys {
    seen: Mutex<HashMap<[u8; 32], Instant>>,
}

/// How long a key that worked stays known, and how many are kept at most.
const RECENT_KEY_TTL: std::time::Duration = std::time::Duration::from_secs(3600);
const MAX_RECENT_KEYS: usize = 10_000;

impl Default for RecentKeys {
    fn default() -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
        }
    }
}

impl RecentKeys {
    pub fn fingerprint(secret: &str) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(secret.as_bytes()).into()
    }

    pub fn contains(&self, fingerprint: &[u8; 32]) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(fingerprint)
            .is_some_and(|at| at.elapsed() < RECENT_KEY_TTL)
    }

    pub fn remember(&self, fingerprint: [u8; 32]) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MAX_RECENT_KEYS && !seen.contains_key(&fingerprint) {
            seen.retain(|_, at| at.elapsed() < RECENT_KEY_TTL);
            if seen.len() >= MAX_RECENT_KEYS {
                // Forgetting them all only brings back the plain per-address limit.
                seen.clear();
            }
        }
        seen.insert(fingerprint, Instant::now());
    }

    pub fn forget(&self, fingerprint: &[u8; 32]) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(fingerprint);
    }
}

/// A token bucket per API key (or per client address, for failed authentications), in this process's
/// memory: each process of a cluster enforces the limit on the requests it serves (documented in
/// docs/configuration.md).
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

    /// `per_minute` a minute, all of them at once at most (`0` disables limiting).
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            per_second: per_minute as f64 / 60.0,
            burst: per_minute.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Spends a token of `key`'s bucket: 429 with the wait when it is empty.
    pub fn check(&self, key: &str) -> Result<(), AppError> {
        self.with_bucket(key, |bucket, per_second| {
            refusal(bucket, per_second)?;
            bucket.tokens -= 1.0;
            Ok(())
        })
    }

    /// 429 when `key`'s bucket is empty; spends nothing.
    pub fn ensure_left(&self, key: &str) -> Result<(), AppError> {
        self.with_bucket(key, |bucket, per_second| refusal(bucket, per_second))
    }

    /// Spends a token of `key`'s bucket, if any is left.
    pub fn spend(&self, key: &str) {
        self.with_bucket(key, |bucket, _| {
            bucket.tokens = (bucket.tokens - 1.0).max(0.0);
            Ok(())
        })
        .ok();
    }

    fn with_bucket(
        &self,
        key: &str,
        f: impl FnOnce(&mut Bucket, f64) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            // Forget the buckets that have filled up again: they hold nothing a new one would not.
            let (per_second, burst) = (self.per_second, self.burst);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.refreshed).as_secs_f64() * per_second < burst
            });
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.burst,
            refreshed: now,
        });
        let elapsed = now.duration_since(bucket.refreshed).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.refreshed = now;
        f(bucket, self.per_second)
    }
}

/// How many buckets a limiter keeps before it forgets the full ones.
const MAX_BUCKETS: usize = 100_000;

/// 429 with the wait until a token is back, when the bucket has none.
fn refusal(bucket: &Bucket, per_second: f64) -> Result<(), AppError> {
    if bucket.tokens >= 1.0 {
        Ok(())
    } else {
        let wait = (1.0 - bucket.tokens) / per_second;
        Err(AppError::RateLimited {
            retry_after_secs: wait.ceil().max(1.0) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_the_hash_keys_are_stored_under() {
        for secret in ["dsk_1", "dsk_an-other-key", ""] {
            assert_eq!(
                hex::encode(RecentKeys::fingerprint(secret)),
                dossier_store::hash_secret(secret)
            );
        }
    }

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
    fn failures_are_counted_without_refusing_until_the_budget_is_spent() {
        let limiter = RateLimiter::new(1, 2);
        assert!(limiter.ensure_left("1.2.3.4").is_ok());
        assert!(
            limiter.ensure_left("1.2.3.4").is_ok(),
            "looking spends nothing"
        );
        limiter.spend("1.2.3.4");
        limiter.spend("1.2.3.4");
        assert!(matches!(
            limiter.ensure_left("1.2.3.4"),
            Err(AppError::RateLimited { .. })
        ));
        limiter.spend("1.2.3.4");
        assert!(limiter.ensure_left("5.6.7.8").is_ok());
    }

    #[test]
    fn clients_are_grouped_by_address_and_ipv6_slash_64() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(client_bucket(ip("10.0.0.7")), "10.0.0.7");
        assert_eq!(client_bucket(ip("::ffff:10.0.0.7")), "10.0.0.7");
        assert_eq!(
            client_bucket(ip("2001:db8:1:2:aaaa::1")),
            client_bucket(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            client_bucket(ip("2001:db8:1:2::1")),
            client_bucket(ip("2001:db8:1:3::1"))
        );
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = RateLimiter::new(0, 1);
        for _ in 0..1000 {
            assert!(limiter.check("k").is_ok());
        }
    }
}
