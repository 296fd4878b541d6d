//! Operations endpoints (`/healthz`, `/readyz`, `/metrics`) and the per-request observation layer:
//! one log line and the request metrics for every request.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// The process-wide Prometheus recorder (installed once, even when tests build several apps).
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                    ],
                )
                .expect("static buckets are valid")
                .build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then ours just stays unused.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// How current each watchlist is: every refreshed source and every imported list, with its newest
/// snapshot, its age, the last successful check and the failures since (`stale` when never imported,
/// or not checked within twice its interval). An operations endpoint, like `/readyz`: no key.
pub async fn watchlists(State(state): State<AppState>) -> Response {
    match dossier_app::watchlists::status(&state.app.store, &state.app.config).await {
        Ok(list) => axum::Json(serde_json::json!({ "data": list })).into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "reading the watchlists' status");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "watchlist status unavailable",
            )
                .into_response()
        }
    }
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.app.store.ping().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let (size, idle) = state.app.store.pool_stats();
    metrics::gauge!("db_pool_connections").set(size as f64);
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    if let Ok(backlog) = state.app.store.outbox_backlog().await {
        metrics::gauge!("outbox_backlog").set(backlog as f64);
    }
    let mut resp = state.metrics.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    resp
}

/// Logs one line per request (with its request id) and records count and latency by route and status.
pub async fn observe(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let resp = next.run(req).await;
    let elapsed = start.elapsed();
    let status = resp.status().as_u16();
    metrics::counter!("http_requests_total", "method" => method.to_string(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method.to_string(), "route" => route)
        .record(elapsed.as_secs_f64());
    tracing::info!(
        target: "dossier::request",
        request_id,
        %method,
        path,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    resp
}
