//! Scoring a query against an entity: name similarity (token alignment with fuzzy, phonetic
//! and transliteration-aware token comparison), then birth-date, country and entity-type
//! evidence. Every score comes with its [`Explanation`].

use serde::{Deserialize, Serialize};

use crate::countries;
use crate::explain::{Explanation, Feature, TokenHow, TokenMatch};
use crate::model::{Entity, Name, Schema};
use crate::normalise::{NormName, Token, TokenClass, legal_family, normalise, skeleton};

/// Tuning knobs of the matcher. The defaults were fixed on the public labelled sets (see
/// `docs/screening.md`); change them only with an evaluation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Params {
    /// `matched` is true at or above this score.
    pub threshold: f64,
    /// Token similarity = (1 - edits/len) ^ gamma: above 1 makes distant spellings fall fast.
    pub gamma: f64,
    /// Pairs below this similarity are not aligned (they count as conflicting tokens).
    pub pair_min: f64,
    /// An aligned pair earns `(similarity - credit_floor) / (1 - credit_floor)` of its weight.
    pub credit_floor: f64,
    /// Similarity given to tokens with the same consonant skeleton (≥ 3 consonants).
    pub phonetic_sim: f64,
    /// Similarity of an initial against a word with that first letter.
    pub initial_sim: f64,
    /// Similarity of known equivalent given names (Bill / William).
    pub nickname_sim: f64,
    /// Share of its weight an extra query token costs (name parts the list does not have).
    pub extra_query_weight: f64,
    /// Share of its weight an extra candidate token costs (middle names the query omits).
    pub extra_candidate_weight: f64,
    /// Share of its weight an extra token costs, either side, between organisations (where an
    /// extra word usually names a different company: "Deutsche Bank Trust").
    pub org_extra_weight: f64,
    /// Factor on the weight of unmatched numbers (series markers: "Fund 5" vs "Fund 6").
    pub number_mismatch_weight: f64,
    /// Factor on the weight of conflicting tokens (both sides have a different name part).
    pub conflict_weight: f64,
    /// Weights per token class.
    pub w_word: f64,
    pub w_short_word: f64,
    pub w_initial: f64,
    pub w_particle: f64,
    pub w_number: f64,
    /// Factor on the whole-string (spaces removed) comparison.
    pub joined_factor: f64,
    /// Penalty when both names have legal forms and none agree.
    pub legal_form_mismatch: f64,
    /// Factor on the name score when the matched alias is low quality.
    pub weak_alias_factor: f64,
    pub dob_exact: f64,
    pub dob_year: f64,
    pub dob_near: f64,
    pub dob_mismatch: f64,
    pub country_match: f64,
    pub country_mismatch: f64,
    pub schema_mismatch: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold: 0.70,
            gamma: 1.5,
            pair_min: 0.5,
            credit_floor: 0.0,
            phonetic_sim: 0.75,
            initial_sim: 0.85,
            nickname_sim: 0.8,
            extra_query_weight: 0.7,
            extra_candidate_weight: 0.35,
            org_extra_weight: 1.0,
            number_mismatch_weight: 2.0,
            conflict_weight: 1.3,
            w_word: 1.0,
            w_short_word: 0.7,
            w_initial: 0.6,
            w_particle: 0.3,
            w_number: 1.0,
            joined_factor: 0.95,
            legal_form_mismatch: 0.32,
            weak_alias_factor: 0.85,
            dob_exact: 0.08,
            dob_year: 0.04,
            dob_near: -0.04,
            dob_mismatch: -0.25,
            country_match: 0.04,
            country_mismatch: -0.06,
            schema_mismatch: -0.30,
        }
    }
}

/// A screening query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub name: String,
    /// Other names of the same party (former names, aliases); each is a query variant.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO date or prefix: `1963-04-30`, `1963-04`, `1963`.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Nationality, residence or registration country: a name or an ISO code.
    #[serde(default)]
    pub country: Option<String>,
    /// `person` / `organisation`; `None` searches every type. Accepts `type` in JSON too.
    #[serde(default, alias = "type")]
    pub schema: Option<Schema>,
    /// Maximum results (0 = default of 10).
    #[serde(default)]
    pub limit: usize,
}

