//! Ad-hoc screening from the command line (what `dossier screen` will do, without a store):
//! `cargo run --release -p dossier-screening --example screen -- ofac_sdn PATH "Vladimir Putin" [--dob 1952] [--country RU] [--type person]`

use dossier_screening::{Index, Query, SourceKind, parse};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, path, names @ ..] = args.as_slice() else {
        eprintln!("usage: screen KIND PATH NAME... [--dob D] [--country C] [--type T]");
        std::process::exit(2);
    };
    let kind: SourceKind = kind.parse().unwrap();
    let index = Index::build(parse(kind, path.as_ref()).unwrap_or_else(|e| panic!("{e}")));
    let mut q = Query::default();
    let mut it = names.iter();
    let mut queries = Vec::new();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dob" => q.birth_date = it.next().cloned(),
            "--country" => q.country = it.next().cloned(),
            "--type" => q.schema = it.next().map(|t| t.parse().unwrap()),
            "--json" => q.limit = 3,
            name => queries.push(name.to_string()),
        }
    }
    for name in queries {
        let query = Query {
            name: name.clone(),
            limit: 3,
            ..q.clone()
        };
        println!("## {name}");
        for m in index.search_default(&query) {
            println!(
                "  {:.3} {} {} {:?} [{}] via {:?}",
                m.score,
                if m.matched { "MATCH" } else { "     " },
                m.entity.caption(),
                m.entity.schema,
                m.entity.list_id,
                m.explanation.matched_name
            );
        }
    }
}
