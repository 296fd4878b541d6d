//! Sign-in with an OpenID Connect provider (`[oidc]`): the authorization code flow with PKCE (S256),
//! `state` and `nonce`, through the `openidconnect` crate, which checks the ID token's signature,
//! issuer, audience, expiry and nonce.
//!
//! [`App::oidc_start`] keeps the pending sign-in server-side — a `web_sessions` row of kind `oidc`
//! holding the state, the nonce and the PKCE verifier, behind a random cookie, for ten minutes —
//! and gives the provider's authorization URL. [`App::oidc_finish`] takes that row (once: a
//! replayed or forged callback finds nothing), checks the state, exchanges the code, verifies the ID
//! token, takes the e-mail address only when the provider says it is verified, checks its domain
//! against `allowed_domains`, reads the optional role from `role_claim` and signs the existing
//! active user of that address in ([`App::sign_in_verified`]).
//!
//! The provider's discovery document and keys are cached for an hour, and fetched again after a
//! failure (the provider unreachable, or an ID token signed by a key we do not know yet: a rotation).

use std::pin::Pin;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use dossier_domain::access::Role;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AsyncHttpClient, AuthorizationCode, ClaimsVerificationError,
    Client, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
    UserInfoClaims, UserInfoError,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};
use crate::sessions::{NewSession, session_hash};
use crate::users::{SignedIn, USER_ROLES, normalise_email};
use crate::{App, config::OidcConfig};

/// How long a started sign-in may take at the provider.
pub const PENDING_TTL: Duration = Duration::from_secs(10 * 60);
/// How long the discovery document and the provider's keys are trusted before they are read again.
const DISCOVERY_TTL: Duration = Duration::from_secs(60 * 60);
/// The largest answer read from the provider (a discovery document, keys, tokens, user info).
const MAX_RESPONSE: usize = 1 << 20;
/// The `web_sessions` kind of a pending sign-in.
const KIND: &str = "oidc";

/// Every claim of an ID token or a user-info answer that is not a standard one, by name: where the
/// role claim is read from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub claims: Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<IdFields, CoreTokenType>;
/// A client made from the discovery document: the authorization endpoint is set, the token and
/// user-info endpoints may be.
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider's HTTP client and what was discovered of it. One per [`App`].
pub struct Oidc {
    http: Option<reqwest::Client>,
    discovered: RwLock<Option<(CoreProviderMetadata, Instant)>>,
}

impl Oidc {
    /// No HTTP client while OpenID Connect is off.
    pub fn new(config: &OidcConfig) -> anyhow::Result<Oidc> {
        let http = if config.issuer.is_empty() {
            None
        } else {
            let _ = rustls::crypto::ring::default_provider().install_default();
            // No redirects: an endpoint of the provider answers itself (a redirect could lead a
            // token request elsewhere).
            Some(
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .connect_timeout(Duration::from_secs(5))
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("Dossier/", env!("CARGO_PKG_VERSION")))
                    .build()?,
            )
        };
        Ok(Oidc {
            http,
            discovered: RwLock::new(None),
        })
    }

    /// Forgets the discovery document: the next sign-in reads it again.
    fn forget(&self) {
        *self.discovered.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The failure of one HTTP exchange with the provider.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The `openidconnect` crate's requests, sent with our reqwest (a cheap clone of the one client).
struct Http(reqwest::Client);

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future =
        Pin<Box<dyn Future<Output = Result<openidconnect::HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(send(&self.0, request))
    }
}

