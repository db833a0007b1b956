//! Seam's wire JSON, written by hand from the model: objects, events and responses.

mod events;
mod objects;
mod responses;

pub(crate) use events::{description, event_json, event_type_name};
pub(crate) use objects::{access_code_json, attempt_json, device_json, unmanaged_code_json};
pub(crate) use responses::{ok, outage, text, ApiError};

use super::model::Time;

/// `2030-01-01T15:00:00.000Z`
pub(crate) fn time(t: Time) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
