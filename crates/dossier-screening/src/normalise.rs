//! Name normalisation: transliteration to ASCII, case folding, punctuation, tokenisation and
//! token classes (legal forms, stop words, honorifics, particles, initials, numbers), plus a
//! phonetic skeleton used both for blocking and for comparing transliteration variants.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// What a token is; decides its weight in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenClass {
    /// An ordinary name part.
    Word,
    /// A single letter (an initial).
    Initial,
    /// Digits or a Roman numeral (series markers must agree exactly).
    Number,
    /// Name particles that carry little identity (`al`, `bin`, `de`, `van`, …).
    Particle,
}

/// One token of a normalised name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower-case ASCII text (Roman numerals are rewritten as digits).
    pub text: Box<str>,
    pub class: TokenClass,
    /// Came from a script that omits short vowels (Arabic, Hebrew, Syriac, Thaana): compare by
    /// consonant skeleton.
    pub abjad: bool,
    /// A country or region name ("Europe", "Mexico"): in a company name it usually marks a
    /// regional subsidiary, so an extra one costs little.
    pub geo: bool,
    /// Consonant skeleton of `text` (see [`skeleton`]), precomputed for speed.
    pub skel: Box<str>,
    /// For one syllable of a CJK / Hangul name: the original character(s). Two such syllables
    /// match only when the characters are equal (many characters share a romanisation).
    pub syllable: Option<Box<str>>,
}

impl Token {
    pub fn new(text: &str, class: TokenClass, abjad: bool) -> Token {
        Token {
            text: text.into(),
            class,
            abjad,
            geo: false,
            skel: skeleton(text).into(),
            syllable: None,
        }
    }
}

/// A name after normalisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormName {
    /// Tokens that identify (words, initials, numbers, particles), in order.
    pub tokens: Vec<Token>,
    /// Canonical legal forms found (`llc`, `jsc`, `gmbh`, …), compared separately.
    pub legal_forms: Vec<&'static str>,
    /// Stop words and honorifics that were dropped (kept for the explanation).
    pub dropped: Vec<Box<str>>,
    /// Every word except honorifics, legal forms included, without spaces: compared as a whole
    /// to catch split or joined words ("SiemensAG" / "Siemens AG").
    pub joined: Box<str>,
    /// Number of words `joined` was made of.
    pub words: usize,
}