/// Sends one request, reading at most [`MAX_RESPONSE`] bytes of the answer.
async fn send(
    http: &reqwest::Client,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let mut response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| HttpError(error_chain(&e)))?;
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| HttpError(error_chain(&e)))?
    {
        if body.len() + chunk.len() > MAX_RESPONSE {
            return Err(HttpError(format!(
                "the answer is larger than {MAX_RESPONSE} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let mut out = openidconnect::http::Response::new(body);
    *out.status_mut() = response.status();
    *out.headers_mut() = response.headers().clone();
    Ok(out)
}

/// An error and its causes (reqwest hides the useful part, e.g. "connection refused", in them).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// What the pending sign-in keeps (the `data` of its `web_sessions` row).
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    pkce_verifier: String,
    /// Where to go once signed in (a path of ours, checked by the caller).
    #[serde(default)]
    next: String,
}

/// A started sign-in: `secret` goes in the pending cookie (for [`PENDING_TTL`]), and the browser
/// goes to `location`, the provider's authorization URL.
#[derive(Debug)]
pub struct OidcStart {
    pub secret: String,
    pub location: String,
}

/// A finished sign-in: the session, and the page the sign-in was started for.
pub struct OidcSignedIn {
    pub signed_in: SignedIn,
    pub next: String,
}

/// The query of the provider's redirect back to us.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OidcCallback {
    pub state: Option<String>,
    pub code: Option<String>,
    /// The provider's refusal (`access_denied` when the person cancelled), instead of a code.
    pub error: Option<String>,
    pub error_description: Option<String>,
}

fn off() -> AppError {
    AppError::Forbidden(
        "oidc.off",
        "sign-in with OpenID Connect is not configured (`oidc.issuer`)".into(),
    )
}

fn unreachable(what: &str, cause: impl std::fmt::Display) -> AppError {
    AppError::Unavailable(
        "oidc.unreachable",
        format!("the identity provider cannot be used now ({what}): {cause}"),
    )
}

fn bad_state(why: &str) -> AppError {
    AppError::Forbidden(
        "oidc.state",
        format!("this sign-in was not started here, was already used or has expired: {why}"),
    )
}

fn bad_token(cause: impl std::fmt::Display) -> AppError {
    AppError::Forbidden(
        "oidc.token",
        format!("the identity provider's answer did not verify: {cause}"),
    )
}

/// The role that a claim's value names: a role's name (`reviewer`), or a list of values of which
/// the most powerful role named counts (a `groups` claim). Other values name none.
pub fn role_of_claim(value: &Value) -> Option<Role> {
    let named = |v: &Value| {
        v.as_str()
            .and_then(|s| Role::parse(&s.trim().to_ascii_lowercase()))
            .filter(|r| USER_ROLES.contains(r))
    };
    match value {
        Value::Array(values) => {
            let roles: Vec<Role> = values.iter().filter_map(named).collect();
            // USER_ROLES runs from the most powerful to the least.
            USER_ROLES.into_iter().find(|r| roles.contains(r))
        }
        other => named(other),
    }
}

/// Whether `email` may sign in under `allowed` domains (none: any), compared case-insensitively and
/// exactly (a subdomain is another domain).
pub fn domain_allowed(email: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    allowed.iter().any(|d| {
        d.trim()
            .trim_start_matches('@')
            .eq_ignore_ascii_case(domain)
    })
}

/// Compares two secrets without leaking where they differ (through their digests).
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (session_hash(a), session_hash(b));
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

impl App {
    /// Whether sign-in with OpenID Connect is configured.
    pub fn oidc_enabled(&self) -> bool {
        !self.config.oidc.issuer.is_empty()
    }

    /// The label of the sign-in button: `oidc.name`, else the issuer's host.
    pub fn oidc_name(&self) -> String {
        let cfg = &self.config.oidc;
        if !cfg.name.trim().is_empty() {
            return cfg.name.trim().to_string();
        }
        url::Url::parse(&cfg.issuer)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "OpenID Connect".into())
    }

    /// Where the provider sends the browser back: `{public_url}/login/oidc/callback`, as it must be
    /// registered at the provider.
    pub fn oidc_redirect_uri(&self) -> String {
        format!("{}/login/oidc/callback", self.public_url)
    }

    fn oidc_http(&self) -> AppResult<Http> {
        self.oidc.http.clone().map(Http).ok_or_else(off)
    }

    /// The provider's discovery document (and keys), from the cache unless it is older than an
    /// hour or `fresh` is asked for.
    async fn oidc_metadata(&self, fresh: bool) -> AppResult<CoreProviderMetadata> {
        if !fresh {
            let cached = self
                .oidc
                .discovered
                .read()
                .unwrap_or_else(|e| e.into_inner());
            if let Some((metadata, at)) = cached.as_ref()
                && at.elapsed() < DISCOVERY_TTL
            {
                return Ok(metadata.clone());
            }
        }
        let http = self.oidc_http()?;
        let issuer = IssuerUrl::new(self.config.oidc.issuer.clone())
            .map_err(|e| unreachable("the issuer is not a URL", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| {
                self.oidc.forget();
                unreachable("discovery", error_chain(&e))
            })?;
        *self
            .oidc
            .discovered
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    fn oidc_client(&self, metadata: CoreProviderMetadata) -> AppResult<OidcClient> {
        let cfg = &self.config.oidc;
        let redirect = RedirectUrl::new(self.oidc_redirect_uri())
            .map_err(|e| AppError::internal("the OpenID Connect redirect URI", e))?;
        let secret =
            (!cfg.client_secret.is_empty()).then(|| ClientSecret::new(cfg.client_secret.clone()));
        Ok(OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(cfg.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in: stores the pending state, nonce and PKCE verifier (and `next`, the page to
    /// go to afterwards), and gives the cookie's secret and the provider's authorization URL.
    pub async fn oidc_start(&self, next: &str) -> AppResult<OidcStart> {
        if !self.oidc_enabled() {
            return Err(off());
        }
        let client = self.oidc_client(self.oidc_metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = crate::new_secret();
        let nonce = crate::new_secret();
        let (url, _, _) = {
            let (state, nonce) = (state.clone(), nonce.clone());
            client
                .authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    move || CsrfToken::new(state),
                    move || Nonce::new(nonce),
                )
                .add_scope(Scope::new("email".into()))
                .add_scope(Scope::new("profile".into()))
                .set_pkce_challenge(challenge)
                .url()
        };
        let pending = Pending {
            state,
            nonce,
            pkce_verifier: verifier.into_secret(),
            next: next.to_string(),
        };
        // A pending sign-in belongs to no one yet; the row still needs a workspace.
        let ws = self.store.ensure_workspace("default").await?;
        let (secret, _) = self
            .open_session(NewSession {
                workspace_id: &ws.id,
                kind: KIND,
                subject_id: "",
                data: serde_json::to_string(&pending)
                    .map_err(|e| AppError::internal("a pending sign-in", e))?,
                idle: PENDING_TTL,
                max: PENDING_TTL,
                not_after: None,
            })
            .await?;
        Ok(OidcStart {
            secret,
            location: url.to_string(),
        })
    }

    /// Finishes a sign-in from the provider's redirect: `secret` is the pending cookie's value.
    pub async fn oidc_finish(
        &self,
        secret: Option<&str>,
        callback: &OidcCallback,
    ) -> AppResult<OidcSignedIn> {
        if !self.oidc_enabled() {
            return Err(off());
        }
        let secret = secret.ok_or_else(|| bad_state("no pending sign-in in this browser"))?;
        // Taken whatever follows: a pending sign-in is good for one callback.
        let pending = self
            .store
            .take_web_session(&session_hash(secret))
            .await?
            .filter(|s| s.kind == KIND)
            .ok_or_else(|| bad_state("no such pending sign-in"))?;
        if pending.expires_at <= dossier_store::now() {
            return Err(bad_state("the pending sign-in expired"));
        }
        let pending: Pending = serde_json::from_str(&pending.data)
            .map_err(|e| AppError::internal("a pending sign-in", e))?;
        match callback.state.as_deref() {
            Some(state) if same_secret(state, &pending.state) => {}
            Some(_) => return Err(bad_state("the state does not match")),
            None => return Err(bad_state("the callback has no state")),
        }
        if let Some(error) = &callback.error {
            return Err(AppError::Forbidden(
                "oidc.denied",
                format!(
                    "the identity provider refused the sign-in: {error}{}",
                    callback
                        .error_description
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ),
            ));
        }
        let code = callback
            .code
            .clone()
            .ok_or_else(|| bad_state("the callback has no code"))?;

        let http = self.oidc_http()?;
        let client = self.oidc_client(self.oidc_metadata(false).await?)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| unreachable("the provider has no token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => bad_token(format!("token endpoint: {r}")),
                RequestTokenError::Parse(e, _) => bad_token(format!("token endpoint: {e}")),
                e => {
                    self.oidc.forget();
                    unreachable("token endpoint", error_chain(&e))
                }
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| bad_token("the token response has no ID token"))?;
        let nonce = Nonce::new(pending.nonce);

        // The keys may have rotated since discovery: an unknown key is worth one fresh look.
        let mut client = client;
        let first = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .cloned();
        let claims = match first {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                client = self.oidc_client(self.oidc_metadata(true).await?)?;
                id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .cloned()
            }
            other => other,
        }
        .map_err(bad_token)?;
        let verifier = client.id_token_verifier();
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token.signing_alg().map_err(bad_token)?;
            let key = id_token.signing_key(&verifier).map_err(bad_token)?;
            let actual =
                AccessTokenHash::from_token(tokens.access_token(), alg, key).map_err(bad_token)?;
            if actual != *expected {
                return Err(bad_token("the access token does not match the ID token"));
            }
        }

        let mut email = claims.email().map(|e| e.to_string());
        let mut verified = claims.email_verified();
        let role_claim = self.config.oidc.role_claim.trim();
        let mut role_value = (!role_claim.is_empty())
            .then(|| claims.additional_claims().claims.get(role_claim).cloned())
            .flatten();
        // Many providers put only `sub` in the ID token of the code flow and the rest in the
        // user info: ask for it when something is missing.
        if (email.is_none() || (!role_claim.is_empty() && role_value.is_none()))
            && client.user_info_url().is_some()
        {
            let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = client
                .user_info(
                    tokens.access_token().clone(),
                    Some(claims.subject().clone()),
                )
                .map_err(|e| unreachable("user info", e))?
                .request_async(&http)
                .await
                .map_err(|e| match e {
                    UserInfoError::Request(e) => unreachable("user info", e),
                    e => bad_token(format!("user info: {}", error_chain(&e))),
                })?;
            if email.is_none() {
                email = info.email().map(|e| e.to_string());
                verified = info.email_verified();
            }
            if !role_claim.is_empty() && role_value.is_none() {
                role_value = info.additional_claims().claims.get(role_claim).cloned();
            }
        }

        let email = match (email, verified) {
            (Some(email), Some(true)) => normalise_email(&email),
            (Some(email), _) => {
                return Err(AppError::Forbidden(
                    "oidc.email_unverified",
                    format!("the identity provider has not verified the address {email}"),
                ));
            }
            (None, _) => {
                return Err(AppError::Forbidden(
                    "oidc.email_unverified",
                    "the identity provider gave no e-mail address".into(),
                ));
            }
        };
        if !domain_allowed(&email, &self.config.oidc.allowed_domains) {
            return Err(AppError::Forbidden(
                "oidc.domain_not_allowed",
                format!("the address {email} is not of an allowed domain (`oidc.allowed_domains`)"),
            ));
        }
        let role = role_value.as_ref().and_then(role_of_claim);
        let signed_in = self
            .sign_in_verified(&email, role)
            .await
            .map_err(|e| match e {
                AppError::Unauthorized => AppError::Forbidden(
                    "oidc.no_user",
                    format!("no active user has the address {email}"),
                ),
                e => e,
            })?;
        Ok(OidcSignedIn {
            signed_in,
            next: pending.next,
        })
    }

    /// Where the sign-in button's form leads (the provider's authorization endpoint, once
    /// discovered; its issuer before): the sign-in page's `form-action` must allow its origin, as
    /// browsers check the redirect of a form post against it.
    pub fn oidc_form_action(&self) -> Option<String> {
        if !self.oidc_enabled() {
            return None;
        }
        let cached = self
            .oidc
            .discovered
            .read()
            .unwrap_or_else(|e| e.into_inner());
        Some(match cached.as_ref() {
            Some((metadata, _)) => metadata.authorization_endpoint().to_string(),
            None => self.config.oidc.issuer.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_role_claim_names_a_role_or_a_list_of_them() {
        assert_eq!(role_of_claim(&json!("reviewer")), Some(Role::Reviewer));
        assert_eq!(
            role_of_claim(&json!(" Qualified_Reviewer ")),
            Some(Role::QualifiedReviewer)
        );
        assert_eq!(
            role_of_claim(&json!(["staff", "read_only", "admin"])),
            Some(Role::Admin)
        );
        assert_eq!(role_of_claim(&json!(["staff"])), None);
        // Keys' and rules' role is not a user's.
        assert_eq!(role_of_claim(&json!("automation")), None);
        assert_eq!(role_of_claim(&json!(3)), None);
    }

    #[test]
    fn domains_match_exactly_and_case_insensitively() {
        let allowed = vec!["bank.test".to_string(), "@Other.Test".to_string()];
        assert!(domain_allowed("ana@bank.test", &allowed));
        assert!(domain_allowed("ana@other.test", &allowed));
        assert!(!domain_allowed("ana@sub.bank.test", &allowed));
        assert!(!domain_allowed("ana@bank.test.evil", &allowed));
        assert!(!domain_allowed("bank.test", &allowed));
        assert!(domain_allowed("anyone@anywhere", &[]));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
