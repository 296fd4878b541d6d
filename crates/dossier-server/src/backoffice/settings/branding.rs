//! `/settings/branding`: the look of the workspace's portals (display name, primary colour,
//! support e-mail, logo, custom CSS) and its named themes, each a look of its own, with a preview
//! that renders a sample portal page with a look. The forms are `multipart/form-data` (the logo is
//! a file; the API takes it as a `data:` URL, which this page makes).

use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use dossier_app::AppError;
use dossier_app::branding::Branding;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Done, done, guard, is_form_error, page, segment};
use crate::AppState;
use crate::backoffice::{Analyst, Form};
use crate::web::security;

/// Largest branding form (a logo is at most 100 KB; its form carries some text besides).
const BRANDING_FORM_LIMIT: usize = 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/branding", get(show).post(save_look))
        .route("/settings/branding/preview", get(preview))
        .route("/settings/branding/preview.css", get(preview_css))
        .route("/settings/branding/themes", post(add_theme))
        .route("/settings/branding/themes/{name}", post(save_theme))
        .route(
            "/settings/branding/themes/{name}/delete",
            post(delete_theme),
        )
}

/// A multipart form's text fields and its `logo` file (when one was chosen).
struct Posted {
    form: Form,
    logo: Option<(String, Vec<u8>)>,
}

/// The admin check, the origin, the multipart body and its CSRF token.
async fn read_posted(
    state: &AppState,
    analyst: &Analyst,
    request: Request,
) -> Result<Posted, Response> {
    guard(state, analyst)?;
    if let Err(refusal) = security::check_origin(&analyst.headers, state.web.public_origin()) {
        tracing::warn!(%refusal, "refused a cross-site post");
        return Err(crate::backoffice::forged(state, &analyst.lang));
    }
    let unreadable = || {
        analyst.refusal(
            state,
            &AppError::BadRequest("bad_request", "the form could not be read".into()),
        )
    };
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| unreadable())?;
    let mut fields = Vec::new();
    let mut logo = None;
    let mut total = 0usize;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        let is_file = field.file_name().is_some_and(|f| !f.is_empty());
        let content_type = field.content_type().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|_| unreadable())?;
        total += bytes.len();
        if total > BRANDING_FORM_LIMIT {
            return Err(analyst.refusal(
                state,
                &AppError::PayloadTooLarge(BRANDING_FORM_LIMIT as u64),
            ));
        }
        if name.ends_with("logo") && !name.ends_with("remove_logo") {
            if is_file && !bytes.is_empty() {
                logo = Some((content_type, bytes.to_vec()));
            }
            continue;
        }
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| unreadable())?;
        if text.contains('\0') || name.contains('\0') {
            return Err(unreadable());
        }
        fields.push((name, text));
    }
    let form = Form(fields);
    if !security::tokens_match(form.get("_csrf"), analyst.staff.csrf()) {
        return Err(crate::backoffice::forged(state, &analyst.lang));
    }
    Ok(Posted { form, logo })
}

