//! Print the explanation of a name-to-name comparison:
//! `cargo run -p dossier-screening --example explain -- "Vladimir Putin" "PUTIN, Vladimir Vladimirovich"`

use dossier_screening::matcher::{Params, PreparedQuery, normalise_entity, score_entity};
use dossier_screening::{Entity, NameKind, Query, Schema};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let [q, c] = pair else { break };
        let mut e = Entity::new("cli", "1", Schema::Unknown);
        e.names
            .push(dossier_screening::Name::new(c.clone(), NameKind::Primary));
        let pq = PreparedQuery::new(Query::name(q.clone()));
        let s = score_entity(&pq, &e, &normalise_entity(&e), &Params::default()).unwrap();
        println!(
            "{:.3}  {q} <> {c}\n{}",
            s.score,
            serde_json::to_string(&s.explanation).unwrap()
        );
    }
}
