//! API keys as use cases: an admin creates one (its secret shown once), lists them, revokes one.
//! The store hashes and audits; this layer checks the role and the input, and records who acted.

use dossier_domain::access::Role;
use dossier_domain::validation::Errors;
use dossier_store::{ApiKey, NewKey, StoreError};

use crate::error::{AppError, AppResult};
use crate::{App, Principal};

/// The roles a key may act with: every staff role (`automation` for an integration).
pub fn parse_key_role(text: &str) -> Option<Role> {
    Role::parse(text).filter(|r| Role::STAFF.contains(r))
}

impl App {
    /// Creates a key of the principal's workspace (admins): the answer carries its secret, shown
    /// only here.
    pub async fn create_api_key(&self, p: &Principal, name: &str, role: &str) -> AppResult<NewKey> {
        p.require_admin()?;
        let mut errors = Errors::new();
        let name = name.trim();
        if name.is_empty() {
            errors.add_code("name", "required", "name the key after what uses it");
        } else if name.chars().count() > 200 {
            errors.add_code("name", "too_long", "must be at most 200 characters");
        }
        let role = parse_key_role(role);
        if role.is_none() {
            errors.add_code(
                "role",
                "choice",
                "must be one of admin, qualified_reviewer, reviewer, read_only, automation",
            );
        }
        errors.into_result().map_err(AppError::Invalid)?;
        Ok(self
            .store
            .create_api_key_by(p.ws(), name, role.expect("checked"), &p.actor)
            .await?)
    }

    /// The workspace's keys, newest first, revoked ones included (admins).
    pub async fn api_keys(&self, p: &Principal) -> AppResult<Vec<ApiKey>> {
        p.require_admin()?;
        Ok(self.store.api_keys(p.ws()).await?)
    }

    /// Revokes a live key of the workspace (admins); another workspace's key is not found.
    pub async fn revoke_api_key(&self, p: &Principal, id: &str) -> AppResult<()> {
        p.require_admin()?;
        self.store
            .revoke_api_key_by(p.ws(), id, &p.actor)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound("API key"),
                e => e.into(),
            })
    }

    /// Verifies the workspace's audit chains and stored case versions (admins): the entries
    /// checked, and the first break if any.
    pub async fn verify_audit(
        &self,
        p: &Principal,
    ) -> AppResult<(i64, Option<dossier_store::ChainBreak>)> {
        p.require_admin()?;
        let count = self.store.workspace_audit_entry_count(p.ws()).await?;
        let broken = self.store.verify_workspace_audit(p.ws()).await?;
        Ok((count, broken))
    }
}
