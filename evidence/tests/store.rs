//! The store on disk: durable attempt counts, refusing files it does not own, append-only
//! records, the upload queue, and concurrent use.

mod common;

use std::sync::Arc;

use common::*;
use proofshot_core::{Decision, Policy};
use proofshot_evidence::{audit, AuditOptions, EvidenceStore, StoreConfig, StoreError, SCHEMA_VERSION};

#[test]
fn attempts_survive_closing_and_reopening_the_store() {
    let dir = temp_dir("store-reopen");
    let path = dir.join("evidence.db");
    let policy = Policy::default_policy();
    {
        let store = open(&path);
        assert!(matches!(submit(&store, &policy, "stop-1", false, 1).decision, Decision::Retry { remaining: 1, .. }));
    }
    let store = open(&path);
    let stop = store.stop(&policy, "stop-1").expect("state");
    assert_eq!(stop.attempts_used(), 1);
    assert_eq!(stop.remaining(), 1);
    assert!(matches!(submit(&store, &policy, "stop-1", false, 2).decision, Decision::ManualReview { .. }));
    drop(store);
    let store = open(&path);
    let err = store
        .record_attempt(&policy, ("test", &MODELS), "stop-1", verdict(&policy, true), &photo(3), Default::default())
        .expect_err("settled");
    assert!(matches!(err, StoreError::SessionFinished(_)));
    assert_eq!(err.to_string(), "delivery session is finished after 2 attempt(s): manual review");
    assert_eq!(store.stop(&policy, "stop-1").expect("state").attempts_used(), 2);
}

#[test]
fn an_accepted_stop_stays_settled_after_reopening() {
    let dir = temp_dir("store-accepted");
    let path = dir.join("evidence.db");
    let policy = Policy::default_policy();
    submit(&open(&path), &policy, "stop-1", true, 1);
    let stop = open(&path).stop(&policy, "stop-1").expect("state");
    assert_eq!(stop.outcome(), Some("accepted"));
    assert_eq!(stop.remaining(), 0);
}

#[test]
fn a_file_that_is_not_a_store_is_refused_and_left_untouched() {
    let dir = temp_dir("store-foreign");
    let garbage = dir.join("garbage.db");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&garbage, &bytes).expect("write");
    let err = EvidenceStore::open(&garbage, signer(), StoreConfig::default()).expect_err("garbage");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
    assert_eq!(std::fs::read(&garbage).expect("read"), bytes, "the file must not change");

    let foreign = dir.join("foreign.db");
    rusqlite::Connection::open(&foreign).expect("sqlite").execute_batch("CREATE TABLE notes (t TEXT);").expect("table");
    let before = std::fs::read(&foreign).expect("read");
    let err = EvidenceStore::open(&foreign, signer(), StoreConfig::default()).expect_err("foreign");
    assert!(err.to_string().contains("another application"), "{err}");
    assert_eq!(std::fs::read(&foreign).expect("read"), before);
}

#[test]
fn a_store_from_a_newer_sdk_is_refused() {
    let dir = temp_dir("store-newer");
    let path = dir.join("evidence.db");
    drop(open(&path));
    rusqlite::Connection::open(&path)
        .expect("sqlite")
        .execute_batch(&format!("PRAGMA user_version = {};", SCHEMA_VERSION + 1))
        .expect("bump");
    let err = EvidenceStore::open(&path, signer(), StoreConfig::default()).expect_err("newer");
    assert!(err.to_string().contains("newer than this SDK"), "{err}");
}

#[test]
fn a_damaged_store_is_refused() {
    let dir = temp_dir("store-damaged");
    let path = dir.join("evidence.db");
    {
        let store = open(&path);
        let policy = Policy::default_policy();
        for n in 0..200 {
            submit(&store, &policy, &format!("stop-{n}"), true, n);
        }
    }
    // checkpoint the WAL into the main file, then overwrite a page in the middle
    rusqlite::Connection::open(&path)
        .expect("sqlite")
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 8 * 4096, "{} bytes", bytes.len());
    for b in &mut bytes[4 * 4096..5 * 4096] {
        *b = 0x5a;
    }
    std::fs::write(&path, &bytes).expect("write");
    let err = EvidenceStore::open(&path, signer(), StoreConfig::default()).expect_err("damaged");
    assert!(matches!(err, StoreError::Unusable { .. }), "{err}");
}

