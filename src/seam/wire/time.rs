//! Seam's timestamps, read as chrono reads them, with a fast path for the one shape Seam writes.
//!
//! chrono's `Deserialize` for `DateTime<Utc>` goes through its general parser (relaxed RFC 3339:
//! offsets, a space for the `T`, any case), about 1,600 instructions a timestamp: 3% of a cold
//! request for access codes with their devices, which reads five (issue 14's callgrind profile).
//! Seam writes `2025-01-01T00:00:00.000Z`. That shape is read here digit by digit and checked by
//! chrono's own calendar (`from_ymd_opt`, `and_hms_nano_opt`); anything else (another offset, a
//! leap second, more than nine fractional digits, a malformed text) goes to chrono's parser, so
//! what is accepted and what each text means are unchanged (the tests compare the two).

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Deserializer, Visitor};

/// For `#[serde(deserialize_with)]` on an `Option<DateTime<Utc>>` (with `default`).
pub(super) fn optional<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(OptionalTimestamp)
}

/// For `#[serde(deserialize_with)]` on a `DateTime<Utc>`.
pub(super) fn required<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Timestamp)
}

/// The instant `text` names, exactly as `text.parse::<DateTime<Utc>>()` reads it.
fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match seams_shape(text.as_bytes()) {
        Some(instant) => Ok(instant),
        None => text.parse(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` with a real date and time of day, else None.
fn seams_shape(bytes: &[u8]) -> Option<DateTime<Utc>> {
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1, rest @ ..] =
        bytes
    else {
        return None;
    };
    let (fraction, b"Z") = rest.split_at(rest.len().checked_sub(1)?) else {
        return None;
    };
    let nanos = match fraction {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let mut value = 0u32;
            for &d in digits {
                value = value * 10 + u32::from(digit(d)?);
            }
            value * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let number = |digits: &[u8]| {
        digits
            .iter()
            .try_fold(0u32, |value, &d| Some(value * 10 + u32::from(digit(d)?)))
    };
    let year = number(&[*y0, *y1, *y2, *y3])?;
    let (month, day) = (number(&[*mo0, *mo1])?, number(&[*d0, *d1])?);
    let (hour, minute, second) = (
        number(&[*h0, *h1])?,
        number(&[*mi0, *mi1])?,
        number(&[*s0, *s1])?,
    );
    // A leap second (60) is chrono's to read.
    if second > 59 {
        return None;
    }
    let naive = NaiveDate::from_ymd_opt(year as i32, month, day)?
        .and_hms_nano_opt(hour, minute, second, nanos)?;
    Some(naive.and_utc())
}

fn digit(byte: u8) -> Option<u8> {
    byte.is_ascii_digit().then(|| byte - b'0')
}

struct Timestamp;

impl Visitor<'_> for Timestamp {
    type Value = DateTime<Utc>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        // chrono's own words, so that an error reads as before.
        formatter.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        parse(value).map_err(E::custom)
    }
}

struct OptionalTimestamp;

impl<'de> Visitor<'de> for OptionalTimestamp {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an RFC 3339 formatted date and time string or none")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        required(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    const TEXTS: &[&str] = &[
        "2025-01-01T00:00:00.000Z",
        "2025-01-01T00:00:00Z",
        "2026-12-07T17:35:13.307383Z",
        "2026-12-07T17:35:13.1Z",
        "2026-12-07T17:35:13.123456789Z",
        "2026-12-07T17:35:13.1234567891Z",
        "2024-02-29T23:59:59.999Z",
        "2023-02-29T00:00:00Z",
        "2025-04-31T00:00:00Z",
        "2025-13-01T00:00:00Z",
        "2025-00-10T00:00:00Z",
        "2025-01-00T00:00:00Z",
        "2025-01-01T24:00:00Z",
        "2025-01-01T23:60:00Z",
        "2016-12-31T23:59:60Z",
        "2016-12-31T23:59:60.5Z",
        "2025-01-01t00:00:00z",
        "2025-01-01 00:00:00Z",
        "2025-01-01T00:00:00+01:00",
        "2025-01-01T00:00:00.5-05:30",
        "2025-01-01T00:00:00",
        "2025-01-01T00:00:00.Z",
        "2025-01-01T00:00:00.12a4Z",
        "2025-1-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "+2025-01-01T00:00:00Z",
        "20250101T000000Z",
        "2025-01-01T00:00:00ZZ",
        "",
        "Z",
        "2025-01-01T00:00:00.000Z ",
        " 2025-01-01T00:00:00.000Z",
        "２０２５-01-01T00:00:00Z",
    ];

    #[test]
    fn should_read_every_text_as_chrono_reads_it() {
        let mut fast = 0;
        for text in TEXTS {
            let chrono_says = text.parse::<DateTime<Utc>>();
            assert_eq!(parse(text), chrono_says, "{text:?}");
            fast += usize::from(seams_shape(text.as_bytes()).is_some());
        }
        // The comparison covers the fast path, not only chrono against itself.
        assert_eq!(fast, 8);
    }

    #[derive(Deserialize)]
    struct Both {
        #[serde(default, deserialize_with = "optional")]
        at: Option<DateTime<Utc>>,
        #[serde(deserialize_with = "required")]
        occurred_at: DateTime<Utc>,
    }

    #[derive(Deserialize)]
    struct ChronoBoth {
        #[serde(default)]
        at: Option<DateTime<Utc>>,
        occurred_at: DateTime<Utc>,
    }

    #[test]
    fn should_deserialize_as_chronos_own_implementation_does() {
        let documents = [
            r#"{"at":"2025-01-01T00:00:00.000Z","occurred_at":"2025-01-01T00:00:01Z"}"#,
            r#"{"at":null,"occurred_at":"2025-01-01T00:00:01+02:00"}"#,
            r#"{"occurred_at":"2025-01-01T00:00:01Z"}"#,
            r#"{"at":"2025-02-30T00:00:00Z","occurred_at":"2025-01-01T00:00:01Z"}"#,
            r#"{"at":"2025-01-01T00:00:00Z","occurred_at":null}"#,
            r#"{"at":5,"occurred_at":"2025-01-01T00:00:01Z"}"#,
            r#"{"at":"2025-01-01T00:00:00\u005a","occurred_at":"2025-01-01T00:00:01Z"}"#,
        ];
        for document in documents {
            let ours = serde_json::from_str::<Both>(document).map(|b| (b.at, b.occurred_at));
            let chrono =
                serde_json::from_str::<ChronoBoth>(document).map(|b| (b.at, b.occurred_at));
            match (ours, chrono) {
                (Ok(ours), Ok(chrono)) => assert_eq!(ours, chrono, "{document}"),
                (Err(_), Err(_)) => {}
                (ours, chrono) => panic!("{document}: ours {ours:?}, chrono {chrono:?}"),
            }
        }
    }
}
