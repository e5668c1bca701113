//! JavaScript values <-> JSON for `call()` and encryption contexts. napi's serde-json support
//! does the walking; this file only fixes what JavaScript numbers lose.

use serde_json::{Map, Number, Value};

/// JavaScript has one number type, and napi reads integers above 2^32 as floats; the core would
/// then send `3000000000.0`. Whole numbers within JavaScript's safe range go back to integers.
pub(crate) fn normalize_numbers(map: &mut Map<String, Value>) {
    for value in map.values_mut() {
        normalize(value);
    }
}

fn normalize(value: &mut Value) {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() <= MAX_SAFE {
                    *n = Number::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => normalize_numbers(map),
        _ => {}
    }
}

/// An encryption context from a JavaScript object: string values only, in the caller's order.
pub(crate) fn encryption_context(
    ctx: Option<Map<String, Value>>,
) -> Result<Option<kmskit::EncryptionContext>, kmskit::Error> {
    let Some(map) = ctx else { return Ok(None) };
    if let Some((k, _)) = map.iter().find(|(_, v)| !v.is_string()) {
        return Err(kmskit::Error::invalid_argument(format!(
            "encryptionContext values must be strings (the value of {k:?} is not)"
        )));
    }
    Ok(Some(kmskit::EncryptionContext::from_json_object(map)))
}
