//! Input checks that run before any upstream call, so invalid input never reaches Seam.

use chrono::Utc;

use super::error::{GatewayError, GatewayResult};
use super::scalars::DateTime;
use crate::seam::Pin;
use crate::services::access_codes::check_window;

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
) -> GatewayResult<Option<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)>> {
    match (starts_at, ends_at) {
        (None, None) => Ok(None),
        (Some(_), None) | (None, Some(_)) => Err(GatewayError::bad_input(
            "Give both `startsAt` and `endsAt` for a time-bound code, or neither for an ongoing code",
        )),
        (Some(s), Some(e)) => {
            check_window(s.0, e.0)?;
            Ok(Some((s.0, e.0)))
        }
    }
}
