//! The delivery worker: claims due deliveries, signs and POSTs them, records every attempt, and
//! schedules retries with exponential backoff and jitter. It sleeps until a commit wakes it (in-process
//! notification, or PostgreSQL `NOTIFY` from any process) or the next retry falls due.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dossier_store::{AttemptOutcome, Backend, ClaimedDelivery, Store, timestamp};
use tokio::sync::Semaphore;

use dossier_app::config::{Config, parse_schedule};
use dossier_app::webhooks::signing::signature_header;
use dossier_app::webhooks::target::{check_literal_host, is_private, parse_target};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;

/// Longest wait between two looks at the queue when nothing wakes the worker (covers expired leases).
const IDLE_POLL: Duration = Duration::from_secs(5);

pub struct Dispatcher {
    store: Store,
    client: reqwest::Client,
    schedule: Vec<Duration>,
    allow_private: bool,
    /// How long a claim lasts unrenewed; renewed every third of it while an attempt is in flight.
    lease: Duration,
    concurrency: usize,
}

impl Dispatcher {
    pub fn new(store: Store, config: &Config) -> anyhow::Result<Self> {
        let schedule = parse_schedule(&config.webhooks.retry_schedule)
            .map_err(|e| anyhow::anyhow!("webhooks.retry_schedule: {e}"))?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(config.webhooks.timeout_secs))
            .user_agent(concat!("Dossier-Webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60));
        if !config.webhooks.allow_private_targets {
            builder = builder.dns_resolver(resolver());
        }
        Ok(Self {
            store,
            client: builder.build()?,
            schedule,
            allow_private: config.webhooks.allow_private_targets,
            lease: Duration::from_secs(config.webhooks.lease_secs),
            concurrency: config.webhooks.concurrency.max(1) as usize,
        })
    }

    /// Runs forever (until the runtime stops).
    pub async fn run(self: Arc<Self>) {
        if self.store.backend() == Backend::Sqlite {
            // One node owns a SQLite database: leases left by a killed process are ours to take back.
            if let Err(e) = self.store.release_delivery_leases().await {
                tracing::warn!(error = %e, "could not release old delivery leases");
            }
        }
        self.store.listen_for_events();
        let wake = self.store.events_committed();
        let slots = Arc::new(Semaphore::new(self.concurrency));
        loop {
            let free = slots.available_permits();
            if free == 0 {
                // Every slot is busy: wait for one to come back.
                let _ = slots.clone().acquire_owned().await;
                continue;
            }
            let claimed = match self
                .store
                .claim_due_deliveries(&self.lease_from_now(), free as i64)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming deliveries failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let full = claimed.len() == free;
            for delivery in claimed {
                let permit = slots
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore stays open");
                let me = self.clone();
                let wake = wake.clone();
                tokio::spawn(async move {
                    me.deliver(delivery).await;
                    drop(permit);
                    // The queue changed (a retry was scheduled): let the loop look again.
                    wake.notify_one();
                });
            }
            if full {
                continue;
            }
            let wait = self.until_next_due().await;
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        match self.store.next_delivery_due().await {
            Ok(Some(at)) => match at.parse::<jiff::Timestamp>() {
                Ok(t) => {
                    let left = t.duration_since(jiff::Timestamp::now());
                    Duration::try_from(left)
                        .unwrap_or(Duration::ZERO)
                        .clamp(Duration::from_millis(5), IDLE_POLL)
                }
                Err(_) => IDLE_POLL,
            },
            _ => IDLE_POLL,
        }
    }

    fn lease_from_now(&self) -> String {
        timestamp(jiff::Timestamp::now() + self.lease)
    }

    /// Renews the lease of `d` every third of its length, for as long as it is polled: a slow
    /// receiver keeps its delivery, and no other worker sends a second copy meanwhile.
    async fn keep_lease(&self, d: &mut ClaimedDelivery) {
        loop {
            tokio::time::sleep(self.lease / 3).await;
            match self
                .store
                .renew_delivery_lease(d, &self.lease_from_now())
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(delivery = %d.id, "the delivery's lease was lost during its attempt");
                    std::future::pending::<()>().await;
                }
                // The next renewal may succeed; the lease has two thirds of its length left.
                Err(e) => {
                    tracing::warn!(delivery = %d.id, error = %e, "renewing a delivery lease failed")
                }
            }
        }
    }

    async fn deliver(&self, d: ClaimedDelivery) {
        let started = Instant::now();
        let mut leased = d.clone();
        let outcome = tokio::select! {
            outcome = self.attempt(&d) => outcome,
            _ = self.keep_lease(&mut leased) => unreachable!("keeping a lease never ends"),
        };
        let ms = started.elapsed().as_millis() as i64;
        let label = match &outcome {
            AttemptOutcome::Delivered { .. } => "delivered",
            AttemptOutcome::Retry { .. } => "retry",
            AttemptOutcome::Failed { .. } => "failed",
            AttemptOutcome::Gone => "gone",
        };
        metrics::counter!("webhook_attempts_total", "outcome" => label).increment(1);
        if let AttemptOutcome::Delivered { .. } = outcome
            && let Some(created) = serde_json::from_str::<serde_json::Value>(&d.payload)
                .ok()
                .and_then(|v| {
                    v["created_at"]
                        .as_str()
                        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                })
        {
            let lag = jiff::Timestamp::now().duration_since(created).as_secs_f64();
            metrics::histogram!("webhook_commit_to_delivery_seconds").record(lag);
        }
        tracing::info!(delivery = %d.id, event = %d.event_id, endpoint = %d.endpoint_id, outcome = label, ms, "webhook attempt");
        if let Err(e) = self.store.finish_attempt(&d, &outcome, ms).await {
            // The lease will expire and the delivery be tried again: at least once, never lost.
            tracing::error!(delivery = %d.id, error = %e, "recording a webhook attempt failed");
        }
    }

