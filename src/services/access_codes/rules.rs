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
        // The lock's provider chooses every PIN.
        "cannot_specify_pin_code" => true,
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

/// The device can take online access codes. A flag Seam leaves out means "cannot" (Seam's own fake
/// omits it on a thermostat), as `Device.canProgramOnlineAccessCodes` shows it.
pub(crate) fn can_program_online_codes(device: &Device) -> bool {
    device.can_program_online_access_codes == Some(true)
}

/// The device can take offline (algorithmic) access codes; an absent flag means "cannot".
pub(crate) fn can_program_offline_codes(device: &Device) -> bool {
    device.can_program_offline_access_codes == Some(true)
}

/// The device keeps a pool of backup codes; an absent flag means "does not".
pub(crate) fn supports_backup_pool(device: &Device) -> bool {
    device.properties.supports_backup_access_code_pool == Some(true)
}

fn missing(device: &Device, what: &str, flag: &str) -> GatewayError {
    GatewayError::new(
        ErrorCode::CapabilityMissing,
        format!(
            "Device `{}` cannot {what} ({flag} is false); choose another lock",
            device.device_id
        ),
    )
}

pub(crate) fn require_online_codes(device: &Device) -> GatewayResult<()> {
    if can_program_online_codes(device) {
        return Ok(());
    }
    Err(missing(
        device,
        "program online access codes",
        "canProgramOnlineAccessCodes",
    ))
}

/// What kind of code a create asks for, as far as the lock's capabilities are concerned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CodeKind {
    pub(crate) offline: bool,
    pub(crate) backup_pool: bool,
}

/// The lock can hold this kind of code: online or offline, with a backup pool if asked for.
pub(crate) fn require_capability(device: &Device, kind: CodeKind) -> GatewayResult<()> {
    if kind.offline {
        if !can_program_offline_codes(device) {
            return Err(missing(
                device,
                "program offline access codes",
                "canProgramOfflineAccessCodes",
            ));
        }
    } else {
        require_online_codes(device)?;
    }
    if kind.backup_pool && !supports_backup_pool(device) {
        return Err(missing(
            device,
            "keep a backup access code pool",
            "supportsBackupAccessCodePool",
        ));
    }
    Ok(())
}

/// How far Seam may move an offline code's window to fit the lock's provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TimeRounding {
    /// Hourly-bound: `startsAt` and `endsAt` on the hour.
    Hour,
    /// Daily-bound: whole days.
    Day,
}

impl TimeRounding {
    pub(crate) fn as_wire(self) -> &'static str {
        match self {
            TimeRounding::Hour => "1hour",
            TimeRounding::Day => "1day",
        }
    }
}

/// The options of a new code that only some codes may have, checked against each other and the
/// window before anything is asked of Seam (the guides' rules for offline and backup-pool codes).
pub(crate) struct CodeOptions<'a> {
    pub(crate) is_offline: bool,
    pub(crate) max_time_rounding: Option<TimeRounding>,
    pub(crate) is_one_time_use: bool,
    pub(crate) use_backup_pool: bool,
    pub(crate) time_bound: bool,
    pub(crate) custom_code: Option<&'a Pin>,
}

pub(crate) fn check_code_options(o: &CodeOptions<'_>) -> GatewayResult<()> {
    if !o.is_offline {
        if o.max_time_rounding.is_some() {
            return Err(GatewayError::bad_input(
                "`maxTimeRounding` applies to offline codes only; set `isOfflineAccessCode: true` or leave it out",
            ));
        }
        if o.is_one_time_use {
            return Err(GatewayError::bad_input(
                "`isOneTimeUse` applies to offline codes only; set `isOfflineAccessCode: true` or leave it out",
            ));
        }
    }
    if o.is_offline {
        if !o.time_bound {
            return Err(GatewayError::bad_input(
                "Offline access codes must be time-bound: give `startsAt` and `endsAt`",
            ));
        }
        if o.custom_code.is_some() {
            return Err(GatewayError::bad_input(
                "An offline code's PIN is generated by the lock's provider; leave `code` out",
            ));
        }
        if o.use_backup_pool {
            return Err(GatewayError::bad_input(
                "The backup access code pool serves online codes; leave `useBackupAccessCodePool` out of an offline code",
            ));
        }
    }
    if o.use_backup_pool && !o.time_bound {
        return Err(GatewayError::bad_input(
            "The backup access code pool is for time-bound codes only: give `startsAt` and `endsAt`",
        ));
    }
    Ok(())
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
    use super::*;

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
        assert!(breaks_constraint("4829", "cannot_specify_pin_code"));
    }

    fn options(is_offline: bool, time_bound: bool) -> CodeOptions<'static> {
        CodeOptions {
            is_offline,
            max_time_rounding: None,
            is_one_time_use: false,
            use_backup_pool: false,
            time_bound,
            custom_code: None,
        }
    }

    #[test]
    fn must_refuse_an_ongoing_offline_code() {
        assert!(check_code_options(&options(true, false)).is_err());
        assert!(check_code_options(&options(true, true)).is_ok());
    }

    #[test]
    fn must_refuse_offline_only_options_on_an_online_code() {
        let mut o = options(false, true);
        o.max_time_rounding = Some(TimeRounding::Day);
        assert!(check_code_options(&o).is_err());
        let mut o = options(false, true);
        o.is_one_time_use = true;
        assert!(check_code_options(&o).is_err());
    }

    #[test]
    fn must_refuse_the_backup_pool_for_ongoing_codes() {
        let mut o = options(false, false);
        o.use_backup_pool = true;
        assert!(check_code_options(&o).is_err());
        o.time_bound = true;
        assert!(check_code_options(&o).is_ok());
    }

    #[test]
    fn should_treat_an_absent_capability_flag_as_not_capable() {
        let device: Device = serde_json::from_value(serde_json::json!({
            "device_id": "ecobee_device_1", "capabilities_supported": ["lock", "access_code"]
        }))
        .expect("device");
        assert!(!can_program_online_codes(&device));
        assert!(!can_program_offline_codes(&device));
        assert!(require_capability(&device, CodeKind::default()).is_err());
    }
}
