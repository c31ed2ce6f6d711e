//! People and vehicles: the Open Images SSD's own box predictors (`people.onnx`) on the
//! feature maps of the backbone the vision heads already use. Trained by Google on Open Images
//! V4, far more people and cars than our photos hold, so their evidence does not depend on the
//! porches of our training set. Read for `Person` (the held-in-hand rule and redaction) and for
//! `Vehicle` and `Car` (the in-vehicle reason); see [`super::fusion`].
//!
//! Its weights are stored in int8 (one layer in int4) and kept so in memory: each run
//! dequantizes them ([`Runtime::int8_session`]): 1.3-1.6 ms more a run than float32 copies
//! built at load, which lifted the peak while verifying by 7 MiB (`proofshot bench`).

use std::sync::Mutex;

use ort::session::Session;

use crate::runtime::{f32_output, Runtime, RuntimeError};
use crate::vision::{non_max_suppression, run_on_maps, Detection, BACKBONE_SIDE};

const MODEL: &str = "people";
/// Classes `people.onnx` scores: the three of the detector's 24
/// (`object_detection_oidv4_labelmap.txt` in the npm package) the SDK reads, kept in this order
/// by `models/vision/shrink.py`.
const CLASSES: usize = 3;
/// `Person`.
const PERSON: usize = 0;
/// `Vehicle` and `Car`.
const VEHICLE_CLASSES: [usize; 2] = [1, 2];
/// Person probability from which a person is reported (pixelated by redaction, and read by
/// the held-in-hand rule). The detector is unsure of people in doorway photos (0.3 to 0.5 for
/// most); at 0.3 it finds 33 of the 35 labelled photos with people and fires on 18 of the 165
/// without (see models/README.md).
pub const PERSON_THRESHOLD: f32 = 0.3;
/// Vehicle (or car) probability from which a vehicle is reported: the detector's usual
/// operating point; no photo of ours was used to choose it (the training photos hold no
/// vehicle interiors).
pub const VEHICLE_THRESHOLD: f32 = 0.5;
const NMS_IOU: f32 = 0.45;

/// What the detector found: people (label `person`) and vehicles (label `vehicle`), each
/// strongest first, as fractions of the frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Objects {
    pub(crate) people: Vec<Detection>,
    pub(crate) vehicles: Vec<Detection>,
}

pub(crate) struct ObjectModel {
    session: Mutex<Session>,
    anchors: Vec<Anchor>,
}

/// An SSD anchor: centre and size, fractions of the input.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Anchor {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl ObjectModel {
    pub(crate) fn new(runtime: &Runtime, bytes: &[u8]) -> Result<Self, RuntimeError> {
        Ok(Self { session: Mutex::new(runtime.int8_session(MODEL, bytes)?), anchors: anchors() })
    }

    /// The people and vehicles in the backbone's feature maps (of a 300 px input).
    pub(crate) fn detect(&self, s16: &[f32], s32: &[f32]) -> Result<Objects, RuntimeError> {
        run_on_maps(&self.session, MODEL, BACKBONE_SIDE, s16, s32, |outputs| {
            decode(&self.anchors, &f32_output(outputs, "box_encodings")?, &f32_output(outputs, "class_logits")?)
        })
    }
}

