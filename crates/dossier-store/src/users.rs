//! Back-office users and the throttle of failed sign-ins. Passwords are hashed by the application
//! layer (argon2id); this module stores the PHC string and never sees a password.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use dossier_domain::access::Role;

use crate::{Result, Store, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub workspace_id: String,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    /// `active` or `deactivated`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: Option<String>,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

const SELECT: &str = "SELECT id, workspace_id, email, name, role, password_hash, \
                      must_change_password, status, created_at, updated_at, last_login_at FROM users";

fn from_row(r: &AnyRow) -> User {
    User {
        id: r.get(0),
        workspace_id: r.get(1),
        email: r.get(2),
        name: r.get(3),
        // A role this build does not know is the least one: read-only.
        role: Role::parse(&r.get::<String, _>(4)).unwrap_or(Role::ReadOnly),
        password_hash: r.get(5),
        must_change_password: r.get::<i64, _>(6) != 0,
        status: r.get(7),
        created_at: r.get(8),
        updated_at: r.get(9),
        last_login_at: r.get(10),
    }
}

/// A key's failed sign-ins: how many in a row, and until when it is locked.
#[derive(Debug, Clone, PartialEq)]
pub struct Throttle {
    pub failures: i64,
    pub locked_until: Option<String>,
}

impl Tx {
    pub async fn insert_user(&mut self, u: &User) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, workspace_id, email, name, role, password_hash, \
             must_change_password, status, created_at, updated_at, last_login_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&u.id)
        .bind(&u.workspace_id)
        .bind(&u.email)
        .bind(&u.name)
        .bind(u.role.as_str())
        .bind(&u.password_hash)
        .bind(u.must_change_password as i64)
        .bind(&u.status)
        .bind(&u.created_at)
        .bind(&u.updated_at)
        .bind(&u.last_login_at)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    /// Writes every changeable column of a user of `u.workspace_id`.
    pub async fn update_user(&mut self, u: &User) -> Result<()> {
        sqlx::query(
            "UPDATE users SET email = $1, name = $2, role = $3, password_hash = $4, \
             must_change_password = $5, status = $6, updated_at = $7, last_login_at = $8 \
             WHERE workspace_id = $9 AND id = $10",
        )
        .bind(&u.email)
        .bind(&u.name)
        .bind(u.role.as_str())
        .bind(&u.password_hash)
        .bind(u.must_change_password as i64)
        .bind(&u.status)
        .bind(&u.updated_at)
        .bind(&u.last_login_at)
        .bind(&u.workspace_id)
        .bind(&u.id)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    /// A user of the workspace, locked for change on PostgreSQL.
    pub async fn user_for_update(&mut self, workspace_id: &str, id: &str) -> Result<Option<User>> {
        let lock = match self.backend() {
            crate::Backend::Postgres => " FOR UPDATE",
            crate::Backend::Sqlite => "",
        };
        let row = sqlx::query(AssertSqlSafe(format!(
            "{SELECT} WHERE workspace_id = $1 AND id = $2{lock}"
        )))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.conn().await?)
        .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Ends every back-office session of a user (deactivation, password change).
    pub async fn delete_user_sessions(&mut self, workspace_id: &str, user_id: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM web_sessions WHERE workspace_id = $1 AND kind = 'user' AND subject_id = $2",
        )
        .bind(workspace_id)
        .bind(user_id)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }
}

impl Store {
    /// The user with this (lower-cased) e-mail, in any workspace: sign-in knows no workspace.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query(AssertSqlSafe(format!("{SELECT} WHERE email = $1")))
            .bind(email)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    pub async fn user(&self, workspace_id: &str, id: &str) -> Result<Option<User>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{SELECT} WHERE workspace_id = $1 AND id = $2"
        )))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// The workspace's users, by e-mail.
    pub async fn users(&self, workspace_id: &str) -> Result<Vec<User>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SELECT} WHERE workspace_id = $1 ORDER BY email"
        )))
        .bind(workspace_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Records a successful sign-in.
    pub async fn touch_user_login(&self, workspace_id: &str, id: &str, at: &str) -> Result<()> {
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE workspace_id = $2 AND id = $3")
            .bind(at)
            .bind(workspace_id)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn login_throttle(&self, key: &str) -> Result<Option<Throttle>> {
        let row = sqlx::query("SELECT failures, locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.write)
            .await?;
        Ok(row.map(|r| Throttle {
            failures: r.get(0),
            locked_until: r.get(1),
        }))
    }

    /// Counts one more failure of `key` and locks it until `lock_for(failures)` says (`None`: not
    /// locked yet). Returns the new count. One statement, so concurrent failures all count.
    pub async fn record_login_failure(
        &self,
        key: &str,
        at: &str,
        lock_for: impl Fn(i64) -> Option<String>,
    ) -> Result<i64> {
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES ($1, 1, NULL, $2) \
             ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = $2 \
             RETURNING failures",
        )
        .bind(key)
        .bind(at)
        .fetch_one(&self.write)
        .await?;
        if let Some(until) = lock_for(failures) {
            sqlx::query("UPDATE login_throttle SET locked_until = $1 WHERE key = $2")
                .bind(until)
                .bind(key)
                .execute(&self.write)
                .await?;
        }
        Ok(failures)
    }

    /// Forgets `key`'s failures (after a successful sign-in).
    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

impl Store {
    /// The workspace option: users created with a given password must choose their own at first
    /// sign-in.
    pub async fn users_must_change_password(&self, workspace_id: &str) -> Result<bool> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT users_must_change_password FROM workspaces WHERE id = $1")
                .bind(workspace_id)
                .fetch_optional(self.reader())
                .await?;
        Ok(v.unwrap_or(0) != 0)
    }
}

impl Tx {
    pub async fn set_users_must_change_password(
        &mut self,
        workspace_id: &str,
        on: bool,
    ) -> Result<()> {
        sqlx::query("UPDATE workspaces SET users_must_change_password = $1 WHERE id = $2")
            .bind(on as i64)
            .bind(workspace_id)
            .execute(self.conn().await?)
            .await?;
        Ok(())
    }
}
