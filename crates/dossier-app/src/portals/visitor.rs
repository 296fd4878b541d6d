//! The client's side of a portal. Opening the link makes nothing; continuing swaps the token for a
//! session (kept in the database, so any `serve` process answers it), and every step acts as the
//! portal's principal (`portal`, role `client`): only on the portal's own case, only in the steps
//! the portal allows, through the same use cases and validation as the API.

use dossier_domain::access::{Actor, Role};
use dossier_domain::application::{Application, ApplicationPatch, NewApplication, SubjectKind};
use dossier_domain::relationship::{NewRelationship, RelationshipPatch};
use dossier_domain::validation::Errors;
use dossier_store::{WebSession, now, timestamp};

use crate::sessions::{NewSession, later};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Portal, token_hash};
use crate::documents::StoredFile;
use crate::error::{AppError, AppResult};
use crate::{App, Outcome, Principal, applications};

/// What a session keeps beside its row: the one-time code's state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionState {
    /// The client proved access to the portal's e-mail address.
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub code_hash: Option<String>,
    #[serde(default)]
    pub code_expires_at: Option<String>,
    #[serde(default)]
    pub code_sent_at: Option<String>,
    #[serde(default)]
    pub code_attempts_left: u32,
    /// This session sent the form: it may still see the thank-you page once the portal is closed
    /// (a collect closes when it is sent).
    #[serde(default)]
    pub sent: bool,
}

/// A client in a portal session.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub principal: Principal,
    pub portal: Portal,
    pub session: WebSession,
    pub state: SessionState,
}

impl Visitor {
    /// Whether the portal asks for a one-time code this session has not given yet.
    pub fn needs_code(&self) -> bool {
        self.portal.data.email.is_some() && !self.state.verified
    }

    /// The e-mail address with most of it hidden (`c•••@acme.fr`), for the page that asks the code.
    pub fn masked_email(&self) -> Option<String> {
        let email = self.portal.data.email.as_deref()?;
        let (local, domain) = email.split_once('@')?;
        let first: String = local.chars().take(1).collect();
        Some(format!("{first}•••@{domain}"))
    }

    fn may_change(&self) -> AppResult<()> {
        if self.needs_code() {
            return Err(AppError::Forbidden(
                "code_required",
                "enter the code sent to your e-mail address first".into(),
            ));
        }
        if !self.portal.is_open() {
            return Err(AppError::Conflict(
                "portal_submitted",
                "this form has been sent and can no longer be changed".into(),
            ));
        }
        Ok(())
    }

    fn may(&self, step: &str) -> AppResult<()> {
        self.may_change()?;
        if self.portal.allows(step) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "step_not_asked",
                format!("this form does not ask for {step}"),
            ))
        }
    }

    /// The case, for the steps that change an existing one.
    fn case_id(&self) -> AppResult<&str> {
        self.portal
            .row
            .application_id
            .as_deref()
            .ok_or(AppError::Conflict(
                "details_first",
                "fill in the details first".into(),
            ))
    }
}

fn code_hash(session: &str, code: &str) -> String {
    // Salted with the session, so equal codes of two sessions hash apart.
    hex::encode(Sha256::digest(format!("{session}:{code}").as_bytes()))
}

/// The portal principal: it acts as the `client` role, named by the portal.
fn principal(ws: &str, portal: &Portal) -> Principal {
    Principal::new(ws, Actor::new("portal", portal.id(), Role::Client))
}