    async fn attempt(&self, d: &ClaimedDelivery) -> AttemptOutcome {
        let Some(endpoint) = &d.endpoint else {
            return AttemptOutcome::Failed {
                status_code: None,
                error: "the endpoint was deleted".into(),
            };
        };
        if !endpoint.enabled {
            return AttemptOutcome::Failed {
                status_code: None,
                error: "the endpoint is disabled".into(),
            };
        }
        let url = match parse_target(&endpoint.url)
            .and_then(|u| check_literal_host(&u, self.allow_private).map(|_| u))
        {
            Ok(u) => u,
            Err(e) => {
                return AttemptOutcome::Failed {
                    status_code: None,
                    error: e,
                };
            }
        };
        let now = jiff::Timestamp::now();
        let mut secrets = vec![endpoint.secret.as_str()];
        if let (Some(previous), Some(until)) =
            (&endpoint.previous_secret, &endpoint.previous_secret_until)
            && until.parse::<jiff::Timestamp>().is_ok_and(|t| t > now)
        {
            secrets.push(previous);
        }
        let ts = now.as_second();
        let body = d.payload.as_bytes();
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.event_id)
            .header("webhook-timestamp", ts.to_string())
            .header(
                "webhook-signature",
                signature_header(&secrets, &d.event_id, ts, body),
            )
            .body(d.payload.clone())
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => AttemptOutcome::Delivered {
                status_code: r.status().as_u16(),
            },
            Ok(r) if r.status().as_u16() == 410 => AttemptOutcome::Gone,
            Ok(r) => {
                let retry_after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let code = r.status().as_u16();
                self.retry_or_fail(
                    d,
                    Some(code),
                    format!("the endpoint answered HTTP {code}"),
                    retry_after,
                )
            }
            Err(e) => {
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    message = format!("{message}: {s}");
                    source = s.source();
                }
                self.retry_or_fail(d, None, message, None)
            }
        }
    }

    fn retry_or_fail(
        &self,
        d: &ClaimedDelivery,
        status_code: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
    ) -> AttemptOutcome {
        // `attempts` counts the attempts before this one; the schedule holds the delays after each.
        let Some(base) = self.schedule.get(d.attempts as usize) else {
            return AttemptOutcome::Failed {
                status_code,
                error: format!("{error} (no attempts left)"),
            };
        };
        let delay = retry_delay(*base, retry_after, rand::random::<f64>());
        let next = jiff::Timestamp::now() + delay;
        AttemptOutcome::Retry {
            status_code,
            error,
            next_attempt_at: timestamp(next),
        }
    }
}

/// The scheduled delay with ±20% jitter (so a receiver coming back is not hit by every retry at once),
/// or the receiver's `Retry-After` when that is longer (capped at a day).
pub fn retry_delay(base: Duration, retry_after: Option<Duration>, unit_random: f64) -> Duration {
    let jittered = base.mul_f64(0.8 + 0.4 * unit_random.clamp(0.0, 1.0));
    match retry_after {
        Some(ra) if ra > jittered => ra.min(Duration::from_secs(86_400)),
        _ => jittered,
    }
}

/// A DNS resolver that drops private addresses, so a public name that resolves to an internal address
/// (or is rebound to one) cannot be used to reach it: the check and the connection use the same answer.
/// With a resolver set, reqwest's connector connects only to the addresses it returns (a literal
/// address in the URL is not resolved: [`check_literal_host`] checks it before the request).
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> =
                addrs.into_iter().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} resolves only to private addresses, which webhooks may not reach"
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The resolver to give the HTTP client.
pub fn resolver() -> Arc<PublicOnlyResolver> {
    Arc::new(PublicOnlyResolver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_of_private_addresses_do_not_resolve() {
        for name in ["localhost", "127.0.0.1", "::1"] {
            let result = PublicOnlyResolver.resolve(name.parse().unwrap()).await;
            let err = result.err().unwrap_or_else(|| panic!("{name} resolved"));
            assert!(err.to_string().contains("private"), "{name}: {err}");
        }
    }

    #[test]
    fn delays_are_jittered_and_honour_retry_after() {
        let base = Duration::from_secs(10);
        assert_eq!(retry_delay(base, None, 0.0), Duration::from_secs(8));
        assert_eq!(retry_delay(base, None, 1.0), Duration::from_secs(12));
        assert_eq!(
            retry_delay(base, Some(Duration::from_secs(60)), 0.5),
            Duration::from_secs(60)
        );
        assert_eq!(
            retry_delay(base, Some(Duration::from_secs(1)), 0.5),
            Duration::from_secs(10)
        );
        assert_eq!(
            retry_delay(base, Some(Duration::from_secs(10_000_000)), 0.5),
            Duration::from_secs(86_400)
        );
    }
}
