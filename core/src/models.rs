//! The model files the SDK runs, embedded in the library, and their identity.

use std::borrow::Cow;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Version of the embedded model bundle; bumped whenever any model file changes.
pub const MODEL_BUNDLE_VERSION: &str = "2026.11.1";

/// The ONNX files one verifier runs. [`ModelBundle::embedded`] is what ships; a bundle read
/// from a folder replaces the files found there (the cross-validation models, for example).
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

    /// The embedded models, with each file present in `dir` (`quality.onnx`, ...) used instead.
    pub fn embedded_with_overrides(dir: &Path) -> std::io::Result<Self> {
        let mut bundle = Self::embedded();
        let quality = dir.join("quality.onnx");
        if quality.is_file() {
            bundle.quality = Cow::Owned(std::fs::read(&quality)?);
            bundle.version = format!("{}+{}", MODEL_BUNDLE_VERSION, dir.display());
        }
        Ok(bundle)
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
