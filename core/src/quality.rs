//! The image-quality model: is the photo too dark, blown out, unidentifiably blurred, or not
//! a photo at all (screenshot, drawing, rendered graphic, photo of a screen)?
//!
//! Trained by `models/quality/train.py`; see `models/README.md` for its provenance.

use std::sync::Mutex;

use ort::session::Session;
use ort::value::TensorRef;

use crate::evidence::Reason;
use crate::frame::Frame;
use crate::resample::square_rgb;
use crate::runtime::{f32_output, Runtime, RuntimeError};

/// Side of the square input: the working frame is box-filtered and stretched to it.
pub const INPUT_SIDE: u32 = 192;
const INPUT_NAME: &str = "image";
const OUTPUT_NAME: &str = "scores";
const MODEL: &str = "quality";

/// The model's findings: independent probabilities, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualitySignals {
    /// Completely or almost completely black.
    pub too_dark: f32,
    /// Blown out: little left but white.
    pub overexposed: f32,
    /// Blurred (defocus or motion) beyond recognition.
    pub blurry: f32,
    /// A screenshot, drawing, rendered graphic or photo of a screen.
    pub not_a_photo: f32,
}

impl QualitySignals {
    /// Scores with no defect at all.
    pub const CLEAR: Self = Self { too_dark: 0.0, overexposed: 0.0, blurry: 0.0, not_a_photo: 0.0 };

    /// How likely the image is clear: one minus the likeliest defect.
    pub fn clear_score(&self) -> f32 {
        1.0 - self.worst().1
    }

    /// The likeliest defect and its probability.
    pub fn worst(&self) -> (Reason, f32) {
        [
            (Reason::TooDark, self.too_dark),
            (Reason::Overexposed, self.overexposed),
            (Reason::Blurry, self.blurry),
            (Reason::NotAPhoto, self.not_a_photo),
        ]
        .into_iter()
        .fold((Reason::TooDark, f32::MIN), |best, c| if c.1 > best.1 { c } else { best })
    }
}

/// The model's input: `[1, 3, 192, 192]` float32, RGB planes in [0, 1], the working frame
/// box-filtered and stretched to the square (no letterbox: flat padding would read as a
/// rendered graphic).
pub(crate) fn preprocess(frame: &Frame) -> Vec<f32> {
    let plane = (INPUT_SIDE * INPUT_SIDE) as usize;
    let square = square_rgb(frame, INPUT_SIDE);
    let mut out = vec![0f32; 3 * plane];
    for (i, p) in square.chunks_exact(3).enumerate() {
        for c in 0..3 {
            out[c * plane + i] = f32::from(p[c]) / 255.0;
        }
    }
    out
}

/// Reads the `scores` output: `[1, 4]` float32 probabilities in the order too_dark,
/// overexposed, blurry, not_a_photo.
pub(crate) fn decode(shape: &[i64], data: &[f32]) -> Result<QualitySignals, String> {
    if shape != [1, 4] || data.len() != 4 {
        return Err(format!("expected output {OUTPUT_NAME} of shape [1, 4], got {shape:?}"));
    }
    if data.iter().any(|v| !(0.0..=1.0).contains(v)) {
        return Err(format!("output {OUTPUT_NAME} holds values outside [0, 1]: {data:?}"));
    }
    Ok(QualitySignals { too_dark: data[0], overexposed: data[1], blurry: data[2], not_a_photo: data[3] })
}

/// The quality model, loaded once and shared.
pub(crate) struct QualityModel {
    session: Mutex<Session>,
}

impl QualityModel {
    pub(crate) fn new(runtime: &Runtime, bytes: &[u8]) -> Result<Self, RuntimeError> {
        Ok(Self { session: Mutex::new(runtime.session(MODEL, bytes)?) })
    }

    pub(crate) fn run(&self, frame: &Frame) -> Result<QualitySignals, RuntimeError> {
        let input = preprocess(frame);
        self.run_input(&input)
    }

    pub(crate) fn run_input(&self, input: &[f32]) -> Result<QualitySignals, RuntimeError> {
        let err = |detail: String| RuntimeError::Inference { model: MODEL, detail };
        let side = INPUT_SIDE as usize;
        let tensor = TensorRef::from_array_view(([1usize, 3, side, side], input)).map_err(|e| err(e.to_string()))?;
        let mut session = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session.run(ort::inputs![INPUT_NAME => tensor]).map_err(|e| err(e.to_string()))?;
        let (shape, data) = f32_output(&outputs, OUTPUT_NAME).map_err(err)?;
        decode(&shape, &data).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Limits;

    #[test]
    fn preprocess_is_planar_rgb_in_unit_range() {
        let rgb: Vec<u8> = (0..400 * 300).flat_map(|_| [255u8, 0, 51]).collect();
        let frame = Frame::from_rgb8(400, 300, &rgb, &Limits::default()).expect("valid frame");
        let t = preprocess(&frame);
        let plane = (INPUT_SIDE * INPUT_SIDE) as usize;
        assert_eq!(t.len(), 3 * plane);
        assert!(t[..plane].iter().all(|&v| v == 1.0));
        assert!(t[plane..2 * plane].iter().all(|&v| v == 0.0));
        assert!(t[2 * plane..].iter().all(|&v| (v - 0.2).abs() < 1e-6));
    }

    #[test]
    fn small_frames_are_stretched_to_the_input() {
        // 2x1: left black, right white
        let frame = Frame::from_rgb8(2, 1, &[0, 0, 0, 255, 255, 255], &Limits::default()).expect("valid frame");
        let t = preprocess(&frame);
        let side = INPUT_SIDE as usize;
        assert_eq!(t[0], 0.0);
        assert_eq!(t[side - 1], 1.0);
        assert_eq!(t[(side - 1) * side + side / 2], 1.0);
    }

    #[test]
    fn decode_checks_shape_and_range() {
        let s = decode(&[1, 4], &[0.1, 0.2, 0.9, 0.3]).expect("valid output");
        assert_eq!(s.worst(), (Reason::Blurry, 0.9));
        assert!((s.clear_score() - 0.1).abs() < 1e-6);
        assert!(decode(&[1, 3], &[0.1, 0.2, 0.3]).is_err());
        assert!(decode(&[1, 4], &[0.1, 0.2, 1.5, 0.3]).is_err());
        assert!(decode(&[1, 4], &[0.1, f32::NAN, 0.5, 0.3]).is_err());
    }
}
