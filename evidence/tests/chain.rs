//! The evidence chain: records, their links and signatures, and the audit that names the
//! first thing wrong.

mod common;

use common::*;
use proofshot_core::{Decision, Policy};
use proofshot_evidence::{
    audit, AuditOptions, EvidenceStore, HmacSha256Signer, KnownHead, P256Signer, Problem, Signer, VerifyKey,
};
use serde_json::Value;

/// An export of five records over three stops.
fn export() -> String {
    let dir = temp_dir("chain-export");
    let store = open(&dir.join("evidence.db"));
    let policy = Policy::default_policy();
    submit(&store, &policy, "stop-1", false, 1);
    submit(&store, &policy, "stop-1", true, 2);
    submit(&store, &policy, "stop-2", true, 3);
    submit(&store, &policy, "stop-3", false, 4);
    submit(&store, &policy, "stop-3", false, 5);
    store.export_jsonl().expect("exports")
}

/// A store in its own folder with one accepted photo for each of `stops` stops.
fn store_of(name: &str, stops: u64) -> EvidenceStore {
    let store = open(&temp_dir(name).join("evidence.db"));
    let policy = Policy::default_policy();
    for n in 0..stops {
        submit(&store, &policy, &format!("stop-{n}"), true, n);
    }
    store
}

