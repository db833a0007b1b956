//! `/devices/get` and `/devices/list`.

use serde_json::{json, Value};

use super::model::Model;
use super::pagination;
use super::validation::Input;
use super::wire::{self, ApiError};

pub(crate) fn get(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let device_id = input.string("device_id");
    let name = input.string("name");
    input.check()?;
    let found = match (&device_id, &name) {
        (Some(id), _) => m.device(ws, id),
        (None, Some(name)) => m
            .devices
            .iter()
            .find(|d| d.workspace_id == ws && &d.name == name),
        (None, None) => {
            input.refine("Must specify either device_id or name");
            input.check()?;
            None
        }
    };
    let device = found.ok_or_else(ApiError::device_not_found)?;
    Ok(json!({ "device": wire::device_json(device) }))
}

pub(crate) fn list(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let device_ids = input.string_list("device_ids");
    let device_type = input.string("device_type");
    let device_types = input.string_list("device_types");
    let manufacturer = input.string("manufacturer");
    let account = input.string("connected_account_id");
    let accounts = input.string_list("connected_account_ids");
    let limit = input.positive_int("limit");
    let cursor = input.string("page_cursor");
    input.check()?;
    let mut devices: Vec<_> = m
        .devices
        .iter()
        .filter(|d| d.workspace_id == ws)
        .filter(|d| {
            device_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&d.device_id))
        })
        .filter(|d| device_type.as_ref().is_none_or(|t| &d.device_type == t))
        .filter(|d| {
            device_types
                .as_ref()
                .is_none_or(|ts| ts.contains(&d.device_type))
        })
        .filter(|d| manufacturer.as_ref().is_none_or(|x| &d.manufacturer == x))
        .filter(|d| {
            account
                .as_ref()
                .is_none_or(|a| &d.connected_account_id == a)
        })
        .filter(|d| {
            accounts
                .as_ref()
                .is_none_or(|a| a.contains(&d.connected_account_id))
        })
        .collect();
    devices.sort_by(|a, b| (a.created_at, &a.device_id).cmp(&(b.created_at, &b.device_id)));
    let fingerprint = format!(
        "devices:{device_ids:?}|{device_type:?}|{device_types:?}|{manufacturer:?}|{account:?}|{accounts:?}|{limit:?}"
    );
    let (page, pagination) = pagination::page(
        devices,
        limit.unwrap_or(500),
        cursor.as_deref(),
        &fingerprint,
    )?;
    let devices: Vec<Value> = page.into_iter().map(wire::device_json).collect();
    Ok(json!({ "devices": devices, "pagination": pagination }))
}
