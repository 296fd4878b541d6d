//! The pages' defences that are not a header: where a form post may come from, random tokens
//! (session ids, CSRF tokens) and their comparison, and the session cookie.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// Why a state-changing request was refused by [`check_origin`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the browser says the request comes from another site (Sec-Fetch-Site: {0})")]
    OtherSite(String),
    #[error("the request's origin is hidden (Origin: null)")]
    HiddenOrigin,
    #[error("the request comes from another origin ({0})")]
    ForeignOrigin(String),
    #[error("an unreadable Origin, Host or Sec-Fetch-Site header")]
    Unreadable,
}

/// Accepts a form post only from our own pages: its `Origin` must be the public origin or the
/// request's own `Host` (over http or https: a proxy in front may terminate TLS). Without `Origin`
/// (older browsers, some privacy settings) the browser's `Sec-Fetch-Site`, when sent, must say
/// same-origin or a user's own navigation. The CSRF token is checked besides this.
pub fn check_origin(headers: &HeaderMap, public_origin: &str) -> Result<(), Refusal> {
    let text = |name| {
        headers
            .get(name)
            .map(|v: &HeaderValue| v.to_str().map_err(|_| Refusal::Unreadable))
            .transpose()
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))?
        && !matches!(site, "same-origin" | "none")
    {
        return Err(Refusal::OtherSite(site.to_string()));
    }
    let Some(origin) = text(header::ORIGIN)? else {
        return Ok(());
    };
    if origin == "null" {
        return Err(Refusal::HiddenOrigin);
    }
    let foreign = || Refusal::ForeignOrigin(origin.to_string());
    let origin = origin_of(origin).ok_or_else(foreign)?;
    if origin_of(public_origin).is_some_and(|ours| ours == origin) {
        return Ok(());
    }
    let host = text(header::HOST)?.ok_or_else(foreign)?;
    let own = ["http", "https"]
        .iter()
        .any(|scheme| origin_of(&format!("{scheme}://{host}")).is_some_and(|o| o == origin));
    if own { Ok(()) } else { Err(foreign()) }
}

/// The `scheme://host[:port]` of an http(s) URL, in the form a browser's `Origin` has (lower-case
/// host, no default port); `None` for anything else.
pub(crate) fn origin_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// A new secret: 32 random bytes, URL-safe base64 (43 characters, cookie- and form-safe).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A cookie's `SameSite`: `Strict` is sent only from our own pages, `Lax` also on a top-level
/// navigation from elsewhere (a link in an email).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
}

/// A `Set-Cookie` value: always `HttpOnly` and `Path=/`; without `max_age` a session cookie (gone
/// with the browser). `name` and `value` must be cookie-safe, as [`new_token`]'s are.
///
/// # Panics
/// On a name or value with characters a cookie cannot hold (a programming error).
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<Duration>,
    secure: bool,
    same_site: SameSite,
) -> HeaderValue {
    assert!(
        cookie_name(name) && cookie_octets(value),
        "cookie {name:?} has characters a cookie cannot hold"
    );
    let mut cookie = format!("{name}={value}; HttpOnly; Path=/");
    cookie.push_str(match same_site {
        SameSite::Strict => "; SameSite=Strict",
        SameSite::Lax => "; SameSite=Lax",
    });
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={}", age.as_secs()));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("checked characters")
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear_cookie(name: &str) -> HeaderValue {
    assert!(cookie_name(name), "cookie name {name:?}");
    HeaderValue::from_str(&format!("{name}=; HttpOnly; Path=/; Max-Age=0")).expect("checked")
}

/// RFC 6265's cookie-octets: visible ASCII but `"` `,` `;` `\\`.
fn cookie_octets(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_graphic() && !b"\",;\\".contains(&b))
}

fn cookie_name(s: &str) -> bool {
    !s.is_empty() && !s.contains('=') && cookie_octets(s)
}

/// The value of the first cookie called `name`, from however many `Cookie` headers came.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| n.trim() == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
}

