//! `/access_codes/generate_code`: a free PIN that suits the device, not stored.

use serde_json::{json, Value};

use super::super::model::Model;
use super::super::validation::Input;
use super::super::wire::ApiError;
use super::checks::random_pin;

pub(crate) fn generate_code(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let device_id = input.required_string("device_id");
    input.check()?;
    let device = m
        .device(ws, &device_id.unwrap_or_default())
        .ok_or_else(ApiError::device_not_found)?;
    let pin = random_pin(m, device, None)?;
    Ok(json!({ "generated_code": { "device_id": device.device_id, "code": pin } }))
}
