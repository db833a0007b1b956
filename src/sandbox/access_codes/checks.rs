//! Input fields and checks shared by the access-code handlers.

use super::super::model::{Device, Model, Status, Time};
use super::super::pins;
use super::super::validation::Input;
use super::super::wire::ApiError;
use super::errors::{bad_code, duplicate, no_pin_available};

/// The fields a code is created or updated with.
pub(super) struct CodeFields {
    pub(super) name: Option<String>,
    pub(super) pin: Option<String>,
    pub(super) starts_at: Option<Time>,
    pub(super) ends_at: Option<Time>,
}

impl CodeFields {
    /// Reads `name`, `code`, `starts_at`, `ends_at` in that order, which decides the first error.
    pub(super) fn read(input: &mut Input) -> Self {
        Self {
            name: input.string("name"),
            pin: input.string("code"),
            starts_at: input.datetime("starts_at"),
            ends_at: input.datetime("ends_at"),
        }
    }
}

/// `access_code_id` (required), and the `device_id` Seam accepts beside it: type-checked, unused.
pub(super) fn read_code_id(input: &mut Input) -> Option<String> {
    let id = input.required_string("access_code_id");
    let _device_id = input.string("device_id");
    id
}

/// Both-or-neither and `ends_at > starts_at`.
pub(super) fn check_window(
    input: &mut Input,
    starts_at: Option<Time>,
    ends_at: Option<Time>,
) -> Result<(), ApiError> {
    match (starts_at, ends_at) {
        (Some(s), Some(e)) if e <= s => input.refine("ends_at must be later than starts_at"),
        (Some(_), None) | (None, Some(_)) => {
            input.refine("Both starts_at and ends_at must be provided if one is")
        }
        _ => {}
    }
    input.check()
}

/// A client-chosen PIN must suit the device (when it still exists) and be free on it.
/// `except`: the code being updated, whose own PIN does not count as taken.
pub(super) fn check_pin(
    m: &Model,
    input: &mut Input,
    device_id: &str,
    pin: &str,
    except: Option<&str>,
    name: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(d) = m.device_any(device_id) {
        if let Some(problem) = pins::pin_problem(d, pin) {
            return Err(bad_code(input, problem));
        }
    }
    if m.pin_taken(device_id, pin, except) {
        return Err(duplicate(pin, name));
    }
    Ok(())
}

/// A random PIN free on the device, of its default (or the preferred) length.
pub(super) fn random_pin(
    m: &Model,
    d: &Device,
    preferred: Option<usize>,
) -> Result<String, ApiError> {
    let len = pins::default_length(d, preferred);
    let taken = m.pins_on(&d.device_id);
    pins::generate(len, &[(d, taken)]).ok_or_else(|| no_pin_available(d))
}

/// The index of a code of the workspace that is not being removed.
pub(super) fn live_code(m: &Model, ws: &str, id: &str) -> Result<usize, ApiError> {
    m.code_index(ws, id)
        .filter(|&i| m.codes[i].status != Status::Removing)
        .ok_or_else(|| ApiError::access_code_not_found(id))
}
