//! Checking an exported chain: every record's hash, every link, every signature, and the
//! signed head line that says where the export ends.
//!
//! An export ([`crate::EvidenceStore::export_jsonl`]) is one record per line, in `seq` order
//! from 1, then one head line:
//!
//! ```text
//! {"exported_at_ms":…,"format":"proofshot-evidence-head/1","head_hash":"…","last_seq":N,"records":N,"signer":{"alg":"…","key_id":"…"},"signature":"…"}
//! ```
//!
//! signed like a record (over its canonical bytes, without `signature`). Without the head a
//! record cut from the end could not be told from one never made.

use base64::Engine as _;
use proofshot_core::hex_sha256;
use serde_json::Value;

use crate::canonical::canonical_bytes;
use crate::record::{signer_member, GENESIS_HASH, RECORD_FORMAT};
use crate::signing::{Signer, VerifyKey};

/// The `format` of the head line that ends an export.
pub const HEAD_FORMAT: &str = "proofshot-evidence-head/1";

/// How to audit.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Checks every signature with this key; `None` checks hashes and links only.
    pub key: Option<VerifyKey>,
    /// A batch of records (from `pendingRecords`) rather than a whole export: the chain may
    /// start after seq 1 (its first link is taken on trust, or checked against `known`) and
    /// there is no head line.
    pub partial: bool,
    /// The last record the backend accepted from this device before. A chain that ends before
    /// it, or holds a different record at its seq, is refused as rolled back: an earlier,
    /// validly signed export replayed, or the store deleted or replaced (which starts again at
    /// seq 1). A batch must go on from it.
    pub known: Option<KnownHead>,
}

/// The last record a backend accepted from a device: its seq and hash. The backend keeps it per
/// device (and the device's key) and passes it to every later audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHead {
    /// The record's seq.
    pub seq: u64,
    /// The record's hash (hex).
    pub hash: String,
}

