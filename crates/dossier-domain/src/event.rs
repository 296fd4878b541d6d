//! The event catalogue: every event type Dossier emits, as webhook subscribers name them.

/// Every event type, in the order of the documentation. Each is emitted somewhere or listed in
/// [`RESERVED`]; `crates/dossier-app/tests/event_catalogue.rs` checks both ways against the source.
pub const EVENT_TYPES: &[&str] = &[
    "application.created",
    "application.updated",
    "application.submitted",
    "application.review_updated",
    "application.status_updated",
    "application.risk_updated",
    "collect.opened",
    "collect.closed",
    "document.created",
    "document.updated",
    "document.deleted",
    "screening.hit",
    "webhooks.test",
];

/// Catalogued types that nothing emits yet (none today; kept for the next ones, so the catalogue
/// test keeps telling an unbuilt type from a forgotten one).
pub const RESERVED: &[&str] = &[];

/// `true` for a known event type or the wildcard `*`.
pub fn is_subscribable(name: &str) -> bool {
    name == "*" || EVENT_TYPES.contains(&name)
}

/// An event type as the OpenAPI description gives it: what [`is_subscribable`] accepts.
pub struct Subscribable;

impl utoipa::PartialSchema for Subscribable {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "An event type (see docs/webhooks.md), or `*` for every one.",
            ))
            .enum_values(Some(
                std::iter::once("*").chain(EVENT_TYPES.iter().copied()),
            ))
            .into()
    }
}

impl utoipa::ToSchema for Subscribable {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_and_the_wildcard_are_subscribable() {
        assert!(is_subscribable("*"));
        assert!(is_subscribable("application.review_updated"));
        assert!(!is_subscribable("application.deleted"));
        assert!(!is_subscribable(""));
    }
}
