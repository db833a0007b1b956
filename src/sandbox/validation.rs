//! Request input (JSON body or query string) read field by field, collecting zod-style errors:
//! `{"_errors":[refinements], "<field>":{"_errors":[...]}}`, message from the first error.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{json, Map, Value};

use super::clock::truncate_ms;
use super::query_string;
use super::wire::ApiError;

pub(crate) struct Input {
    map: Map<String, Value>,
    /// Query-string values are all strings; numbers, booleans and lists are parsed leniently.
    from_query: bool,
    field_errors: Vec<(String, String)>,
    form_errors: Vec<String>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Accepts RFC 3339 (any offset), a naive date-time (UTC) or a bare date.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(truncate_ms(t.with_timezone(&Utc)));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(truncate_ms(t.and_utc()));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

impl Input {
    pub(crate) fn from_json(v: Value) -> Result<Input, ApiError> {
        match v {
            Value::Object(map) => Ok(Self::new(map, false)),
            other => {
                let msg = format!("Expected object, received {}", type_name(&other));
                Err(ApiError::refinement(&msg))
            }
        }
    }

    /// A query string; see `query_string::parse` for how arrays are built.
    pub(crate) fn from_query(query: &str) -> Input {
        Self::new(query_string::parse(query), true)
    }

    fn new(map: Map<String, Value>, from_query: bool) -> Self {
        Self {
            map,
            from_query,
            field_errors: Vec::new(),
            form_errors: Vec::new(),
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(crate) fn field_error(&mut self, key: &str, msg: impl Into<String>) {
        self.field_errors.push((key.to_string(), msg.into()));
    }

    pub(crate) fn refine(&mut self, msg: impl Into<String>) {
        self.form_errors.push(msg.into());
    }

    fn expected(&mut self, key: &str, want: &str) {
        let got = self.get(key).map(type_name).unwrap_or("undefined");
        self.field_error(key, format!("Expected {want}, received {got}"));
    }

    pub(crate) fn string(&mut self, key: &str) -> Option<String> {
        match self.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.expected(key, "string");
                None
            }
        }
    }

    pub(crate) fn required_string(&mut self, key: &str) -> Option<String> {
        if !self.has(key) {
            self.field_error(key, "Required");
            return None;
        }
        self.string(key)
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.get(key) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) if self.from_query && (s == "true" || s == "false") => {
                Some(s == "true")
            }
            Some(_) => {
                self.expected(key, "boolean");
                None
            }
        }
    }

    pub(crate) fn number(&mut self, key: &str) -> Option<f64> {
        let v = self.get(key)?;
        let n = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if self.from_query => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        if n.is_none() {
            self.expected(key, "number");
        }
        n
    }

    /// A positive integer (`limit`-style).
    pub(crate) fn positive_int(&mut self, key: &str) -> Option<usize> {
        let n = self.number(key)?;
        if n.fract() != 0.0 || n <= 0.0 {
            self.field_error(key, "Number must be a positive integer");
            return None;
        }
        Some(n as usize)
    }

    /// An array of strings; a string is split on commas (`a,b`).
    pub(crate) fn string_list(&mut self, key: &str) -> Option<Vec<String>> {
        match self.get(key) {
            None => None,
            Some(Value::String(s)) => Some(
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            ),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        _ => {
                            let key = key.to_string();
                            self.expected(&key, "string");
                            return None;
                        }
                    }
                }
                Some(out)
            }
            Some(_) => {
                self.expected(key, "array");
                None
            }
        }
    }

    pub(crate) fn datetime(&mut self, key: &str) -> Option<DateTime<Utc>> {
        let s = self.string(key)?;
        let t = parse_time(&s);
        if t.is_none() {
            self.field_error(key, "Must be parsable date string if defined");
        }
        t
    }

    pub(crate) fn one_of(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        let s = self.string(key)?;
        if allowed.contains(&s.as_str()) {
            return Some(s);
        }
        let expected = allowed
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        self.field_error(
            key,
            format!("Invalid enum value. Expected {expected}, received '{s}'"),
        );
        None
    }

    /// Fails with `invalid_input` if any error was collected so far (field errors first).
    pub(crate) fn check(&mut self) -> Result<(), ApiError> {
        if self.field_errors.is_empty() && self.form_errors.is_empty() {
            return Ok(());
        }
        let message = match (self.field_errors.first(), self.form_errors.first()) {
            (Some((key, msg)), _) if msg == "Required" => format!("{key} is required"),
            (Some((key, msg)), _) => format!("{msg} for \"{key}\""),
            (None, Some(msg)) => msg.clone(),
            (None, None) => unreachable!("checked above"),
        };
        let mut ve = Map::new();
        ve.insert("_errors".into(), json!(self.form_errors));
        for (key, msg) in &self.field_errors {
            let entry = ve
                .entry(key.clone())
                .or_insert_with(|| json!({ "_errors": [] }));
            if let Some(Value::Array(list)) = entry.get_mut("_errors") {
                list.push(json!(msg));
            }
        }
        self.field_errors.clear();
        self.form_errors.clear();
        Err(ApiError::invalid_input(message, Value::Object(ve)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_parse_query_arrays_and_escapes() {
        let mut i = Input::from_query("a=1%2B2&k[]=x&k[]=y&r=p&r=q&since=2030-01-01T00%3A00%3A00Z");
        assert_eq!(i.string("a").as_deref(), Some("1+2"));
        assert_eq!(i.string_list("k"), Some(vec!["x".into(), "y".into()]));
        assert_eq!(i.string_list("r"), Some(vec!["p".into(), "q".into()]));
        assert!(i.datetime("since").is_some());
        assert!(i.check().is_ok());
    }

    #[test]
    fn should_parse_offsets_to_utc() {
        let t = parse_time("2030-04-01T10:00:00-05:00").unwrap();
        assert_eq!(super::super::wire::time(t), "2030-04-01T15:00:00.000Z");
    }
}