impl Query {
    pub fn name(name: impl Into<String>) -> Self {
        Query {
            name: name.into(),
            ..Query::default()
        }
    }
}

/// A query with its names normalised once.
#[derive(Debug, Clone)]
pub struct PreparedQuery {
    pub query: Query,
    pub(crate) variants: Vec<(String, NormName)>,
    country: Option<String>,
}

impl PreparedQuery {
    pub fn new(query: Query) -> Self {
        let variants = std::iter::once(&query.name)
            .chain(&query.aliases)
            .filter(|n| !n.trim().is_empty())
            .map(|n| (n.clone(), normalise(n)))
            .collect();
        let country = query
            .country
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(countries::normalise);
        PreparedQuery {
            query,
            variants,
            country,
        }
    }
}

/// The outcome of comparing two normalised names.
#[derive(Debug, Clone)]
pub struct NameScore {
    pub score: f64,
    pub method: &'static str,
    pub tokens: Vec<TokenMatch>,
    pub unmatched_query: Vec<String>,
    pub unmatched_candidate: Vec<String>,
    pub legal_form_penalty: f64,
}

/// Compare two raw names (convenience for tests and the pairwise evaluation).
pub fn compare_names(query: &str, candidate: &str) -> f64 {
    let (q, c) = (normalise(query), normalise(candidate));
    let org = !q.legal_forms.is_empty() || !c.legal_forms.is_empty();
    let s = compare_norm(&q, &c, org, &Params::default());
    (s.score - s.legal_form_penalty).max(0.0)
}

fn weight(t: &Token, p: &Params) -> f64 {
    match t.class {
        TokenClass::Word if t.text.len() <= 2 => p.w_short_word,
        TokenClass::Word => p.w_word,
        TokenClass::Initial => p.w_initial,
        TokenClass::Particle => p.w_particle,
        TokenClass::Number => p.w_number,
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), on bytes.
/// Rows live on the stack for names up to 63 bytes (the common case), so no allocation.
pub fn osa(a: &[u8], b: &[u8]) -> usize {
    if a == b {
        return 0;
    }
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    const N: usize = 64;
    let m = b.len() + 1;
    if m > N || a.len() >= u16::MAX as usize {
        return osa_heap(a, b);
    }
    // Three rolling rows, rotated by index (copying rows showed up as memmove in profiles).
    let mut rows = [[0u16; N]; 3];
    for (j, x) in rows[1].iter_mut().enumerate().take(m) {
        *x = j as u16;
    }
    let (mut p2, mut p1, mut c) = (0usize, 1usize, 2usize);
    for i in 1..=a.len() {
        rows[c][0] = i as u16;
        for j in 1..m {
            let cost = u16::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[p1][j] + 1)
                .min(rows[c][j - 1] + 1)
                .min(rows[p1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[p2][j - 2] + 1);
            }
            rows[c][j] = v;
        }
        (p2, p1, c) = (p1, c, p2);
    }
    rows[p1][m - 1] as usize
}

fn osa_heap(a: &[u8], b: &[u8]) -> usize {
    let m = b.len() + 1;
    let mut prev2 = vec![0usize; m];
    let mut prev: Vec<usize> = (0..m).collect();
    let mut cur = vec![0usize; m];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m - 1]
}

fn ratio(a: &str, b: &str) -> f64 {
    let l = a.len().max(b.len());
    if l == 0 {
        return 0.0;
    }
    1.0 - osa(a.as_bytes(), b.as_bytes()) as f64 / l as f64
}

fn has_double(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w[0] == w[1])
}

fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Skeleton for comparing against an abjad transliteration: `w`/`y` double as long vowels
/// there, so they are dropped on both sides.
/// Arabic script also has no `p` (written with the letter for `b`).
fn abjad_skel(sk: &str) -> std::borrow::Cow<'_, str> {
    if sk.contains(['v', 'p']) {
        sk.chars()
            .filter(|c| *c != 'v')
            .map(|c| if c == 'p' { 'b' } else { c })
            .collect::<String>()
            .into()
    } else {
        sk.into()
    }
}

