//! Shared by the tests that run the real models: one verifier per test binary.

use std::sync::{Arc, OnceLock};

use proofshot_core::{Policy, Verifier, VerifierConfig};

/// The built-in policy with the embedded models; needs ONNX Runtime (`scripts/setup-ort.sh`,
/// which the README's test command runs).
pub(crate) fn verifier() -> Arc<Verifier> {
    static V: OnceLock<Arc<Verifier>> = OnceLock::new();
    V.get_or_init(|| {
        Arc::new(
            Verifier::new(Policy::default_policy(), VerifierConfig::default())
                .unwrap_or_else(|e| panic!("{e}\n(run scripts/setup-ort.sh first)")),
        )
    })
    .clone()
}
