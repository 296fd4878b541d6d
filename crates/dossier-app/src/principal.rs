//! Who acts: one [`Principal`] for an API key, an analyst, a portal visitor, a worker or the CLI. It
//! carries the workspace every query is scoped to, the actor the audit trail records and the role
//! every permission check and the decision policy read.

use dossier_domain::access::{Actor, Role};

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub workspace_id: String,
    pub actor: Actor,
    /// The workspace's settings version when the request came in (see `dossier_store::Settings`);
    /// `None` for workers and the CLI, which always read the settings from the database.
    pub settings_version: Option<i64>,
}

impl Principal {
    pub fn new(workspace_id: &str, actor: Actor) -> Self {
        Self {
            workspace_id: workspace_id.to_string(),
            actor,
            settings_version: None,
        }
    }

    /// An API key acting with its role.
    pub fn api_key(workspace_id: &str, key_id: &str, role: Role, settings_version: i64) -> Self {
        Self {
            settings_version: Some(settings_version),
            ..Self::new(workspace_id, Actor::api_key(key_id, role))
        }
    }

    /// A background worker (screening, monitoring) acting on a workspace's cases: an automation.
    pub fn system(workspace_id: &str) -> Self {
        Self::new(workspace_id, Actor::system())
    }

    /// The command line, run by the operator.
    pub fn cli(workspace_id: &str) -> Self {
        Self::new(workspace_id, Actor::cli())
    }

    pub fn ws(&self) -> &str {
        &self.workspace_id
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }

    /// Refuses a principal whose role may not change anything.
    pub fn require_write(&self) -> AppResult<()> {
        if self.role().may_write() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "read_only",
                format!("this {} is read-only", self.noun()),
            ))
        }
    }

    /// Refuses a portal's client: the workspace's lists and figures are for its team.
    pub fn require_staff(&self) -> AppResult<()> {
        if self.role() == Role::Client {
            Err(AppError::Forbidden(
                "staff_only",
                "only the workspace's team may see its cases".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// Refuses a principal that is not an admin (workspace settings, users, keys).
    pub fn require_admin(&self) -> AppResult<()> {
        match self.role() {
            Role::Admin | Role::Automation => Ok(()),
            _ => Err(AppError::Forbidden(
                "admin_only",
                "only an admin may change the workspace's settings".into(),
            )),
        }
    }

    fn noun(&self) -> &'static str {
        match self.actor.kind.as_str() {
            "api_key" => "API key",
            "user" => "user",
            "portal" => "portal",
            _ => "principal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_key_may_not_write_and_others_may() {
        let ro = Principal::api_key("ws", "key_1", Role::ReadOnly, 0);
        let err = ro.require_write().unwrap_err();
        assert_eq!(err.code(), "read_only");
        assert_eq!(err.detail(), "this API key is read-only");
        for role in [
            Role::Admin,
            Role::QualifiedReviewer,
            Role::Reviewer,
            Role::Automation,
        ] {
            assert!(
                Principal::api_key("ws", "k", role, 0)
                    .require_write()
                    .is_ok()
            );
        }
    }

    #[test]
    fn only_admins_and_automations_change_settings() {
        assert!(
            Principal::api_key("ws", "k", Role::Reviewer, 0)
                .require_admin()
                .is_err()
        );
        assert!(
            Principal::api_key("ws", "k", Role::Admin, 0)
                .require_admin()
                .is_ok()
        );
    }
}