impl NormName {
    /// Core tokens joined by spaces (what the explanation shows).
    pub fn display(&self) -> String {
        self.tokens
            .iter()
            .map(|t| &*t.text)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const STOP_WORDS: &[&str] = &[
    "the", "of", "and", "for", "und", "et", "y", "an", "nee", "aka", "alias", "dba", "fka",
    "formerly",
];

/// Titles and honorifics: dropped, they say nothing about identity.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "dame",
    "lord",
    "lady",
    "sheikh",
    "shaikh",
    "sheik",
    "shaykh",
    "haji",
    "hajji",
    "alhaj",
    "alhaji",
    "mullah",
    "mawlawi",
    "maulvi",
    "maulavi",
    "qari",
    "hafiz",
    "sayed",
    "sayyid",
    "imam",
    "general",
    "gen",
    "colonel",
    "col",
    "major",
    "maj",
    "captain",
    "capt",
    "lieutenant",
    "lt",
    "admiral",
    "brigadier",
    "rev",
    "reverend",
    "father",
    "herr",
    "frau",
    "monsieur",
    "madame",
    "mme",
    "senor",
    "senora",
    "don",
    "dona",
    "his",
    "her",
    "excellency",
    "majesty",
    "highness",
    "hrh",
    "jr",
    "sr",
    "junior",
    "senior",
    "president",
    "vice",
    "minister",
    "prime",
    "chairman",
    "senator",
    "congressman",
    "congresswoman",
    "representative",
    "judge",
    "king",
    "queen",
    "prince",
    "princess",
    "emir",
    "ayatollah",
    "comrade",
    "marshal",
    "commander",
    "ambassador",
    "governor",
    "mayor",
];

/// Particles: kept, but weigh little (present in most Arabic and many European names).
const PARTICLES: &[&str] = &[
    "al", "el", "bin", "ibn", "bint", "abu", "abou", "umm", "ould", "uld", "de", "da", "das",
    "dos", "do", "del", "della", "der", "den", "di", "du", "la", "le", "van", "von", "zu", "ter",
    "ten", "mac", "st",
];

/// Spelling variants of one particle ("ibn" / "bin": "son of"). "Ben" is left a word: it is
/// also a given name.
fn canonical_particle(w: &str) -> &str {
    match w {
        "ibn" => "bin",
        "el" => "al",
        "abou" => "abu",
        "uld" => "ould",
        _ => w,
    }
}

/// Legal forms: phrases (space-separated tokens) → canonical form. Ambiguous short forms are
/// only taken at the start or end of a name (see [`normalise`]).
const LEGAL_FORMS: &[(&str, &str)] = &[
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("limited partnership", "lp"),
    ("public limited company", "plc"),
    ("private limited company", "ltd"),
    ("private limited", "ltd"),
    ("pvt ltd", "ltd"),
    ("pte ltd", "ltd"),
    ("pty ltd", "ltd"),
    ("co ltd", "ltd"),
    ("company limited", "ltd"),
    ("limited", "ltd"),
    ("ltd", "ltd"),
    ("ltda", "ltd"),
    ("llc", "llc"),
    ("llp", "llp"),
    ("plc", "plc"),
    ("ooo", "llc"),
    ("tov", "llc"),
    ("too", "llc"),
    ("sp z oo", "llc"),
    ("spzoo", "llc"),
    ("sro", "llc"),
    ("kft", "llc"),
    ("doo", "llc"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoi otvetstvennostiu", "llc"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("gmbh", "gmbh"),
    ("mbh", "gmbh"),
    ("aktiengesellschaft", "ag"),
    ("ag", "ag"),
    ("kg", "kg"),
    ("gmbh co kg", "gmbh"),
    ("joint stock company", "jsc"),
    ("open joint stock company", "jsc"),
    ("closed joint stock company", "jsc"),
    ("public joint stock company", "jsc"),
    ("private joint stock company", "jsc"),
    ("joint-stock company", "jsc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("aktsionernoye obshchestvo", "jsc"),
    ("publichnoe aktsionernoe obshchestvo", "jsc"),
    ("jsc", "jsc"),
    ("ojsc", "jsc"),
    ("pjsc", "jsc"),
    ("cjsc", "jsc"),
    ("jsco", "jsc"),
    ("zao", "jsc"),
    ("oao", "jsc"),
    ("pao", "jsc"),
    ("ao", "jsc"),
    ("pat", "jsc"),
    ("prat", "jsc"),
    ("societe anonyme", "sa"),
    ("sociedad anonima", "sa"),
    ("sa de cv", "sa"),
    ("s de rl de cv", "srl"),
    ("s de rl", "srl"),
    ("sa", "sa"),
    ("sas", "sa"),
    ("sae", "sa"),
    ("sal", "sa"),
    ("sarl", "sarl"),
    ("srl", "srl"),
    ("spa", "spa"),
    ("sl", "sl"),
    ("bv", "bv"),
    ("nv", "nv"),
    ("ab", "ab"),
    ("as", "as"),
    ("asa", "as"),
    ("aps", "as"),
    ("oy", "oy"),
    ("oyj", "oy"),
    ("incorporated", "inc"),
    ("inc", "inc"),
    ("corporation", "corp"),
    ("corp", "corp"),
    ("company", "co"),
    ("co", "co"),
    ("cia", "co"),
    ("pte", "ltd"),
    ("pty", "ltd"),
    ("pvt", "ltd"),
    ("sdn bhd", "ltd"),
    ("bhd", "ltd"),
    ("fze", "fze"),
    ("fzco", "fze"),
    ("fzc", "fze"),
    ("fzllc", "fze"),
    ("lp", "lp"),
    ("gie", "gie"),
    ("ulc", "ltd"),
    ("kk", "kk"),
    ("kabushiki kaisha", "kk"),
    ("tbk", "tbk"),
    ("pt", "pt"),
    ("societatea cu raspundere limitata", "srl"),
    ("societate cu raspundere limitata", "srl"),
    ("societate pe actiuni", "sa"),
    ("spolecnost s rucenim omezenym", "sro"),
    ("druzba z omejeno odgovornostjo", "doo"),
    ("drustvo s ogranicenom odgovornoscu", "doo"),
    ("sociedad de responsabilidad limitada", "srl"),
    ("societe a responsabilite limitee", "sarl"),
    ("societa a responsabilita limitata", "srl"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("tovarystvo z obmezhenoyu vidpovidalnistyu", "llc"),
    ("avtonomnaya nekommercheskaya organizatsiya", "ano"),
    ("ano", "ano"),
    ("nao", "jsc"),
    ("akcionarsko drustvo", "jsc"),
    ("aktsiyonerne tovarystvo", "jsc"),
    ("federalnoe gosudarstvennoe unitarnoe predpriyatie", "fgup"),
    ("fgup", "fgup"),
    ("gup", "fgup"),
    ("mup", "fgup"),
];

/// Single-word legal forms long enough to recognise misspelt or truncated.
const LONG_FORMS: &[(&str, &str)] = &[
    ("aktiengesellschaft", "ag"),
    ("corporation", "corp"),
    ("incorporated", "inc"),
    ("limited", "ltd"),
    ("company", "co"),
];

/// Region words that qualify a company name like a country does.
const REGIONS: &[&str] = &[
    "europe",
    "european",
    "asia",
    "asian",
    "africa",
    "african",
    "america",
    "americas",
    "pacific",
    "mena",
    "emea",
    "apac",
    "latam",
    "nordic",
    "nordics",
    "scandinavia",
    "caribbean",
    "gulf",
    "eurasia",
    "baltic",
    "balkans",
];

/// Families of legal forms: forms of one family name the same kind of company in different
/// languages (Ltd / LLC / GmbH / OOO), forms of different families do not (GmbH vs AG).
/// `co`, `corp` and `inc` are generic and never conflict.
pub fn legal_family(form: &str) -> &'static str {
    match form {
        "ltd" | "llc" | "gmbh" | "sarl" | "srl" | "sro" | "doo" | "bv" | "sl" | "fze" | "kk" => {
            "limited"
        }
        "ag" | "sa" | "jsc" | "plc" | "nv" | "spa" | "as" | "ab" | "oy" | "tbk" | "pt" => "stock",
        "lp" | "llp" | "kg" => "partnership",
        "co" | "corp" | "inc" => "generic",
        "ano" | "gie" => "nonprofit",
        "fgup" => "state",
        _ => "other",
    }
}

/// Legal forms that are also ordinary words or initials: only taken at a name's edges.
const AMBIGUOUS_FORMS: &[&str] = &[
    "as",
    "ab",
    "ag",
    "ao",
    "co",
    "kg",
    "sa",
    "sl",
    "oy",
    "pt",
    "too",
    "doo",
    "pat",
    "lp",
    "nv",
    "bv",
    "kk",
    "company",
    "corporation",
    "limited",
    "spa",
    "sal",
    "tov",
    "gie",
];

struct Tables {
    stop: HashMap<&'static str, ()>,
    honorific: HashMap<&'static str, ()>,
    particle: HashMap<&'static str, ()>,
    /// First token → phrases starting with it (tokens, canonical), longest first.
    legal: HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let set = |xs: &[&'static str]| xs.iter().map(|x| (*x, ())).collect();
        let mut legal: HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>> =
            HashMap::new();
        for (phrase, canon) in LEGAL_FORMS {
            let toks: Vec<&'static str> = phrase.split([' ', '-']).collect();
            legal.entry(toks[0]).or_default().push((toks, canon));
        }
        for v in legal.values_mut() {
            v.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        }
        Tables {
            stop: set(STOP_WORDS),
            honorific: set(HONORIFICS),
            particle: set(PARTICLES),
            legal,
        }
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Script {
    Latin,
    Abjad,
    /// Scripts whose transliteration comes out as capitalised syllables (CJK, Hangul, kana).
    Syllabic,
    Other,
}

fn script_of(c: char) -> Script {
    match c as u32 {
        // Abjads (Hebrew, Arabic, Syriac, Thaana) and the Thai / Lao / Khmer abugidas, whose
        // transliterations lose or guess vowels: compared by consonant skeleton.
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x0E00..=0x0EFF | 0x1780..=0x17FF => {
            Script::Abjad
        }
        0x1100..=0x11FF
        | 0x3130..=0x318F
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF => Script::Syllabic,
        _ if c.is_ascii() => Script::Latin,
        0x00C0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        _ => Script::Other,
    }
}

/// Roman numerals used as series markers (`II`, `III`, …); single letters stay initials.
fn roman(s: &str) -> Option<&'static str> {
    Some(match s {
        "ii" => "2",
        "iii" => "3",
        "iv" => "4",
        "vii" => "7",
        "viii" => "8",
        "ix" => "9",
        _ => return None,
    })
}

/// A raw word: ASCII text, abjad flag, original syllable (CJK / Hangul) if any.
type Word = (String, bool, Option<String>);

/// Split the raw name into ASCII lower-case words, each flagged as abjad or not.
fn raw_words(name: &str) -> Vec<Word> {
    let mut out = Vec::new();
    // Split on whitespace and separators first, so script runs are judged per word.
    for chunk in name.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';'
                    | '/'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '"'
                    | '“'
                    | '”'
                    | '„'
                    | '«'
                    | '»'
                    | '-'
                    | '–'
                    | '—'
                    | '_'
                    | ':'
                    | '|'
                    | '+'
                    | '*'
                    | '!'
                    | '?'
                    | '&'
                    | '\u{a0}'
            )
    }) {
        if chunk.is_empty() {
            continue;
        }
        let script = chunk
            .chars()
            .find(|c| c.is_alphabetic())
            .map(script_of)
            .unwrap_or(Script::Latin);
        if script == Script::Syllabic {
            // One token per ideograph / Hangul block, remembering the character.
            for c in chunk.chars() {
                let t = any_ascii::any_ascii_char(c).to_ascii_lowercase();
                let t: String = t.chars().filter(char::is_ascii_alphanumeric).collect();
                if t.is_empty() {
                    continue;
                }
                let syllable = (script_of(c) == Script::Syllabic).then(|| c.to_string());
                out.push((t, false, syllable));
            }
            continue;
        }
        let ascii = any_ascii::any_ascii(chunk);
        let abjad = script == Script::Abjad;
        let lower = ascii.to_ascii_lowercase();
        // Apostrophes and similar marks join (O'Brien, Ky'ong, 'Abd); other punctuation splits.
        let mut word = String::new();
        for c in lower.chars() {
            match c {
                'a'..='z' | '0'..='9' | '.' => word.push(c),
                '\'' | '`' | '^' | '~' => {}
                _ => {
                    if !word.is_empty() {
                        push_dotted(&mut out, &word, abjad);
                        word.clear();
                    }
                }
            }
        }
        if !word.is_empty() {
            push_dotted(&mut out, &word, abjad);
        }
    }
    out
}

/// Dots join acronyms (`p.l.c.` → `plc`, `s.a.` → `sa`) but split abbreviations
/// (`a.khamenei` → `a khamenei`).
fn push_dotted(out: &mut Vec<Word>, word: &str, abjad: bool) {
    let parts: Vec<&str> = word.split('.').filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 && parts.iter().all(|p| p.len() == 1) {
        out.push((parts.concat(), abjad, None));
    } else {
        for p in parts {
            out.push((p.to_string(), abjad, None));
        }
    }
}

const UNITS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
];
const TENS: &[&str] = &[
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// English number words become digits ("Forty-Four" → 44, "Three" → 3), so that names
/// written either way compare equal.
fn numbers_to_digits(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i].0.as_str();
        if let Some(t) = TENS.iter().position(|x| !x.is_empty() && *x == w) {
            let mut v = t * 10;
            let next = words.get(i + 1).map(|x| x.0.as_str());
            let unit = next
                .and_then(|n| UNITS[1..10].iter().position(|u| *u == n))
                .map(|u| u + 1);
            let digit_unit = next
                .filter(|n| n.len() == 1)
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(u) = unit.or(digit_unit) {
                v += u;
                i += 1;
            }
            out.push((v.to_string(), false, None));
        } else if let Some(u) = UNITS.iter().position(|x| *x == w) {
            out.push((u.to_string(), false, None));
        } else if let Some(o) = ORDINALS.iter().position(|x| *x == w) {
            out.push(((o + 1).to_string(), false, None));
        } else if let Some(d) = w
            .strip_suffix("st")
            .or_else(|| w.strip_suffix("nd"))
            .or_else(|| w.strip_suffix("rd"))
            .or_else(|| w.strip_suffix("th"))
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        {
            // "1st" is "first"; without this the digit would be read as a letter.
            out.push((d.to_string(), false, None));
        } else {
            out.push(words[i].clone());
        }
        i += 1;
    }
    out
}

