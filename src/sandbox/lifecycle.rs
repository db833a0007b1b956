//! Clock-driven transitions of access codes (setting -> set, unset -> setting, removing -> gone...).
//!
//! Each code has at most one pending step, kept as a timer tagged with the code's generation;
//! `process_due` runs every due timer in (due time, creation) order, stamping events with the due time.

use super::model::{
    AttemptError, EventDetail, EventType, Issue, Model, Status, Step, Time, TimerKind,
};

/// How far ahead of `starts_at` a natively scheduling lock receives its codes.
pub(crate) fn preload_lead() -> chrono::Duration {
    chrono::Duration::hours(72)
}

pub(crate) fn process_due(m: &mut Model, now: Time) {
    while let Some(timer) = m.timers.pop_due(now) {
        match timer.kind {
            TimerKind::AttemptSuccess { action_attempt_id } => {
                m.finish_attempt(&action_attempt_id, None);
            }
            TimerKind::Code {
                access_code_id,
                generation,
                step,
            } => {
                let Some(idx) = m.code_index_any(&access_code_id) else {
                    continue;
                };
                if m.codes[idx].generation == generation {
                    apply(m, idx, step, timer.due);
                }
            }
        }
    }
}

struct DeviceTraits {
    online: bool,
    flaky: bool,
    native: bool,
}

fn traits(m: &Model, idx: usize) -> DeviceTraits {
    match m.device_any(&m.codes[idx].device_id) {
        Some(d) => DeviceTraits {
            online: d.online,
            flaky: d.flaky,
            native: d.native_scheduling,
        },
        None => DeviceTraits {
            online: true,
            flaky: false,
            native: false,
        },
    }
}

/// Decides a code's status and next step from "now" (after create or update).
/// `reprogram`: the PIN or window changed, so a code already on the lock must be set again.
pub(crate) fn plan(m: &mut Model, idx: usize, now: Time, reprogram: bool) {
    let d = m.set_delay;
    let t = traits(m, idx);
    let c = &m.codes[idx];
    let on_lock = c.status == Status::Set && !reprogram;
    let (Some(s), Some(e)) = (c.starts_at, c.ends_at) else {
        // Ongoing.
        if on_lock {
            m.unschedule(idx);
        } else {
            let c = &mut m.codes[idx];
            c.status = Status::Setting;
            c.is_scheduled_on_device = false;
            m.schedule(idx, now + d, Step::SetAttempt);
        }
        return;
    };
    if now >= e {
        m.codes[idx].status = Status::Removing;
        m.schedule(idx, now + d, Step::RemoveDone);
        return;
    }
    if on_lock && now >= s {
        m.schedule(idx, e, Step::StartRemoving);
        return;
    }
    let keep_preloaded = c.is_scheduled_on_device && !reprogram;
    if t.native && now < s {
        m.codes[idx].status = Status::Unset;
        if keep_preloaded {
            m.schedule(idx, s, Step::Activate);
            return;
        }
        m.codes[idx].is_scheduled_on_device = false;
        let preload_at = now.max(s - preload_lead()) + d;
        if preload_at < s {
            m.schedule(idx, preload_at, Step::Preload);
        } else {
            m.codes[idx].status = Status::Setting;
            m.schedule(idx, s.max(now + d), Step::SetAttempt);
        }
        return;
    }
    m.codes[idx].is_scheduled_on_device = false;
    if now >= s - d {
        m.codes[idx].status = Status::Setting;
        m.schedule(idx, s.max(now + d), Step::SetAttempt);
    } else {
        m.codes[idx].status = Status::Unset;
        m.schedule(idx, s - d, Step::BeginSetting);
    }
}

fn schedule_end(m: &mut Model, idx: usize, at: Time) {
    match m.codes[idx].ends_at {
        Some(e) => m.schedule(idx, e.max(at), Step::StartRemoving),
        None => m.unschedule(idx),
    }
}

