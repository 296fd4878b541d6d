//! Sanctions and PEP screening, without I/O beyond reading list files: watchlist parsers into
//! one [`Entity`] model, snapshot diffs, name normalisation and transliteration, a candidate
//! [`Index`] and an explainable matcher.
//!
//! ```no_run
//! use dossier_screening::{Index, Query, SourceKind, parse};
//! let entities = parse(SourceKind::OfacSdn, "data/ofac_sdn/2024-05-03".as_ref()).unwrap();
//! let index = Index::build(entities);
//! let hits = index.search(&Query { birth_date: Some("1952-10-07".into()), ..Query::name("Vladimir Putin") }, 0.7);
//! println!("{}", serde_json::to_string_pretty(&hits).unwrap());
//! ```
//!
//! * [`parse`]`(kind, path) -> Result<Vec<Entity>, ParseError>`; errors name file, line, field.
//! * [`diff`]`(old, new) -> SnapshotDiff` keyed by `(list, list_id)` with a content hash;
//!   [`Snapshot::import`]`(kind, path)`, [`Snapshot::diff_from`], [`Snapshot::digest`].
//!   [`SnapshotDiff::entities_to_rescreen`] gives the added/changed entities: index those to
//!   re-screen every party against the changes only.
//! * [`Index::build`]`(entities)` / [`Index::build_with`]`(entities, Params)`;
//!   [`Index::search`]`(&Query, threshold) -> Vec<Match>`, best first, at most `query.limit`
//!   (default 10), down to half the threshold; `Match { score, matched, entity, explanation }`.
//!   The index is immutable and `Sync`: share it behind an `Arc`, rebuild after an import.
//! * [`compare_names`] for a bare name-to-name score; [`Params`] holds the threshold (default
//!   0.70) and the weights (see `docs/screening.md`).
//!
//! Entities, snapshots, queries, matches and explanations are serde (de)serialisable; a query
//! body may say `type` for `schema` (`person`, `organisation`/`organization`).
//!
//! OpenSanctions data (the `ftm` and `senzing` sources) is licensed CC BY-NC 4.0:
//! non-commercial use only without a licence from OpenSanctions.

pub mod countries;
pub mod diff;
pub mod explain;
pub mod index;
pub mod matcher;
pub mod model;
pub mod nicknames;
pub mod normalise;
pub mod parsers;

pub use diff::{Snapshot, SnapshotDiff, diff};
pub use explain::{Explanation, Feature, TokenHow, TokenMatch};
pub use index::{Index, Match};
pub use matcher::{Params, Query, compare_names};
pub use model::{Entity, EntityKey, Identifier, Name, NameKind, Schema, SourceKind};
pub use parsers::{ParseError, parse};
