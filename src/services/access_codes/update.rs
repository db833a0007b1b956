//! Changing one access code: a new PIN must fit its lock, and a time-bound code keeps its window
//! unless told otherwise (Seam turns a code ongoing when an update carries no window).

use chrono::{DateTime, Utc};

use super::rules;
use super::AccessCodeService;
use crate::error::{GatewayError, GatewayResult};
use crate::seam::wire::{format_time, AccessCode, ActionAttempt, UpdateAccessCodeRequest};
use crate::seam::{ApiKey, Pin};

/// What to change on a code, its input already checked on its own.
pub(crate) struct CodeChange {
    pub(crate) access_code_id: String,
    pub(crate) name: Option<String>,
    pub(crate) code: Option<Pin>,
    pub(crate) starts_at: Option<DateTime<Utc>>,
    pub(crate) ends_at: Option<DateTime<Utc>>,
    pub(crate) kind: Option<Kind>,
}

/// The kind of code asked for, when the change asks for one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ongoing,
    TimeBound,
}

/// The code as Seam holds it after the change.
pub(crate) struct Updated {
    pub(crate) access_code: AccessCode,
    pub(crate) action_attempt: Option<ActionAttempt>,
}

impl AccessCodeService {
    /// Updates the code, then reads it back (Seam's update answers with an action attempt only).
    pub(crate) async fn update(&self, key: &ApiKey, change: CodeChange) -> GatewayResult<Updated> {
        let id = change.access_code_id.clone();
        let current = self.by_id(key, &id).await?;
        if let Some(code) = &change.code {
            let device = self.device(key, &current.device_id).await?;
            rules::pin_fits(&device, code)?;
        }
        let window = window_after(&current, &change)?;
        let request = UpdateAccessCodeRequest {
            access_code_id: id.clone(),
            name: change.name,
            code: change.code,
            starts_at: window.map(|(s, _)| format_time(&s)),
            ends_at: window.map(|(_, e)| format_time(&e)),
            kind: match (change.kind, window) {
                (Some(Kind::Ongoing), _) => Some("ongoing"),
                (_, Some(_)) => Some("time_bound"),
                _ => None,
            },
        };
        let attempt = self.client.update_access_code(key, &request).await;
        self.devices
            .forget(key.tenant(), &[current.device_id.as_str()])
            .await;
        let action_attempt =
            attempt.map_err(|e| GatewayError::from_seam_for(e, "access code", &id))?;
        Ok(Updated {
            access_code: self.reread(key, &id).await?,
            action_attempt,
        })
    }
}

/// The window to send: none for `ONGOING`; else the given ends, each defaulting to the code's
/// current one, so a name-only update of a time-bound code keeps it time-bound.
fn window_after(
    current: &AccessCode,
    change: &CodeChange,
) -> GatewayResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    if change.kind == Some(Kind::Ongoing) {
        return Ok(None);
    }
    let current_window = current
        .is_time_bound()
        .then_some(())
        .and(current.starts_at.zip(current.ends_at));
    let starts = change.starts_at.or(current_window.map(|w| w.0));
    let ends = change.ends_at.or(current_window.map(|w| w.1));
    match (starts, ends) {
        (Some(s), Some(e)) => {
            check_window(s, e)?;
            Ok(Some((s, e)))
        }
        (None, None) if change.kind != Some(Kind::TimeBound) => Ok(None),
        _ => Err(GatewayError::bad_input(
            "This code is ongoing: give both `startsAt` and `endsAt` to make it time-bound",
        )),
    }
}

/// `starts` before `ends`, and `ends` in the future.
pub(crate) fn check_window(starts: DateTime<Utc>, ends: DateTime<Utc>) -> GatewayResult<()> {
    if starts >= ends {
        return Err(GatewayError::bad_input(
            "`startsAt` must be before `endsAt`",
        ));
    }
    if ends <= Utc::now() {
        return Err(GatewayError::bad_input(
            "`endsAt` is in the past; the code would never work",
        ));
    }
    Ok(())
}
