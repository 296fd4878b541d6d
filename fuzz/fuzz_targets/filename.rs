//! A client's file name as the upload path keeps it (`normalise_filename`): whatever comes in, what
//! is kept is safe to store, list and put in a header, and normalising it again changes nothing.
#![no_main]

use dossier_domain::workflow::documents::{MAX_FILENAME_CHARS, normalise_filename};
use libfuzzer_sys::fuzz_target;

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let Some(name) = normalise_filename(&raw) else {
        return;
    };
    assert!(!name.is_empty());
    assert!(name.chars().count() <= MAX_FILENAME_CHARS, "{name:?}");
    assert!(
        !name.chars().any(|c| c.is_control()
            || is_bidi(c)
            || c == '\u{FEFF}'
            || c == '/'
            || c == '\\'),
        "{name:?}"
    );
    assert!(!name.starts_with('.'), "{name:?}");
    assert!(
        !name.starts_with(char::is_whitespace) && !name.ends_with(char::is_whitespace),
        "{name:?}"
    );
    assert!(!name.contains("  "), "{name:?}");
    assert_eq!(normalise_filename(&name).as_deref(), Some(name.as_str()));
});