/// Whether cookies can be `Secure`: browsers drop Secure cookies set over plain http, except on
/// loopback, which they count as a secure context.
pub(crate) fn secure_cookies(public_origin: &str) -> bool {
    let Ok(url) = url::Url::parse(public_origin) else {
        return true;
    };
    if url.scheme() != "http" {
        return true;
    }
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://kyc.example.com";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn check(pairs: &[(&str, &str)]) -> Result<(), Refusal> {
        check_origin(&headers(pairs), PUBLIC)
    }

    #[test]
    fn our_own_origin_is_accepted() {
        assert_eq!(check(&[("origin", "https://kyc.example.com")]), Ok(()));
        assert_eq!(check(&[("origin", "https://KYC.example.com:443")]), Ok(()));
        // Reached by its address rather than the public name (a proxy, a test).
        let direct = [
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ];
        assert_eq!(check(&direct), Ok(()));
        let tls_proxy = [
            ("origin", "https://internal:8443"),
            ("host", "internal:8443"),
        ];
        assert_eq!(check(&tls_proxy), Ok(()));
        let fetch = [
            ("origin", "https://kyc.example.com"),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(check(&fetch), Ok(()));
    }

    #[test]
    fn without_an_origin_the_fetch_site_decides() {
        assert_eq!(check(&[]), Ok(()));
        assert_eq!(check(&[("sec-fetch-site", "same-origin")]), Ok(()));
        assert_eq!(check(&[("sec-fetch-site", "none")]), Ok(()));
        assert_eq!(
            check(&[("sec-fetch-site", "same-site")]),
            Err(Refusal::OtherSite("same-site".into()))
        );
    }

    #[test]
    fn other_origins_are_refused() {
        let foreign = |o: &str| Err(Refusal::ForeignOrigin(o.into()));
        assert_eq!(
            check(&[("origin", "https://evil.example")]),
            foreign("https://evil.example")
        );
        // The port is part of the origin.
        assert_eq!(
            check(&[("origin", "https://kyc.example.com:444")]),
            foreign("https://kyc.example.com:444")
        );
        let lying_host = [
            ("origin", "https://evil.example"),
            ("host", "kyc.example.com"),
        ];
        assert_eq!(check(&lying_host), foreign("https://evil.example"));
        assert_eq!(check(&[("origin", "null")]), Err(Refusal::HiddenOrigin));
        assert_eq!(check(&[("origin", "garbage")]), foreign("garbage"));
        let cross = [
            ("origin", "https://kyc.example.com"),
            ("sec-fetch-site", "cross-site"),
        ];
        assert_eq!(check(&cross), Err(Refusal::OtherSite("cross-site".into())));
        assert_eq!(
            check(&[("sec-fetch-site", "cross-site")]),
            Err(Refusal::OtherSite("cross-site".into()))
        );
    }

    #[test]
    fn tokens_are_long_random_and_compared_whole() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert!(tokens_match(&a, &a.clone()));
        assert!(!tokens_match(&a, &b));
        assert!(!tokens_match(&a, &a[..42]));
        assert!(!tokens_match("", &a));
        assert!(tokens_match("", ""));
    }

    #[test]
    fn cookies_carry_their_flags() {
        let day = Some(Duration::from_secs(86_400));
        let cookie = set_cookie("dossier_portal", "abc-_1", day, true, SameSite::Strict);
        assert_eq!(
            cookie,
            "dossier_portal=abc-_1; HttpOnly; Path=/; SameSite=Strict; Max-Age=86400; Secure"
        );
        let cookie = set_cookie("s", "v", None, false, SameSite::Lax);
        assert_eq!(cookie, "s=v; HttpOnly; Path=/; SameSite=Lax");
        assert_eq!(clear_cookie("s"), "s=; HttpOnly; Path=/; Max-Age=0");
    }

    #[test]
    #[should_panic(expected = "cannot hold")]
    fn a_cookie_value_cannot_smuggle_attributes() {
        set_cookie("s", "v; Domain=evil.example", None, true, SameSite::Lax);
    }

    #[test]
    fn cookies_are_read_from_every_cookie_header() {
        let h = headers(&[
            ("cookie", "a=1; theme=dark"),
            ("cookie", " dossier_portal = \"tok\" ;b=2"),
        ]);
        assert_eq!(read_cookie(&h, "dossier_portal").as_deref(), Some("tok"));
        assert_eq!(read_cookie(&h, "a").as_deref(), Some("1"));
        assert_eq!(read_cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(read_cookie(&h, "dossier"), None);
        assert_eq!(read_cookie(&HeaderMap::new(), "a"), None);
    }

    #[test]
    fn cookies_are_secure_except_over_plain_http_to_another_machine() {
        assert!(secure_cookies("https://kyc.example.com"));
        assert!(secure_cookies("http://localhost:8080"));
        assert!(secure_cookies("http://127.0.0.1:8080"));
        assert!(secure_cookies("http://[::1]:8080"));
        assert!(!secure_cookies("http://kyc.internal:8080"));
        assert!(!secure_cookies("http://10.0.0.5"));
    }
}
