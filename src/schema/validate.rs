//! Input checks that run before any upstream call, so invalid input never reaches Seam.

use chrono::Utc;

use super::error::{GatewayError, GatewayResult};
use super::scalars::DateTime;
use crate::seam::wire::Device;
use crate::seam::Pin;

/// Longest id or key accepted (Seam's ids are UUIDs; this leaves room for any other scheme).
pub(super) const MAX_ID_LEN: usize = 255;
/// Most ids one list filter may name: one upstream page's worth.
pub(super) const MAX_IDS: usize = 500;

/// A non-empty id, trimmed, of at most [`MAX_ID_LEN`] characters.
pub(super) fn id(field: &str, value: &str) -> GatewayResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(GatewayError::bad_input(format!(
            "`{field}` must not be empty"
        )));
    }
    if v.len() > MAX_ID_LEN {
        return Err(GatewayError::bad_input(format!(
            "`{field}` is {} characters long; ids are at most {MAX_ID_LEN}",
            v.len()
        )));
    }
    Ok(v.to_owned())
}

/// A list of ids to filter by: 1 to [`MAX_IDS`] of them, each a valid id.
pub(super) fn id_list(field: &str, values: &[async_graphql::ID]) -> GatewayResult<Vec<String>> {
    if values.is_empty() {
        return Err(GatewayError::bad_input(format!(
            "`{field}` is empty; leave it out, or name at least one id"
        )));
    }
    if values.len() > MAX_IDS {
        return Err(GatewayError::bad_input(format!(
            "`{field}` names {} ids; at most {MAX_IDS} per request",
            values.len()
        )));
    }
    values.iter().map(|v| id(field, v)).collect()
}

/// A PIN: digits only, 4 to 12 of them. The device check comes later, once the device is known.
pub(super) fn pin(field: &str, value: &str) -> GatewayResult<Pin> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GatewayError::bad_input(format!(
            "`{field}` must contain digits only (0-9)"
        )));
    }
    if !(4..=12).contains(&value.len()) {
        return Err(GatewayError::bad_input(format!(
            "`{field}` must be 4 to 12 digits long, got {}",
            value.len()
        )));
    }
    Ok(Pin::new(value))
}

/// `code` or `preferredCodeLength` (at most one), each checked.
pub(super) fn pin_choice(
    code: Option<&str>,
    preferred: Option<i32>,
) -> GatewayResult<(Option<Pin>, Option<u32>)> {
    if code.is_some() && preferred.is_some() {
        return Err(GatewayError::bad_input(
            "Give `code` or `preferredCodeLength`, not both",
        ));
    }
    let code = code.map(|c| pin("code", c)).transpose()?;
    let preferred = preferred
        .map(|l| code_length("preferredCodeLength", l))
        .transpose()?;
    Ok((code, preferred))
}

pub(super) fn code_length(field: &str, value: i32) -> GatewayResult<u32> {
    if !(4..=12).contains(&value) {
        return Err(GatewayError::bad_input(format!(
            "`{field}` must be between 4 and 12, got {value}"
        )));
    }
    Ok(value as u32)
}

/// A name, if given: not blank, at most 200 characters.
pub(super) fn name(value: Option<String>) -> GatewayResult<Option<String>> {
    match value {
        Some(n) if n.trim().is_empty() => Err(GatewayError::bad_input("`name` must not be blank")),
        Some(n) if n.chars().count() > 200 => Err(GatewayError::bad_input(
            "`name` must be at most 200 characters",
        )),
        other => Ok(other),
    }
}

/// A time window: both ends or neither; `startsAt` before `endsAt`; `endsAt` in the future.
pub(super) fn window(
    starts_at: Option<DateTime>,
    ends_at: Option<DateTime>,
) -> GatewayResult<Option<(DateTime, DateTime)>> {
    match (starts_at, ends_at) {
        (None, None) => Ok(None),
        (Some(_), None) | (None, Some(_)) => Err(GatewayError::bad_input(
            "Give both `startsAt` and `endsAt` for a time-bound code, or neither for an ongoing code",
        )),
        (Some(s), Some(e)) => {
            if s >= e {
                return Err(GatewayError::bad_input("`startsAt` must be before `endsAt`"));
            }
            if e.0 <= Utc::now() {
                return Err(GatewayError::bad_input("`endsAt` is in the past; the code would never work"));
            }
            Ok(Some((s, e)))
        }
    }
}

