//! What a lock accepts: its online-code capability, PIN lengths and PIN rules, and whether a group
//! of locks can share one PIN. Checked before Seam is called, so a request Seam would refuse is
//! refused here with a message that names the lock.

use std::collections::HashSet;
use std::sync::Arc;

use crate::error::{ErrorCode, GatewayError, GatewayResult};
use crate::seam::wire::Device;
use crate::seam::Pin;

/// PIN lengths this device accepts, if it states them.
pub(crate) fn supported_lengths(device: &Device) -> Option<&[u32]> {
    device
        .properties
        .supported_code_lengths
        .as_deref()
        .filter(|l| !l.is_empty())
}

/// Whether a PIN of `len` digits fits the device.
pub(crate) fn length_fits(device: &Device, len: u32) -> bool {
    supported_lengths(device).is_none_or(|l| l.contains(&len))
}

/// Refuses a PIN the device is known to reject: a length it does not accept, or one of its code
/// constraints (`no_zeros`, `cannot_start_with_12`, ...), so Seam is not asked in vain.
pub(crate) fn pin_fits(device: &Device, pin: &Pin) -> GatewayResult<()> {
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
pub(crate) fn describe_lengths(device: &Device) -> String {
    match supported_lengths(device) {
        Some(l) => {
            let l: Vec<String> = l.iter().map(u32::to_string).collect();
            format!("{} digits", l.join(" or "))
        }
        None => "any length".into(),
    }
}

/// The device can take online access codes.
pub(crate) fn can_program_online_codes(device: &Device) -> bool {
    device.can_program_online_access_codes == Some(true)
        || (device.can_program_online_access_codes.is_none()
            && device
                .capabilities_supported
                .iter()
                .any(|c| c == "access_code"))
}

pub(crate) fn require_online_codes(device: &Device) -> GatewayResult<()> {
    if can_program_online_codes(device) {
        return Ok(());
    }
    Err(GatewayError::new(
        ErrorCode::CapabilityMissing,
        format!(
            "Device `{}` cannot program online access codes (canProgramOnlineAccessCodes is false); choose another lock",
            device.device_id
        ),
    ))
}

/// Refuses, before calling Seam, a shared PIN that some lock cannot take.
pub(crate) fn check_code_can_be_shared(
    devices: &[&Arc<Device>],
    len: Option<u32>,
) -> GatewayResult<()> {
    let cannot = |reason: String| {
        Err(GatewayError::new(
            ErrorCode::CodeCannotBeShared,
            format!("{reason}; use `behaviorWhenCodeCannotBeShared: CREATE_RANDOM_CODE` to give such locks their own PIN"),
        ))
    };
    match len {
        Some(len) => {
            let misfits: Vec<String> = devices
                .iter()
                .filter(|d| !length_fits(d, len))
                .map(|d| format!("`{}` ({})", d.device_id, describe_lengths(d)))
                .collect();
            if misfits.is_empty() {
                Ok(())
            } else {
                cannot(format!(
                    "A {len}-digit PIN cannot be shared: {} cannot take it",
                    misfits.join(", ")
                ))
            }
        }
        None => {
            let mut common: Option<HashSet<u32>> = None;
            for d in devices {
                if let Some(lengths) = supported_lengths(d) {
                    let lengths: HashSet<u32> = lengths.iter().copied().collect();
                    common = Some(match common {
                        Some(c) => c.intersection(&lengths).copied().collect(),
                        None => lengths,
                    });
                }
            }
            match common {
                Some(c) if c.is_empty() => {
                    cannot("These locks have no PIN length in common".into())
                }
                _ => Ok(()),
            }
        }
    }
}

/// Refuses, before calling Seam, a shared PIN that breaks some lock's PIN rules.
pub(crate) fn check_rules_can_be_shared(devices: &[&Arc<Device>], code: &Pin) -> GatewayResult<()> {
    for device in devices {
        if let Err(e) = pin_fits(device, code) {
            return Err(GatewayError::new(
                ErrorCode::CodeCannotBeShared,
                format!(
                    "{}; use `behaviorWhenCodeCannotBeShared: CREATE_RANDOM_CODE` to give such locks their own PIN",
                    e.message
                ),
            ));
        }
    }
    Ok(())
}

pub(crate) fn quote_list(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
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
