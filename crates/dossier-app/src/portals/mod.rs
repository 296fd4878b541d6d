//! Portals: the links a company gives its client to fill in a case (an **onboarding** portal, which
//! creates the case when the client starts) or to complete one (a **collect** portal on an existing
//! case, asking for chosen steps or documents, each with a reason for the client and a note for the
//! team). A collect's every reopening is a **round**, kept with what was asked and what came back.
//!
//! A link carries a long random token; only its SHA-256 is stored. The link is shown once, in the
//! answer that makes it and in the `collect.opened` event (how integrators get it, as in Ondorse);
//! asking for a new link replaces the old one. The client's side (sessions, one-time codes, the
//! steps) is in [`visitor`].

pub mod visitor;

use dossier_domain::access::Actor;
use dossier_domain::application::SubjectKind;
use dossier_domain::audit::diff;
use dossier_domain::validation::{Errors, is_email};
use dossier_store::{PortalFilter, PortalRow, Tx, now, timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::{App, Idempotency, Outcome, Principal, Written, applications, fetch_limit, paginate};

/// The steps a portal can show, in order (review and submit always follow).
pub const STEPS: [&str; 3] = ["details", "relationships", "documents"];
/// Accepted by name, refused until an identity-verification provider exists.
const IDENTITY_VERIFICATION: &str = "identity-verification";

pub const ONBOARDING: &str = "onboarding";
pub const COLLECT: &str = "collect";

/// Body of `POST /api/portals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPortal {
    /// `business` (default) or `person`: the case the client will fill in.
    #[serde(rename = "type")]
    pub kind: Option<SubjectKind>,
    pub template: Option<String>,
    /// Custom fields the case is created with (e.g. your `account_id`); they come back in every
    /// `application.*` event.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub default_custom_fields: Map<String, Value>,
    /// Where the client lands after submitting, with `?application_id=…`.
    pub redirect_url: Option<String>,
    /// When set, the client proves access to this address with a one-time code.
    pub email: Option<String>,
    /// `en` or `fr`; otherwise the browser's language.
    pub locale: Option<String>,
    /// A named theme of the workspace's branding.
    pub theme: Option<String>,
    /// RFC 3339; default `portal.link_ttl` from now.
    pub expires_at: Option<String>,
    /// Set on the case when it is created.
    pub external_id: Option<String>,
}

/// One item a collect asks for: a document (by type, for the subject or a party, or replacing a
/// given document), with a reason shown to the client and a note that never is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AskedDocument {
    #[serde(rename = "type")]
    pub document_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_id: Option<String>,
    /// The document this one replaces (one marked invalid, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Shown to the client in the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For the team only; never shown in the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An item of `documents` in a collect request: a document id, a type, or the full form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AskedItem {
    Name(String),
    Full {
        #[serde(rename = "type")]
        document_type: Option<String>,
        document_id: Option<String>,
        relationship_id: Option<String>,
        reason: Option<String>,
        note: Option<String>,
    },
}

/// Body of `POST` and `PATCH /api/applications/{id}/portals`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollect {
    /// Any of `details`, `relationships`, `documents`; none means everything still missing.
    pub steps: Option<Vec<String>>,
    /// Documents asked for: ids of the case's documents, document types, or objects
    /// `{type | document_id, relationship_id?, reason?, note?}`.
    pub documents: Option<Vec<AskedItem>>,
    pub redirect_url: Option<String>,
    pub email: Option<String>,
    pub theme: Option<String>,
    pub locale: Option<String>,
    /// A message to the client, shown at the top of the portal.
    pub message: Option<String>,
    /// Why the team asks (internal, kept with the round).
    pub note: Option<String>,
    pub expires_at: Option<String>,
}

/// What came back in a round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Returned {
    /// Documents the client uploaded.
    #[serde(default)]
    pub documents: Vec<String>,
    /// Parts of the case the client changed (`details`, `relationships`).
    #[serde(default)]
    pub changed: Vec<String>,
}

