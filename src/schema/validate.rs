//! Input checks that run before any upstream call, so invalid input never reaches Seam.

use chrono::Utc;

use super::error::{GatewayError, GatewayResult};
use super::scalars::DateTime;
use crate::seam::wire::Device;
use crate::seam::Pin;

/// A non-empty id, trimmed.
pub(super) fn id(field: &str, value: &str) -> GatewayResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(GatewayError::bad_input(format!(
            "`{field}` must not be empty"
        )));
    }
    Ok(v.to_owned())
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
