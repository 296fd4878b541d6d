//! Parsers on the real list files in shared/data/watchlists (counts from its README).

use std::collections::HashSet;
use std::path::PathBuf;

use dossier_screening::{Entity, NameKind, Schema, SourceKind, diff, parse};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/watchlists")
        .join(rel)
}

fn count(es: &[Entity], s: Schema) -> usize {
    es.iter().filter(|e| e.schema == s).count()
}

#[test]
fn ofac_sdn_2024_05_03() {
    let es = parse(SourceKind::OfacSdn, &data("ofac_sdn/2024-05-03")).unwrap();
    assert_eq!(es.len(), 14_965);
    assert_eq!(count(&es, Schema::Person), 6_854);
    assert_eq!(count(&es, Schema::Organisation), 6_884);
    assert_eq!(count(&es, Schema::Vessel), 851);
    assert_eq!(count(&es, Schema::Aircraft), 376);
    assert!(
        es.iter()
            .all(|e| e.list == "us_ofac_sdn" && !e.names.is_empty())
    );
    // Remarks are mined: DOBs, nationalities, weak a.k.a.s.
    assert!(es.iter().filter(|e| !e.birth_dates.is_empty()).count() > 5_000);
    assert!(es.iter().filter(|e| !e.nationalities.is_empty()).count() > 2_000);
    let bnc = es.iter().find(|e| e.list_id == "306").unwrap();
    assert_eq!(bnc.caption(), "BANCO NACIONAL DE CUBA");
    assert!(bnc.names.iter().any(|n| n.value == "BNC" && n.is_weak()));
    assert_eq!(
        bnc.source_url.as_deref(),
        Some("https://sanctionssearch.ofac.treas.gov/Details.aspx?id=306")
    );
}

#[test]
fn ofac_full_set_joins_add_alt_comments() {
    let es = parse(SourceKind::OfacSdn, &data("ofac_sdn/2021-07_full_set")).unwrap();
    assert_eq!(es.len(), 8_976);
    assert_eq!(count(&es, Schema::Person), 4_620);
    assert_eq!(count(&es, Schema::Organisation), 3_673);
    assert_eq!(count(&es, Schema::Vessel), 406);
    assert_eq!(count(&es, Schema::Aircraft), 277);
    // alt.csv: 11,910 alias rows over 4,139 entities.
    let with_alt = es
        .iter()
        .filter(|e| {
            e.names
                .iter()
                .any(|n| n.kind != NameKind::Primary && !n.is_weak())
        })
        .count();
    // One of the 4,139 entities has a single alias equal to its primary name (deduplicated).
    assert_eq!(with_alt, 4_138);
    // add.csv gives countries: 306 has addresses in Switzerland, Spain, Japan.
    let bnc = es.iter().find(|e| e.list_id == "306").unwrap();
    for c in ["ch", "es", "jp"] {
        assert!(
            bnc.countries.iter().any(|x| x == c),
            "{c} in {:?}",
            bnc.countries
        );
    }
    assert!(bnc.names.iter().any(|n| n.value == "NATIONAL BANK OF CUBA"));
    // Comments overflow is appended to Remarks: 28264 gets an identification number from it.
    let e = es.iter().find(|e| e.list_id == "28264").unwrap();
    assert!(
        e.identifiers
            .iter()
            .any(|i| i.value.contains("210302198701102136"))
    );
}

#[test]
fn ofac_consolidated_non_sdn() {
    let es = parse(SourceKind::OfacSdn, &data("ofac_non_sdn/2025-12")).unwrap();
    assert_eq!(es.len(), 442);
    assert_eq!(count(&es, Schema::Person), 79);
    assert_eq!(count(&es, Schema::Organisation), 363);
    assert!(es.iter().all(|e| e.list == "us_ofac_cons"));
}

