//! A misbehaving signer: whatever it answers or throws, nothing is recorded or counted, the
//! error is a signing error that names the problem, the chain stays auditable, and a signer
//! that calls back into the store gets an error instead of waiting forever.

mod common;

use std::sync::{Arc, Mutex, OnceLock, Weak};

use common::*;
use proofshot_core::Policy;
use proofshot_evidence::record::RecordError;
use proofshot_evidence::{
    audit, check_signature, AuditOptions, EvidenceStore, HmacSha256Signer, P256Signer, Signer, StoreConfig, StoreError,
    HMAC_SHA256,
};

/// Signs with HMAC, or answers what a test makes it answer.
struct Rogue {
    good: HmacSha256Signer,
    key_id: Mutex<Result<String, String>>,
    algorithm: Mutex<Result<String, String>>,
    signature: Mutex<Option<Result<Vec<u8>, String>>>,
    /// A store the signer calls from inside `sign`, and what that call returned.
    store: OnceLock<Weak<EvidenceStore>>,
    inner_call: Mutex<Option<String>>,
}

impl Rogue {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            good: HmacSha256Signer::new("test-hmac", b"test secret".to_vec()),
            key_id: Mutex::new(Ok("test-hmac".into())),
            algorithm: Mutex::new(Ok(HMAC_SHA256.into())),
            signature: Mutex::new(None),
            store: OnceLock::new(),
            inner_call: Mutex::new(None),
        })
    }
}

impl Signer for Rogue {
    fn key_id(&self) -> Result<String, String> {
        self.key_id.lock().expect("lock").clone()
    }
    fn algorithm(&self) -> Result<String, String> {
        self.algorithm.lock().expect("lock").clone()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        if let Some(store) = self.store.get().and_then(Weak::upgrade) {
            let inner = store.pending_records(10).map(|r| format!("{} records", r.len()));
            *self.inner_call.lock().expect("lock") = Some(match inner {
                Ok(s) => s,
                Err(e) => format!("error: {e}"),
            });
        }
        match self.signature.lock().expect("lock").clone() {
            Some(answer) => answer,
            None => self.good.sign(message),
        }
    }
}

fn store_with(rogue: &Arc<Rogue>, name: &str) -> Arc<EvidenceStore> {
    let path = temp_dir(name).join("evidence.db");
    Arc::new(EvidenceStore::open(path, rogue.clone(), StoreConfig::default()).expect("opens"))
}

fn try_submit(store: &EvidenceStore, policy: &Policy, n: u64) -> Result<(), StoreError> {
    store
        .record_attempt(policy, ("test", &MODELS), "stop-1", verdict(policy, false), &photo(n), Default::default())
        .map(|_| ())
}

/// The store's attempts for stop-1 and its chain's record count, audited.
fn state(store: &EvidenceStore, policy: &Policy) -> (u32, u64) {
    let used = store.stop(policy, "stop-1").expect("state").attempts_used();
    let export = store.export_jsonl().expect("export");
    let report =
        audit(&export, &AuditOptions { key: Some(key()), partial: false, known: None }).expect("the chain holds");
    (used, report.records)
}

fn assert_signing_error(err: &StoreError, names: &str) {
    assert!(matches!(err, StoreError::Record(RecordError::Signer(_))), "{err:?}");
    assert!(err.to_string().contains(names), "{err} should name {names:?}");
}

#[test]
fn signatures_of_the_wrong_form_are_refused_and_nothing_is_counted() {
    let policy = Policy::default_policy();
    let rogue = Rogue::new();
    let store = store_with(&rogue, "signer-form");
    try_submit(&store, &policy, 1).expect("a good signature");
    for (answer, names) in [
        (Vec::new(), "0 bytes"),
        (vec![1u8; 31], "31 bytes"),
        (vec![1u8; 33], "33 bytes"),
        (b"garbage, not a MAC".to_vec(), "not a hmac-sha256 signature"),
    ] {
        *rogue.signature.lock().expect("lock") = Some(Ok(answer));
        let err = try_submit(&store, &policy, 2).expect_err("a signature of the wrong form");
        assert_signing_error(&err, names);
        *rogue.signature.lock().expect("lock") = None;
        assert_eq!(state(&store, &policy), (1, 1), "nothing recorded or counted, the chain holds");
    }
}

