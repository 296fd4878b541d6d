//! The web kit shared by the server-rendered surfaces (the client portal, the back-office):
//! templates, translations, assets, the pages' security headers, origin checks, tokens, cookies and
//! form errors. Everything is read once at start: built-in files, each replaceable by an operator's
//! file of the same name under the overrides directory.

mod assets;
pub mod forms;
mod i18n;
pub mod security;
mod templates;

use std::path::Path;
use std::sync::Arc;

use anyhow::anyhow;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use minijinja::{Environment, Value, context};
use serde::Serialize;

pub use assets::assets_routes;
pub use forms::{FieldMessage, error_messages, field_id};
pub use i18n::Lang;
pub use security::{
    Refusal, SameSite, check_origin, clear_cookie, new_token, read_cookie, set_cookie, tokens_match,
};

use assets::Assets;
use i18n::Catalogues;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Templates, catalogues and assets, loaded once; share it as `Arc<Web>`.
pub struct Web {
    env: Environment<'static>,
    catalogues: Arc<Catalogues>,
    assets: Arc<Assets>,
    public_origin: String,
    secure_cookies: bool,
}

/// What [`Web::page`] renders. The context is anything serde can serialise: minijinja's
/// `context! {…}`, `json!({…})`, a struct.
pub struct PageSpec<C = Value> {
    pub status: StatusCode,
    /// A template's file name, e.g. `message.html`.
    pub template: &'static str,
    pub lang: Lang,
    /// The template's variables.
    pub context: C,
    /// Where forms of the page may post besides ourselves: URLs whose origins join the CSP's
    /// `form-action` (a redirect to the client's site after the last step).
    pub form_action: Vec<String>,
}

impl<C: Serialize> PageSpec<C> {
    /// A 200 page with no extra form targets.
    pub fn new(template: &'static str, lang: Lang, context: C) -> Self {
        Self {
            status: StatusCode::OK,
            template,
            lang,
            context,
            form_action: Vec::new(),
        }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Lets the page's forms post to (or be redirected to) `url`'s origin.
    pub fn allow_form_action(mut self, url: &str) -> Self {
        self.form_action.push(url.to_string());
        self
    }
}

impl Web {
    /// The built-in kit, with the operator's replacements from `overrides_dir` (see the module
    /// docs). `public_origin` is the address clients reach us at (`Config::public_url()`).
    pub fn new(overrides_dir: Option<&Path>, public_origin: &str) -> anyhow::Result<Web> {
        let origin = security::origin_of(public_origin)
            .ok_or_else(|| anyhow!("`{public_origin}` is not an http(s) URL with a host"))?;
        let catalogues = Arc::new(Catalogues::load(overrides_dir)?);
        let assets = Arc::new(Assets::load(overrides_dir)?);
        let env = templates::environment(overrides_dir, catalogues.clone(), assets.clone())?;
        Ok(Web {
            env,
            catalogues,
            assets,
            secure_cookies: security::secure_cookies(&origin),
            public_origin: origin,
        })
    }

    /// The public origin, `scheme://host[:port]`, as [`check_origin`] wants it.
    pub fn public_origin(&self) -> &str {
        &self.public_origin
    }

    /// Whether to mark cookies `Secure`: yes, unless the public origin is plain http to another
    /// machine than this one (browsers would drop them there).
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    /// The page language: `explicit` (the visitor's choice) if supported, else the best of
    /// `accept_language`, else English.
    pub fn negotiate(&self, explicit: Option<&str>, accept_language: Option<&str>) -> Lang {
        self.catalogues.negotiate(explicit, accept_language)
    }

    /// A message in `lang` (English when `lang` lacks it; the key itself when no catalogue has it).
    pub fn t(&self, lang: &Lang, key: &str, args: &[(&str, String)]) -> String {
        self.catalogues
            .translate(lang.as_str(), key, &i18n::arguments(args))
    }

    /// A message in `lang` (or English) if a catalogue has it: for optional texts, such as a
    /// field's hint, whose absence is not a mistake.
    pub fn try_t(&self, lang: &Lang, key: &str, args: &[(&str, String)]) -> Option<String> {
        self.catalogues
            .lookup(lang.as_str(), key, &i18n::arguments(args))
    }

    /// The page as a response with its security headers. The template also sees `lang`,
    /// `languages` (`code`, `name`) and `nonce` (for the one inline `<style>`). A template that
    /// fails to render is logged and answered by a plain 500 page.
    pub fn page<C: Serialize>(&self, spec: PageSpec<C>) -> Response {
        let nonce = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
        let languages: Vec<Value> = self
            .catalogues
            .languages()
            .map(|(code, name)| context! { code, name })
            .collect();
        let form_action = self.form_action(&spec.form_action);
        let ctx = context! {
            lang => spec.lang.as_str(),
            languages,
            nonce,
            ..Value::from_serialize(&spec.context)
        };
        match self
            .env
            .get_template(spec.template)
            .and_then(|t| t.render(ctx))
        {
            Ok(html) => html_response(spec.status, html, Some(&nonce), &form_action),
            Err(error) => {
                tracing::error!(template = spec.template, error = %format_error(&error), "a page failed to render");
                self.failure_page(&spec.lang)
            }
        }
    }

