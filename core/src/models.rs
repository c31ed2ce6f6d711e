//! The model files the SDK runs, embedded in the library, and their identity.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

/// Version of the embedded model bundle; bumped whenever any model file changes.
pub const MODEL_BUNDLE_VERSION: &str = "2026.12.7";

/// The model files a verifier runs, by file name, in the order they are hashed.
pub const MODEL_FILES: [&str; 8] = [
    "quality.onnx",
    "backbone.onnx",
    "heads.onnx",
    "heads-guide.onnx",
    "faces.onnx",
    "people.onnx",
    "scene.onnx",
    "criteria.onnx",
];

/// The ONNX files one verifier runs, as bytes. [`ModelBundle::embedded`] is what ships.
#[derive(Clone)]
pub struct ModelBundle {
    /// Version string recorded with every verdict's evidence.
    pub version: String,
    /// The image-quality model (`quality.onnx`).
    pub quality: Cow<'static, [u8]>,
    /// The frozen feature extractor the vision heads read (`backbone.onnx`), for verification's
    /// 300 px input and live guidance's 192 px one: its input side is a free dimension, `side`,
    /// and one session serves both.
    pub backbone: Cow<'static, [u8]>,
    /// The trained package/door detector and image-level heads (`heads.onnx`).
    pub heads: Cow<'static, [u8]>,
    /// The same heads for the guidance backbone's feature maps (`heads-guide.onnx`).
    pub heads_guide: Cow<'static, [u8]>,
    /// The face detector behind redaction (`faces.onnx`).
    pub faces: Cow<'static, [u8]>,
    /// The rest of the SSD after the backbone, read for people in redaction (`people.onnx`).
    pub people: Cow<'static, [u8]>,
    /// EfficientNet-Lite0's ImageNet classes (issue 19: scene evidence learned on large data).
    pub scene: Cow<'static, [u8]>,
    /// The fusion of the heads' criteria, and of the quality model's `not_a_photo`, with
    /// probes on the scene classes.
    pub criteria: Cow<'static, [u8]>,
}

impl std::fmt::Debug for ModelBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelBundle").field("version", &self.version).field("sha256", &self.hashes()).finish()
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
            backbone: Cow::Borrowed(include_bytes!("../../models/backbone.onnx")),
            heads: Cow::Borrowed(include_bytes!("../../models/heads.onnx")),
            heads_guide: Cow::Borrowed(include_bytes!("../../models/heads-guide.onnx")),
            faces: Cow::Borrowed(include_bytes!("../../models/faces.onnx")),
            people: Cow::Borrowed(include_bytes!("../../models/people.onnx")),
            scene: Cow::Borrowed(include_bytes!("../../models/scene.onnx")),
            criteria: Cow::Borrowed(include_bytes!("../../models/criteria.onnx")),
        }
    }

    /// Replaces the model stored as `file` (one of [`MODEL_FILES`]) with `bytes` (a
    /// retrained or cross-validation model); `version` names the replacement and is appended
    /// to the bundle's version. `None` when `file` is not a model of the bundle.
    pub fn with_file(mut self, file: &str, bytes: Vec<u8>, version: &str) -> Option<Self> {
        let slot = match file {
            "quality.onnx" => &mut self.quality,
            "backbone.onnx" => &mut self.backbone,
            "heads.onnx" => &mut self.heads,
            "heads-guide.onnx" => &mut self.heads_guide,
            "faces.onnx" => &mut self.faces,
            "people.onnx" => &mut self.people,
            "scene.onnx" => &mut self.scene,
            "criteria.onnx" => &mut self.criteria,
            _ => return None,
        };
        *slot = Cow::Owned(bytes);
        self.version = format!("{}+{version}", self.version);
        Some(self)
    }

    /// Every model in the bundle by its name, in the order of [`MODEL_FILES`].
    fn named(&self) -> [(&'static str, &[u8]); MODEL_FILES.len()] {
        [
            ("quality", &self.quality),
            ("backbone", &self.backbone),
            ("heads", &self.heads),
            ("heads-guide", &self.heads_guide),
            ("faces", &self.faces),
            ("people", &self.people),
            ("scene", &self.scene),
            ("criteria", &self.criteria),
        ]
    }

    /// Name and SHA-256 (hex) of every model in the bundle.
    pub fn hashes(&self) -> Vec<(&'static str, String)> {
        self.named().into_iter().map(|(name, bytes)| (name, hex_sha256(bytes))).collect()
    }

    /// Total size of the model files in bytes.
    pub fn total_bytes(&self) -> usize {
        self.named().iter().map(|(_, bytes)| bytes.len()).sum()
    }

    /// Size in bytes of the models a [`Verifier`](crate::Verifier) loads when it is created: all
    /// but redaction's `faces.onnx`, loaded on first use.
    pub fn verifier_bytes(&self) -> usize {
        self.total_bytes() - self.faces.len()
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_file_has_its_own_slot_and_hash() {
        let bundle = ModelBundle::embedded();
        assert_eq!(bundle.hashes().len(), MODEL_FILES.len());
        let tiny = hex_sha256(&[1, 2, 3]);
        for file in MODEL_FILES {
            let name = file.trim_end_matches(".onnx");
            let replaced = bundle.clone().with_file(file, vec![1, 2, 3], "test").expect("a slot for every file");
            // exactly the named model changed
            for ((n, before), (_, after)) in bundle.hashes().iter().zip(replaced.hashes()) {
                assert_eq!(after == tiny, *n == name, "{file}: {n}");
                assert_eq!(after == *before, *n != name, "{file}: {n}");
            }
            assert_eq!(replaced.version, format!("{MODEL_BUNDLE_VERSION}+test"));
        }
        assert!(bundle.with_file("other.onnx", vec![], "test").is_none());
    }

    #[test]
    fn the_shipped_models_fit_the_size_budget() {
        // issue 19: all models together at most 25 MB; issue 23: those a Verifier loads (all
        // but redaction's faces.onnx, loaded on first use) at most 10 MB
        let bundle = ModelBundle::embedded();
        let bytes = bundle.total_bytes();
        assert!(bytes <= 25_000_000, "{bytes} bytes");
        let loaded = bundle.verifier_bytes();
        assert!(loaded <= 10_000_000, "a Verifier loads {loaded} bytes of models");
    }
}
