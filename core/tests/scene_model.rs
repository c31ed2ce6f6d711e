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

fn verifier_with(file: &str, bytes: Vec<u8>) -> Verifier {
    let models = ModelBundle::embedded().with_file(file, bytes, "test").expect("a bundle file");
    Verifier::new(Policy::default_policy(), VerifierConfig { models, ..VerifierConfig::default() })
        .expect("a model of the wrong kind still loads: its inputs are only checked when it runs")
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
    let v = verifier_with("criteria.onnx", ModelBundle::embedded().quality.to_vec());
    match v.verify_frame(&frame()) {
        Err(Error::Runtime(RuntimeError::Inference { model, .. })) => assert_eq!(model, "criteria"),
        other => panic!("expected an inference error from the criteria model, got {other:?}"),
    }
}

#[test]
fn a_wrong_scene_model_is_an_error_that_names_it() {
    let v = verifier_with("scene.onnx", ModelBundle::embedded().heads.to_vec());
    match v.verify_frame(&frame()) {
        Err(Error::Runtime(RuntimeError::Inference { model, .. })) => assert_eq!(model, "scene"),
        other => panic!("expected an inference error from the scene model, got {other:?}"),
    }
}