/// Similarity of two token texts (already known not to be numbers/initials). `ska`/`skb` are
/// their skeletons; `phonetic` allows the skeleton shortcut (not for whole-name strings).
fn text_sim(
    a: &str,
    b: &str,
    ska: &str,
    skb: &str,
    abjad: bool,
    phonetic: bool,
    p: &Params,
) -> (f64, TokenHow) {
    if a == b {
        return (1.0, TokenHow::Exact);
    }
    if abjad {
        // Abjad transliterations lack short vowels: compare consonant skeletons only.
        let (sa, sb) = (abjad_skel(ska), abjad_skel(skb));
        if !sa.is_empty() && sa == sb {
            return (0.92, TokenHow::Transliteration);
        }
        let r = ratio(&sa, &sb);
        return (r.powf(p.gamma) * 0.9, TokenHow::Transliteration);
    }
    let mut r = ratio(a, b);
    if has_double(a) || has_double(b) {
        r = r.max(ratio(&squeeze(a), &squeeze(b)) * 0.97);
    }
    let fuzzy = r.powf(p.gamma);
    // Same skeleton counts only for spellings of similar length (Hussein / Husayn), not for a
    // longer name that happens to contain the same consonants (Putin / Potanin).
    let close = a.len().abs_diff(b.len()) <= 1 || r >= 0.6;
    if phonetic && close && ska.len() >= 3 && ska == skb && p.phonetic_sim > fuzzy {
        return (p.phonetic_sim, TokenHow::Phonetic);
    }
    (fuzzy, TokenHow::Fuzzy)
}

fn token_sim(a: &Token, b: &Token, p: &Params) -> (f64, TokenHow) {
    use TokenClass::*;
    match (a.class, b.class) {
        (Number, Number) => {
            if a.text == b.text {
                (1.0, TokenHow::Exact)
            } else {
                (0.0, TokenHow::Exact)
            }
        }
        (Number, _) | (_, Number) => (0.0, TokenHow::Exact),
        (Initial, Initial) => (f64::from(u8::from(a.text == b.text)), TokenHow::Exact),
        (Initial, _) | (_, Initial) => {
            if a.text.as_bytes()[0] == b.text.as_bytes()[0] {
                (p.initial_sim, TokenHow::Initial)
            } else {
                (0.0, TokenHow::Initial)
            }
        }
        _ => match (&a.syllable, &b.syllable) {
            // Both written in CJK / Hangul: a different character is a different name.
            (Some(x), Some(y)) => (f64::from(u8::from(x == y)), TokenHow::Exact),
            _ => {
                let t = text_sim(
                    &a.text,
                    &b.text,
                    &a.skel,
                    &b.skel,
                    a.abjad || b.abjad,
                    true,
                    p,
                );
                if t.0 < p.nickname_sim && crate::nicknames::equivalent(&a.text, &b.text) {
                    (p.nickname_sim, TokenHow::Nickname)
                } else {
                    t
                }
            }
        },
    }
}

struct Pair {
    q: (usize, usize),
    c: (usize, usize),
    sim: f64,
    how: TokenHow,
}

fn joined(tokens: &[Token]) -> String {
    tokens.iter().map(|t| &*t.text).collect()
}

