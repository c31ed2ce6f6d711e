//! ProofShot's native SDK surface: a thin uniffi adapter over `proofshot-core`.
//!
//! Kotlin (`dev.proofshot`), Swift (`ProofShot`) and Python (`proofshot`) bindings are
//! generated from this crate with the workspace's `uniffi-bindgen` (`--library` mode). Every
//! rule lives in the core; this crate only converts types and errors, and makes sure no panic
//! crosses the boundary.
//!
//! ```no_run
//! let verifier = proofshot::Verifier::new(None, None, 1).expect("runtime and models load");
//! let verdict = verifier.verify_photo(std::fs::read("porch.jpg").expect("photo")).expect("verifies");
//! println!("{} {}", verdict.category, verdict.message);
//! ```

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use proofshot_core as core;

mod convert;
mod evidence;
mod logging;

pub use convert::{
    CameraFrame, CategoryInfo, CriterionResult, Decision, DetectedBox, FrameFormat, FramePlane, Guidance, GuidanceHint,
    PolicyInfo, RedactOptions, RedactedPhoto, Verdict,
};
pub use evidence::{Capture, EvidenceSigner, EvidenceStore, PendingRecord, SignerError, StoreConfig};
pub use logging::{set_logger, LogLevel, Logger, LoggerError};

uniffi::setup_scaffolding!();

/// The one error type of the SDK. Each variant carries the full human message (in Kotlin and
/// Swift, the exception's message), and says what the app can do about it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum ProofShotError {
    /// The policy JSON is invalid; the message names the JSON path at fault. Fix the policy.
    #[error("{0}")]
    InvalidPolicy(String),
    /// The photo or camera frame cannot be used (corrupt, truncated, too large, wrong strides).
    /// Take another photo.
    #[error("{0}")]
    InvalidImage(String),
    /// ONNX Runtime or a model could not be loaded or run. Check how the runtime is packaged,
    /// or pass its path to the `Verifier`.
    #[error("{0}")]
    RuntimeUnavailable(String),
    /// A photo was offered to a delivery session that is already settled. Start a new session.
    #[error("{0}")]
    SessionFinished(String),
    /// The evidence store cannot be used (corrupt, another app's file, a newer schema, disk
    /// full). The file is left as it was.
    #[error("{0}")]
    Storage(String),
    /// The app's signer failed (key unavailable, user not authenticated): the photo was not
    /// recorded or counted. Unlock the key and submit again.
    #[error("{0}")]
    Signing(String),
    /// An argument is invalid (stop id, capture location, record id); the message names it.
    #[error("{0}")]
    InvalidArgument(String),
    /// A bug in the SDK; please report the message.
    #[error("{0}")]
    Internal(String),
}

impl From<core::Error> for ProofShotError {
    fn from(e: core::Error) -> Self {
        let message = e.to_string();
        match e {
            core::Error::Policy(_) => Self::InvalidPolicy(message),
            core::Error::Frame(_) => Self::InvalidImage(message),
            core::Error::Runtime(_) => Self::RuntimeUnavailable(message),
        }
    }
}

/// Runs `f`, turning a panic into [`ProofShotError::Internal`] so that none crosses the FFI.
fn guard<T>(f: impl FnOnce() -> Result<T, ProofShotError>) -> Result<T, ProofShotError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        log::error!("internal error: {what}");
        Err(ProofShotError::Internal(format!("internal error: {what}")))
    })
}

/// Judges delivery photos by a policy, with the models embedded in the library. Create one and
/// share it: it is thread-safe, and concurrent calls are correct.
#[derive(uniffi::Object)]
pub struct Verifier {
    pub(crate) inner: Arc<core::Verifier>,
}

