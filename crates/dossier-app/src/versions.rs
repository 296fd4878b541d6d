//! A case's versions: every change of a case stored one immutable version (see `dossier-store`
//! `versions.rs`); these are the reads of them — the list, one version, and the case as of a time.

use dossier_store::normalise_timestamp;
use serde_json::Value;

use crate::applications::ensure_exists;
use crate::error::{AppError, AppResult};
use crate::{App, Principal, fetch_limit, paginate};

impl App {
    /// One page of the case's versions, newest first: `{data: [{version, at, actor, hash}],
    /// next_cursor}` (the cursor is a version number).
    pub async fn application_versions(
        &self,
        p: &Principal,
        id: &str,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        ensure_exists(&self.store, p.ws(), id).await?;
        let fetch = fetch_limit(limit)?;
        let before = crate::seq_cursor(cursor)?;
        let versions = self
            .store
            .application_versions(p.ws(), id, before, fetch)
            .await?;
        Ok(paginate(versions, fetch, |v| v.version.to_string()))
    }

    /// The case as it was at `version`, as stored JSON text; 404 for no such case or version.
    pub async fn application_version_json(
        &self,
        p: &Principal,
        id: &str,
        version: i64,
    ) -> AppResult<String> {
        self.store
            .application_version_json(p.ws(), id, version)
            .await?
            .ok_or(AppError::NotFound("application version"))
    }

    /// The case as it was at `as_of` (RFC 3339): its newest version written at or before then. 400
    /// on a bad timestamp, 404 before the case was created.
    pub async fn application_json_as_of(
        &self,
        p: &Principal,
        id: &str,
        as_of: &str,
    ) -> AppResult<String> {
        let at = normalise_timestamp(as_of).ok_or_else(|| {
            AppError::BadRequest(
                "bad_timestamp",
                "as_of must be an RFC 3339 timestamp".into(),
            )
        })?;
        self.store
            .application_json_as_of(p.ws(), id, &at)
            .await?
            .ok_or(AppError::NotFound("application"))
    }
}
