//! The template environment: the built-in templates (or the operator's files of the same names),
//! with `t(key, **args)` translating into the render's `lang` (`t_or(key, text)` for optional
//! messages), `asset(name)` linking an asset, and
//! the filters `field_id` and `color`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior, Value};

use super::assets::Assets;
use super::i18n::{self, Catalogues};
use super::{embedded, forms};

pub(crate) fn environment(
    overrides_dir: Option<&Path>,
    catalogues: Arc<Catalogues>,
    assets: Arc<Assets>,
) -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    // A misspelt variable fails the render (and so a test) instead of printing nothing; `if x`
    // still works on a missing `x`, for optional context.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    for (name, builtin) in embedded::TEMPLATES {
        let replacement = overrides_dir.map(|dir| dir.join("templates").join(name));
        let source = match replacement.filter(|path| path.is_file()) {
            Some(path) => std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
            None => builtin.to_string(),
        };
        env.add_template_owned(name.to_string(), source)
            .with_context(|| format!("template {name}"))?;
    }
    if let Some(dir) = overrides_dir {
        warn_about_strangers(&dir.join("templates"));
    }

    // `t_or(key, text)`: the message when a catalogue has it, else `text` as it is (names an
    // operator chose, such as a template's risk levels, have no message of their own).
    let known = catalogues.clone();
    env.add_function(
        "t_or",
        move |state: &State, key: &str, fallback: Value| -> Result<String, Error> {
            let lang = state.lookup("lang");
            let lang = lang
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or(i18n::FALLBACK);
            Ok(known
                .lookup(lang, key, &FluentArgs::new())
                .unwrap_or_else(|| fallback.to_string()))
        },
    );
    env.add_function(
        "t",
        move |state: &State, key: &str, kwargs: Kwargs| -> Result<String, Error> {
            let lang = state.lookup("lang");
            let lang = lang
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or(i18n::FALLBACK);
            let mut args = FluentArgs::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                args.set(name.to_string(), fluent_value(&value));
            }
            kwargs.assert_all_used()?;
            Ok(catalogues.translate(lang, key, &args))
        },
    );
    // The URL is ours (a known name and hex digits): safe as it is, and readable unescaped.
    env.add_function("asset", move |name: &str| -> Result<Value, Error> {
        let url = assets
            .url(name)
            .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("no asset {name:?}")))?;
        Ok(Value::from_safe_string(url))
    });
    env.add_filter("field_id", |field: &str| forms::field_id(field));
    env.add_filter("color", color);
    Ok(env)
}

fn fluent_value(value: &Value) -> FluentValue<'static> {
    match (value.kind(), value.as_i64()) {
        (ValueKind::Number, Some(n)) => FluentValue::from(n),
        (ValueKind::Number, None) => FluentValue::from(f64::try_from(value.clone()).unwrap_or(0.0)),
        _ => i18n::text_or_number(&value.to_string()),
    }
}

/// A hex colour (`#rgb`, `#rrggbb`, with or without alpha) as given, else nothing: a theme value
/// lands inside a `<style>` block, where anything else could close the rule and add others.
fn color(value: Value) -> Value {
    let Some(value) = value.as_str() else {
        return Value::from(());
    };
    let digits = value.strip_prefix('#').unwrap_or("");
    let hex =
        matches!(digits.len(), 3 | 4 | 6 | 8) && digits.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        Value::from(value)
    } else {
        Value::from(())
    }
}