/// Compare two normalised names; `org` when the parties are organisations (extra words then
/// weigh more).
pub fn compare_norm(q: &NormName, c: &NormName, org: bool, p: &Params) -> NameScore {
    let (qt, ct) = (&q.tokens, &c.tokens);
    let mut legal_form_penalty = 0.0;
    let families = |n: &NormName| -> Vec<&'static str> {
        n.legal_forms
            .iter()
            .map(|f| legal_family(f))
            .filter(|f| *f != "generic")
            .collect()
    };
    let (fq, fc) = (families(q), families(c));
    if !fq.is_empty() && !fc.is_empty() && !fq.iter().any(|f| fc.contains(f)) {
        legal_form_penalty = p.legal_form_mismatch;
    }
    if qt.is_empty() || ct.is_empty() {
        return NameScore {
            score: 0.0,
            method: "tokens",
            tokens: Vec::new(),
            unmatched_query: qt.iter().map(|t| t.text.to_string()).collect(),
            unmatched_candidate: ct.iter().map(|t| t.text.to_string()).collect(),
            legal_form_penalty,
        };
    }

    // Candidate alignments: token-token, and token against two joined neighbours.
    let mut pairs: Vec<Pair> = Vec::with_capacity(qt.len() * ct.len() * 2);
    for (i, a) in qt.iter().enumerate() {
        for (j, b) in ct.iter().enumerate() {
            let (sim, how) = token_sim(a, b, p);
            if sim >= p.pair_min {
                pairs.push(Pair {
                    q: (i, i + 1),
                    c: (j, j + 1),
                    sim,
                    how,
                });
            }
        }
    }
    let joinable = |t: &Token| matches!(t.class, TokenClass::Word | TokenClass::Particle);
    for (side_a, side_b, swap) in [(qt, ct, false), (ct, qt, true)] {
        for (i, a) in side_a.iter().enumerate() {
            if a.class != TokenClass::Word || a.text.len() < 4 {
                continue;
            }
            for j in 0..side_b.len().saturating_sub(1) {
                if !joinable(&side_b[j]) || !joinable(&side_b[j + 1]) {
                    continue;
                }
                let jt = joined(&side_b[j..j + 2]);
                if jt.len().abs_diff(a.text.len()) > 2 {
                    continue;
                }
                let jsk = skeleton(&jt);
                let (sim, _) = text_sim(
                    &a.text,
                    &jt,
                    &a.skel,
                    &jsk,
                    a.abjad || side_b[j].abjad,
                    true,
                    p,
                );
                if sim >= p.pair_min {
                    let (x, y) = ((i, i + 1), (j, j + 2));
                    let (qr, cr) = if swap { (y, x) } else { (x, y) };
                    pairs.push(Pair {
                        q: qr,
                        c: cr,
                        sim: sim * 0.98,
                        how: TokenHow::Joined,
                    });
                }
            }
        }
    }
    // Acronyms and glued initials: "PLA" / "People's Liberation Army", "JC" / "Jean Claude".
    for (side_a, side_b, swap) in [(qt, ct, false), (ct, qt, true)] {
        for (i, a) in side_a.iter().enumerate() {
            let k = a.text.len();
            // A bare pair of initials is no evidence for a person ("N.N." is "name unknown").
            let lone = side_a.len() == 1 && !org;
            if lone || a.class != TokenClass::Word || !(2..=4).contains(&k) || side_b.len() < k {
                continue;
            }
            for j in 0..=side_b.len() - k {
                let run = &side_b[j..j + k];
                if run
                    .iter()
                    .all(|t| t.class == TokenClass::Word && t.text.len() > 1)
                    && run
                        .iter()
                        .zip(a.text.bytes())
                        .all(|(t, c)| t.text.as_bytes()[0] == c)
                {
                    let (x, y) = ((i, i + 1), (j, j + k));
                    let (qr, cr) = if swap { (y, x) } else { (x, y) };
                    pairs.push(Pair {
                        q: qr,
                        c: cr,
                        sim: p.initial_sim,
                        how: TokenHow::Initial,
                    });
                }
            }
        }
    }
    // Greedy alignment, best pairs first (simple pairs win ties).
    pairs.sort_by(|a, b| {
        b.sim
            .total_cmp(&a.sim)
            .then((a.q.1 - a.q.0 + a.c.1 - a.c.0).cmp(&(b.q.1 - b.q.0 + b.c.1 - b.c.0)))
    });
    let mut used_q = vec![false; qt.len()];
    let mut used_c = vec![false; ct.len()];
    let mut chosen: Vec<&Pair> = Vec::new();
    for pr in &pairs {
        if used_q[pr.q.0..pr.q.1].iter().any(|u| *u) || used_c[pr.c.0..pr.c.1].iter().any(|u| *u) {
            continue;
        }
        used_q[pr.q.0..pr.q.1].iter_mut().for_each(|u| *u = true);
        used_c[pr.c.0..pr.c.1].iter_mut().for_each(|u| *u = true);
        chosen.push(pr);
    }

    let mut num = 0.0;
    let mut den = 0.0;
    let mut strong = false;
    for pr in &chosen {
        let w: f64 = qt[pr.q.0..pr.q.1].iter().map(|t| weight(t, p)).sum::<f64>()
            + ct[pr.c.0..pr.c.1].iter().map(|t| weight(t, p)).sum::<f64>();
        // Credit rescaled so a pair just above `pair_min` earns little (no jump at the edge).
        let credit = ((pr.sim - p.credit_floor) / (1.0 - p.credit_floor)).clamp(0.0, 1.0);
        num += credit * w;
        den += w;
        strong |= qt[pr.q.0..pr.q.1]
            .iter()
            .any(|t| matches!(t.class, TokenClass::Word | TokenClass::Number));
    }
    // Unmatched numbers weigh extra: a series marker on one side only is a different thing.
    // An unmatched initial weighs as a word: a contradicting initial is a contradiction, and
    // in a company name a lone letter is a series marker ("Fund I").
    let uweight = |t: &Token| match t.class {
        TokenClass::Number => weight(t, p) * p.number_mismatch_weight,
        // In a company name a lone I / V / X is a Roman numeral series marker ("Fund I").
        TokenClass::Initial if org && matches!(&*t.text, "i" | "v" | "x") => {
            p.w_word * p.number_mismatch_weight
        }
        TokenClass::Initial if org => p.w_word,
        _ => weight(t, p),
    };
    let mut uq: Vec<(f64, TokenClass, bool)> = (0..qt.len())
        .filter(|i| !used_q[*i])
        .map(|i| (uweight(&qt[i]), qt[i].class, qt[i].geo))
        .collect();
    let mut uc: Vec<(f64, TokenClass, bool)> = (0..ct.len())
        .filter(|i| !used_c[*i])
        .map(|i| (uweight(&ct[i]), ct[i].class, ct[i].geo))
        .collect();
    uq.sort_by(|a, b| b.0.total_cmp(&a.0));
    uc.sort_by(|a, b| b.0.total_cmp(&a.0));
    // Unmatched tokens present on both sides are conflicts (a different name part), counted in
    // full; the surplus on the longer side are omissions, counted in part (numbers in full).
    let k = uq.len().min(uc.len());
    let (xq, xc) = if org {
        (p.org_extra_weight, p.org_extra_weight)
    } else {
        (p.extra_query_weight, p.extra_candidate_weight)
    };
    // Between organisations an extra country or region is a regional subsidiary's qualifier
    // ("Faberlic Europe"): it costs like an omitted middle name, not like a new word.
    let extra = |xs: &[(f64, TokenClass, bool)], f: f64| {
        xs.iter()
            .map(|(w, c, geo)| match c {
                TokenClass::Number => *w,
                _ if org && *geo => w * p.extra_candidate_weight,
                _ => w * f,
            })
            .sum::<f64>()
    };
    // A contradicting initial is as strong a contradiction as a contradicting word.
    let conflict = |xs: &[(f64, TokenClass, bool)]| {
        xs.iter()
            .map(|(w, c, _)| {
                if *c == TokenClass::Initial {
                    w.max(p.w_word)
                } else {
                    *w
                }
            })
            .sum::<f64>()
    };
    den += p.conflict_weight * (conflict(&uq[..k]) + conflict(&uc[..k]));
    den += extra(&uq[k..], xq) + extra(&uc[k..], xc);
    let token_score = if strong && den > 0.0 { num / den } else { 0.0 };

    // Whole-name comparison without spaces catches split/joined words ("SiemensAG"); only
    // when the word counts differ, otherwise it would just forgive a differing word.
    let (jq, jc) = (&*q.joined, &*c.joined);
    let mut joined_score = 0.0;
    fn numbers(n: &NormName) -> Vec<&str> {
        n.tokens
            .iter()
            .filter(|t| t.class == TokenClass::Number)
            .map(|t| &*t.text)
            .collect()
    }
    let syllabic = qt.iter().chain(ct.iter()).any(|t| t.syllable.is_some());
    // Upper bound of the joined score from the length difference alone: skip when it cannot win.
    let (lq, lc) = (jq.len() as f64, jc.len() as f64);
    let bound = (1.0 - (lq - lc).abs() / lq.max(lc).max(1.0)).powf(p.gamma) * p.joined_factor;
    if jq.len() >= 4
        && jc.len() >= 4
        && !syllabic
        && q.words != c.words
        && bound > token_score
        && numbers(q) == numbers(c)
    {
        let abjad = qt.iter().chain(ct.iter()).any(|t| t.abjad);
        let (sq, sc) = if abjad {
            (skeleton(jq), skeleton(jc))
        } else {
            (String::new(), String::new())
        };
        joined_score = text_sim(jq, jc, &sq, &sc, abjad, false, p).0 * p.joined_factor;
    }

    let mut out = NameScore {
        score: token_score,
        method: "tokens",
        tokens: chosen
            .iter()
            .map(|pr| TokenMatch {
                query: qt[pr.q.0..pr.q.1]
                    .iter()
                    .map(|t| &*t.text)
                    .collect::<Vec<_>>()
                    .join(" "),
                candidate: ct[pr.c.0..pr.c.1]
                    .iter()
                    .map(|t| &*t.text)
                    .collect::<Vec<_>>()
                    .join(" "),
                similarity: round(pr.sim),
                how: pr.how,
            })
            .collect(),
        unmatched_query: (0..qt.len())
            .filter(|i| !used_q[*i])
            .map(|i| qt[i].text.to_string())
            .collect(),
        unmatched_candidate: (0..ct.len())
            .filter(|i| !used_c[*i])
            .map(|i| ct[i].text.to_string())
            .collect(),
        legal_form_penalty,
    };
    if joined_score > token_score {
        out.score = joined_score;
        out.method = "joined";
    }
    out
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Whether two names are compared as organisation names: from the types when known, else
/// from the presence of legal forms.
pub fn org_context(query: Option<Schema>, entity: Schema, qn: &NormName, en: &NormName) -> bool {
    match (query, entity) {
        (Some(Schema::Person), _) | (_, Schema::Person) => false,
        (_, Schema::Organisation | Schema::Vessel | Schema::Aircraft) => true,
        (Some(Schema::Organisation), _) => true,
        _ => !qn.legal_forms.is_empty() || !en.legal_forms.is_empty(),
    }
}

