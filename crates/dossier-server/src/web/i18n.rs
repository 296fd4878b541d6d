//! Translations: one Fluent bundle per language, made of that language's catalogue files. English
//! is complete by definition and answers for any message another language lacks.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, anyhow};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::Serialize;
use unic_langid::LanguageIdentifier;

use super::embedded;

/// The language every other one falls back to.
pub const FALLBACK: &str = "en";

/// A language the pages are available in, e.g. `en`, `fr` or `pt-BR` (a catalogue folder's name).
/// Only [`Web::negotiate`](super::Web::negotiate) makes one, so it always names a loaded language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Lang(String);

impl Lang {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

struct Language {
    bundle: FluentBundle<FluentResource>,
    /// The language's name in itself (its `language-name` message), for the language switcher.
    name: String,
}

/// Every loaded language, by code.
pub(crate) struct Catalogues {
    languages: BTreeMap<String, Language>,
}

/// One catalogue file's text and where it came from (for error messages).
struct Source {
    origin: String,
    text: String,
}

impl Catalogues {
    /// The built-in catalogues, where the overrides directory's `locales/<lang>/<file>.ftl` replaces
    /// the built-in file of that name and a new `<lang>` folder adds a language.
    pub(crate) fn load(overrides_dir: Option<&Path>) -> anyhow::Result<Catalogues> {
        let mut files: BTreeMap<String, BTreeMap<String, Source>> = BTreeMap::new();
        for (lang, file, text) in embedded::LOCALES {
            let source = Source {
                origin: format!("built-in locales/{lang}/{file}"),
                text: text.to_string(),
            };
            files
                .entry(lang.to_string())
                .or_default()
                .insert(file.to_string(), source);
        }
        if let Some(dir) = overrides_dir {
            read_overrides(&dir.join("locales"), &mut files)?;
        }
        if !files.contains_key(FALLBACK) {
            return Err(anyhow!("no `{FALLBACK}` catalogue"));
        }
        let mut languages = BTreeMap::new();
        for (code, sources) in files {
            let id: LanguageIdentifier = code
                .parse()
                .map_err(|e| anyhow!("locales/{code}: not a language tag: {e}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks (U+2068/U+2069) around arguments show up in plain-text contexts and
            // break comparisons; our arguments are not mixed-direction text.
            bundle.set_use_isolating(false);
            for source in sources.into_values() {
                let resource = FluentResource::try_new(source.text)
                    .map_err(|(_, errors)| anyhow!("{}: {errors:?}", source.origin))?;
                bundle
                    .add_resource(resource)
                    .map_err(|errors| anyhow!("{}: {errors:?}", source.origin))?;
            }
            let mut language = Language {
                bundle,
                name: code.clone(),
            };
            if let Some(name) = language.format("language-name", None) {
                language.name = name;
            }
            languages.insert(code, language);
        }
        Ok(Catalogues { languages })
    }

    /// The codes and own names of the loaded languages, by code.
    pub(crate) fn languages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.languages
            .iter()
            .map(|(code, language)| (code.as_str(), language.name.as_str()))
    }

    /// `explicit` if it names a loaded language, else the best of `accept_language` (an
    /// `Accept-Language` header, q-values honoured), else English. `fr-FR` picks `fr`.
    pub(crate) fn negotiate(&self, explicit: Option<&str>, accept_language: Option<&str>) -> Lang {
        let wanted = explicit
            .into_iter()
            .map(str::to_string)
            .chain(accept_language.map(ranked).unwrap_or_default());
        for tag in wanted {
            if let Some(code) = self.supported(&tag) {
                return Lang(code.to_string());
            }
        }
        Lang(FALLBACK.to_string())
    }

    /// The loaded language a tag asks for: the same tag, else one of the same primary language.
    fn supported(&self, tag: &str) -> Option<&str> {
        let tag = tag.trim();
        let primary = |t: &str| {
            t.split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        let codes = || self.languages.keys().map(String::as_str);
        codes()
            .find(|code| code.eq_ignore_ascii_case(tag))
            .or_else(|| codes().find(|code| code.eq_ignore_ascii_case(&primary(tag))))
            .or_else(|| codes().find(|code| primary(code) == primary(tag)))
    }

    /// The message in `lang`, else in English; `None` when neither has it.
    pub(crate) fn lookup(&self, lang: &str, key: &str, args: &FluentArgs) -> Option<String> {
        [lang, FALLBACK]
            .into_iter()
            .filter_map(|code| self.languages.get(code))
            .find_map(|language| language.format(key, Some(args)))
    }

    /// The message, or its key (logged) when no catalogue has it: a page shows a wrong word
    /// rather than fail.
    pub(crate) fn translate(&self, lang: &str, key: &str, args: &FluentArgs) -> String {
        self.lookup(lang, key, args).unwrap_or_else(|| {
            tracing::warn!(key, lang, "no such message in any catalogue");
            key.to_string()
        })
    }
}

impl Language {
    fn format(&self, key: &str, args: Option<&FluentArgs>) -> Option<String> {
        let pattern = self.bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "a message was formatted with errors");
        }
        Some(text.into_owned())
    }
}

/// Fluent arguments from `(name, value)` pairs. A value written as a plain integer becomes a
/// number, so plural selectors work on it; anything else stays text (`007` keeps its zeros).
pub(crate) fn arguments(args: &[(&str, String)]) -> FluentArgs<'static> {
    let mut out = FluentArgs::new();
    for (name, value) in args {
        out.set(name.to_string(), text_or_number(value));
    }
    out
}

