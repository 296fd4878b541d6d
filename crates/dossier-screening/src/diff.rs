//! Snapshot diff: what changed between two imports of the same lists.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Entity, EntityKey};

/// Entities added, removed and changed between two snapshots, keyed by `(list, list_id)`;
/// "changed" means the content hash differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDiff {
    pub added: Vec<EntityKey>,
    pub removed: Vec<EntityKey>,
    pub changed: Vec<EntityKey>,
    pub unchanged: usize,
}

impl SnapshotDiff {
    /// Keys a re-screen must look at: added and changed entities.
    pub fn to_rescreen(&self) -> impl Iterator<Item = &EntityKey> {
        self.added.iter().chain(&self.changed)
    }
}

/// Compare two snapshots. Keys come out sorted.
pub fn diff(old: &[Entity], new: &[Entity]) -> SnapshotDiff {
    let hashes = |es: &[Entity]| -> BTreeMap<EntityKey, String> {
        es.iter().map(|e| (e.key(), e.content_hash())).collect()
    };
    let (old, new) = (hashes(old), hashes(new));
    let mut d = SnapshotDiff::default();
    for (k, h) in &new {
        match old.get(k) {
            None => d.added.push(k.clone()),
            Some(oh) if oh != h => d.changed.push(k.clone()),
            Some(_) => d.unchanged += 1,
        }
    }
    d.removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    d
}