fn with_key() -> AuditOptions {
    AuditOptions { key: Some(key()), partial: false, known: None }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn problem(text: &str) -> (usize, Problem) {
    let failure = audit(text, &with_key()).expect_err("the audit must fail");
    (failure.line, failure.problem)
}

#[test]
fn an_untouched_export_verifies_with_its_key() {
    let text = export();
    let report = audit(&text, &with_key()).expect("verifies");
    assert_eq!(report.records, 5);
    assert_eq!(report.seq_range, (1, 5));
    assert!(report.signatures_checked);
    let first: Value = serde_json::from_str(text.lines().next().expect("a line")).expect("json");
    assert_eq!(first["prev_hash"], "0".repeat(64));
    assert_eq!(first["stop_id"], "stop-1");
    assert_eq!(first["verdict"]["criteria"][0]["reason"], "no_package");
    assert_eq!(first["decision"]["kind"], "retry");
    assert_eq!(first["decision"]["remaining"], 1);
}

#[test]
fn an_edited_record_is_named() {
    let mut l = lines(&export());
    l[1] = l[1].replace(r#""compliant":true"#, r#""compliant":false"#);
    assert_eq!(problem(&join(&l)), (2, Problem::Edited));
}

#[test]
fn an_edited_and_re_hashed_record_breaks_the_next_link_and_its_signature() {
    let mut l = lines(&export());
    let mut v: Value = serde_json::from_str(&l[1]).expect("json");
    v["verdict"]["category"] = "valid_pod".into();
    v["stop_id"] = "stop-9".into();
    let bytes = proofshot_evidence::canonical::canonical_bytes(&v).expect("canonical");
    v["hash"] = sha256_hex(&bytes).into();
    l[1] = v.to_string();
    // the record itself hashes right, but the key did not sign it
    let (line, p) = problem(&join(&l));
    assert_eq!(line, 2);
    assert!(matches!(p, Problem::BadSignature { .. }), "{p:?}");
    // without a key, the next record's link still gives it away
    let failure = audit(&join(&l), &AuditOptions::default()).expect_err("broken link");
    assert_eq!((failure.line, failure.problem), (3, Problem::BrokenLink));
}

#[test]
fn a_deleted_record_is_named() {
    let mut l = lines(&export());
    l.remove(2);
    assert_eq!(problem(&join(&l)), (3, Problem::Sequence { expected: 3, found: 4 }));
    let mut l = lines(&export());
    l.remove(0);
    assert_eq!(problem(&join(&l)), (1, Problem::Sequence { expected: 1, found: 2 }));
}

#[test]
fn reordered_records_are_named() {
    let mut l = lines(&export());
    l.swap(1, 3);
    let (line, p) = problem(&join(&l));
    assert_eq!((line, &p), (2, &Problem::OutOfOrder { expected: 2, found: 4 }));
    assert_eq!(p.to_string(), "expected seq 2, found seq 4: records are out of order (seq 2 comes later)");
}

#[test]
fn a_forged_member_before_the_real_one_is_refused() {
    // JSON parsers keep the last of two members: a forged stop id and verdict put first would
    // be ignored by the hash check and then read by a backend that keeps the first
    let text = export();
    let mut l = lines(&text);
    l[1] = l[1].replacen('{', r#"{"stop_id":"FORGED","verdict":{"category":"valid_pod"},"#, 1);
    let (line, p) = problem(&join(&l));
    assert_eq!(line, 2);
    assert!(matches!(&p, Problem::Malformed(m) if m.contains("duplicate member \"stop_id\"")), "{p:?}");
    // a nested duplicate too
    let mut l = lines(&text);
    l[2] = l[2].replacen(r#""verdict":{"#, r#""verdict":{"category":"valid_pod","#, 1);
    assert!(matches!(problem(&join(&l)), (3, Problem::Malformed(m)) if m.contains("duplicate member \"category\"")));
}

#[test]
fn a_line_not_byte_for_byte_as_written_is_refused() {
    let text = export();
    for change in [
        |l: &str| l.replacen(':', ": ", 1),
        |l: &str| format!(" {l}"),
        |l: &str| l.replacen("stop-1", r"stop\u002d1", 1),
    ] {
        let mut l = lines(&text);
        l[0] = change(&l[0]);
        let (line, p) = problem(&join(&l));
        assert_eq!(line, 1);
        assert!(matches!(&p, Problem::Malformed(m) if m.starts_with("not byte for byte")), "{p:?}");
    }
}

#[test]
fn a_truncated_export_is_named() {
    let l = lines(&export());
    // records cut from the end, head line gone with them
    let (line, p) = problem(&join(&l[..3]));
    assert_eq!(line, 3);
    assert!(matches!(&p, Problem::Truncated(m) if m.contains("no head line") && m.contains("after seq 3")), "{p:?}");
    // records cut from the end, head line kept
    let mut cut = l[..3].to_vec();
    cut.push(l[5].clone());
    let (line, p) = problem(&join(&cut));
    assert_eq!(line, 4);
    assert!(matches!(&p, Problem::Truncated(m) if m.contains("says 5 records")), "{p:?}");
    // a line cut in half
    let text = join(&l);
    let (_, p) = problem(&text[..text.len() - 40]);
    assert!(matches!(p, Problem::Truncated(_)), "{p:?}");
}

#[test]
fn a_chain_re_signed_with_another_key_is_named() {
    let mut l = lines(&export());
    let forger = HmacSha256Signer::new("test-key", b"guessed secret".to_vec());
    let mut v: Value = serde_json::from_str(&l[0]).expect("json");
    let bytes = proofshot_evidence::canonical::canonical_bytes(&v).expect("canonical");
    v["signature"] = base64_std(&forger.sign(&bytes).expect("signs")).into();
    l[0] = v.to_string();
    let (line, p) = problem(&join(&l));
    assert_eq!(line, 1);
    assert_eq!(p, Problem::BadSignature { key_id: "test-key".into(), alg: "hmac-sha256".into() });
    assert!(audit(&join(&l), &AuditOptions::default()).is_ok(), "hashes and links alone still hold");
}

#[test]
fn p256_signed_records_verify_with_the_public_key_only() {
    let dir = temp_dir("chain-p256");
    let signer = std::sync::Arc::new(P256Signer::from_bytes("device-7", &[3u8; 32]).expect("key"));
    let public = signer.verifying_key();
    let store = proofshot_evidence::EvidenceStore::open(dir.join("e.db"), signer, Default::default()).expect("opens");
    let policy = Policy::default_policy();
    submit(&store, &policy, "stop-1", true, 1);
    let text = store.export_jsonl().expect("exports");
    assert!(audit(&text, &AuditOptions { key: Some(public), partial: false, known: None }).is_ok());
    let other = P256Signer::from_bytes("device-8", &[4u8; 32]).expect("key").verifying_key();
    let failure = audit(&text, &AuditOptions { key: Some(other), partial: false, known: None }).expect_err("wrong key");
    assert_eq!(failure.problem, Problem::BadSignature { key_id: "device-7".into(), alg: "ecdsa-p256-sha256".into() });
    let failure = audit(&text, &AuditOptions { key: Some(VerifyKey::Hmac(vec![1])), partial: false, known: None })
        .expect_err("hmac");
    assert!(matches!(failure.problem, Problem::BadSignature { .. }));
}

#[test]
fn pending_batches_audit_as_partial_chains() {
    let store = store_of("chain-partial", 5);
    let first = store.pending_records(2).expect("pending");
    store.mark_uploaded(&first.iter().map(|r| r.record_id.clone()).collect::<Vec<_>>()).expect("marked");
    let rest = store.pending_records(10).expect("pending");
    assert_eq!(rest.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 4, 5]);
    let batch: String = rest.iter().map(|r| format!("{}\n", r.json)).collect();
    let report = audit(&batch, &AuditOptions { key: Some(key()), partial: true, known: None }).expect("batch verifies");
    assert_eq!(report.seq_range, (3, 5));
    assert!(audit(&batch, &with_key()).is_err(), "a batch is not a whole export");
    // uploaded records stay in the chain
    assert_eq!(audit(&store.export_jsonl().expect("export"), &with_key()).expect("verifies").records, 5);
}

#[test]
fn a_decision_is_recorded_with_its_attempt() {
    let dir = temp_dir("chain-decision");
    let store = open(&dir.join("e.db"));
    let policy = Policy::default_policy();
    let first = submit(&store, &policy, "stop-1", false, 1);
    assert!(matches!(first.decision, Decision::Retry { remaining: 1, .. }));
    let second = submit(&store, &policy, "stop-1", false, 2);
    assert!(matches!(second.decision, Decision::ManualReview { .. }));
    let v: Value = serde_json::from_str(&second.record.json).expect("json");
    assert_eq!(v["attempt"], 2);
    assert_eq!(v["decision"]["kind"], "manual_review");
    assert_eq!(v["prev_hash"], first.record.hash);
    assert_eq!(v["policy"]["id"], policy.id);
    assert_eq!(v["policy"]["sha256"], policy.sha256);
}

fn sha256_hex(bytes: &[u8]) -> String {
    proofshot_core::hex_sha256(bytes)
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What a backend keeps per device after accepting a chain: its last record's seq and hash.
fn known_after(text: &str) -> KnownHead {
    let report = audit(text, &with_key()).expect("accepted");
    KnownHead { seq: report.seq_range.1, hash: report.head_hash }
}

fn with_known(known: &KnownHead, partial: bool) -> AuditOptions {
    AuditOptions { key: Some(key()), partial, known: Some(known.clone()) }
}

#[test]
fn an_earlier_export_replayed_is_a_rollback_for_a_backend_that_remembers() {
    let dir = temp_dir("chain-rollback");
    let store = open(&dir.join("evidence.db"));
    let policy = Policy::default_policy();
    for n in 0..3 {
        submit(&store, &policy, &format!("stop-{n}"), true, n);
    }
    let earlier = store.export_jsonl().expect("export");
    for n in 3..5 {
        submit(&store, &policy, &format!("stop-{n}"), true, n);
    }
    let later = store.export_jsonl().expect("export");
    let known = known_after(&later);
    assert_eq!(known.seq, 5);
    // the later export cut back to three records, ending with the earlier export's signed head:
    // every hash, link and signature holds, so only the backend's memory can tell
    let l = lines(&later);
    let rolled = join(&[&l[..3], &lines(&earlier)[3..]].concat());
    assert!(audit(&rolled, &with_key()).is_ok(), "without memory a replayed export is valid");
    let failure = audit(&rolled, &with_known(&known, false)).expect_err("rolled back");
    assert!(
        matches!(&failure.problem, Problem::RolledBack(m) if m.starts_with("the chain ends at seq 3, but seq 5 was accepted before")),
        "{failure}"
    );
    assert!(audit(&later, &with_known(&known, false)).is_ok(), "the same export again is fine");
    // the store deleted: a new one starts again at seq 1
    let fresh = open(&temp_dir("chain-rollback-fresh").join("evidence.db"));
    submit(&fresh, &policy, "stop-9", true, 9);
    let restarted = fresh.export_jsonl().expect("export");
    assert!(matches!(
        audit(&restarted, &with_known(&known, false)).expect_err("restart").problem,
        Problem::RolledBack(_)
    ));
    // ... and grown past the seq the backend knows: that seq now holds another record
    for n in 10..15 {
        submit(&fresh, &policy, &format!("stop-{n}"), true, n);
    }
    let failure = audit(&fresh.export_jsonl().expect("export"), &with_known(&known, false)).expect_err("rewritten");
    assert_eq!(failure.seq, Some(5));
    assert!(
        matches!(&failure.problem, Problem::RolledBack(m) if m.contains("is not the record accepted before")),
        "{failure}"
    );
}

#[test]
fn a_batch_must_go_on_from_what_the_backend_accepted() {
    let store = store_of("chain-batch-known", 6);
    let pending = store.pending_records(10).expect("pending");
    let batch = |from: usize, to: usize| pending[from..to].iter().map(|r| format!("{}\n", r.json)).collect::<String>();
    let hash_of =
        |json: &str| serde_json::from_str::<Value>(json).expect("json")["hash"].as_str().expect("hash").to_owned();
    let known = KnownHead { seq: pending[2].seq, hash: hash_of(&pending[2].json) };
    assert_eq!(audit(&batch(3, 6), &with_known(&known, true)).expect("goes on from seq 3").seq_range, (4, 6));
    assert_eq!(audit(&batch(0, 3), &with_known(&known, true)).expect("an upload retried").records, 3);
    let gap = audit(&batch(4, 6), &with_known(&known, true)).expect_err("seq 4 missing");
    assert_eq!(gap.problem, Problem::Sequence { expected: 4, found: 5 });
    let other = KnownHead { seq: 3, hash: "ab".repeat(32) };
    assert_eq!(audit(&batch(3, 6), &with_known(&other, true)).expect_err("another chain").problem, Problem::BrokenLink);
}

#[test]
fn a_known_hash_of_any_text_is_compared_never_sliced() {
    let text = store_of("chain-known-text", 2).export_jsonl().expect("export");
    // byte 12 falls inside a three-byte character
    let known = KnownHead { seq: 2, hash: format!("a{}", "€".repeat(20)) };
    let failure = audit(&text, &with_known(&known, false)).expect_err("not the record accepted before");
    assert!(matches!(&failure.problem, Problem::RolledBack(m) if m.contains("(hash a€€€€€€€€€€€…")), "{failure}");
}
