//! The cases: the list (`/cases`), a case's page (`/cases/{id}`) and the actions on it, each a form
//! posting to `/cases/{id}/…` that redirects back to the case.

mod decision;
mod list;
mod page;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list::show))
        .route("/cases/{id}", get(page::show))
        .route("/cases/{id}/decision", post(decision::decide))
}

/// Back to the case after an action, with a notice key (`?done=…`) and the panel to show.
pub fn back_to_case(id: &str, done: &str, anchor: &str) -> Response {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Redirect::to(&format!("/cases/{id}?done={done}#{anchor}")).into_response()
}

/// The name a case is shown by: the company's, or the person's.
pub fn display_name(app: &dossier_domain::application::Application) -> String {
    if let Some(b) = &app.business
        && let Some(name) = &b.name
    {
        return name.clone();
    }
    if let Some(p) = &app.person {
        let name = [p.first_name.as_deref(), p.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            return name;
        }
    }
    app.id.clone()
}
