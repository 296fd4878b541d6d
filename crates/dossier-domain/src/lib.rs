//! Dossier's business types and rules. Pure and synchronous: no I/O, no clock reads except through
//! the [`id`] and time helpers that callers may replace in tests.

pub mod access;
pub mod application;
pub mod audit;
pub mod country;
pub mod custom_field;
pub mod event;
pub mod id;
pub mod relationship;
pub mod search;
pub mod time;
pub mod validation;
pub mod webhook;
pub mod workflow;
