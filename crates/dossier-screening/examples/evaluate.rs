//! Quality evaluation on the labelled sets in shared/data/name_matching.
//!
//! `cargo run --release -p dossier-screening --example evaluate [-- --quick]`
//!
//! Prints precision / recall / F1 at the default threshold per set, next to the nomenklatura
//! reference scores stored with the data, and the screening-fixture recall / false-positive
//! rates against the real lists.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use dossier_screening::matcher::{
    Params, PreparedQuery, name_score, normalise_entity, org_context, score_entity,
};
use dossier_screening::normalise::{NormName, normalise};
use dossier_screening::{Entity, Index, Name, NameKind, Query, Schema, SourceKind, parse};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

#[derive(Default, Clone, Copy)]
struct Conf {
    tp: usize,
    fp: usize,
    tn: usize,
    fn_: usize,
}

impl Conf {
    fn add(&mut self, truth: bool, pred: bool) {
        match (truth, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
    fn row(&self) -> String {
        let (p, r, f) = self.prf();
        format!(
            "{:>4} {:>4} {:>4} {:>4} | P {:.3} R {:.3} F1 {:.3}",
            self.tp, self.fp, self.tn, self.fn_, p, r, f
        )
    }
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Score a labelled pair the way a screening does: the query carries the party type, the
/// candidate is a one-name entity of the FtM schema given in the file.
fn pair_score(a: &str, b: &str, ftm_schema: &str, p: &Params) -> f64 {
    let schema = schema_of(ftm_schema);
    let mut e = Entity::new("eval", "1", schema);
    e.names.push(Name::new(b, NameKind::Primary));
    let q = PreparedQuery::new(Query {
        schema: Some(schema),
        ..Query::name(a)
    });
    score_entity(&q, &e, &normalise_entity(&e), p).map_or(0.0, |s| s.score)
}

/// A check being read: match, schema, query properties, candidate properties.
type Check = (
    bool,
    String,
    HashMap<String, String>,
    HashMap<String, String>,
);

/// Minimal reader for checks.yml (a list of match/schema/query/candidate maps).
fn read_checks(path: &Path) -> Vec<(bool, String, String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut cur: Option<Check> = None;
    let mut side = "";
    let flush = |cur: &mut Option<Check>, out: &mut Vec<(bool, String, String, String)>| {
        if let Some((m, s, q, c)) = cur.take() {
            let name = |h: &HashMap<String, String>| {
                h.get("name").cloned().unwrap_or_else(|| {
                    ["firstName", "middleName", "lastName"]
                        .iter()
                        .filter_map(|k| h.get(*k).cloned())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            };
            out.push((m, s, name(&q), name(&c)));
        }
    };
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        if let Some(v) = t.strip_prefix("- match:") {
            flush(&mut cur, &mut out);
            cur = Some((
                v.trim() == "true",
                String::new(),
                HashMap::new(),
                HashMap::new(),
            ));
        } else if let Some(v) = t.strip_prefix("schema:") {
            if let Some(c) = cur.as_mut() {
                c.1 = v.trim().to_string();
            }
        } else if t == "query:" || t == "candidate:" {
            side = if t == "query:" { "q" } else { "c" };
        } else if let Some((k, v)) = t.split_once(':')
            && let Some(c) = cur.as_mut()
        {
            let v = v.trim().trim_matches('"').trim_matches('\'').to_string();
            if side == "q" {
                c.2.insert(k.to_string(), v);
            } else {
                c.3.insert(k.to_string(), v);
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Casefolded, token-sorted form used to find the gold entity of a fixture query.
fn sort_key(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut toks: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    toks.sort_unstable();
    toks.join(" ")
}

fn schema_of(ftm: &str) -> Schema {
    match ftm {
        "Person" => Schema::Person,
        "Company" | "Organization" => Schema::Organisation,
        "Vessel" => Schema::Vessel,
        _ => Schema::Unknown,
    }
}

/// Parameter grid for `--tune`.
fn grid() -> Vec<Params> {
    let mut out = Vec::new();
    for gamma in [1.0, 1.5, 2.0] {
        for pair_min in [0.4, 0.5, 0.6] {
            for phonetic_sim in [0.75, 0.85, 0.9] {
                for extra_candidate_weight in [0.25, 0.35, 0.5] {
                    for credit_floor in [0.0, 0.25, 0.4] {
                        for org_extra_weight in [0.7, 1.0] {
                            for conflict_weight in [1.0, 1.3] {
                                for extra_query_weight in [0.5, 0.7] {
                                    out.push(Params {
                                        gamma,
                                        pair_min,
                                        phonetic_sim,
                                        extra_candidate_weight,
                                        credit_floor,
                                        org_extra_weight,
                                        conflict_weight,
                                        extra_query_weight,
                                        ..Params::default()
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// 5-fold cross-validated parameter choice on the pairwise set (threshold fixed at 0.70):
/// each fold is scored with the parameters that won on the other four.
fn tune(pairs: &[(NormName, NormName, bool, bool)]) {
    let grid = grid();
    let t0 = Instant::now();
    // f1 per (params, fold)
    let k = 5;
    let confs: Vec<Vec<Conf>> = grid
        .iter()
        .map(|p| {
            let mut c = vec![Conf::default(); k];
            for (i, (q, e, org, truth)) in pairs.iter().enumerate() {
                c[i % k].add(*truth, name_score(q, e, *org, p) >= p.threshold);
            }
            c
        })
        .collect();
    let mut cv = Conf::default();
    for fold in 0..k {
        let best = (0..grid.len())
            .max_by(|&a, &b| {
                let f = |g: usize| {
                    let mut s = Conf::default();
                    for (j, c) in confs[g].iter().enumerate() {
                        if j != fold {
                            s.tp += c.tp;
                            s.fp += c.fp;
                            s.tn += c.tn;
                            s.fn_ += c.fn_;
                        }
                    }
                    s.prf().2
                };
                f(a).total_cmp(&f(b))
            })
            .unwrap();
        let c = confs[best][fold];
        cv.tp += c.tp;
        cv.fp += c.fp;
        cv.tn += c.tn;
        cv.fn_ += c.fn_;
        println!("fold {fold}: best {:?}", grid[best]);
    }
    let total = |g: usize| {
        let mut s = Conf::default();
        for c in &confs[g] {
            s.tp += c.tp;
            s.fp += c.fp;
            s.tn += c.tn;
            s.fn_ += c.fn_;
        }
        s
    };
    let best_all = (0..grid.len())
        .max_by(|&a, &b| total(a).prf().2.total_cmp(&total(b).prf().2))
        .unwrap();
    let default_idx = grid.iter().position(|g| *g == Params::default());
    println!(
        "grid of {} in {:.1}s; 5-fold CV (held-out folds): {}",
        grid.len(),
        t0.elapsed().as_secs_f64(),
        cv.row()
    );
    println!(
        "best in-sample: {} {:?}",
        total(best_all).row(),
        grid[best_all]
    );
    if let Some(d) = default_idx {
        println!("defaults in-sample: {}", total(d).row());
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    if std::env::args().any(|a| a == "--tune") {
        let cases = read_csv(&root().join("name_matching/nomenklatura_name_bench_cases.csv"));
        let pairs: Vec<(NormName, NormName, bool, bool)> = cases
            .iter()
            .map(|c| {
                let (q, e) = (normalise(&c["name1"]), normalise(&c["name2"]));
                let s = schema_of(&c["schema"]);
                let org = org_context(Some(s), s, &q, &e);
                (q, e, org, c["is_match"] == "true")
            })
            .collect();
        tune(&pairs);
        return;
    }
    // PARAMS='{"org_extra_weight":1.0}' overrides defaults for experiments.
    let p: Params = std::env::var("PARAMS")
        .ok()
        .map(|j| serde_json::from_str(&j).expect("PARAMS is a JSON object of Params fields"))
        .unwrap_or_default();
    let th = p.threshold;
    let data = root();
    println!("# Screening evaluation (threshold {th:.2})\n");

    // 1. Pairwise: name_bench cases, with the nomenklatura logic-v2 anchor on the same rows.
    let anchor =
        read_csv(&data.join("name_matching/reference_runs/anchor_scores_nomenklatura-4.17.4.csv"));
    let cases = read_csv(&data.join("name_matching/nomenklatura_name_bench_cases.csv"));
    assert_eq!(cases.len(), 826);
    let mut ours: HashMap<String, Conf> = HashMap::new();
    let mut theirs: HashMap<String, Conf> = HashMap::new();
    let mut strong_fail = Vec::new();
    let mut errors = Vec::new();
    let t0 = Instant::now();
    for (c, a) in cases.iter().zip(&anchor) {
        assert_eq!(c["name1"], a["name1"]);
        let truth = c["is_match"] == "true";
        let s = pair_score(&c["name1"], &c["name2"], &c["schema"], &p);
        let ref_score: f64 = a["score_logic-v2"].parse().unwrap();
        for key in [
            "ALL".to_string(),
            format!("group:{}", c["case_group"]),
            format!("schema:{}", c["schema"]),
        ] {
            ours.entry(key.clone()).or_default().add(truth, s >= th);
            theirs.entry(key).or_default().add(truth, ref_score >= 0.70);
        }
        if (s >= th) != truth {
            errors.push(format!(
                "{:.3} {} [{}] {} <> {}",
                s,
                if truth { "FN" } else { "FP" },
                c["case_group"],
                c["name1"],
                c["name2"]
            ));
            if c["quality"] == "STRONG" {
                strong_fail.push(format!("{} <> {}", c["name1"], c["name2"]));
            }
        }
    }
    let per_pair = t0.elapsed().as_secs_f64() * 1e6 / cases.len() as f64;
    println!("## nomenklatura_name_bench_cases.csv (826 pairs)\n");
    println!("| subset | ours: TP FP TN FN, P R F1 | nomenklatura logic-v2 @0.70 (anchor run) |");
    println!("|---|---|---|");
    let mut keys: Vec<&String> = ours.keys().collect();
    keys.sort();
    for k in keys {
        println!("| {k} | {} | {} |", ours[k].row(), theirs[k].row());
    }
    println!(
        "\nmean {per_pair:.1} µs/pair (normalisation included); STRONG-labelled failures: {}",
        strong_fail.len()
    );
    for s in &strong_fail {
        println!("  STRONG miss: {s}");
    }
    if std::env::var("SHOW_ERRORS").is_ok() {
        for e in &errors {
            println!("  {e}");
        }
    }

    // 2. Entity checks (YAML), reference = anchor logic-v2 score for the same pair when present.
    let checks = read_checks(&data.join("name_matching/nomenklatura_entity_checks.yml"));
    let anchor_by_pair: HashMap<(String, String), f64> = anchor
        .iter()
        .map(|a| {
            (
                (a["name1"].clone(), a["name2"].clone()),
                a["score_logic-v2"].parse().unwrap(),
            )
        })
        .collect();
    let (mut oc, mut rc, mut oc_common) = (Conf::default(), Conf::default(), Conf::default());
    for (truth, schema, q, c) in &checks {
        let s = pair_score(q, c, schema, &p);
        oc.add(*truth, s >= th);
        if let Some(r) = anchor_by_pair.get(&(q.clone(), c.clone())) {
            rc.add(*truth, *r >= 0.70);
            oc_common.add(*truth, s >= th);
        }
        if std::env::var("SHOW_ERRORS").is_ok() && (s >= th) != *truth {
            println!(
                "  checks {:.3} {} {q} <> {c}",
                s,
                if *truth { "FN" } else { "FP" }
            );
        }
    }
    println!(
        "\n## nomenklatura_entity_checks.yml ({} checks)\n",
        checks.len()
    );
    println!("| subset | ours | nomenklatura logic-v2 @0.70 |");
    println!("|---|---|---|");
    println!("| all | {} | – |", oc.row());
    println!(
        "| pairs present in the anchor run ({}) | {} | {} |",
        rc.tp + rc.fp + rc.tn + rc.fn_,
        oc_common.row(),
        rc.row()
    );

    // 3. Cross-script pairs (positives only): recall, and how many reach the expected minimum.
    // The header line is itself a comment here: read the four columns by position.
    let cross: Vec<(String, String, f64)> =
        std::fs::read_to_string(data.join("name_matching/watchman_cross_script_pairs.csv"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let f: Vec<&str> = l.splitn(4, ',').collect();
                (
                    f[0].to_string(),
                    f[1].to_string(),
                    f[2].parse().unwrap_or(1.0),
                )
            })
            .collect();
    let mut hit = 0;
    let mut over_min = 0;
    println!(
        "\n## watchman_cross_script_pairs.csv ({} positive pairs)\n",
        cross.len()
    );
    for (q, e, min) in &cross {
        let min = *min;
        let s = pair_score(q, e, "Person", &p);
        hit += usize::from(s >= th);
        over_min += usize::from(s >= min);
        println!("- {q} → {e}: {s:.3} (watchman min {min:.2})");
    }
    println!(
        "\nrecall at {th:.2}: {hit}/{} ; at or above watchman's per-pair minimum: {over_min}/{}",
        cross.len(),
        cross.len()
    );

    // 4. Screening fixtures against the real lists (query → index → gold entity).
    let wl = data.join("watchlists");
    let un = parse(
        SourceKind::UnSc,
        &wl.join("un_sc/UN_consolidated_2026-02-27.xml"),
    )
    .unwrap();
    let sdn = parse(SourceKind::OfacSdn, &wl.join("ofac_sdn/2024-05-03")).unwrap();
    let congress = parse(
        SourceKind::Senzing,
        &wl.join("opensanctions_ftm/us_congress_peps_senzing.json"),
    )
    .unwrap();
    let mut all: Vec<Entity> = Vec::new();
    all.extend(un.iter().cloned());
    all.extend(sdn.iter().cloned());
    all.extend(congress.iter().cloned());
    let t0 = Instant::now();
    let index = Index::build(all);
    println!(
        "\n## Screening fixtures (index of UN + OFAC SDN + US Congress PEPs: {} entities, built in {:.2}s)\n",
        index.len(),
        t0.elapsed().as_secs_f64()
    );

    let gold_map = |list: &[Entity]| -> HashMap<String, HashSet<String>> {
        let mut m: HashMap<String, HashSet<String>> = HashMap::new();
        for e in list {
            for n in &e.names {
                m.entry(sort_key(&n.value))
                    .or_default()
                    .insert(format!("{}:{}", e.list, e.list_id));
            }
        }
        m
    };
    let un_gold = gold_map(&un);
    let cg_gold = gold_map(&congress);
    let query_of = |r: &HashMap<String, String>| Query {
        name: r["full_name"].clone(),
        birth_date: Some(r["date_of_birth"].clone()).filter(|s| !s.is_empty()),
        country: Some(r["nationality"].clone()).filter(|s| !s.is_empty()),
        schema: Some(Schema::Person),
        limit: 10,
        ..Query::default()
    };
    let untreated =
        read_csv(&data.join("name_matching/screening_fixtures/positives_un_untreated.csv"));
    let treated = read_csv(&data.join("name_matching/screening_fixtures/positives_un_treated.csv"));
    let congress_q = read_csv(
        &data.join("name_matching/screening_fixtures/positives_us_congress_untreated.csv"),
    );
    let mut summary: Vec<(String, usize, usize, usize)> = Vec::new();
    let mut pos_run = |name: &str,
                       rows: &[HashMap<String, String>],
                       gold_rows: &[HashMap<String, String>],
                       gold: &HashMap<String, HashSet<String>>| {
        let (mut with_gold, mut found, mut top1) = (0, 0, 0);
        let mut misses = Vec::new();
        for (r, g) in rows.iter().zip(gold_rows) {
            let Some(ids) = gold.get(&sort_key(&g["full_name"])) else {
                continue;
            };
            with_gold += 1;
            let res = index.search(&query_of(r), th);
            let ok = res.iter().any(|m| {
                m.matched && ids.contains(&format!("{}:{}", m.entity.list, m.entity.list_id))
            });
            found += usize::from(ok);
            top1 += usize::from(res.first().is_some_and(|m| {
                m.matched && ids.contains(&format!("{}:{}", m.entity.list, m.entity.list_id))
            }));
            if !ok {
                misses.push(format!(
                    "{} (best: {})",
                    r["full_name"],
                    res.first()
                        .map(|m| format!("{} {:.3}", m.explanation.matched_name, m.score))
                        .unwrap_or_default()
                ));
            }
        }
        println!(
            "- {name}: {found}/{with_gold} gold entities matched (recall {:.3}); gold record ranked first: {top1}",
            found as f64 / with_gold.max(1) as f64
        );
        if std::env::var("SHOW_ERRORS").is_ok() {
            for m in misses.iter().take(40) {
                println!("    miss: {m}");
            }
        }
        summary.push((name.to_string(), with_gold, found, top1));
    };
    pos_run(
        "positives_un_untreated → UN",
        &untreated,
        &untreated,
        &un_gold,
    );
    pos_run("positives_un_treated → UN", &treated, &untreated, &un_gold);
    pos_run(
        "positives_us_congress_untreated → Congress PEPs",
        &congress_q,
        &congress_q,
        &cg_gold,
    );

    let mut negs: Vec<(usize, usize)> = Vec::new();
    for file in ["negatives_global.csv", "negatives_us.csv"] {
        let rows = read_csv(&data.join("name_matching/screening_fixtures").join(file));
        let rows: Vec<_> = if quick {
            rows.into_iter().take(5_000).collect()
        } else {
            rows
        };
        let t0 = Instant::now();
        let mut flagged = 0;
        let mut examples = Vec::new();
        for r in &rows {
            let res = index.search(&query_of(r), th);
            if let Some(m) = res.iter().find(|m| m.matched) {
                flagged += 1;
                if examples.len() < 15 {
                    examples.push(format!(
                        "{} → {} ({}) {:.3}",
                        r["full_name"], m.explanation.matched_name, m.entity.list, m.score
                    ));
                }
            }
        }
        let el = t0.elapsed().as_secs_f64();
        negs.push((rows.len(), flagged));
        println!(
            "- {file}: {flagged}/{} synthetic non-listed persons flagged (false-positive rate {:.4}); {:.0} µs/query",
            rows.len(),
            flagged as f64 / rows.len() as f64,
            el * 1e6 / rows.len() as f64
        );
        if std::env::var("SHOW_ERRORS").is_ok() {
            for e in &examples {
                println!("    fp: {e}");
            }
        }
    }

    // Screening F1: a positive query is a TP when its gold record is matched; a negative query
    // is a FP when anything is matched.
    println!("\n| positives | negatives | TP | FN | FP | TN | P | R | F1 |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (pi, ni, nname) in [
        (0, 0, "negatives_global"),
        (1, 0, "negatives_global"),
        (2, 1, "negatives_us"),
    ] {
        let (pname, with_gold, found, _) = &summary[pi];
        let (n, flagged) = negs[ni];
        let c = Conf {
            tp: *found,
            fn_: with_gold - found,
            fp: flagged,
            tn: n - flagged,
        };
        let (p, r, f) = c.prf();
        println!(
            "| {pname} | {nname} | {} | {} | {} | {} | {p:.3} | {r:.3} | {f:.3} |",
            c.tp, c.fn_, c.fp, c.tn
        );
    }
}
