//! Sessions of the HTML surfaces (a portal visitor's, later an analyst's): in the database, so
//! every `serve` process shares them. The cookie holds a random id; only its SHA-256 is stored, so
//! a copy of the database opens no session.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq)]
pub struct WebSession {
    pub id_hash: String,
    pub workspace_id: String,
    /// `portal`, `user`, or `oidc` (a pending OpenID Connect sign-in).
    pub kind: String,
    /// The portal's or the user's id.
    pub subject_id: String,
    pub csrf_token: String,
    /// JSON kept with the session (e.g. a portal's one-time code state).
    pub data: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// The session ends at the earlier of these: idle expiry moves with every request.
    pub idle_expires_at: String,
    pub expires_at: String,
}

const COLUMNS: &str = "id_hash, workspace_id, kind, subject_id, csrf_token, data, created_at, \
                       last_seen_at, idle_expires_at, expires_at";

fn from_row(r: &AnyRow) -> WebSession {
    WebSession {
        id_hash: r.get(0),
        workspace_id: r.get(1),
        kind: r.get(2),
        subject_id: r.get(3),
        csrf_token: r.get(4),
        data: r.get(5),
        created_at: r.get(6),
        last_seen_at: r.get(7),
        idle_expires_at: r.get(8),
        expires_at: r.get(9),
    }
}

impl Store {
    /// Opens a session; expired sessions are swept at the same time (a session is made rarely
    /// enough for this to cost nothing).
    pub async fn insert_web_session(&self, s: &WebSession) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM web_sessions WHERE expires_at < $1 OR idle_expires_at < $1")
            .bind(&s.created_at)
            .execute(tx.conn().await?)
            .await?;
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, workspace_id, kind, subject_id, csrf_token, data, \
             created_at, last_seen_at, idle_expires_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&s.id_hash)
        .bind(&s.workspace_id)
        .bind(&s.kind)
        .bind(&s.subject_id)
        .bind(&s.csrf_token)
        .bind(&s.data)
        .bind(&s.created_at)
        .bind(&s.last_seen_at)
        .bind(&s.idle_expires_at)
        .bind(&s.expires_at)
        .execute(tx.conn().await?)
        .await?;
        tx.commit().await
    }

    /// The session with this id hash, whether or not it has expired (the caller decides).
    pub async fn web_session(&self, id_hash: &str) -> Result<Option<WebSession>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM web_sessions WHERE id_hash = $1"
        )))
        .bind(id_hash)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Records activity: the idle expiry moves (never past the absolute one).
    pub async fn touch_web_session(
        &self,
        id_hash: &str,
        last_seen_at: &str,
        idle_expires_at: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE web_sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id_hash = $3",
        )
        .bind(last_seen_at)
        .bind(idle_expires_at)
        .bind(id_hash)
        .execute(tx.conn().await?)
        .await?;
        tx.commit().await
    }

    pub async fn set_web_session_data(&self, id_hash: &str, data: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE web_sessions SET data = $1 WHERE id_hash = $2")
            .bind(data)
            .bind(id_hash)
            .execute(tx.conn().await?)
            .await?;
        tx.commit().await
    }

    pub async fn delete_web_session(&self, id_hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(tx.conn().await?)
            .await?;
        tx.commit().await
    }

    /// Deletes the session and returns it, once: of two concurrent takes of the same id only one
    /// gets it (a single-use session, such as a pending OpenID Connect sign-in).
    pub async fn take_web_session(&self, id_hash: &str) -> Result<Option<WebSession>> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM web_sessions WHERE id_hash = $1 RETURNING {COLUMNS}"
        )))
        .bind(id_hash)
        .fetch_optional(tx.conn().await?)
        .await?;
        tx.commit().await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Ends every session of a subject (a closed portal, a deactivated user).
    pub async fn delete_web_sessions_of(
        &self,
        workspace_id: &str,
        kind: &str,
        subject_id: &str,
    ) -> Result<u64> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "DELETE FROM web_sessions WHERE workspace_id = $1 AND kind = $2 AND subject_id = $3",
        )
        .bind(workspace_id)
        .bind(kind)
        .bind(subject_id)
        .execute(tx.conn().await?)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}