/// Files in the operator's template folder that replace nothing are most likely misnamed.
fn warn_about_strangers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !embedded::TEMPLATES
            .iter()
            .any(|(builtin, _)| *builtin == name)
        {
            tracing::warn!(file = %entry.path().display(), "an override template that replaces no built-in one");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn env() -> Environment<'static> {
        let catalogues = Arc::new(Catalogues::load(None).unwrap());
        let assets = Arc::new(Assets::load(None).unwrap());
        environment(None, catalogues, assets).unwrap()
    }

    /// Renders `source` as a page template would be (an `.html` name: auto-escaped).
    fn render(source: &str, ctx: Value) -> String {
        let mut env = env();
        let source = format!("{{% import \"macros.html\" as m %}}{source}");
        env.add_template_owned("test.html", source).unwrap();
        env.get_template("test.html").unwrap().render(ctx).unwrap()
    }

    #[test]
    fn macros_translate_into_the_page_language() {
        let html = render(
            "{{ m.field(\"email\", \"Email\") }}",
            context! { lang => "fr" },
        );
        assert!(html.contains("(facultatif)"), "{html}");
    }

    #[test]
    fn a_field_with_an_error_is_described_by_its_hint_and_error() {
        let errors =
            vec![context! { field => "email", id => "field-email", message => "Bad <address>" }];
        let html = render(
            "{{ m.field(\"email\", \"Email\", value=\"a@b\", type=\"email\", errors=errors, \
             autocomplete=\"email\", required=true, hint=\"We write to it\", inputmode=\"email\") }}",
            context! { lang => "en", errors },
        );
        assert!(
            html.contains("<label for=\"field-email\">Email</label>"),
            "{html}"
        );
        assert!(
            html.contains("id=\"field-email\" name=\"email\" value=\"a@b\""),
            "{html}"
        );
        assert!(
            html.contains(
                "aria-describedby=\"field-email-hint field-email-error\" aria-invalid=\"true\""
            ),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"field-error\" id=\"field-email-error\">"),
            "{html}"
        );
        assert!(html.contains("Error:</span> Bad &lt;address&gt;"), "{html}");
        assert!(html.contains("aria-required=\"true\""), "{html}");
        assert!(
            html.contains("autocomplete=\"email\" inputmode=\"email\""),
            "{html}"
        );
        assert!(!html.contains("(optional)"), "{html}");

        // Another field's error is not this field's.
        let html = render(
            "{{ m.field(\"name\", \"Name\", errors=errors) }}",
            context! { lang => "en", errors },
        );
        assert!(!html.contains("aria-invalid"), "{html}");
        assert!(!html.contains("aria-describedby"), "{html}");
    }

    #[test]
    fn the_other_controls_render() {
        let options = vec![
            context! { value => "FR", label => "France" },
            context! { value => "GB", label => "United Kingdom" },
        ];
        let html = render(
            "{{ m.select(\"country\", \"Country\", options, value=\"GB\", placeholder=\"Choose\") }}\
             {{ m.checkbox(\"consent\", \"I agree\", checked=true) }}\
             {{ m.file(\"passport\", \"Passport\", accept=\"image/*,application/pdf\", capture=true) }}\
             {{ m.csrf(\"tok\") }}",
            context! { lang => "en", options },
        );
        assert!(
            html.contains("<option value=\"\">Choose</option>"),
            "{html}"
        );
        assert!(
            html.contains("<option value=\"GB\" selected>United Kingdom</option>"),
            "{html}"
        );
        assert!(
            html.contains("<option value=\"FR\">France</option>"),
            "{html}"
        );
        assert!(
            html.contains(
                "type=\"checkbox\" id=\"field-consent\" name=\"consent\" value=\"yes\" checked"
            ),
            "{html}"
        );
        assert!(
            html.contains("type=\"file\" id=\"field-passport\" name=\"passport\""),
            "{html}"
        );
        assert!(html.contains("capture=\"environment\""), "{html}");
        assert!(
            html.contains("<input type=\"hidden\" name=\"_csrf\" value=\"tok\">"),
            "{html}"
        );
    }

    #[test]
    fn the_error_summary_links_to_each_field() {
        let fields =
            vec![context! { field => "email", id => "field-email", message => "Enter an address" }];
        let html = render(
            "{{ m.error_summary(summary, fields) }}",
            context! { lang => "fr", summary => "Oups", fields },
        );
        assert!(html.contains("role=\"alert\""), "{html}");
        assert!(html.contains("tabindex=\"-1\""), "{html}");
        assert!(html.contains("Un problème est survenu"), "{html}");
        assert!(html.contains("<p>Oups</p>"), "{html}");
        assert!(
            html.contains("<a href=\"#field-email\">Enter an address</a>"),
            "{html}"
        );
        let empty = render("{{ m.error_summary(none, []) }}", context! { lang => "en" });
        assert_eq!(empty.trim(), "");
    }

    #[test]
    fn the_step_indicator_marks_the_current_step() {
        let list = vec![
            context! { key => "details", label => "Details", href => "/portal/details", done => true },
            context! { key => "documents", label => "Documents", href => "/portal/documents" },
            context! { key => "review", label => "Review" },
        ];
        let html = render(
            "{{ m.steps(list, \"documents\") }}",
            context! { lang => "en", list },
        );
        assert!(
            html.contains("<li class=\"current\" aria-current=\"step\"><span>Documents</span>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"&#x2f;portal&#x2f;details\">Details</a>"),
            "{html}"
        );
        assert!(html.contains("(completed)"), "{html}");
        assert_eq!(html.matches("aria-current").count(), 1, "{html}");
    }

    #[test]
    fn theme_colours_must_be_hex() {
        let color = |v: &str| color(Value::from(v));
        assert_eq!(color("#0b5"), Value::from("#0b5"));
        assert_eq!(color("#0055AAff"), Value::from("#0055AAff"));
        assert!(color("red;} body{display:none").is_none());
        assert!(color("#12345").is_none());
        assert!(color("").is_none());
        assert!(super::color(Value::from(())).is_none());
    }
}
