//! Fuzz-style property tests (stable toolchain: proptest instead of cargo-fuzz): every parser
//! returns Ok or a ParseError on arbitrary or mutated input, and never panics.

use std::path::Path;

use dossier_screening::parsers::{ftm, ofac, senzing, uk_hmt, un};
use dossier_screening::{compare_names, normalise::normalise};
use proptest::prelude::*;

const OFAC_SAMPLE: &[u8] = b"306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'BNC'; DOB 30 Apr 1963; nationality Cuba; Passport A1 (Cuba).\"\r\n\x1a";
const UN_SAMPLE: &[u8] = b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME><SECOND_NAME>B</SECOND_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><NATIONALITY><VALUE>Iraq</VALUE></NATIONALITY><INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>C &amp; D</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_DATE_OF_BIRTH><YEAR>1960</YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>";
const HMT_SAMPLE: &[u8] = b"Last Updated,13/04/2018\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,DOB,Town of Birth,Country of Birth,Nationality,Passport Details,NI Number,Position,Address 1,Address 2,Address 3,Address 4,Address 5,Address 6,Post/Zip Code,Country,Other Information,Group Type,Alias Type,Regime,Listed On,Last Updated,Group ID\nAL-X,Y,,,,,,00/00/1980,,,1) Iraq 2) Qatar,,,,,,,,,,,Iraq,,Individual,Prime Alias,R,01/04/2016,01/04/2016,1\n";
const FTM_SAMPLE: &[u8] = b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A B\"],\"birthDate\":[\"1970\"]}}\n{\"id\":\"s\",\"schema\":\"Sanction\",\"properties\":{\"entity\":[\"a\"],\"program\":[\"P\"]}}\n";
const SZ_SAMPLE: &[u8] = b"{\"DATA_SOURCE\":\"X\",\"RECORD_ID\":\"1\",\"RECORD_TYPE\":\"PERSON\",\"NAMES\":[{\"NAME_TYPE\":\"PRIMARY\",\"NAME_FULL\":\"A B\"}],\"RISKS\":[{\"TOPIC\":\"role.pep\"}],\"DATES\":[{\"DATE_OF_BIRTH\":\"1972\"}]}\n";

fn all_parsers(bytes: &[u8]) {
    let p = Path::new("fuzz");
    let f = |b| ofac::CsvFile { path: p, bytes: b };
    let _ = ofac::parse_set(
        "l",
        f(bytes),
        Some(f(bytes)),
        Some(f(bytes)),
        Some(f(bytes)),
    );
    let _ = un::parse(p, bytes);
    let _ = uk_hmt::parse(p, bytes);
    let _ = ftm::parse(p, bytes);
    let _ = senzing::parse(p, bytes);
}

/// Flip, insert or delete bytes of a valid sample.
fn mutated(sample: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..12).prop_map(move |edits| {
        let mut v = sample.to_vec();
        for (pos, byte, op) in edits {
            let i = pos % (v.len() + 1);
            match op {
                0 if i < v.len() => v[i] = byte,
                1 => v.insert(i, byte),
                _ if i < v.len() => {
                    v.remove(i);
                }
                _ => {}
            }
        }
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        all_parsers(&bytes);
    }

    #[test]
    fn ofac_never_panics_on_mutations(bytes in mutated(OFAC_SAMPLE)) {
        let p = Path::new("sdn.csv");
        let _ = ofac::parse_set("l", ofac::CsvFile { path: p, bytes: &bytes }, None, None, None);
    }

    #[test]
    fn un_never_panics_on_mutations(bytes in mutated(UN_SAMPLE)) {
        let _ = un::parse(Path::new("un.xml"), &bytes);
    }

    #[test]
    fn hmt_never_panics_on_mutations(bytes in mutated(HMT_SAMPLE)) {
        let _ = uk_hmt::parse(Path::new("hmt.csv"), &bytes);
    }

    #[test]
    fn ftm_never_panics_on_mutations(bytes in mutated(FTM_SAMPLE)) {
        let _ = ftm::parse(Path::new("ftm.json"), &bytes);
    }

    #[test]
    fn senzing_never_panics_on_mutations(bytes in mutated(SZ_SAMPLE)) {
        let _ = senzing::parse(Path::new("sz.json"), &bytes);
    }

    #[test]
    fn scores_are_bounded_for_any_text(a in "\\PC{0,40}", b in "\\PC{0,40}") {
        let _ = normalise(&a);
        let s = compare_names(&a, &b);
        prop_assert!((0.0..=1.0).contains(&s));
    }

    #[test]
    fn a_name_matches_itself(words in proptest::collection::vec("[a-z]{3,10}", 1..5)) {
        let name = words.join(" ");
        prop_assert!(compare_names(&name, &name) >= 0.99);
    }
}

#[test]
fn samples_parse() {
    let p = Path::new("s");
    assert_eq!(
        ofac::parse_set(
            "l",
            ofac::CsvFile {
                path: p,
                bytes: OFAC_SAMPLE
            },
            None,
            None,
            None
        )
        .unwrap()
        .len(),
        1
    );
    assert_eq!(un::parse(p, UN_SAMPLE).unwrap().len(), 1);
    assert_eq!(uk_hmt::parse(p, HMT_SAMPLE).unwrap().len(), 1);
    let f = ftm::parse(p, FTM_SAMPLE).unwrap();
    assert_eq!(f[0].programmes, ["P"]);
    assert_eq!(senzing::parse(p, SZ_SAMPLE).unwrap().len(), 1);
}
