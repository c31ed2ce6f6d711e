//! The vision models: where the package is, who holds it, and whether the place is a
//! delivery location.
//!
//! ```text
//! frame ─► preprocess ─► backbone.onnx ─┬─► heads.onnx ──► package/door boxes, criteria probe ─┐
//!  │       (300 px)      (MobileNetV2)  └─► people.onnx ─► people, vehicles   (objects)        │
//!  └─────► preprocess ─► scene.onnx ──────► ImageNet classes ─► criteria.onnx ◄────────────────┘
//!          (192 px)      (EfficientNet-Lite0)                  (scene)   └──► fusion ─► evidence
//! ```
//!
//! The backbone (`backbone.onnx`) is the MobileNetV2 feature extractor of MediaPipe's
//! SSD-MobileNetV2 Open Images detector, converted by `models/vision/convert_backbone.py`; it
//! is frozen, and quantized whole to run in int8 (`models/vision/int8_compute.py`, activation
//! ranges from the training photos; see [`Runtime::int8_session`]). The heads (`heads.onnx`,
//! trained by `models/vision/train.py` on the int8 maps) read its two feature maps and give
//! image-level probabilities and a CenterNet-style detector for packages and doors. The rest of
//! the Open Images detector ([`objects`], `people.onnx`) reads the same maps for people and
//! vehicles. [`scene`] reads the frame's ImageNet classes, whole and with the heads' package
//! boxes masked, and fuses them with the heads' criteria, and [`fusion`] turns all of it into
//! evidence. See `models/README.md`.

pub(crate) mod fusion;
pub(crate) mod objects;
pub(crate) mod scene;

pub use scene::SCENE_SIDE;

use std::sync::{Arc, Mutex};

use ort::session::Session;
use ort::value::TensorRef;

use crate::frame::Frame;
use crate::quality::QualitySignals;
use crate::resample::square_rgb;
use crate::runtime::{f32_output, Runtime, RuntimeError};
use objects::{ObjectModel, Objects};
use scene::SceneModel;

/// Side of the backbone's square input for verification: the working frame is box-filtered
/// and stretched to it.
pub const BACKBONE_SIDE: u32 = 300;
/// Side of the guidance backbone's input (the same network and session, run smaller for live
/// preview: `backbone.onnx`'s input side is a free dimension).
pub const GUIDE_SIDE: u32 = 192;
/// A detector peak below this is not reported as a box.
pub const BOX_THRESHOLD: f32 = 0.3;
/// At most this many boxes per label.
pub(crate) const MAX_BOXES_PER_LABEL: usize = 8;

const BACKBONE: &str = "backbone";
const HEADS: &str = "heads";
const LABELS: [&str; 2] = ["package", "door"];

/// A detected object, in the frame's normalised coordinates (0..1, origin top left).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// `package` or `door` (vision heads), `person` or `vehicle` (the Open Images
    /// predictors), `face` (redaction).
    pub label: &'static str,
    /// Detector confidence in [0, 1].
    pub score: f32,
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Detection {
    /// Intersection over union with another box.
    pub fn iou(&self, o: &Self) -> f32 {
        let ix = ((self.x + self.w).min(o.x + o.w) - self.x.max(o.x)).max(0.0);
        let iy = ((self.y + self.h).min(o.y + o.h) - self.y.max(o.y)).max(0.0);
        let inter = ix * iy;
        inter / (self.w * self.h + o.w * o.h - inter).max(f32::EPSILON)
    }

    /// The same box in the pixels of an image `width` x `height`.
    pub fn scaled(&self, width: u32, height: u32) -> Self {
        let (w, h) = (width as f32, height as f32);
        Self { x: self.x * w, y: self.y * h, w: self.w * w, h: self.h * h, ..*self }
    }
}

/// Greedy non-maximum suppression: the strongest of every group of boxes overlapping by
/// `iou` or more, strongest first.
pub(crate) fn non_max_suppression(mut boxes: Vec<Detection>, iou: f32) -> Vec<Detection> {
    boxes.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for b in boxes {
        if kept.iter().all(|k| k.iou(&b) < iou) {
            kept.push(b);
        }
    }
    kept
}

