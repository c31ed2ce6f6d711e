//! Scene evidence learned on large data (issue 19): EfficientNet-Lite0's 1000 ImageNet class
//! log-probabilities, and the fusion that reads them beside the heads' probe.
//!
//! ```text
//! frame ─► preprocess (192 px) ─┬─────────────────► scene.onnx ─► logprobs [1, 1000] ─┐
//!                               └─► mask packages ─► scene.onnx ─► masked   [1, 1000] ─┤
//! heads.onnx's criteria [1, 4] and package boxes ─────────────────────────────────────┼─► criteria.onnx ─► [1, 4]
//! quality.onnx's scores [1, 4] ───────────────────────────────────────────────────────┘        └────────► [1, 4]
//! ```
//!
//! `scene.onnx` (`models/vision/convert_scene.py`) is ImageNet's classifier, untouched: its
//! classes (doormat, patio, sliding door, carton, minivan, web site, ...) were trained to mean
//! something on a million photos, which is why a probe on them carries over to photos unlike
//! the training photos where a probe on the detector's backbone does not (`models/README.md`).
//! Input `image` float32 `[1, 192, 192, 3]`, NHWC RGB in [-1, 1], the working frame
//! box-filtered and stretched as for the backbone; output `logprobs` float32 `[1, 1000]`.
//! It is quantized whole, weights and activations in int8 (QDQ form, ranges calibrated on the
//! training photos), and runs in int8 (see [`Runtime::int8_session`]).
//!
//! The scene runs a second time with the heads' package boxes filled with the input's mean
//! colour (`masked`; the whole view again, without a second run, where no package was found),
//! so that its classes describe what lies around the parcel: a parcel fills much of a close
//! photo, and on a studio sweep or a plain floor it reads much as at a door. The placement's
//! and the location's fusions read it (issue 19, item 3; `models/README.md`).
//!
//! `criteria.onnx` (`models/vision/fit_scene.py`) takes the heads' `criteria` (`probe`
//! `[1, 4]`: package visible, placed, location identifiable, held in hand), `logprobs`,
//! `masked`, and the quality model's `scores` (`quality` `[1, 4]`: too dark, overexposed,
//! blurry, not a photo), and gives the fused `criteria` `[1, 4]`: for each of the first three,
//! `sigmoid(a · logit(probe) + b · (w · logprobs + c) + b' · (w' · masked + c') + d)` with `a`,
//! `b`, `b'` ≥ 0 (more evidence never means less belief; package visible reads the whole view
//! only, `b'` = 0, package placed the masked one only, `b` = 0, and the location both). For
//! `package_visible` and `package_placed` the scene can only raise the heads' probability (the
//! maximum of the two is kept): lowering them rejected the project's rendered porch, a plainly
//! drawn parcel at a door. Held in hand passes through.
//! It also gives the quality `scores` with `not_a_photo` fused the same way with a scene probe
//! for screenshots and renders (the other three pass through): the quality model, trained from
//! scratch on generated non-photos, misses real ones and takes some stock photos for them;
//! ImageNet's classes tell a photo from a rendering far better (`models/README.md`).

use std::sync::Mutex;

use ort::session::Session;
use ort::value::TensorRef;

