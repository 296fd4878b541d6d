//! A workspace's white label: the display name, logo, primary colour, support e-mail and optional
//! custom CSS its clients see in the portal, and named themes a portal may pick (each overriding
//! any of those).

use std::collections::BTreeMap;

use dossier_domain::audit::diff;
use dossier_domain::validation::{Errors, check_len, is_email};
use dossier_store::{Store, now};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::{App, Outcome, Principal, Written};

/// Largest logo accepted (as decoded bytes): a logo is a small image.
const MAX_LOGO_BYTES: usize = 100 * 1024;
const MAX_CSS: usize = 20 * 1024;

/// Body and answer of `/api/branding`: the look of the workspace's portals (every part optional,
/// the defaults are Dossier's own) and named themes, each a look of its own whose gaps are filled
/// from the workspace's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A `data:` URL of a PNG, JPEG, GIF or WebP image, at most 100 KB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// `#rrggbb`: buttons, links, the step indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    /// Extra CSS served after the built-in stylesheet (same origin), at most 20 KB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_css: Option<String>,
    /// Named looks a portal picks with `theme` (a theme has no themes of its own).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(no_recursion)]
    pub themes: BTreeMap<String, Branding>,
}

/// A look with its gaps filled, as the pages use it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedLook {
    pub display_name: Option<String>,
    pub logo: Option<String>,
    pub primary_color: String,
    /// Black or white, whichever reads better on the primary colour.
    pub primary_contrast: String,
    pub support_email: Option<String>,
    pub custom_css: Option<String>,
}

/// Dossier's own primary colour (4.5:1 or more against white).
const DEFAULT_PRIMARY: &str = "#1f4fd1";

impl Branding {
    /// The look of a portal with this theme (an unknown theme is the workspace's look).
    pub fn resolve(&self, theme: Option<&str>) -> ResolvedLook {
        let t = theme.and_then(|t| self.themes.get(t));
        let pick = |f: fn(&Branding) -> &Option<String>| {
            t.and_then(|t| f(t).clone()).or_else(|| f(self).clone())
        };
        let primary = pick(|l| &l.primary_color).unwrap_or_else(|| DEFAULT_PRIMARY.to_string());
        ResolvedLook {
            display_name: pick(|l| &l.display_name),
            logo: pick(|l| &l.logo),
            primary_contrast: contrast_for(&primary).to_string(),
            primary_color: primary,
            support_email: pick(|l| &l.support_email),
            custom_css: pick(|l| &l.custom_css),
        }
    }

    fn validate(&self) -> AppResult<()> {
        let mut errors = Errors::new();
        check_look(&mut errors, "", self);
        for (name, look) in &self.themes {
            if !look.themes.is_empty() {
                errors.add(
                    format!("themes.{name}.themes"),
                    "a theme has no themes of its own",
                );
            }
            let ok = !name.is_empty()
                && name.len() <= 64
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
            if !ok {
                errors.add(
                    format!("themes.{name}"),
                    "a theme name is 1-64 letters, digits, _ or -",
                );
            }
            check_look(&mut errors, &format!("themes.{name}."), look);
        }
        if self.themes.len() > 50 {
            errors.add("themes", "at most 50 themes");
        }
        errors.into_result().map_err(AppError::Invalid)
    }
}

fn check_look(errors: &mut Errors, prefix: &str, look: &Branding) {
    let field = |name: &str| format!("{prefix}{name}");
    if let Some(n) = &look.display_name {
        check_len(errors, &field("display_name"), n, 200);
    }
    if let Some(c) = &look.primary_color
        && !(c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit()))
    {
        errors.add(field("primary_color"), "must be a colour written #rrggbb");
    }
    if let Some(e) = &look.support_email
        && !is_email(e)
    {
        errors.add_code(field("support_email"), "email", "is not an e-mail address");
    }
    if let Some(css) = &look.custom_css {
        check_len(errors, &field("custom_css"), css, MAX_CSS);
    }
    if let Some(logo) = &look.logo
        && let Err(e) = logo_image(logo)
    {
        errors.add(field("logo"), e);
    }
}