/// What the vision models found: independent probabilities in [0, 1], and the boxes.
#[derive(Debug, Clone, PartialEq)]
pub struct VisionSignals {
    /// A package, parcel, envelope, mailer or bag is in view.
    pub package_visible: f32,
    /// It rests by itself on a surface at a delivery location.
    pub package_placed: f32,
    /// A door, porch, step, mat, hallway or similar delivery location is recognisable.
    pub location_identifiable: f32,
    /// A hand or arms hold the package.
    pub held_in_hand: f32,
    /// Packages and doors, strongest first.
    pub detections: Vec<Detection>,
    /// People (label `person`, from [`PERSON_THRESHOLD`](crate::PERSON_THRESHOLD)),
    /// strongest first; empty where the object detector does not run (live guidance).
    pub people: Vec<Detection>,
    /// Vehicles and cars (label `vehicle`), strongest first; empty where the object
    /// detector does not run.
    pub vehicles: Vec<Detection>,
}

/// The backbone's feature-map sides for an input side: stride 16 and 32, rounded up.
pub(crate) const fn grids(side: u32) -> (usize, usize) {
    (side.div_ceil(16) as usize, side.div_ceil(32) as usize)
}

/// The backbone's one session, shared by verification's [`VisionModel`] and guidance's: its
/// input side is left free, so each run takes its own size. One session per side held the
/// backbone's float32 weights twice: peak verifying and guiding 152-158 MiB, against 136-147
/// shared (three alternating runs each), for the same speed (`proofshot bench`, issue 23). It
/// runs in int8 now, its weights 2.2 MB.
pub(crate) fn backbone_session(runtime: &Runtime, backbone: &[u8]) -> Result<Arc<Mutex<Session>>, RuntimeError> {
    Ok(Arc::new(Mutex::new(runtime.int8_session(BACKBONE, backbone)?)))
}

pub(crate) struct VisionModel {
    side: u32,
    /// [`backbone_session`], shared: a verification and a guidance frame take turns on it.
    backbone: Arc<Mutex<Session>>,
    heads: Mutex<Session>,
    /// The Open Images predictors (`people.onnx`), which take the 300 px backbone's maps only:
    /// `None` for the guidance model.
    objects: Option<ObjectModel>,
    /// The scene classifier and its fusion with the heads' criteria: `None` for the guidance
    /// model, whose 15 ms budget it does not fit.
    scene: Option<SceneModel>,
}

/// The models beside the backbone and heads that only verification runs: the Open Images
/// predictors (`people.onnx`), the scene classifier (`scene.onnx`) and its fusion
/// (`criteria.onnx`).
pub(crate) struct Extras<'a> {
    pub objects: &'a [u8],
    pub scene: &'a [u8],
    pub criteria: &'a [u8],
}

impl VisionModel {
    /// The backbone and heads for a `side` x `side` input, and the models only verification
    /// runs where they are given (only for [`BACKBONE_SIDE`], the size the object detector's
    /// predictors were built for).
    pub(crate) fn new(
        runtime: &Runtime,
        side: u32,
        backbone: Arc<Mutex<Session>>,
        heads: &[u8],
        extras: Option<Extras<'_>>,
    ) -> Result<Self, RuntimeError> {
        debug_assert!(extras.is_none() || side == BACKBONE_SIDE, "the object detector reads 300 px maps");
        Ok(Self {
            side,
            backbone,
            heads: Mutex::new(runtime.session(HEADS, heads)?),
            objects: extras.as_ref().map(|e| ObjectModel::new(runtime, e.objects)).transpose()?,
            scene: extras.as_ref().map(|e| SceneModel::new(runtime, e.scene, e.criteria)).transpose()?,
        })
    }

    /// The vision signals of a frame. Where the scene classifier runs (verification), it also
    /// fuses its own evidence into `quality`'s `not_a_photo`.
    pub(crate) fn run(&self, frame: &Frame, quality: &mut QualitySignals) -> Result<VisionSignals, RuntimeError> {
        let (s16, s32) = self.features(&preprocess(frame, self.side))?;
        let mut signals = self.heads(&s16, &s32)?;
        if let Some(scene) = &self.scene {
            scene.fuse(&mut signals, frame, quality)?;
        }
        self.with_objects(signals, &s16, &s32)
    }

