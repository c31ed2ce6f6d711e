//! The model files the SDK runs, embedded in the library, and their identity.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

/// Version of the embedded model bundle; bumped whenever any model file changes.
pub const MODEL_BUNDLE_VERSION: &str = "2026.11.1";

/// The ONNX files one verifier runs, as bytes. [`ModelBundle::embedded`] is what ships.
#[derive(Clone)]
pub struct ModelBundle {
    /// Version string recorded with every verdict's evidence.
    pub version: String,
    /// The image-quality model (`quality.onnx`).
    pub quality: Cow<'static, [u8]>,
}

impl std::fmt::Debug for ModelBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelBundle").field("version", &self.version).field("quality_sha256", &self.hashes()).finish()
    }
}

impl Default for ModelBundle {
    fn default() -> Self {
        Self::embedded()
    }
}

impl ModelBundle {
    /// The models compiled into the library.
    pub fn embedded() -> Self {
        Self {
            version: MODEL_BUNDLE_VERSION.to_owned(),
            quality: Cow::Borrowed(include_bytes!("../../models/quality.onnx")),
        }
    }

    /// The embedded models with the quality model replaced by `bytes` (a retrained or
    /// cross-validation model); `version` names the replacement.
    pub fn with_quality(mut self, bytes: Vec<u8>, version: &str) -> Self {
        self.quality = Cow::Owned(bytes);
        self.version = format!("{}+{version}", self.version);
        self
    }

    /// Name and SHA-256 (hex) of every model in the bundle.
    pub fn hashes(&self) -> Vec<(&'static str, String)> {
        vec![("quality", hex_sha256(&self.quality))]
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
