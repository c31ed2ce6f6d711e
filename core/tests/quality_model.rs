//! The real quality model through ONNX Runtime on images the project renders itself.
//! Needs ONNX Runtime: run `scripts/setup-ort.sh` (the README's test command does).

use std::sync::{Arc, OnceLock};

use proofshot_core::{CriterionKind, Frame, Limits, PixelFormat, Plane, RawImage, Reason, Verdict};
use proofshot_fixtures::{self as fx, Rgb};

mod common;
use common::verifier;

fn porch() -> &'static Rgb {
    static P: OnceLock<Rgb> = OnceLock::new();
    P.get_or_init(|| fx::porch_scene(800, 600, 7))
}

fn verify_jpeg(img: &Rgb) -> Verdict {
    verifier().verify_encoded(&fx::encode_jpeg(img, 90, None)).expect("verifies")
}

fn image_clear(v: &Verdict) -> (bool, Reason, f32) {
    let c = v.criterion(CriterionKind::ImageClear).expect("policy has image_clear");
    (c.passed, c.reason, c.score.expect("evaluated"))
}

#[test]
fn sharp_well_exposed_photo_passes_image_clear() {
    let v = verify_jpeg(porch());
    let (passed, reason, score) = image_clear(&v);
    assert!(passed, "score {score}, quality {:?}", v.quality);
    assert_eq!(reason, Reason::Ok);
}

#[test]
fn dim_porch_light_still_passes() {
    let v = verify_jpeg(&fx::darken(porch(), 0.35, 2.0, 1));
    assert!(image_clear(&v).0, "{:?}", v.quality);
}

#[test]
fn black_frame_is_a_poor_photo_too_dark() {
    let v = verify_jpeg(&fx::darken(porch(), 0.01, 1.0, 2));
    assert_eq!(v.category, "poor_photo");
    assert_eq!(image_clear(&v).1, Reason::TooDark, "{:?}", v.quality);
}

#[test]
fn heavily_blurred_photo_is_a_poor_photo_blurry() {
    let v = verify_jpeg(&fx::box_blur(porch(), 24));
    assert_eq!(v.category, "poor_photo");
    assert_eq!(image_clear(&v).1, Reason::Blurry, "{:?}", v.quality);
}

#[test]
fn blown_out_photo_is_a_poor_photo_overexposed() {
    let v = verify_jpeg(&fx::overexpose(porch(), 0.05));
    assert_eq!(v.category, "poor_photo");
    assert_eq!(image_clear(&v).1, Reason::Overexposed, "{:?}", v.quality);
}

#[test]
fn rendered_screenshot_is_a_poor_photo_not_a_photo() {
    let png = fx::encode_png(&fx::app_screenshot(720, 1280, 3));
    let v = verifier().verify_encoded(&png).expect("verifies");
    assert_eq!(v.category, "poor_photo");
    assert_eq!(image_clear(&v).1, Reason::NotAPhoto, "{:?}", v.quality);
}

#[test]
fn verification_fuses_the_scene_into_not_a_photo_only() {
    let frame = Frame::from_rgb8(porch().width, porch().height, &porch().data, &Limits::default()).expect("valid");
    let raw = verifier().quality(&frame).expect("runs");
    let fused = verifier().verify_frame(&frame).expect("verifies").quality.expect("the quality model ran");
    assert_ne!(fused.not_a_photo, raw.not_a_photo, "criteria.onnx fuses the scene's probe into not_a_photo");
    assert!(fused.not_a_photo < 0.5, "the rendered porch stays a photo: {fused:?}");
    assert_eq!(
        (fused.too_dark, fused.overexposed, fused.blurry),
        (raw.too_dark, raw.overexposed, raw.blurry),
        "the other three scores pass through"
    );
}

#[test]
fn camera_frame_and_photo_agree() {
    let img = porch();
    let rgba = img.to_rgba(img.width as usize * 4, false);
    let planes = [Plane { data: &rgba, row_stride: img.width as usize * 4, pixel_stride: 4 }];
    let raw = RawImage {
        width: img.width,
        height: img.height,
        format: PixelFormat::Rgba8888,
        planes: &planes,
        rotation_degrees: 0,
    };
    let from_frame = verifier().verify_raw(&raw).expect("verifies");
    let from_png = verifier().verify_encoded(&fx::encode_png(img)).expect("verifies");
    let (a, b) = (image_clear(&from_frame).2, image_clear(&from_png).2);
    assert!((a - b).abs() < 1e-4, "same pixels, same score: {a} vs {b}");
}

#[test]
fn concurrent_calls_from_threads_agree() {
    let frame = Frame::from_rgb8(porch().width, porch().height, &porch().data, &Limits::default()).expect("valid");
    let expected = verifier().verify_frame(&frame).expect("verifies");
    let frame = Arc::new(frame);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (v, f) = (verifier(), frame.clone());
            std::thread::spawn(move || (0..5).map(|_| v.verify_frame(&f).expect("verifies")).collect::<Vec<_>>())
        })
        .collect();
    for h in handles {
        for v in h.join().expect("thread ran") {
            assert_eq!(v.criteria, expected.criteria);
        }
    }
}

#[test]
fn bad_input_is_an_error_not_a_verdict() {
    let err = verifier().verify_encoded(b"not an image").expect_err("refused");
    assert!(matches!(err, proofshot_core::Error::Frame(_)));
    assert_eq!(err.to_string(), "invalid image: unrecognised image format (expected JPEG, PNG or WebP)");
}
