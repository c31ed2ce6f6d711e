//! The records and enums the bindings expose, and every conversion from the core's types.

use proofshot_core as core;

use crate::ProofShotError;

/// One criterion's result.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CriterionResult {
    /// Criterion id (`package_visible`, `package_placed`, `location_identifiable`, `image_clear`).
    pub id: String,
    /// Label from the policy.
    pub label: String,
    /// Whether it passed.
    pub passed: bool,
    /// Probability it holds, in [0, 1]; `null` when no model evaluated it.
    pub score: Option<f32>,
    /// `ok` when passed, else why not: `no_package`, `held_in_hand`, `in_vehicle`,
    /// `not_placed`, `no_location_context`, `too_dark`, `overexposed`, `blurry`, `not_a_photo`,
    /// `reused_photo`, `not_evaluated`.
    pub reason: String,
    /// The reason in words a driver understands (English; `OK` when passed), the same on every
    /// platform: apps that localise key their copy by `reason`.
    pub message: String,
    /// Whether it gates the verdict.
    pub required: bool,
}

/// A box a model found, in pixels of the photo as given (upright).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DetectedBox {
    /// What it is: `package` or `door`; `person` (holding the package) or `vehicle` (around it)
    /// where that decided `package_placed`.
    pub label: String,
    /// Detector confidence in [0, 1].
    pub score: f32,
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl From<&core::BoundingBox> for DetectedBox {
    fn from(b: &core::BoundingBox) -> Self {
        Self { label: b.label.to_owned(), score: b.score, x: b.x, y: b.y, width: b.width, height: b.height }
    }
}

/// What the driver should do next, for a live camera preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GuidanceHint {
    /// The frame would pass the policy: take the photo.
    Ready,
    /// The preview is (nearly) black.
    TooDark,
    /// The preview is blown out.
    TooBright,
    /// Blurred: the camera is moving or out of focus.
    HoldStill,
    /// The camera points at a screen, a printout or a drawing.
    NotAPhoto,
    /// No package in view.
    NoPackage,
    /// The package is still in a hand.
    PackageInHand,
    /// The package is in view but not set down at a delivery location.
    SetPackageDown,
    /// Nothing shows where the package was left: step back to show the door.
    StepBack,
}

/// Live guidance for one preview frame.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Guidance {
    /// What to do next.
    pub hint: GuidanceHint,
    /// The hint's stable snake_case id (`ready`, `too_dark`, `too_bright`, `hold_still`,
    /// `not_a_photo`, `no_package`, `package_in_hand`, `set_package_down`, `step_back`), for
    /// apps that key their own localised copy by it.
    pub id: String,
    /// A short English instruction for the overlay.
    pub message: String,
    /// Whether the frame would pass the policy as it stands.
    pub ready: bool,
    /// The strongest package box, in pixels of the frame as given (upright), if any.
    pub package: Option<DetectedBox>,
    /// Time taken (frame conversion excluded), in milliseconds.
    pub elapsed_ms: f64,
}

impl From<core::Guidance> for Guidance {
    fn from(g: core::Guidance) -> Self {
        let hint = match g.hint {
            core::Hint::Ready => GuidanceHint::Ready,
            core::Hint::TooDark => GuidanceHint::TooDark,
            core::Hint::TooBright => GuidanceHint::TooBright,
            core::Hint::HoldStill => GuidanceHint::HoldStill,
            core::Hint::NotAPhoto => GuidanceHint::NotAPhoto,
            core::Hint::NoPackage => GuidanceHint::NoPackage,
            core::Hint::PackageInHand => GuidanceHint::PackageInHand,
            core::Hint::SetPackageDown => GuidanceHint::SetPackageDown,
            core::Hint::StepBack => GuidanceHint::StepBack,
        };
        Self {
            hint,
            id: g.hint.as_str().to_owned(),
            message: g.hint.message().to_owned(),
            ready: g.ready,
            package: g.package.map(|d| DetectedBox {
                label: d.label.to_owned(),
                score: d.score,
                x: d.x,
                y: d.y,
                width: d.w,
                height: d.h,
            }),
            elapsed_ms: g.elapsed_ms,
        }
    }
}

