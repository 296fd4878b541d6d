//! Candidate index: an inverted index from token keys (exact token, consonant skeleton,
//! 4-letter prefix and suffix, joined neighbour pairs) to entity names. A query gathers the
//! names sharing its rarest keys, keeps the best-supported few, and only those are scored.

use serde::{Deserialize, Serialize};

use crate::explain::Explanation;
use crate::matcher::{Params, PreparedQuery, Query, normalise_entity, score_entity_names};
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
    /// Name id → entity index; name ids are assigned entity by entity.
    name_entity: Vec<u32>,
    /// Name id → index of the name within its entity.
    name_pos: Vec<u16>,
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
const MIN_CANDIDATES: usize = 24;

/// Per-thread accumulator reused across queries: dense arrays indexed by name id, reset
/// through the list of touched ids (no per-query allocation proportional to the index).
#[derive(Default)]
struct Scratch {
    acc: Vec<f32>,
    mark: Vec<u32>,
    touched: Vec<u32>,
    group: u32,
}

impl Scratch {
    fn reset(&mut self, n: usize) {
        if self.acc.len() != n {
            self.acc = vec![0.0; n];
            self.mark = vec![0; n];
            self.group = 0;
        } else {
            for &id in &self.touched {
                self.acc[id as usize] = 0.0;
            }
        }
        self.touched.clear();
    }

    fn next_group(&mut self) {
        self.group = self.group.wrapping_add(1);
        if self.group == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.group = 1;
        }
    }

    fn add_once(&mut self, id: u32, w: f32) {
        let i = id as usize;
        if self.mark[i] == self.group {
            return;
        }
        self.mark[i] = self.group;
        if self.acc[i] == 0.0 {
            self.touched.push(id);
        }
        self.acc[i] += w;
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

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
        let mut name_pos = Vec::new();
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (ei, ns) in norms.iter().enumerate() {
            for (ni, n) in ns.iter().enumerate().take(u16::MAX as usize) {
                let id = name_entity.len() as u32;
                name_entity.push(ei as u32);
                name_pos.push(ni as u16);
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
            name_pos,
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

    /// The entities worth scoring for this query, each with the names that were hit.
    fn candidates(&self, q: &PreparedQuery, want: usize) -> Vec<(u32, Vec<u16>)> {
        let scored = self.gather(q);
        self.select(scored, want)
    }

    /// Accumulate IDF-weighted key hits per name id.
    fn gather(&self, q: &PreparedQuery) -> Vec<(u32, f32)> {
        let total = self.name_entity.len().max(1) as f64;
        let cap = ((total * MAX_POSTING_SHARE) as usize).max(1000);
        SCRATCH.with(|cell| {
            let mut sc = cell.borrow_mut();
            sc.reset(self.name_entity.len());
            for (_, n) in &q.variants {
                let mut skipped: Vec<&[u32]> = Vec::new();
                let mut used_any = false;
                for g in key_groups(n) {
                    // Rarest key first: within a group a name counts once, at its best weight.
                    let mut lists: Vec<&[u32]> = Vec::with_capacity(g.len());
                    for k in g {
                        let p = self.posting(k);
                        if p.len() > cap {
                            skipped.push(p);
                        } else if !p.is_empty() {
                            lists.push(p);
                        }
                    }
                    lists.sort_by_key(|p| p.len());
                    sc.next_group();
                    for p in lists {
                        used_any = true;
                        let idf = (total / p.len() as f64).ln() as f32 + 1.0;
                        for &id in p {
                            sc.add_once(id, idf);
                        }
                    }
                }
                // Only very common keys: fall back to the smallest of them.
                if !used_any && let Some(p) = skipped.iter().min_by_key(|p| p.len()) {
                    sc.next_group();
                    for &id in p.iter() {
                        sc.add_once(id, 1.0);
                    }
                }
            }
            sc.touched
                .iter()
                .map(|&id| (id, sc.acc[id as usize]))
                .collect::<Vec<(u32, f32)>>()
        })
    }

    /// Keep the best-supported names and group them by entity.
    fn select(&self, mut scored: Vec<(u32, f32)>, want: usize) -> Vec<(u32, Vec<u16>)> {
        let keep = want.max(MIN_CANDIDATES);
        if scored.len() > keep {
            scored.select_nth_unstable_by(keep, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.truncate(keep);
        }
        let mut hits: Vec<(u32, u16)> = scored
            .iter()
            .map(|(id, _)| (self.name_entity[*id as usize], self.name_pos[*id as usize]))
            .collect();
        hits.sort_unstable();
        let mut out: Vec<(u32, Vec<u16>)> = Vec::new();
        for (e, n) in hits {
            match out.last_mut() {
                Some((le, ns)) if *le == e => ns.push(n),
                _ => out.push((e, vec![n])),
            }
        }
        out
    }

    /// How many entities a query would score (the rest are never compared). For tests and
    /// capacity planning.
    pub fn candidate_count(&self, query: &Query) -> usize {
        let limit = if query.limit == 0 { 10 } else { query.limit };
        self.candidates(&PreparedQuery::new(query.clone()), limit * 4)
            .len()
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
        for (ei, names) in self.candidates(&pq, limit * 3) {
            let e = &self.entities[ei as usize];
            let norms = &self.norms[ei as usize];
            let Some(s) = score_entity_names(&pq, e, norms, Some(&names), &self.params) else {
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