/// A chain that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Records checked.
    pub records: u64,
    /// First and last `seq` (0 and 0 for an empty chain).
    pub seq_range: (u64, u64),
    /// Hash of the last record.
    pub head_hash: String,
    /// Whether signatures were checked (a key was given).
    pub signatures_checked: bool,
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Not a record: bad JSON or a missing member.
    #[error("malformed: {0}")]
    Malformed(String),
    /// The record's contents do not hash to its `hash`.
    #[error("edited: its contents do not match its hash")]
    Edited,
    /// A `seq` other than the next one.
    #[error("expected seq {expected}, found seq {found}: {}", if found > expected { "a record before it was deleted" } else { "records are out of order or repeated" })]
    Sequence {
        /// The next seq.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// A `seq` further on than the next one, while the next one comes later in the file.
    #[error("expected seq {expected}, found seq {found}: records are out of order (seq {expected} comes later)")]
    OutOfOrder {
        /// The next seq.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// `prev_hash` is not the previous record's hash.
    #[error("broken link: prev_hash does not match the hash of the record before it (that record was replaced or re-hashed)")]
    BrokenLink,
    /// The signature does not verify with the key given.
    #[error("bad signature: not signed by the key given (signer key id {key_id:?}, {alg})")]
    BadSignature {
        /// The key id the record names.
        key_id: String,
        /// The algorithm the record names.
        alg: String,
    },
    /// The chain goes back on what the backend accepted before ([`AuditOptions::known`]).
    #[error("rolled back: {0}")]
    RolledBack(String),
    /// The export does not end with a head line matching its records.
    #[error("truncated: {0}")]
    Truncated(String),
}

/// The first place the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {problem}", describe(*seq, record_id.as_deref()))]
pub struct AuditFailure {
    /// Line number in the file (from 1).
    pub line: usize,
    /// The record's seq, when it could be read.
    pub seq: Option<u64>,
    /// The record's id, when it could be read.
    pub record_id: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

fn describe(seq: Option<u64>, record_id: Option<&str>) -> String {
    match (seq, record_id) {
        (Some(s), Some(id)) => format!(" (seq {s}, record {id})"),
        (Some(s), None) => format!(" (seq {s})"),
        _ => String::new(),
    }
}

/// Audits an export (or with [`AuditOptions::partial`], a batch), naming the first break.
pub fn audit(text: &str, options: &AuditOptions) -> Result<AuditReport, AuditFailure> {
    let mut last: Option<(u64, String)> = None; // seq and hash of the last record
    let mut first_seq = 0;
    let mut records = 0u64;
    let mut head_seen = false;
    let fail = |line: usize, seq: Option<u64>, record_id: Option<String>, problem: Problem| AuditFailure {
        line,
        seq,
        record_id,
        problem,
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (i, raw) in lines.iter().enumerate() {
        let n = i + 1;
        let Some(line) = raw.strip_suffix('\n') else {
            return Err(fail(n, None, None, Problem::Truncated("the last line is cut off (no newline)".into())));
        };
        if line.trim().is_empty() {
            continue;
        }
        if head_seen {
            return Err(fail(n, None, None, Problem::Malformed("a line after the head line".into())));
        }
        let value = parse_as_written(line).map_err(|p| fail(n, None, None, p))?;
        let format = value.get("format").and_then(Value::as_str).unwrap_or_default();
        if format == HEAD_FORMAT {
            check_head(&value, records, last.as_ref(), options).map_err(|p| fail(n, None, None, p))?;
            head_seen = true;
            continue;
        }
        if format != RECORD_FORMAT {
            return Err(fail(
                n,
                None,
                None,
                Problem::Malformed(format!("format {format:?}, expected {RECORD_FORMAT:?}")),
            ));
        }
        let seq = value.get("seq").and_then(Value::as_u64);
        let record_id = value.get("record_id").and_then(Value::as_str).map(str::to_owned);
        let at = |p: Problem| fail(n, seq, record_id.clone(), p);
        let seq = seq.ok_or_else(|| at(Problem::Malformed("no seq".into())))?;
        let member = |name: &str| {
            value.get(name).and_then(Value::as_str).ok_or_else(|| at(Problem::Malformed(format!("no {name}"))))
        };
        let (hash, prev_hash) = (member("hash")?, member("prev_hash")?);
        let bytes = canonical_bytes(&value).map_err(|e| at(Problem::Malformed(e.to_string())))?;
        if hex_sha256(&bytes) != hash {
            return Err(at(Problem::Edited));
        }
        if let Some(known) = options.known.as_ref().filter(|k| k.seq == seq && k.hash != hash) {
            return Err(at(Problem::RolledBack(format!(
                "seq {seq} is not the record accepted before (hash {}…, now {}…): the chain was rewritten or the store replaced",
                known.hash.chars().take(12).collect::<String>(),
                hash.chars().take(12).collect::<String>()
            ))));
        }
        match &last {
            None if options.partial => {
                first_seq = seq;
                if let Some(known) = options.known.as_ref().filter(|k| seq > k.seq) {
                    if seq != known.seq + 1 {
                        return Err(at(Problem::Sequence { expected: known.seq + 1, found: seq }));
                    }
                    if prev_hash != known.hash {
                        return Err(at(Problem::BrokenLink));
                    }
                }
            }
            None => {
                first_seq = 1;
                if seq != 1 {
                    return Err(at(Problem::Sequence { expected: 1, found: seq }));
                }
                if prev_hash != GENESIS_HASH {
                    return Err(at(Problem::BrokenLink));
                }
            }
            Some((last_seq, last_hash)) => {
                if seq != last_seq + 1 {
                    let expected = last_seq + 1;
                    if seq > expected && lines[i + 1..].iter().any(|l| seq_of(l) == Some(expected)) {
                        return Err(at(Problem::OutOfOrder { expected, found: seq }));
                    }
                    return Err(at(Problem::Sequence { expected, found: seq }));
                }
                if prev_hash != last_hash {
                    return Err(at(Problem::BrokenLink));
                }
            }
        }
        if let Some(key) = &options.key {
            check_signature(&value, &bytes, key).map_err(at)?;
        }
        records += 1;
        last = Some((seq, hash.to_owned()));
    }
    // a batch may repeat records already accepted (an upload retried): only a whole export
    // must reach what was accepted before
    if let Some(known) = options.known.as_ref().filter(|_| !options.partial) {
        let end = last.as_ref().map_or(0, |(s, _)| *s);
        if end < known.seq {
            return Err(fail(
                lines.len(),
                None,
                None,
                Problem::RolledBack(format!(
                    "the chain ends at seq {end}, but seq {} was accepted before: an earlier export replayed, or the store deleted or replaced",
                    known.seq
                )),
            ));
        }
    }
    if !head_seen && !options.partial {
        let end = last.as_ref().map_or("before any record".to_owned(), |(s, _)| format!("after seq {s}"));
        return Err(fail(
            lines.len(),
            None,
            None,
            Problem::Truncated(format!("no head line: the export ends {end}, and records may have been cut off")),
        ));
    }
    Ok(AuditReport {
        records,
        seq_range: last.as_ref().map_or((0, 0), |(s, _)| (first_seq, *s)),
        head_hash: last.map_or_else(|| GENESIS_HASH.to_owned(), |(_, h)| h),
        signatures_checked: options.key.is_some(),
    })
}

/// A line parsed as JSON and held to the form the store writes it in: no member twice (JSON
/// parsers keep one of them, silently, so a forged member put before the real one would go
/// unseen), members sorted, no whitespace. The bytes read are then the bytes that were hashed
/// and signed (with `hash` and `signature` in their sorted places).
fn parse_as_written(line: &str) -> Result<Value, Problem> {
    let value = serde_json::from_str::<NoDuplicates>(line)
        .map_err(|e| {
            let e = e.to_string();
            Problem::Malformed(if e.starts_with("duplicate member") { e } else { format!("not JSON: {e}") })
        })?
        .0;
    let written = value.to_string();
    if written != line {
        return Err(Problem::Malformed(
            "not byte for byte as the store wrote it (members reordered, spaces or escapes changed): keep export lines unchanged".into(),
        ));
    }
    Ok(value)
}

/// The `seq` of a record line, if it is one.
fn seq_of(line: &str) -> Option<u64> {
    serde_json::from_str::<Value>(line.trim_end()).ok()?.get("seq")?.as_u64()
}

/// A JSON value whose objects hold no member twice.
struct NoDuplicates(Value);

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor).map(NoDuplicates)
    }
}

