//! Country and industry risk tables: the reference data behind `country_risk()` and
//! `industry_risk()`. The defaults ship as dated JSON files; an operator or a workspace replaces them
//! by handing other tables to the engine, so a list update is a data change, not a release.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const DEFAULT_COUNTRIES: &str = include_str!("../../data/country_risk.json");
const DEFAULT_INDUSTRIES: &str = include_str!("../../data/industry_risk.json");

/// The answer of both lookups. `unknown` is for a missing code, never for a code absent from the
/// lists (that is `standard`), so a rule can tell "no data" from "low risk".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskCategory {
    High,
    Increased,
    Standard,
    Unknown,
}

impl RiskCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskCategory::High => "high",
            RiskCategory::Increased => "increased",
            RiskCategory::Standard => "standard",
            RiskCategory::Unknown => "unknown",
        }
    }
}

/// FATF-style country lists, ISO 3166-1 alpha-2 codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CountryRiskTable {
    pub source: String,
    pub as_of: String,
    #[serde(default)]
    pub high: Vec<String>,
    #[serde(default)]
    pub increased: Vec<String>,
}

impl CountryRiskTable {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let mut table: Self = serde_json::from_str(text)?;
        for code in table.high.iter_mut().chain(table.increased.iter_mut()) {
            *code = code.trim().to_ascii_uppercase();
        }
        Ok(table)
    }

    pub fn lookup(&self, code: Option<&str>) -> RiskCategory {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return RiskCategory::Unknown;
        };
        let code = code.to_ascii_uppercase();
        // Black list wins if an operator put a code on both lists.
        if self.high.contains(&code) {
            RiskCategory::High
        } else if self.increased.contains(&code) {
            RiskCategory::Increased
        } else {
            RiskCategory::Standard
        }
    }
}

impl Default for CountryRiskTable {
    fn default() -> Self {
        Self::from_json(DEFAULT_COUNTRIES).expect("shipped country_risk.json is valid")
    }
}

/// Industry codes (NACE-like, dotted) → category; the most specific matching entry wins, so a
/// division can be `increased` while one of its classes is `high`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndustryRiskTable {
    pub source: String,
    pub as_of: String,
    #[serde(default)]
    pub high: BTreeMap<String, String>,
    #[serde(default)]
    pub increased: BTreeMap<String, String>,
}

impl IndustryRiskTable {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn lookup(&self, code: Option<&str>) -> RiskCategory {
        let Some(code) = code.map(normalise_industry_code).filter(|c| !c.is_empty()) else {
            return RiskCategory::Unknown;
        };
        // Walk from the most specific prefix to the division: "66.19" → "66.1" → "66".
        let mut candidate = code.as_str();
        loop {
            if self.high.contains_key(candidate) {
                return RiskCategory::High;
            }
            if self.increased.contains_key(candidate) {
                return RiskCategory::Increased;
            }
            match candidate.len() {
                0..=2 => return RiskCategory::Standard,
                _ => {
                    candidate = candidate[..candidate.len() - 1].trim_end_matches('.');
                }
            }
        }
    }
}

/// "6619", "66.19", " 66.19 " and "66.19.0" all become "66.19".
fn normalise_industry_code(code: &str) -> String {
    let digits: String = code.chars().filter(char::is_ascii_digit).take(4).collect();
    if digits.len() <= 2 {
        digits
    } else {
        format!("{}.{}", &digits[..2], &digits[2..])
    }
}

impl Default for IndustryRiskTable {
    fn default() -> Self {
        Self::from_json(DEFAULT_INDUSTRIES).expect("shipped industry_risk.json is valid")
    }
}

/// Both tables, as the engine takes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskTables {
    pub countries: CountryRiskTable,
    pub industries: IndustryRiskTable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fatf_black_and_grey_lists_are_shipped() {
        let table = CountryRiskTable::default();
        for code in ["KP", "IR", "MM"] {
            assert_eq!(table.lookup(Some(code)), RiskCategory::High, "{code}");
        }
        assert_eq!(table.lookup(Some("sy")), RiskCategory::Increased);
        assert_eq!(table.lookup(Some("FR")), RiskCategory::Standard);
        assert_eq!(table.lookup(None), RiskCategory::Unknown);
        assert_eq!(table.lookup(Some(" ")), RiskCategory::Unknown);
        assert!(!table.as_of.is_empty() && !table.source.is_empty());
    }

    #[test]
    fn most_specific_industry_entry_wins() {
        let table = IndustryRiskTable::from_json(
            r#"{"source":"t","as_of":"2025-01-01","high":{"66.19":"x"},"increased":{"66":"y"}}"#,
        )
        .unwrap();
        assert_eq!(table.lookup(Some("66.19")), RiskCategory::High);
        assert_eq!(table.lookup(Some("6619")), RiskCategory::High);
        assert_eq!(table.lookup(Some("66.12")), RiskCategory::Increased);
        assert_eq!(table.lookup(Some("66")), RiskCategory::Increased);
        assert_eq!(table.lookup(Some("49.41")), RiskCategory::Standard);
        assert_eq!(table.lookup(Some("")), RiskCategory::Unknown);
    }

    #[test]
    fn default_industry_list_marks_gambling_high() {
        let table = IndustryRiskTable::default();
        assert_eq!(table.lookup(Some("92.00")), RiskCategory::High);
        assert_eq!(table.lookup(Some("68.31")), RiskCategory::Increased);
        assert_eq!(table.lookup(Some("49.41")), RiskCategory::Standard);
    }
}