/// The outcome of verifying one photo or frame.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Verdict {
    /// Category id from the policy: `valid_pod`, `invalid_pod` or `poor_photo`.
    pub category: String,
    /// Whether the delivery counts as proven.
    pub compliant: bool,
    /// Every criterion of the policy, in its order.
    pub criteria: Vec<CriterionResult>,
    /// The boxes behind the criteria, in pixels of the photo as given, upright: packages and
    /// doors, strongest first, then the person or vehicle that decided `package_placed`, if any.
    pub boxes: Vec<DetectedBox>,
    /// The policy's success or failure message.
    pub message: String,
    /// Time the verification took (decoding excluded), in milliseconds.
    pub elapsed_ms: f64,
    /// A check outside the policy's criteria that made the photo invalid whatever they said:
    /// `reused_photo` (the photo was already recorded for another stop); else `null`.
    pub rejected_for: Option<String>,
    /// `rejected_for` in words a driver understands (English), like `CriterionResult.message`;
    /// else `null`.
    pub rejected_message: Option<String>,
    /// The id of the evidence record written for this photo (sessions from an
    /// `EvidenceStore`); else `null`.
    pub record_id: Option<String>,
}

impl From<core::Verdict> for Verdict {
    fn from(v: core::Verdict) -> Self {
        Self {
            criteria: v
                .criteria
                .iter()
                .map(|c| CriterionResult {
                    id: c.id().to_owned(),
                    label: c.label.clone(),
                    passed: c.passed,
                    score: c.score,
                    reason: c.reason.as_str().to_owned(),
                    message: c.reason.message().to_owned(),
                    required: c.required,
                })
                .collect(),
            category: v.category,
            compliant: v.compliant,
            boxes: v.boxes.iter().map(DetectedBox::from).collect(),
            message: v.message,
            elapsed_ms: v.elapsed_ms,
            rejected_for: v.rejected_for.map(|r| r.as_str().to_owned()),
            rejected_message: v.rejected_for.map(|r| r.message().to_owned()),
            record_id: None,
        }
    }
}

/// Pixel layouts of camera frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FrameFormat {
    /// One plane, R G B A bytes (Android `RGBA_8888`, CameraX `OUTPUT_IMAGE_FORMAT_RGBA_8888`).
    Rgba8888,
    /// One plane, B G R A bytes (iOS `kCVPixelFormatType_32BGRA`).
    Bgra8888,
    /// Y then interleaved V/U: one plane, or two (Y, V/U).
    Nv21,
    /// Three planes Y, U, V with their own row and pixel strides (Android `YUV_420_888`).
    Yuv420888,
}

/// One plane of a camera frame, as `ImageProxy.PlaneProxy` gives it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FramePlane {
    /// The plane's bytes.
    pub bytes: Vec<u8>,
    /// Bytes from one row to the next.
    pub row_stride: u32,
    /// Bytes from one pixel (or chroma sample) to the next.
    pub pixel_stride: u32,
}

/// A camera frame: what CameraX `ImageProxy` and iOS `CVPixelBuffer` hand over.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CameraFrame {
    /// Width in pixels, before rotation.
    pub width: u32,
    /// Height in pixels, before rotation.
    pub height: u32,
    /// Pixel layout.
    pub format: FrameFormat,
    /// Planes in the format's order.
    pub planes: Vec<FramePlane>,
    /// Clockwise rotation that makes the frame upright (`ImageInfo.rotationDegrees`).
    pub rotation_degrees: i32,
}

impl CameraFrame {
    /// Lends the frame to the core as a [`core::RawImage`].
    pub(crate) fn with_raw<T>(
        &self,
        f: impl FnOnce(&core::RawImage<'_>) -> Result<T, ProofShotError>,
    ) -> Result<T, ProofShotError> {
        let planes: Vec<core::Plane<'_>> = self
            .planes
            .iter()
            .map(|p| core::Plane {
                data: &p.bytes,
                row_stride: p.row_stride as usize,
                pixel_stride: p.pixel_stride as usize,
            })
            .collect();
        let format = match self.format {
            FrameFormat::Rgba8888 => core::PixelFormat::Rgba8888,
            FrameFormat::Bgra8888 => core::PixelFormat::Bgra8888,
            FrameFormat::Nv21 => core::PixelFormat::Nv21,
            FrameFormat::Yuv420888 => core::PixelFormat::Yuv420,
        };
        f(&core::RawImage {
            width: self.width,
            height: self.height,
            format,
            planes: &planes,
            rotation_degrees: self.rotation_degrees,
        })
    }
}

/// What the app does after a photo of a delivery session.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Decision {
    /// The photo proves the delivery.
    Accepted {
        /// The photo's verdict.
        verdict: Verdict,
    },
    /// Not proof; show `message` (the count filled in) and take another photo.
    Retry {
        /// The photo's verdict, with the reasons to show.
        verdict: Verdict,
        /// Attempts left.
        remaining: u32,
        /// The policy's retry message with `{remaining}` filled in.
        message: String,
    },
    /// Attempts are used up; the stop goes to manual review.
    ManualReview {
        /// The last photo's verdict.
        verdict: Verdict,
        /// The policy's exhausted message.
        message: String,
    },
    /// Attempts are used up and the policy approves anyway.
    AutoApproved {
        /// The last photo's verdict.
        verdict: Verdict,
        /// The policy's exhausted message.
        message: String,
    },
}

