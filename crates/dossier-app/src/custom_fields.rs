//! Custom field definitions: what a workspace adds to its cases and parties.

use dossier_domain::application::Application;
use dossier_domain::audit::diff;
use dossier_domain::custom_field::{
    AppliesTo, CustomFieldDefinition, CustomFieldPatch, NewCustomField,
};
use dossier_domain::workflow::cel::{Expression, Scope};
use dossier_store::now;
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::workflow::ENGINE;
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
                description: new.description,
                show_in_portal: new.show_in_portal,
                condition: new.condition,
                created_at: at.clone(),
                updated_at: at,
            };
            check_condition(&def)?;
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
            check_condition(&def)?;
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

/// Refuses a `condition` that does not compile as a case expression (see `docs/workflows.md`).
fn check_condition(def: &CustomFieldDefinition) -> AppResult<()> {
    if let Some(c) = &def.condition {
        Expression::compile(c, Scope::Case).map_err(|e| AppError::invalid("condition", e))?;
    }
    Ok(())
}

/// The fields the portal shows on this case: marked for the portal, applying to the case, and
/// whose condition holds (a condition that fails to evaluate shows the field: the safe side).
pub fn shown_in_portal<'a>(
    definitions: &'a [CustomFieldDefinition],
    case: &Application,
) -> Vec<&'a CustomFieldDefinition> {
    let candidates: Vec<&CustomFieldDefinition> = definitions
        .iter()
        .filter(|d| d.show_in_portal && d.applies_to.contains(&AppliesTo::Application))
        .collect();
    let compiled: Vec<Option<Expression>> = candidates
        .iter()
        .map(|d| {
            d.condition
                .as_deref()
                .and_then(|c| Expression::compile(c, Scope::Case).ok())
        })
        .collect();
    let conditions: Vec<&Expression> = compiled.iter().flatten().collect();
    if conditions.is_empty() {
        return candidates;
    }
    let value = serde_json::to_value(case).expect("an application serialises");
    let mut results = ENGINE
        .conditions(
            &conditions,
            &value,
            &case.documents,
            &case.tasks,
            crate::workflow::today(),
        )
        .into_iter();
    candidates
        .into_iter()
        .zip(compiled.iter())
        .filter(|(_, c)| c.is_none() || results.next().is_some_and(|r| r.unwrap_or(true)))
        .map(|(d, _)| d)
        .collect()
}

fn to_json(def: &CustomFieldDefinition) -> Value {
    serde_json::to_value(def).expect("a definition serialises")
}
