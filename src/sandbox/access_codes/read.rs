//! `/access_codes/get` and `/access_codes/list`.

use serde_json::{json, Value};

use super::super::model::{AccessCode, Model};
use super::super::pagination;
use super::super::validation::Input;
use super::super::wire::{self, ApiError};
use super::errors::not_found;

pub(crate) fn get(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.string("access_code_id");
    let device_id = input.string("device_id");
    let code = input.string("code");
    input.check()?;
    let found = match (&id, &device_id, &code) {
        (Some(id), _, _) => m.code_index(ws, id).map(|i| &m.codes[i]),
        (None, Some(d), Some(c)) => m
            .codes
            .iter()
            .find(|x| x.workspace_id == ws && x.is_managed && &x.device_id == d && &x.code == c),
        _ => {
            input
                .refine("Either \"access_code_id\" OR \"code\" and \"device_id\" must be provided");
            input.check()?;
            None
        }
    };
    let code = found.ok_or_else(not_found)?;
    Ok(json!({ "access_code": wire::access_code_json(code) }))
}

pub(crate) fn list(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let device_id = input.string("device_id");
    let ids = input.string_list("access_code_ids");
    let limit = input.positive_int("limit");
    let cursor = input.string("page_cursor");
    input.check()?;
    if device_id.is_none() && ids.is_none() {
        input.refine("Either 'device_id' or 'access_code_ids' is required");
        input.check()?;
    }
    if let Some(d) = &device_id {
        m.device(ws, d).ok_or_else(ApiError::device_not_found)?;
    }
    let mut codes: Vec<&AccessCode> = m
        .codes
        .iter()
        .filter(|c| c.workspace_id == ws && c.is_managed)
        .filter(|c| device_id.as_ref().is_none_or(|d| &c.device_id == d))
        .filter(|c| {
            ids.as_ref()
                .is_none_or(|ids| ids.contains(&c.access_code_id))
        })
        .collect();
    codes.sort_by_key(|c| c.created_at);
    let fingerprint = format!("access_codes:{device_id:?}|{ids:?}|{limit:?}");
    let (page, pagination) = pagination::page(
        codes,
        limit.unwrap_or(55_000),
        cursor.as_deref(),
        &fingerprint,
    )?;
    let codes: Vec<Value> = page.into_iter().map(wire::access_code_json).collect();
    Ok(json!({ "access_codes": codes, "pagination": pagination }))
}
