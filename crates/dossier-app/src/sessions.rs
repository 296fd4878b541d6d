//! The sessions of the HTML surfaces, one shape for the portal's visitors and the back-office's
//! users: a random secret in the cookie, its SHA-256 in `web_sessions`, a CSRF token, an idle expiry
//! that every request moves and an absolute one that nothing moves.

use std::time::Duration;

use dossier_store::{WebSession, now, timestamp};
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::AppResult;

/// The stored form of a session's secret.
pub fn session_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The stored form of "now + `by`".
pub fn later(by: Duration) -> String {
    let by = jiff::SignedDuration::try_from(by).unwrap_or(jiff::SignedDuration::ZERO);
    timestamp(jiff::Timestamp::now() + by)
}

/// What a new session is for.
pub struct NewSession<'a> {
    pub workspace_id: &'a str,
    /// `portal`, `user` or `oidc`.
    pub kind: &'a str,
    pub subject_id: &'a str,
    pub data: String,
    pub idle: Duration,
    pub max: Duration,
    /// An end the session may not outlive (a portal link's expiry).
    pub not_after: Option<String>,
}

impl App {
    /// Parses a duration of the configuration (checked at start).
    pub(crate) fn duration(&self, text: &str) -> Duration {
        crate::config::parse_every(text).expect("checked at start")
    }

    /// Opens a session: the secret for the cookie, and the stored session.
    pub(crate) async fn open_session(
        &self,
        new: NewSession<'_>,
    ) -> AppResult<(String, WebSession)> {
        let secret = crate::new_secret();
        let at = now();
        let mut expires_at = later(new.max);
        if let Some(limit) = new.not_after {
            expires_at = expires_at.min(limit);
        }
        let session = WebSession {
            id_hash: session_hash(&secret),
            workspace_id: new.workspace_id.to_string(),
            kind: new.kind.to_string(),
            subject_id: new.subject_id.to_string(),
            csrf_token: crate::new_secret(),
            data: new.data,
            created_at: at.clone(),
            last_seen_at: at,
            idle_expires_at: later(new.idle).min(expires_at.clone()),
            expires_at,
        };
        self.store.insert_web_session(&session).await?;
        Ok((secret, session))
    }

    /// The live session of `kind` behind a cookie's secret, its idle expiry moved by `idle`; `None`
    /// when it is unknown, of another kind or ended (an ended one is deleted).
    pub(crate) async fn live_session(
        &self,
        secret: &str,
        kind: &str,
        idle: Duration,
    ) -> AppResult<Option<WebSession>> {
        let hash = session_hash(secret);
        let Some(mut session) = self
            .store
            .web_session(&hash)
            .await?
            .filter(|s| s.kind == kind)
        else {
            return Ok(None);
        };
        let at = now();
        if session.expires_at <= at || session.idle_expires_at <= at {
            self.store.delete_web_session(&hash).await?;
            return Ok(None);
        }
        session.idle_expires_at = later(idle).min(session.expires_at.clone());
        session.last_seen_at = at;
        self.store
            .touch_web_session(&hash, &session.last_seen_at, &session.idle_expires_at)
            .await?;
        Ok(Some(session))
    }

    /// Ends a session (sign-out, or a cookie replaced).
    pub async fn end_session(&self, secret: &str) -> AppResult<()> {
        Ok(self.store.delete_web_session(&session_hash(secret)).await?)
    }
}
