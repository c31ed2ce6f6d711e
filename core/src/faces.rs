//! Faces, for redaction: MediaPipe's BlazeFace full-range detector (`faces.onnx`), run on
//! the whole photo and on overlapping tiles so that small faces far from the camera are found.

use std::sync::Mutex;

use ort::session::Session;
use ort::value::TensorRef;

use crate::frame::Frame;
use crate::runtime::{f32_output, Runtime, RuntimeError};
use crate::vision::{non_max_suppression, Detection};

const MODEL: &str = "faces";
/// Side of the detector's square input.
pub const FACE_SIDE: u32 = 192;
/// The detector's anchors: one per cell of a 48 x 48 grid (stride 4), unit size.
const GRID: usize = 48;
/// Face probability from which a face is blurred. Lower than MediaPipe's 0.6: a missed face
/// costs someone's privacy, a false one only blurs a patch of wall.
pub const FACE_THRESHOLD: f32 = 0.4;
/// Overlap above which two detections are the same face.
const NMS_IOU: f32 = 0.3;

/// A float output: its shape and values.
type Output = (Vec<i64>, Vec<f32>);

pub(crate) struct FaceModel {
    session: Mutex<Session>,
}

impl FaceModel {
    pub(crate) fn new(runtime: &Runtime, bytes: &[u8]) -> Result<Self, RuntimeError> {
        Ok(Self { session: Mutex::new(runtime.session(MODEL, bytes)?) })
    }

    /// Every face in the frame (label `face`, fractions of the frame), strongest first.
    pub(crate) fn detect(&self, frame: &Frame) -> Result<Vec<Detection>, RuntimeError> {
        let (fw, fh) = (frame.width() as f32, frame.height() as f32);
        let mut faces = Vec::new();
        for (x0, y0, side) in views(frame.width(), frame.height()) {
            let input: Vec<f32> =
                crop_square(frame, x0, y0, side, FACE_SIDE).iter().map(|&v| f32::from(v) / 127.5 - 1.0).collect();
            let (boxes, scores) = self.run(&input)?;
            for mut f in decode(&boxes, &scores).map_err(|detail| RuntimeError::Inference { model: MODEL, detail })? {
                // tile fractions to frame fractions
                f.x = (x0 + f.x * side) / fw;
                f.y = (y0 + f.y * side) / fh;
                f.w = f.w * side / fw;
                f.h = f.h * side / fh;
                faces.push(f);
            }
        }
        Ok(non_max_suppression(faces, NMS_IOU))
    }

    fn run(&self, input: &[f32]) -> Result<(Output, Output), RuntimeError> {
        let err = |detail: String| RuntimeError::Inference { model: MODEL, detail };
        let side = FACE_SIDE as usize;
        let tensor = TensorRef::from_array_view(([1usize, side, side, 3], input)).map_err(|e| err(e.to_string()))?;
        let mut session = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session.run(ort::inputs!["image" => tensor]).map_err(|e| err(e.to_string()))?;
        Ok((f32_output(&outputs, "boxes").map_err(err)?, f32_output(&outputs, "scores").map_err(err)?))
    }
}

/// The squares the detector looks at, as `(x0, y0, side)` in frame pixels: the whole frame
/// (letterboxed), then tiles half the long side wide, overlapping by half, so that a face a
/// twentieth of the photo wide still spans ten input pixels. A tile is at most the short side
/// and at least an eighth of the long side (a panorama's tiles overhang it, letterboxed): at
/// most 15 tiles whatever the shape, where a 1x1024 strip would otherwise take 2,000.
fn views(width: u32, height: u32) -> Vec<(f32, f32, f32)> {
    let (w, h) = (width as f32, height as f32);
    let long = w.max(h);
    let mut views = vec![((w - long) / 2.0, (h - long) / 2.0, long)];
    let tile = (long / 2.0).min(w.min(h)).max(long / 8.0);
    let starts = |extent: f32| {
        let n = ((extent - tile) / (tile / 2.0)).ceil().max(0.0) as usize;
        (0..=n).map(move |i| if n == 0 { (extent - tile) / 2.0 } else { (extent - tile) * i as f32 / n as f32 })
    };
    for y in starts(h) {
        for x in starts(w) {
            views.push((x, y, tile));
        }
    }
    views
}

/// The square `(x0, y0, side)` of the frame (parts outside it black), box-averaged to
/// `out` x `out` RGB.
fn crop_square(frame: &Frame, x0: f32, y0: f32, side: f32, out: u32) -> Vec<u8> {
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let rgb = frame.rgb();
    let out = out as usize;
    let step = side / out as f32;
    let bounds = |start: f32, i: usize, limit: i64| {
        let a = (start + i as f32 * step).floor() as i64;
        let b = ((start + (i + 1) as f32 * step).ceil() as i64).max(a + 1);
        (a.clamp(0, limit), b.clamp(0, limit))
    };
    let mut pixels = vec![0u8; out * out * 3];
    for oy in 0..out {
        let (ya, yb) = bounds(y0, oy, h);
        for ox in 0..out {
            let (xa, xb) = bounds(x0, ox, w);
            let n = ((yb - ya) * (xb - xa)) as u32;
            if n == 0 {
                continue;
            }
            let mut sum = [0u32; 3];
            for y in ya..yb {
                let row = &rgb[((y * w + xa) * 3) as usize..((y * w + xb) * 3) as usize];
                for p in row.chunks_exact(3) {
                    for (s, &v) in sum.iter_mut().zip(p) {
                        *s += u32::from(v);
                    }
                }
            }
            let o = (oy * out + ox) * 3;
            for k in 0..3 {
                pixels[o + k] = ((sum[k] + n / 2) / n) as u8;
            }
        }
    }
    pixels
}

