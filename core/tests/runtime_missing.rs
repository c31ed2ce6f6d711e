//! Without ONNX Runtime the engine says what is missing and how to fix it, and never crashes.
//! Its own test binary, so that no other test has loaded the runtime into this process.

use std::path::Path;

use proofshot_core::{Error, Policy, Runtime, RuntimeError, Verifier, VerifierConfig};

#[test]
fn a_missing_library_is_a_clear_error() {
    let config =
        VerifierConfig { runtime_library: Some("/nonexistent/libonnxruntime.so".into()), ..Default::default() };
    let err = Verifier::new(Policy::default_policy(), config).expect_err("no runtime there");
    match &err {
        Error::Runtime(RuntimeError::NotFound { tried }) => {
            assert_eq!(tried, &vec![Path::new("/nonexistent/libonnxruntime.so").to_path_buf()])
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("scripts/setup-ort.sh") && msg.contains("ORT_DYLIB_PATH"), "{msg}");
}

#[test]
fn a_file_that_is_not_the_library_is_a_load_error() {
    let not_a_library = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    match Runtime::load(Some(&not_a_library)) {
        Err(RuntimeError::Load { path, detail }) => {
            assert_eq!(path, not_a_library);
            assert!(!detail.is_empty());
        }
        other => panic!("expected a load error, got {other:?}"),
    }
}