#[uniffi::export]
impl Verifier {
    /// A verifier for `policy_json` (`null`: the built-in proof-of-delivery policy). ONNX
    /// Runtime is loaded from `runtime_library_path` when given, else from the usual places
    /// (`ORT_DYLIB_PATH`, beside the executable, the app's native library folder). Each model
    /// run uses one thread unless `intra_op_threads` (1 to 16) asks for more: on a phone the
    /// camera and the UI share the cores.
    #[uniffi::constructor(default(policy_json = None, runtime_library_path = None, intra_op_threads = 1))]
    pub fn new(
        policy_json: Option<String>,
        runtime_library_path: Option<String>,
        intra_op_threads: u8,
    ) -> Result<Arc<Self>, ProofShotError> {
        guard(|| {
            if !(1..=core::MAX_INTRA_OP_THREADS).contains(&intra_op_threads) {
                return Err(ProofShotError::InvalidArgument(format!(
                    "intraOpThreads is {intra_op_threads}: it must be 1 to {}",
                    core::MAX_INTRA_OP_THREADS
                )));
            }
            let policy = match policy_json {
                None => core::Policy::default_policy(),
                Some(json) => core::Policy::from_json(&json).map_err(core::Error::from)?,
            };
            let config = core::VerifierConfig {
                runtime_library: runtime_library_path.map(Into::into),
                intra_op_threads: usize::from(intra_op_threads),
                ..Default::default()
            };
            Ok(Arc::new(Self { inner: Arc::new(core::Verifier::new(policy, config)?) }))
        })
    }

    /// Verifies an encoded photo (JPEG, PNG or WebP; EXIF orientation applied).
    pub fn verify_photo(&self, bytes: Vec<u8>) -> Result<Verdict, ProofShotError> {
        guard(|| Ok(self.inner.verify_encoded(&bytes)?.into()))
    }

    /// Verifies a camera frame (CameraX `ImageProxy`, iOS `CVPixelBuffer` planes).
    pub fn verify_frame(&self, frame: CameraFrame) -> Result<Verdict, ProofShotError> {
        guard(|| frame.with_raw(|raw| Ok(self.inner.verify_raw(raw)?.into())))
    }

    /// Live guidance for a camera preview frame: one hint (too dark, hold still, no package,
    /// package in hand, step back, ready, ...) judged by this verifier's policy with models
    /// run at a smaller size. Fast enough to call on every few preview frames.
    pub fn guide(&self, frame: CameraFrame) -> Result<Guidance, ProofShotError> {
        guard(|| frame.with_raw(|raw| Ok(self.inner.guide_raw(raw)?.into())))
    }

    /// A copy of an encoded photo for upload: every face found pixelated (with
    /// `options.people`, every person too), orientation applied, no metadata (no EXIF
    /// location). Pass the copy to `submitPhoto(redactedCopy = ...)` to record its hash.
    #[uniffi::method(default(options = None))]
    pub fn redact(&self, bytes: Vec<u8>, options: Option<RedactOptions>) -> Result<RedactedPhoto, ProofShotError> {
        guard(|| {
            let options = options.map_or_else(core::RedactOptions::default, Into::into);
            Ok(self.inner.redact_encoded(&bytes, &options)?.into())
        })
    }

    /// A delivery session for one stop, counting attempts against the policy's `maxAttempts`.
    pub fn start_session(&self) -> Arc<DeliverySession> {
        Arc::new(DeliverySession {
            verifier: self.inner.clone(),
            backend: Backend::Memory(Mutex::new(core::DeliverySession::new(self.inner.policy()))),
        })
    }

    /// The id of the policy in force.
    pub fn policy_id(&self) -> String {
        self.inner.policy().id.clone()
    }

    /// The policy in force as an app shows it: its categories' labels and colours, the
    /// attempts per stop, and its `uiCopy` (camera title and instructions, the processing
    /// message). Apps take their screen text from here, the reasons' words from
    /// `CriterionResult.message` and the hints' from `Guidance.message`.
    pub fn policy_info(&self) -> PolicyInfo {
        self.inner.policy().into()
    }
}

/// One delivery stop: each photo is verified and counted, and the decision says what the app
/// does next. An unreadable photo is an error and does not count as an attempt.
///
/// From `Verifier.startSession()` the count lives in memory; from
/// `EvidenceStore.openSession()` it is stored, survives app restarts, and every photo leaves
/// a signed evidence record (its id in `Verdict.recordId`).
#[derive(uniffi::Object)]
pub struct DeliverySession {
    verifier: Arc<core::Verifier>,
    backend: Backend,
}