use super::{preprocess, Detection, VisionSignals};
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
            scene: Mutex::new(runtime.int8_session(SCENE, scene)?),
            criteria: Mutex::new(runtime.session(CRITERIA, criteria)?),
        })
    }

    /// The scene's class log-probabilities for an input (`preprocess` at [`SCENE_SIDE`]).
    fn logprobs(&self, input: &[f32]) -> Result<Vec<f32>, RuntimeError> {
        let err = |detail: String| RuntimeError::Inference { model: SCENE, detail };
        let side = SCENE_SIDE as usize;
        let tensor = TensorRef::from_array_view(([1usize, side, side, 3], input)).map_err(|e| err(e.to_string()))?;
        let mut session = self.scene.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session.run(ort::inputs!["image" => tensor]).map_err(|e| err(e.to_string()))?;
        let (shape, data) = f32_output(&outputs, "logprobs").map_err(err)?;
        if shape != [1, CLASSES as i64] {
            return Err(err(format!("expected logprobs of shape [1, {CLASSES}], got {shape:?}")));
        }
        Ok(data)
    }

    /// Runs the scene on `frame`, whole and with the heads' package boxes masked, and replaces
    /// the heads' three scene-dependent criteria in `signals` by their fusion with it, and the
    /// quality model's `not_a_photo` in `quality` by its fusion with the scene's not-a-photo
    /// probe.
    pub(crate) fn fuse(
        &self,
        signals: &mut VisionSignals,
        frame: &Frame,
        quality: &mut QualitySignals,
    ) -> Result<(), RuntimeError> {
        let input = preprocess(frame, SCENE_SIDE);
        let logprobs = self.logprobs(&input)?;
        let packages: Vec<&Detection> = signals.detections.iter().filter(|d| d.label == "package").collect();
        // without a package box the masked view is the whole one: one run, not two
        let masked_run = if packages.is_empty() { None } else { Some(self.logprobs(&mask(input, &packages))?) };
        let masked = masked_run.as_deref().unwrap_or(&logprobs);
        let err = |detail: String| RuntimeError::Inference { model: CRITERIA, detail };
        let probe =
            [signals.package_visible, signals.package_placed, signals.location_identifiable, signals.held_in_hand];
        let scores = [quality.too_dark, quality.overexposed, quality.blurry, quality.not_a_photo];
        let a = TensorRef::from_array_view(([1usize, 4], &probe[..])).map_err(|e| err(e.to_string()))?;
        let b = TensorRef::from_array_view(([1usize, CLASSES], &logprobs[..])).map_err(|e| err(e.to_string()))?;
        let m = TensorRef::from_array_view(([1usize, CLASSES], masked)).map_err(|e| err(e.to_string()))?;
        let c = TensorRef::from_array_view(([1usize, 4], &scores[..])).map_err(|e| err(e.to_string()))?;
        let mut session = self.criteria.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session
            .run(ort::inputs!["probe" => a, "logprobs" => b, "masked" => m, "quality" => c])
            .map_err(|e| err(e.to_string()))?;
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

/// The scene's input (NHWC, [`SCENE_SIDE`] square) with every box filled with the input's mean
/// colour, so that the classes describe what lies around the parcels: from the cell under
/// each box's left and top edges up to the one under its right and bottom edges, included.
/// `models/vision/masking.py` (`masked_input`) masks the same way, for training and the benchmark.
fn mask(mut input: Vec<f32>, boxes: &[&Detection]) -> Vec<f32> {
    let side = SCENE_SIDE as usize;
    let mut mean = [0f64; 3];
    for px in input.chunks_exact(3) {
        for (m, &v) in mean.iter_mut().zip(px) {
            *m += f64::from(v);
        }
    }
    let mean = mean.map(|m| (m / (side * side) as f64) as f32);
    let span = |start: f32, len: f32| {
        let lo = (start * side as f32).floor().clamp(0.0, side as f32) as usize;
        let hi = ((start + len) * side as f32).ceil().clamp(0.0, side as f32) as usize;
        lo..hi
    };
    for b in boxes {
        let xs = span(b.x, b.w);
        for y in span(b.y, b.h) {
            for px in input[(y * side + xs.start) * 3..(y * side + xs.end) * 3].chunks_exact_mut(3) {
                px.copy_from_slice(&mean);
            }
        }
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(x: f32, y: f32, w: f32, h: f32) -> Detection {
        Detection { label: "package", score: 0.9, x, y, w, h }
    }

    #[test]
    fn masking_fills_the_cells_under_each_box_with_the_mean_colour() {
        let side = SCENE_SIDE as usize;
        // red rises from left to right; green is 0.5 everywhere; blue is -1
        let input: Vec<f32> =
            (0..side * side).flat_map(|i| [(i % side) as f32 / side as f32 * 2.0 - 1.0, 0.5, -1.0]).collect();
        let mean_red = input.chunks_exact(3).map(|p| f64::from(p[0])).sum::<f64>() / (side * side) as f64;
        // a box from x 0.25 to 0.5 and y 0.1 to 0.2: cells 48..96 across, 19..39 down (19.2 floors,
        // 38.4 ceils), and one from 0.9 (cell 172.8 floors to 172) to the edges
        let b = [boxed(0.25, 0.1, 0.25, 0.1), boxed(0.9, 0.9, 0.1, 0.1)];
        let out = mask(input.clone(), &b.iter().collect::<Vec<_>>());
        let at = |x: usize, y: usize| &out[(y * side + x) * 3..][..3];
        for (x, y) in [(48, 19), (95, 38), (70, 30), (191, 191), (172, 172)] {
            let px = at(x, y);
            assert!((f64::from(px[0]) - mean_red).abs() < 1e-4 && px[1] == 0.5 && px[2] == -1.0, "({x}, {y}) {px:?}");
        }
        for (x, y) in [(47, 19), (96, 30), (60, 18), (60, 39), (171, 191), (0, 0)] {
            assert_eq!(at(x, y), &input[(y * side + x) * 3..][..3], "({x}, {y}) is outside every box");
        }
        assert_eq!(mask(input.clone(), &[]), input, "no box, nothing masked");
    }
}
