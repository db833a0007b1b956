//! A door PIN. It travels to and from Seam and out to the GraphQL client, but `Debug` never shows it,
//! so no trace, log line or error built with `{:?}` can leak it.

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Replaces every standalone run of 4 or more digits in an upstream message with `[redacted]`.
/// Seam echoes PINs in some messages ("Cannot set duplicate access code 1234 named dup"); ids are
/// left alone because their digit runs touch letters or dashes.
pub fn redact_pins(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let mut out = String::with_capacity(message.len());
    let mut i = 0;
    let joins =
        |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_');
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let standalone =
                !joins(start.checked_sub(1).and_then(|p| chars.get(p))) && !joins(chars.get(i));
            if i - start >= 4 && standalone {
                out.push_str("[redacted]");
            } else {
                out.extend(&chars[start..i]);
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