/// Digits used as letters inside words ("Ig0r Sech1n"): read them as the letters they stand
/// for. Tokens that are mostly digits stay numbers.
fn unleet(w: &str) -> Option<String> {
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
    if digits == 0 || letters < 2 || digits > 2 {
        return None;
    }
    Some(
        w.bytes()
            .map(|b| match b {
                b'0' => 'o',
                b'1' => 'i',
                b'3' => 'e',
                b'4' => 'a',
                b'5' => 's',
                b'7' => 't',
                b'8' => 'b',
                b'9' => 'g',
                _ => b as char,
            })
            .collect(),
    )
}

/// Abbreviations forms and registers use for common name words ("Int'l", "Mfg", "Wm").
fn expand_abbreviation(w: &str) -> Option<&'static str> {
    Some(match w {
        "intl" | "internatl" => "international",
        "natl" => "national",
        "mfg" => "manufacturing",
        "bros" => "brothers",
        "assn" | "assoc" => "association",
        "dept" => "department",
        "grp" => "group",
        "hldgs" => "holdings",
        "hldg" => "holding",
        "svcs" => "services",
        "svc" => "service",
        "mgmt" => "management",
        "engg" => "engineering",
        "univ" => "university",
        "govt" => "government",
        "trdg" => "trading",
        "invt" => "investment",
        "wm" => "william",
        "chas" => "charles",
        "jas" => "james",
        "thos" => "thomas",
        "geo" => "george",
        "saint" => "st",
        _ => return None,
    })
}