/// PIN lengths this device accepts, if it states them.
pub(super) fn supported_lengths(device: &Device) -> Option<&[u32]> {
    device
        .properties
        .supported_code_lengths
        .as_deref()
        .filter(|l| !l.is_empty())
}

/// Whether a PIN of `len` digits fits the device.
pub(super) fn length_fits(device: &Device, len: u32) -> bool {
    supported_lengths(device).is_none_or(|l| l.contains(&len))
}

/// Refuses a PIN the device is known to reject: a length it does not accept, or one of its code
/// constraints (`no_zeros`, `cannot_start_with_12`, ...), so Seam is not asked in vain.
pub(super) fn pin_fits(device: &Device, pin: &Pin) -> GatewayResult<()> {
    let len = pin.digits() as u32;
    if !length_fits(device, len) {
        return Err(GatewayError::bad_input(format!(
            "`code` has {len} digits, but device `{}` accepts PINs of {}",
            device.device_id,
            describe_lengths(device)
        )));
    }
    let constraints = device.properties.code_constraints.iter().flatten();
    for c in constraints {
        if breaks_constraint(pin.as_str(), &c.constraint_type) {
            return Err(GatewayError::bad_input(format!(
                "`code` breaks the PIN rule `{}` of device `{}`; choose another PIN",
                c.constraint_type, device.device_id
            )));
        }
    }
    Ok(())
}

/// Whether `pin` breaks one of Seam's PIN constraint types (unknown types are left to Seam).
fn breaks_constraint(pin: &str, constraint: &str) -> bool {
    let digits: Vec<i32> = pin.bytes().map(|b| i32::from(b - b'0')).collect();
    let steps = |step: i32| digits.windows(2).all(|w| w[1] - w[0] == step);
    match constraint {
        "no_zeros" => pin.contains('0'),
        "cannot_start_with_12" => pin.starts_with("12"),
        "no_triple_consecutive_ints" => digits
            .windows(3)
            .any(|w| (w[1] - w[0]).abs() == 1 && w[2] - w[1] == w[1] - w[0]),
        "no_ascending_or_descending_sequence" => digits.len() > 1 && (steps(1) || steps(-1)),
        "at_least_three_unique_digits" => {
            let mut unique = digits.clone();
            unique.sort_unstable();
            unique.dedup();
            unique.len() < 3
        }
        "no_all_same_digits" => steps(0),
        "cannot_contain_089" => pin.contains(['0', '8', '9']),
        "cannot_contain_0789" => pin.contains(['0', '7', '8', '9']),
        _ => false,
    }
}

/// The device's PIN lengths in words, for error messages.
pub(super) fn describe_lengths(device: &Device) -> String {
    match supported_lengths(device) {
        Some(l) => {
            let l: Vec<String> = l.iter().map(u32::to_string).collect();
            format!("{} digits", l.join(" or "))
        }
        None => "any length".into(),
    }
}

/// The device can take online access codes.
pub(super) fn can_program_online_codes(device: &Device) -> bool {
    device.can_program_online_access_codes == Some(true)
        || (device.can_program_online_access_codes.is_none()
            && device
                .capabilities_supported
                .iter()
                .any(|c| c == "access_code"))
}

#[cfg(test)]
mod tests {
    use super::breaks_constraint;

    #[test]
    fn should_know_seams_pin_constraints() {
        assert!(breaks_constraint("105938", "no_zeros"));
        assert!(!breaks_constraint("115938", "no_zeros"));
        assert!(breaks_constraint("1297", "cannot_start_with_12"));
        assert!(breaks_constraint("4561", "no_triple_consecutive_ints"));
        assert!(breaks_constraint("9871", "no_triple_consecutive_ints"));
        assert!(!breaks_constraint("4571", "no_triple_consecutive_ints"));
        assert!(breaks_constraint(
            "3456",
            "no_ascending_or_descending_sequence"
        ));
        assert!(!breaks_constraint(
            "3457",
            "no_ascending_or_descending_sequence"
        ));
        assert!(breaks_constraint("1121", "at_least_three_unique_digits"));
        assert!(breaks_constraint("7777", "no_all_same_digits"));
        assert!(breaks_constraint("1238", "cannot_contain_089"));
        assert!(breaks_constraint("1237", "cannot_contain_0789"));
        assert!(!breaks_constraint("1234", "some_future_rule"));
    }
}