/// Name-only score of two normalised names (legal-form penalty applied), 0..1.
pub fn name_score(q: &NormName, c: &NormName, org: bool, p: &Params) -> f64 {
    let s = compare_norm(q, c, org, p);
    (s.score - s.legal_form_penalty).max(0.0)
}

/// Parsed ISO date prefix.
fn ymd(s: &str) -> Option<(i32, Option<u32>, Option<u32>)> {
    let mut it = s.trim().split('-');
    let y = it.next()?.parse().ok()?;
    let m = it.next().and_then(|m| m.parse().ok());
    let d = it.next().and_then(|d| d.get(..2).unwrap_or(d).parse().ok());
    Some((y, m, d))
}

fn dob_feature(query: &str, dates: &[String], p: &Params) -> Option<Feature> {
    let q = ymd(query)?;
    let mut best: Option<(f64, String)> = None;
    for d in dates {
        let Some(e) = ymd(d) else { continue };
        let (c, detail) = if q.0 == e.0 {
            let month_conflict = matches!((q.1, e.1), (Some(a), Some(b)) if a != b);
            let day_conflict = matches!((q.2, e.2), (Some(a), Some(b)) if a != b);
            if month_conflict || day_conflict {
                (
                    p.dob_near,
                    format!("same year, different day/month: {query} vs {d}"),
                )
            } else if q.1.is_some() && q.2.is_some() && e.2.is_some() {
                (p.dob_exact, format!("same date {d}"))
            } else {
                (p.dob_year, format!("compatible {query} vs {d}"))
            }
        } else if (q.0 - e.0).abs() == 1 {
            (p.dob_near, format!("one year apart: {query} vs {d}"))
        } else {
            (p.dob_mismatch, format!("different: {query} vs {d}"))
        };
        if best.as_ref().is_none_or(|(b, _)| c > *b) {
            best = Some((c, detail));
        }
    }
    best.map(|(c, detail)| Feature {
        feature: "birth_date".into(),
        contribution: c,
        detail,
    })
}