/// MediaPipe's SSD anchors for this detector (its `SsdAnchorsCalculator` options): six layers
/// of strides 16 to 512 on a 300 px input, scales from 0.2 to 0.95; the first layer has three
/// anchors a cell (scale 0.1 at 1:1, then 2:1 and 1:2), the others six (1:1, 2:1, 1:2, 3:1,
/// 1:3, and 1:1 at the geometric mean of this layer's and the next layer's scale). 1917 in all,
/// row by row, cell by cell.
fn anchors() -> Vec<Anchor> {
    const STRIDES: [u32; 6] = [16, 32, 64, 128, 256, 512];
    let scale = |layer: usize| 0.2 + (0.95 - 0.2) * layer as f32 / (STRIDES.len() - 1) as f32;
    let mut anchors = Vec::with_capacity(1917);
    for (layer, stride) in STRIDES.iter().enumerate() {
        let shapes: Vec<(f32, f32)> = if layer == 0 {
            vec![(1.0, 0.1), (2.0, scale(0)), (0.5, scale(0))]
        } else {
            let next = if layer == STRIDES.len() - 1 { 1.0 } else { scale(layer + 1) };
            [1.0, 2.0, 0.5, 3.0, 1.0 / 3.0]
                .iter()
                .map(|&r| (r, scale(layer)))
                .chain([(1.0, (scale(layer) * next).sqrt())])
                .collect()
        };
        let side = BACKBONE_SIDE.div_ceil(*stride) as usize;
        for y in 0..side {
            for x in 0..side {
                for &(ratio, s) in &shapes {
                    anchors.push(Anchor {
                        x: (x as f32 + 0.5) / side as f32,
                        y: (y as f32 + 0.5) / side as f32,
                        w: s * ratio.sqrt(),
                        h: s / ratio.sqrt(),
                    });
                }
            }
        }
    }
    anchors
}

/// Reads the detector's outputs: `box_encodings` [1, 1917, 4], per anchor (ty, tx, th, tw):
/// centre offsets in tenths of the anchor's size and log sizes in fifths (the TensorFlow
/// Object Detection box coder); `class_logits` [1, 1917, 3], one logit each for `Person`,
/// `Vehicle` and `Car`. Boxes come out as fractions of the (stretched) input, which are
/// fractions of the frame; a vehicle's score is the larger of its `Vehicle` and `Car` scores.
fn decode(anchors: &[Anchor], boxes: &(Vec<i64>, Vec<f32>), logits: &(Vec<i64>, Vec<f32>)) -> Result<Objects, String> {
    let n = anchors.len() as i64;
    if boxes.0 != [1, n, 4] || boxes.1.len() as i64 != n * 4 {
        return Err(format!("expected box_encodings of shape [1, {n}, 4], got {:?}", boxes.0));
    }
    if logits.0 != [1, n, CLASSES as i64] || logits.1.len() as i64 != n * CLASSES as i64 {
        return Err(format!("expected class_logits of shape [1, {n}, {CLASSES}], got {:?}", logits.0));
    }
    let sigmoid = |x: f32| 1.0 / (1.0 + (-x.clamp(-100.0, 100.0)).exp());
    let (mut people, mut vehicles) = (Vec::new(), Vec::new());
    for (i, a) in anchors.iter().enumerate() {
        let row = &logits.1[i * CLASSES..(i + 1) * CLASSES];
        let person = sigmoid(row[PERSON]);
        let vehicle = VEHICLE_CLASSES.iter().map(|&c| sigmoid(row[c])).fold(0.0f32, f32::max);
        let wanted = [("person", person, PERSON_THRESHOLD), ("vehicle", vehicle, VEHICLE_THRESHOLD)];
        if !wanted.iter().any(|&(_, score, threshold)| score >= threshold) {
            continue;
        }
        let Some(b) = anchor_box(a, &boxes.1[i * 4..i * 4 + 4]) else { continue };
        for (label, score, threshold) in wanted {
            if score >= threshold {
                let found = Detection { label, score, ..b };
                if label == "person" {
                    people.push(found)
                } else {
                    vehicles.push(found)
                }
            }
        }
    }
    Ok(Objects { people: non_max_suppression(people, NMS_IOU), vehicles: non_max_suppression(vehicles, NMS_IOU) })
}

