//! Format validators. IBAN and e-mail use small, well-kept crates (`iban_validate`,
//! `email_address`). LEI is an ISO 17442 checksum; VAT numbers are checked against each EU
//! country's pattern (plus GB, CH, NO). Phone numbers get a structural E.164 check: the full
//! `phonenumber` crate builds Google's metadata into the binary and its build cost is out of
//! proportion for a format check; per-country plausibility can come with it later if needed.

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Iban,
    VatNumber,
    Lei,
    Email,
    Phone,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "iban" => Format::Iban,
            "vat_number" => Format::VatNumber,
            "lei" => Format::Lei,
            "email" => Format::Email,
            "phone" => Format::Phone,
            _ => return None,
        })
    }

    pub const NAMES: &'static [&'static str] = &["iban", "vat_number", "lei", "email", "phone"];

    /// Ok, or why the value is not valid.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            Format::Iban => check_iban(value),
            Format::VatNumber => check_vat(value),
            Format::Lei => check_lei(value),
            Format::Email => check_email(value),
            Format::Phone => check_phone(value),
        }
    }
}

fn compact(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.'))
        .collect::<String>()
        .to_ascii_uppercase()
}

pub fn check_iban(value: &str) -> Result<(), String> {
    value
        .trim()
        .parse::<iban::Iban>()
        .map(|_| ())
        .map_err(|e| format!("not a valid IBAN ({e})"))
}

pub fn check_email(value: &str) -> Result<(), String> {
    let value = value.trim();
    // The RFC allows dotless domains; for a client's contact address they are a typo.
    let domain_ok = value
        .rsplit_once('@')
        .is_some_and(|(_, d)| d.contains('.') && !d.ends_with('.'));
    if email_address::EmailAddress::is_valid(value) && domain_ok {
        Ok(())
    } else {
        Err("not a valid e-mail address".into())
    }
}

/// ISO 17442: 20 alphanumerics, the last two digits an ISO 7064 MOD 97-10 check.
pub fn check_lei(value: &str) -> Result<(), String> {
    let lei = compact(value);
    if lei.len() != 20 || !lei.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("a LEI has 20 letters and digits".into());
    }
    if !lei[18..].chars().all(|c| c.is_ascii_digit()) {
        return Err("a LEI ends with two check digits".into());
    }
    if mod97(&lei) == 1 {
        Ok(())
    } else {
        Err("the LEI's check digits do not match".into())
    }
}

/// Remainder mod 97 of the number written by replacing letters with 10..35.
fn mod97(s: &str) -> u32 {
    s.chars().fold(0u32, |acc, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 {
            (acc * 100 + v) % 97
        } else {
            (acc * 10 + v) % 97
        }
    })
}

static VAT_PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("AT", r"^ATU\d{8}$"),
        ("BE", r"^BE[01]\d{9}$"),
        ("BG", r"^BG\d{9,10}$"),
        ("CY", r"^CY\d{8}[A-Z]$"),
        ("CZ", r"^CZ\d{8,10}$"),
        ("DE", r"^DE\d{9}$"),
        ("DK", r"^DK\d{8}$"),
        ("EE", r"^EE\d{9}$"),
        ("EL", r"^EL\d{9}$"),
        ("ES", r"^ES[A-Z0-9]\d{7}[A-Z0-9]$"),
        ("FI", r"^FI\d{8}$"),
        ("FR", r"^FR[A-HJ-NP-Z0-9]{2}\d{9}$"),
        ("HR", r"^HR\d{11}$"),
        ("HU", r"^HU\d{8}$"),
        ("IE", r"^IE\d[A-Z0-9+*]\d{5}[A-Z]{1,2}$"),
        ("IT", r"^IT\d{11}$"),
        ("LT", r"^LT(\d{9}|\d{12})$"),
        ("LU", r"^LU\d{8}$"),
        ("LV", r"^LV\d{11}$"),
        ("MT", r"^MT\d{8}$"),
        ("NL", r"^NL\d{9}B\d{2}$"),
        ("PL", r"^PL\d{10}$"),
        ("PT", r"^PT\d{9}$"),
        ("RO", r"^RO\d{2,10}$"),
        ("SE", r"^SE\d{10}01$"),
        ("SI", r"^SI\d{8}$"),
        ("SK", r"^SK\d{10}$"),
        ("XI", r"^XI(\d{9}|\d{12}|GD\d{3}|HA\d{3})$"),
        ("GB", r"^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$"),
        ("CH", r"^CHE\d{9}(MWST|TVA|IVA)?$"),
        ("NO", r"^NO\d{9}(MVA)?$"),
    ]
    .into_iter()
    .map(|(c, p)| (c, Regex::new(p).expect("VAT pattern compiles")))
    .collect()
});

