//! The candidate index on the real OFAC SDN list.

use std::path::PathBuf;

use dossier_screening::{Index, Query, Schema, SourceKind, parse};

#[test]
fn sdn_search_finds_listed_names_without_scanning_the_list() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/watchlists/ofac_sdn/2024-05-03");
    let index = Index::build(parse(SourceKind::OfacSdn, &dir).unwrap());
    assert_eq!(index.len(), 14_965);

    let cases = [
        ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich"),
        ("Владимир Путин", "PUTIN, Vladimir Vladimirovich"),
        ("Banco Nacional de Cuba", "BANCO NACIONAL DE CUBA"),
        ("national bank of cuba", "BANCO NACIONAL DE CUBA"),
    ];
    for (q, want) in cases {
        let res = index.search(&Query::name(q), 0.7);
        assert!(
            res.iter()
                .take(3)
                .any(|m| m.matched && m.entity.caption() == want),
            "{q}: {:?}",
            res.iter()
                .map(|m| (m.entity.caption(), m.score))
                .collect::<Vec<_>>()
        );
        // The index scores a few dozen entities, never the whole list.
        assert!(index.candidate_count(&Query::name(q)) <= 100);
    }
    // A made-up person is not matched.
    let res = index.search(
        &Query {
            schema: Some(Schema::Person),
            ..Query::name("Gertrude Wilhelmina Abernathy")
        },
        0.7,
    );
    assert!(res.iter().all(|m| !m.matched));
    // Results are ranked and limited.
    let res = index.search(
        &Query {
            limit: 3,
            ..Query::name("Mohammed Ali")
        },
        0.7,
    );
    assert!(res.len() <= 3);
    assert!(res.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn every_sampled_un_entity_is_found_by_each_of_its_names() {
    // Candidate generation must never lose an exact name: search every name of every 7th UN
    // record (original-script names included) and expect that record among the matches.
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/watchlists/un_sc/UN_consolidated_2026-02-27.xml");
    let entities = parse(SourceKind::UnSc, &file).unwrap();
    let index = Index::build(entities.clone());
    let mut checked = 0;
    for e in entities.iter().step_by(7) {
        for n in &e.names {
            let res = index.search(
                &Query {
                    limit: 20,
                    ..Query::name(n.value.clone())
                },
                0.7,
            );
            assert!(
                res.iter()
                    .any(|m| m.matched && m.entity.list_id == e.list_id),
                "{} not found by {:?}: {:?}",
                e.list_id,
                n.value,
                res.iter()
                    .map(|m| (&m.entity.list_id, m.score))
                    .collect::<Vec<_>>()
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked}");
}