#[test]
fn records_and_counts_cannot_be_rewritten_behind_the_store() {
    let dir = temp_dir("store-append-only");
    let path = dir.join("evidence.db");
    let policy = Policy::default_policy();
    submit(&open(&path), &policy, "stop-1", false, 1);
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    for sql in [
        "DELETE FROM records",
        "UPDATE records SET json = '{}'",
        "UPDATE stops SET attempts_used = 0",
        "DELETE FROM stops",
    ] {
        let err = conn.execute_batch(sql).expect_err(sql);
        assert!(err.to_string().contains("cannot") || err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn marking_uploaded_is_all_or_nothing() {
    let dir = temp_dir("store-upload");
    let store = open(&dir.join("evidence.db"));
    let policy = Policy::default_policy();
    let a = submit(&store, &policy, "stop-1", true, 1).record.record_id;
    let b = submit(&store, &policy, "stop-2", true, 2).record.record_id;
    let err = store.mark_uploaded(&[a.clone(), "nope".into()]).expect_err("unknown id");
    assert_eq!(err.to_string(), "mark uploaded: no record with id \"nope\"");
    assert_eq!(store.pending_records(10).expect("pending").len(), 2, "nothing marked");
    assert_eq!(store.mark_uploaded(std::slice::from_ref(&a)).expect("marked"), 1);
    assert_eq!(store.mark_uploaded(&[a]).expect("again"), 0, "marking twice is harmless");
    let pending = store.pending_records(10).expect("pending");
    assert_eq!(pending.iter().map(|r| r.record_id.clone()).collect::<Vec<_>>(), [b]);
}

#[test]
fn bad_stop_ids_and_locations_are_named() {
    let dir = temp_dir("store-input");
    let store = open(&dir.join("evidence.db"));
    let policy = Policy::default_policy();
    let err = store.stop(&policy, "").expect_err("empty");
    assert!(err.to_string().starts_with("stop id must be"), "{err}");
    let capture = proofshot_evidence::Capture {
        time_ms: Some(1),
        location: Some(proofshot_evidence::Location { latitude: 91.0, longitude: 0.0, accuracy_m: None }),
    };
    let err = store
        .record_attempt(&policy, ("test", &MODELS), "s", verdict(&policy, true), &photo(1), capture)
        .expect_err("latitude");
    assert_eq!(err.to_string(), "capture.location.latitude: expected -90 to 90 degrees (the value is not shown)");
    assert!(!err.to_string().contains("91"), "a location is never echoed");
    assert!(store.pending_records(10).expect("pending").is_empty(), "nothing recorded");
}

#[test]
fn capture_values_beyond_what_a_backend_can_parse_are_refused() {
    use proofshot_evidence::{Capture, Location};
    let dir = temp_dir("store-capture-range");
    let store = open(&dir.join("evidence.db"));
    let policy = Policy::default_policy();
    let at = |accuracy_m| Some(Location { latitude: 52.5, longitude: 13.4, accuracy_m: Some(accuracy_m) });
    for (capture, problem) in [
        (
            Capture { time_ms: Some(i64::MAX), location: None },
            "capture.time_ms: expected Unix milliseconds from 0 to 2^53 - 1",
        ),
        (
            Capture { time_ms: Some(i64::MIN), location: None },
            "capture.time_ms: expected Unix milliseconds from 0 to 2^53 - 1",
        ),
        (
            Capture { time_ms: Some(1 << 53), location: None },
            "capture.time_ms: expected Unix milliseconds from 0 to 2^53 - 1",
        ),
        (
            Capture { time_ms: None, location: at(1e300) },
            "capture.location.accuracy_m: expected metres from 0 to 20,000,000",
        ),
        (
            Capture { time_ms: None, location: at(-1.0) },
            "capture.location.accuracy_m: expected metres from 0 to 20,000,000",
        ),
        (
            Capture { time_ms: None, location: at(f64::NAN) },
            "capture.location.accuracy_m: expected metres from 0 to 20,000,000",
        ),
    ] {
        let err = store
            .record_attempt(&policy, ("test", &MODELS), "s", verdict(&policy, true), &photo(1), capture)
            .expect_err("out of range");
        assert!(err.to_string().starts_with(problem), "{err}");
        assert!(matches!(err, StoreError::InvalidInput(_)));
    }
    assert!(store.pending_records(10).expect("pending").is_empty(), "nothing recorded");
    let edge = Capture { time_ms: Some((1 << 53) - 1), location: at(20_000_000.0) };
    store
        .record_attempt(&policy, ("test", &MODELS), "s", verdict(&policy, true), &photo(1), edge)
        .expect("the bounds themselves");
}

#[test]
fn a_store_must_be_a_file_that_outlives_the_process() {
    let dir = temp_dir("store-durable");
    let folder = dir.join("sub");
    std::fs::create_dir_all(&folder).expect("folder");
    for path in [std::path::PathBuf::new(), ":memory:".into(), folder.clone(), format!("{}/", dir.display()).into()] {
        match EvidenceStore::open(&path, signer(), StoreConfig::default()) {
            Err(StoreError::InvalidInput(msg)) => assert!(msg.starts_with("evidence store path "), "{msg}"),
            Err(other) => panic!("{path:?}: expected InvalidInput, got {other}"),
            Ok(_) => panic!("{path:?}: accepted"),
        }
    }
    assert!(!std::path::Path::new(":memory:").exists(), "no file made");
}

#[test]
fn errors_echo_a_bounded_part_of_what_the_app_gave() {
    let dir = temp_dir("store-echo");
    let store = open(&dir.join("evidence.db"));
    let huge = "r".repeat(10 << 20);
    let err = store.mark_uploaded(&[huge]).expect_err("no such record").to_string();
    assert!(err.len() < 200, "{} bytes of message", err.len());
    assert!(err.ends_with("… (10485760 bytes in all)"), "{err}");
}

#[test]
fn concurrent_stops_from_many_threads_stay_consistent() {
    let dir = temp_dir("store-threads");
    let path = dir.join("evidence.db");
    let store = Arc::new(open(&path));
    // a second connection to the same file, as a second process would have
    let other = Arc::new(open(&path));
    let policy = Arc::new(Policy::default_policy());
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let store = if t % 2 == 0 { store.clone() } else { other.clone() };
            let policy = policy.clone();
            std::thread::spawn(move || {
                for stop in 0..10u64 {
                    let id = format!("stop-{t}-{stop}");
                    submit(&store, &policy, &id, false, t * 100 + stop * 2);
                    submit(&store, &policy, &id, false, t * 100 + stop * 2 + 1);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let report =
        audit(&store.export_jsonl().expect("export"), &AuditOptions { key: Some(key()), partial: false, known: None })
            .expect("the chain holds");
    assert_eq!(report.records, 160);
    for t in 0..8 {
        for stop in 0..10 {
            let s = store.stop(&policy, &format!("stop-{t}-{stop}")).expect("state");
            assert_eq!((s.attempts_used(), s.outcome()), (2, Some("manual review")));
        }
    }
}