/// An anchor's box moved by its encoding (ty, tx, th, tw), clamped to the frame; `None` when
/// nothing of it is left or the encoding is not finite.
fn anchor_box(a: &Anchor, r: &[f32]) -> Option<Detection> {
    let (cy, cx) = (r[0] / 10.0 * a.h + a.y, r[1] / 10.0 * a.w + a.x);
    let (h, w) = ((r[2] / 5.0).exp() * a.h, (r[3] / 5.0).exp() * a.w);
    if !(cx.is_finite() && cy.is_finite() && w.is_finite() && h.is_finite()) {
        return None;
    }
    let (x0, y0) = ((cx - w / 2.0).clamp(0.0, 1.0), (cy - h / 2.0).clamp(0.0, 1.0));
    let (x1, y1) = ((cx + w / 2.0).clamp(0.0, 1.0), (cy + h / 2.0).clamp(0.0, 1.0));
    (x1 > x0 && y1 > y0).then_some(Detection { label: "", score: 0.0, x: x0, y: y0, w: x1 - x0, h: y1 - y0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_the_detector_layout() {
        let a = anchors();
        assert_eq!(a.len(), 1917);
        // first cell of the 19 x 19 layer: 1:1 at 0.1, then 2:1 and 1:2 at 0.2
        assert!((a[0].x - 0.5 / 19.0).abs() < 1e-6 && (a[0].w - 0.1).abs() < 1e-6 && (a[0].h - 0.1).abs() < 1e-6);
        assert!((a[1].w / a[1].h - 2.0).abs() < 1e-5);
        // the last anchor: the single 1 x 1 cell, interpolated 1:1 between 0.95 and 1.0
        let last = a[1916];
        assert_eq!((last.x, last.y), (0.5, 0.5));
        assert!((last.w - (0.95f32).sqrt()).abs() < 1e-5);
    }

    #[test]
    fn decodes_person_boxes_from_anchor_offsets() {
        let a = anchors();
        let n = a.len();
        let mut boxes = vec![0.0f32; n * 4];
        let mut logits = vec![-10.0f32; n * CLASSES];
        let i = (9 * 19 + 9) * 3; // the centre cell of the 19 x 19 layer, its 0.1 x 0.1 anchor
        logits[i * CLASSES + PERSON] = 2.0;
        logits[(i + 1) * CLASSES + PERSON] = -1.0; // a person below the threshold: not reported
        logits[(i + 2) * CLASSES + 2] = 1.0; // a car: a vehicle
        logits[(i + 2) * CLASSES + 1] = -1.0; // ... whose Vehicle score is lower
        boxes[i * 4..i * 4 + 4].copy_from_slice(&[1.0, -1.0, 0.0, 5.0]);
        let found =
            decode(&a, &(vec![1, n as i64, 4], boxes), &(vec![1, n as i64, CLASSES as i64], logits)).expect("decodes");
        let people = found.people;
        assert_eq!(people.len(), 1);
        assert_eq!(found.vehicles.len(), 1);
        let v = found.vehicles[0];
        assert_eq!(v.label, "vehicle");
        assert!((v.score - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-6, "the larger of Vehicle and Car: {v:?}");
        let p = people[0];
        let (cx, cy) = (p.x + p.w / 2.0, p.y + p.h / 2.0);
        assert!((cy - (a[i].y + 0.1 * a[i].h)).abs() < 1e-5 && (cx - (a[i].x - 0.1 * a[i].w)).abs() < 1e-5);
        assert!((p.w - a[i].w * std::f32::consts::E).abs() < 1e-5 && (p.h - a[i].h).abs() < 1e-5, "{p:?}");
        assert_eq!(p.label, "person");
    }

    #[test]
    fn decode_rejects_wrong_shapes() {
        let a = anchors();
        let n = a.len() as i64;
        let e = decode(&a, &(vec![1, n, 4], vec![0.0; 4]), &(vec![1, n, 24], vec![0.0; 24 * n as usize]))
            .expect_err("shape");
        assert!(e.contains("box_encodings"), "{e}");
        // the detector's 24 classes, as people.onnx held them before models/vision/shrink.py
        let e = decode(&a, &(vec![1, n, 4], vec![0.0; 4 * n as usize]), &(vec![1, n, 24], vec![0.0; 24 * n as usize]))
            .expect_err("24 classes");
        assert!(e.contains("class_logits") && e.contains("[1, 1917, 3]"), "{e}");
    }
}
