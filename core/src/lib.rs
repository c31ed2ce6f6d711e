//! ProofShot core: decides, on the device and offline, whether a delivery photo is usable
//! proof of delivery.
//!
//! Photos and camera frames become [`Frame`]s; models turn frames into [`EvidenceSet`]s;
//! a [`Policy`] turns evidence into a [`Verdict`] with exactly one category.
//!
//! ```no_run
//! use proofshot_core::{Policy, Verifier, VerifierConfig};
//!
//! # fn main() -> Result<(), proofshot_core::Error> {
//! let verifier = Verifier::new(Policy::default_policy(), VerifierConfig::default())?;
//! let photo = std::fs::read("porch.jpg").expect("photo");
//! let verdict = verifier.verify_encoded(&photo)?;
//! println!("{} ({})", verdict.category, verdict.message);
//! for c in &verdict.criteria {
//!     println!("  {}: passed={} reason={}", c.id(), c.passed, c.reason);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The crate knows nothing of FFI or platforms: bytes and structs in, structs out.

mod decode;
mod evidence;
mod faces;
mod frame;
mod guide;
mod models;
mod orientation;
mod phash;
mod policy;
mod quality;
mod raw;
mod redact;
mod resample;
mod runtime;
mod session;
mod severity;
mod verdict;
mod verifier;
mod vision;

pub use evidence::{Evidence, EvidenceSet, Reason};
pub use faces::{FACE_SIDE, FACE_THRESHOLD};
pub use frame::{Frame, FrameError, Limits, PixelFormat, Plane, RawImage, MAX_ENCODED_BYTES, MAX_SIDE};
pub use guide::{Guidance, Hint};
pub use models::{hex_sha256, ModelBundle, MODEL_BUNDLE_VERSION, MODEL_FILES};
pub use orientation::Orientation;
pub use phash::{hamming_distance, perceptual_hash, PhotoHash};
pub use policy::{
    Category, CategoryRole, Criterion, CriterionKind, Policy, PolicyError, UiCopy, DEFAULT_POLICY_JSON,
    REMAINING_PLACEHOLDER,
};
pub use quality::{QualitySignals, INPUT_SIDE as QUALITY_INPUT_SIDE};
pub use redact::{RedactOptions, Redaction};
pub use resample::{working_size, WORKING_LONG_SIDE};
pub use runtime::{library_file_name, project_cache_dir, search_path, Runtime, RuntimeError, ONNXRUNTIME_VERSION};
pub use session::{Decision, DeliverySession, SessionFinished};
pub use severity::{Severity, PASS_THRESHOLDS};
pub use verdict::{judge, BoundingBox, CriterionResult, Verdict};
pub use verifier::{Error, Findings, Result, Verifier, VerifierConfig, MAX_INTRA_OP_THREADS};
pub use vision::fusion::{evidence_from, supporting_boxes, HELD_BY_PERSON};
pub use vision::objects::{PERSON_THRESHOLD, VEHICLE_THRESHOLD};
pub use vision::{Detection, VisionSignals, BACKBONE_SIDE, BOX_THRESHOLD, GUIDE_SIDE, SCENE_SIDE};
