//! The back-office's users: accounts with one role each, passwords hashed with argon2id, sign-in
//! with a lock-out that grows with each failure (per account and per client address, counted in the
//! database so every process sees them), and server-side sessions (`web_sessions` of kind `user`)
//! whose principal every page hands to the use cases.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use dossier_domain::access::{Actor, Role};
use dossier_domain::audit::diff;
use dossier_domain::validation::{Errors, is_email};
use dossier_store::{User, WebSession, now};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{AppError, AppResult};
use crate::sessions::NewSession;
use crate::{App, Principal};

/// The most common passwords (see `data/README.md`): a new password may not be one of them.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// The roles a user may have: every staff role but `automation`, which is for keys and rules.
pub const USER_ROLES: [Role; 4] = [
    Role::Admin,
    Role::QualifiedReviewer,
    Role::Reviewer,
    Role::ReadOnly,
];

/// A user to create. Without a password one is generated and returned once.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUser {
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub password: Option<String>,
}

/// A change an admin makes to a user; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserChange {
    pub name: Option<String>,
    pub role: Option<String>,
    /// `false` deactivates the user and ends their sessions; `true` reactivates.
    pub active: Option<bool>,
}

/// A signed-in user, as every back-office page receives it.
#[derive(Debug, Clone)]
pub struct Staff {
    pub principal: Principal,
    pub user: User,
    pub session: WebSession,
}

impl Staff {
    /// The session's CSRF token, for the page's forms.
    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }
}

/// A new session: the secret goes in the cookie.
pub struct SignedIn {
    pub secret: String,
    pub staff: Staff,
}

fn principal(user: &User) -> Principal {
    Principal::new(&user.workspace_id, Actor::new("user", &user.id, user.role))
}

fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "status": user.status,
        "must_change_password": user.must_change_password,
    })
}

fn parse_role(errors: &mut Errors, text: &str) -> Option<Role> {
    match Role::parse(text).filter(|r| USER_ROLES.contains(r)) {
        Some(r) => Some(r),
        None => {
            errors.add_code(
                "role",
                "choice",
                "must be one of admin, qualified_reviewer, reviewer, read_only",
            );
            None
        }
    }
}

/// The e-mail address as stored: trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A random password of 20 characters from an alphabet without look-alikes (about 115 bits).
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal("hashing a password", e))
    })
    .await
    .map_err(|e| AppError::internal("hashing a password", e))?
}

/// Whether `password` matches the PHC string `hash`. Without a hash (an unknown account, or one
/// that signs in only by OpenID Connect) it checks against a fixed dummy and answers `false`, so
/// such a refusal takes as long as a wrong password.
async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let dummy = DUMMY_HASH.get_or_init(|| {
            Argon2::default()
                .hash_password(b"not a password", &SaltString::generate(&mut OsRng))
                .map(|h| h.to_string())
                .unwrap_or_default()
        });
        let real = hash.is_some();
        let hash = hash.as_deref().unwrap_or(dummy);
        let matched = PasswordHash::new(hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        });
        matched && real
    })
    .await
    .unwrap_or(false)
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

impl App {
    /// Refuses a password that is too short, too long or among the most common ones.
    pub fn check_password(&self, errors: &mut Errors, field: &str, password: &str) {
        let min = self.config.backoffice.min_password_length as usize;
        let chars = password.chars().count();
        if chars < min {
            errors.add_code(
                field,
                "password_short",
                format!("must be at least {min} characters"),
            );
        } else if chars > 200 {
            errors.add_code(field, "too_long", "must be at most 200 characters");
        } else {
            let lower = password.to_lowercase();
            if COMMON_PASSWORDS.lines().any(|p| p == lower) {
                errors.add_code(
                    field,
                    "password_common",
                    "is one of the most common passwords; choose another",
                );
            }
        }
    }