/// Reads the detector's outputs: `boxes` [1, 2304, 16], per anchor the face centre's offset
/// from the anchor (x, y) and the face size (w, h) in input pixels, then six keypoints (unused);
/// `scores` [1, 2304, 1] logits. Anchor `i` sits at the centre of grid cell
/// `(i % 48, i / 48)`. Faces come out in fractions of the input square.
fn decode(boxes: &Output, scores: &Output) -> Result<Vec<Detection>, String> {
    let n = (GRID * GRID) as i64;
    if boxes.0 != [1, n, 16] || boxes.1.len() as i64 != n * 16 {
        return Err(format!("expected boxes of shape [1, {n}, 16], got {:?}", boxes.0));
    }
    if scores.0 != [1, n, 1] || scores.1.len() as i64 != n {
        return Err(format!("expected scores of shape [1, {n}, 1], got {:?}", scores.0));
    }
    let side = FACE_SIDE as f32;
    let mut faces = Vec::new();
    for (i, &logit) in scores.1.iter().enumerate() {
        let score = 1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp());
        if score.is_nan() || score < FACE_THRESHOLD {
            continue;
        }
        let r = &boxes.1[i * 16..i * 16 + 4];
        let (ax, ay) = (((i % GRID) as f32 + 0.5) / GRID as f32, ((i / GRID) as f32 + 0.5) / GRID as f32);
        let (cx, cy, w, h) = (ax + r[0] / side, ay + r[1] / side, r[2].abs() / side, r[3].abs() / side);
        if w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0 {
            faces.push(Detection { label: "face", score, x: cx - w / 2.0, y: cy - h / 2.0, w, h });
        }
    }
    Ok(faces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Limits;

    fn outputs(hits: &[(usize, [f32; 4], f32)]) -> (Output, Output) {
        let n = GRID * GRID;
        let mut boxes = vec![0.0; n * 16];
        let mut scores = vec![-10.0; n];
        for &(i, r, logit) in hits {
            boxes[i * 16..i * 16 + 4].copy_from_slice(&r);
            scores[i] = logit;
        }
        ((vec![1, n as i64, 16], boxes), (vec![1, n as i64, 1], scores))
    }

    #[test]
    fn decodes_anchor_offsets_into_boxes() {
        // anchor (10, 20): centre (10.5/48, 20.5/48); offset 4 px right, size 24 x 30 px
        let (b, s) = outputs(&[(20 * GRID + 10, [4.0, 0.0, 24.0, 30.0], 3.0), (5, [0.0; 4], -3.0)]);
        let faces = decode(&b, &s).expect("decodes");
        assert_eq!(faces.len(), 1, "the -3 logit is below the threshold");
        let f = faces[0];
        assert!((f.x + f.w / 2.0 - (10.5 / 48.0 + 4.0 / 192.0)).abs() < 1e-6);
        assert!((f.y + f.h / 2.0 - 20.5 / 48.0).abs() < 1e-6);
        assert!((f.w - 24.0 / 192.0).abs() < 1e-6 && (f.h - 30.0 / 192.0).abs() < 1e-6);
        assert!((f.score - 0.952_574).abs() < 1e-5);
    }

    #[test]
    fn decode_rejects_wrong_shapes() {
        let (b, s) = outputs(&[]);
        assert!(decode(&(vec![1, 2304, 4], b.1.clone()), &s).expect_err("shape").contains("boxes"));
        assert!(decode(&b, &(vec![1, 2303, 1], vec![0.0; 2303])).expect_err("shape").contains("scores"));
    }

    #[test]
    fn views_cover_the_frame_with_overlapping_tiles() {
        let v = views(1024, 768);
        assert_eq!(v[0], (0.0, -128.0, 1024.0), "the whole frame, letterboxed");
        assert_eq!(v.len(), 1 + 3 * 2);
        assert!(v[1..].iter().all(|&(_, _, s)| s == 512.0));
        assert_eq!(v.last(), Some(&(512.0, 256.0, 512.0)));
        let tall = views(480, 640);
        assert!(tall[1..].iter().all(|&(x, y, s)| x >= 0.0 && y >= 0.0 && x + s <= 480.0 && y + s <= 640.0));
        // a strip: tiles an eighth of its length, centred across it, overlapping by half
        let strip = views(1024, 1);
        assert_eq!(strip.len(), 1 + 15);
        assert!(strip[1..].iter().all(|&(_, y, s)| s == 128.0 && y == (1.0 - 128.0) / 2.0));
        assert_eq!((strip[1].0, strip[15].0), (0.0, 1024.0 - 128.0));
        assert!(views(1, 1024).len() <= 16 && views(1024, 100).len() <= 16);
    }

    #[test]
    fn crop_square_averages_and_pads_black() {
        let rgb: Vec<u8> = (0..4 * 2).flat_map(|i| [i as u8 * 10, 0, 255]).collect();
        let frame = Frame::from_rgb8(4, 2, &rgb, &Limits::default()).expect("frame");
        let px = crop_square(&frame, 0.0, -1.0, 4.0, 2);
        assert_eq!(&px[..6], &[5, 0, 255, 25, 0, 255], "top row: frame row 0 averaged in pairs");
        assert_eq!(&px[6..], &[45, 0, 255, 65, 0, 255], "bottom row: frame row 1");
        let outside = crop_square(&frame, 10.0, 10.0, 4.0, 2);
        assert!(outside.iter().all(|&v| v == 0));
    }
}