#[test]
fn ofac_snapshot_diff_one_week() {
    let old = parse(SourceKind::OfacSdn, &data("ofac_sdn/2024-04-26/sdn.csv")).unwrap();
    let new = parse(SourceKind::OfacSdn, &data("ofac_sdn/2024-05-03/sdn.csv")).unwrap();
    assert_eq!(old.len(), 14_668);
    let d = diff(&old, &new);
    assert_eq!(d.added.len(), 305);
    assert_eq!(d.removed.len(), 8);
    assert_eq!(d.changed.len(), 0);
    assert_eq!(d.unchanged, 14_668 - 8);
    // Re-screening only looks at the 305 new records.
    let changed = d.entities_to_rescreen(&new);
    assert_eq!(changed.len(), 305);
    assert!(
        changed
            .iter()
            .all(|e| !old.iter().any(|o| o.list_id == e.list_id))
    );
    // Changing one field shows up as changed.
    let mut edited = new.clone();
    edited[0].birth_dates.push("1970".into());
    let d2 = diff(&new, &edited);
    assert_eq!(d2.changed, vec![edited[0].key()]);
    assert!(d2.added.is_empty() && d2.removed.is_empty());
}

#[test]
fn un_consolidated() {
    let es = parse(
        SourceKind::UnSc,
        &data("un_sc/UN_consolidated_2026-02-27.xml"),
    )
    .unwrap();
    assert_eq!(es.len(), 1_003);
    assert_eq!(count(&es, Schema::Person), 730);
    assert_eq!(count(&es, Schema::Organisation), 273);
    let ids: HashSet<&str> = es.iter().map(|e| e.list_id.as_str()).collect();
    assert_eq!(ids.len(), 1_003, "reference numbers are unique");
    let people: Vec<&Entity> = es.iter().filter(|e| e.schema == Schema::Person).collect();
    assert_eq!(
        people
            .iter()
            .filter(|e| !e.nationalities.is_empty())
            .count(),
        625
    );
    // 728 have a DOB element; 677 of those carry a DATE, YEAR or FROM/TO_YEAR value.
    assert_eq!(
        people.iter().filter(|e| !e.birth_dates.is_empty()).count(),
        677
    );
    let e = es.iter().find(|e| e.list_id == "CDi.002").unwrap();
    assert_eq!(e.caption(), "FRANK KAKOLELE BWAMBALE");
    assert!(
        e.names
            .iter()
            .any(|n| n.value == "AIGLE BLANC" && n.quality.as_deref() == Some("good"))
    );
    assert!(
        es.iter().any(|e| e.names.iter().any(|n| n.is_weak())),
        "Low-quality aliases kept"
    );
}

#[test]
fn uk_hmt_conlist() {
    let es = parse(SourceKind::UkHmt, &data("uk_hmt/ConList_2018-04-13.csv")).unwrap();
    assert_eq!(es.len(), 2_106);
    assert_eq!(count(&es, Schema::Person), 1_426);
    assert_eq!(count(&es, Schema::Organisation), 680);
    let e = es.iter().find(|e| e.list_id == "13349").unwrap();
    assert!(e.names.iter().any(|n| n.value.contains("AL-QAHTANI")));
    assert!(
        e.nationalities.contains(&"sa".to_string()) && e.nationalities.contains(&"qa".to_string())
    );
    assert!(e.birth_dates.contains(&"1980".to_string()));
}

#[test]
fn ftm_samples() {
    let t1 = parse(
        SourceKind::Ftm,
        &data("opensanctions_ftm/yente_t1_eu_fsf_sample.ftm.json"),
    )
    .unwrap();
    // 7 records: 4 Person + 2 Organization are screenable, the Address is not.
    assert_eq!(t1.len(), 6);
    assert_eq!(count(&t1, Schema::Person), 4);
    assert_eq!(count(&t1, Schema::Organisation), 2);
    assert!(t1.iter().all(|e| e.list == "eu_fsf"));
    let zala = parse(
        SourceKind::Ftm,
        &data("opensanctions_ftm/yente_zala_cluster.ftm.json"),
    )
    .unwrap();
    // 91 records: 6 Person + 11 Company; Sanction records lend programmes to their targets.
    assert_eq!(zala.len(), 17);
    assert_eq!(count(&zala, Schema::Person), 6);
    assert_eq!(count(&zala, Schema::Organisation), 11);
    assert!(zala.iter().any(|e| !e.programmes.is_empty()));
}

