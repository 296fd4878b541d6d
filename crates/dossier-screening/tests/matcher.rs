//! Matcher behaviour: transliteration, order, initials, legal forms, near misses, evidence.

use dossier_screening::{Entity, Index, Name, NameKind, Query, Schema, compare_names};

fn at_least(a: &str, b: &str, min: f64) {
    let s = compare_names(a, b);
    assert!(s >= min, "{a} <> {b}: {s:.3} < {min}");
}

fn below(a: &str, b: &str, max: f64) {
    let s = compare_names(a, b);
    assert!(s < max, "{a} <> {b}: {s:.3} >= {max}");
}

#[test]
fn transliterated_names_match() {
    at_least("Владимир Путин", "Vladimir Putin", 0.95);
    at_least("Дмитрий Медведев", "Dmitry Medvedev", 0.85);
    at_least("محمد علي", "Mohamed Ali", 0.85);
    at_least("خالد محمود", "Khaled Mahmoud", 0.85);
    at_least("习近平", "Xi Jinping", 0.85);
    at_least("Νικόλαος", "Nikolaos", 0.95);
    at_least("Recep Tayyip Erdoğan", "Recep Tayyip Erdogan", 0.99);
    at_least("Ротенберг Аркадий", "Arkadii Romanovich Rotenberg", 0.75);
}

#[test]
fn word_order_and_omitted_middle_names() {
    at_least("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", 0.8);
    at_least("SALEK, ABDULHAI", "ABDULHAI SALEK", 0.99);
    at_least(
        "MOHAMMED MIR WALI RAHIM",
        "MOHAMMED QASIM MIR WALI KHUDAI RAHIM",
        0.75,
    );
}

#[test]
fn initials_and_acronyms() {
    at_least("A. Khamenei", "Ali Khamenei", 0.75);
    at_least("JC Juncker", "Jean-Claude Juncker", 0.7);
    // A matching middle initial beats a conflicting one.
    assert!(
        compare_names("Hans J Friedrich", "Hans Joachim Friedrich")
            > compare_names("Hans O Friedrich", "Hans Joachim Friedrich") + 0.1
    );
}

#[test]
fn split_joined_and_typos() {
    at_least("Jan Daniel Bothma", "JanDaniel Bothma", 0.85);
    at_least("SiemensAG", "Siemens AG", 0.85);
    at_least("Vladimir Puttin", "Vladimir Putin", 0.85);
    at_least("Kim Joonng-un", "Kim Jong-un", 0.8);
    at_least("Ig0r Sech1n", "Igor Sechin", 0.95);
    at_least("Brigade Forty-Four", "Brigade 44", 0.95);
    at_least("1st International Bank", "First International Bank", 0.95);
    at_least("First Bank Int'l", "First International Bank", 0.95);
}

#[test]
fn company_legal_forms() {
    at_least("Microsoft Corp.", "Microsoft Corporation", 0.95);
    at_least("OOO Romashka", "Romashka LLC", 0.95);
    at_least("HSBC Holdings p.l.c.", "HSBC Holdings plc", 0.95);
    at_least(
        "The Procter & Gamble Company",
        "Procter & Gamble Company",
        0.95,
    );
    at_least(
        "JSC TACTICAL MISSILES CORPORATION",
        "TACTICAL MISSILES CORPORATION JOINT STOCK COMPANY",
        0.9,
    );
    // Different families of legal form (stock company vs limited company) cost something.
    assert!(
        compare_names("Deutsche Bank AG", "Deutsche Bank GmbH")
            < compare_names("Deutsche Bank AG", "Deutsche Bank Aktiengesellschaft")
    );
}

#[test]
fn near_miss_negatives() {
    below("Angelo Cruz", "Angela Merkel", 0.5);
    below("Barack Obama", "Michelle Obama", 0.7);
    below("Octavian Scholz", "Olaf Scholz", 0.7);
    below("ABDUL KABIR ABDUL JAN", "ABDUL KABIR MOHAMMAD JAN", 0.7);
    below("Zu Zag Bong 6", "Zu Zag Bong 5", 0.7);
    below("Victory", "Victory 3", 0.7);
    below("Ihab Makhlouf", "Rami Makhlouf", 0.7);
    below("习近朋", "习近平", 0.7);
    below("N.N.", "Nursultan Nazarbayev", 0.5);
}

