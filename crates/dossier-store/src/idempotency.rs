//! Idempotency keys: the first response to a POST is kept with a hash of its request, so a retry
//! returns it instead of creating a duplicate, and a reuse with another request is refused.

use sqlx::Row;

use crate::{Result, Store, Tx, conflict_on_unique, now};

/// The kept response of a first request.
#[derive(Debug, Clone)]
pub struct IdempotentResponse {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

impl Store {
    pub async fn idempotent_response(
        &self,
        workspace_id: &str,
        key: &str,
    ) -> Result<Option<IdempotentResponse>> {
        let row = sqlx::query(
            "SELECT request_hash, status, response FROM idempotency_keys WHERE workspace_id = $1 AND idem_key = $2",
        )
        .bind(workspace_id)
        .bind(key)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|r| IdempotentResponse {
            request_hash: r.get(0),
            status: r.get::<i64, _>(1) as u16,
            body: r.get(2),
        }))
    }
}

impl Tx {
    /// Keeps the response in the transaction of the change it reports, so either both exist or neither.
    /// `Conflict` when a concurrent request with the same key won.
    pub async fn keep_idempotent_response(
        &mut self,
        workspace_id: &str,
        key: &str,
        response: &IdempotentResponse,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO idempotency_keys (workspace_id, idem_key, request_hash, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(workspace_id)
        .bind(key)
        .bind(&response.request_hash)
        .bind(response.status as i64)
        .bind(&response.body)
        .bind(now())
        .execute(self.conn().await?)
        .await
        .map_err(|e| conflict_on_unique(e, "this Idempotency-Key is being used by a concurrent request"))?;
        Ok(())
    }
}
