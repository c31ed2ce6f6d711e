//! The canonical byte encoding every record hash and signature is computed over.
//!
//! A record is a JSON object. Its canonical bytes are the UTF-8 JSON text of the object with
//! the `hash` and `signature` members removed, written:
//! - with object members sorted by key (byte order of the UTF-8 keys), at every level;
//! - with no whitespace between tokens;
//! - with integers only (no fractions, no exponents): scores are basis points (1/10 000),
//!   coordinates are degrees times 10^7;
//! - with strings escaped minimally: `"` and `\` and the control characters U+0000 to U+001F
//!   (as `\b \f \n \r \t`, else `\u00xx` in lower-case hex); everything else as raw UTF-8.
//!
//! Python's `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
//! writes exactly these bytes, as does any JSON library that sorts keys and writes compactly.

use serde_json::Value;

/// Members of a record line that are not part of its canonical bytes.
pub const UNSIGNED_MEMBERS: [&str; 2] = ["hash", "signature"];

/// Why a value has no canonical encoding.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("not canonical: {path}: {problem}")]
pub struct CanonicalError {
    /// JSON path of the offending value.
    pub path: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// The canonical bytes of `value`, leaving out the top-level [`UNSIGNED_MEMBERS`].
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    check(value, "$")?;
    let stripped = match value {
        Value::Object(map) => {
            let mut map = map.clone();
            for member in UNSIGNED_MEMBERS {
                map.remove(member);
            }
            Value::Object(map)
        }
        other => other.clone(),
    };
    // serde_json's map is a BTreeMap (no `preserve_order`), so members come out sorted, and
    // `to_vec` writes compactly with the minimal escaping above.
    Ok(serde_json::to_vec(&stripped).expect("a JSON value always serialises"))
}

fn check(value: &Value, path: &str) -> Result<(), CanonicalError> {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => {
            Err(CanonicalError { path: path.to_owned(), problem: "numbers must be integers" })
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| check(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| check(v, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_sorted_compact_and_unsigned_members_dropped() {
        let v = json!({"b": 1, "a": {"z": [1, "x\ny"], "c": null}, "hash": "h", "signature": "s", "é": "ü"});
        let bytes = canonical_bytes(&v).expect("canonical");
        assert_eq!(String::from_utf8(bytes).expect("utf-8"), r#"{"a":{"c":null,"z":[1,"x\ny"]},"b":1,"é":"ü"}"#);
    }

    #[test]
    fn control_characters_are_escaped_in_lower_case_hex() {
        let bytes = canonical_bytes(&json!({"k": "\u{1f}\t"})).expect("canonical");
        assert_eq!(bytes, br#"{"k":"\u001f\t"}"#);
    }

    #[test]
    fn fractions_are_refused_with_their_path() {
        let e = canonical_bytes(&json!({"a": [{"score": 0.5}]})).expect_err("fraction");
        assert_eq!(e.to_string(), "not canonical: $.a[0].score: numbers must be integers");
    }
}
