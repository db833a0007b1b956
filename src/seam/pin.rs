//! A door PIN. It travels to and from Seam and out to the GraphQL client, but `Debug` never shows it,
//! so no trace, log line or error built with `{:?}` can leak it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pin(String);

impl Pin {
    pub fn new(digits: impl Into<String>) -> Self {
        Self(digits.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Number of digits.
    pub fn digits(&self) -> usize {
        self.0.len()
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin([redacted])")
    }
}

const REDACTED: &str = "[redacted]";

/// The shortest digit run treated as a PIN (locks take 4 to 12 digits).
const MIN_PIN_DIGITS: usize = 4;

/// Replaces every run of 4 or more digits in an upstream string with `[redacted]`, wherever it sits:
/// Seam echoes PINs in messages, glued to words (`code_482913`, `482913x`) as often as standalone.
/// Only tokens that cannot be PINs keep their digits: UUIDs (Seam's ids embed them) and ISO-8601
/// dates and times. Ids like `ws1_lock_4digit` keep theirs too, their runs being shorter than 4.
pub fn redact_pins(text: &str) -> String {
    if !has_digit_run(text.as_bytes(), MIN_PIN_DIGITS) {
        return text.to_owned();
    }
    // Works on bytes: every byte it looks for is ASCII, so every cut falls on a char boundary.
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        if starts_token(bytes, i) {
            if let Some(len) = exempt_len(&bytes[i..]) {
                i += len;
                continue;
            }
        }
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let run = digits_at(&bytes[i..]);
        if run >= MIN_PIN_DIGITS {
            out.push_str(&text[copied..i]);
            out.push_str(REDACTED);
            copied = i + run;
        }
        i += run;
    }
    out.push_str(&text[copied..]);
    out
}

/// [`redact_pins`], then every occurrence of a PIN the gateway itself sent, whatever its length or
/// surroundings (inside a UUID too: a mangled id is better than a leaked PIN).
pub(super) fn redact_pin(text: &str, pin: Option<&Pin>) -> String {
    let text = redact_pins(text);
    match pin.map(Pin::as_str) {
        Some(pin) if !pin.is_empty() && text.contains(pin) => text.replace(pin, REDACTED),
        _ => text,
    }
}

/// Applies `scrub` to every string, object key and number inside a JSON value (a number is
/// replaced by the scrubbed text when scrubbing changes it, so `{"code": 482913}` leaks nothing).
pub(super) fn scrub_json(value: &Value, scrub: &impl Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(scrub(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| scrub_json(v, scrub)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (scrub(k), scrub_json(v, scrub)))
                .collect(),
        ),
        Value::Number(n) => {
            let text = n.to_string();
            let scrubbed = scrub(&text);
            if scrubbed == text {
                value.clone()
            } else {
                Value::String(scrubbed)
            }
        }
        Value::Null | Value::Bool(_) => value.clone(),
    }
}

/// True when `bytes` holds `min` or more consecutive ASCII digits: the common case, no PIN-like
/// run at all, then costs one scan and one copy.
fn has_digit_run(bytes: &[u8], min: usize) -> bool {
    let mut run = 0;
    for b in bytes {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= min {
            return true;
        }
    }
    false
}

/// True at the first byte of a word: an exempt token must start there, not inside a longer word.
fn starts_token(bytes: &[u8], i: usize) -> bool {
    bytes[i].is_ascii_hexdigit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
}

/// Length of the UUID or ISO-8601 date/time `s` starts with, if it starts with one.
fn exempt_len(s: &[u8]) -> Option<usize> {
    uuid_len(s).or_else(|| iso_date_time_len(s))
}

fn digits_at(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// 8-4-4-4-12 hex digits, not followed by more of the same word.
fn uuid_len(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    for (n, group) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if n > 0 {
            (s.get(i) == Some(&b'-')).then_some(())?;
            i += 1;
        }
        let hex = s.get(i..i + group)?;
        hex.iter().all(u8::is_ascii_hexdigit).then_some(())?;
        i += group;
    }
    ends_word(s, i).then_some(i)
}

/// `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and a `Z` or `±HH[:]MM` offset.
fn iso_date_time_len(s: &[u8]) -> Option<usize> {
    let mut i = number(s, 0, 4, 0..=9999)?;
    i = number(s, expect(s, i, b'-')?, 2, 1..=12)?;
    i = number(s, expect(s, i, b'-')?, 2, 1..=31)?;
    if let Some(t) = expect(s, i, b'T') {
        if let Some(end) = time_len(s, t) {
            i = end;
        }
    }
    (!s.get(i).is_some_and(u8::is_ascii_digit)).then_some(i)
}

