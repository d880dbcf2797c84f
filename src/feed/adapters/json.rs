//! Reading the JSON that relays send, the same way in every adapter: a field at a path, and
//! a count written as a number or as text.

use serde_json::{Map, Value};

/// The value at `path` (object keys, or indexes into lists), if present and not null.
pub fn lookup<'a>(data: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = data.get(*first)?;
    for key in rest {
        v = match v {
            Value::Array(list) => list.get(key.parse::<usize>().ok()?)?,
            _ => v.as_object()?.get(*key)?,
        };
    }
    (!v.is_null()).then_some(v)
}

/// A non-negative count: a number (a fraction cut to its whole part), or one written as text.
pub fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            let f = n.as_f64()?;
            // `as` saturates: a huge count becomes u64::MAX and is refused downstream.
            (f.is_finite() && f >= 0.0).then(|| f.trunc() as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