struct NoDuplicatesVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicatesVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(NoDuplicates(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let NoDuplicates(v) = map.next_value()?;
            if members.insert(key.clone(), v).is_some() {
                return Err(serde::de::Error::custom(format!("duplicate member {key:?}")));
            }
        }
        Ok(Value::Object(members))
    }
}

fn check_signature(value: &Value, message: &[u8], key: &VerifyKey) -> Result<(), Problem> {
    let signer = value.get("signer");
    let field = |name: &str| signer.and_then(|s| s.get(name)).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (key_id, alg) = (field("key_id"), field("alg"));
    let signature = value
        .get("signature")
        .and_then(Value::as_str)
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .ok_or_else(|| Problem::Malformed("no base64 signature".into()))?;
    if alg != key.algorithm() || !key.verify(message, &signature) {
        return Err(Problem::BadSignature { key_id, alg });
    }
    Ok(())
}

fn check_head(
    value: &Value,
    records: u64,
    last: Option<&(u64, String)>,
    options: &AuditOptions,
) -> Result<(), Problem> {
    let claimed =
        value.get("records").and_then(Value::as_u64).ok_or_else(|| Problem::Malformed("head: no records".into()))?;
    let head_hash = value.get("head_hash").and_then(Value::as_str).unwrap_or_default();
    let (last_seq, last_hash) = last.map_or((0, GENESIS_HASH), |(s, h)| (*s, h.as_str()));
    if claimed != records || value.get("last_seq").and_then(Value::as_u64) != Some(last_seq) || head_hash != last_hash {
        return Err(Problem::Truncated(format!(
            "the head line says {claimed} records ending in {head_hash:.12}…, the file holds {records} ending at seq {last_seq}"
        )));
    }
    if let Some(key) = &options.key {
        let bytes = canonical_bytes(value).map_err(|e| Problem::Malformed(e.to_string()))?;
        check_signature(value, &bytes, key)?;
    }
    Ok(())
}

/// The signed head line for an export of `records` records ending in `head`.
pub(crate) fn head_line(
    records: u64,
    head: Option<(u64, &str)>,
    exported_at_ms: i64,
    signer: &dyn Signer,
) -> Result<String, crate::record::RecordError> {
    let (last_seq, head_hash) = head.unwrap_or((0, GENESIS_HASH));
    let mut value = serde_json::json!({
        "format": HEAD_FORMAT,
        "records": records,
        "last_seq": last_seq,
        "head_hash": head_hash,
        "exported_at_ms": exported_at_ms,
        "signer": signer_member(signer)?,
    });
    let bytes = canonical_bytes(&value)?;
    let signature = signer.sign(&bytes).map_err(crate::record::RecordError::Signer)?;
    value
        .as_object_mut()
        .expect("the head is an object")
        .insert("signature".into(), base64::engine::general_purpose::STANDARD.encode(signature).into());
    Ok(value.to_string())
}
