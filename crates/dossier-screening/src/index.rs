//! Candidate index: an inverted index from token keys (exact token, consonant skeleton,
//! 4-letter prefix and suffix, joined neighbour pairs) to entity names. A query gathers the
//! names sharing its rarest keys, keeps the best-supported few, and only those are scored.

use serde::{Deserialize, Serialize};

use crate::explain::Explanation;
use crate::matcher::{Params, PreparedQuery, Query, normalise_entity, score_entity};
use crate::model::Entity;
use crate::normalise::{NormName, TokenClass, skeleton};

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// 0..1, higher is more likely the same party.
    pub score: f64,
    /// `score >= threshold`.
    pub matched: bool,
    pub entity: Entity,
    pub explanation: Explanation,
}

/// Searchable, immutable index over a set of entities (share it behind an `Arc`).
pub struct Index {
    entities: Vec<Entity>,
    /// Normalised names per entity, aligned with `entity.names`.
    norms: Vec<Vec<NormName>>,
    /// Name id → (entity index); name ids are assigned entity by entity.
    name_entity: Vec<u32>,
    /// Sorted unique keys, with `offsets[i]..offsets[i+1]` into `postings`.
    keys: Vec<u64>,
    offsets: Vec<u32>,
    postings: Vec<u32>,
    params: Params,
}

/// Keys with more postings than this share of all names are skipped when the query has
/// other keys: they would only add noise and time (e.g. "mohammed" on some lists).
const MAX_POSTING_SHARE: f64 = 0.05;
/// Candidate names scored per query, at least.
const MIN_CANDIDATES: usize = 64;

