//! The evidence store: one SQLite file (WAL, synchronous commits) holding each stop's
//! attempts and the chain of signed records, with the upload queue.
//!
//! Every attempt is one transaction: the stop's count and its record are written together
//! or not at all, so a killed app never leaves a record without its count, or a count
//! without its record. Triggers make records append-only and attempt counts monotonic,
//! whatever code (or person with a SQLite shell) touches the file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proofshot_core::{Decision, DeliverySession, PhotoHash, Policy, Reason, SessionFinished, Verdict};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::audit::{audit, head_line, AuditFailure, AuditOptions, AuditReport};
use crate::record::{seal, Attempt, Capture, PhotoIdentity, RecordError, Reuse, SignedRecord, GENESIS_HASH};
use crate::signing::{inside_signer, Checked, Signer, VerifyKey};

/// `PRAGMA application_id` of a ProofShot evidence store ("PSEV").
const APPLICATION_ID: i32 = 0x5053_4556;
/// The schema this build writes; older stores are migrated forward on open.
pub const SCHEMA_VERSION: i32 = 1;
/// How long a writer waits for another (thread or process) to finish its transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest stop id accepted.
const MAX_STOP_ID_BYTES: usize = 256;

/// Schema migrations: entry `i` takes a store from version `i` to `i + 1`.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [r"
    CREATE TABLE stops (
        stop_id TEXT PRIMARY KEY NOT NULL,
        attempts_used INTEGER NOT NULL CHECK (attempts_used >= 0),
        outcome TEXT
    ) STRICT;
    CREATE TABLE records (
        seq INTEGER PRIMARY KEY NOT NULL,
        record_id TEXT NOT NULL UNIQUE,
        stop_id TEXT NOT NULL,
        device_time_ms INTEGER NOT NULL,
        phash INTEGER NOT NULL,
        phash_views BLOB NOT NULL,
        hash TEXT NOT NULL,
        json TEXT NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1))
    ) STRICT;
    CREATE INDEX records_pending ON records (uploaded, seq);
    CREATE INDEX records_time ON records (device_time_ms);
    CREATE TRIGGER stops_attempts_never_decrease BEFORE UPDATE OF attempts_used ON stops
        WHEN NEW.attempts_used < OLD.attempts_used
        BEGIN SELECT RAISE(ABORT, 'attempt count cannot go down'); END;
    CREATE TRIGGER stops_never_deleted BEFORE DELETE ON stops
        BEGIN SELECT RAISE(ABORT, 'stops cannot be deleted'); END;
    CREATE TRIGGER records_never_deleted BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'evidence records are append-only'); END;
    CREATE TRIGGER records_never_edited
        BEFORE UPDATE OF seq, record_id, stop_id, device_time_ms, phash, phash_views, hash, json ON records
        BEGIN SELECT RAISE(ABORT, 'evidence records are append-only'); END;
    CREATE TRIGGER records_stay_uploaded BEFORE UPDATE OF uploaded ON records
        WHEN NEW.uploaded < OLD.uploaded
        BEGIN SELECT RAISE(ABORT, 'an uploaded record stays uploaded'); END;
"];

/// Store settings; the defaults suit a driver app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// How far back a photo is compared with other stops' photos, in milliseconds of device
    /// time; 0 turns reused-photo detection off.
    pub reuse_window_ms: i64,
    /// Largest perceptual-hash distance (bits of 64) at which two photos count as the same.
    pub reuse_max_distance: u32,
}

/// 30 days.
pub const DEFAULT_REUSE_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;
/// Re-encoded, resized, slightly cropped or brightened copies of a photo land within this
/// distance; different photos, even of the same porch, beyond it (measured: see the README).
pub const DEFAULT_REUSE_MAX_DISTANCE: u32 = 8;

impl Default for StoreConfig {
    fn default() -> Self {
        Self { reuse_window_ms: DEFAULT_REUSE_WINDOW_MS, reuse_max_distance: DEFAULT_REUSE_MAX_DISTANCE }
    }
}

/// Everything that can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be used as an evidence store (corrupt, another application's, a newer
    /// schema); it is left untouched.
    #[error("evidence store {path}: {problem}")]
    Unusable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// SQLite failed (disk full, I/O error, ...).
    #[error("evidence store: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The stop is settled; no further photo counts.
    #[error(transparent)]
    SessionFinished(#[from] SessionFinished),
    /// The record could not be made (the signer failed).
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Bad input from the app; the message names it.
    #[error("{0}")]
    InvalidInput(String),
}

