//! Given-name equivalents: common hypocorisms (Bill / William) and the same name across
//! languages (John / Juan / Ivan). Onboarding forms often carry the everyday form while lists
//! carry the formal one. Kept small on purpose: only widely attested equivalents.

use std::collections::HashMap;
use std::sync::OnceLock;

const GROUPS: &[&str] = &[
    "william bill billy will willy liam wilhelm guillermo guillaume",
    "robert bob bobby rob robbie roberto",
    "richard dick rick ricky ricardo",
    "james jim jimmy jamie jaime",
    "john jack johnny jon juan jean johann johannes hans ivan giovanni joao sean",
    "michael mike mikey mick mikhail misha miguel michal",
    "thomas tom tommy tomas",
    "anthony tony antonio anton",
    "joseph joe joey jose giuseppe josef",
    "elizabeth liz lizzie beth betty eliza elisabeth",
    "katherine catherine kathryn kate katie kathy cathy ekaterina yekaterina katya",
    "margaret maggie meg peggy margarita",
    "david dave davy",
    "daniel dan danny",
    "stephen steven steve stephan stefan esteban etienne",
    "christopher chris kristopher",
    "matthew matt matthias",
    "nicholas nick nicky nikolai nikolay nicolas nicola",
    "aleksander alex alec sasha aleksandr alessandro alejandro aleksandre",
    "samuel sam sammy",
    "benjamin ben benny bibi binyamin",
    "andrew andy andrei andrey andres andreas",
    "edward ed eddie ted teddy eduardo",
    "theodore ted teddy theo fedor fyodor",
    "gregory greg grigory",
    "jeffrey jeff geoffrey",
    "lawrence larry laurence",
    "patrick pat paddy",
    "peter pete pyotr petr pedro pierre pietro",
    "philip phil felipe filipp",
    "ronald ron ronnie",
    "timothy tim",
    "vladimir vova volodya",
    "dmitry dima dmitri",
    "sergei serge sergey sergio",
    "paul pavel pablo paolo",
    "george georgy jorge giorgio",
    "henry harry hank heinrich enrique henri",
    "charles charlie chuck carlos karl carl",
    "susan sue suzy susanne",
    "barack barry",
];

fn table() -> &'static HashMap<&'static str, Vec<u16>> {
    static T: OnceLock<HashMap<&'static str, Vec<u16>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<u16>> = HashMap::new();
        for (g, names) in GROUPS.iter().enumerate() {
            for n in names.split_whitespace() {
                m.entry(n).or_default().push(g as u16);
            }
        }
        m
    })
}

/// Whether two (normalised, different) given names are known equivalents.
pub fn equivalent(a: &str, b: &str) -> bool {
    let t = table();
    match (t.get(a), t.get(b)) {
        (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn equivalents() {
        assert!(super::equivalent("bill", "william"));
        assert!(super::equivalent("ted", "theodore"));
        assert!(super::equivalent("ted", "edward"));
        assert!(!super::equivalent("bill", "robert"));
        assert!(!super::equivalent("zzz", "william"));
    }
}
