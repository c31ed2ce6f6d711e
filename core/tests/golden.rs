//! Golden tests: every shipped model through ONNX Runtime on scenes the project renders
//! itself, checking verdicts, boxes and guidance end to end (decode, orientation,
//! preprocessing, inference, box decoding, mapping back to the photo, judgement).
//!
//! These guard the inference code, not accuracy: accuracy is measured by `proofshot eval` on
//! real photos. Needs ONNX Runtime: run `scripts/setup-ort.sh` (the README's test command
//! does).

use std::sync::OnceLock;

use proofshot_core::{BoundingBox, CriterionKind, Frame, Hint, Limits, PixelFormat, Plane, RawImage, Reason, Verdict};
use proofshot_fixtures::{self as fx, Rgb};

mod common;
use common::verifier;

const W: u32 = 1200;
const H: u32 = 900;

fn porch() -> &'static Rgb {
    static P: OnceLock<Rgb> = OnceLock::new();
    P.get_or_init(|| fx::porch_scene(W, H, 7))
}

fn empty_porch() -> &'static Rgb {
    static P: OnceLock<Rgb> = OnceLock::new();
    P.get_or_init(|| fx::empty_porch(W, H, 7))
}

fn verify(img: &Rgb, orientation: Option<u16>) -> Verdict {
    verifier().verify_encoded(&fx::encode_jpeg(img, 90, orientation)).expect("verifies")
}

fn criterion(v: &Verdict, kind: CriterionKind) -> (bool, Reason, f32) {
    let c = v.criterion(kind).expect("in the policy");
    (c.passed, c.reason, c.score.expect("every criterion is evaluated"))
}

fn centre(b: &BoundingBox) -> (f32, f32) {
    (b.x + b.width / 2.0, b.y + b.height / 2.0)
}

fn inside((x, y): (f32, f32), (x0, y0, x1, y1): (f32, f32, f32, f32)) -> bool {
    (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
}

fn strongest<'a>(v: &'a Verdict, label: &str) -> Option<&'a BoundingBox> {
    v.boxes.iter().find(|b| b.label == label)
}

#[test]
fn parcel_at_the_door_is_valid_with_its_boxes() {
    let v = verify(porch(), None);
    for kind in [
        CriterionKind::PackageVisible,
        CriterionKind::PackagePlaced,
        CriterionKind::LocationIdentifiable,
        CriterionKind::ImageClear,
    ] {
        assert_eq!(criterion(&v, kind).1, Reason::Ok, "{kind:?}: {v:#?}");
    }
    assert_eq!(v.category, "valid_pod", "{v:#?}");
    assert!(v.compliant);
    let layout = fx::porch_layout(W, H);
    let parcel = strongest(&v, "package").expect("a package box");
    let extent = layout.parcel_extent(W, H);
    assert!(inside(centre(parcel), extent), "{parcel:?} vs {extent:?}");
    let door = strongest(&v, "door").expect("a door box");
    assert!(inside(centre(door), layout.door), "{door:?} vs {:?}", layout.door);
    // strongest first, every box inside the photo
    assert!(v.boxes.windows(2).all(|w| w[0].score >= w[1].score));
    for b in &v.boxes {
        assert!(
            b.x >= 0.0 && b.y >= 0.0 && b.x + b.width <= W as f32 + 0.5 && b.y + b.height <= H as f32 + 0.5,
            "{b:?}"
        );
    }
}

#[test]
fn empty_porch_is_invalid_no_package() {
    let v = verify(empty_porch(), None);
    assert_eq!(v.category, "invalid_pod", "{v:#?}");
    let (passed, reason, _) = criterion(&v, CriterionKind::PackageVisible);
    assert_eq!((passed, reason), (false, Reason::NoPackage));
    assert!(criterion(&v, CriterionKind::LocationIdentifiable).0, "the door is still there: {v:#?}");
    let layout = fx::porch_layout(W, H);
    assert!(
        !v.boxes.iter().any(|b| b.label == "package" && inside(centre(b), layout.parcel)),
        "no parcel was drawn: {:?}",
        v.boxes
    );
}