#[test]
fn senzing_us_congress_peps() {
    let es = parse(
        SourceKind::Senzing,
        &data("opensanctions_ftm/us_congress_peps_senzing.json"),
    )
    .unwrap();
    // 1,319 records: 1,317 PERSON PEPs + 2 position records without a type.
    assert_eq!(es.len(), 1_317);
    assert!(es.iter().all(|e| e.schema == Schema::Person && e.is_pep()));
    let e = es
        .iter()
        .find(|e| e.list_id == "NK-AQ4HymsADSK2D63MkyTqfC")
        .unwrap();
    assert_eq!(e.caption(), "Jennifer L. McClellan");
    assert_eq!(e.birth_dates, ["1972"]);
    assert_eq!(e.nationalities, ["us"]);
}

#[test]
fn errors_name_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("dossier-screening-err-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.jsonl");
    std::fs::write(&f, "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A B\"]}}\n{\"schema\":\"Person\"}\n").unwrap();
    let err = parse(SourceKind::Ftm, &f).unwrap_err();
    assert_eq!((err.line, err.field.as_str()), (2, "id"));
    assert!(err.to_string().contains("bad.jsonl:2: field `id`"));

    let f = dir.join("un.xml");
    std::fs::write(&f, "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL>\n<FIRST_NAME>A</FIRST_NAME>\n</INDIVIDUAL>\n</INDIVIDUALS></CONSOLIDATED_LIST>").unwrap();
    let err = parse(SourceKind::UnSc, &f).unwrap_err();
    assert_eq!((err.line, err.field.as_str()), (5, "REFERENCE_NUMBER"));

    let f = dir.join("hmt.csv");
    std::fs::write(&f, "Last Updated,13/04/2018\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,DOB,Nationality,Passport Details,NI Number,Country,Group Type,Alias Type,Regime,Group ID\nX,Y,,,,,,,,,,,Individual,AKA,R,12\nX,Y,,,,,,,,,,,Individual,AKA,R,abc\n").unwrap();
    let err = parse(SourceKind::UkHmt, &f).unwrap_err();
    assert_eq!((err.line, err.field.as_str()), (4, "Group ID"));

    let err = parse(SourceKind::OfacSdn, &dir.join("missing")).unwrap_err();
    assert!(err.to_string().contains("missing"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn snapshot_import_digest_and_api_query_json() {
    let path = data("opensanctions_ftm/us_congress_peps_senzing.json");
    let a = dossier_screening::Snapshot::import(SourceKind::Senzing, &path).unwrap();
    let b = dossier_screening::Snapshot::import(SourceKind::Senzing, &path).unwrap();
    assert_eq!(a.digest(), b.digest());
    let mut c = b.clone();
    c.entities.pop();
    assert_ne!(a.digest(), c.digest());
    assert_eq!(a.diff_from(&c).added.len(), 1);
    // The API body uses `type`, and US spelling is accepted.
    let q: dossier_screening::Query =
        serde_json::from_str(r#"{"name":"Acme","type":"organization","limit":5}"#).unwrap();
    assert_eq!(q.schema, Some(Schema::Organisation));
    assert_eq!(q.limit, 5);
}

#[test]
fn entities_round_trip_as_json() {
    let es = parse(
        SourceKind::UnSc,
        &data("un_sc/UN_consolidated_2026-02-27.xml"),
    )
    .unwrap();
    let json = serde_json::to_string(&es).unwrap();
    let back: Vec<Entity> = serde_json::from_str(&json).unwrap();
    assert_eq!(es, back);
}
