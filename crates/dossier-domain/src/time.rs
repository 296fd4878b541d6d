//! One way to write a timestamp: RFC 3339 in UTC with exactly six fractional digits (microseconds),
//! as the store keeps its `created_at`/`decided_at` columns. Fixed width, so text order is time
//! order, and every timestamp of a case reads alike. Reading accepts any RFC 3339 precision.

use jiff::Timestamp;

/// The current time at the precision it is stored with (microseconds), so a value read back equals
/// the value written.
pub fn now() -> Timestamp {
    let t = Timestamp::now();
    Timestamp::from_microsecond(t.as_microsecond()).expect("the current time is in range")
}

/// `2025-06-30T12:34:56.123456Z`.
pub fn format(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `#[serde(with = "crate::time::serde")]` on a `jiff::Timestamp` field.
pub mod serde {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "crate::time::option")]` on an `Option<jiff::Timestamp>` field.
pub mod option {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&super::format(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
        text.map(|t| t.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    struct At {
        #[serde(with = "super::serde")]
        at: Timestamp,
    }

    #[test]
    fn writes_microseconds_and_reads_any_precision() {
        let t: Timestamp = "2025-06-30T12:34:56.123456789Z".parse().unwrap();
        let json = serde_json::to_string(&At { at: t }).unwrap();
        assert_eq!(json, r#"{"at":"2025-06-30T12:34:56.123456Z"}"#);
        let whole: At = serde_json::from_str(r#"{"at":"2025-06-30T12:34:56Z"}"#).unwrap();
        assert_eq!(format(whole.at), "2025-06-30T12:34:56.000000Z");
        let nanos: At = serde_json::from_str(r#"{"at":"2025-06-30T12:34:56.123456789Z"}"#).unwrap();
        assert_eq!(nanos.at, t);
        let offset: At = serde_json::from_str(r#"{"at":"2025-06-30T14:34:56.5+02:00"}"#).unwrap();
        assert_eq!(format(offset.at), "2025-06-30T12:34:56.500000Z");
    }
}