impl Decision {
    pub(crate) fn new(decision: core::Decision, verdict: Verdict) -> Self {
        match decision {
            core::Decision::Accepted => Self::Accepted { verdict },
            core::Decision::Retry { remaining, message } => Self::Retry { verdict, remaining, message },
            core::Decision::ManualReview { message } => Self::ManualReview { verdict, message },
            core::Decision::AutoApproved { message } => Self::AutoApproved { verdict, message },
        }
    }
}

/// How `Verifier.redact` makes its copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct RedactOptions {
    /// Longest side of the copy in pixels; 0 keeps the photo's full size.
    #[uniffi(default = 0)]
    pub max_side: u32,
    /// JPEG quality, 1 to 100.
    #[uniffi(default = 85)]
    pub jpeg_quality: u8,
    /// Also pixelate every person found, whole (the Open Images detector's Person class).
    #[uniffi(default = false)]
    pub people: bool,
}

impl From<RedactOptions> for core::RedactOptions {
    fn from(o: RedactOptions) -> Self {
        Self {
            max_long_side: if o.max_side == 0 { u32::MAX } else { o.max_side },
            jpeg_quality: o.jpeg_quality,
            people: o.people,
        }
    }
}

/// A redacted copy of a photo.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RedactedPhoto {
    /// The copy, JPEG, without metadata.
    pub jpeg: Vec<u8>,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// What was pixelated, in pixels of the copy: faces (label `face`), then people (label
    /// `person`, with `people`).
    pub regions: Vec<DetectedBox>,
    /// Time taken, decoding included, in milliseconds.
    pub elapsed_ms: f64,
}

impl From<core::Redaction> for RedactedPhoto {
    fn from(r: core::Redaction) -> Self {
        Self {
            regions: r.regions.iter().map(DetectedBox::from).collect(),
            jpeg: r.jpeg,
            width: r.width,
            height: r.height,
            elapsed_ms: r.elapsed_ms,
        }
    }
}

/// One category a verdict can end in, as the policy describes it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CategoryInfo {
    /// `valid_pod`, `invalid_pod` or `poor_photo` (`Verdict.category`).
    pub id: String,
    /// Label for people ("Valid Delivery Proof").
    pub label: String,
    /// Display colour, `#rrggbb`.
    pub color: String,
    /// Whether a verdict in it proves the delivery.
    pub compliant: bool,
    /// What it means, for people.
    pub description: String,
}

/// The policy in force, as an app shows it (`Verifier.policyInfo()`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PolicyInfo {
    /// Policy id.
    pub id: String,
    /// Policy name.
    pub name: String,
    /// Photos a driver may submit for one stop.
    pub max_attempts: u32,
    /// Whether a stop whose attempts are used up is approved rather than sent to review.
    pub auto_approve_on_exhaust: bool,
    /// The categories, in the policy's order.
    pub categories: Vec<CategoryInfo>,
    /// The camera screen's title (`uiCopy.scannerTitle`).
    pub scanner_title: String,
    /// The camera screen's instructions (`uiCopy.scannerInstructions`).
    pub scanner_instructions: String,
    /// Shown while a photo is verified (`uiCopy.processingMessage`).
    pub processing_message: String,
}

impl From<&core::Policy> for PolicyInfo {
    fn from(p: &core::Policy) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            max_attempts: p.max_attempts,
            auto_approve_on_exhaust: p.auto_approve_on_exhaust,
            categories: p
                .categories
                .iter()
                .map(|c| CategoryInfo {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    color: c.color.clone(),
                    compliant: c.is_compliant,
                    description: c.description.clone(),
                })
                .collect(),
            scanner_title: p.ui_copy.scanner_title.clone(),
            scanner_instructions: p.ui_copy.scanner_instructions.clone(),
            processing_message: p.ui_copy.processing_message.clone(),
        }
    }
}
