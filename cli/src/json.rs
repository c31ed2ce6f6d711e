//! The JSON shape of verdicts and errors: the stable `verify --format jsonl` contract.

use std::path::Path;

use proofshot_core::{Error, Verdict};
use serde_json::{json, Map, Value};

use crate::files;

/// Rounds to 4 decimals so output is stable and readable.
fn round4(v: f32) -> f64 {
    (f64::from(v) * 10_000.0).round() / 10_000.0
}

/// Rounds a pixel coordinate to 1 decimal.
fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

/// `{"path", "category", "compliant", "criteria": {id: {"passed", "score", "reason"}},
/// "boxes": [{"label", "score", "x", "y", "w", "h"}], "message", "elapsed_ms", "quality": {...}}`
/// (boxes in pixels of the photo as given, upright; `path_base64` after `path` where the path is
/// not UTF-8)
pub(crate) fn verdict(path: &Path, v: &Verdict) -> Value {
    let mut criteria = Map::new();
    for c in &v.criteria {
        criteria.insert(
            c.id().to_owned(),
            json!({
                "passed": c.passed,
                "score": c.score.map(round4),
                "reason": c.reason.as_str(),
                "required": c.required,
                "severity": c.severity.as_str(),
            }),
        );
    }
    let mut obj = json!({
        "category": v.category,
        "compliant": v.compliant,
        "criteria": criteria,
        "boxes": v.boxes.iter().map(|b| json!({
            "label": b.label,
            "score": round4(b.score),
            "x": round1(b.x),
            "y": round1(b.y),
            "w": round1(b.width),
            "h": round1(b.height),
        })).collect::<Vec<_>>(),
        "message": v.message,
        "elapsed_ms": (v.elapsed_ms * 100.0).round() / 100.0,
    });
    with_path(path, &mut obj);
    if let Some(q) = v.quality {
        obj["quality"] = json!({
            "too_dark": round4(q.too_dark),
            "overexposed": round4(q.overexposed),
            "blurry": round4(q.blurry),
            "not_a_photo": round4(q.not_a_photo),
        });
    }
    obj
}

/// The kind of failure, for scripts: `io`, `invalid_image`, `invalid_policy`, `runtime`.
pub(crate) fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Frame(_) => "invalid_image",
        Error::Policy(_) => "invalid_policy",
        Error::Runtime(_) => "runtime",
    }
}

/// `{"path", "error", "error_kind"}` (and `path_base64` where the path is not UTF-8)
pub(crate) fn error(path: &Path, message: &str, kind: &str) -> Value {
    let mut obj = json!({ "error": message, "error_kind": kind });
    with_path(path, &mut obj);
    obj
}

/// Adds `path` (and, for a name that is not UTF-8, `path_base64`: its exact bytes) to `obj`.
fn with_path(path: &Path, obj: &mut Value) {
    let (shown, raw) = files::json_path(path);
    obj["path"] = shown.into();
    if let Some(raw) = raw {
        obj["path_base64"] = raw.into();
    }
}
