//! Webhook endpoint bodies and their checks: pure, so the API and the fuzz targets run the same
//! validation. Storing, signing and delivering live in the application layer and the workers.

pub mod target;

use serde::Deserialize;
use utoipa::ToSchema;

use crate::event::{Subscribable, is_subscribable};
use crate::validation::{Errors, FieldError};

/// Body of `POST /api/webhooks`: `{url, events}`, or Zapier's REST-hook `{target_url, event}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    /// Event types, or `["*"]` for every event.
    #[schema(value_type = Option<Vec<Subscribable>>, min_items = 1)]
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    /// REST-hook alias of `url`.
    #[schema(max_length = 2048)]
    pub target_url: Option<String>,
    /// REST-hook alias of `events: [event]`.
    #[schema(value_type = Option<Subscribable>)]
    pub event: Option<String>,
}

/// Body of `PATCH /api/webhooks/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<Subscribable>>, min_items = 1)]
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// Re-enabling clears the reason it was disabled.
    pub enabled: Option<bool>,
}

/// A new endpoint's settings once its body is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointSettings {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
}

fn one(field: &str, message: &str) -> Vec<FieldError> {
    vec![FieldError {
        field: field.into(),
        code: "invalid",
        message: message.into(),
    }]
}

impl NewWebhook {
    /// Resolves the REST-hook aliases (`events` defaults to `["*"]`) and checks the result.
    pub fn into_settings(self, allow_private: bool) -> Result<EndpointSettings, Vec<FieldError>> {
        let url = match (self.url, self.target_url) {
            (Some(u), None) | (None, Some(u)) => u,
            (Some(_), Some(_)) => {
                return Err(one("target_url", "give `url` or `target_url`, not both"));
            }
            (None, None) => return Err(one("url", "the endpoint URL is required")),
        };
        let events = match (self.events, self.event) {
            (Some(list), None) => list,
            (None, Some(one)) => vec![one],
            (None, None) => vec!["*".to_string()],
            (Some(_), Some(_)) => return Err(one("event", "give `events` or `event`, not both")),
        };
        let mut errors = Errors::new();
        check(&mut errors, &url, &events, allow_private);
        errors.into_result()?;
        Ok(EndpointSettings {
            url,
            events,
            description: self.description,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// Checks an endpoint's URL (see [`target`]) and event types.
pub fn check(errors: &mut Errors, url: &str, events: &[String], allow_private: bool) {
    match target::parse_target(url) {
        Err(e) => errors.add("url", e),
        Ok(u) => {
            if let Err(e) = target::check_literal_host(&u, allow_private) {
                errors.add("url", e);
            }
        }
    }
    if events.is_empty() {
        errors.add(
            "events",
            "subscribe to at least one event type, or [\"*\"] for all",
        );
    }
    for (i, e) in events.iter().enumerate() {
        if !is_subscribable(e) {
            errors.add(
                format!("events[{i}]"),
                format!("`{e}` is not an event type (see docs/webhooks.md)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(json: serde_json::Value) -> NewWebhook {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn rest_hook_aliases_resolve_and_conflicts_are_named() {
        let s = new(serde_json::json!({"target_url": "https://example.com/h", "event": "*"}))
            .into_settings(false)
            .unwrap();
        assert_eq!(s.url, "https://example.com/h");
        assert_eq!(s.events, ["*"]);
        assert!(s.enabled);
        let both =
            new(serde_json::json!({"url": "https://a.example", "target_url": "https://b.example"}));
        assert_eq!(
            both.into_settings(false).unwrap_err()[0].field,
            "target_url"
        );
        let none = new(serde_json::json!({"events": ["*"]}));
        assert_eq!(none.into_settings(false).unwrap_err()[0].field, "url");
        let private = new(serde_json::json!({"url": "http://127.0.0.1/h", "events": ["nope"]}));
        let errors = private.into_settings(false).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["url", "events[0]"]);
    }
}