/// The content type and bytes of a logo given as a `data:` URL.
pub fn logo_image(data_url: &str) -> Result<(&'static str, Vec<u8>), String> {
    use base64::Engine;
    let rest = data_url
        .strip_prefix("data:")
        .ok_or("must be a data: URL (data:image/png;base64,…)")?;
    let (media, payload) = rest
        .split_once(";base64,")
        .ok_or("must be base64 (data:image/png;base64,…)")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|_| "its base64 does not decode".to_string())?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!("must be at most {} KB", MAX_LOGO_BYTES / 1024));
    }
    // What the bytes are decides, not what the URL says (SVG, which can carry script, is not
    // taken).
    let sniffed = match bytes.as_slice() {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        _ => return Err("must be a PNG, JPEG, GIF or WebP image".into()),
    };
    if media != sniffed {
        return Err(format!("says {media} but is {sniffed}"));
    }
    Ok((sniffed, bytes))
}

/// Black or white text on `hex`, by WCAG relative luminance.
fn contrast_for(hex: &str) -> &'static str {
    let channel = |i: usize| {
        let v = u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with white is 1.05 / (l + 0.05), with black (l + 0.05) / 0.05.
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// The workspace's branding (empty if never set).
pub async fn read(store: &Store, ws: &str) -> AppResult<Branding> {
    match store.branding(ws).await? {
        None => Ok(Branding::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| AppError::Internal(format!("branding of {ws}: {e}"))),
    }
}

impl App {
    pub async fn branding(&self, p: &Principal) -> AppResult<Branding> {
        read(&self.store, p.ws()).await
    }

    /// Replaces the workspace's branding (admins), audited.
    pub async fn put_branding(&self, p: &Principal, branding: Branding) -> AppResult<Written> {
        p.require_admin()?;
        branding.validate()?;
        self.write(p, None, async |tx| {
            let before = serde_json::to_value(read(tx.store(), p.ws()).await?).expect("serialises");
            let after = serde_json::to_value(&branding).expect("serialises");
            tx.put_branding(p.ws(), &after.to_string(), &now()).await?;
            tx.audit(
                p.ws(),
                &p.actor,
                "branding.updated",
                "branding",
                p.ws(),
                None,
                &diff(&before, &after),
            )
            .await?;
            Ok((Outcome::Changed, after))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_the_primary_colour_is_whichever_of_black_and_white_reads_better() {
        assert_eq!(contrast_for("#1f4fd1"), "#ffffff");
        assert_eq!(contrast_for("#ffd400"), "#000000");
        assert_eq!(contrast_for("#000000"), "#ffffff");
    }

    #[test]
    fn a_theme_overrides_only_what_it_sets() {
        let dark = Branding {
            primary_color: Some("#101010".into()),
            ..Branding::default()
        };
        let b = Branding {
            display_name: Some("Acme".into()),
            primary_color: Some("#ffd400".into()),
            themes: [("dark".to_string(), dark)].into(),
            ..Branding::default()
        };
        let dark = b.resolve(Some("dark"));
        assert_eq!(dark.display_name.as_deref(), Some("Acme"));
        assert_eq!(dark.primary_color, "#101010");
        assert_eq!(dark.primary_contrast, "#ffffff");
        assert_eq!(b.resolve(None).primary_contrast, "#000000");
        assert_eq!(
            Branding::default().resolve(None).primary_color,
            DEFAULT_PRIMARY
        );
    }

    #[test]
    fn a_logo_must_be_a_small_raster_image_that_is_what_it_says() {
        use base64::Engine;
        let png = [0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0];
        let enc = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        assert_eq!(
            logo_image(&format!("data:image/png;base64,{}", enc(&png)))
                .unwrap()
                .0,
            "image/png"
        );
        assert!(logo_image(&format!("data:image/jpeg;base64,{}", enc(&png))).is_err());
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
        assert!(logo_image(&format!("data:image/svg+xml;base64,{}", enc(svg))).is_err());
        assert!(logo_image("https://example.org/logo.png").is_err());
        let big = vec![0x89u8; MAX_LOGO_BYTES + 1];
        assert!(logo_image(&format!("data:image/png;base64,{}", enc(&big))).is_err());
    }
}
