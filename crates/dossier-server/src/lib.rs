//! Dossier's HTTP surfaces: the JSON API under `/api`, the operations endpoints, and (in later
//! capabilities) the portal, the back-office and the background workers — one axum app per process.

pub mod applications;
pub mod auth;
pub mod config;
pub mod custom_fields;
pub mod documents;
pub mod error;
pub mod events;
pub mod extract;
pub mod ops;
pub mod relationships;
pub mod screening;
pub mod screening_hits;
pub mod screening_worker;
pub mod templates;
pub mod verification;
pub mod watchlists;
pub mod webhooks;
pub mod workflow;
pub mod write;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::middleware;
use axum::routing::get;
use dossier_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use tokio::net::TcpListener;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub use config::Config;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub limiter: Arc<auth::RateLimiter>,
    pub metrics: PrometheusHandle,
    /// Where document contents live (a directory under the data dir).
    pub documents: Arc<dyn ObjectStore>,
    /// The in-memory watchlist search index (rebuilt when a new snapshot is imported).
    pub screening: Arc<screening::ScreeningIndex>,
}

impl AppState {
    /// Fails when the documents directory cannot be created.
    pub fn new(store: Store, config: Config) -> anyhow::Result<Self> {
        let dir = config.data_dir.join("documents");
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
        let documents = Arc::new(LocalFileSystem::new_with_prefix(&dir)?);
        Ok(Self {
            documents,
            limiter: Arc::new(auth::RateLimiter::new(
                config.rate_limit_per_second,
                config.rate_limit_burst,
            )),
            config: Arc::new(config),
            store,
            metrics: ops::prometheus(),
            screening: Arc::default(),
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Dossier API", description = "KYC/KYB compliance orchestration: cases, related parties, custom fields, documents, templates, tasks, risk, decisions, events."),
    modifiers(&BearerAuth),
    security(("api_key" = [])),
    components(schemas(error::Problem, dossier_domain::validation::FieldError))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("dsk_…")
                    .build(),
            ),
        );
    }
}

/// The JSON API's routes and their OpenAPI description, built from the same handler annotations.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(applications::routes())
        .merge(relationships::routes())
        .merge(custom_fields::routes())
        .merge(events::routes())
        .merge(webhooks::routes())
        .merge(documents::routes())
        .merge(templates::routes())
        .merge(verification::routes())
        .merge(screening::routes())
        .merge(screening_hits::routes())
        .split_for_parts()
}

#[derive(Clone)]
struct RequestIds;

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        dossier_domain::id::new_id("req")
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (api, spec) = api();
    let spec = Arc::new(spec);
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move || {
                let spec = spec.clone();
                async move { axum::Json(spec.as_ref().clone()) }
            }),
        )
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(|| async { error::ApiError::NotFound("route") })
        // Bodies are limited per route by their extractors (1 MiB for JSON).
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(ops::observe))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RequestIds))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let dispatcher = Arc::new(webhooks::dispatcher::Dispatcher::new(
        state.store.clone(),
        &state.config,
    )?);
    let worker = state
        .config
        .webhook_delivery
        .then(|| tokio::spawn(dispatcher.run()));
    let refresher = watchlists::refresh::Refresher::new(state.store.clone(), &state.config)?;
    let refresh_owner = refresher.owner().to_string();
    let refresher = (state.config.watchlist_refresh && !refresher.sources().is_empty())
        .then(|| tokio::spawn(refresher.run()));
    let store = state.store.clone();
    let screener = state.config.screening_worker.then(|| {
        let worker = screening_worker::Screener {
            store: state.store.clone(),
            index: state.screening.clone(),
            default_threshold: state.config.screening_threshold,
        };
        tokio::spawn(worker.run(std::time::Duration::from_millis(
            state.config.screening_poll_ms.max(10),
        )))
    });
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    // Deliveries in flight are abandoned with their lease; they are sent again after a restart.
    if let Some(w) = worker {
        w.abort();
    }
    // A refresh cut short stores nothing; its lease is released so the next start retries at
    // once (after a crash the lease just expires).
    if let Some(r) = refresher {
        r.abort();
        let _ = r.await;
        if let Err(e) = store.release_watchlist_refresh_leases(&refresh_owner).await {
            tracing::warn!(error = %e, "could not release the watchlist refresh leases");
        }
    }
    // A screening in flight is rolled back; its queue row stays and is screened after a restart.
    if let Some(s) = screener {
        s.abort();
    }
    served?;
    Ok(())
}
