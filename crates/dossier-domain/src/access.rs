//! Who acts on a case: the one [`Actor`] type that the audit trail records and the decision policy
//! reads, and the one [`Role`] an analyst, an API key or a rule acts with.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an actor may do. Analysts (users) have one of the first four; API keys have any of them
/// (`automation` by default), and rules and workers act as `automation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    QualifiedReviewer,
    Reviewer,
    ReadOnly,
    /// An integration or a rule: decides only what the policy leaves to automation.
    #[default]
    Automation,
    /// The company's client filling a portal: changes only its own case, through the portal's
    /// use cases, and never decides.
    Client,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::QualifiedReviewer,
        Role::Reviewer,
        Role::ReadOnly,
        Role::Automation,
        Role::Client,
    ];

    /// The roles an API key (and, later, a user) may be given: not `client`, which only a portal
    /// visitor has.
    pub const STAFF: [Role; 5] = [
        Role::Admin,
        Role::QualifiedReviewer,
        Role::Reviewer,
        Role::ReadOnly,
        Role::Automation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::QualifiedReviewer => "qualified_reviewer",
            Role::Reviewer => "reviewer",
            Role::ReadOnly => "read_only",
            Role::Automation => "automation",
            Role::Client => "client",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether this role may change anything at all.
    pub fn may_write(self) -> bool {
        self != Role::ReadOnly
    }

    /// Whether this role may decide cases reserved for qualified reviewers.
    pub fn is_qualified(self) -> bool {
        matches!(self, Role::Admin | Role::QualifiedReviewer)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who made a change: its kind (`api_key`, `user`, `portal`, `system`, `cli`), its id (empty for the
/// system and the CLI) and the role it acted with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    pub kind: String,
    pub id: String,
    /// Entries written before roles were recorded read as `automation`: API keys acted as one then.
    #[serde(default)]
    pub role: Role,
}

impl Actor {
    pub fn new(kind: &str, id: &str, role: Role) -> Self {
        Self {
            kind: kind.into(),
            id: id.into(),
            role,
        }
    }
    pub fn api_key(id: &str, role: Role) -> Self {
        Self::new("api_key", id, role)
    }
    pub fn system() -> Self {
        Self::new("system", "", Role::Automation)
    }
    pub fn cli() -> Self {
        Self::new("cli", "", Role::Admin)
    }
}
