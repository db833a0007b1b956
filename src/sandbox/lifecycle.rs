//! Clock-driven transitions of access codes (setting -> set, unset -> setting, removing -> gone...).
//!
//! Each code has at most one pending step, kept as a timer tagged with the code's generation;
//! `process_due` runs every due timer in (due time, creation) order, stamping events with the due time.

use serde_json::{json, Map, Value};

use super::model::{Issue, Model, Status, Step, Time, TimerKind};
use super::wire;

/// How far ahead of `starts_at` a natively scheduling lock receives its codes.
pub(crate) fn preload_lead() -> chrono::Duration {
    chrono::Duration::hours(72)
}

pub(crate) fn process_due(m: &mut Model, now: Time) {
    while m.timers.peek().is_some_and(|t| t.due <= now) {
        let Some(timer) = m.timers.pop() else { break };
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

fn status_changed(from: Status, to: Status) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("change_reason".into(), json!("status_changed"));
    extra.insert(
        "changed_properties".into(),
        json!([{"property": "status", "from": from.as_str(), "to": to.as_str()}]),
    );
    extra
}

fn with_code(code: &str) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("code".into(), json!(code));
    extra
}

/// The error/warning lists carried by `delay_in_setting_on_device` / `failed_to_set_on_device`.
fn trouble_details(m: &Model, idx: usize) -> Map<String, Value> {
    let c = &m.codes[idx];
    let (device_errors, device_warnings) = match m.device_any(&c.device_id) {
        Some(d) => (wire::device_errors(d), wire::device_warnings(d)),
        None => (json!([]), json!([])),
    };
    let mut extra = Map::new();
    extra.insert("access_code_errors".into(), wire::code_errors(c));
    extra.insert("access_code_warnings".into(), wire::code_warnings(c));
    extra.insert("connected_account_errors".into(), json!([]));
    extra.insert("connected_account_warnings".into(), json!([]));
    extra.insert("device_errors".into(), device_errors);
    extra.insert("device_warnings".into(), device_warnings);
    extra
}

fn schedule_end(m: &mut Model, idx: usize, at: Time) {
    match m.codes[idx].ends_at {
        Some(e) => m.schedule(idx, e.max(at), Step::StartRemoving),
        None => m.unschedule(idx),
    }
}

fn apply(m: &mut Model, idx: usize, step: Step, at: Time) {
    let d = m.set_delay;
    tracing::debug!(access_code_id = %m.codes[idx].access_code_id, ?step, "sandbox lifecycle step");
    match step {
        Step::BeginSetting => {
            let from = m.codes[idx].status;
            m.codes[idx].status = Status::Setting;
            m.emit_for_code(
                idx,
                "access_code.changed",
                at,
                status_changed(from, Status::Setting),
            );
            m.schedule(idx, at + d, Step::SetAttempt);
        }
        Step::SetAttempt => set_attempt(m, idx, at),
        Step::Preload => {
            m.codes[idx].is_scheduled_on_device = true;
            let code = m.codes[idx].code.clone();
            m.emit_for_code(idx, "access_code.scheduled_on_device", at, with_code(&code));
            if let Some(id) = m.codes[idx].set_attempt.take() {
                m.finish_attempt(&id, None);
            }
            let s = m.codes[idx].starts_at.unwrap_or(at);
            m.schedule(idx, s.max(at), Step::Activate);
        }
        Step::Activate => mark_set(m, idx, at),
        Step::StartRemoving => {
            let from = m.codes[idx].status;
            m.codes[idx].status = Status::Removing;
            m.emit_for_code(
                idx,
                "access_code.changed",
                at,
                status_changed(from, Status::Removing),
            );
            m.schedule(idx, at + d, Step::RemoveDone);
        }
        Step::RemoveDone => {
            m.emit_for_code(idx, "access_code.removed_from_device", at, Map::new());
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
            let extra = trouble_details(m, idx);
            m.emit_for_code(idx, "access_code.delay_in_setting_on_device", at, extra);
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
        let extra = trouble_details(m, idx);
        m.emit_for_code(idx, "access_code.failed_to_set_on_device", at, extra);
        if let Some(id) = attempt {
            m.finish_attempt(
                &id,
                Some((
                    "failed_to_set_on_device".into(),
                    "Failed to set the access code on the device.".into(),
                )),
            );
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
    let code = c.code.clone();
    let attempt = c.set_attempt.take();
    m.emit_for_code(idx, "access_code.set_on_device", at, with_code(&code));
    if let Some(id) = attempt {
        m.finish_attempt(&id, None);
    }
    schedule_end(m, idx, at);
}
