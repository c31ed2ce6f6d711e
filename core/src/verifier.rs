//! The verifier: a policy and the models, loaded once, judging photos and camera frames.

use std::path::PathBuf;
use std::time::Instant;

use crate::evidence::{Evidence, EvidenceSet};
use crate::frame::{Frame, FrameError, Limits, RawImage};
use crate::models::ModelBundle;
use crate::policy::{Policy, PolicyError};
use crate::quality::{QualityModel, QualitySignals};
use crate::runtime::{Runtime, RuntimeError};
use crate::verdict::{judge, Verdict};

/// Everything that can go wrong verifying a photo.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The policy is invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The image or camera buffer is unusable.
    #[error("invalid image: {0}")]
    Frame(#[from] FrameError),
    /// ONNX Runtime or a model failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Convenience alias for verifier results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How a [`Verifier`] is set up; the defaults suit a driver app.
#[derive(Debug, Clone, Default)]
pub struct VerifierConfig {
    /// Input bounds.
    pub limits: Limits,
    /// The ONNX Runtime library to load; `None` searches the usual places
    /// ([`search_path`](crate::search_path)).
    pub runtime_library: Option<PathBuf>,
    /// The models; the embedded ones by default.
    pub models: ModelBundle,
}

/// Judges delivery photos by a policy. Build it once and share it: it is `Send + Sync`, and
/// concurrent calls are safe (each model session runs one call at a time).
pub struct Verifier {
    policy: Policy,
    limits: Limits,
    models: ModelBundle,
    quality: QualityModel,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("policy", &self.policy.id).field("models", &self.models).finish()
    }
}

impl Verifier {
    /// Loads ONNX Runtime and the models for `policy`.
    pub fn new(policy: Policy, config: VerifierConfig) -> Result<Self> {
        let runtime = Runtime::load(config.runtime_library.as_deref())?;
        let quality = QualityModel::new(&runtime, &config.models.quality)?;
        log::debug!("verifier ready: policy {}, models {}", policy.id, config.models.version);
        Ok(Self { policy, limits: config.limits, models: config.models, quality })
    }

    /// The policy it judges by.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The models it runs.
    pub fn models(&self) -> &ModelBundle {
        &self.models
    }

    /// The input bounds it enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Decodes an encoded photo (JPEG, PNG, WebP) and verifies it.
    pub fn verify_encoded(&self, bytes: &[u8]) -> Result<Verdict> {
        let frame = Frame::from_encoded(bytes, &self.limits)?;
        self.verify_frame(&frame)
    }

    /// Converts a raw camera buffer and verifies it.
    pub fn verify_raw(&self, image: &RawImage<'_>) -> Result<Verdict> {
        let frame = Frame::from_raw(image, &self.limits)?;
        self.verify_frame(&frame)
    }

    /// Verifies a frame. The verdict's `elapsed_ms` covers this call: models and judgement.
    pub fn verify_frame(&self, frame: &Frame) -> Result<Verdict> {
        let start = Instant::now();
        let (evidence, quality) = self.evidence(frame)?;
        let mut verdict = judge(&self.policy, &evidence);
        verdict.quality = Some(quality);
        verdict.elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
        log::debug!("verdict {} in {:.1} ms", verdict.category, verdict.elapsed_ms);
        Ok(verdict)
    }

    /// Runs the models on a frame and gathers the evidence for every criterion.
    ///
    /// Only `image_clear` has a model so far: the package, hand and scene criteria are
    /// reported as not evaluated, which never passes, so no verdict is compliant until
    /// their models land.
    pub fn evidence(&self, frame: &Frame) -> Result<(EvidenceSet, QualitySignals)> {
        let quality = self.quality.run(frame)?;
        let (reason, _) = quality.worst();
        let evidence =
            EvidenceSet { image_clear: Evidence::scored(quality.clear_score(), reason), ..Default::default() };
        Ok((evidence, quality))
    }
}
