//! A real webhook receiver on loopback. It verifies every signature with the public `standardwebhooks`
//! crate (an implementation independent of Dossier's), records what it got, and can be told to fail.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub status: u16,
    pub payload: Value,
    /// Secrets (by index in `Receiver::secrets`) whose signature verified.
    pub verified_with: Vec<usize>,
    pub user_agent: String,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    secrets: Vec<String>,
    got: Vec<Received>,
    fail_next: usize,
    /// Requests to hold before answering, and for how long.
    hold_next: usize,
    hold_for: Duration,
    status: u16,
    /// Chaos: the share of requests (in percent) answered 500, and held for `chaos_hold` first.
    chaos_fail: u32,
    chaos_hang: u32,
    chaos_hold: Duration,
    /// Each request's event id, arrival and answer, to tell copies sent at the same time.
    answered: Vec<(String, Instant, Instant)>,
}

#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // Recorded on arrival: a held request was received even if its sender never sees the answer.
    let arrived = Instant::now();
    let (status, hold) = record(&inner, &headers, &body);
    if let Some(hold) = hold {
        tokio::time::sleep(hold).await;
    }
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    inner
        .lock()
        .unwrap()
        .answered
        .push((id, arrived, Instant::now()));
    StatusCode::from_u16(status).unwrap()
}

/// Records a request; the status to answer, and how long to hold it first.
fn record(inner: &Mutex<Inner>, headers: &HeaderMap, body: &Bytes) -> (u16, Option<Duration>) {
    let mut i = inner.lock().unwrap();
    let mut hold = (i.hold_next > 0).then(|| {
        i.hold_next -= 1;
        i.hold_for
    });
    if i.chaos_hang > 0 && rand::random_range(0..100) < i.chaos_hang {
        hold = Some(i.chaos_hold);
    }
    let status = if i.fail_next > 0 {
        i.fail_next -= 1;
        500
    } else if i.chaos_fail > 0 && rand::random_range(0..100) < i.chaos_fail {
        500
    } else {
        i.status
    };
    let verified_with = i
        .secrets
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            standardwebhooks::Webhook::new(s)
                .map(|wh| wh.verify(body, headers).is_ok())
                .unwrap_or(false)
        })
        .map(|(n, _)| n)
        .collect();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    i.got.push(Received {
        id: header("webhook-id"),
        status,
        payload: serde_json::from_slice(body).unwrap_or(Value::Null),
        verified_with,
        user_agent: header("user-agent"),
        at: Instant::now(),
    });
    (status, hold)
}

impl Receiver {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            status: 200,
            ..Default::default()
        }));
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { inner, url }
    }

    /// A receiver subscribed to every event of the key's workspace, knowing its secret (the
    /// server must allow private targets: `DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS`).
    pub async fn subscribed(srv: &super::TestServer, key: &str) -> Self {
        let rec = Self::start().await;
        let r = srv
            .post(
                "/api/webhooks",
                key,
                &serde_json::json!({"url": rec.url, "events": ["*"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
        rec.add_secret(r.json["secret"].as_str().unwrap());
        rec
    }

    pub fn add_secret(&self, secret: &str) {
        self.inner.lock().unwrap().secrets.push(secret.to_string());
    }

    pub fn fail_next(&self, n: usize) {
        self.inner.lock().unwrap().fail_next = n;
    }

    /// Holds the next `n` requests for `hold` before answering them.
    pub fn hold_next(&self, n: usize, hold: Duration) {
        let mut i = self.inner.lock().unwrap();
        i.hold_next = n;
        i.hold_for = hold;
    }

    /// From now on answers `fail` percent of requests with 500 and holds `hang` percent for `hold`.
    pub fn chaos(&self, fail: u32, hang: u32, hold: Duration) {
        let mut i = self.inner.lock().unwrap();
        i.chaos_fail = fail;
        i.chaos_hang = hang;
        i.chaos_hold = hold;
    }

    /// Copies of one event that were in flight at the same time: the event id, and when the
    /// earlier and the later copy arrived.
    pub fn overlapping_copies(&self) -> Vec<(String, Instant, Instant)> {
        let mut answered = self.inner.lock().unwrap().answered.clone();
        answered.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        answered
            .windows(2)
            .filter(|w| w[0].0 == w[1].0 && w[1].1 < w[0].2)
            .map(|w| (w[0].0.clone(), w[0].1, w[1].1))
            .collect()
    }

    pub fn answer(&self, status: u16) {
        self.inner.lock().unwrap().status = status;
    }

    /// Every request received, delivered or not.
    pub fn all(&self) -> Vec<Received> {
        self.inner.lock().unwrap().got.clone()
    }

    /// Requests answered 2xx that match `pred`.
    pub fn delivered(&self, pred: impl Fn(&Received) -> bool) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|r| r.status < 300 && pred(r))
            .collect()
    }

    /// Waits for a delivered request matching `pred`.
    pub async fn wait(
        &self,
        timeout: Duration,
        pred: impl Fn(&Received) -> bool,
    ) -> Option<Received> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(r) = self.delivered(&pred).into_iter().next() {
                return Some(r);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

/// Matches the `application.created` event of one case.
pub fn created(app_id: &str) -> impl Fn(&Received) -> bool + '_ {
    move |r| {
        r.payload["type"] == "application.created" && r.payload["data"]["application_id"] == app_id
    }
}
