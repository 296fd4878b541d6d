//! The settings a case is evaluated with — the workspace's custom field definitions and its own
//! templates — kept in memory per process, since every change of a case needs them.
//!
//! Any change to them bumps `workspaces.settings_version` in the same transaction. A request reads
//! that version along with its API key ([`Store::api_key_by_secret`](crate::Store::api_key_by_secret)) and hands it to its
//! transaction ([`Tx::observe_settings`]); the transaction then uses the settings kept for that very
//! version, or reads and keeps them. So a request never sees settings older than those committed
//! before it began, whichever process committed them. Work without a request behind it (workers,
//! the CLI) observes no version and always reads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use dossier_domain::custom_field::CustomFieldDefinition;

use crate::{Result, Store, StoredTemplate, Tx};

/// Settings kept per workspace, each for the settings version it was read at (or later).
#[derive(Default)]
pub(crate) struct SettingsCache {
    workspaces: Mutex<HashMap<String, Kept>>,
}

#[derive(Default)]
struct Kept {
    version: i64,
    custom_fields: Option<Arc<Vec<CustomFieldDefinition>>>,
    templates: HashMap<String, Option<Arc<StoredTemplate>>>,
}

impl SettingsCache {
    /// What is kept for this workspace at this version (an entry of another version is dropped).
    fn with<T>(&self, ws: &str, version: i64, f: impl FnOnce(&mut Kept) -> T) -> T {
        let mut all = self.workspaces.lock().unwrap_or_else(|e| e.into_inner());
        let kept = all.entry(ws.to_string()).or_default();
        if kept.version != version {
            *kept = Kept {
                version,
                ..Kept::default()
            };
        }
        f(kept)
    }
}

/// A request's view of its workspace's settings: through the kept ones when the request observed
/// a settings version, else straight from the database. Cheap to make, and `Send` across awaits
/// (unlike the transaction it comes from).
#[derive(Clone)]
pub struct Settings {
    store: Store,
    observed: Option<(String, i64)>,
}

impl Settings {
    fn version_for(&self, workspace_id: &str) -> Option<i64> {
        match &self.observed {
            Some((ws, v)) if ws == workspace_id => Some(*v),
            _ => None,
        }
    }

    /// The workspace's custom field definitions as of this request (see the module's comment).
    pub async fn field_definitions(
        &self,
        workspace_id: &str,
    ) -> Result<Arc<Vec<CustomFieldDefinition>>> {
        let store = &self.store;
        let Some(version) = self.version_for(workspace_id) else {
            return Ok(Arc::new(store.custom_fields(workspace_id).await?));
        };
        let kept = store
            .settings
            .with(workspace_id, version, |k| k.custom_fields.clone());
        if let Some(kept) = kept {
            return Ok(kept);
        }
        // Read after the version was: what is read is at least that recent.
        let read = Arc::new(store.custom_fields(workspace_id).await?);
        store.settings.with(workspace_id, version, |k| {
            k.custom_fields = Some(read.clone());
        });
        Ok(read)
    }

    /// The workspace's own template of that name as of this request (see the module's comment).
    pub async fn workspace_template(
        &self,
        workspace_id: &str,
        name: &str,
    ) -> Result<Option<Arc<StoredTemplate>>> {
        let store = &self.store;
        let Some(version) = self.version_for(workspace_id) else {
            return Ok(store.template(workspace_id, name).await?.map(Arc::new));
        };
        let kept = store
            .settings
            .with(workspace_id, version, |k| k.templates.get(name).cloned());
        if let Some(kept) = kept {
            return Ok(kept);
        }
        let read = store.template(workspace_id, name).await?.map(Arc::new);
        store.settings.with(workspace_id, version, |k| {
            k.templates.insert(name.to_string(), read.clone());
        });
        Ok(read)
    }
}

impl Tx {
    /// The workspace settings version as this transaction's request found it (with its API key).
    pub fn observe_settings(&mut self, workspace_id: &str, version: i64) {
        self.settings_version = Some((workspace_id.to_string(), version));
    }

    /// The settings this transaction's changes are evaluated with.
    pub fn settings(&self) -> Settings {
        Settings {
            store: self.store().clone(),
            observed: self.settings_version.clone(),
        }
    }

    /// Records, in this transaction, that the workspace's settings change.
    pub(crate) async fn settings_changed(&mut self, workspace_id: &str) -> Result<()> {
        sqlx::query("UPDATE workspaces SET settings_version = settings_version + 1 WHERE id = $1")
            .bind(workspace_id)
            .execute(self.conn().await?)
            .await?;
        Ok(())
    }
}