enum Backend {
    Memory(Mutex<core::DeliverySession>),
    Stored(proofshot_evidence::StopSession),
}

impl DeliverySession {
    pub(crate) fn stored(verifier: Arc<core::Verifier>, session: proofshot_evidence::StopSession) -> Self {
        Self { verifier, backend: Backend::Stored(session) }
    }

    /// Verifies and counts a photo in an in-memory session.
    fn submit_in_memory(
        &self,
        state: &Mutex<core::DeliverySession>,
        verify: impl FnOnce(&core::Verifier) -> core::Result<core::Verdict>,
    ) -> Result<Decision, ProofShotError> {
        // verify before taking the lock: a slow model run must not block `remaining()`
        let verdict = verify(&self.verifier)?;
        let mut state = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let decision = state
            .record(self.verifier.policy(), &verdict)
            .map_err(|e| ProofShotError::SessionFinished(e.to_string()))?;
        Ok(Decision::new(decision, verdict.into()))
    }

    /// The session's state: from memory, or read from the store.
    fn state(&self) -> Result<core::DeliverySession, ProofShotError> {
        match &self.backend {
            Backend::Memory(state) => Ok(state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()),
            Backend::Stored(session) => Ok(session.state()?),
        }
    }

    fn recorded(submission: proofshot_evidence::Submission) -> Decision {
        let mut verdict: Verdict = submission.verdict.into();
        verdict.record_id = Some(submission.record.record_id);
        Decision::new(submission.decision, verdict)
    }
}

#[uniffi::export]
impl DeliverySession {
    /// Verifies and counts an encoded photo. In a stored session, `capture` (time and place,
    /// as the app knows them) and the SHA-256 of `redacted_copy` (from `Verifier.redact`, the
    /// copy the app uploads) go into the evidence record.
    #[uniffi::method(default(capture = None, redacted_copy = None))]
    pub fn submit_photo(
        &self,
        bytes: Vec<u8>,
        capture: Option<Capture>,
        redacted_copy: Option<Vec<u8>>,
    ) -> Result<Decision, ProofShotError> {
        guard(|| match &self.backend {
            Backend::Memory(state) => self.submit_in_memory(state, |v| v.verify_encoded(&bytes)),
            Backend::Stored(session) => {
                let capture = capture.unwrap_or_default().try_into()?;
                Ok(Self::recorded(session.submit_encoded(&bytes, capture, redacted_copy.as_deref())?))
            }
        })
    }

    /// Verifies and counts a camera frame; see `submitPhoto`.
    #[uniffi::method(default(capture = None))]
    pub fn submit_frame(&self, frame: CameraFrame, capture: Option<Capture>) -> Result<Decision, ProofShotError> {
        guard(|| match &self.backend {
            Backend::Memory(state) => frame.with_raw(|raw| self.submit_in_memory(state, |v| v.verify_raw(raw))),
            Backend::Stored(session) => {
                let capture = capture.unwrap_or_default().try_into()?;
                frame.with_raw(|raw| Ok(Self::recorded(session.submit_raw(raw, capture)?)))
            }
        })
    }

    /// Attempts counted so far.
    pub fn attempts_used(&self) -> Result<u32, ProofShotError> {
        guard(|| Ok(self.state()?.attempts_used()))
    }

    /// Attempts still allowed (0 once the stop is settled).
    pub fn remaining(&self) -> Result<u32, ProofShotError> {
        guard(|| Ok(self.state()?.remaining()))
    }

    /// Whether the stop is settled (accepted, sent to review or auto-approved).
    pub fn is_finished(&self) -> Result<bool, ProofShotError> {
        guard(|| Ok(self.state()?.is_finished()))
    }
}

/// The SDK's version.
#[uniffi::export]
pub fn sdk_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The most bytes an encoded photo may have (160 MiB): larger ones are `InvalidImage`, before
/// any decoding. Apps may check it before handing a file over.
#[uniffi::export]
pub fn max_photo_bytes() -> u64 {
    core::MAX_ENCODED_BYTES
}