impl App {
    /// The portal of a link: unknown tokens are 404, expired or closed ones 410; nothing tells which
    /// workspace or case is behind either.
    pub async fn portal_for_link(&self, token: &str) -> AppResult<(String, Portal)> {
        // A token has a fixed shape: anything else is not looked up at all.
        if token.len() != 43
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(AppError::NotFound("portal"));
        }
        let (ws, row) = self
            .store
            .portal_by_token_hash(&token_hash(token))
            .await?
            .ok_or(AppError::NotFound("portal"))?;
        let portal = Portal::from_row(row)?;
        if portal.row.status == "closed" || portal.expired(&now()) {
            return Err(AppError::Gone(
                "link_expired",
                "this link is no longer valid".into(),
            ));
        }
        Ok((ws, portal))
    }

    /// Swaps a link's token for a session: the answer's secret goes in the cookie.
    pub async fn start_visit(&self, token: &str) -> AppResult<(String, Visitor)> {
        let (ws, portal) = self.portal_for_link(token).await?;
        let (secret, session) = self
            .open_session(NewSession {
                workspace_id: &ws,
                kind: "portal",
                subject_id: portal.id(),
                data: serde_json::to_string(&SessionState::default()).expect("serialises"),
                idle: self.duration(&self.config.portal.session_idle),
                max: self.duration(&self.config.portal.session_max),
                not_after: Some(portal.row.expires_at.clone()),
            })
            .await?;
        let visitor = Visitor {
            principal: principal(&ws, &portal),
            portal,
            state: SessionState::default(),
            session,
        };
        Ok((secret, visitor))
    }

    /// The visitor of a session cookie; an unknown or ended session is `session_expired` (the page
    /// asks to open the link again, and nothing entered is lost: every step was saved). Each
    /// request moves the idle expiry.
    pub async fn visitor(&self, secret: &str) -> AppResult<Visitor> {
        let ended = || AppError::Forbidden("session_expired", "your session has ended".into());
        let idle = self.duration(&self.config.portal.session_idle);
        let session = self
            .live_session(secret, "portal", idle)
            .await?
            .ok_or_else(ended)?;
        let at = now();
        let row = self
            .store
            .portal(&session.workspace_id, &session.subject_id)
            .await?
            .ok_or_else(ended)?;
        let portal = Portal::from_row(row)?;
        let state: SessionState = serde_json::from_str(&session.data).unwrap_or_default();
        if (portal.row.status == "closed" && !state.sent) || portal.expired(&at) {
            return Err(AppError::Gone(
                "link_expired",
                "this link is no longer valid".into(),
            ));
        }
        Ok(Visitor {
            principal: principal(&session.workspace_id, &portal),
            portal,
            session,
            state,
        })
    }

    /// Ends a session (the visitor leaves, or the cookie is replaced).
    pub async fn end_visit(&self, secret: &str) -> AppResult<()> {
        self.end_session(secret).await
    }

    /// Sends a one-time code to the portal's e-mail address (at most one every 30 seconds).
    /// `compose` writes the message (subject, text) around the code, in the visitor's language.
    pub async fn send_visit_code(
        &self,
        v: &mut Visitor,
        compose: impl FnOnce(&str) -> (String, String),
    ) -> AppResult<()> {
        let Some(email) = v.portal.data.email.clone() else {
            return Ok(());
        };
        let at = jiff::Timestamp::now();
        if let Some(sent) = v
            .state
            .code_sent_at
            .as_deref()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            && at.duration_since(sent) < jiff::SignedDuration::from_secs(30)
        {
            return Err(AppError::RateLimited {
                retry_after_secs: 30,
            });
        }
        let code = format!("{:06}", rand::random_range(0..1_000_000u32));
        v.state.code_hash = Some(code_hash(&v.session.id_hash, &code));
        v.state.code_expires_at = Some(later(self.duration(&self.config.portal.otp_ttl)));
        v.state.code_sent_at = Some(timestamp(at));
        v.state.code_attempts_left = self.config.portal.otp_attempts;
        self.store
            .set_web_session_data(
                &v.session.id_hash,
                &serde_json::to_string(&v.state).expect("serialises"),
            )
            .await?;
        let (subject, text) = compose(&code);
        self.mailer
            .send(crate::mail::Mail {
                to: email,
                subject,
                text,
            })
            .await
    }

    /// Checks a one-time code: a wrong one uses up an attempt; when none is left, or the code has
    /// expired, a new one must be sent.
    pub async fn check_visit_code(&self, v: &mut Visitor, code: &str) -> AppResult<()> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let (Some(expected), Some(expires)) =
            (v.state.code_hash.clone(), v.state.code_expires_at.clone())
        else {
            return Err(AppError::invalid("code", "ask for a code first"));
        };
        let result = if expires <= now() {
            Err(AppError::Gone(
                "code_expired",
                "the code has expired; ask for a new one".into(),
            ))
        } else if v.state.code_attempts_left == 0 {
            Err(AppError::Gone(
                "code_attempts",
                "too many wrong codes; ask for a new one".into(),
            ))
        } else if code_hash(&v.session.id_hash, &code) == expected {
            v.state.verified = true;
            v.state.code_hash = None;
            Ok(())
        } else {
            v.state.code_attempts_left -= 1;
            Err(AppError::Invalid(vec![
                dossier_domain::validation::FieldError {
                    field: "code".into(),
                    code: "wrong_code",
                    message: format!(
                        "the code is not right ({} tries left)",
                        v.state.code_attempts_left
                    ),
                },
            ]))
        };
        self.store
            .set_web_session_data(
                &v.session.id_hash,
                &serde_json::to_string(&v.state).expect("serialises"),
            )
            .await?;
        result
    }

    /// Moves a session's idle expiry (the "stay signed in" of the expiry warning); the new expiry.
    pub async fn extend_visit(&self, v: &Visitor) -> AppResult<String> {
        // `visitor` already moved it for this request.
        Ok(v.session.idle_expires_at.clone())
    }

    /// The visitor's case, once it exists.
    pub async fn visitor_case(&self, v: &Visitor) -> AppResult<Option<Application>> {
        match v.portal.row.application_id.as_deref() {
            None => Ok(None),
            Some(id) => Ok(self.store.application(v.principal.ws(), id).await?),
        }
    }

    /// Saves the details step: the subject (a `business` or `person` object, fields merged) and
    /// the custom fields the portal shows. On an onboarding portal the first save creates the
    /// case, with the portal's `default_custom_fields` and `external_id`.
    pub async fn visitor_save_details(
        &self,
        v: &mut Visitor,
        subject: Value,
        custom_fields: Map<String, Value>,
    ) -> AppResult<Application> {
        v.may("details")?;
        let definitions = self.store.custom_fields(v.principal.ws()).await?;
        // The client sets only the fields shown to it.
        if let Some(name) = custom_fields.keys().find(|k| {
            !definitions
                .iter()
                .any(|d| &d.api_name == *k && d.show_in_portal)
        }) {
            return Err(AppError::invalid(
                &format!("custom_fields.{name}"),
                "this field is not asked in the portal",
            ));
        }
        let p = v.principal.clone();
        let portal_id = v.portal.id().to_string();
        let existing = v.portal.row.application_id.clone();
        let kind = v.portal.data.subject_type;
        let data = v.portal.data.clone();
        let written = self
            .write(&p, None, async |tx| {
                let app = match &existing {
                    Some(id) => {
                        let patch = ApplicationPatch {
                            business: (kind == SubjectKind::Business).then(|| subject.clone()),
                            person: (kind == SubjectKind::Person).then(|| subject.clone()),
                            custom_fields: Some(custom_fields.clone()),
                            ..ApplicationPatch::default()
                        };
                        let app = applications::update(tx, p.ws(), &p.actor, id, patch).await?;
                        super::note_returned(tx, p.ws(), &portal_id, |r| r.changed_part("details"))
                            .await?;
                        app
                    }
                    None => {
                        let mut fields = data.default_custom_fields.clone();
                        fields.extend(custom_fields.clone());
                        let new = NewApplication {
                            kind,
                            template: data.template.clone(),
                            business: (kind == SubjectKind::Business)
                                .then(|| serde_json::from_value(subject.clone()))
                                .transpose()
                                .map_err(|e| AppError::invalid("business", e.to_string()))?,
                            person: (kind == SubjectKind::Person)
                                .then(|| serde_json::from_value(subject.clone()))
                                .transpose()
                                .map_err(|e| AppError::invalid("person", e.to_string()))?,
                            relationships: Vec::new(),
                            custom_fields: fields,
                            external_id: data.external_id.clone(),
                            tags: Vec::new(),
                        };
                        let created =
                            applications::create_from_portal(tx, p.ws(), &p.actor, new, &portal_id)
                                .await?;
                        super::attach_case(tx, p.ws(), &portal_id, &created.id).await?;
                        created
                    }
                };
                Ok((Outcome::Changed, applications::to_json(&app)))
            })
            .await?;
        let app: Application = serde_json::from_str(&written.body)
            .map_err(|e| AppError::Internal(format!("saved case: {e}")))?;
        v.portal.row.application_id = Some(app.id.clone());
        Ok(app)
    }

    /// Adds a related party (under `parent`, a related business, when given).
    pub async fn visitor_add_party(
        &self,
        v: &Visitor,
        parent: Option<&str>,
        new: NewRelationship,
    ) -> AppResult<()> {
        v.may("relationships")?;
        let id = v.case_id()?;
        self.add_relationship(&v.principal, None, id, parent, new)
            .await?;
        self.note_portal(v, |r| r.changed_part("relationships"))
            .await
    }

    pub async fn visitor_update_party(
        &self,
        v: &Visitor,
        rid: &str,
        patch: RelationshipPatch,
    ) -> AppResult<()> {
        v.may("relationships")?;
        let id = v.case_id()?;
        self.update_relationship(&v.principal, id, rid, patch)
            .await?;
        self.note_portal(v, |r| r.changed_part("relationships"))
            .await
    }

    pub async fn visitor_remove_party(&self, v: &Visitor, rid: &str) -> AppResult<()> {
        v.may("relationships")?;
        let id = v.case_id()?;
        self.delete_relationship(&v.principal, id, rid).await?;
        self.note_portal(v, |r| r.changed_part("relationships"))
            .await
    }

    /// Refuses an upload the portal does not ask for (a collect asks for given documents only),
    /// before the file is read.
    pub fn visitor_may_upload(
        &self,
        v: &Visitor,
        document_type: &str,
        relationship_id: Option<&str>,
    ) -> AppResult<()> {
        v.may("documents")?;
        v.case_id()?;
        crate::documents::check_type(document_type)?;
        if v.portal.is_collect() {
            let asked = v.portal.round().is_some_and(|r| {
                r.documents.is_empty()
                    || r.documents.iter().any(|d| {
                        d.document_type == document_type
                            && d.relationship_id.as_deref() == relationship_id
                    })
            });
            if !asked {
                return Err(AppError::Forbidden(
                    "document_not_asked",
                    "this document is not asked for".into(),
                ));
            }
        }
        Ok(())
    }

    /// Records an uploaded document (the same pipeline as the API's), after
    /// [`App::visitor_may_upload`].
    pub async fn visitor_record_upload(
        &self,
        v: &Visitor,
        file: StoredFile,
        document_type: String,
        relationship_id: Option<String>,
    ) -> AppResult<String> {
        if let Err(e) = self.visitor_may_upload(v, &document_type, relationship_id.as_deref()) {
            file.discard().await;
            return Err(e);
        }
        let id = v.case_id()?.to_string();
        let written = self
            .record_upload(
                &v.principal,
                None,
                &id,
                file,
                Some(document_type),
                relationship_id,
            )
            .await?;
        let doc: Value = serde_json::from_str(&written.body).unwrap_or_default();
        let doc_id = doc["id"].as_str().unwrap_or_default().to_string();
        let noted = doc_id.clone();
        self.note_portal(v, move |r| r.documents.push(noted))
            .await?;
        Ok(doc_id)
    }

    /// Sends the form: the case is submitted (`application.submitted`; its tasks start, screening
    /// included) and the portal accepts no more change; a collect closes (`collect.closed`).
    /// Returns where to send the client: the portal's `redirect_url` with `application_id`.
    pub async fn visitor_submit(&self, v: &mut Visitor) -> AppResult<Option<String>> {
        v.may_change()?;
        let id = v.case_id()?.to_string();
        let p = v.principal.clone();
        let portal_id = v.portal.id().to_string();
        let is_collect = v.portal.is_collect();
        self.write(&p, None, async |tx| {
            let row = tx
                .portal_for_update(p.ws(), &portal_id)
                .await?
                .ok_or(AppError::NotFound("portal"))?;
            let mut portal = Portal::from_row(row)?;
            if !portal.is_open() {
                return Err(AppError::Conflict(
                    "portal_submitted",
                    "this form has already been sent".into(),
                ));
            }
            if is_collect {
                super::close(tx, &p, &mut portal, "collect.closed").await?;
            } else {
                let mut app = applications::load(tx, p.ws(), &id).await?;
                let before = app.clone();
                check_required(self, p.ws(), &app).await?;
                app.submitted_at = Some(dossier_domain::time::now());
                let app =
                    applications::save(tx, p.ws(), &p.actor, "application.submitted", &before, app)
                        .await?;
                tx.emit_version(p.ws(), "application.submitted", &app.id, app.version)
                    .await?;
                let at = now();
                portal.row.status = "submitted".into();
                portal.row.updated_at = at.clone();
                portal.data.submitted_at = Some(at);
                tx.update_portal(p.ws(), &portal.to_row(), None).await?;
            }
            Ok((Outcome::Changed, Value::Null))
        })
        .await?;
        v.portal.row.status = if is_collect { "closed" } else { "submitted" }.into();
        // The form is sent either way: only the thank-you page of a closed collect needs this.
        v.state.sent = true;
        let _ = self
            .store
            .set_web_session_data(
                &v.session.id_hash,
                &serde_json::to_string(&v.state).expect("serialises"),
            )
            .await;
        Ok(v.portal.data.redirect_url.as_deref().map(|u| {
            let mut url = url::Url::parse(u).expect("checked when the portal was made");
            url.query_pairs_mut().append_pair("application_id", &id);
            url.to_string()
        }))
    }

    /// Marks a step saved ("continue" on a step the client may leave as it is), for resuming.
    pub async fn visitor_step_done(&self, v: &mut Visitor, step: &str) -> AppResult<()> {
        v.may(step)?;
        if v.portal.data.saved_steps.iter().any(|s| s == step) {
            return Ok(());
        }
        let p = v.principal.clone();
        let id = v.portal.id().to_string();
        let step_name = step.to_string();
        self.write(&p, None, async |tx| {
            let row = tx
                .portal_for_update(p.ws(), &id)
                .await?
                .ok_or(AppError::NotFound("portal"))?;
            let mut portal = Portal::from_row(row)?;
            if !portal.data.saved_steps.contains(&step_name) {
                portal.data.saved_steps.push(step_name.clone());
            }
            portal.row.updated_at = now();
            tx.update_portal(p.ws(), &portal.to_row(), None).await?;
            Ok((Outcome::Changed, Value::Null))
        })
        .await?;
        v.portal.data.saved_steps.push(step.to_string());
        Ok(())
    }

    /// Records what came back in the collect's current round.
    async fn note_portal(
        &self,
        v: &Visitor,
        edit: impl FnOnce(&mut super::Returned) + Send,
    ) -> AppResult<()> {
        if !v.portal.is_collect() {
            return Ok(());
        }
        let p = v.principal.clone();
        let id = v.portal.id().to_string();
        let mut edit = Some(edit);
        self.write(&p, None, async |tx| {
            if let Some(edit) = edit.take() {
                super::note_returned(tx, p.ws(), &id, edit).await?;
            }
            Ok((Outcome::Changed, Value::Null))
        })
        .await?;
        Ok(())
    }
}

/// Refuses to submit while a required custom field the portal shows (and whose condition holds)
/// is empty: the client can fill it, so it must.
async fn check_required(app_layer: &App, ws: &str, case: &Application) -> AppResult<()> {
    let definitions = app_layer.store.custom_fields(ws).await?;
    let shown = crate::custom_fields::shown_in_portal(&definitions, case);
    let mut errors = Errors::new();
    for d in shown.into_iter().filter(|d| d.required) {
        let empty = match case.custom_fields.get(&d.api_name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if empty {
            errors.add_code(
                format!("custom_fields.{}", d.api_name),
                "required",
                format!("{} is required", d.label),
            );
        }
    }
    errors.into_result().map_err(AppError::Invalid)
}

impl super::Returned {
    fn changed_part(&mut self, part: &str) {
        if !self.changed.iter().any(|c| c == part) {
            self.changed.push(part.to_string());
        }
    }
}
