//! Shared helpers for the evidence tests: stores in temporary folders and verdicts made
//! without models.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::sync::Arc;

use proofshot_core::{judge, Evidence, EvidenceSet, PhotoHash, Policy, Reason, Verdict};
use proofshot_evidence::{EvidenceStore, HmacSha256Signer, PhotoIdentity, StoreConfig, Submission, VerifyKey};

pub const SECRET: &[u8] = b"test secret";
pub const MODELS: [(&str, String); 0] = [];

/// A fresh folder under the target directory, one per call (tests run in parallel).
pub fn temp_dir(name: &str) -> PathBuf {
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn signer() -> Arc<HmacSha256Signer> {
    Arc::new(HmacSha256Signer::new("test-key", SECRET.to_vec()))
}

pub fn key() -> VerifyKey {
    VerifyKey::Hmac(SECRET.to_vec())
}

pub fn open(path: &std::path::Path) -> EvidenceStore {
    EvidenceStore::open(path, signer(), StoreConfig::default()).expect("store opens")
}

/// A verdict of the default policy: compliant, or failing for want of a package.
pub fn verdict(policy: &Policy, compliant: bool) -> Verdict {
    let pass = |r| Evidence::scored(0.95, r);
    judge(
        policy,
        &EvidenceSet {
            package_visible: Evidence::scored(if compliant { 0.95 } else { 0.05 }, Reason::NoPackage),
            package_placed: pass(Reason::NotPlaced),
            location_identifiable: pass(Reason::NoLocationContext),
            image_clear: pass(Reason::Blurry),
        },
    )
}

/// A photo identity with a distinct perceptual hash per `n` (far apart in bits).
pub fn photo(n: u64) -> PhotoIdentity {
    let h = |k: u64| (n * 10 + k).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ ((n * 10 + k) << 17);
    PhotoIdentity {
        sha256: format!("{n:064x}"),
        phash: PhotoHash { full: h(0), crops: std::array::from_fn(|k| h(k as u64 + 1)) },
        redacted_sha256: None,
    }
}

pub fn submit(store: &EvidenceStore, policy: &Policy, stop: &str, compliant: bool, n: u64) -> Submission {
    store
        .record_attempt(policy, ("test", &MODELS), stop, verdict(policy, compliant), &photo(n), Default::default())
        .expect("recorded")
}
