//! Why a result scored what it did: the name variants compared, the token alignment and
//! each feature's contribution. Serialised as-is into API responses and stored hits.

use serde::{Deserialize, Serialize};

use crate::model::NameKind;

/// How two tokens were found to correspond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenHow {
    Exact,
    /// Spelling distance (typos, transliteration variants).
    Fuzzy,
    /// Same consonant skeleton (vowel and spelling variants).
    Phonetic,
    /// Compared by consonant skeleton because one side came from an abjad script.
    Transliteration,
    /// An initial against a word with the same first letter.
    Initial,
    /// One token against two joined tokens of the other side.
    Joined,
    /// Known equivalent given names (Bill / William, Juan / John).
    Nickname,
}

/// One aligned pair of tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenMatch {
    pub query: String,
    pub candidate: String,
    pub similarity: f64,
    pub how: TokenHow,
}

/// One additive contribution to the final score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// `name`, `legal_form`, `weak_alias`, `birth_date`, `country`, `schema`.
    pub feature: String,
    pub contribution: f64,
    pub detail: String,
}

/// The explanation attached to every result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The query name variant that gave the best score.
    pub query_name: String,
    /// The entity name it matched, and which kind of name that is.
    pub matched_name: String,
    pub matched_name_kind: NameKind,
    /// Normalised forms that were compared.
    pub query_normalised: String,
    pub matched_normalised: String,
    /// `tokens` (token alignment) or `joined` (whole names compared without spaces).
    pub method: String,
    pub tokens: Vec<TokenMatch>,
    pub unmatched_query: Vec<String>,
    pub unmatched_candidate: Vec<String>,
    /// Contributions that sum to the score (before clamping to 0..1).
    pub features: Vec<Feature>,
}