    /// Creates a user of the principal's workspace (admins, and the CLI). Returns the user and,
    /// when none was given, the generated password, shown only here.
    pub async fn create_user(
        &self,
        p: &Principal,
        new: NewUser,
    ) -> AppResult<(User, Option<String>)> {
        p.require_admin()?;
        let mut errors = Errors::new();
        let email = normalise_email(&new.email);
        if !is_email(&email) || email.len() > 254 {
            errors.add_code("email", "email", "must be an e-mail address");
        }
        if new.name.chars().count() > 200 {
            errors.add_code("name", "too_long", "must be at most 200 characters");
        }
        let role = parse_role(&mut errors, &new.role);
        let generated = new.password.is_none().then(generate_password);
        let password = new.password.or(generated.clone()).unwrap_or_default();
        self.check_password(&mut errors, "password", &password);
        errors.into_result().map_err(AppError::Invalid)?;
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(AppError::Conflict(
                "user_exists",
                "a user with this e-mail address exists".into(),
            ));
        }
        // A password someone else chose is changed at first sign-in when the workspace asks for it.
        let must_change = self.store.users_must_change_password(p.ws()).await?;
        let at = now();
        let user = User {
            id: dossier_domain::id::new_id("usr"),
            workspace_id: p.ws().to_string(),
            name: if new.name.trim().is_empty() {
                email.clone()
            } else {
                new.name.trim().to_string()
            },
            email,
            role: role.expect("checked"),
            password_hash: Some(hash_password(password).await?),
            must_change_password: must_change,
            status: "active".into(),
            created_at: at.clone(),
            updated_at: at,
            last_login_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_user(&user).await?;
        tx.audit(
            p.ws(),
            &p.actor,
            "user.created",
            "user",
            &user.id,
            None,
            &diff(&Value::Null, &user_json(&user)),
        )
        .await?;
        tx.commit().await.map_err(|e| match e {
            dossier_store::StoreError::Conflict(_) => AppError::Conflict(
                "user_exists",
                "a user with this e-mail address exists".into(),
            ),
            e => e.into(),
        })?;
        Ok((user, generated))
    }

    /// The workspace's users (any staff role may see who is who, to assign cases).
    pub async fn users(&self, p: &Principal) -> AppResult<Vec<User>> {
        Ok(self.store.users(p.ws()).await?)
    }

    pub async fn user(&self, p: &Principal, id: &str) -> AppResult<User> {
        self.store
            .user(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("user"))
    }