fn person(id: &str, name: &str, dob: &str, nat: &str) -> Entity {
    let mut e = Entity::new("test", id, Schema::Person);
    e.names.push(Name::new(name, NameKind::Primary));
    e.birth_dates.push(dob.into());
    e.nationalities.push(nat.into());
    e
}

#[test]
fn evidence_raises_and_lowers_the_score() {
    let mut org = Entity::new("test", "3", Schema::Organisation);
    org.names.push(Name::new("Ivan Petrov", NameKind::Primary));
    let index = Index::build(vec![person("1", "Ivan Petrov", "1970-05-01", "ru"), org]);
    let score = |q: Query| {
        index
            .search(&q, 0.7)
            .into_iter()
            .find(|m| m.entity.list_id == "1")
            .map_or(0.0, |m| m.score)
    };
    // A near (not exact) name, so that evidence can raise the score.
    let base = score(Query::name("Ivan Pietrov"));
    assert!(base > 0.7 && base < 0.95, "{base}");
    let same_dob = score(Query {
        birth_date: Some("1970-05-01".into()),
        ..Query::name("Ivan Pietrov")
    });
    let other_dob = score(Query {
        birth_date: Some("1985".into()),
        ..Query::name("Ivan Pietrov")
    });
    let country = score(Query {
        country: Some("Russian Federation".into()),
        ..Query::name("Ivan Pietrov")
    });
    let other_country = score(Query {
        country: Some("Brazil".into()),
        ..Query::name("Ivan Pietrov")
    });
    assert!(
        same_dob > base && other_dob < base - 0.2,
        "{base} {same_dob} {other_dob}"
    );
    assert!(
        country > base && other_country < base,
        "{base} {country} {other_country}"
    );
    // A person query against an organisation of the same name ranks it lower.
    let res = index.search(
        &Query {
            schema: Some(Schema::Person),
            ..Query::name("Ivan Pietrov")
        },
        0.7,
    );
    assert_eq!(res[0].entity.list_id, "1");
    assert!(res.iter().any(|m| m.entity.list_id == "3" && !m.matched));
}

#[test]
fn explanation_sums_to_score_and_serialises() {
    let index = Index::build(vec![person(
        "1",
        "PUTIN, Vladimir Vladimirovich",
        "1952-10-07",
        "ru",
    )]);
    let res = index.search(
        &Query {
            birth_date: Some("1952-10-07".into()),
            ..Query::name("Vladimir Putin")
        },
        0.7,
    );
    let m = &res[0];
    assert!(m.matched);
    let sum: f64 = m.explanation.features.iter().map(|f| f.contribution).sum();
    assert!((sum.clamp(0.0, 1.0) - m.score).abs() < 1e-3);
    assert!(
        m.explanation
            .features
            .iter()
            .any(|f| f.feature == "birth_date" && f.contribution > 0.0)
    );
    assert_eq!(m.explanation.unmatched_candidate, ["vladimirovich"]);
    let json = serde_json::to_value(&res).unwrap();
    assert_eq!(json[0]["entity"]["list_id"], "1");
    assert!(json[0]["explanation"]["tokens"].as_array().unwrap().len() == 2);
}

#[test]
fn misspelt_legal_forms_and_regional_qualifiers() {
    // Misspelt / truncated legal forms are still legal forms.
    at_least("Siemens Aktiengeselschaft", "Siemens AG", 0.95);
    at_least(
        "TACTICAL MISSILES CORPORATION JOINT STOCK COMPAN",
        "TACTICAL MISSILES CORPORATION JOINT STOCK COMPANY",
        0.95,
    );
    // Between companies a regional qualifier costs little, another distinctive word a lot.
    let regional = compare_names("faberlic", "FABERLIC EUROPE Sp. z o.o.");
    let other = compare_names("faberlic", "FABERLIC TRUST Sp. z o.o.");
    assert!(regional >= 0.7 && other < regional, "{regional} {other}");
}