    /// The CSP's `form-action` sources: ourselves and the origins of `extra`.
    fn form_action(&self, extra: &[String]) -> String {
        let mut sources = String::from("'self'");
        for url in extra {
            match security::origin_of(url) {
                Some(origin) => {
                    sources.push(' ');
                    sources.push_str(&origin);
                }
                None => tracing::warn!(url, "not an http(s) URL: left out of form-action"),
            }
        }
        sources
    }

    /// The page for a template that cannot render: no template, only catalogue text.
    fn failure_page(&self, lang: &Lang) -> Response {
        let text = |key| minijinja::HtmlEscape(&self.t(lang, key, &[])).to_string();
        let stylesheet = self.assets.url("dossier.css").unwrap_or_default();
        let html = format!(
            "<!doctype html><html lang=\"{lang}\"><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><link rel=\"stylesheet\" href=\"{stylesheet}\">\
             <main id=\"main\" class=\"card\"><h1>{title}</h1><p>{body}</p></main></html>",
            lang = minijinja::HtmlEscape(lang.as_str()),
            title = text("page-failed-title"),
            body = text("page-failed-body"),
        );
        html_response(StatusCode::INTERNAL_SERVER_ERROR, html, None, "'self'")
    }
}

/// The error and the chain of its causes (a template's line is in them).
fn format_error(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// An HTML response with the pages' security headers. The referrer policy is `same-origin`, not
/// `no-referrer`: no address (with its portal token) leaves for another site either way, but under
/// `no-referrer` browsers send `Origin: null` with every form post, which [`check_origin`] must
/// refuse.
fn html_response(
    status: StatusCode,
    html: String,
    nonce: Option<&str>,
    form_action: &str,
) -> Response {
    let style_src = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}'"),
        None => "'self'".to_string(),
    };
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src {style_src}; img-src 'self' data:; \
         form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&csp).expect("nonce and origins are header-safe"),
    );
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(), geolocation=()",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory under the system's temporary one, removed when dropped.
    pub(crate) struct TempDir(PathBuf);

    impl std::ops::Deref for TempDir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub(crate) fn temp_dir(label: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "dossier-web-{label}-{:016x}",
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn web() -> Web {
        Web::new(None, "https://kyc.example.com/").unwrap()
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn message(lang: Lang) -> PageSpec {
        PageSpec::new(
            "message.html",
            lang,
            context! { heading => "Link <expired>", text => "Ask for a new one." },
        )
    }

    #[tokio::test]
    async fn a_page_carries_its_security_headers_and_the_nonce_of_its_style() {
        let web = web();
        let lang = web.negotiate(Some("fr"), None);
        let spec = message(lang)
            .with_status(StatusCode::GONE)
            .allow_form_action("https://client.example.org/after?x=1")
            .allow_form_action("javascript:alert(1)");
        let context = context! {
            theme => context! { brand => "#123456", brand_contrast => "#fff" },
            ..spec.context
        };
        let response = web.page(PageSpec { context, ..spec });
        assert_eq!(response.status(), StatusCode::GONE);
        let h = response.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap()
            .to_string();
        assert!(nonce.len() >= 22, "{csp}");
        assert_eq!(
            csp,
            format!(
                "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; \
                 img-src 'self' data:; form-action 'self' https://client.example.org; \
                 frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
            )
        );
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            h["permissions-policy"],
            "camera=(self), microphone=(), geolocation=()"
        );

        let html = body(response).await;
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(html.contains("<html lang=\"fr\">"), "{html}");
        assert!(
            html.contains(&format!("<style nonce=\"{nonce}\">")),
            "{html}"
        );
        assert!(html.contains("--brand: #123456;"), "{html}");
        assert!(html.contains("Aller au contenu"), "{html}");
        // Context text is escaped.
        assert!(html.contains("Link &lt;expired&gt;"), "{html}");
        assert!(html.contains(&web.assets.url("dossier.css").unwrap()));
        assert!(html.contains(&web.assets.url("dossier.js").unwrap()));

        let again = web.page(message(web.negotiate(None, None)));
        let other = again.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(!other.contains(&nonce), "a nonce is used once");
    }

    #[tokio::test]
    async fn the_page_language_is_the_specs_whatever_the_context_says() {
        let web = web();
        let spec = PageSpec::new(
            "message.html",
            web.negotiate(Some("fr"), None),
            context! { heading => "Titre", lang => "en", nonce => "mine" },
        );
        let response = web.page(spec);
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY].clone();
        let html = body(response).await;
        assert!(html.contains("<html lang=\"fr\">"), "{html}");
        assert!(!csp.to_str().unwrap().contains("'nonce-mine'"));
    }

    #[tokio::test]
    async fn a_json_context_renders_like_a_minijinja_one() {
        let web = web();
        let spec = PageSpec::new(
            "message.html",
            web.negotiate(None, None),
            serde_json::json!({ "heading": "From JSON", "theme": { "brand": null } }),
        );
        let response = web.page(spec);
        assert_eq!(response.status(), StatusCode::OK);
        let html = body(response).await;
        assert!(html.contains("<h1>From JSON</h1>"), "{html}");
        assert!(!html.contains("--brand:"), "{html}");
    }

    #[tokio::test]
    async fn a_render_error_is_a_plain_500_page() {
        let web = web();
        let lang = web.negotiate(None, None);
        // `message.html` needs its heading.
        let response = web.page(PageSpec::new("message.html", lang.clone(), context! {}));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            response
                .headers()
                .contains_key(header::CONTENT_SECURITY_POLICY)
        );
        let html = body(response).await;
        assert!(
            html.contains(&web.t(&lang, "page-failed-title", &[])),
            "{html}"
        );

        let missing = web.page(PageSpec::new("no-such.html", lang, context! {}));
        assert_eq!(missing.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[tokio::test]
    async fn the_layout_offers_every_language_and_the_brand() {
        let web = web();
        let lang = web.negotiate(None, Some("fr"));
        let spec = message(lang);
        let context = context! {
            brand => context! {
                name => "Acme Bank",
                logo_url => "/portal/logo",
                support_email => "help@acme.example",
                custom_css => "/portal/brand.css",
            },
            csrf_token => "tok",
            return_to => "/portal/details",
            language_action => "/backoffice/language",
            ..spec.context
        };
        let html = body(web.page(PageSpec { context, ..spec })).await;
        assert!(html.contains("Acme Bank"), "{html}");
        // Minijinja escapes `/` too (`&#x2f;`), harmless in attributes.
        assert!(html.contains("src=\"&#x2f;portal&#x2f;logo\""), "{html}");
        assert!(html.contains("mailto:help@acme.example"), "{html}");
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"&#x2f;portal&#x2f;brand.css\">"),
            "{html}"
        );
        assert!(
            html.contains("action=\"&#x2f;backoffice&#x2f;language\""),
            "{html}"
        );
        assert!(
            html.contains("value=\"&#x2f;portal&#x2f;details\""),
            "{html}"
        );
        assert!(html.contains("name=\"_csrf\" value=\"tok\""), "{html}");
        assert!(
            html.contains("<option value=\"fr\" lang=\"fr\" selected>Français</option>"),
            "{html}"
        );
        assert!(html.contains(">English</option>"), "{html}");
    }

    #[test]
    fn override_templates_and_catalogues_replace_the_built_in_ones() {
        let dir = temp_dir("overrides");
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::create_dir_all(dir.join("locales/fr")).unwrap();
        std::fs::create_dir_all(dir.join("locales/de")).unwrap();
        std::fs::write(
            dir.join("templates/message.html"),
            "<p lang=\"{{ lang }}\">{{ heading }} / {{ t(\"skip-to-content\") }}</p>",
        )
        .unwrap();
        std::fs::write(
            dir.join("locales/fr/common.ftl"),
            "language-name = Français (maison)\nskip-to-content = Au contenu\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("locales/de/common.ftl"),
            "language-name = Deutsch\n",
        )
        .unwrap();
        let web = Web::new(Some(&dir), "http://localhost:8080").unwrap();

        let fr = web.negotiate(Some("fr"), None);
        let rendered = web
            .env
            .get_template("message.html")
            .unwrap()
            .render(context! { lang => "fr", heading => "Bonjour" })
            .unwrap();
        assert_eq!(rendered, "<p lang=\"fr\">Bonjour / Au contenu</p>");
        assert_eq!(web.t(&fr, "language-name", &[]), "Français (maison)");
        // The replaced file's other messages are gone, so English answers for them.
        let en = web.negotiate(None, None);
        assert_eq!(
            web.t(&fr, "language-label", &[]),
            web.t(&en, "language-label", &[])
        );

        let de = web.negotiate(None, Some("de-AT"));
        assert_eq!(de.as_str(), "de");
        assert_eq!(web.t(&de, "language-name", &[]), "Deutsch");
        assert_eq!(web.t(&de, "skip-to-content", &[]), "Skip to content");
    }

    #[test]
    fn a_broken_override_stops_the_start() {
        let dir = temp_dir("broken");
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("templates/layout.html"), "{% if %}").unwrap();
        assert!(Web::new(Some(&dir), "https://kyc.example.com").is_err());

        let dir = temp_dir("broken-ftl");
        std::fs::create_dir_all(dir.join("locales/fr")).unwrap();
        std::fs::write(dir.join("locales/fr/common.ftl"), "= no id\n").unwrap();
        assert!(Web::new(Some(&dir), "https://kyc.example.com").is_err());
    }

    #[test]
    fn the_public_origin_is_normalised_and_must_be_http() {
        let web = Web::new(None, "https://KYC.example.com:443/base/").unwrap();
        assert_eq!(web.public_origin(), "https://kyc.example.com");
        assert!(web.secure_cookies());
        let plain = Web::new(None, "http://kyc.internal:8080").unwrap();
        assert!(!plain.secure_cookies());
        assert!(Web::new(None, "ftp://kyc.example.com").is_err());
        assert!(Web::new(None, "kyc.example.com").is_err());
    }
}