    /// An admin changes a user's name, role or activity. Deactivating ends the user's sessions. The
    /// last active admin cannot be demoted or deactivated, so a workspace keeps someone who can.
    pub async fn change_user(
        &self,
        p: &Principal,
        id: &str,
        change: UserChange,
    ) -> AppResult<User> {
        p.require_admin()?;
        let mut errors = Errors::new();
        let role = change
            .role
            .as_deref()
            .and_then(|r| parse_role(&mut errors, r));
        if let Some(name) = &change.name
            && (name.trim().is_empty() || name.chars().count() > 200)
        {
            errors.add_code("name", "invalid", "must be 1 to 200 characters");
        }
        errors.into_result().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .user_for_update(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let before = user_json(&user);
        if let Some(name) = change.name {
            user.name = name.trim().to_string();
        }
        if let Some(role) = role {
            user.role = role;
        }
        if let Some(active) = change.active {
            user.status = if active { "active" } else { "deactivated" }.into();
        }
        let stays_admin = user.role == Role::Admin && user.is_active();
        if before["role"] == json!(Role::Admin) && before["status"] == "active" && !stays_admin {
            let admins = self
                .store
                .users(p.ws())
                .await?
                .into_iter()
                .filter(|u| u.role == Role::Admin && u.is_active() && u.id != user.id)
                .count();
            if admins == 0 {
                return Err(AppError::Conflict(
                    "last_admin",
                    "the workspace's last active admin cannot be demoted or deactivated".into(),
                ));
            }
        }
        user.updated_at = now();
        tx.update_user(&user).await?;
        if !user.is_active() || before["role"] != json!(user.role) {
            // A deactivated user is out at once; a new role takes effect at the next sign-in, so
            // no session keeps acting with the old one.
            tx.delete_user_sessions(p.ws(), &user.id).await?;
        }
        tx.audit(
            p.ws(),
            &p.actor,
            "user.updated",
            "user",
            &user.id,
            None,
            &diff(&before, &user_json(&user)),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// An admin (or the operator) gives a user a new generated password, returned once; the user's
    /// sessions end, and they choose their own at the next sign-in when the workspace asks for it.
    pub async fn reset_password(&self, p: &Principal, id: &str) -> AppResult<String> {
        p.require_admin()?;
        let password = generate_password();
        let must_change = self.store.users_must_change_password(p.ws()).await?;
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .user_for_update(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        user.password_hash = Some(hash_password(password.clone()).await?);
        user.must_change_password = must_change;
        user.updated_at = now();
        tx.update_user(&user).await?;
        tx.delete_user_sessions(p.ws(), &user.id).await?;
        tx.audit(
            p.ws(),
            &p.actor,
            "user.password_reset",
            "user",
            &user.id,
            None,
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }

    /// Sets the workspace option "users choose their own password at first sign-in".
    pub async fn set_users_must_change_password(&self, p: &Principal, on: bool) -> AppResult<()> {
        p.require_admin()?;
        let before = self.store.users_must_change_password(p.ws()).await?;
        let mut tx = self.store.begin().await?;
        tx.set_users_must_change_password(p.ws(), on).await?;
        tx.audit(
            p.ws(),
            &p.actor,
            "workspace.updated",
            "workspace",
            p.ws(),
            None,
            &diff(
                &json!({"users_must_change_password": before}),
                &json!({"users_must_change_password": on}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The lock of a throttle key, if it holds now: the seconds left.
    async fn locked(&self, key: &str) -> AppResult<Option<u64>> {
        let Some(t) = self.store.login_throttle(key).await? else {
            return Ok(None);
        };
        let Some(until) = t.locked_until else {
            return Ok(None);
        };
        let Ok(until) = until.parse::<jiff::Timestamp>() else {
            return Ok(None);
        };
        let left = until.as_second() - jiff::Timestamp::now().as_second();
        Ok((left > 0).then_some(left as u64))
    }

    /// Counts a failed sign-in against `key`; from the `after`-th failure in a row it is locked for
    /// `lockout_base`, doubled at each further failure, up to `lockout_max`.
    async fn count_failure(&self, key: &str, after: u32) -> AppResult<()> {
        let base = self.duration(&self.config.backoffice.lockout_base);
        let max = self.duration(&self.config.backoffice.lockout_max);
        let after = after as i64;
        self.store
            .record_login_failure(key, &now(), |failures| {
                (failures >= after).then(|| {
                    let doublings = (failures - after).min(20) as u32;
                    let lock = base.saturating_mul(1 << doublings).min(max);
                    crate::sessions::later(lock)
                })
            })
            .await?;
        Ok(())
    }

    /// Signs a user in with e-mail and password, from the client address `client` (its bucket,
    /// as the rate limits use). Every refusal says the same, so it does not tell which accounts
    /// exist; a locked account or address is refused before the password is checked, even the
    /// right one.
    pub async fn sign_in(&self, email: &str, password: &str, client: &str) -> AppResult<SignedIn> {
        let email = normalise_email(email);
        let account_key = format!("user:{email}");
        let address_key = format!("addr:{client}");
        for key in [&account_key, &address_key] {
            if let Some(retry_after_secs) = self.locked(key).await? {
                return Err(AppError::RateLimited { retry_after_secs });
            }
        }
        let user = if email.len() <= 254 && password.len() <= 1024 {
            self.store.user_by_email(&email).await?
        } else {
            None
        };
        let matched = verify_password(
            password.to_string(),
            user.as_ref().and_then(|u| u.password_hash.clone()),
        )
        .await;
        let user = match user {
            Some(u) if matched && u.is_active() => u,
            _ => {
                let after = self.config.backoffice.lockout_after;
                self.count_failure(&account_key, after).await?;
                // An address serves many people behind one NAT: it locks later than an account.
                self.count_failure(&address_key, after.saturating_mul(4))
                    .await?;
                return Err(AppError::Unauthorized);
            }
        };
        self.store.clear_login_failures(&account_key).await?;
        self.open_user_session(user).await
    }

    /// Signs in a user whose e-mail an identity provider verified (OpenID Connect); `role`, when
    /// the provider maps one, becomes the user's role (audited as a change by the provider).
    pub async fn sign_in_verified(&self, email: &str, role: Option<Role>) -> AppResult<SignedIn> {
        let email = normalise_email(email);
        let mut user = self
            .store
            .user_by_email(&email)
            .await?
            .filter(User::is_active)
            .ok_or(AppError::Unauthorized)?;
        if let Some(role) = role.filter(|r| USER_ROLES.contains(r))
            && role != user.role
        {
            let before = user_json(&user);
            let mut tx = self.store.begin().await?;
            user.role = role;
            user.updated_at = now();
            tx.update_user(&user).await?;
            tx.audit(
                &user.workspace_id,
                &Actor::new("oidc", "", Role::Automation),
                "user.updated",
                "user",
                &user.id,
                None,
                &diff(&before, &user_json(&user)),
            )
            .await?;
            tx.commit().await?;
        }
        self.open_user_session(user).await
    }

    /// A new session for `user`: a new id every time, so a session id known before sign-in (a
    /// fixation) is worth nothing after it.
    async fn open_user_session(&self, user: User) -> AppResult<SignedIn> {
        let at = now();
        self.store
            .touch_user_login(&user.workspace_id, &user.id, &at)
            .await?;
        let (secret, session) = self
            .open_session(NewSession {
                workspace_id: &user.workspace_id,
                kind: "user",
                subject_id: &user.id,
                data: "{}".into(),
                idle: self.duration(&self.config.backoffice.session_idle),
                max: self.duration(&self.config.backoffice.session_max),
                not_after: None,
            })
            .await?;
        Ok(SignedIn {
            secret,
            staff: Staff {
                principal: principal(&user),
                user,
                session,
            },
        })
    }

    /// The signed-in user behind a session cookie: `Unauthorized` when the session is unknown,
    /// ended, or its user deactivated.
    pub async fn staff(&self, secret: &str) -> AppResult<Staff> {
        let idle = self.duration(&self.config.backoffice.session_idle);
        let session = self
            .live_session(secret, "user", idle)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let user = self
            .store
            .user(&session.workspace_id, &session.subject_id)
            .await?
            .filter(User::is_active)
            .ok_or(AppError::Unauthorized)?;
        Ok(Staff {
            principal: principal(&user),
            user,
            session,
        })
    }

    /// Keeps `value` for the user's next page (a secret shown once, after the redirect that
    /// follows its creation): in the session's data until [`App::take_flash`] takes it.
    pub async fn set_flash(&self, staff: &Staff, value: Value) -> AppResult<()> {
        let mut data: Value = serde_json::from_str(&staff.session.data).unwrap_or(json!({}));
        if !data.is_object() {
            data = json!({});
        }
        data["flash"] = value;
        Ok(self
            .store
            .set_web_session_data(&staff.session.id_hash, &data.to_string())
            .await?)
    }

    /// What [`App::set_flash`] kept, once, if its `kind` is `kind` (the page it is for): it is
    /// removed from the session as it is read.
    pub async fn take_flash(&self, staff: &Staff, kind: &str) -> AppResult<Option<Value>> {
        let Ok(Value::Object(mut data)) = serde_json::from_str::<Value>(&staff.session.data) else {
            return Ok(None);
        };
        if data.get("flash").and_then(|f| f.get("kind")) != Some(&json!(kind)) {
            return Ok(None);
        }
        let Some(flash) = data.remove("flash") else {
            return Ok(None);
        };
        self.store
            .set_web_session_data(&staff.session.id_hash, &Value::Object(data).to_string())
            .await?;
        Ok(Some(flash))
    }

    /// A user changes their own password: the current one is checked, every session of theirs
    /// ends, and a new one is opened for this browser.
    pub async fn change_password(
        &self,
        staff: &Staff,
        current: &str,
        new: &str,
    ) -> AppResult<SignedIn> {
        let mut errors = Errors::new();
        let ok = verify_password(current.to_string(), staff.user.password_hash.clone()).await;
        if !ok {
            errors.add_code("current", "password_wrong", "is not your current password");
        }
        self.check_password(&mut errors, "new", new);
        if new == current {
            errors.add_code(
                "new",
                "password_same",
                "must differ from the current password",
            );
        }
        errors.into_result().map_err(AppError::Invalid)?;
        let ws = &staff.user.workspace_id;
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .user_for_update(ws, &staff.user.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        user.password_hash = Some(hash_password(new.to_string()).await?);
        user.must_change_password = false;
        user.updated_at = now();
        tx.update_user(&user).await?;
        tx.delete_user_sessions(ws, &user.id).await?;
        tx.audit(
            ws,
            &staff.principal.actor,
            "user.password_changed",
            "user",
            &user.id,
            None,
            &[],
        )
        .await?;
        tx.commit().await?;
        self.open_user_session(user).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate_password();
        assert_eq!(a.chars().count(), 20);
        assert_ne!(a, generate_password());
        assert!(!a.contains('l') && !a.contains('0') && !a.contains('O'));
    }

    #[test]
    fn the_common_list_has_the_usual_suspects() {
        assert!(COMMON_PASSWORDS.lines().any(|p| p == "password"));
        assert!(COMMON_PASSWORDS.lines().any(|p| p == "qwertyuiop"));
        assert!(COMMON_PASSWORDS.lines().all(|p| p.chars().count() >= 8));
    }

    #[test]
    fn emails_are_stored_lower_cased() {
        assert_eq!(normalise_email("  Rev@Bars.TEST "), "rev@bars.test");
    }

    #[test]
    fn only_analyst_roles_are_user_roles() {
        let mut errors = Errors::new();
        assert_eq!(parse_role(&mut errors, "reviewer"), Some(Role::Reviewer));
        assert!(errors.is_empty());
        assert_eq!(parse_role(&mut errors, "automation"), None);
        assert_eq!(parse_role(&mut errors, "client"), None);
        assert_eq!(errors.into_result().unwrap_err().len(), 2);
    }
}
