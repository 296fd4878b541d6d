//! API keys: random, prefixed, shown once, stored as SHA-256, revocable; each acts with a role
//! (`automation` unless created with another, `read_only` for read-only keys).

use rand::Rng;
use rand::distr::Alphanumeric;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use dossier_domain::access::Role;
use dossier_domain::audit::Actor;

use crate::{Result, Store, StoreError, now};

/// An API key as listed (never with its secret).
#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    /// The first characters of the key, to recognise it in lists.
    pub prefix: String,
    pub role: Role,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A freshly created key: the only time the secret is available.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub key: ApiKey,
    pub secret: String,
}

const SELECT: &str =
    "SELECT id, workspace_id, name, prefix, role, created_at, revoked_at FROM api_keys";

fn from_row(r: AnyRow) -> ApiKey {
    ApiKey {
        id: r.get(0),
        workspace_id: r.get(1),
        name: r.get(2),
        prefix: r.get(3),
        // A role this build does not know is the least one: read-only.
        role: Role::parse(&r.get::<String, _>(4)).unwrap_or(Role::ReadOnly),
        created_at: r.get(5),
        revoked_at: r.get(6),
    }
}

/// The stored form of a key secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// Creates a key, audited as made by the command line.
    pub async fn create_api_key(
        &self,
        workspace_id: &str,
        name: &str,
        role: Role,
    ) -> Result<NewKey> {
        self.create_api_key_by(workspace_id, name, role, &Actor::cli())
            .await
    }

    /// Creates a key, audited as made by `actor`.
    pub async fn create_api_key_by(
        &self,
        workspace_id: &str,
        name: &str,
        role: Role,
        actor: &Actor,
    ) -> Result<NewKey> {
        let random: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(40)
            .map(char::from)
            .collect();
        let secret = format!("dsk_{random}");
        let key = ApiKey {
            id: dossier_domain::id::new_id("key"),
            workspace_id: workspace_id.to_string(),
            name: name.to_string(),
            prefix: secret[..12].to_string(),
            role,
            created_at: now(),
            revoked_at: None,
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, read_only, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&key.id)
        .bind(&key.workspace_id)
        .bind(&key.name)
        .bind(&key.prefix)
        .bind(hash_secret(&secret))
        .bind((role == Role::ReadOnly) as i64)
        .bind(role.as_str())
        .bind(&key.created_at)
        .execute(tx.conn().await?)
        .await?;
        let after = serde_json::json!({"name": key.name, "prefix": key.prefix, "role": role});
        tx.audit(
            workspace_id,
            actor,
            "api_key.created",
            "api_key",
            &key.id,
            None,
            &dossier_domain::audit::diff(&serde_json::Value::Null, &after),
        )
        .await?;
        tx.commit().await?;
        Ok(NewKey { key, secret })
    }

    /// The live (not revoked) key with this secret, and its workspace's settings version (what a
    /// request's transaction is told, see [`Tx::observe_settings`](crate::Tx::observe_settings)).
    pub async fn api_key_by_secret(&self, secret: &str) -> Result<Option<(ApiKey, i64)>> {
        self.api_key_by_hash(&hash_secret(secret)).await
    }

    /// [`Store::api_key_by_secret`] for a secret already hashed with [`hash_secret`] (a request's
    /// authentication hashes it once, for this and for its rate limiting).
    pub async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<(ApiKey, i64)>> {
        let row = sqlx::query(
            "SELECT k.id, k.workspace_id, k.name, k.prefix, k.role, k.created_at, k.revoked_at, \
             w.settings_version FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id \
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        )
        .bind(key_hash);
        let row = self.fast_reader().fetch_optional(row).await?;
        Ok(row.map(|r| {
            let version = r.get(7);
            (from_row(r), version)
        }))
    }

    pub async fn api_keys(&self, workspace_id: &str) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SELECT} WHERE workspace_id = $1 ORDER BY id DESC"
        )))
        .bind(workspace_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// Revokes a key of this workspace; `NotFound` if there is none (or it is already revoked).
    pub async fn revoke_api_key(&self, workspace_id: &str, id: &str) -> Result<()> {
        self.revoke_api_key_by(workspace_id, id, &Actor::cli())
            .await
    }

    /// [`Store::revoke_api_key`], audited as done by `actor`.
    pub async fn revoke_api_key_by(
        &self,
        workspace_id: &str,
        id: &str,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let at = now();
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND workspace_id = $3 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(id)
        .bind(workspace_id)
        .execute(tx.conn().await?)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            workspace_id,
            actor,
            "api_key.revoked",
            "api_key",
            id,
            None,
            &[dossier_domain::audit::Change {
                path: "revoked_at".into(),
                before: serde_json::Value::Null,
                after: serde_json::Value::String(at),
            }],
        )
        .await?;
        tx.commit().await
    }
}