    /// Like [`run`](Self::run), also timing preprocessing, the backbone, the heads (with box
    /// decoding), the object detector (with its decoding) and the scene classifier with its
    /// fusion (with its own preprocessing), in milliseconds.
    pub(crate) fn run_timed(
        &self,
        frame: &Frame,
        quality: &mut QualitySignals,
    ) -> Result<(VisionSignals, [f64; 5]), RuntimeError> {
        let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1000.0;
        let t = std::time::Instant::now();
        let input = preprocess(frame, self.side);
        let pre = ms(t);
        let t = std::time::Instant::now();
        let (s16, s32) = self.features(&input)?;
        let backbone = ms(t);
        let t = std::time::Instant::now();
        let mut signals = self.heads(&s16, &s32)?;
        let heads = ms(t);
        let t = std::time::Instant::now();
        if let Some(scene) = &self.scene {
            scene.fuse(&mut signals, frame, quality)?;
        }
        let scene = ms(t);
        let t = std::time::Instant::now();
        let signals = self.with_objects(signals, &s16, &s32)?;
        Ok((signals, [pre, backbone, heads, ms(t), scene]))
    }

    /// The people and vehicles in a frame (empty for the guidance model).
    pub(crate) fn objects(&self, frame: &Frame) -> Result<Objects, RuntimeError> {
        let Some(objects) = &self.objects else { return Ok(Objects::default()) };
        let (s16, s32) = self.features(&preprocess(frame, self.side))?;
        objects.detect(&s16, &s32)
    }

    fn with_objects(
        &self,
        mut signals: VisionSignals,
        s16: &[f32],
        s32: &[f32],
    ) -> Result<VisionSignals, RuntimeError> {
        if let Some(objects) = &self.objects {
            let found = objects.detect(s16, s32)?;
            (signals.people, signals.vehicles) = (found.people, found.vehicles);
        }
        Ok(signals)
    }

    /// Runs the backbone on its `[1, side, side, 3]` input.
    pub(crate) fn features(&self, input: &[f32]) -> Result<(Vec<f32>, Vec<f32>), RuntimeError> {
        let err = |detail: String| RuntimeError::Inference { model: BACKBONE, detail };
        let side = self.side as usize;
        let (g16, g32) = grids(self.side);
        let tensor = TensorRef::from_array_view(([1usize, side, side, 3], input)).map_err(|e| err(e.to_string()))?;
        let mut session = self.backbone.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session.run(ort::inputs!["image" => tensor]).map_err(|e| err(e.to_string()))?;
        let take = |(name, shape): (&str, [usize; 4])| -> Result<Vec<f32>, RuntimeError> {
            let (got, data) = f32_output(&outputs, name).map_err(err)?;
            if !got.iter().map(|&d| d as usize).eq(shape) {
                return Err(err(format!("expected {name} of shape {shape:?}, got {got:?}")));
            }
            Ok(data)
        };
        Ok((take(("features_s16", [1, 576, g16, g16]))?, take(("features_s32", [1, 1280, g32, g32]))?))
    }

    fn heads(&self, s16: &[f32], s32: &[f32]) -> Result<VisionSignals, RuntimeError> {
        let grid = grids(self.side).0;
        run_on_maps(&self.heads, HEADS, self.side, s16, s32, |outputs| {
            let get = |name: &str| f32_output(outputs, name);
            decode(grid, &get("criteria")?, &get("heatmap")?, &get("boxes")?)
        })
    }
}

