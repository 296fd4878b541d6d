//! The one write path of the API: permission check, idempotent replay, a transaction around the change
//! (with its events and audit entries), and the kept response — all or nothing.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dossier_store::{IdempotentResponse, StoreError, Tx};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};

/// An `Idempotency-Key` and the fingerprint of the request it came with.
pub struct Idempotency {
    key: String,
    request_hash: String,
}

impl Idempotency {
    /// Reads the header of a POST; the fingerprint covers the route and the body.
    pub fn from_request(
        headers: &HeaderMap,
        route: &str,
        body_digest: &str,
    ) -> ApiResult<Option<Self>> {
        let Some(v) = headers.get("idempotency-key") else {
            return Ok(None);
        };
        let key = v
            .to_str()
            .ok()
            .filter(|k| !k.is_empty() && k.len() <= 255)
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "Idempotency-Key must be 1-255 visible ASCII characters".into(),
                )
            })?;
        let request_hash =
            hex::encode(Sha256::digest(format!("{route}\n{body_digest}").as_bytes()));
        Ok(Some(Self {
            key: key.to_string(),
            request_hash,
        }))
    }
}

impl AppState {
    /// Runs `change` in a transaction for a writing key and answers with its status and JSON body.
    /// With an idempotency key, a repeated request gets the first answer back and a reuse of the key
    /// with another request gets 409.
    pub async fn write<F, B>(
        &self,
        auth: &Auth,
        idempotency: Option<Idempotency>,
        change: F,
    ) -> ApiResult<Response>
    where
        F: AsyncFnOnce(&mut Tx) -> ApiResult<(StatusCode, B)>,
        B: Into<JsonText>,
    {
        auth.require_write()?;
        let ws = auth.workspace_id();
        if let Some(idem) = &idempotency
            && let Some(kept) = self.replay(ws, idem).await?
        {
            return Ok(kept);
        }
        let mut tx = self.store.begin().await?;
        tx.observe_settings(ws, auth.settings_version);
        let (status, body) = change(&mut tx).await?;
        let body = body.into().0;
        if let Some(idem) = &idempotency {
            let kept = IdempotentResponse {
                request_hash: idem.request_hash.clone(),
                status: status.as_u16(),
                body: body.clone(),
            };
            match tx.keep_idempotent_response(ws, &idem.key, &kept).await {
                Ok(()) => {}
                // A concurrent twin committed first: drop our change and answer with its result.
                Err(StoreError::Conflict(_)) => {
                    tx.rollback().await?;
                    return self
                        .replay(ws, idem)
                        .await?
                        .ok_or_else(|| ApiError::Conflict("Idempotency-Key in use".into()));
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(respond(status, body))
    }

    async fn replay(&self, ws: &str, idem: &Idempotency) -> ApiResult<Option<Response>> {
        let Some(kept) = self.store.idempotent_response(ws, &idem.key).await? else {
            return Ok(None);
        };
        if kept.request_hash != idem.request_hash {
            return Err(ApiError::Conflict(
                "this Idempotency-Key was already used with a different request".into(),
            ));
        }
        let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
        let mut resp = respond(status, kept.body);
        resp.headers_mut().insert(
            "idempotent-replayed",
            "true".parse().expect("static header"),
        );
        Ok(Some(resp))
    }
}

/// A response body as JSON text: from a `Value`, or text the change has already serialised (a case,
/// which is large).
pub struct JsonText(pub String);

impl From<Value> for JsonText {
    fn from(value: Value) -> Self {
        Self(value.to_string())
    }
}

fn respond(status: StatusCode, body: String) -> Response {
    if status == StatusCode::NO_CONTENT {
        status.into_response()
    } else {
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}
