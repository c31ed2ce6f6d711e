//! Evidence records: what one submitted photo proved, in a form the backend can re-hash.
//!
//! A record is one JSON object (one line of an export): the stop and attempt, the app's capture
//! time and place, the device clock, the photo's SHA-256 and perceptual hash (and the redacted
//! copy's SHA-256), the policy and model hashes, the verdict with every criterion, the
//! decision, the previous record's hash and the signer's key id and algorithm. The README's
//! "Evidence records" section lists every member for the backend. `hash` and `signature` are
//! the only members outside the canonical bytes ([`crate::canonical`]), so the signer's key
//! id and algorithm, the chain link and every verdict field are covered by both.

use base64::Engine as _;
use proofshot_core::{hex_sha256, Decision, PhotoHash, Verdict};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::canonical::{canonical_bytes, CanonicalError};
use crate::signing::Signer;

/// The `format` of a record.
pub const RECORD_FORMAT: &str = "proofshot-evidence/1";
/// The `prev_hash` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// When and where the app says the photo was taken.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Capture {
    /// Capture time, Unix milliseconds.
    pub time_ms: Option<i64>,
    /// Where.
    pub location: Option<Location>,
}

/// A position from the device's location service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    /// Degrees north, -90 to 90.
    pub latitude: f64,
    /// Degrees east, -180 to 180.
    pub longitude: f64,
    /// Horizontal accuracy in metres, when known.
    pub accuracy_m: Option<f64>,
}

/// The largest integer a backend parsing records in JavaScript holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The largest horizontal accuracy accepted, in metres: half the Earth's circumference.
pub const MAX_ACCURACY_M: f64 = 20_000_000.0;

impl Capture {
    /// Checks the values an app handed in; the message names the bad field. A position is never
    /// echoed in the message (error text reaches logs and crash reports): only that it is out of
    /// range.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(t) = self.time_ms.filter(|t| !(0..=MAX_SAFE_INTEGER).contains(t)) {
            return Err(format!(
                "capture.time_ms: expected Unix milliseconds from 0 to 2^53 - 1 (what JavaScript holds exactly), got {t}"
            ));
        }
        let Some(l) = self.location else { return Ok(()) };
        if !(l.latitude.is_finite() && (-90.0..=90.0).contains(&l.latitude)) {
            return Err("capture.location.latitude: expected -90 to 90 degrees (the value is not shown)".into());
        }
        if !(l.longitude.is_finite() && (-180.0..=180.0).contains(&l.longitude)) {
            return Err("capture.location.longitude: expected -180 to 180 degrees (the value is not shown)".into());
        }
        if let Some(a) = l.accuracy_m.filter(|a| !(a.is_finite() && (0.0..=MAX_ACCURACY_M).contains(a))) {
            return Err(format!("capture.location.accuracy_m: expected metres from 0 to 20,000,000, got {a}"));
        }
        Ok(())
    }

    fn to_json(self) -> Value {
        json!({
            "time_ms": self.time_ms,
            "location": self.location.map(|l| json!({
                "lat_e7": (l.latitude * 1e7).round() as i64,
                "lon_e7": (l.longitude * 1e7).round() as i64,
                "accuracy_m": l.accuracy_m.map(|a| a.ceil() as i64),
            })),
        })
    }
}

/// What identifies the submitted photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoIdentity {
    /// SHA-256 (hex) of the bytes submitted.
    pub sha256: String,
    /// Perceptual hashes ([`proofshot_core::PhotoHash`]); the record keeps the whole-photo
    /// hash, the store all of them.
    pub phash: PhotoHash,
    /// SHA-256 (hex) of the redacted copy that leaves the device, when one was made.
    pub redacted_sha256: Option<String>,
}

/// An earlier record, for another stop, whose photo this one repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reuse {
    /// The earlier record.
    pub record_id: String,
    /// Bits in which the perceptual hashes differ.
    pub distance: u32,
}

/// Everything about one attempt that goes into its record, apart from the chain.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The delivery stop.
    pub stop_id: &'a str,
    /// Which attempt (from 1).
    pub attempt: u32,
    /// App-supplied time and place.
    pub capture: Capture,
    /// The photo.
    pub photo: &'a PhotoIdentity,
    /// Policy id and SHA-256.
    pub policy: (&'a str, &'a str),
    /// Model bundle version and per-model hashes.
    pub models: (&'a str, &'a [(&'static str, String)]),
    /// The verdict (after any reuse rejection).
    pub verdict: &'a Verdict,
    /// The earlier photo it repeats, if any.
    pub reuse: Option<&'a Reuse>,
    /// What the session decided.
    pub decision: &'a Decision,
}

/// A record could not be made.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// The signer failed (key unavailable, user not authenticated, ...).
    #[error("signer failed: {0}")]
    Signer(String),
    /// The record has no canonical form (a bug).
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
}

/// A signed record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecord {
    /// Position in the chain.
    pub seq: u64,
    /// Random id.
    pub record_id: String,
    /// SHA-256 of the canonical bytes.
    pub hash: String,
    /// The whole record, one line of JSON (canonical member order, with `hash` and
    /// `signature`).
    pub json: String,
}