pub(crate) fn text_or_number(value: &str) -> FluentValue<'static> {
    match value.parse::<i64>() {
        Ok(n) if n.to_string() == value => FluentValue::from(n),
        _ => FluentValue::from(value.to_string()),
    }
}

/// The tags of an `Accept-Language` header, best first (a stable sort keeps the header's order
/// among equals); `q=0` means "not this one" and `*` adds nothing over the fallback.
fn ranked(header: &str) -> Vec<String> {
    let mut tags: Vec<(f32, String)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && tag != "*" && q > 0.0).then(|| (q, tag.to_string()))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter().map(|(_, tag)| tag).collect()
}

/// Adds or replaces catalogue files from `dir/<lang>/*.ftl`.
fn read_overrides(
    dir: &Path,
    files: &mut BTreeMap<String, BTreeMap<String, Source>>,
) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for lang in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let lang = lang?.path();
        let Some(code) = lang.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !lang.is_dir() || code.starts_with('.') {
            continue;
        }
        for file in std::fs::read_dir(&lang).with_context(|| lang.display().to_string())? {
            let path = file?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !path.is_file() || !name.ends_with(".ftl") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let source = Source {
                origin: path.display().to_string(),
                text,
            };
            files
                .entry(code.to_string())
                .or_default()
                .insert(name.to_string(), source);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogues() -> Catalogues {
        Catalogues::load(None).unwrap()
    }

    /// The `t("…")` and `t('…')` keys a template uses, when written whole.
    fn keys(source: &str) -> Vec<&str> {
        let mut keys = Vec::new();
        for quote in ['"', '\''] {
            let opening = format!("t({quote}");
            for (at, _) in source.match_indices(&opening) {
                let preceded_by_name = source[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                let rest = &source[at + opening.len()..];
                let Some(end) = rest.find(quote) else {
                    continue;
                };
                // `t("details-title-" ~ kind)` builds its key: there is no one key to check.
                let whole = rest[end + 1..].trim_start().starts_with([')', ',']);
                if !preceded_by_name && whole {
                    keys.push(&rest[..end]);
                }
            }
        }
        keys
    }

    #[test]
    fn every_message_a_template_uses_exists_in_every_language() {
        let catalogues = Catalogues::load(None).unwrap();
        let mut checked = 0;
        // The Rust code's own keys, beside the templates'.
        let code = [
            "language-name",
            "page-failed-title",
            "page-failed-body",
            "error-field-invalid",
        ];
        let used = embedded::TEMPLATES
            .iter()
            .flat_map(|(template, source)| {
                keys(source).into_iter().map(move |key| (*template, key))
            })
            .chain(code.map(|key| ("the code", key)));
        for (template, key) in used {
            {
                for (lang, language) in &catalogues.languages {
                    let found = language.bundle.has_message(key);
                    assert!(found, "{template} uses `{key}`, missing in {lang}");
                }
                checked += 1;
            }
        }
        assert!(checked > 10, "the key scan found only {checked} keys");
    }

    /// The message ids of a catalogue file.
    fn ids(source: &str) -> std::collections::BTreeSet<String> {
        let resource = fluent_syntax::parser::parse(source).unwrap();
        resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                fluent_syntax::ast::Entry::Term(t) => Some(format!("-{}", t.id.name)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_the_files_and_message_ids_of_english() {
        let english: BTreeMap<&str, &str> = embedded::LOCALES
            .iter()
            .filter(|(lang, _, _)| *lang == FALLBACK)
            .map(|(_, file, source)| (*file, *source))
            .collect();
        assert!(english.contains_key("common.ftl"));
        let langs: std::collections::BTreeSet<&str> =
            embedded::LOCALES.iter().map(|(lang, _, _)| *lang).collect();
        assert!(langs.contains("fr"), "{langs:?}");
        for lang in langs {
            let files: BTreeMap<&str, &str> = embedded::LOCALES
                .iter()
                .filter(|(l, _, _)| *l == lang)
                .map(|(_, file, source)| (*file, *source))
                .collect();
            assert!(files.keys().eq(english.keys()), "the files of {lang}");
            for (file, source) in files {
                let (ours, theirs) = (ids(source), ids(english[file]));
                let missing: Vec<_> = theirs.difference(&ours).collect();
                let extra: Vec<_> = ours.difference(&theirs).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "{lang}/{file}: missing {missing:?}, not in English {extra:?}"
                );
            }
        }
    }

    #[test]
    fn negotiation_prefers_explicit_then_the_header_then_english() {
        let c = catalogues();
        let pick = |explicit, header| c.negotiate(explicit, header).as_str().to_string();
        assert_eq!(pick(None, None), "en");
        assert_eq!(pick(Some("fr"), None), "fr");
        assert_eq!(pick(Some("fr-FR"), Some("en")), "fr");
        assert_eq!(pick(Some("FR"), None), "fr");
        // An unsupported explicit choice gives way to the header.
        assert_eq!(pick(Some("de"), Some("fr")), "fr");
        assert_eq!(pick(None, Some("de-DE,fr-CA;q=0.8,en;q=0.5")), "fr");
        assert_eq!(pick(None, Some("en;q=0.5, fr;q=0.9")), "fr");
        assert_eq!(pick(None, Some("fr;q=0, en")), "en");
        assert_eq!(pick(None, Some("de, *;q=0.1")), "en");
        assert_eq!(pick(None, Some("garbage;q=x, fr")), "fr");
        assert_eq!(pick(Some(""), Some("")), "en");
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_key() {
        let c = catalogues();
        let none = FluentArgs::new();
        assert_eq!(c.translate("fr", "language-name", &none), "Français");
        assert_eq!(c.translate("en", "language-name", &none), "English");
        assert_eq!(
            c.translate("fr", "no-such-message", &none),
            "no-such-message"
        );
        assert!(c.lookup("fr", "no-such-message", &none).is_none());
    }

    #[test]
    fn arguments_are_placed_without_isolation_marks() {
        let c = catalogues();
        let args = arguments(&[("limit", "1024".to_string())]);
        let text = c.translate("en", "error-payload_too_large", &args);
        assert!(text.contains("1024"), "{text}");
        assert!(!text.contains('\u{2068}'), "{text:?}");
    }

    #[test]
    fn integers_become_numbers_and_other_text_stays_text() {
        assert!(matches!(text_or_number("12"), FluentValue::Number(_)));
        assert!(matches!(text_or_number("007"), FluentValue::String(_)));
        assert!(matches!(text_or_number("1.5"), FluentValue::String(_)));
    }
}