/// Normalise a name into tokens.
pub fn normalise(name: &str) -> NormName {
    let t = tables();
    let words: Vec<Word> = numbers_to_digits(raw_words(name))
        .into_iter()
        .map(|(w, a, s)| {
            let w = match expand_abbreviation(&w) {
                Some(x) => x.to_string(),
                None => unleet(&w).unwrap_or(w),
            };
            (w, a, s)
        })
        .collect();
    let mut words = words;
    // A misspelt or truncated long legal form at the end ("Aktiengeselschaft", "Compan"): one
    // edit, or a 5+ letter prefix. Respelt, it then also completes phrases ("Joint Stock Compan").
    if words.len() > 1
        && let Some(last) = words.last_mut()
        && last.0.len() >= 5
        && !t.legal.contains_key(last.0.as_str())
        && let Some((form, _)) = LONG_FORMS.iter().find(|(form, _)| {
            (last.0.len() >= 7 && crate::matcher::osa(last.0.as_bytes(), form.as_bytes()) <= 1)
                || (form.len() > last.0.len() && form.starts_with(last.0.as_str()))
        })
    {
        last.0 = form.to_string();
    }
    let n = words.len();
    let mut out = NormName::default();
    let mut i = 0;
    while i < n {
        let (w, abjad) = (&words[i].0, words[i].1);
        // Legal forms: longest phrase starting here.
        if let Some(phrases) = t.legal.get(w.as_str()) {
            let hit = phrases.iter().find(|(toks, _)| {
                i + toks.len() <= n
                    && toks
                        .iter()
                        .enumerate()
                        .all(|(k, tok)| words[i + k].0 == *tok)
            });
            if let Some((toks, canon)) = hit {
                // At the edge: first, last but one, or followed by another legal form
                // ("Corporation Joint Stock Company").
                let after = i + toks.len();
                let at_edge = i == 0
                    || after >= n.saturating_sub(1)
                    || t.legal.contains_key(words[after].0.as_str());
                let ambiguous = toks.len() == 1 && AMBIGUOUS_FORMS.contains(&toks[0]);
                // A legal form alone is a name, not a form; ambiguous ones only at the edges.
                if n > toks.len() && (!ambiguous || at_edge) {
                    out.legal_forms.push(canon);
                    i += toks.len();
                    continue;
                }
            }
        }
        if n > 1 && (t.stop.contains_key(w.as_str()) || t.honorific.contains_key(w.as_str())) {
            out.dropped.push(w.as_str().into());
            i += 1;
            continue;
        }
        let (text, class) = if let Some(r) = roman(w) {
            (r.to_string(), TokenClass::Number)
        } else if w.bytes().any(|b| b.is_ascii_digit()) {
            (w.clone(), TokenClass::Number)
        } else if w.len() == 1 {
            (w.clone(), TokenClass::Initial)
        } else if t.particle.contains_key(w.as_str()) {
            (canonical_particle(w).to_string(), TokenClass::Particle)
        } else {
            (w.clone(), TokenClass::Word)
        };
        // `x` inside a word is `ks` in most transliterations (Alexander / Aleksandr).
        let text = if class == TokenClass::Word && text.len() > 2 && text[1..].contains('x') {
            format!("{}{}", &text[..1], text[1..].replace('x', "ks"))
        } else {
            text
        };
        let mut tok = Token::new(&text, class, abjad);
        tok.geo = class == TokenClass::Word
            && (REGIONS.contains(&text.as_str()) || crate::countries::to_code(&text).is_some());
        tok.syllable = words[i].2.as_deref().map(Into::into);
        out.tokens.push(tok);
        i += 1;
    }
    // A name made only of dropped words keeps them as tokens (e.g. the company "The General").
    if out.tokens.is_empty() && !out.dropped.is_empty() {
        for d in std::mem::take(&mut out.dropped) {
            out.tokens.push(Token::new(&d, TokenClass::Word, false));
        }
    }
    out.words = words
        .iter()
        .filter(|(w, _, _)| !t.honorific.contains_key(w.as_str()))
        .count();
    out.joined = words
        .iter()
        .filter(|(w, _, _)| !t.honorific.contains_key(w.as_str()))
        .map(|(w, _, _)| w.as_str())
        .collect::<String>()
        .into();
    out
}