/// `HH:MM[:SS[.fff]][Z|±HH[:]MM]` starting at `i`; returns where it ends.
fn time_len(s: &[u8], i: usize) -> Option<usize> {
    let mut i = number(s, i, 2, 0..=23)?;
    i = number(s, expect(s, i, b':')?, 2, 0..=59)?;
    if let Some(sec) = expect(s, i, b':').and_then(|c| number(s, c, 2, 0..=60)) {
        i = sec;
        if let Some(dot) = expect(s, i, b'.') {
            let fraction = digits_at(&s[dot..]);
            if fraction > 0 {
                i = dot + fraction;
            }
        }
    }
    if s.get(i) == Some(&b'Z') {
        return Some(i + 1);
    }
    if let Some(sign) = expect(s, i, b'+').or_else(|| expect(s, i, b'-')) {
        if let Some(hours) = number(s, sign, 2, 0..=23) {
            let minutes = expect(s, hours, b':').unwrap_or(hours);
            if let Some(end) = number(s, minutes, 2, 0..=59) {
                return Some(end);
            }
        }
    }
    Some(i)
}

/// Where `s[i]` is `byte`, the index after it.
fn expect(s: &[u8], i: usize, byte: u8) -> Option<usize> {
    (s.get(i) == Some(&byte)).then_some(i + 1)
}

/// Exactly `width` digits at `i` whose value lies in `range`; returns the index after them.
fn number(s: &[u8], i: usize, width: usize, range: std::ops::RangeInclusive<u32>) -> Option<usize> {
    let digits = s.get(i..i + width)?;
    digits.iter().all(u8::is_ascii_digit).then_some(())?;
    let value = digits
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    range.contains(&value).then_some(i + width)
}

fn ends_word(s: &[u8], i: usize) -> bool {
    !s.get(i).is_some_and(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_redact_pins_but_not_ids() {
        assert_eq!(
            redact_pins("Cannot set duplicate access code 1234 named dup"),
            "Cannot set duplicate access code [redacted] named dup"
        );
        let id = "auto_set_by_create_multiple_ba3a361f-4acb-4122-9cce-12b164e70554";
        assert_eq!(redact_pins(id), id);
        assert_eq!(redact_pins("code \"98765\"."), "code \"[redacted]\".");
        assert_eq!(format!("{:?}", Pin::new("1234")), "Pin([redacted])");
    }

    #[test]
    fn should_redact_pins_glued_to_words() {
        assert_eq!(
            redact_pins("code_482913 is invalid; PIN:482913x rejected"),
            "code_[redacted] is invalid; PIN:[redacted]x rejected"
        );
        assert_eq!(redact_pins("pin-1234-end"), "pin-[redacted]-end");
        assert_eq!(redact_pins("a123456789012b"), "a[redacted]b");
        assert_eq!(redact_pins("12345678-1234"), "[redacted]-[redacted]");
    }

    #[test]
    fn should_keep_uuids_dates_and_short_runs() {
        for kept in [
            "ba3a361f-4acb-4122-9cce-12b164e70554",
            "device 12345678-1234-1234-1234-123456789012 gone",
            "starts 2026-11-24T10:00:00.000Z, ends 2026-11-24",
            "at 2026-11-24T10:00:00+01:00 or 2026-11-24T10:00Z or 2026-11-24T10:00:00.123456Z",
            "ws1_lock_4digit harness_lock_4to8 code of 123 digits",
            "ws1_lock_4digit since 2026-11-24",
            "",
            "äöü 12 ß",
        ] {
            assert_eq!(redact_pins(kept), kept);
        }
    }

    #[test]
    fn should_redact_what_only_looks_like_a_uuid_or_a_date() {
        // One hex digit short, one too many, a 13th month: none of them is exempt.
        assert_eq!(
            redact_pins("1234567-1234-1234-1234-123456789012"),
            "[redacted]-[redacted]-[redacted]-[redacted]-[redacted]"
        );
        assert_eq!(
            redact_pins("x12345678-1234-1234-1234-123456789012"),
            "x[redacted]-[redacted]-[redacted]-[redacted]-[redacted]"
        );
        assert_eq!(redact_pins("2026-13-24"), "[redacted]-13-24");
        assert_eq!(redact_pins("2026-11-2412"), "[redacted]-11-[redacted]");
        assert_eq!(redact_pins("é482913ü"), "é[redacted]ü");
    }

    #[test]
    fn should_redact_a_known_pin_of_any_shape() {
        let pin = Pin::new("123");
        assert_eq!(
            redact_pin("x123y 1234", Some(&pin)),
            "x[redacted]y [redacted]"
        );
        assert_eq!(redact_pin("x123y", None), "x123y");
        assert_eq!(redact_pin("x123y", Some(&Pin::new(""))), "x123y");
    }

    #[test]
    fn should_scrub_every_string_key_and_number_of_json() {
        let v = json!({
            "code": {"_errors": ["482913 is not allowed"]},
            "482913": [482913, 12, true, null, "ba3a361f-4acb-4122-9cce-12b164e70554"],
        });
        assert_eq!(
            scrub_json(&v, &redact_pins),
            json!({
                "code": {"_errors": ["[redacted] is not allowed"]},
                "[redacted]": ["[redacted]", 12, true, null, "ba3a361f-4acb-4122-9cce-12b164e70554"],
            })
        );
    }
}
