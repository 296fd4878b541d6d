//! The JSON API under `/api`, one module per feature. Each handler parses the request, calls the
//! application layer and renders its answer (errors through [`crate::error`]).

pub mod applications;
pub mod cases;
pub mod custom_fields;
pub mod documents;
pub mod events;
pub mod portals;
pub mod relationships;
pub mod screening;
pub mod screening_hits;
pub mod templates;
pub mod verification;
pub mod webhooks;
