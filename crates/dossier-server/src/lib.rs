//! Dossier's HTTP surfaces: the JSON API under `/api` and the operations endpoints — one axum app
//! per process. Handlers parse, call the application layer (`dossier-app`) and render; this crate
//! holds no business rule.

pub mod api;
pub mod auth;
pub mod backoffice;
pub mod error;
pub mod extract;
pub mod ops;
pub mod portal;
pub mod web;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::middleware;
use axum::routing::get;
use dossier_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

/// What every handler can reach: the application layer, and the HTTP plumbing around it.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub limiter: Arc<auth::RateLimiter>,
    /// Failed authentications per client address.
    pub auth_failures: Arc<auth::RateLimiter>,
    /// Keys that authenticated lately: they pass an address's exhausted failure budget.
    pub recent_keys: Arc<auth::RecentKeys>,
    pub metrics: PrometheusHandle,
    /// The pages' kit: templates, translations, assets.
    pub web: Arc<web::Web>,
    /// Failed portal-link lookups per client address (token guessing).
    pub portal_failures: Arc<auth::RateLimiter>,
}

impl AppState {
    /// Fails when the pages' templates or catalogues (built in, or from `portal.overrides_dir`)
    /// do not load.
    pub fn new(app: App) -> anyhow::Result<Self> {
        let overrides = match app.config.portal.overrides_dir.as_str() {
            "" => None,
            dir => Some(std::path::PathBuf::from(dir)),
        };
        let web = Arc::new(web::Web::new(overrides.as_deref(), &app.public_url)?);
        Ok(Self {
            web,
            portal_failures: Arc::new(auth::RateLimiter::per_minute(
                app.config.portal.token_failures_per_minute,
            )),
            limiter: Arc::new(auth::RateLimiter::new(
                app.config.server.rate_limit_per_second,
                app.config.server.rate_limit_burst,
            )),
            auth_failures: Arc::new(auth::RateLimiter::new(
                app.config.server.auth_failures_per_second,
                app.config.server.auth_failures_burst,
            )),
            recent_keys: Arc::default(),
            app,
            metrics: ops::prometheus(),
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
        .merge(api::applications::routes())
        .merge(api::cases::routes())
        .merge(api::relationships::routes())
        .merge(api::custom_fields::routes())
        .merge(api::events::routes())
        .merge(api::webhooks::routes())
        .merge(api::documents::routes())
        .merge(api::templates::routes())
        .merge(api::verification::routes())
        .merge(api::screening::routes())
        .merge(api::screening_hits::routes())
        .merge(api::portals::routes())
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
    let web = state.web.clone();
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
        .route("/status/watchlists", get(ops::watchlists))
        .route("/metrics", get(ops::metrics))
        .merge(portal::routes())
        .merge(backoffice::routes())
        .merge(web::assets_routes(web))
        .fallback(|| async { error::ApiError(dossier_app::AppError::NotFound("route")) })
        // Bodies are limited per route by their extractors (1 MiB for JSON).
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(extract::refuse_nul))
        .layer(middleware::from_fn(ops::observe))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RequestIds))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight. The workers run beside
/// it (see `dossier-workers`), started by the caller. Each request knows its peer's address (the
/// failed-authentication limit counts per address).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
