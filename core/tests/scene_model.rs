//! The scene classifier (`scene.onnx`) and its fusion (`criteria.onnx`) through ONNX Runtime.
//! Needs ONNX Runtime: run `scripts/setup-ort.sh` (the README's test command does).

use proofshot_core::{Error, ModelBundle, Policy, RuntimeError, Verifier, VerifierConfig};
use proofshot_fixtures as fx;

mod common;
use common::verifier;

fn frame() -> proofshot_core::Frame {
    let jpeg = fx::encode_jpeg(&fx::porch_scene(800, 600, 7), 90, None);
    proofshot_core::Frame::from_encoded(&jpeg, &proofshot_core::Limits::default()).expect("decodes")
}

/// Verifying with `bytes` in `file`'s place fails when the model runs, naming `model`.
fn assert_inference_error_names(file: &str, bytes: &[u8], model: &str) {
    let models = ModelBundle::embedded().with_file(file, bytes.to_vec(), "test").expect("a bundle file");
    let v = Verifier::new(Policy::default_policy(), VerifierConfig { models, ..VerifierConfig::default() })
        .expect("a model of the wrong kind still loads: its inputs are only checked when it runs");
    match v.verify_frame(&frame()) {
        Err(Error::Runtime(RuntimeError::Inference { model: named, .. })) => assert_eq!(named, model),
        other => panic!("expected an inference error from the {model} model, got {other:?}"),
    }
}

#[test]
fn verification_runs_the_scene_model_and_its_fusion() {
    let ms = verifier().vision_stage_ms(&frame()).expect("runs");
    assert!(ms[4] > 0.0, "scene stage timed: {ms:?}");
    let signals = verifier().vision(&frame()).expect("runs");
    for p in [signals.package_visible, signals.package_placed, signals.location_identifiable] {
        assert!((0.0..=1.0).contains(&p), "{signals:?}");
    }
}

#[test]
fn the_bundle_lists_and_hashes_the_scene_models() {
    let bundle = ModelBundle::embedded();
    let names: Vec<_> = bundle.hashes().into_iter().map(|(name, _)| name).collect();
    assert!(names.contains(&"scene") && names.contains(&"criteria"), "{names:?}");
}

#[test]
fn a_wrong_fusion_model_is_an_error_that_names_it() {
    // the quality model in criteria.onnx's place: different inputs, so running it fails
    assert_inference_error_names("criteria.onnx", &ModelBundle::embedded().quality, "criteria");
}

#[test]
fn a_wrong_scene_model_is_an_error_that_names_it() {
    assert_inference_error_names("scene.onnx", &ModelBundle::embedded().heads, "scene");
}
