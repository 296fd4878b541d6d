//! Opaque, URL-safe, time-sortable ids: `<prefix>_<26 Crockford base32 chars>`.
//!
//! The 26 characters encode 48 bits of milliseconds since the Unix epoch and 80 bits that are random
//! for the first id of a millisecond and incremented for the next ones, so ids made by one process sort
//! in creation order. Lists are ordered by id, which makes "newest first" and cursors one comparison.

use std::sync::Mutex;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct Last {
    millis: u64,
    random: u128,
}

static LAST: Mutex<Last> = Mutex::new(Last {
    millis: 0,
    random: 0,
});

/// A new id with the given prefix, e.g. `new_id("app")` → `app_01JD…`.
pub fn new_id(prefix: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let (millis, random) = {
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if now <= last.millis {
            // Same (or earlier, if the clock stepped back) millisecond: keep order by counting up.
            last.random = (last.random + 1) & ((1u128 << 80) - 1);
        } else {
            last.millis = now;
            last.random = rand::random::<u128>() & ((1u128 << 79) - 1);
        }
        (last.millis, last.random)
    };
    let value: u128 = ((millis as u128) << 80) | random;
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    for i in (0..26).rev() {
        let digit = ((value >> (i * 5)) & 0x1f) as usize;
        out.push(ALPHABET[digit] as char);
    }
    out
}

/// True when `id` has the shape of an id with this prefix (cheap guard before a lookup).
pub fn looks_like(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| body.len() == 26 && body.bytes().all(|b| ALPHABET.contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_creation_order_and_are_unique() {
        let ids: Vec<String> = (0..2000).map(|_| new_id("app")).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn ids_have_the_documented_shape() {
        let id = new_id("rel");
        assert!(looks_like("rel", &id), "{id}");
        assert!(!looks_like("app", &id));
        assert!(!looks_like("rel", "rel_short"));
    }
}