#[test]
fn ecdsa_signatures_are_der_or_64_bytes_in_range() {
    let key = P256Signer::from_bytes("k", &[7u8; 32]).expect("a valid scalar");
    let der = key.sign(b"message").expect("signs");
    assert!(check_signature("ecdsa-p256-sha256", &der).is_ok());
    let raw = p256::ecdsa::Signature::from_der(&der).expect("der").to_bytes();
    assert!(check_signature("ecdsa-p256-sha256", &raw).is_ok());
    for bad in [Vec::new(), vec![0u8; 64], vec![0xffu8; 64], vec![1u8; 63], der[..der.len() - 1].to_vec()] {
        assert!(check_signature("ecdsa-p256-sha256", &bad).is_err(), "{bad:?}");
    }
    assert!(check_signature(HMAC_SHA256, &der).is_err(), "an ECDSA signature is not an HMAC");
    assert!(check_signature("none", &[]).is_err());
}

#[test]
fn key_ids_out_of_bounds_and_a_changed_algorithm_are_refused() {
    let policy = Policy::default_policy();
    let rogue = Rogue::new();
    let store = store_with(&rogue, "signer-identity");
    for (id, names) in [
        (String::new(), "key id"),
        ("k".repeat(257), "257 bytes"),
        ("key\0id".to_string(), "control characters"),
        ("key\nid".to_string(), "control characters"),
    ] {
        *rogue.key_id.lock().expect("lock") = Ok(id);
        assert_signing_error(&try_submit(&store, &policy, 1).expect_err("a bad key id"), names);
    }
    *rogue.key_id.lock().expect("lock") = Ok("k".repeat(256));
    try_submit(&store, &policy, 1).expect("256 bytes is allowed");
    *rogue.key_id.lock().expect("lock") = Ok("test-hmac".into());
    *rogue.algorithm.lock().expect("lock") = Ok("none".into());
    let err = try_submit(&store, &policy, 2).expect_err("the algorithm changed");
    assert_signing_error(&err, "changed from \"hmac-sha256\" to \"none\"");
    assert!(store.export_jsonl().is_err(), "nor is a head signed with it");
    *rogue.algorithm.lock().expect("lock") = Ok(HMAC_SHA256.into());
    assert_eq!(state(&store, &policy), (1, 1));
}

#[test]
fn a_signer_that_throws_anywhere_is_a_signing_error() {
    let policy = Policy::default_policy();
    let rogue = Rogue::new();
    *rogue.algorithm.lock().expect("lock") = Err("keystore gone".into());
    let err = EvidenceStore::open(temp_dir("signer-throws-open").join("e.db"), rogue.clone(), StoreConfig::default())
        .expect_err("no algorithm");
    assert_signing_error(&err, "keystore gone");
    *rogue.algorithm.lock().expect("lock") = Ok("rot13".into());
    let err = EvidenceStore::open(temp_dir("signer-unknown").join("e.db"), rogue.clone(), StoreConfig::default())
        .expect_err("unknown algorithm");
    assert!(matches!(err, StoreError::InvalidInput(_)) && err.to_string().contains("rot13"), "{err}");

    *rogue.algorithm.lock().expect("lock") = Ok(HMAC_SHA256.into());
    let store = store_with(&rogue, "signer-throws");
    *rogue.key_id.lock().expect("lock") = Err("user not authenticated".into());
    assert_signing_error(&try_submit(&store, &policy, 1).expect_err("key id threw"), "user not authenticated");
    *rogue.key_id.lock().expect("lock") = Ok("test-hmac".into());
    *rogue.algorithm.lock().expect("lock") = Err("locked".into());
    assert_signing_error(&try_submit(&store, &policy, 1).expect_err("algorithm threw"), "locked");
    *rogue.algorithm.lock().expect("lock") = Ok(HMAC_SHA256.into());
    *rogue.signature.lock().expect("lock") = Some(Err("biometric prompt cancelled".into()));
    assert_signing_error(&try_submit(&store, &policy, 1).expect_err("sign threw"), "biometric prompt cancelled");
    *rogue.signature.lock().expect("lock") = None;
    assert_eq!(state(&store, &policy), (0, 0));
}

#[test]
fn a_signer_calling_back_into_the_store_gets_an_error_not_a_deadlock() {
    let policy = Policy::default_policy();
    let rogue = Rogue::new();
    let store = store_with(&rogue, "signer-reentrant");
    rogue.store.set(Arc::downgrade(&store)).expect("set once");
    try_submit(&store, &policy, 1).expect("the signature is still good");
    let inner = rogue.inner_call.lock().expect("lock").take().expect("the signer called the store");
    assert!(inner.contains("called from inside its signer"), "{inner}");
    // the export's head is signed outside the lock, and is refused the same way
    store.export_jsonl().expect("export");
    assert!(rogue.inner_call.lock().expect("lock").take().expect("called").contains("inside its signer"));
    // and the thread is itself again once the signer returned
    assert_eq!(store.pending_records(10).expect("pending").len(), 1);
    assert_eq!(state(&store, &policy), (1, 1));
}
