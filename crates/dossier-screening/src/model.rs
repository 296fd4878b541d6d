//! The one entity model every watchlist parser produces.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Which parser reads a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// OFAC legacy CSV set: a folder with `sdn.csv` (or `cons_prim.csv`) and, when present,
    /// `add.csv`, `alt.csv`, `sdn_comments.csv` (or their `cons_*` names). A path to the
    /// primary CSV file itself is also accepted.
    OfacSdn,
    /// UN Security Council consolidated list (XML).
    UnSc,
    /// UK HM Treasury (OFSI) consolidated list (CSV, Windows-1252).
    UkHmt,
    /// FollowTheMoney entities, JSON lines (OpenSanctions).
    Ftm,
    /// Senzing JSON lines export (OpenSanctions).
    Senzing,
}

impl SourceKind {
    /// All kinds, in CLI order.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::OfacSdn,
        SourceKind::UnSc,
        SourceKind::UkHmt,
        SourceKind::Ftm,
        SourceKind::Senzing,
    ];

    /// The CLI / API name (`ofac_sdn`, `un_sc`, `uk_hmt`, `ftm`, `senzing`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::OfacSdn => "ofac_sdn",
            SourceKind::UnSc => "un_sc",
            SourceKind::UkHmt => "uk_hmt",
            SourceKind::Ftm => "ftm",
            SourceKind::Senzing => "senzing",
        }
    }
}

impl std::str::FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown source kind `{s}` (expected one of ofac_sdn, un_sc, uk_hmt, ftm, senzing)"))
    }
}

/// What kind of thing an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schema {
    Person,
    #[serde(alias = "organization", alias = "company")]
    Organisation,
    Vessel,
    Aircraft,
    /// The list does not say (e.g. FtM `LegalEntity`): may be a person or an organisation.
    Unknown,
}

impl std::str::FromStr for Schema {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" => Ok(Schema::Person),
            "organisation" | "organization" | "company" | "entity" | "business" => {
                Ok(Schema::Organisation)
            }
            "vessel" | "ship" => Ok(Schema::Vessel),
            "aircraft" | "airplane" => Ok(Schema::Aircraft),
            "unknown" | "legalentity" | "legal_entity" => Ok(Schema::Unknown),
            other => Err(format!("unknown schema `{other}`")),
        }
    }
}

/// How a name relates to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    Primary,
    Alias,
    Former,
    /// Name in original (non-Latin) script, as given by the list.
    OriginalScript,
}

/// One name variant of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Name {
    pub value: String,
    pub kind: NameKind,
    /// Quality as given by the list (`good`, `low`, `weak`, `strong`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
}

impl Name {
    pub fn new(value: impl Into<String>, kind: NameKind) -> Self {
        Name {
            value: value.into(),
            kind,
            quality: None,
        }
    }
    /// Low-quality aliases (UN `Low`, OFAC weak a.k.a.) carry less weight when matched.
    pub fn is_weak(&self) -> bool {
        matches!(self.quality.as_deref(), Some("low" | "weak"))
    }
}

/// An identifier (passport, registration number, IMO, …) as printed by the list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A listed entity, whatever the source. Dates are ISO-8601 prefixes (`1963-04-30`, `1963-04`,
/// `1963`); countries are ISO 3166-1 alpha-2 lower-case codes when recognised, else the list's
/// text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// The list this entity is on, e.g. `us_ofac_sdn`, `un_sc`, `gb_hmt`, or an OpenSanctions
    /// dataset name.
    pub list: String,
    /// The list's own id for the record (OFAC `ent_num`, UN reference number, HMT group id, …).
    pub list_id: String,
    pub schema: Schema,
    /// All names; the first `Primary` one is the caption.
    pub names: Vec<Name>,
    #[serde(default)]
    pub birth_dates: Vec<String>,
    #[serde(default)]
    pub nationalities: Vec<String>,
    /// Countries of residence, address, registration or flag (not nationality).
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Sanctions programmes / regimes.
    #[serde(default)]
    pub programmes: Vec<String>,
    /// Topics such as `sanction` or `role.pep`.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Link back to the source record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl Entity {
    pub fn new(list: impl Into<String>, list_id: impl Into<String>, schema: Schema) -> Self {
        Entity {
            list: list.into(),
            list_id: list_id.into(),
            schema,
            names: Vec::new(),
            birth_dates: Vec::new(),
            nationalities: Vec::new(),
            countries: Vec::new(),
            identifiers: Vec::new(),
            programmes: Vec::new(),
            topics: Vec::new(),
            source_url: None,
        }
    }

    /// The display name: first primary name, else the first name.
    pub fn caption(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or_else(|| self.names.first())
            .map(|n| n.value.as_str())
            .unwrap_or("")
    }

    /// `(list, list_id)`: the key snapshots are diffed and reviews are remembered by.
    pub fn key(&self) -> EntityKey {
        EntityKey {
            list: self.list.clone(),
            list_id: self.list_id.clone(),
        }
    }

    /// Whether the entity is a politically exposed person (topic `role.pep` or `role.*`).
    pub fn is_pep(&self) -> bool {
        self.topics.iter().any(|t| t.starts_with("role."))
    }

    /// SHA-256 (hex) over the canonical JSON of the record: changes whenever any field changes.
    pub fn content_hash(&self) -> String {
        let json = serde_json::to_vec(self).expect("entity serialises");
        hex::encode(Sha256::digest(&json))
    }

    pub(crate) fn push_name(&mut self, value: &str, kind: NameKind, quality: Option<&str>) {
        let value = collapse_ws(value);
        if value.is_empty() {
            return;
        }
        if self.names.iter().any(|n| n.value == value) {
            return;
        }
        self.names.push(Name {
            value,
            kind,
            quality: quality
                .map(|q| q.trim().to_ascii_lowercase())
                .filter(|q| !q.is_empty()),
        });
    }

    pub(crate) fn push_unique(field: &mut Vec<String>, value: String) {
        if !value.is_empty() && !field.contains(&value) {
            field.push(value);
        }
    }
}

/// The identity of a listed record across imports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityKey {
    pub list: String,
    pub list_id: String,
}

pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