/// A logo file as the `data:` URL the branding keeps: typed by its bytes (the application layer
/// checks them again and refuses anything but PNG, JPEG, GIF and WebP).
fn data_url(content_type: &str, bytes: &[u8]) -> String {
    let sniffed = match bytes {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        _ if content_type.is_empty() => "application/octet-stream",
        _ => content_type,
    };
    format!(
        "data:{sniffed};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Sets a look's parts from the form's fields named `prefix` + part.
fn apply(look: &mut Branding, posted: &Posted, prefix: &str) {
    let f = |part: &str| posted.form.opt(&format!("{prefix}{part}"));
    look.display_name = f("display_name");
    look.primary_color = f("primary_color").map(|c| c.to_lowercase());
    look.support_email = f("support_email");
    look.custom_css = f("custom_css");
    if let Some((content_type, bytes)) = &posted.logo {
        look.logo = Some(data_url(content_type, bytes));
    } else if posted.form.get(&format!("{prefix}remove_logo")) == "yes" {
        look.logo = None;
    }
}

/// A look as its form shows it.
fn look_json(look: &Branding, prefix: &str) -> Value {
    json!({
        "prefix": prefix,
        "display_name": look.display_name,
        "primary_color": look.primary_color,
        "support_email": look.support_email,
        "custom_css": look.custom_css,
        "logo": look.logo,
    })
}

/// What was typed in a refused form, over the stored look.
fn typed(stored: &Branding, posted: &Posted, prefix: &str) -> Value {
    let mut v = look_json(stored, prefix);
    for part in [
        "display_name",
        "primary_color",
        "support_email",
        "custom_css",
    ] {
        v[part] = json!(posted.form.get(&format!("{prefix}{part}")));
    }
    v
}

async fn render(
    state: &AppState,
    analyst: &Analyst,
    status: StatusCode,
    done_key: Option<&str>,
    branding: &Branding,
    extra: Value,
) -> Response {
    let themes: Vec<Value> = branding
        .themes
        .iter()
        .map(|(name, look)| {
            let mut v = look_json(look, &format!("themes.{name}."));
            v["name"] = json!(name);
            v["path"] = json!(segment(name));
            v
        })
        .collect();
    let mut context = json!({
        "look": look_json(branding, ""),
        "themes": themes,
        "failed": null,
        "typed": null,
        "new_theme": "",
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    page(
        state,
        analyst,
        status,
        "bo_settings_branding.html",
        "branding",
        done_key,
        context,
    )
}

async fn show(State(state): State<AppState>, analyst: Analyst, Query(q): Query<Done>) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    match state.app.branding(&analyst.staff.principal).await {
        Ok(b) => {
            render(
                &state,
                &analyst,
                StatusCode::OK,
                q.done.as_deref(),
                &b,
                json!({}),
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// Saves `changed` (the stored branding with one form's change); a refusal re-renders the page
/// with the errors beside the form `failed` (`""`: the workspace's look; else a theme's name).
async fn put(
    state: &AppState,
    analyst: &Analyst,
    stored: &Branding,
    changed: Branding,
    failed: &str,
    typed: Value,
    done_key: &str,
) -> Response {
    match state
        .app
        .put_branding(&analyst.staff.principal, changed)
        .await
    {
        Ok(_) => done("/settings/branding", done_key),
        Err(e) if is_form_error(&e) => {
            let (summary, errors) = analyst.form_errors(state, &e);
            let extra = json!({
                "summary": summary,
                "errors": errors,
                "failed": failed,
                "typed": typed,
            });
            render(
                state,
                analyst,
                crate::error::status_of(&e),
                None,
                stored,
                extra,
            )
            .await
        }
        Err(e) => analyst.refusal(state, &e),
    }
}

async fn stored(state: &AppState, analyst: &Analyst) -> Result<Branding, Response> {
    state
        .app
        .branding(&analyst.staff.principal)
        .await
        .map_err(|e| analyst.refusal(state, &e))
}

/// `POST /settings/branding`: the workspace's own look.
async fn save_look(State(state): State<AppState>, analyst: Analyst, request: Request) -> Response {
    let posted = match read_posted(&state, &analyst, request).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let stored = match stored(&state, &analyst).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut changed = stored.clone();
    apply(&mut changed, &posted, "");
    let typed = typed(&stored, &posted, "");
    put(
        &state,
        &analyst,
        &stored,
        changed,
        "",
        typed,
        "branding-saved",
    )
    .await
}

/// `POST /settings/branding/themes`: a new, empty theme named `theme`.
async fn add_theme(State(state): State<AppState>, analyst: Analyst, request: Request) -> Response {
    let posted = match read_posted(&state, &analyst, request).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let stored = match stored(&state, &analyst).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let name = posted.form.get("theme").trim().to_string();
    if stored.themes.contains_key(&name) {
        let e = AppError::Invalid(vec![dossier_domain::validation::FieldError {
            field: "theme".into(),
            code: "theme_exists",
            message: "a theme of this name exists".into(),
        }]);
        let (summary, errors) = analyst.form_errors(&state, &e);
        let extra = json!({"summary": summary, "errors": errors, "new_theme": name});
        return render(
            &state,
            &analyst,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            &stored,
            extra,
        )
        .await;
    }
    let mut changed = stored.clone();
    changed.themes.insert(name.clone(), Branding::default());
    match state
        .app
        .put_branding(&analyst.staff.principal, changed)
        .await
    {
        Ok(_) => done("/settings/branding", "theme-added"),
        Err(AppError::Invalid(list)) => {
            // The theme's name is the field at fault, whatever path the check gave it.
            let list = list
                .into_iter()
                .map(|mut fe| {
                    fe.field = "theme".into();
                    fe
                })
                .collect();
            let (summary, errors) = analyst.form_errors(&state, &AppError::Invalid(list));
            let extra = json!({"summary": summary, "errors": errors, "new_theme": name});
            render(
                &state,
                &analyst,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &stored,
                extra,
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/branding/themes/{name}`: a theme's look (its fields are `themes.<name>.…`).
async fn save_theme(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let posted = match read_posted(&state, &analyst, request).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let stored = match stored(&state, &analyst).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(current) = stored.themes.get(&name) else {
        return analyst.refusal(&state, &AppError::NotFound("theme"));
    };
    let prefix = format!("themes.{name}.");
    let mut look = current.clone();
    apply(&mut look, &posted, &prefix);
    let mut changed = stored.clone();
    changed.themes.insert(name.clone(), look);
    let typed = typed(current, &posted, &prefix);
    put(
        &state,
        &analyst,
        &stored,
        changed,
        &name,
        typed,
        "theme-saved",
    )
    .await
}

/// `POST /settings/branding/themes/{name}/delete`: portals that pick it get the workspace's look.
async fn delete_theme(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    if let Err(r) = read_posted(&state, &analyst, request).await {
        return r;
    }
    let stored = match stored(&state, &analyst).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut changed = stored.clone();
    if changed.themes.remove(&name).is_none() {
        return analyst.refusal(&state, &AppError::NotFound("theme"));
    }
    match state
        .app
        .put_branding(&analyst.staff.principal, changed)
        .await
    {
        Ok(_) => done("/settings/branding", "theme-deleted"),
        Err(e) => analyst.refusal(&state, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PreviewQuery {
    theme: Option<String>,
}

/// `GET /settings/branding/preview?theme=…`: a sample portal page in the look (the stored one).
async fn preview(
    State(state): State<AppState>,
    analyst: Analyst,
    Query(q): Query<PreviewQuery>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    let branding = match stored(&state, &analyst).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let theme = q.theme.filter(|t| branding.themes.contains_key(t));
    let look = branding.resolve(theme.as_deref());
    let css = look.custom_css.as_ref().map(|_| match &theme {
        Some(t) => format!("/settings/branding/preview.css?theme={}", segment(t)),
        None => "/settings/branding/preview.css".to_string(),
    });
    let brand = (look.display_name.is_some()
        || look.logo.is_some()
        || look.support_email.is_some()
        || css.is_some())
    .then(|| {
        json!({
            "name": look.display_name,
            "logo_url": look.logo,
            "support_email": look.support_email,
            "custom_css": css,
        })
    });
    let steps = ["details", "relationships", "documents", "review"]
        .iter()
        .enumerate()
        .map(|(i, key)| {
            json!({
                "key": key,
                "label": state.web.t(&analyst.lang, &format!("step-{key}"), &[]),
                "done": i == 0,
            })
        })
        .collect::<Vec<_>>();
    analyst.page(
        &state,
        StatusCode::OK,
        "bo_settings_preview.html",
        json!({
            "brand": brand,
            "theme": {"brand": look.primary_color, "brand_contrast": look.primary_contrast},
            "theme_name": theme,
            "steps": steps,
            "company": look.display_name.clone().unwrap_or_else(|| "Dossier".into()),
        }),
    )
}

/// `GET /settings/branding/preview.css?theme=…`: the look's custom CSS, for the preview.
async fn preview_css(
    State(state): State<AppState>,
    analyst: Analyst,
    Query(q): Query<PreviewQuery>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    let branding = match stored(&state, &analyst).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let css = branding
        .resolve(q.theme.as_deref())
        .custom_css
        .unwrap_or_default();
    let mut response = css.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