fn schema_feature(q: Schema, e: Schema, p: &Params) -> Option<Feature> {
    if q == Schema::Unknown || e == Schema::Unknown || q == e {
        return None;
    }
    // Organisation queries may still hit vessels/aircraft owned under the same name; milder.
    let c = match (q, e) {
        (Schema::Organisation, Schema::Vessel | Schema::Aircraft) => p.schema_mismatch / 3.0,
        _ => p.schema_mismatch,
    };
    Some(Feature {
        feature: "schema".into(),
        contribution: c,
        detail: format!("query is {q:?}, entity is {e:?}").to_lowercase(),
    })
}

/// Score one entity against a prepared query; `None` if no name could be compared.
pub fn score_entity(
    q: &PreparedQuery,
    entity: &Entity,
    names: &[NormName],
    p: &Params,
) -> Option<Scored> {
    score_entity_names(q, entity, names, None, p)
}

/// As [`score_entity`], comparing only the names at `only` (indices into `entity.names`) when
/// given: the index passes the names its blocking keys hit.
pub fn score_entity_names(
    q: &PreparedQuery,
    entity: &Entity,
    names: &[NormName],
    only: Option<&[u16]>,
    p: &Params,
) -> Option<Scored> {
    let mut best: Option<(f64, usize, usize, NameScore)> = None;
    let all: Vec<u16>;
    let picks: &[u16] = match only {
        Some(o) => o,
        None => {
            all = (0..names.len().min(u16::MAX as usize) as u16).collect();
            &all
        }
    };
    for (vi, (_, qn)) in q.variants.iter().enumerate() {
        for &ni in picks {
            let ni = ni as usize;
            let Some(en) = names.get(ni) else { continue };
            let org = org_context(q.query.schema, entity.schema, qn, en);
            let mut ns = compare_norm(qn, en, org, p);
            let weak = entity.names.get(ni).is_some_and(Name::is_weak);
            let mut s = ns.score - ns.legal_form_penalty;
            if weak {
                s *= p.weak_alias_factor;
            }
            ns.score = ns.score.max(0.0);
            if best.as_ref().is_none_or(|b| s > b.0) {
                best = Some((s, vi, ni, ns));
            }
        }
    }
    let (_, vi, ni, ns) = best?;
    let name = &entity.names[ni];
    let mut features = vec![Feature {
        feature: "name".into(),
        contribution: round(ns.score),
        detail: format!("{} via {}", ns.method, name.value),
    }];
    if ns.legal_form_penalty > 0.0 {
        features.push(Feature {
            feature: "legal_form".into(),
            contribution: -ns.legal_form_penalty,
            detail: "legal forms differ".into(),
        });
    }
    if name.is_weak() {
        let base = ns.score - ns.legal_form_penalty;
        features.push(Feature {
            feature: "weak_alias".into(),
            contribution: round(base * p.weak_alias_factor - base),
            detail: "matched a low-quality alias".into(),
        });
    }
    if let Some(d) = q.query.birth_date.as_deref()
        && entity.schema != Schema::Organisation
        && let Some(f) = dob_feature(d, &entity.birth_dates, p)
    {
        features.push(f);
    }
    if let Some(c) = &q.country {
        let known: Vec<&String> = entity
            .nationalities
            .iter()
            .chain(&entity.countries)
            .collect();
        if !known.is_empty() {
            let hit = known.contains(&c);
            features.push(Feature {
                feature: "country".into(),
                contribution: if hit {
                    p.country_match
                } else {
                    p.country_mismatch
                },
                detail: if hit {
                    format!("{c} is among the entity's countries")
                } else {
                    format!(
                        "{c} not among {}",
                        known
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            });
        }
    }
    if let Some(s) = q.query.schema
        && let Some(f) = schema_feature(s, entity.schema, p)
    {
        features.push(f);
    }
    let total: f64 = features.iter().map(|f| f.contribution).sum();
    let score = round(total.clamp(0.0, 1.0));
    Some(Scored {
        score,
        explanation: Explanation {
            query_name: q.variants[vi].0.clone(),
            matched_name: name.value.clone(),
            matched_name_kind: name.kind,
            query_normalised: q.variants[vi].1.display(),
            matched_normalised: names[ni].display(),
            method: ns.method.to_string(),
            tokens: ns.tokens,
            unmatched_query: ns.unmatched_query,
            unmatched_candidate: ns.unmatched_candidate,
            features,
        },
    })
}

/// A score and its explanation.
#[derive(Debug, Clone)]
pub struct Scored {
    pub score: f64,
    pub explanation: Explanation,
}

/// Normalise every name of an entity (what the index stores).
pub fn normalise_entity(e: &Entity) -> Vec<NormName> {
    e.names.iter().map(|n| normalise(&n.value)).collect()
}