/// One opening of a collect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Round {
    pub round: u32,
    pub opened_at: String,
    pub opened_by: Actor,
    pub steps: Vec<String>,
    pub documents: Vec<AskedDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    #[serde(default)]
    pub returned: Returned,
}

/// A portal's settings and history: the JSON kept beside its columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalData {
    #[serde(rename = "type")]
    pub subject_type: SubjectKind,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub default_custom_fields: Map<String, Value>,
    #[serde(default)]
    pub redirect_url: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub submitted_at: Option<String>,
    #[serde(default)]
    pub closed_at: Option<String>,
    pub created_by: Actor,
    /// The steps the client has saved (in this round, for a collect): reopening the link resumes
    /// at the first one not saved.
    #[serde(default)]
    pub saved_steps: Vec<String>,
    /// A collect's rounds, the current one last.
    #[serde(default)]
    pub rounds: Vec<Round>,
}

/// A portal: its row's columns with its data typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Portal {
    pub row: PortalRow,
    pub data: PortalData,
}

impl Portal {
    fn from_row(row: PortalRow) -> AppResult<Self> {
        let data = serde_json::from_str(&row.data)
            .map_err(|e| AppError::Internal(format!("portal {} data: {e}", row.id)))?;
        Ok(Self { row, data })
    }

    fn to_row(&self) -> PortalRow {
        PortalRow {
            data: serde_json::to_string(&self.data).expect("portal data serialises"),
            ..self.row.clone()
        }
    }

    pub fn id(&self) -> &str {
        &self.row.id
    }

    pub fn is_collect(&self) -> bool {
        self.row.kind == COLLECT
    }

    /// The round being answered (a collect's last).
    pub fn round(&self) -> Option<&Round> {
        self.data.rounds.last()
    }

    /// The steps this portal shows, in order: an onboarding portal every step of its kind of case
    /// (a person has no related parties), a collect those asked.
    pub fn steps(&self) -> Vec<&'static str> {
        let asked: Vec<&str> = match self.round() {
            Some(r) if self.is_collect() => r.steps.iter().map(String::as_str).collect(),
            _ => STEPS.to_vec(),
        };
        STEPS
            .into_iter()
            .filter(|s| asked.contains(s))
            .filter(|s| *s != "relationships" || self.data.subject_type == SubjectKind::Business)
            .collect()
    }

    pub fn allows(&self, step: &str) -> bool {
        self.steps().contains(&step)
    }

    /// Whether the client may still change anything through it.
    pub fn is_open(&self) -> bool {
        matches!(self.row.status.as_str(), "active" | "opened")
    }

    pub fn expired(&self, at: &str) -> bool {
        self.row.expires_at.as_str() <= at
    }

    /// The portal as the API shows it (`link` only when just made).
    pub fn to_json(&self, link: Option<&str>) -> Value {
        let d = &self.data;
        if self.is_collect() {
            let round = self.round();
            json!({
                "id": self.row.id,
                "object": "collect",
                "application_id": self.row.application_id,
                "status": self.row.status,
                "round": round.map(|r| r.round),
                "steps": round.map(|r| r.steps.clone()).unwrap_or_default(),
                "documents": round.map(|r| r.documents.clone()).unwrap_or_default(),
                "message": round.and_then(|r| r.message.clone()),
                "rounds": d.rounds,
                "portals": {
                    "id": self.row.id,
                    "link": link,
                    "expires_at": self.row.expires_at,
                    "redirect_url": d.redirect_url,
                    "email": d.email,
                    "theme": d.theme,
                    "locale": d.locale,
                },
                "created_at": self.row.created_at,
                "updated_at": self.row.updated_at,
                "closed_at": d.closed_at,
            })
        } else {
            json!({
                "id": self.row.id,
                "object": "portal",
                "kind": self.row.kind,
                "status": self.row.status,
                "link": link,
                "expires_at": self.row.expires_at,
                "application_id": self.row.application_id,
                "type": d.subject_type,
                "template": d.template,
                "default_custom_fields": d.default_custom_fields,
                "redirect_url": d.redirect_url,
                "email": d.email,
                "locale": d.locale,
                "theme": d.theme,
                "external_id": d.external_id,
                "created_at": self.row.created_at,
                "updated_at": self.row.updated_at,
                "submitted_at": d.submitted_at,
                "closed_at": d.closed_at,
            })
        }
    }
}

