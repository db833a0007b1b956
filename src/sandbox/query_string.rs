//! `application/x-www-form-urlencoded` query strings, read into a JSON object of strings.

use serde_json::{Map, Value};

/// `a=1&k=x,y&k[]=z&k=w`: repeated keys and `k[]` build arrays; every value stays a string.
pub(crate) fn parse(query: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for (k, v) in url_pairs(query) {
        let (key, forced_array) = match k.strip_suffix("[]") {
            Some(base) => (base.to_string(), true),
            None => (k, false),
        };
        match map.get_mut(&key) {
            Some(Value::Array(items)) => items.push(Value::String(v)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(v)]);
            }
            None => {
                let value = if forced_array {
                    Value::Array(vec![Value::String(v)])
                } else {
                    Value::String(v)
                };
                map.insert(key, value);
            }
        }
    }
    map
}

/// Splits and percent-decodes `application/x-www-form-urlencoded` pairs.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
