//! The verifier: a policy and the models, loaded once, judging photos and camera frames.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::evidence::{EvidenceSet, Reason};
use crate::faces::FaceModel;
use crate::frame::{Frame, FrameError, Limits, RawImage};
use crate::guide::{hint_for, Guidance, Hint};
use crate::models::ModelBundle;
use crate::policy::{CriterionKind, Policy, PolicyError};
use crate::quality::{QualityModel, QualitySignals};
use crate::redact::{redact, RedactOptions, Redaction};
use crate::resample::WORKING_LONG_SIDE;
use crate::runtime::{Runtime, RuntimeError};
use crate::severity::Severity;
use crate::verdict::{judge, BoundingBox, Verdict};
use crate::vision::fusion::{evidence_from, strongest_package, supporting_boxes};
use crate::vision::{backbone_session, Detection, Extras, VisionModel, VisionSignals, BACKBONE_SIDE, GUIDE_SIDE};

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
    /// Threads one model run may use; 0 (the default) and 1 mean one. A verification stays on
    /// one thread unless the app asks for more: on a phone the camera and the UI share the cores.
    pub intra_op_threads: usize,
}

/// Most threads an app may give one model run ([`VerifierConfig::intra_op_threads`]), as the
/// bindings and the CLI check it.
pub const MAX_INTRA_OP_THREADS: u8 = 16;

/// Judges delivery photos by a policy. Build it once and share it: it is `Send + Sync`, and
/// concurrent calls are safe (each model session runs one call at a time; verification and
/// live guidance take turns on the one backbone session).
pub struct Verifier {
    policy: Policy,
    limits: Limits,
    models: ModelBundle,
    quality: QualityModel,
    vision: VisionModel,
    guide: VisionModel,
    runtime: Runtime,
    /// The face detector, loaded on first use: an app that never redacts never pays its
    /// memory.
    faces: OnceModel<FaceModel>,
    /// The models' hashes, computed on first use (hashing 11 MB takes milliseconds).
    model_hashes: OnceLock<Vec<(&'static str, String)>>,
}

/// The reason the verdict's `package_placed` failed with; `None` when it passed or the policy
/// does not judge it.
fn placed_failure(verdict: &Verdict) -> Option<Reason> {
    verdict.criterion(CriterionKind::PackagePlaced).filter(|c| !c.passed).map(|c| c.reason)
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("policy", &self.policy.id).field("models", &self.models).finish()
    }
}

impl Verifier {
    /// Loads ONNX Runtime and the models for `policy`.
    pub fn new(policy: Policy, config: VerifierConfig) -> Result<Self> {
        let runtime = Runtime::load(config.runtime_library.as_deref())?.with_intra_threads(config.intra_op_threads);
        let quality = QualityModel::new(&runtime, &config.models.quality)?;
        let models = &config.models;
        let extras = Extras { objects: &models.people, scene: &models.scene, criteria: &models.criteria };
        let backbone = backbone_session(&runtime, &models.backbone)?;
        let vision = VisionModel::new(&runtime, BACKBONE_SIDE, Arc::clone(&backbone), &models.heads, Some(extras))?;
        let guide = VisionModel::new(&runtime, GUIDE_SIDE, backbone, &models.heads_guide, None)?;
        log::debug!("verifier ready: policy {}, models {}", policy.id, config.models.version);
        Ok(Self {
            policy,
            limits: config.limits,
            models: config.models,
            quality,
            vision,
            guide,
            runtime,
            faces: OnceModel::default(),
            model_hashes: OnceLock::new(),
        })
    }

    /// The policy it judges by.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The models it runs.
    pub fn models(&self) -> &ModelBundle {
        &self.models
    }