/// Builds, hashes and signs the record of `attempt` as number `seq` of a chain whose last
/// record's hash is `prev_hash`.
pub fn seal(
    attempt: &Attempt<'_>,
    seq: u64,
    prev_hash: &str,
    device_time_ms: i64,
    signer: &dyn Signer,
) -> Result<SignedRecord, RecordError> {
    let record_id = random_id();
    let mut body = json!({
        "format": RECORD_FORMAT,
        "seq": seq,
        "record_id": record_id,
        "stop_id": attempt.stop_id,
        "attempt": attempt.attempt,
        "capture": attempt.capture.to_json(),
        "device_time_ms": device_time_ms,
        "photo": {
            "sha256": attempt.photo.sha256,
            "phash": format!("{:016x}", attempt.photo.phash.full),
            "redacted_sha256": attempt.photo.redacted_sha256,
        },
        "policy": { "id": attempt.policy.0, "sha256": attempt.policy.1 },
        "models": {
            "bundle_version": attempt.models.0,
            "sha256": attempt.models.1.iter().map(|(n, h)| ((*n).to_owned(), Value::from(h.as_str()))).collect::<serde_json::Map<_, _>>(),
        },
        "verdict": verdict_json(attempt.verdict),
        "reuse": attempt.reuse.map(|r| json!({ "record_id": r.record_id, "distance": r.distance })),
        "decision": decision_json(attempt.decision),
        "prev_hash": prev_hash,
        "signer": signer_member(signer)?,
    });
    let bytes = canonical_bytes(&body)?;
    let hash = hex_sha256(&bytes);
    let signature = signer.sign(&bytes).map_err(RecordError::Signer)?;
    let map = body.as_object_mut().expect("the body is an object");
    map.insert("hash".into(), hash.clone().into());
    map.insert("signature".into(), base64::engine::general_purpose::STANDARD.encode(signature).into());
    Ok(SignedRecord { seq, record_id, hash, json: body.to_string() })
}

/// The `signer` member of a record or an export's head line: the key id and algorithm, as
/// the signer gives them (checked by the store's [`Checked`](crate::signing) wrapper).
pub(crate) fn signer_member(signer: &dyn Signer) -> Result<Value, RecordError> {
    Ok(json!({
        "key_id": signer.key_id().map_err(RecordError::Signer)?,
        "alg": signer.algorithm().map_err(RecordError::Signer)?,
    }))
}

/// Criteria scores as integer basis points, the form records keep.
pub fn score_bp(score: Option<f32>) -> Option<i64> {
    score.map(|s| (f64::from(s.clamp(0.0, 1.0)) * 10_000.0).round() as i64)
}

fn verdict_json(v: &Verdict) -> Value {
    json!({
        "category": v.category,
        "compliant": v.compliant,
        "rejected_for": v.rejected_for.map(|r| r.as_str()),
        "criteria": v.criteria.iter().map(|c| json!({
            "id": c.id(),
            "required": c.required,
            "passed": c.passed,
            "score_bp": score_bp(c.score),
            "reason": c.reason.as_str(),
        })).collect::<Vec<_>>(),
    })
}

fn decision_json(d: &Decision) -> Value {
    let (kind, remaining) = match d {
        Decision::Accepted => ("accepted", 0),
        Decision::Retry { remaining, .. } => ("retry", *remaining),
        Decision::ManualReview { .. } => ("manual_review", 0),
        Decision::AutoApproved { .. } => ("auto_approved", 0),
    };
    json!({ "kind": kind, "remaining": remaining })
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_id() -> String {
    let mut id = [0u8; 16];
    // The OS random source failing is no reason to lose a delivery's evidence: fall back to
    // the clock and a counter, which still keeps ids unique on one device.
    if getrandom::getrandom(&mut id).is_err() {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        id = Sha256::digest(format!("{t}:{n}:{}", std::process::id())).as_slice()[..16]
            .try_into()
            .expect("16 bytes of a 32-byte digest");
    }
    hex(&id)
}