/// Consonant skeleton: a phonetic key that ignores vowels, doubled letters and common
/// spelling variants (ph/f, ck/k, c/k/q, z/s, w/v, kh/h, …). "Mohammed", "Muhammad" and the
/// Arabic "mhmd" all give `mhmd`.
pub fn skeleton(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let mapped: u8 = match (c, next) {
            (b'p', b'h') => {
                i += 1;
                b'f'
            }
            (b'c', b'k')
            | (b'k', b'h')
            | (b'g', b'h')
            | (b'c', b'h')
            | (b's', b'h')
            | (b't', b'h')
            | (b'd', b'h')
            | (b'z', b'h') => {
                i += 1;
                match c {
                    b'c' => b'k',
                    b'k' => b'h',
                    b't' => b't',
                    b'd' => b'd',
                    b'z' => b'j',
                    b'g' => b'g',
                    _ => b's',
                }
            }
            (b'c', b'e' | b'i' | b'y') => b's',
            (b'c' | b'q', _) => b'k',
            (b'z', _) => b's',
            (b'w', _) => b'v',
            (b'x', _) => b'k',
            (b'a' | b'e' | b'i' | b'o' | b'u' | b'y', _) => 0,
            _ => c,
        };
        i += 1;
        // Vowels and `y` (a vowel in most transliterations) drop out.
        if mapped == 0 {
            continue;
        }
        if out.last() != Some(&mapped) {
            out.push(mapped);
        }
    }
    String::from_utf8(out).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        normalise(s)
            .tokens
            .iter()
            .map(|t| t.text.to_string())
            .collect()
    }

    #[test]
    fn transliterates_and_folds() {
        assert_eq!(texts("Владимир Путин"), ["vladimir", "putin"]);
        assert_eq!(
            texts("Recep Tayyip Erdoğan"),
            ["recep", "tayyip", "erdogan"]
        );
        assert_eq!(texts("习近平"), ["xi", "jin", "ping"]);
        assert_eq!(texts("O'Brien, Seán"), ["obrien", "sean"]);
        assert!(normalise("محمد علي").tokens.iter().all(|t| t.abjad));
    }

    #[test]
    fn legal_forms_stop_words_and_titles() {
        let n = normalise("The Goldman Sachs Group, Inc.");
        assert_eq!(n.display(), "goldman sachs group");
        assert_eq!(n.legal_forms, ["inc"]);
        let n = normalise("FABERLIC EUROPE Sp. z o.o.");
        assert_eq!(n.display(), "faberlic europe");
        assert_eq!(n.legal_forms, ["llc"]);
        assert_eq!(normalise("OOO Romashka").legal_forms, ["llc"]);
        assert_eq!(normalise("HSBC Holdings p.l.c.").legal_forms, ["plc"]);
        assert_eq!(texts("Mr. Recep Erdogan"), ["recep", "erdogan"]);
        // An ambiguous form in the middle is a word.
        assert_eq!(texts("Banco Sa Nostra Ltd"), ["banco", "sa", "nostra"]);
    }

    #[test]
    fn classes() {
        let n = normalise("Bowne Global Solutions II, Inc.");
        assert_eq!(n.tokens.last().unwrap().class, TokenClass::Number);
        let n = normalise("A. Khamenei");
        assert_eq!(n.tokens[0].class, TokenClass::Initial);
        assert_eq!(
            normalise("Saif al-Adel").tokens[1].class,
            TokenClass::Particle
        );
    }

    #[test]
    fn skeletons() {
        assert_eq!(skeleton("mohammed"), "mhmd");
        assert_eq!(skeleton("muhammad"), "mhmd");
        assert_eq!(skeleton("mhmd"), "mhmd");
        assert_eq!(skeleton("khaled"), skeleton("khld"));
        assert_eq!(skeleton("hussein"), skeleton("husayn"));
    }
}