/// What one attempt produced.
#[derive(Debug, Clone)]
pub struct Submission {
    /// What the app does next.
    pub decision: Decision,
    /// The verdict, after any reused-photo rejection.
    pub verdict: Verdict,
    /// The record written.
    pub record: SignedRecord,
    /// The earlier photo this one repeats, when it was rejected as reused.
    pub reuse: Option<Reuse>,
}

/// A record waiting for upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRecord {
    /// Position in the chain.
    pub seq: u64,
    /// Its id, for [`EvidenceStore::mark_uploaded`].
    pub record_id: String,
    /// The record, one line of JSON.
    pub json: String,
}

/// The durable store of attempts and evidence records. Share one per file: it is
/// `Send + Sync`, and several processes may open the same file.
pub struct EvidenceStore {
    conn: Mutex<Connection>,
    signer: Checked,
    config: StoreConfig,
    path: PathBuf,
}

impl std::fmt::Debug for EvidenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceStore").field("path", &self.path).field("config", &self.config).finish()
    }
}

impl EvidenceStore {
    /// Opens the store at `path`, creating it when the file does not exist, migrating an
    /// older schema forward. A file that is not an evidence store is an error and is never
    /// modified.
    pub fn open(path: impl AsRef<Path>, signer: Arc<dyn Signer>, config: StoreConfig) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let unusable = |problem: String| StoreError::Unusable { path: path.clone(), problem };
        if inside_signer() {
            return Err(reentrant());
        }
        durable_path(&path)?;
        let signer = Checked::new(signer)?;
        let conn =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
                .map_err(|e| unusable(format!("cannot open: {e}")))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let identify = |conn: &Connection| -> rusqlite::Result<(i32, i32, i64)> {
            Ok((
                conn.query_row("PRAGMA application_id", [], |r| r.get(0))?,
                conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?,
            ))
        };
        let (app_id, version, objects) = identify(&conn).map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => {
                unusable("not an SQLite database (corrupt, or another kind of file)".into())
            }
            _ => unusable(format!("cannot read: {e}")),
        })?;
        let fresh = app_id == 0 && version == 0 && objects == 0;
        if !fresh && app_id != APPLICATION_ID {
            return Err(unusable(format!("an SQLite database of another application (application_id {app_id:#x})")));
        }
        if version > SCHEMA_VERSION {
            return Err(unusable(format!(
                "schema version {version} is newer than this SDK's ({SCHEMA_VERSION}); update the app"
            )));
        }
        if !fresh {
            let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            if check != "ok" {
                return Err(unusable(format!("corrupt: {check}")));
            }
        }
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            log::warn!("evidence store: journal mode {mode}, not WAL");
        }
        // FULL: a commit survives power loss too, so an attempt count never goes back
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        migrate(&conn, version)?;
        log::debug!("evidence store open, schema {SCHEMA_VERSION}");
        Ok(Self { conn: Mutex::new(conn), signer, config, path })
    }

    /// The store's settings.
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// A stop's session state as stored (a new stop when it has none).
    pub fn stop(&self, policy: &Policy, stop_id: &str) -> Result<DeliverySession, StoreError> {
        check_stop_id(stop_id)?;
        let row = self
            .lock()?
            .query_row("SELECT attempts_used, outcome FROM stops WHERE stop_id = ?1", [stop_id], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()?;
        Ok(row.map_or_else(|| DeliverySession::new(policy), |(n, o)| DeliverySession::restore(policy, n, o.as_deref())))
    }

    /// Counts one attempt for `stop_id` and writes its signed record, in one transaction.
    ///
    /// The photo is first compared with other stops' photos from the reuse window: a near
    /// copy makes the verdict invalid ([`Reason::ReusedPhoto`]). Then the stop's session
    /// decides, the record is sealed and signed, and both are committed together.
    #[allow(clippy::too_many_arguments)]
    pub fn record_attempt(
        &self,
        policy: &Policy,
        models: (&str, &[(&'static str, String)]),
        stop_id: &str,
        mut verdict: Verdict,
        photo: &PhotoIdentity,
        capture: Capture,
    ) -> Result<Submission, StoreError> {
        check_stop_id(stop_id)?;
        capture.validate().map_err(StoreError::InvalidInput)?;
        let now = now_ms();
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (used, outcome) = tx
            .query_row("SELECT attempts_used, outcome FROM stops WHERE stop_id = ?1", [stop_id], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()?
            .unwrap_or((0, None));
        let mut session = DeliverySession::restore(policy, used, outcome.as_deref());
        if let Some(outcome) = session.outcome() {
            return Err(SessionFinished { attempts: used, outcome }.into());
        }
        let reuse = self.find_reuse(&tx, stop_id, &photo.phash, now)?;
        if reuse.is_some() {
            verdict.reject(policy, Reason::ReusedPhoto);
        }
        let decision = session.record(policy, &verdict)?;
        let (prev_seq, prev_hash) = tx
            .query_row("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
            .unwrap_or((0, GENESIS_HASH.to_owned()));
        let attempt = Attempt {
            stop_id,
            attempt: session.attempts_used(),
            capture,
            photo,
            policy: (&policy.id, &policy.sha256),
            models,
            verdict: &verdict,
            reuse: reuse.as_ref(),
            decision: &decision,
        };
        let record = seal(&attempt, prev_seq + 1, &prev_hash, now, &self.signer)?;
        tx.execute(
            "INSERT INTO records (seq, record_id, stop_id, device_time_ms, phash, phash_views, hash, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                record.seq,
                record.record_id,
                stop_id,
                now,
                photo.phash.full as i64,
                photo.phash.crops.iter().flat_map(|c| c.to_le_bytes()).collect::<Vec<u8>>(),
                record.hash,
                record.json
            ],
        )?;
        tx.execute(
            "INSERT INTO stops (stop_id, attempts_used, outcome) VALUES (?1, ?2, ?3)
             ON CONFLICT (stop_id) DO UPDATE SET attempts_used = excluded.attempts_used, outcome = excluded.outcome",
            params![stop_id, session.attempts_used(), session.outcome()],
        )?;
        tx.commit()?;
        log::debug!("evidence record {} written", record.seq);
        Ok(Submission { decision, verdict, record, reuse })
    }

    /// The closest photo of another stop within the reuse window, if within the distance.
    fn find_reuse(
        &self,
        conn: &Connection,
        stop_id: &str,
        phash: &PhotoHash,
        now: i64,
    ) -> rusqlite::Result<Option<Reuse>> {
        if self.config.reuse_window_ms <= 0 {
            return Ok(None);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT record_id, phash, phash_views FROM records WHERE device_time_ms >= ?1 AND stop_id <> ?2",
        )?;
        let since = now.saturating_sub(self.config.reuse_window_ms);
        let mut best: Option<Reuse> = None;
        let mut rows = stmt.query(params![since, stop_id])?;
        while let Some(row) = rows.next()? {
            let views: Vec<u8> = row.get(2)?;
            let mut crops = [0u64; 9];
            for (c, bytes) in crops.iter_mut().zip(views.chunks_exact(8)) {
                *c = u64::from_le_bytes(bytes.try_into().expect("chunks of 8"));
            }
            let distance = phash.distance(&PhotoHash { full: row.get::<_, i64>(1)? as u64, crops });
            if distance <= self.config.reuse_max_distance && best.as_ref().is_none_or(|b| distance < b.distance) {
                best = Some(Reuse { record_id: row.get(0)?, distance });
            }
        }
        Ok(best)
    }

    /// Up to `limit` records not yet uploaded, oldest first.
    pub fn pending_records(&self, limit: u32) -> Result<Vec<PendingRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt =
            conn.prepare_cached("SELECT seq, record_id, json FROM records WHERE uploaded = 0 ORDER BY seq LIMIT ?1")?;
        let rows =
            stmt.query_map([limit], |r| Ok(PendingRecord { seq: r.get(0)?, record_id: r.get(1)?, json: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks records uploaded; they stay in the chain. All or nothing: an unknown id is an
    /// error and marks none. Returns how many were newly marked.
    pub fn mark_uploaded(&self, record_ids: &[String]) -> Result<u32, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut marked = 0;
        for id in record_ids {
            let exists: bool = tx.query_row("SELECT count(*) FROM records WHERE record_id = ?1", [id], |r| r.get(0))?;
            if !exists {
                return Err(StoreError::InvalidInput(format!("mark uploaded: no record with id {}", shown(id))));
            }
            marked += tx.execute("UPDATE records SET uploaded = 1 WHERE record_id = ?1 AND uploaded = 0", [id])? as u32;
        }
        tx.commit()?;
        Ok(marked)
    }

    /// The whole chain, uploaded records included, as JSON lines in `seq` order, ending with
    /// a signed head line ([`crate::audit`]).
    pub fn export_jsonl(&self) -> Result<String, StoreError> {
        let mut out = String::new();
        let mut last: Option<(u64, String)> = None;
        let mut count = 0u64;
        {
            let conn = self.lock()?;
            let mut stmt = conn.prepare_cached("SELECT seq, hash, json FROM records ORDER BY seq")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                out.push_str(&row.get::<_, String>(2)?);
                out.push('\n');
                last = Some((row.get(0)?, row.get(1)?));
                count += 1;
            }
        }
        let head = head_line(count, last.as_ref().map(|(s, h)| (*s, h.as_str())), now_ms(), &self.signer)?;
        out.push_str(&head);
        out.push('\n');
        Ok(out)
    }

    /// Audits the stored chain (see [`crate::audit`]); with a key, its signatures too.
    pub fn verify_chain(&self, key: Option<VerifyKey>) -> Result<Result<AuditReport, AuditFailure>, StoreError> {
        Ok(audit(&self.export_jsonl()?, &AuditOptions { key, partial: false, known: None }))
    }

    /// The connection, for one call. Refused on a thread inside a signer's method: the
    /// store that called the signer holds this lock (or another store's), and waiting for it
    /// would never end.
    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        if inside_signer() {
            return Err(reentrant());
        }
        // a panic while holding the lock leaves no half transaction: SQLite rolled it back
        Ok(self.conn.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The error for a store called from inside a signer's method.
fn reentrant() -> StoreError {
    StoreError::InvalidInput(
        "the evidence store was called from inside its signer (key id, algorithm or sign): a signer must not call an evidence store".into(),
    )
}

fn migrate(conn: &Connection, seen: i32) -> Result<(), StoreError> {
    if seen == SCHEMA_VERSION {
        return Ok(());
    }
    // another process may be opening the same new file: take the write lock, then look again
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> rusqlite::Result<()> {
        let from: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for version in from..SCHEMA_VERSION {
            conn.execute_batch(MIGRATIONS[version as usize])?;
            if version == 0 {
                conn.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))?;
            }
            conn.execute_batch(&format!("PRAGMA user_version = {};", version + 1))?;
            log::debug!("evidence store migrated to schema {}", version + 1);
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
    }
    Ok(())
}

fn check_stop_id(stop_id: &str) -> Result<(), StoreError> {
    if stop_id.is_empty() || stop_id.len() > MAX_STOP_ID_BYTES || stop_id.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput(format!(
            "stop id must be 1 to {MAX_STOP_ID_BYTES} bytes without control characters, got {} bytes",
            stop_id.len()
        )));
    }
    Ok(())
}

/// An app-given string for an error message, bounded: at most 80 characters, quoted, with the
/// rest counted (a 10 MB id would otherwise travel whole into logs and crash reports).
fn shown(value: &str) -> String {
    const SHOWN: usize = 80;
    match value.char_indices().nth(SHOWN) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes in all)", &value[..cut], value.len()),
    }
}

/// The device clock, Unix milliseconds (0 if it is set before 1970).
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// SQLite opens a temporary store for an empty path and an in-memory one for `:memory:`: both
/// vanish on close, with every attempt count and record. An evidence store is a file that
/// outlives the process, so neither is accepted, nor a path that names a folder.
fn durable_path(path: &Path) -> Result<(), StoreError> {
    let refuse = |why: &str| Err(StoreError::InvalidInput(format!("evidence store path {path:?}: {why}")));
    if path.as_os_str().is_empty() {
        return refuse("empty; SQLite would keep a temporary store that vanishes on close");
    }
    if path.as_os_str() == ":memory:" {
        return refuse("SQLite would keep the store in memory, and it would vanish on close");
    }
    if path.file_name().is_none() || path.as_os_str().to_string_lossy().ends_with(std::path::MAIN_SEPARATOR) {
        return refuse("names a folder, not a file");
    }
    if path.is_dir() {
        return refuse("is a folder, not a file");
    }
    Ok(())
}
