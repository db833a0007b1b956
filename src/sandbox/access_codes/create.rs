//! `/access_codes/create`: one code on one device, online or offline, optionally backed by the
//! lock's backup pool.

use chrono::{DurationRound, TimeDelta};
use serde_json::{json, Value};

use super::super::model::{Model, Time};
use super::super::validation::Input;
use super::super::wire::{self, ApiError};
use super::checks::{check_pin, check_window, random_pin, CodeFields};
use super::errors::{backup_pool_check, capability_check, offline_capability_check};
use super::new_code::{attempt_value, insert_code, track_attempt, CodeOptions, NewCode};

/// `max_time_rounding` values and their unit (Seam accepts both spellings).
const ROUNDINGS: &[&str] = &["1hour", "1day", "1h", "1d"];

pub(crate) fn create(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let device_id = input.required_string("device_id");
    let mut fields = CodeFields::read(&mut input);
    let preferred = input.positive_int("preferred_code_length");
    let backup = input.boolean("use_backup_access_code_pool") == Some(true);
    let offline = input.boolean("is_offline_access_code") == Some(true)
        || input.boolean("use_offline_access_code") == Some(true);
    let one_time = input.boolean("is_one_time_use") == Some(true);
    let rounding = input.one_of("max_time_rounding", ROUNDINGS);
    input.check()?;
    let time_bound = fields.starts_at.is_some() || fields.ends_at.is_some();
    if backup && !time_bound {
        input.refine("Cannot use the backup pool for ongoing codes");
    }
    if offline {
        if !time_bound {
            input.refine(
                "Offline access codes must be time bound: starts_at and ends_at are required",
            );
        }
        if fields.pin.is_some() {
            input.refine("Cannot specify a code for an offline access code");
        }
        if backup {
            input.refine("Cannot use the backup pool for offline access codes");
        }
    } else {
        if rounding.is_some() {
            input.refine("max_time_rounding is only valid for offline access codes");
        }
        if one_time {
            input.refine("is_one_time_use is only valid for offline access codes");
        }
    }
    check_window(&mut input, fields.starts_at, fields.ends_at)?;
    if offline {
        let unit = match rounding.as_deref() {
            Some("1day" | "1d") => TimeDelta::days(1),
            _ => TimeDelta::hours(1),
        };
        fields.starts_at = fields.starts_at.map(|s| round_down(s, unit));
        fields.ends_at = fields.ends_at.map(|e| round_up(e, unit));
    }
    let device_id = device_id.unwrap_or_default();
    let device = m
        .device(ws, &device_id)
        .cloned()
        .ok_or_else(ApiError::device_not_found)?;
    if offline {
        offline_capability_check(&device)?;
    } else {
        capability_check(&device)?;
    }
    if backup {
        backup_pool_check(&device)?;
    }
    let pin = match fields.pin {
        Some(pin) => {
            let name = fields.name.as_deref();
            check_pin(m, &mut input, &device.device_id, &pin, None, name)?;
            pin
        }
        None => random_pin(m, &device, preferred)?,
    };
    let new_code = NewCode {
        device: &device,
        workspace_id: ws,
        name: fields.name,
        pin,
        starts_at: fields.starts_at,
        ends_at: fields.ends_at,
        common_code_key: None,
        options: CodeOptions {
            is_offline: offline,
            is_one_time_use: one_time,
            backup_available: backup,
        },
    };
    let idx = insert_code(m, now, new_code);
    let attempt = m.new_attempt(ws, "CREATE_ACCESS_CODE");
    let body = json!({
        "access_code": wire::access_code_json(&m.codes[idx]),
        "action_attempt": attempt_value(m, &attempt),
    });
    track_attempt(m, idx, &attempt, now);
    Ok(body)
}

/// The window's start, moved back to a whole hour or day (UTC).
fn round_down(t: Time, unit: TimeDelta) -> Time {
    t.duration_trunc(unit).unwrap_or(t)
}

/// The window's end, moved forward to a whole hour or day (UTC).
fn round_up(t: Time, unit: TimeDelta) -> Time {
    let down = round_down(t, unit);
    if down == t {
        t
    } else {
        down + unit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn should_round_an_offline_window_outward() {
        let t = Utc.with_ymd_and_hms(2030, 1, 2, 10, 20, 0).unwrap();
        let hour = TimeDelta::hours(1);
        let day = TimeDelta::days(1);
        assert_eq!(
            round_down(t, hour),
            Utc.with_ymd_and_hms(2030, 1, 2, 10, 0, 0).unwrap()
        );
        assert_eq!(
            round_up(t, hour),
            Utc.with_ymd_and_hms(2030, 1, 2, 11, 0, 0).unwrap()
        );
        assert_eq!(
            round_down(t, day),
            Utc.with_ymd_and_hms(2030, 1, 2, 0, 0, 0).unwrap()
        );
        assert_eq!(
            round_up(t, day),
            Utc.with_ymd_and_hms(2030, 1, 3, 0, 0, 0).unwrap()
        );
        let whole = Utc.with_ymd_and_hms(2030, 1, 2, 10, 0, 0).unwrap();
        assert_eq!(round_up(whole, hour), whole);
    }
}
