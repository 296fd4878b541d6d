//! The case list's free-text search: each case keeps a folded text of what an analyst searches it by
//! (its subject's name and registration number, its external id and id, the names of its related
//! parties), and a query matches when each of its words is found in that text. Folding makes case and
//! accents irrelevant: "Müller" is found by "muller", "ÉLODIE" by "elodie".

use unicode_normalization::UnicodeNormalization;

use crate::application::Application;
use crate::relationship::Relationship;

/// The longest query accepted, in characters, and the most words one is split into.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_QUERY_WORDS: usize = 8;

/// Lower case without accents. Compatibility decomposition also turns ligatures and full-width forms
/// into plain letters (`ﬁ` → `fi`); the few Latin letters that do not decompose are spelt out.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// The words of a query, folded, without repeats; at most [`MAX_QUERY_WORDS`] (the rest would only
/// narrow a search that is narrow already).
pub fn query_words(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in fold(query).split_whitespace() {
        if !words.iter().any(|known| known == w) {
            words.push(w.to_string());
        }
    }
    words.truncate(MAX_QUERY_WORDS);
    words
}

impl Application {
    /// The subject's name as lists show it: the business name, or the person's full name.
    pub fn display_name(&self) -> String {
        match (&self.business, &self.person) {
            (Some(b), _) => b.name.clone().unwrap_or_default(),
            (_, Some(p)) => p.full_name(),
            _ => String::new(),
        }
    }

    /// The folded text the case list searches (see the module): one line per thing searched.
    pub fn search_text(&self) -> String {
        let mut lines = vec![self.display_name(), self.id.clone()];
        if let Some(b) = &self.business
            && let Some(n) = &b.registration_number
        {
            lines.push(n.clone());
        }
        lines.extend(self.external_id.clone());
        party_names(&self.relationships, &mut lines);
        lines.retain(|l| !l.trim().is_empty());
        fold(&lines.join("\n"))
    }
}

/// Every related party's name (and a related business's registration number), nested ones too.
fn party_names(parties: &[Relationship], out: &mut Vec<String>) {
    for r in parties {
        out.push(r.display_name());
        if let Some(n) = r
            .business
            .as_ref()
            .and_then(|b| b.registration_number.clone())
        {
            out.push(n);
        }
        party_names(&r.relationships, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Élodie MÜLLER-Ŝtraße"), "elodie muller-strasse");
        assert_eq!(fold("Łódź Øster Æsir ﬁlm"), "lodz oster aesir film");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("北京 Ωμέγα"), "北京 ωμεγα");
    }

    #[test]
    fn query_words_are_folded_and_unique() {
        assert_eq!(query_words("  Dupont  JEAN dupont "), ["dupont", "jean"]);
        assert_eq!(query_words("a b c d e f g h i j").len(), MAX_QUERY_WORDS);
        assert!(query_words(" \t ").is_empty());
    }

    #[test]
    fn the_search_text_holds_the_subject_the_ids_and_every_party() {
        let new: crate::application::NewApplication = serde_json::from_value(json!({
            "type": "business",
            "business": {"name": "Société Générale d'Études", "registration_number": "552 100 554"},
            "external_id": "CRM-42",
            "relationships": [{"kind": "business", "roles": ["shareholder"],
                "business": {"name": "Holding Ärö", "registration_number": "HRB 1"},
                "relationships": [{"kind": "person", "roles": ["ubo"],
                    "person": {"first_name": "Zoë", "last_name": "Ñúñez"}}]}]
        }))
        .unwrap();
        let app = new
            .into_application(&[], "2026-01-01T00:00:00Z".parse().unwrap())
            .unwrap();
        assert_eq!(app.display_name(), "Société Générale d'Études");
        let text = app.search_text();
        for found in [
            "societe generale d'etudes",
            "552 100 554",
            "crm-42",
            "holding aro",
            "hrb 1",
            "zoe nunez",
            &app.id.to_lowercase(),
        ] {
            assert!(text.contains(found), "{found} in {text}");
        }
    }
}
