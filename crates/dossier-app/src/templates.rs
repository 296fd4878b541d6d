//! Workflow templates. A workspace sees the shipped templates (`kyb_standard`, `kyc_standard`) and
//! its own, which override a shipped one of the same name or add new ones. A template is compiled
//! when it is saved, so a broken CEL expression is refused naming its path and never reaches a case.
//! Cases pick up a changed template at their next change.

use dossier_domain::audit::diff;
use dossier_store::{StoredTemplate, now};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::{App, Outcome, Principal, Written, workflow};

/// One entry of the template list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateSummary {
    pub name: String,
    pub version: u32,
    /// `business` or `person`.
    pub applies_to: String,
    pub description: String,
    /// `default` (shipped with Dossier) or `workspace` (saved through the API).
    pub origin: String,
    pub updated_at: Option<String>,
}

impl App {
    /// The templates the workspace's cases can use, by name.
    pub async fn templates(&self, p: &Principal) -> AppResult<Vec<TemplateSummary>> {
        let ws = p.ws();
        let own = self.store.templates(ws).await?;
        let mut out = Vec::new();
        for stored in &own {
            let t = workflow::compile_stored(ws, stored)?;
            out.push(TemplateSummary {
                name: t.source.name.clone(),
                version: t.source.version,
                applies_to: t.source.applies_to.as_str().into(),
                description: t.source.description.clone(),
                origin: "workspace".into(),
                updated_at: Some(stored.updated_at.clone()),
            });
        }
        for name in workflow::default_names() {
            if own.iter().any(|s| s.name == name) {
                continue;
            }
            let t = workflow::default_template(&name).expect("listed");
            out.push(TemplateSummary {
                name,
                version: t.source.version,
                applies_to: t.source.applies_to.as_str().into(),
                description: t.source.description.clone(),
                origin: "default".into(),
                updated_at: None,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// A template (the workspace's own, else the shipped one) in the format of `docs/workflows.md`.
    pub async fn template(&self, p: &Principal, name: &str) -> AppResult<Value> {
        self.current_template(p.ws(), name)
            .await?
            .ok_or(AppError::NotFound("template"))
    }

    async fn current_template(&self, ws: &str, name: &str) -> AppResult<Option<Value>> {
        if let Some(stored) = self
            .store
            .templates(ws)
            .await?
            .into_iter()
            .find(|t| t.name == name)
        {
            return serde_json::from_str(&stored.source)
                .map(Some)
                .map_err(|e| AppError::Internal(format!("stored template {name}: {e}")));
        }
        Ok(workflow::default_template(name)
            .map(|t| serde_json::to_value(&t.source).expect("a template serialises")))
    }

    /// Saves the workspace's version of a template, validated and compiled first (each problem
    /// named by its path). The body's `name`, if given, must match `name`.
    pub async fn save_template(
        &self,
        p: &Principal,
        name: &str,
        mut value: Value,
    ) -> AppResult<Written> {
        p.require_admin()?;
        let valid_name = !name.is_empty()
            && name.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_name {
            return Err(AppError::invalid(
                "name",
                "use 1-100 lower-case letters, digits and underscores",
            ));
        }
        let Some(object) = value.as_object_mut() else {
            return Err(AppError::invalid("body", "a template is a JSON object"));
        };
        match object.get("name") {
            None => {
                object.insert("name".into(), json!(name));
            }
            Some(Value::String(n)) if *n == name => {}
            Some(_) => {
                return Err(AppError::invalid(
                    "name",
                    format!("must be `{name}`, the name in the path"),
                ));
            }
        }
        let compiled = workflow::compile(&value)?;
        let source = serde_json::to_value(&compiled.source).expect("a template serialises");
        let before = self.current_template(p.ws(), name).await?;
        self.write(p, None, async |tx| {
            let stored = StoredTemplate {
                name: name.to_string(),
                version: compiled.source.version as i64,
                source: source.to_string(),
                updated_at: now(),
            };
            tx.put_template(p.ws(), &stored).await?;
            tx.audit(
                p.ws(),
                &p.actor,
                "template.saved",
                "template",
                name,
                None,
                &diff(before.as_ref().unwrap_or(&Value::Null), &source),
            )
            .await?;
            Ok((Outcome::Changed, source.clone()))
        })
        .await
    }
}