#[test]
fn boxes_are_in_pixels_of_the_photo_as_given() {
    // the same scene at twice the size: the same boxes, twice as large
    let small = verify(porch(), None);
    let large = verify(&fx::porch_scene(2 * W, 2 * H, 7), None);
    let (a, b) = (strongest(&small, "package").expect("box"), strongest(&large, "package").expect("box"));
    let (ca, cb) = (centre(a), centre(b));
    assert!((cb.0 / 2.0 - ca.0).abs() < W as f32 * 0.03 && (cb.1 / 2.0 - ca.1).abs() < H as f32 * 0.03, "{a:?} {b:?}");

    // stored sideways with EXIF orientation 6: boxes come back in the upright photo's pixels
    let sideways = fx::Rgb {
        width: H,
        height: W,
        data: {
            // rotate 90° counter-clockwise, which orientation 6 turns back
            let img = porch();
            let mut d = vec![0u8; img.data.len()];
            for y in 0..H {
                for x in 0..W {
                    let (nx, ny) = (y, W - 1 - x);
                    let (s, t) = (((y * W + x) * 3) as usize, ((ny * H + nx) * 3) as usize);
                    d[t..t + 3].copy_from_slice(&img.data[s..s + 3]);
                }
            }
            d
        },
    };
    let turned = verify(&sideways, Some(6));
    let c = strongest(&turned, "package").expect("box");
    assert!(inside(centre(c), fx::porch_layout(W, H).parcel_extent(W, H)), "{c:?}");
}

#[test]
fn camera_frame_matches_the_photo() {
    let img = porch();
    let rgba = img.to_rgba(W as usize * 4, false);
    let planes = [Plane { data: &rgba, row_stride: W as usize * 4, pixel_stride: 4 }];
    let raw = RawImage { width: W, height: H, format: PixelFormat::Rgba8888, planes: &planes, rotation_degrees: 0 };
    let from_frame = verifier().verify_raw(&raw).expect("verifies");
    let from_photo = verify(img, None);
    assert_eq!(from_frame.category, from_photo.category);
    for (a, b) in from_frame.criteria.iter().zip(&from_photo.criteria) {
        let (x, y) = (a.score.expect("scored"), b.score.expect("scored"));
        assert!((x - y).abs() < 0.1, "{}: frame {x} vs JPEG {y}", a.id());
    }
}

fn nv21(img: &Rgb) -> Vec<u8> {
    img.to_nv21()
}

fn guide(img: &Rgb) -> Hint {
    let data = nv21(img);
    let planes = [Plane { data: &data, row_stride: img.width as usize, pixel_stride: 1 }];
    let raw = RawImage {
        width: img.width,
        height: img.height,
        format: PixelFormat::Nv21,
        planes: &planes,
        rotation_degrees: 0,
    };
    verifier().guide_raw(&raw).expect("guides").hint
}

#[test]
fn guidance_on_preview_frames() {
    let scene = fx::porch_scene(640, 480, 5);
    assert_eq!(guide(&scene), Hint::Ready);
    assert_eq!(guide(&fx::empty_porch(640, 480, 5)), Hint::NoPackage);
    assert_eq!(guide(&fx::darken(&scene, 0.01, 1.0, 2)), Hint::TooDark);
    assert_eq!(guide(&fx::box_blur(&scene, 16)), Hint::HoldStill);
}

#[test]
fn guidance_reports_the_package_box_in_frame_pixels() {
    let scene = fx::porch_scene(640, 480, 5);
    let frame = Frame::from_rgb8(640, 480, &scene.data, &Limits::default()).expect("frame");
    let g = verifier().guide(&frame).expect("guides");
    let p = g.package.expect("a package in view");
    assert!(inside((p.x + p.w / 2.0, p.y + p.h / 2.0), fx::porch_layout(640, 480).parcel_extent(640, 480)), "{p:?}");
    assert!(g.ready && g.elapsed_ms > 0.0);
}

#[test]
fn more_threads_per_model_run_give_the_same_verdict_and_hint() {
    let config = proofshot_core::VerifierConfig { intra_op_threads: 2, ..Default::default() };
    let two = proofshot_core::Verifier::new(proofshot_core::Policy::default_policy(), config).expect("loads");
    let jpeg = fx::encode_jpeg(porch(), 90, None);
    let (a, b) = (verifier().verify_encoded(&jpeg).expect("verifies"), two.verify_encoded(&jpeg).expect("verifies"));
    assert_eq!(a.category, b.category);
    for (x, y) in a.criteria.iter().zip(&b.criteria) {
        assert_eq!((x.kind, x.passed, x.reason), (y.kind, y.passed, y.reason));
        let (sx, sy) = (x.score.unwrap_or(-1.0), y.score.unwrap_or(-1.0));
        assert!((sx - sy).abs() < 1e-3, "{:?}: {sx} against {sy}", x.kind);
    }
    let data = nv21(porch());
    let planes = [Plane { data: &data, row_stride: W as usize, pixel_stride: 1 }];
    let raw = RawImage { width: W, height: H, format: PixelFormat::Nv21, planes: &planes, rotation_degrees: 0 };
    assert_eq!(verifier().guide_raw(&raw).expect("guides").hint, two.guide_raw(&raw).expect("guides").hint);
}