    /// Name and SHA-256 of every model it runs ([`ModelBundle::hashes`]), computed once.
    pub fn model_hashes(&self) -> &[(&'static str, String)] {
        self.model_hashes.get_or_init(|| self.models.hashes())
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
        let findings = self.findings(frame)?;
        let mut verdict = judge(&self.policy, &findings.evidence);
        verdict.quality = Some(findings.quality);
        let (sw, sh) = frame.source_size();
        verdict.boxes = findings
            .vision
            .detections
            .iter()
            .chain(&supporting_boxes(&findings.vision, placed_failure(&verdict)))
            .map(|d| {
                let p = d.scaled(sw, sh);
                BoundingBox { label: p.label, score: p.score, x: p.x, y: p.y, width: p.w, height: p.h }
            })
            .collect();
        verdict.elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
        log::debug!("verdict {} in {:.1} ms", verdict.category, verdict.elapsed_ms);
        Ok(verdict)
    }

    /// The severity of the policy's `image_clear` (a warning where the policy leaves it out).
    fn clear_severity(&self) -> Severity {
        self.policy.criterion(CriterionKind::ImageClear).map_or(Severity::Warning, |c| c.severity)
    }

    /// Runs every model on a frame and gathers the evidence for every criterion.
    pub fn findings(&self, frame: &Frame) -> Result<Findings> {
        let mut quality = self.quality.run(frame)?;
        let vision = self.vision.run(frame, &mut quality)?;
        let evidence = evidence_from(&quality, &vision, self.clear_severity());
        Ok(Findings { evidence, quality, vision })
    }

    /// Live guidance for a camera preview frame: one hint, judged by this verifier's policy
    /// on models run at a smaller size (fast enough for every few preview frames).
    pub fn guide_raw(&self, image: &RawImage<'_>) -> Result<Guidance> {
        let frame = Frame::from_raw(image, &self.limits)?;
        self.guide(&frame)
    }

    /// Live guidance for a frame; see [`guide_raw`](Self::guide_raw). `elapsed_ms` covers the
    /// models and the judgement.
    pub fn guide(&self, frame: &Frame) -> Result<Guidance> {
        let start = Instant::now();
        let mut quality = self.quality.run(frame)?;
        let vision = self.guide.run(frame, &mut quality)?;
        let evidence = evidence_from(&quality, &vision, self.clear_severity());
        let hint = hint_for(&self.policy, &evidence);
        let (sw, sh) = frame.source_size();
        let package = strongest_package(&vision).map(|d| d.scaled(sw, sh));
        Ok(Guidance { hint, ready: hint == Hint::Ready, package, elapsed_ms: start.elapsed().as_secs_f64() * 1000.0 })
    }

    /// The faces in a frame, strongest first, as fractions of the frame.
    pub fn faces(&self, frame: &Frame) -> Result<Vec<Detection>> {
        Ok(self.face_model()?.detect(frame)?)
    }

    /// The people in a frame (label `person`), strongest first, as fractions of the frame.
    pub fn people(&self, frame: &Frame) -> Result<Vec<Detection>> {
        Ok(self.vision.objects(frame)?.people)
    }

    /// A copy of an encoded photo with every face found pixelated (and with
    /// [`RedactOptions::people`], every person), as a fresh JPEG without metadata.
    pub fn redact_encoded(&self, bytes: &[u8], options: &RedactOptions) -> Result<Redaction> {
        let start = Instant::now();
        let image = Frame::from_encoded_at(bytes, &self.limits, options.max_long_side)?;
        let work = image.downscaled(WORKING_LONG_SIDE);
        let mut found = self.face_model()?.detect(&work)?;
        if options.people {
            found.extend(self.people(&work)?);
        }
        let mut redaction = redact(image, &found, options)
            .map_err(|detail| RuntimeError::Inference { model: "redaction encoder", detail })?;
        redaction.elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
        log::debug!("redacted {} region(s) in {:.1} ms", redaction.regions.len(), redaction.elapsed_ms);
        Ok(redaction)
    }

    fn face_model(&self) -> Result<&FaceModel> {
        Ok(self.faces.get(|| FaceModel::new(&self.runtime, &self.models.faces))?)
    }

    /// Runs only the image-quality model (for benchmarks and live guidance).
    pub fn quality(&self, frame: &Frame) -> Result<QualitySignals> {
        Ok(self.quality.run(frame)?)
    }

    /// Runs only the vision models (for benchmarks and live guidance); the scene's not-a-photo
    /// fusion reads a clear quality score and is dropped.
    pub fn vision(&self, frame: &Frame) -> Result<VisionSignals> {
        let mut quality = QualitySignals::CLEAR;
        Ok(self.vision.run(frame, &mut quality)?)
    }

    /// Runs the vision models timing each stage, for benchmarks: milliseconds for
    /// preprocessing, the backbone, the heads (with box decoding), the people and vehicle
    /// detector, and the scene classifier with its fusion, in that order.
    pub fn vision_stage_ms(&self, frame: &Frame) -> Result<[f64; 5]> {
        let mut quality = QualitySignals::CLEAR;
        Ok(self.vision.run_timed(frame, &mut quality)?.1)
    }
}

/// A model session built on first use, once, even when several threads ask at the same time.
struct OnceModel<T> {
    model: OnceLock<T>,
    building: Mutex<()>,
}

impl<T> Default for OnceModel<T> {
    fn default() -> Self {
        Self { model: OnceLock::new(), building: Mutex::new(()) }
    }
}

impl<T> OnceModel<T> {
    /// The model, built by `build` if this is the first call (a failed build is tried again
    /// next time).
    fn get(&self, build: impl FnOnce() -> Result<T, RuntimeError>) -> Result<&T, RuntimeError> {
        if let Some(m) = self.model.get() {
            return Ok(m);
        }
        let _only_one = self.building.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(m) = self.model.get() {
            return Ok(m);
        }
        let m = build()?;
        Ok(self.model.get_or_init(|| m))
    }
}

/// What the models found in one frame, and the evidence drawn from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// The evidence for every criterion.
    pub evidence: EvidenceSet,
    /// The image-quality model's output.
    pub quality: QualitySignals,
    /// The vision models' output.
    pub vision: VisionSignals,
}
