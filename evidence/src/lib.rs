//! ProofShot evidence: what makes a verdict worth something later.
//!
//! - [`EvidenceStore`]: one SQLite file per device holding each stop's attempt count (so
//!   killing the app does not reset it) and a hash chain of signed [records](record).
//! - [`StopSession`]: a delivery stop backed by the store.
//! - [`Signer`]: the app's key (Android Keystore, iOS Keychain) signs every record.
//! - [`audit`](audit::audit): checks an exported chain and names the first broken link.
//! - Reused photos: a photo whose perceptual hash is near one recorded for another stop is
//!   rejected as `reused_photo`.
//!
//! ```no_run
//! use std::sync::Arc;
//! use proofshot_core::{Policy, Verifier, VerifierConfig};
//! use proofshot_evidence::{Capture, EvidenceStore, HmacSha256Signer, StopSession, StoreConfig};
//!
//! let verifier = Arc::new(Verifier::new(Policy::default_policy(), VerifierConfig::default()).expect("models load"));
//! let signer = Arc::new(HmacSha256Signer::new("device-key-1", b"shared secret".to_vec()));
//! let store = Arc::new(EvidenceStore::open("evidence.db", signer, StoreConfig::default()).expect("store opens"));
//! let stop = StopSession::new(store.clone(), verifier, "stop-42");
//! let photo = std::fs::read("porch.jpg").expect("photo");
//! let submission = stop.submit_encoded(&photo, Capture::default(), None).expect("recorded");
//! println!("{:?}: {}", submission.decision, submission.record.json);
//! for pending in store.pending_records(50).expect("queue") { /* upload pending.json */ }
//! ```

pub mod audit;
pub mod canonical;
pub mod record;
mod session;
mod signing;
mod store;

pub use audit::{audit, AuditFailure, AuditOptions, AuditReport, KnownHead, Problem};
pub use record::{Capture, Location, PhotoIdentity, Reuse, SignedRecord};
pub use session::{StopSession, SubmitError};
pub use signing::{
    check_signature, HmacSha256Signer, KeyError, P256Signer, Signer, VerifyKey, ALGORITHMS, ECDSA_P256_SHA256,
    HMAC_SHA256, MAX_KEY_ID_BYTES,
};
pub use store::{
    EvidenceStore, PendingRecord, StoreConfig, StoreError, Submission, DEFAULT_REUSE_MAX_DISTANCE,
    DEFAULT_REUSE_WINDOW_MS, SCHEMA_VERSION,
};
