//! `dossier-store`'s own tests: the storage API exercised directly, without HTTP, each test on SQLite
//! and on PostgreSQL (see `common` and its `store_test!`).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod api_keys;
mod applications;
mod audit;
mod case_lists;
mod collation;
mod idempotency;
mod scoping;
mod screening_queue;
mod versions;
mod webhooks;