fn fnv(tag: u8, s: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325 ^ u64::from(tag);
    h = h.wrapping_mul(0x100000001b3);
    for &b in s {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Blocking keys of a name, grouped by the query token (or token pair) they stem from.
fn key_groups(n: &NormName) -> Vec<Vec<u64>> {
    let mut groups = Vec::new();
    let toks = &n.tokens;
    for t in toks {
        let mut g = Vec::new();
        match t.class {
            TokenClass::Word if t.text.len() >= 2 => {
                g.push(fnv(b't', t.text.as_bytes()));
                if t.skel.len() >= 2 {
                    g.push(fnv(b's', t.skel.as_bytes()));
                }
                if t.text.len() >= 6 {
                    g.push(fnv(b'p', &t.text.as_bytes()[..4]));
                    g.push(fnv(b'x', &t.text.as_bytes()[t.text.len() - 4..]));
                }
            }
            TokenClass::Number => g.push(fnv(b't', t.text.as_bytes())),
            _ => {}
        }
        if !g.is_empty() {
            groups.push(g);
        }
    }
    for w in toks.windows(2) {
        if w.iter()
            .all(|t| matches!(t.class, TokenClass::Word | TokenClass::Particle))
        {
            let j: String = w.iter().map(|t| &*t.text).collect();
            let mut g = vec![fnv(b't', j.as_bytes())];
            let sk = skeleton(&j);
            if sk.len() >= 2 {
                g.push(fnv(b's', sk.as_bytes()));
            }
            groups.push(g);
        }
    }
    if groups.is_empty() && !toks.is_empty() {
        let j: String = toks.iter().map(|t| &*t.text).collect();
        groups.push(vec![fnv(b't', j.as_bytes())]);
    }
    groups
}

impl Index {
    /// Build with the default [`Params`].
    pub fn build(entities: Vec<Entity>) -> Index {
        Index::build_with(entities, Params::default())
    }

    /// Build with explicit matcher parameters (threshold and weights).
    pub fn build_with(entities: Vec<Entity>, params: Params) -> Index {
        let norms: Vec<Vec<NormName>> = entities.iter().map(normalise_entity).collect();
        let mut name_entity = Vec::new();
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (ei, ns) in norms.iter().enumerate() {
            for n in ns {
                let id = name_entity.len() as u32;
                name_entity.push(ei as u32);
                for g in key_groups(n) {
                    pairs.extend(g.into_iter().map(|k| (k, id)));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut keys = Vec::new();
        let mut offsets = Vec::new();
        let mut postings = Vec::with_capacity(pairs.len());
        for (k, id) in pairs {
            if keys.last() != Some(&k) {
                keys.push(k);
                offsets.push(postings.len() as u32);
            }
            postings.push(id);
        }
        offsets.push(postings.len() as u32);
        keys.shrink_to_fit();
        offsets.shrink_to_fit();
        Index {
            entities,
            norms,
            name_entity,
            keys,
            offsets,
            postings,
            params,
        }
    }

    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Number of distinct blocking keys and postings (for reports).
    pub fn stats(&self) -> (usize, usize) {
        (self.keys.len(), self.postings.len())
    }

    fn posting(&self, key: u64) -> &[u32] {
        match self.keys.binary_search(&key) {
            Ok(i) => &self.postings[self.offsets[i] as usize..self.offsets[i + 1] as usize],
            Err(_) => &[],
        }
    }

    /// Indices of the entities worth scoring for this query.
    fn candidates(&self, q: &PreparedQuery, want: usize) -> Vec<u32> {
        let total = self.name_entity.len().max(1) as f64;
        let cap = ((total * MAX_POSTING_SHARE) as usize).max(1000);
        let mut acc: std::collections::HashMap<u32, f32> = std::collections::HashMap::new();
        for (_, n) in &q.variants {
            let groups = key_groups(n);
            let mut skipped: Vec<&[u32]> = Vec::new();
            let mut used_any = false;
            for g in &groups {
                // Within a group, a name counts once, with its rarest key's weight.
                let mut best: std::collections::HashMap<u32, f32> =
                    std::collections::HashMap::new();
                for &k in g {
                    let p = self.posting(k);
                    if p.is_empty() {
                        continue;
                    }
                    if p.len() > cap {
                        skipped.push(p);
                        continue;
                    }
                    let idf = (total / p.len() as f64).ln() as f32 + 1.0;
                    for &id in p {
                        let e = best.entry(id).or_insert(0.0);
                        *e = e.max(idf);
                    }
                }
                used_any |= !best.is_empty();
                for (id, w) in best {
                    *acc.entry(id).or_insert(0.0) += w;
                }
            }
            // Only very common keys: fall back to the smallest of them.
            if !used_any && let Some(p) = skipped.iter().min_by_key(|p| p.len()) {
                for &id in p.iter().take(cap * 4) {
                    *acc.entry(id).or_insert(0.0) += 1.0;
                }
            }
        }
        let mut scored: Vec<(u32, f32)> = acc.into_iter().collect();
        let keep = want.max(MIN_CANDIDATES);
        if scored.len() > keep {
            scored.select_nth_unstable_by(keep, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.truncate(keep);
        }
        let mut ents: Vec<u32> = scored
            .iter()
            .map(|(id, _)| self.name_entity[*id as usize])
            .collect();
        ents.sort_unstable();
        ents.dedup();
        ents
    }

    /// Search with the index's own threshold.
    pub fn search_default(&self, query: &Query) -> Vec<Match> {
        self.search(query, self.params.threshold)
    }

    /// Ranked results, best first, at most `query.limit` (10 when 0). Results scoring under
    /// half the threshold are left out; `matched` is `score >= threshold`.
    pub fn search(&self, query: &Query, threshold: f64) -> Vec<Match> {
        let limit = if query.limit == 0 { 10 } else { query.limit };
        let pq = PreparedQuery::new(query.clone());
        let mut out: Vec<Match> = Vec::new();
        for ei in self.candidates(&pq, limit * 8) {
            let e = &self.entities[ei as usize];
            let Some(s) = score_entity(&pq, e, &self.norms[ei as usize], &self.params) else {
                continue;
            };
            if s.score < threshold * 0.5 {
                continue;
            }
            out.push(Match {
                score: s.score,
                matched: s.score >= threshold,
                entity: e.clone(),
                explanation: s.explanation,
            });
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.entity.list_id.cmp(&b.entity.list_id))
        });
        out.truncate(limit);
        out
    }
}