/// A clock-driven status change: announce it, then wait one `set_delay` for the lock to act.
fn move_to(m: &mut Model, idx: usize, to: Status, at: Time, next: Step) {
    let from = std::mem::replace(&mut m.codes[idx].status, to);
    m.emit_for_code(
        idx,
        EventType::CodeChanged,
        at,
        EventDetail::StatusChanged { from, to },
    );
    m.schedule(idx, at + m.set_delay, next);
}

fn apply(m: &mut Model, idx: usize, step: Step, at: Time) {
    tracing::debug!(access_code_id = %m.codes[idx].access_code_id, ?step, "sandbox lifecycle step");
    match step {
        Step::BeginSetting => move_to(m, idx, Status::Setting, at, Step::SetAttempt),
        Step::SetAttempt => set_attempt(m, idx, at),
        Step::Preload => {
            m.codes[idx].is_scheduled_on_device = true;
            let pin = EventDetail::Pin(m.codes[idx].code.clone());
            m.emit_for_code(idx, EventType::CodeScheduledOnDevice, at, pin);
            if let Some(id) = m.codes[idx].set_attempt.take() {
                m.finish_attempt(&id, None);
            }
            let s = m.codes[idx].starts_at.unwrap_or(at);
            m.schedule(idx, s.max(at), Step::Activate);
        }
        Step::Activate => mark_set(m, idx, at),
        Step::StartRemoving => move_to(m, idx, Status::Removing, at, Step::RemoveDone),
        Step::RemoveDone => {
            m.emit_for_code(idx, EventType::CodeRemovedFromDevice, at, EventDetail::None);
            let code = m.codes.remove(idx);
            for id in [code.set_attempt, code.delete_attempt]
                .into_iter()
                .flatten()
            {
                m.finish_attempt(&id, None);
            }
        }
    }
}

fn set_attempt(m: &mut Model, idx: usize, at: Time) {
    let d = m.set_delay;
    let t = traits(m, idx);
    if !t.online {
        let c = &mut m.codes[idx];
        if !c
            .warnings
            .iter()
            .any(|w| w.code == "delay_in_setting_on_device")
        {
            c.warnings.push(Issue {
                code: "delay_in_setting_on_device".into(),
                message: "There is a delay in setting the access code on the device.".into(),
                created_at: at,
            });
            let trouble = m.trouble(idx);
            m.emit_for_code(idx, EventType::CodeDelayInSettingOnDevice, at, trouble);
        }
        schedule_end(m, idx, at);
        return;
    }
    if t.flaky && !m.codes[idx].failed_once {
        let c = &mut m.codes[idx];
        c.failed_once = true;
        c.errors.push(Issue {
            code: "failed_to_set_on_device".into(),
            message: "Failed to set the access code on the device.".into(),
            created_at: at,
        });
        let attempt = c.set_attempt.take();
        let trouble = m.trouble(idx);
        m.emit_for_code(idx, EventType::CodeFailedToSetOnDevice, at, trouble);
        if let Some(id) = attempt {
            let error = AttemptError {
                error_type: "failed_to_set_on_device".into(),
                message: "Failed to set the access code on the device.".into(),
            };
            m.finish_attempt(&id, Some(error));
        }
        m.schedule(idx, at + d, Step::SetAttempt);
        return;
    }
    mark_set(m, idx, at);
}

fn mark_set(m: &mut Model, idx: usize, at: Time) {
    let c = &mut m.codes[idx];
    c.errors.retain(|e| e.code != "failed_to_set_on_device");
    c.warnings
        .retain(|w| w.code != "delay_in_setting_on_device");
    c.status = Status::Set;
    let pin = EventDetail::Pin(c.code.clone());
    let attempt = c.set_attempt.take();
    m.emit_for_code(idx, EventType::CodeSetOnDevice, at, pin);
    if let Some(id) = attempt {
        m.finish_attempt(&id, None);
    }
    schedule_end(m, idx, at);
}
