//! `/access_codes/create_multiple`: one code per device, sharing one PIN where the devices allow.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::super::model::{Device, Model, Time};
use super::super::pins;
use super::super::validation::Input;
use super::super::wire::{self, ApiError};
use super::checks::{check_window, random_pin, CodeFields};
use super::errors::{bad_code, cannot_share, capability_check, duplicate};
use super::new_code::{insert_code, NewCode};

pub(crate) fn create_multiple(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let device_ids = input.string_list("device_ids");
    if !input.has("device_ids") {
        input.field_error("device_ids", "Required");
    }
    let behavior = input.one_of(
        "behavior_when_code_cannot_be_shared",
        &["throw", "create_random_code"],
    );
    let fields = CodeFields::read(&mut input);
    let preferred = input.positive_int("preferred_code_length");
    input.check()?;
    check_window(&mut input, fields.starts_at, fields.ends_at)?;
    let devices = programmable_devices(m, ws, device_ids.unwrap_or_default())?;
    if devices.is_empty() {
        return Ok(json!({ "access_codes": [] }));
    }
    let (shared, common_code_key) = pin_shares(m, &mut input, &devices, &fields, preferred)?;
    check_sharable(&devices, &shared, behavior.as_deref())?;
    let mut pins = Vec::new();
    for (d, pin) in devices.iter().zip(shared) {
        pins.push(match pin {
            Some(pin) => pin,
            None => random_pin(m, d, preferred)?,
        });
    }
    let mut out = Vec::new();
    for (d, pin) in devices.iter().zip(pins) {
        let new_code = NewCode {
            device: d,
            workspace_id: ws,
            name: fields.name.clone(),
            pin,
            starts_at: fields.starts_at,
            ends_at: fields.ends_at,
            common_code_key: common_code_key.clone(),
            options: Default::default(),
        };
        let idx = insert_code(m, now, new_code);
        out.push(wire::access_code_json(&m.codes[idx]));
    }
    Ok(json!({ "access_codes": out }))
}

/// The requested devices, each once and in request order; all must exist and program codes online.
fn programmable_devices(m: &Model, ws: &str, ids: Vec<String>) -> Result<Vec<Device>, ApiError> {
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    let mut devices = Vec::new();
    for id in &unique {
        let d = m
            .device(ws, id)
            .cloned()
            .ok_or_else(|| ApiError::device_not_found().with_data(json!({ "device_id": id })))?;
        capability_check(&d)?;
        devices.push(d);
    }
    Ok(devices)
}

/// Which devices get the shared PIN, and the key that groups the codes (generated PINs only).
fn pin_shares(
    m: &Model,
    input: &mut Input,
    devices: &[Device],
    fields: &CodeFields,
    preferred: Option<usize>,
) -> Result<(Vec<Option<String>>, Option<String>), ApiError> {
    match &fields.pin {
        Some(pin) => {
            let shares = client_pin_shares(m, input, devices, pin, fields.name.as_deref())?;
            Ok((shares, None))
        }
        None => {
            let key = format!("auto_set_by_create_multiple_{}", uuid::Uuid::new_v4());
            Ok((generated_pin_shares(m, devices, preferred), Some(key)))
        }
    }
}

/// Devices left without the shared PIN get a random one only if the client asked for that.
fn check_sharable(
    devices: &[Device],
    shares: &[Option<String>],
    behavior: Option<&str>,
) -> Result<(), ApiError> {
    let unsharable: Vec<String> = devices
        .iter()
        .zip(shares)
        .filter(|(_, p)| p.is_none())
        .map(|(d, _)| d.device_id.clone())
        .collect();
    if !unsharable.is_empty() && behavior != Some("create_random_code") {
        return Err(cannot_share(&unsharable));
    }
    Ok(())
}

/// The client's PIN for every device it suits (`None` elsewhere); a clash on any device fails.
fn client_pin_shares(
    m: &Model,
    input: &mut Input,
    devices: &[Device],
    pin: &str,
    name: Option<&str>,
) -> Result<Vec<Option<String>>, ApiError> {
    if !pin.bytes().all(|b| b.is_ascii_digit()) || pin.is_empty() {
        return Err(bad_code(input, "Code must contain only digits".into()));
    }
    let mut shares = vec![None; devices.len()];
    for (share, d) in shares.iter_mut().zip(devices) {
        if pins::pin_problem(d, pin).is_none() {
            if m.pin_taken(&d.device_id, pin, None) {
                return Err(duplicate(pin, name));
            }
            *share = Some(pin.to_string());
        }
    }
    Ok(shares)
}

/// One generated PIN for every device that supports the shared length (`None` elsewhere).
fn generated_pin_shares(
    m: &Model,
    devices: &[Device],
    preferred: Option<usize>,
) -> Vec<Option<String>> {
    let len = shared_length(devices, preferred);
    let fitting: Vec<(&Device, Vec<String>)> = devices
        .iter()
        .filter(|d| pins::allowed_lengths(d).contains(&len))
        .map(|d| (d, m.pins_on(&d.device_id)))
        .collect();
    let Some(pin) = pins::generate(len, &fitting) else {
        return vec![None; devices.len()];
    };
    devices
        .iter()
        .map(|d| {
            fitting
                .iter()
                .any(|(f, _)| f.device_id == d.device_id)
                .then(|| pin.clone())
        })
        .collect()
}

/// The PIN length a group shares: the preferred one, else one every device supports (4 first),
/// else the length most devices support.
fn shared_length(devices: &[Device], preferred: Option<usize>) -> usize {
    if let Some(p) = preferred {
        return p;
    }
    let mut support: BTreeMap<usize, usize> = BTreeMap::new();
    for d in devices {
        for l in pins::allowed_lengths(d) {
            *support.entry(l).or_insert(0) += 1;
        }
    }
    let best = support.values().copied().max().unwrap_or(0);
    if support.get(&4) == Some(&best) {
        return 4;
    }
    support
        .iter()
        .find(|(_, n)| **n == best)
        .map(|(l, _)| *l)
        .unwrap_or(4)
}
