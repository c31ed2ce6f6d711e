//! Scene evidence learned on large data (issue 19): EfficientNet-Lite0's 1000 ImageNet class
//! log-probabilities, and the fusion that reads them beside the heads' probe.
//!
//! ```text
//! frame ─► preprocess (192 px) ─► scene.onnx ─► logprobs [1, 1000] ─┐
//! heads.onnx's criteria [1, 4] ─────────────────────────────────────┼─► criteria.onnx ─► [1, 4]
//! quality.onnx's scores [1, 4] ─────────────────────────────────────┘        └────────► [1, 4]
//! ```
//!
//! `scene.onnx` (`models/vision/convert_scene.py`) is ImageNet's classifier, untouched: its
//! classes (doormat, patio, sliding door, carton, minivan, web site, ...) were trained to mean
//! something on a million photos, which is why a probe on them carries over to photos unlike
//! the training photos where a probe on the detector's backbone does not (`models/README.md`).
//! Input `image` float32 `[1, 192, 192, 3]`, NHWC RGB in [-1, 1], the working frame
//! box-filtered and stretched as for the backbone; output `logprobs` float32 `[1, 1000]`.
//! Its weights are stored as int8 behind `DequantizeLinear` nodes, which ONNX Runtime folds
//! back to float32 when the session is built (see [`Runtime::session`]).
//!
//! `criteria.onnx` (`models/vision/fit_scene.py`) takes the heads' `criteria` (`probe`
//! `[1, 4]`: package visible, placed, location identifiable, held in hand), `logprobs`, and the
//! quality model's `scores` (`quality` `[1, 4]`: too dark, overexposed, blurry, not a photo),
//! and gives the fused `criteria` `[1, 4]`: for each of the first three,
//! `sigmoid(a · logit(probe) + b · (w · logprobs + c) + d)` with `a`, `b` > 0 (more evidence
//! never means less belief). For `package_visible` and `package_placed` the scene can only
//! raise the heads' probability (the maximum of the two is kept): lowering them rejected the
//! project's rendered porch, a plainly drawn parcel at a door. Held in hand passes through.
//! It also gives the quality `scores` with `not_a_photo` fused the same way with a scene probe
//! for screenshots and renders (the other three pass through): the quality model, trained from
//! scratch on generated non-photos, misses real ones and takes some stock photos for them;
//! ImageNet's classes tell a photo from a rendering far better (`models/README.md`).

use std::sync::Mutex;

use ort::session::Session;
use ort::value::TensorRef;

use super::{preprocess, VisionSignals};
use crate::frame::Frame;
use crate::quality::QualitySignals;
use crate::runtime::{f32_output, Runtime, RuntimeError};

/// Side of the scene classifier's square input.
pub const SCENE_SIDE: u32 = 192;
/// ImageNet's classes.
const CLASSES: usize = 1000;
const SCENE: &str = "scene";
const CRITERIA: &str = "criteria";

pub(crate) struct SceneModel {
    scene: Mutex<Session>,
    criteria: Mutex<Session>,
}

impl SceneModel {
    pub(crate) fn new(runtime: &Runtime, scene: &[u8], criteria: &[u8]) -> Result<Self, RuntimeError> {
        Ok(Self {
            scene: Mutex::new(runtime.session(SCENE, scene)?),
            criteria: Mutex::new(runtime.session(CRITERIA, criteria)?),
        })
    }

    /// The scene's class log-probabilities for a frame.
    pub(crate) fn logprobs(&self, frame: &Frame) -> Result<Vec<f32>, RuntimeError> {
        let err = |detail: String| RuntimeError::Inference { model: SCENE, detail };
        let side = SCENE_SIDE as usize;
        let input = preprocess(frame, SCENE_SIDE);
        let tensor =
            TensorRef::from_array_view(([1usize, side, side, 3], &input[..])).map_err(|e| err(e.to_string()))?;
        let mut session = self.scene.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session.run(ort::inputs!["image" => tensor]).map_err(|e| err(e.to_string()))?;
        let (shape, data) = f32_output(&outputs, "logprobs").map_err(err)?;
        if shape != [1, CLASSES as i64] {
            return Err(err(format!("expected logprobs of shape [1, {CLASSES}], got {shape:?}")));
        }
        Ok(data)
    }

    /// Replaces the heads' three scene-dependent criteria in `signals` by their fusion with
    /// the scene's `logprobs`, and the quality model's `not_a_photo` in `quality` by its fusion
    /// with the scene's not-a-photo probe.
    pub(crate) fn fuse(
        &self,
        signals: &mut VisionSignals,
        logprobs: &[f32],
        quality: &mut QualitySignals,
    ) -> Result<(), RuntimeError> {
        let err = |detail: String| RuntimeError::Inference { model: CRITERIA, detail };
        let probe =
            [signals.package_visible, signals.package_placed, signals.location_identifiable, signals.held_in_hand];
        let scores = [quality.too_dark, quality.overexposed, quality.blurry, quality.not_a_photo];
        let a = TensorRef::from_array_view(([1usize, 4], &probe[..])).map_err(|e| err(e.to_string()))?;
        let b = TensorRef::from_array_view(([1usize, CLASSES], logprobs)).map_err(|e| err(e.to_string()))?;
        let c = TensorRef::from_array_view(([1usize, 4], &scores[..])).map_err(|e| err(e.to_string()))?;
        let mut session = self.criteria.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs =
            session.run(ort::inputs!["probe" => a, "logprobs" => b, "quality" => c]).map_err(|e| err(e.to_string()))?;
        let (shape, data) = f32_output(&outputs, "criteria").map_err(err)?;
        let (v, p, l) = match data[..] {
            [v, p, l, _] if shape == [1, 4] && data.iter().all(|x| x.is_finite()) => (v, p, l),
            _ => return Err(err(format!("expected 4 finite criteria of shape [1, 4], got {shape:?}: {data:?}"))),
        };
        // the quality model's own output, not_a_photo fused: read as the quality model's is
        let (shape, data) = f32_output(&outputs, "scores").map_err(err)?;
        let fused = crate::quality::decode(&shape, &data).map_err(err)?;
        signals.package_visible = v.clamp(0.0, 1.0);
        signals.package_placed = p.clamp(0.0, 1.0);
        signals.location_identifiable = l.clamp(0.0, 1.0);
        quality.not_a_photo = fused.not_a_photo;
        Ok(())
    }
}
