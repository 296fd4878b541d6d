//! Custom field definitions: what a workspace adds to its cases and parties.

use dossier_domain::audit::diff;
use dossier_domain::custom_field::{
    AppliesTo, CustomFieldDefinition, CustomFieldPatch, NewCustomField,
};
use dossier_store::now;
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::{App, Idempotency, Outcome, Principal, Written};

impl App {
    /// Defines a custom field (admins and automations).
    pub async fn create_custom_field(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        new: NewCustomField,
    ) -> AppResult<Written> {
        p.require_admin()?;
        self.write(p, idempotency, async |tx| {
            new.validate()?;
            let at = now();
            let def = CustomFieldDefinition {
                id: dossier_domain::id::new_id("cf"),
                api_name: new.api_name,
                label: new.label,
                field_type: new.field_type,
                choices: new.choices,
                required: new.required,
                applies_to: new
                    .applies_to
                    .unwrap_or_else(|| vec![AppliesTo::Application]),
                created_at: at.clone(),
                updated_at: at,
            };
            tx.insert_custom_field(p.ws(), &def).await?;
            let after = to_json(&def);
            tx.audit(
                p.ws(),
                &p.actor,
                "custom_field.created",
                "custom_field",
                &def.id,
                None,
                &diff(&Value::Null, &after),
            )
            .await?;
            Ok((Outcome::Created, after))
        })
        .await
    }

    /// The workspace's custom fields, in creation order.
    pub async fn custom_fields(&self, p: &Principal) -> AppResult<Vec<CustomFieldDefinition>> {
        Ok(self.store.custom_fields(p.ws()).await?)
    }

    pub async fn custom_field(&self, p: &Principal, id: &str) -> AppResult<CustomFieldDefinition> {
        self.store
            .custom_field(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("custom field"))
    }

    /// Changes a custom field's label, choices, `required` or `applies_to` (`api_name` and `type`
    /// are fixed).
    pub async fn update_custom_field(
        &self,
        p: &Principal,
        id: &str,
        patch: CustomFieldPatch,
    ) -> AppResult<Written> {
        p.require_admin()?;
        self.write(p, None, async |tx| {
            let current = tx
                .custom_fields(p.ws())
                .await?
                .into_iter()
                .find(|d| d.id == id)
                .ok_or(AppError::NotFound("custom field"))?;
            let mut def = current.clone();
            def.apply(patch)?;
            if def != current {
                def.updated_at = now();
                tx.update_custom_field(p.ws(), &def).await?;
                tx.audit(
                    p.ws(),
                    &p.actor,
                    "custom_field.updated",
                    "custom_field",
                    &def.id,
                    None,
                    &diff(&to_json(&current), &to_json(&def)),
                )
                .await?;
            }
            Ok((Outcome::Changed, to_json(&def)))
        })
        .await
    }
}

fn to_json(def: &CustomFieldDefinition) -> Value {
    serde_json::to_value(def).expect("a definition serialises")
}
