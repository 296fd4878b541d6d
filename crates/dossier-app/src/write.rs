//! The one write path: permission check, idempotent replay, a transaction around the change (with
//! its events and audit entries), and the kept answer — all or nothing. Every surface changes data
//! through [`App::write`] (or a use case that calls it).

use dossier_store::{IdempotentResponse, StoreError, Tx};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::Principal;

/// What a change did, as the surfaces answer it (the API: 201, 200, 202, 204).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Changed,
    /// Taken in and done later (a test event queued for delivery).
    Accepted,
    Deleted,
}

impl Outcome {
    /// The code kept with an idempotent answer (HTTP's, which every stored answer has used).
    pub fn code(self) -> u16 {
        match self {
            Outcome::Created => 201,
            Outcome::Changed => 200,
            Outcome::Accepted => 202,
            Outcome::Deleted => 204,
        }
    }

    fn from_code(code: u16) -> Self {
        match code {
            201 => Outcome::Created,
            202 => Outcome::Accepted,
            204 => Outcome::Deleted,
            _ => Outcome::Changed,
        }
    }
}

/// The answer of a change: its outcome and its body as JSON text.
#[derive(Debug, Clone)]
pub struct Written {
    pub outcome: Outcome,
    pub body: String,
    /// The answer kept from an earlier request with the same idempotency key.
    pub replayed: bool,
}

/// An idempotency key and the fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    key: String,
    request_hash: String,
}

impl Idempotency {
    /// `key` as sent; `operation` names what is asked (e.g. `POST /api/applications`), `request`
    /// its content. The same request written otherwise (whitespace, key order) has the same
    /// fingerprint: it is hashed as parsed, not as sent.
    pub fn new(key: &str, operation: &str, request: &Value) -> AppResult<Self> {
        Self::with_digest(key, operation, &request.to_string())
    }

    /// As [`Idempotency::new`] for a request that is not JSON (an upload: its file's digest).
    pub fn with_digest(key: &str, operation: &str, digest: &str) -> AppResult<Self> {
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::BadRequest(
                "idempotency_key",
                "Idempotency-Key must be 1-255 visible ASCII characters".into(),
            ));
        }
        let request_hash = hex::encode(Sha256::digest(format!("{operation}\n{digest}").as_bytes()));
        Ok(Self {
            key: key.to_string(),
            request_hash,
        })
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

impl App {
    /// Runs `change` in a transaction for a principal that may write. With an idempotency key, a
    /// repeated request gets the first answer back and a reuse of the key with another request is
    /// a conflict.
    pub async fn write<F, B>(
        &self,
        principal: &Principal,
        idempotency: Option<Idempotency>,
        change: F,
    ) -> AppResult<Written>
    where
        F: AsyncFnOnce(&mut Tx) -> AppResult<(Outcome, B)>,
        B: Into<JsonText>,
    {
        principal.require_write()?;
        let ws = principal.ws();
        if let Some(idem) = &idempotency
            && let Some(kept) = self.replay(ws, idem).await?
        {
            return Ok(kept);
        }
        let mut tx = self.begin(principal).await?;
        let (outcome, body) = change(&mut tx).await?;
        let body = body.into().0;
        if let Some(idem) = &idempotency {
            let kept = IdempotentResponse {
                request_hash: idem.request_hash.clone(),
                status: outcome.code(),
                body: body.clone(),
            };
            match tx.keep_idempotent_response(ws, &idem.key, &kept).await {
                Ok(()) => {}
                // A concurrent twin committed first: drop our change and answer with its result.
                Err(StoreError::Conflict(_)) => {
                    tx.rollback().await?;
                    return self.replay(ws, idem).await?.ok_or_else(|| {
                        AppError::Conflict(
                            "idempotency_key_in_use",
                            "Idempotency-Key in use".into(),
                        )
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(Written {
            outcome,
            body,
            replayed: false,
        })
    }

    /// A transaction that knows the principal's settings version.
    pub async fn begin(&self, principal: &Principal) -> AppResult<Tx> {
        let mut tx = self.store.begin().await?;
        if let Some(version) = principal.settings_version {
            tx.observe_settings(principal.ws(), version);
        }
        Ok(tx)
    }

    async fn replay(&self, ws: &str, idem: &Idempotency) -> AppResult<Option<Written>> {
        let Some(kept) = self.store.idempotent_response(ws, &idem.key).await? else {
            return Ok(None);
        };
        if kept.request_hash != idem.request_hash {
            return Err(AppError::Conflict(
                "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request".into(),
            ));
        }
        Ok(Some(Written {
            outcome: Outcome::from_code(kept.status),
            body: kept.body,
            replayed: true,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_of_the_parsed_request() {
        let a: Value = serde_json::from_str(r#"{"a":1,"b":[1,2]}"#).unwrap();
        let b: Value = serde_json::from_str("{ \"b\" : [1, 2],\n \"a\" : 1 }").unwrap();
        let c: Value = serde_json::from_str(r#"{"a":2,"b":[1,2]}"#).unwrap();
        let fp = |v: &Value| Idempotency::new("k", "POST /x", v).unwrap().request_hash;
        assert_eq!(fp(&a), fp(&b));
        assert_ne!(fp(&a), fp(&c));
        assert_ne!(
            fp(&a),
            Idempotency::new("k", "POST /y", &a).unwrap().request_hash
        );
    }

    #[test]
    fn a_bad_key_is_refused() {
        for key in ["", "with space", &"x".repeat(256)] {
            let err = Idempotency::new(key, "op", &Value::Null).unwrap_err();
            assert_eq!(err.code(), "idempotency_key");
        }
    }
}
