//! `/access_codes/delete`: the code goes to `removing` and is gone one `set_delay` later.

use serde_json::{json, Value};

use super::super::model::{EventDetail, EventType, Model, Status, Step, Time};
use super::super::validation::Input;
use super::super::wire::ApiError;
use super::checks::{live_code, read_code_id};
use super::new_code::attempt_value;

pub(crate) fn delete(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = read_code_id(&mut input);
    input.check()?;
    let id = id.unwrap_or_default();
    let idx = live_code(m, ws, &id)?;
    let attempt = m.new_attempt(ws, "DELETE_ACCESS_CODE");
    let code = &mut m.codes[idx];
    code.status = Status::Removing;
    code.delete_attempt = Some(attempt.clone());
    let pin = EventDetail::Pin(code.code.clone());
    m.emit_for_code(idx, EventType::CodeDeleted, now, pin);
    m.schedule(idx, now + m.set_delay, Step::RemoveDone);
    Ok(json!({ "action_attempt": attempt_value(m, &attempt) }))
}