/// A new link token (256 random bits, URL-safe) and the hash stored for it.
fn new_token() -> (String, String) {
    let token = crate::new_secret();
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Parses an RFC 3339 expiry in the future, or gives the default.
fn expiry(field: &str, given: Option<&str>, default_ttl: std::time::Duration) -> AppResult<String> {
    match given {
        None => {
            let ttl = jiff::SignedDuration::try_from(default_ttl)
                .map_err(|e| AppError::Internal(format!("link ttl: {e}")))?;
            Ok(timestamp(jiff::Timestamp::now() + ttl))
        }
        Some(text) => {
            let at: jiff::Timestamp = text.parse().map_err(|_| {
                AppError::invalid(
                    field,
                    "must be an RFC 3339 date-time, e.g. 2027-01-31T12:00:00Z",
                )
            })?;
            if at <= jiff::Timestamp::now() {
                return Err(AppError::invalid(field, "must be in the future"));
            }
            Ok(timestamp(at))
        }
    }
}

/// The checks shared by both kinds of portal: a redirect URL that is an absolute http(s) URL, an
/// e-mail address, a locale's shape, a theme the workspace has.
async fn check_common(
    tx: &mut Tx,
    ws: &str,
    errors: &mut Errors,
    redirect_url: &Option<String>,
    email: &Option<String>,
    locale: &Option<String>,
    theme: &Option<String>,
) -> AppResult<()> {
    if let Some(t) = theme {
        check_theme(tx, ws, t, errors).await?;
    }
    if let Some(u) = redirect_url {
        match url::Url::parse(u) {
            Ok(parsed)
                if matches!(parsed.scheme(), "https" | "http") && parsed.host().is_some() => {}
            _ => errors.add("redirect_url", "must be an absolute http(s) URL"),
        }
    }
    if let Some(e) = email
        && !is_email(e)
    {
        errors.add_code("email", "email", "is not an e-mail address");
    }
    // The pages speak the languages they have catalogues for; a locale they lack falls back to
    // the browser's, so only the tag's shape is checked here.
    if let Some(l) = locale {
        let mut parts = l.split('-');
        let primary = parts.next().unwrap_or_default();
        let ok = (2..=3).contains(&primary.len())
            && primary.bytes().all(|b| b.is_ascii_lowercase())
            && parts.all(|p| {
                (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if !ok {
            errors.add("locale", "must be a language tag such as en, fr or fr-BE");
        }
    }
    Ok(())
}

impl App {
    fn link(&self, token: &str) -> String {
        format!("{}/portals/{token}", self.public_url)
    }

    fn link_ttl(&self) -> std::time::Duration {
        crate::config::parse_every(&self.config.portal.link_ttl).expect("checked at start")
    }

    /// Makes an onboarding portal; the answer carries its link, shown only here.
    pub async fn create_portal(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        new: NewPortal,
    ) -> AppResult<Written> {
        let ttl = self.link_ttl();
        self.write(p, idempotency, async |tx| {
            let mut errors = Errors::new();
            check_common(
                tx,
                p.ws(),
                &mut errors,
                &new.redirect_url,
                &new.email,
                &new.locale,
                &new.theme,
            )
            .await?;
            let subject_type = new.kind.unwrap_or(SubjectKind::Business);
            // The default custom fields must be valid on a case, now rather than when the client
            // starts.
            let definitions = tx.settings().field_definitions(p.ws()).await?;
            dossier_domain::custom_field::validate_values(
                &mut errors,
                "default_custom_fields",
                &new.default_custom_fields,
                &definitions,
                dossier_domain::custom_field::AppliesTo::Application,
            );
            errors.into_result()?;
            if let Some(template) = &new.template {
                crate::workflow::template_for(&tx.settings(), p.ws(), template, subject_type)
                    .await?;
            }
            let expires_at = expiry("expires_at", new.expires_at.as_deref(), ttl)?;
            let at = now();
            let portal = Portal {
                row: PortalRow {
                    id: dossier_domain::id::new_id("prt"),
                    kind: ONBOARDING.into(),
                    application_id: None,
                    status: "active".into(),
                    data: String::new(),
                    expires_at,
                    opened_at: at.clone(),
                    created_at: at.clone(),
                    updated_at: at,
                },
                data: PortalData {
                    subject_type,
                    template: new.template,
                    default_custom_fields: new.default_custom_fields,
                    redirect_url: new.redirect_url,
                    email: new.email,
                    locale: new.locale,
                    theme: new.theme,
                    external_id: new.external_id,
                    submitted_at: None,
                    closed_at: None,
                    created_by: p.actor.clone(),
                    saved_steps: Vec::new(),
                    rounds: Vec::new(),
                },
            };
            let (token, hash) = new_token();
            tx.insert_portal(p.ws(), &portal.to_row(), &hash).await?;
            let after = portal.to_json(None);
            tx.audit(
                p.ws(),
                &p.actor,
                "portal.created",
                "portal",
                portal.id(),
                None,
                &diff(&Value::Null, &after),
            )
            .await?;
            Ok((Outcome::Created, portal.to_json(Some(&self.link(&token)))))
        })
        .await
    }

    /// One page of the workspace's portals (both kinds), newest first.
    pub async fn portals(
        &self,
        p: &Principal,
        filter: PortalFilter,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        let fetch = fetch_limit(limit)?;
        let before = crate::cursor(filter.before.as_deref(), "prt")
            .or_else(|_| crate::cursor(filter.before.as_deref(), "col"))?
            .map(str::to_string);
        let rows = self
            .store
            .portals(
                p.ws(),
                &PortalFilter {
                    before,
                    limit: fetch,
                    ..filter
                },
            )
            .await?;
        let portals = rows
            .into_iter()
            .map(|r| Portal::from_row(r).map(|p| p.to_json(None)))
            .collect::<AppResult<Vec<_>>>()?;
        Ok(paginate(portals, fetch, |p| {
            p["id"].as_str().unwrap_or_default().to_string()
        }))
    }

    pub async fn portal(&self, p: &Principal, id: &str) -> AppResult<Value> {
        let row = self
            .store
            .portal(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("portal"))?;
        Ok(Portal::from_row(row)?.to_json(None))
    }

    /// Closes a portal of either kind: its link stops working and its sessions end. Closing a
    /// collect emits `collect.closed`.
    pub async fn close_portal(&self, p: &Principal, id: &str) -> AppResult<Written> {
        let written = self
            .write(p, None, async |tx| {
                let row = tx
                    .portal_for_update(p.ws(), id)
                    .await?
                    .ok_or(AppError::NotFound("portal"))?;
                let mut portal = Portal::from_row(row)?;
                if !portal.is_open() {
                    return Err(AppError::Conflict(
                        "portal_not_open",
                        format!("the portal is already {}", portal.row.status),
                    ));
                }
                close(tx, p, &mut portal, "portal.closed").await?;
                Ok((Outcome::Changed, portal.to_json(None)))
            })
            .await?;
        self.store
            .delete_web_sessions_of(p.ws(), "portal", id)
            .await?;
        Ok(written)
    }

    /// A new link for an open portal; the old link stops working.
    pub async fn renew_portal_link(&self, p: &Principal, id: &str) -> AppResult<Written> {
        let ttl = self.link_ttl();
        self.write(p, None, async |tx| {
            let row = tx
                .portal_for_update(p.ws(), id)
                .await?
                .ok_or(AppError::NotFound("portal"))?;
            let mut portal = Portal::from_row(row)?;
            if !portal.is_open() {
                return Err(AppError::Conflict(
                    "portal_not_open",
                    format!("the portal is {}; open a new one", portal.row.status),
                ));
            }
            let (token, hash) = new_token();
            portal.row.expires_at = expiry("expires_at", None, ttl)?;
            portal.row.updated_at = now();
            tx.update_portal(p.ws(), &portal.to_row(), Some(&hash))
                .await?;
            tx.audit(
                p.ws(),
                &p.actor,
                "portal.link_renewed",
                "portal",
                id,
                portal.row.application_id.as_deref(),
                &[],
            )
            .await?;
            Ok((Outcome::Changed, portal.to_json(Some(&self.link(&token)))))
        })
        .await
    }

    /// The case's newest collect.
    pub async fn collect(&self, p: &Principal, application_id: &str) -> AppResult<Value> {
        applications::ensure_exists(&self.store, p.ws(), application_id).await?;
        let row = self
            .store
            .collect_of(p.ws(), application_id)
            .await?
            .ok_or(AppError::NotFound("collect"))?;
        Ok(Portal::from_row(row)?.to_json(None))
    }

    /// Opens a collect on a case (`collect.opened`, whose `data.object.portals.link` is the
    /// link). 409 while one is open: reopen it with [`App::reopen_collect`].
    pub async fn open_collect(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        application_id: &str,
        new: NewCollect,
    ) -> AppResult<Written> {
        let ttl = self.link_ttl();
        self.write(p, idempotency, async |tx| {
            let case = applications::load(tx, p.ws(), application_id).await?;
            if let Some(current) = tx.collect_for_update(p.ws(), application_id).await?
                && current.status == "opened"
            {
                return Err(AppError::Conflict(
                    "collect_open",
                    format!(
                        "collect {} is open on this case; PATCH it to ask for something else, or close it",
                        current.id
                    ),
                ));
            }
            let round = new_round(p, &case, &new, 1)?;
            let expires_at = expiry("expires_at", new.expires_at.as_deref(), ttl)?;
            let mut errors = Errors::new();
            check_common(tx, p.ws(), &mut errors, &new.redirect_url, &new.email, &new.locale, &new.theme)
                .await?;
            errors.into_result()?;
            let at = now();
            let mut portal = Portal {
                row: PortalRow {
                    id: dossier_domain::id::new_id("col"),
                    kind: COLLECT.into(),
                    application_id: Some(application_id.to_string()),
                    status: "opened".into(),
                    data: String::new(),
                    expires_at,
                    opened_at: at.clone(),
                    created_at: at.clone(),
                    updated_at: at,
                },
                data: PortalData {
                    subject_type: case.kind,
                    template: None,
                    default_custom_fields: Map::new(),
                    redirect_url: new.redirect_url,
                    email: new.email,
                    locale: new.locale,
                    theme: new.theme,
                    external_id: None,
                    submitted_at: None,
                    closed_at: None,
                    created_by: p.actor.clone(),
                    saved_steps: Vec::new(),
                    rounds: Vec::new(),
                },
            };
            portal.data.rounds.push(round);
            let (token, hash) = new_token();
            tx.insert_portal(p.ws(), &portal.to_row(), &hash).await?;
            let object = opened(tx, p, &portal, &self.link(&token), "collect.opened").await?;
            Ok((Outcome::Created, object))
        })
        .await
    }

    /// Reopens the case's collect with what is asked now: a new round and a new link (the old one
    /// stops working), and `collect.opened` again.
    pub async fn reopen_collect(
        &self,
        p: &Principal,
        application_id: &str,
        new: NewCollect,
    ) -> AppResult<Written> {
        let ttl = self.link_ttl();
        let written = self
            .write(p, None, async |tx| {
                let case = applications::load(tx, p.ws(), application_id).await?;
                let row = tx
                    .collect_for_update(p.ws(), application_id)
                    .await?
                    .ok_or(AppError::NotFound("collect"))?;
                let mut portal = Portal::from_row(row)?;
                let number = portal.round().map_or(1, |r| r.round + 1);
                let round = new_round(p, &case, &new, number)?;
                let mut errors = Errors::new();
                check_common(
                    tx,
                    p.ws(),
                    &mut errors,
                    &new.redirect_url,
                    &new.email,
                    &new.locale,
                    &new.theme,
                )
                .await?;
                errors.into_result()?;
                let at = now();
                if let Some(last) = portal.data.rounds.last_mut()
                    && last.closed_at.is_none()
                {
                    last.closed_at = Some(at.clone());
                }
                portal.data.rounds.push(round);
                let d = &mut portal.data;
                d.redirect_url = new.redirect_url.or(d.redirect_url.take());
                d.email = new.email.or(d.email.take());
                d.theme = new.theme.or(d.theme.take());
                d.locale = new.locale.or(d.locale.take());
                d.closed_at = None;
                d.saved_steps.clear();
                portal.row.status = "opened".into();
                portal.row.expires_at = expiry("expires_at", new.expires_at.as_deref(), ttl)?;
                portal.row.opened_at = at.clone();
                portal.row.updated_at = at;
                let (token, hash) = new_token();
                tx.update_portal(p.ws(), &portal.to_row(), Some(&hash))
                    .await?;
                let object = opened(tx, p, &portal, &self.link(&token), "collect.reopened").await?;
                Ok((Outcome::Changed, object))
            })
            .await;
        match written {
            Ok(w) => {
                let id = serde_json::from_str::<Value>(&w.body)
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_string));
                // The previous link's sessions end with it.
                if let Some(id) = id {
                    self.store
                        .delete_web_sessions_of(p.ws(), "portal", &id)
                        .await?;
                }
                Ok(w)
            }
            Err(e) => Err(e),
        }
    }
}

/// Emits `collect.opened` with the link, and audits the opening under `action`.
async fn opened(
    tx: &mut Tx,
    p: &Principal,
    portal: &Portal,
    link: &str,
    action: &str,
) -> AppResult<Value> {
    let object = portal.to_json(Some(link));
    let application_id = portal.row.application_id.as_deref();
    tx.emit(p.ws(), "collect.opened", application_id, &object)
        .await?;
    // The audit keeps what was asked, not the link (the token is never kept in the clear there).
    let audited = portal.to_json(None);
    tx.audit(
        p.ws(),
        &p.actor,
        action,
        "collect",
        portal.id(),
        application_id,
        &diff(&Value::Null, &audited),
    )
    .await?;
    Ok(object)
}

/// Closes a portal in the caller's transaction: `collect.closed` for a collect.
async fn close(tx: &mut Tx, p: &Principal, portal: &mut Portal, action: &str) -> AppResult<()> {
    let before = portal.to_json(None);
    let at = now();
    portal.row.status = "closed".into();
    portal.row.updated_at = at.clone();
    portal.data.closed_at = Some(at.clone());
    if let Some(round) = portal.data.rounds.last_mut()
        && round.closed_at.is_none()
    {
        round.closed_at = Some(at);
    }
    tx.update_portal(p.ws(), &portal.to_row(), None).await?;
    let after = portal.to_json(None);
    let application_id = portal.row.application_id.as_deref();
    if portal.is_collect() {
        tx.emit(p.ws(), "collect.closed", application_id, &after)
            .await?;
    }
    tx.audit(
        p.ws(),
        &p.actor,
        action,
        if portal.is_collect() {
            "collect"
        } else {
            "portal"
        },
        portal.id(),
        application_id,
        &diff(&before, &after),
    )
    .await?;
    Ok(())
}

/// What a collect asks, checked against the case: the steps (none given: every step with
/// something missing), the documents (ids of the case's documents, types of the catalogue).
fn new_round(
    p: &Principal,
    case: &dossier_domain::application::Application,
    new: &NewCollect,
    number: u32,
) -> AppResult<Round> {
    let mut errors = Errors::new();
    let mut documents = Vec::new();
    for (i, item) in new.documents.iter().flatten().enumerate() {
        let field = format!("documents[{i}]");
        let (name, relationship_id, reason, note, by_id) = match item {
            AskedItem::Name(n) => (Some(n.clone()), None, None, None, None),
            AskedItem::Full {
                document_type,
                document_id,
                relationship_id,
                reason,
                note,
            } => (
                document_type.clone(),
                relationship_id.clone(),
                reason.clone(),
                note.clone(),
                document_id.clone(),
            ),
        };
        let by_id = by_id.or_else(|| {
            name.clone()
                .filter(|n| dossier_domain::id::looks_like("doc", n))
        });
        let asked = if let Some(doc_id) = by_id {
            match case.documents.iter().find(|d| d.id == doc_id) {
                Some(d) => AskedDocument {
                    document_type: d.document_type.clone(),
                    relationship_id: d.relationship_id.clone(),
                    document_id: Some(doc_id),
                    reason: reason.or_else(|| d.reason.clone()),
                    note,
                },
                None => {
                    errors.add(field, format!("the case has no document `{doc_id}`"));
                    continue;
                }
            }
        } else {
            let Some(document_type) = name else {
                errors.add(field, "give a document `type` or `document_id`");
                continue;
            };
            if crate::documents::check_type(&document_type).is_err() {
                errors.add(
                    format!("{field}.type"),
                    format!(
                        "`{document_type}` is not a document type (see GET /api/document_types)"
                    ),
                );
                continue;
            }
            if let Some(r) = &relationship_id
                && dossier_domain::relationship::find(&case.relationships, r).is_none()
            {
                errors.add(
                    format!("{field}.relationship_id"),
                    format!("the case has no related party `{r}`"),
                );
                continue;
            }
            AskedDocument {
                document_type,
                relationship_id,
                document_id: None,
                reason,
                note,
            }
        };
        for (name, text) in [("reason", &asked.reason), ("note", &asked.note)] {
            if let Some(t) = text {
                dossier_domain::validation::check_len(
                    &mut errors,
                    &format!("{field}.{name}"),
                    t,
                    1000,
                );
            }
        }
        documents.push(asked);
    }
    let steps: Vec<String> = match &new.steps {
        Some(steps) => {
            for (i, s) in steps.iter().enumerate() {
                if s == IDENTITY_VERIFICATION {
                    errors.add_code(
                        format!("steps[{i}]"),
                        "unsupported",
                        "identity-verification needs an identity-verification provider, and none is configured in this version",
                    );
                } else if !STEPS.contains(&s.as_str()) {
                    errors.add(
                        format!("steps[{i}]"),
                        format!("must be one of {}", STEPS.join(", ")),
                    );
                }
            }
            if steps.is_empty() {
                errors.add(
                    "steps",
                    "ask for at least one step, or leave `steps` out for everything missing",
                );
            }
            steps.clone()
        }
        None => missing_steps(case, !documents.is_empty()),
    };
    if documents.is_empty() && steps.iter().any(|s| s == "documents") {
        documents = missing_documents(case);
    }
    if steps.iter().any(|s| s == "relationships") && case.kind != SubjectKind::Business {
        errors.add("steps", "a person case has no related parties to ask for");
    }
    for (name, text, max) in [("message", &new.message, 2000), ("note", &new.note, 2000)] {
        if let Some(t) = text {
            dossier_domain::validation::check_len(&mut errors, name, t, max);
        }
    }
    errors.into_result()?;
    if steps.is_empty() {
        return Err(AppError::Conflict(
            "nothing_missing",
            "nothing is missing on this case; name the steps or documents to ask for".into(),
        ));
    }
    Ok(Round {
        round: number,
        opened_at: now(),
        opened_by: p.actor.clone(),
        steps,
        documents,
        message: new.message.clone(),
        note: new.note.clone(),
        closed_at: None,
        returned: Returned::default(),
    })
}

/// The steps with something missing: data the completeness task reports, parties it expects,
/// documents not yet given or refused.
fn missing_steps(
    case: &dossier_domain::application::Application,
    documents_asked: bool,
) -> Vec<String> {
    let mut steps = Vec::new();
    let findings: Vec<&str> = case
        .tasks
        .iter()
        .filter(|t| t.kind == "data_completeness")
        .flat_map(|t| t.findings.iter().map(|f| f.code.as_str()))
        .collect();
    if findings
        .iter()
        .any(|c| *c == "missing_field" || *c == "missing_custom_field")
    {
        steps.push("details".to_string());
    }
    if case.kind == SubjectKind::Business && findings.contains(&"missing_relationship") {
        steps.push("relationships".to_string());
    }
    if documents_asked || !missing_documents(case).is_empty() {
        steps.push("documents".to_string());
    }
    steps
}

/// The expected documents with no live document that may satisfy them (none, or only refused
/// ones), each with the refusal's reason when there is one.
fn missing_documents(case: &dossier_domain::application::Application) -> Vec<AskedDocument> {
    use dossier_domain::workflow::DocumentStatus;
    case.expected_documents
        .iter()
        .filter_map(|e| {
            let candidates: Vec<_> = case
                .documents
                .iter()
                .filter(|d| {
                    e.types.contains(&d.document_type) && d.relationship_id == e.relationship_id
                })
                .collect();
            if candidates
                .iter()
                .any(|d| d.status != DocumentStatus::Invalid)
            {
                return None;
            }
            let refused = candidates.last();
            Some(AskedDocument {
                document_type: e.types.first()?.clone(),
                relationship_id: e.relationship_id.clone(),
                document_id: refused.map(|d| d.id.clone()),
                reason: refused.and_then(|d| d.reason.clone()),
                note: None,
            })
        })
        .collect()
}

/// Links the case an onboarding portal's client just started to the portal.
pub(crate) async fn attach_case(
    tx: &mut Tx,
    ws: &str,
    portal_id: &str,
    application_id: &str,
) -> AppResult<()> {
    let row = tx
        .portal_for_update(ws, portal_id)
        .await?
        .ok_or(AppError::NotFound("portal"))?;
    let mut portal = Portal::from_row(row)?;
    portal.row.application_id = Some(application_id.to_string());
    portal.row.updated_at = now();
    tx.update_portal(ws, &portal.to_row(), None).await?;
    Ok(())
}

/// Records what came back in a collect's current round.
pub(crate) async fn note_returned(
    tx: &mut Tx,
    ws: &str,
    portal_id: &str,
    edit: impl FnOnce(&mut Returned),
) -> AppResult<()> {
    let row = tx
        .portal_for_update(ws, portal_id)
        .await?
        .ok_or(AppError::NotFound("portal"))?;
    let mut portal = Portal::from_row(row)?;
    if !portal.is_collect() {
        return Ok(());
    }
    if let Some(round) = portal.data.rounds.last_mut() {
        edit(&mut round.returned);
    }
    portal.row.updated_at = now();
    tx.update_portal(ws, &portal.to_row(), None).await?;
    Ok(())
}

async fn check_theme(tx: &mut Tx, ws: &str, theme: &str, errors: &mut Errors) -> AppResult<()> {
    let branding = crate::branding::read(tx.store(), ws).await?;
    if !branding.themes.contains_key(theme) {
        let known: Vec<&str> = branding.themes.keys().map(String::as_str).collect();
        errors.add(
            "theme",
            if known.is_empty() {
                "the workspace has no themes (PUT /api/branding with `themes`)".to_string()
            } else {
                format!("no theme named `{theme}`; themes: {}", known.join(", "))
            },
        );
    }
    Ok(())
}
