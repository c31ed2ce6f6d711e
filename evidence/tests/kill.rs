//! Crash safety: a process writing to the store is killed (SIGKILL) many times at random
//! moments; after every kill the store opens, the chain verifies with its signatures, every
//! attempt count matches its records, and no count went down.
//!
//! The writer is this test binary itself, re-run with `PROOFSHOT_KILL_WRITER` set.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use proofshot_core::Policy;

const WRITER_ENV: &str = "PROOFSHOT_KILL_WRITER";
const KILLS: u32 = 40;

/// The writer process: submits photos to new stops, two attempts each, until killed. Not a
/// test of its own; the kill test runs it.
#[test]
#[ignore = "the kill test's writer process; the kill test runs it"]
fn writer() {
    let Ok(path) = std::env::var(WRITER_ENV) else { return };
    let store = open(Path::new(&path));
    let policy = Policy::default_policy();
    let mut n = stop_counts(Path::new(&path)).len() as u64;
    loop {
        let stop = format!("stop-{n}");
        submit(&store, &policy, &stop, false, 2 * n);
        submit(&store, &policy, &stop, false, 2 * n + 1);
        n += 1;
    }
}

#[test]
fn killing_the_writer_at_random_moments_never_damages_the_store() {
    if std::env::var(WRITER_ENV).is_ok() {
        return;
    }
    let dir = temp_dir("kill");
    let path = dir.join("evidence.db");
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut total_records = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "writer", "--ignored", "--nocapture", "--test-threads=1"])
            .env(WRITER_ENV, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("writer starts");
        std::thread::sleep(Duration::from_millis(20 + next() % 180));
        child.kill().expect("SIGKILL"); // SIGKILL on Unix
        child.wait().expect("reaped");

        let store = open(&path); // opens, whatever moment the kill hit
        let report = store
            .verify_chain(Some(key()))
            .expect("exports")
            .unwrap_or_else(|e| panic!("kill {kill} (seed {seed}): chain broken: {e}"));
        assert!(
            report.records >= total_records,
            "kill {kill}: records went from {total_records} to {}",
            report.records
        );
        total_records = report.records;
        let counts = stop_counts(&path);
        for (stop, (attempts, records)) in &counts {
            assert_eq!(attempts, records, "kill {kill}: {stop} counts {attempts} attempts but has {records} records");
            let before = seen.insert(stop.clone(), *attempts).unwrap_or(0);
            assert!(*attempts >= before, "kill {kill}: {stop} went from {before} to {attempts} attempts");
        }
        assert!(seen.keys().all(|s| counts.contains_key(s)), "kill {kill}: a stop disappeared");
    }
    assert!(total_records > 0, "the writer never got a record in (seed {seed})");
    eprintln!("{KILLS} kills, {total_records} records, {} stops (seed {seed})", seen.len());
}

/// Every stop's stored attempt count and number of records.
fn stop_counts(path: &Path) -> HashMap<String, (u32, u32)> {
    let conn = rusqlite::Connection::open(path).expect("sqlite");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    let mut stmt = conn
        .prepare(
            "SELECT s.stop_id, s.attempts_used, (SELECT count(*) FROM records r WHERE r.stop_id = s.stop_id) FROM stops s",
        )
        .expect("query");
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))).expect("rows");
    rows.collect::<Result<_, _>>().expect("counts")
}
