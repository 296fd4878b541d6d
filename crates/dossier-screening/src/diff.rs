//! Snapshot diff: what changed between two imports of the same lists.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Entity, EntityKey, SourceKind};
use crate::parsers::{ParseError, parse};

/// One import of one source: what the store persists (as JSON) and diffs against the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub kind: SourceKind,
    pub entities: Vec<Entity>,
}

impl Snapshot {
    /// Parse a source into a snapshot; on error nothing is produced, so a bad file can never
    /// replace a good snapshot.
    pub fn import(kind: SourceKind, path: &std::path::Path) -> Result<Snapshot, ParseError> {
        Ok(Snapshot {
            kind,
            entities: parse(kind, path)?,
        })
    }

    /// What changed since `previous`.
    pub fn diff_from(&self, previous: &Snapshot) -> SnapshotDiff {
        diff(&previous.entities, &self.entities)
    }

    /// SHA-256 over the entities' content hashes, in key order: equal for equal content.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hashes: Vec<(EntityKey, String)> = self
            .entities
            .iter()
            .map(|e| (e.key(), e.content_hash()))
            .collect();
        hashes.sort();
        let mut h = Sha256::new();
        for (k, c) in hashes {
            h.update(k.list.as_bytes());
            h.update([0]);
            h.update(k.list_id.as_bytes());
            h.update([0]);
            h.update(c.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

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

    /// The added and changed entities of `new` (the snapshot this diff leads to). Build an
    /// [`crate::Index`] over them to re-screen every party against the changes only.
    pub fn entities_to_rescreen(&self, new: &[Entity]) -> Vec<Entity> {
        let keys: std::collections::HashSet<&EntityKey> = self.to_rescreen().collect();
        new.iter()
            .filter(|e| keys.contains(&e.key()))
            .cloned()
            .collect()
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