/// Checks the country's pattern, and the check digits where they are simple and public (FR, BE).
pub fn check_vat(value: &str) -> Result<(), String> {
    let vat = compact(value);
    let Some((country, pattern)) = VAT_PATTERNS.iter().find(|(c, _)| vat.starts_with(c)) else {
        return Err("a VAT number starts with a supported country prefix (e.g. FR, DE, BE)".into());
    };
    if !pattern.is_match(&vat) {
        return Err(format!("not a valid {country} VAT number"));
    }
    let digits_ok = match *country {
        "FR" if vat[2..4].chars().all(|c| c.is_ascii_digit()) => {
            let key: u64 = vat[2..4].parse().unwrap_or(0);
            let siren: u64 = vat[4..].parse().unwrap_or(0);
            key == (12 + 3 * (siren % 97)) % 97
        }
        "BE" => {
            let number: u64 = vat[2..10].parse().unwrap_or(0);
            let check: u64 = vat[10..].parse().unwrap_or(0);
            97 - number % 97 == check
        }
        _ => true,
    };
    if digits_ok {
        Ok(())
    } else {
        Err(format!(
            "the {country} VAT number's check digits do not match"
        ))
    }
}

/// International format: `+` (or `00`), a country code not starting with 0, 8 to 15 digits in all.
pub fn check_phone(value: &str) -> Result<(), String> {
    let trimmed = value.trim();
    let body = trimmed
        .strip_prefix('+')
        .or_else(|| trimmed.strip_prefix("00"))
        .ok_or("write the number in international format, starting with + and the country code")?;
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
    {
        return Err("a phone number has digits and separators only".into());
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if digits.starts_with('0') {
        return Err("the country code cannot start with 0".into());
    }
    if !(8..=15).contains(&digits.len()) {
        return Err("an international number has 8 to 15 digits".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban() {
        assert!(check_iban("FR76 3000 6000 0112 3456 7890 189").is_ok());
        assert!(check_iban("DE89370400440532013000").is_ok());
        assert!(check_iban("DE89370400440532013001").is_err());
        assert!(check_iban("hello").is_err());
    }

    #[test]
    fn lei() {
        // Published LEIs (GLEIF itself, and a bank).
        assert!(check_lei("506700GE1G29325QX363").is_ok());
        assert!(check_lei("5493001KJTIIGC8Y1R12").is_ok());
        assert!(check_lei("5493001KJTIIGC8Y1R13").is_err());
        assert!(check_lei("5493001KJTIIGC8Y1R").is_err());
    }

    #[test]
    fn vat() {
        assert!(check_vat("FR40303265045").is_ok());
        assert!(check_vat("FR 41 303265045").is_err());
        assert!(check_vat("BE0403.170.701").is_ok());
        assert!(check_vat("BE0403170702").is_err());
        assert!(check_vat("DE123456789").is_ok());
        assert!(check_vat("DE12345678").is_err());
        assert!(check_vat("NL123456789B01").is_ok());
        assert!(check_vat("CHE-123.456.789 MWST").is_ok());
        assert!(check_vat("US123").is_err());
    }

    #[test]
    fn email() {
        assert!(check_email("claire.martin@acme.fr").is_ok());
        assert!(check_email("claire@localhost").is_err());
        assert!(check_email("not an email").is_err());
        assert!(check_email("a@b@c.fr").is_err());
    }

    #[test]
    fn phone() {
        assert!(check_phone("+33 1 23 45 67 89").is_ok());
        assert!(check_phone("0033 (1) 23-45-67-89").is_ok());
        assert!(check_phone("01 23 45 67 89").is_err());
        assert!(check_phone("+0 123 456 789").is_err());
        assert!(check_phone("+33 1234").is_err());
        assert!(check_phone("+33 12345678x").is_err());
    }
}
