//! A delivery stop whose attempts and evidence live in the store: the photo is verified,
//! hashed, checked for reuse, counted and recorded.

use std::sync::Arc;

use proofshot_core::{hex_sha256, DeliverySession, Frame, PhotoHash, RawImage, Verifier};

use crate::record::{Capture, PhotoIdentity};
use crate::store::{EvidenceStore, StoreError, Submission};

/// One stop, backed by an [`EvidenceStore`]: killing the app and opening the same stop again
/// continues its count.
#[derive(Debug, Clone)]
pub struct StopSession {
    store: Arc<EvidenceStore>,
    verifier: Arc<Verifier>,
    stop_id: String,
}

/// Verifying or recording failed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The photo could not be verified (unreadable image, runtime failure).
    #[error(transparent)]
    Verify(#[from] proofshot_core::Error),
    /// The attempt could not be recorded.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl StopSession {
    /// The stop `stop_id`, judged by `verifier`, recorded in `store`.
    pub fn new(store: Arc<EvidenceStore>, verifier: Arc<Verifier>, stop_id: impl Into<String>) -> Self {
        Self { store, verifier, stop_id: stop_id.into() }
    }

    /// The stop's id.
    pub fn stop_id(&self) -> &str {
        &self.stop_id
    }

    /// The stop's state as stored.
    pub fn state(&self) -> Result<DeliverySession, StoreError> {
        self.store.stop(self.verifier.policy(), &self.stop_id)
    }

    /// Verifies an encoded photo and records the attempt, with the hash of `redacted` (the
    /// copy made by [`Verifier::redact_encoded`] for upload) when given. An unreadable photo
    /// is an error and is neither counted nor recorded.
    pub fn submit_encoded(
        &self,
        bytes: &[u8],
        capture: Capture,
        redacted: Option<&[u8]>,
    ) -> Result<Submission, SubmitError> {
        let frame = Frame::from_encoded(bytes, self.verifier.limits()).map_err(proofshot_core::Error::from)?;
        self.submit(&frame, hex_sha256(bytes), capture, redacted.map(hex_sha256))
    }

    /// Verifies a camera frame and records the attempt; the photo hash is the SHA-256 of the
    /// planes' bytes, in plane order.
    pub fn submit_raw(&self, image: &RawImage<'_>, capture: Capture) -> Result<Submission, SubmitError> {
        let frame = Frame::from_raw(image, self.verifier.limits()).map_err(proofshot_core::Error::from)?;
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        for plane in image.planes {
            sha2::Digest::update(&mut hasher, plane.data);
        }
        let sha = crate::record::hex(&sha2::Digest::finalize(hasher));
        self.submit(&frame, sha, capture, None)
    }

    fn submit(
        &self,
        frame: &Frame,
        sha256: String,
        capture: Capture,
        redacted_sha256: Option<String>,
    ) -> Result<Submission, SubmitError> {
        // refuse a settled stop before spending a model run on it
        let state = self.state()?;
        if let Some(outcome) = state.outcome() {
            let attempts = state.attempts_used();
            return Err(StoreError::SessionFinished(proofshot_core::SessionFinished { attempts, outcome }).into());
        }
        let verdict = self.verifier.verify_frame(frame)?;
        let photo = PhotoIdentity { sha256, phash: PhotoHash::of(frame), redacted_sha256 };
        let models = (self.verifier.models().version.as_str(), self.verifier.model_hashes());
        Ok(self.store.record_attempt(self.verifier.policy(), models, &self.stop_id, verdict, &photo, capture)?)
    }
}