/// Runs a model that reads the backbone's two feature maps of a `side` input (`features_s16`
/// [1, 576, g16, g16] and `features_s32` [1, 1280, g32, g32]: the heads, the Open Images
/// predictors) and reads its outputs with `read`; errors name `model`.
pub(crate) fn run_on_maps<T>(
    session: &Mutex<Session>,
    model: &'static str,
    side: u32,
    s16: &[f32],
    s32: &[f32],
    read: impl FnOnce(&ort::session::SessionOutputs<'_>) -> Result<T, String>,
) -> Result<T, RuntimeError> {
    let err = |detail: String| RuntimeError::Inference { model, detail };
    let (g16, g32) = grids(side);
    let a = TensorRef::from_array_view(([1usize, 576, g16, g16], s16)).map_err(|e| err(e.to_string()))?;
    let b = TensorRef::from_array_view(([1usize, 1280, g32, g32], s32)).map_err(|e| err(e.to_string()))?;
    let mut session = session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let outputs =
        session.run(ort::inputs!["features_s16" => a, "features_s32" => b]).map_err(|e| err(e.to_string()))?;
    read(&outputs).map_err(err)
}

/// The backbone's input: the working frame box-filtered and stretched to `side` x `side`,
/// NHWC RGB scaled to [-1, 1] (what the SSD was trained on).
pub(crate) fn preprocess(frame: &Frame, side: u32) -> Vec<f32> {
    square_rgb(frame, side).iter().map(|&v| f32::from(v) / 127.5 - 1.0).collect()
}

/// Reads the heads' outputs on a `grid` x `grid` map (19 for the 300 px backbone):
/// `criteria` [1, 4] probabilities (package_visible, package_placed, location_identifiable,
/// held_in_hand); `heatmap` [1, 2, grid, grid] centre probabilities for package and door;
/// `boxes` [1, 4, grid, grid] centre offset within the cell (x, y) and size as fractions of
/// the image (w, h).
pub(crate) fn decode(
    grid: usize,
    criteria: &(Vec<i64>, Vec<f32>),
    heatmap: &(Vec<i64>, Vec<f32>),
    boxes: &(Vec<i64>, Vec<f32>),
) -> Result<VisionSignals, String> {
    let g = grid as i64;
    let expect = |what: &str, got: &[i64], want: &[i64], len: usize| {
        if got != want || len as i64 != want.iter().product::<i64>() {
            Err(format!("expected {what} of shape {want:?}, got {got:?}"))
        } else {
            Ok(())
        }
    };
    expect("criteria", &criteria.0, &[1, 4], criteria.1.len())?;
    expect("heatmap", &heatmap.0, &[1, LABELS.len() as i64, g, g], heatmap.1.len())?;
    expect("boxes", &boxes.0, &[1, 4, g, g], boxes.1.len())?;
    let p = |v: f32| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
    let c = &criteria.1;
    let mut detections = Vec::new();
    let cells = grid * grid;
    for (k, label) in LABELS.iter().enumerate() {
        let heat = &heatmap.1[k * cells..(k + 1) * cells];
        let mut found: Vec<Detection> = Vec::new();
        for gy in 0..grid {
            for gx in 0..grid {
                let v = p(heat[gy * grid + gx]);
                if v < BOX_THRESHOLD || !is_peak(heat, grid, gx, gy) {
                    continue;
                }
                let at = |ch: usize| p(boxes.1[ch * cells + gy * grid + gx]);
                let cx = (gx as f32 + at(0)) / grid as f32;
                let cy = (gy as f32 + at(1)) / grid as f32;
                let (w, h) = (at(2), at(3));
                let (x0, y0) = ((cx - w / 2.0).clamp(0.0, 1.0), (cy - h / 2.0).clamp(0.0, 1.0));
                let (x1, y1) = ((cx + w / 2.0).clamp(0.0, 1.0), (cy + h / 2.0).clamp(0.0, 1.0));
                found.push(Detection { label, score: v, x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        found.truncate(MAX_BOXES_PER_LABEL);
        detections.extend(found);
    }
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(VisionSignals {
        package_visible: p(c[0]),
        package_placed: p(c[1]),
        location_identifiable: p(c[2]),
        held_in_hand: p(c[3]),
        detections,
        people: Vec::new(),
        vehicles: Vec::new(),
    })
}

/// Whether a cell is the maximum of its 3 x 3 neighbourhood (ties go to the first cell).
fn is_peak(heat: &[f32], grid: usize, gx: usize, gy: usize) -> bool {
    let v = heat[gy * grid + gx];
    for ny in gy.saturating_sub(1)..=(gy + 1).min(grid - 1) {
        for nx in gx.saturating_sub(1)..=(gx + 1).min(grid - 1) {
            let n = heat[ny * grid + nx];
            let earlier = (ny, nx) < (gy, gx);
            if n > v || (earlier && n == v) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Limits;

    const GRID: usize = grids(BACKBONE_SIDE).0;

    fn outputs(peaks: &[(usize, usize, usize, f32)]) -> [(Vec<i64>, Vec<f32>); 3] {
        let cells = GRID * GRID;
        let mut heat = vec![0.01f32; 2 * cells];
        let mut boxes = vec![0.5f32; 4 * cells];
        for &(k, gx, gy, v) in peaks {
            heat[k * cells + gy * GRID + gx] = v;
            boxes[2 * cells + gy * GRID + gx] = 0.2;
            boxes[3 * cells + gy * GRID + gx] = 0.1;
        }
        let g = GRID as i64;
        [(vec![1, 4], vec![0.9, 0.8, 0.7, 0.1]), (vec![1, 2, g, g], heat), (vec![1, 4, g, g], boxes)]
    }

    #[test]
    fn decodes_peaks_into_boxes() {
        let [c, h, b] = outputs(&[(0, 9, 9, 0.9), (1, 2, 3, 0.5), (0, 15, 15, 0.2)]);
        let s = decode(GRID, &c, &h, &b).expect("decodes");
        assert_eq!((s.package_visible, s.held_in_hand), (0.9, 0.1));
        assert_eq!(s.detections.len(), 2, "the 0.2 peak is below the threshold");
        let d = s.detections[0];
        assert_eq!(d.label, "package");
        let centre = 9.5 / GRID as f32;
        assert!((d.x + d.w / 2.0 - centre).abs() < 1e-5 && (d.w - 0.2).abs() < 1e-5 && (d.h - 0.1).abs() < 1e-5);
        assert_eq!(s.detections[1].label, "door");
    }

    #[test]
    fn neighbours_of_a_peak_are_not_boxes() {
        let [c, h, b] = outputs(&[(0, 9, 9, 0.9), (0, 10, 9, 0.8), (0, 10, 10, 0.9)]);
        let s = decode(GRID, &c, &h, &b).expect("decodes");
        assert_eq!(s.detections.len(), 1, "{:?}", s.detections);
    }

    #[test]
    fn boxes_stay_inside_the_image() {
        let [c, h, mut b] = outputs(&[(0, 0, 0, 0.9)]);
        let cells = GRID * GRID;
        b.1[2 * cells] = 1.0;
        b.1[3 * cells] = 1.0;
        let d = decode(GRID, &c, &h, &b).expect("decodes").detections[0];
        assert!(d.x >= 0.0 && d.y >= 0.0 && d.x + d.w <= 1.0 + 1e-6 && d.y + d.h <= 1.0 + 1e-6, "{d:?}");
    }

    #[test]
    fn overlapping_boxes_are_merged_into_the_strongest() {
        let d = |score, x| Detection { label: "face", score, x, y: 0.1, w: 0.2, h: 0.2 };
        let kept = non_max_suppression(vec![d(0.6, 0.11), d(0.9, 0.1), d(0.7, 0.6)], 0.3);
        assert_eq!(kept, vec![d(0.9, 0.1), d(0.7, 0.6)]);
        assert!(
            (d(0.5, 0.1).iou(&d(0.5, 0.2)) - 1.0 / 3.0).abs() < 1e-6,
            "0.1 x 0.2 shared of two 0.2 x 0.2: 0.02 / 0.06"
        );
    }

    #[test]
    fn grids_match_the_backbone() {
        assert_eq!(grids(BACKBONE_SIDE), (19, 10));
        assert_eq!(grids(GUIDE_SIDE), (12, 6));
    }

    #[test]
    fn decode_rejects_wrong_shapes() {
        let [c, h, b] = outputs(&[]);
        assert!(decode(GRID, &(vec![1, 3], vec![0.0; 3]), &h, &b).expect_err("a shape error").contains("criteria"));
        assert!(decode(GRID, &c, &(vec![1, 2, 19, 18], vec![0.0; 2 * 19 * 18]), &b)
            .expect_err("a shape error")
            .contains("heatmap"));
        assert!(decode(GRID, &c, &h, &(vec![1, 4, 19, 19], vec![0.0; 3]))
            .expect_err("a shape error")
            .contains("boxes"));
    }

    #[test]
    fn preprocess_is_nhwc_in_signed_unit_range() {
        let frame = Frame::from_rgb8(2, 1, &[0, 255, 0, 255, 0, 255], &Limits::default()).expect("frame");
        let input = preprocess(&frame, BACKBONE_SIDE);
        assert_eq!(input.len(), 300 * 300 * 3);
        assert_eq!(&input[..3], &[-1.0, 1.0, -1.0]);
        assert_eq!(&input[input.len() - 3..], &[1.0, -1.0, 1.0]);
    }
}
