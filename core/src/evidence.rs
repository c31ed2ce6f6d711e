//! What the models found, per criterion, before any policy is applied.

use crate::policy::CriterionKind;

/// A short, machine-readable reason for a criterion's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The criterion passed.
    Ok,
    /// No package in the photo.
    NoPackage,
    /// The package is held in a hand.
    HeldInHand,
    /// The package is inside a vehicle.
    InVehicle,
    /// The package is not set down at a delivery location (on a shelf, a trolley, a seat).
    NotPlaced,
    /// Nothing identifies a delivery location.
    NoLocationContext,
    /// Completely or almost completely black.
    TooDark,
    /// Blown out: little left but white.
    Overexposed,
    /// Blurred beyond recognition.
    Blurry,
    /// A screenshot, drawing, rendered graphic or photo of a screen.
    NotAPhoto,
    /// The same photo was already offered for another stop.
    ReusedPhoto,
    /// No model for this criterion has run: it never passes.
    NotEvaluated,
}

impl Reason {
    /// The reason's stable snake_case name, as it appears in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::NoPackage => "no_package",
            Self::HeldInHand => "held_in_hand",
            Self::InVehicle => "in_vehicle",
            Self::NotPlaced => "not_placed",
            Self::NoLocationContext => "no_location_context",
            Self::TooDark => "too_dark",
            Self::Overexposed => "overexposed",
            Self::Blurry => "blurry",
            Self::NotAPhoto => "not_a_photo",
            Self::ReusedPhoto => "reused_photo",
            Self::NotEvaluated => "not_evaluated",
        }
    }

    /// A short English sentence a driver understands, for the result screen: what is wrong
    /// and what to do. Apps localise by [`as_str`](Self::as_str); this is the one English copy
    /// every platform shows (the live-guidance twin is [`Hint::message`](crate::Hint::message)).
    pub fn message(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::NoPackage => "No package in the photo: show the package",
            Self::HeldInHand => "The package is still in a hand: set it down first",
            Self::InVehicle => "The package is still in the vehicle: take it to the door",
            Self::NotPlaced => "The package is not set down at the door",
            Self::NoLocationContext => "The door or entrance is not in the photo: step back to show it",
            Self::TooDark => "Too dark: turn on the flash or find light",
            Self::Overexposed => "Too bright: avoid pointing at the light",
            Self::Blurry => "Blurred: hold still and let the camera focus",
            Self::NotAPhoto => "Photograph the package itself, not a screen or picture",
            Self::ReusedPhoto => "This photo was already used for another delivery: take a new one",
            Self::NotEvaluated => "Not checked",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The evidence for one criterion: how likely it passes, and why it would fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Probability in [0, 1] that the criterion passes; `None` when nothing evaluated it.
    pub score: Option<f32>,
    /// The reason to report if the score is too low to pass.
    pub failure: Reason,
}

impl Evidence {
    /// Evidence from a model: `score` is clamped to [0, 1] (NaN counts as 0).
    pub fn scored(score: f32, failure: Reason) -> Self {
        let score = if score.is_nan() { 0.0 } else { score.clamp(0.0, 1.0) };
        Self { score: Some(score), failure }
    }

    /// No model has judged this criterion.
    pub fn not_evaluated() -> Self {
        Self { score: None, failure: Reason::NotEvaluated }
    }
}

/// Evidence for every criterion the SDK knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvidenceSet {
    /// `package_visible`.
    pub package_visible: Evidence,
    /// `package_placed`.
    pub package_placed: Evidence,
    /// `location_identifiable`.
    pub location_identifiable: Evidence,
    /// `image_clear`.
    pub image_clear: Evidence,
}

impl Default for EvidenceSet {
    fn default() -> Self {
        Self {
            package_visible: Evidence::not_evaluated(),
            package_placed: Evidence::not_evaluated(),
            location_identifiable: Evidence::not_evaluated(),
            image_clear: Evidence::not_evaluated(),
        }
    }
}

impl EvidenceSet {
    /// The evidence for one criterion.
    pub fn get(&self, kind: CriterionKind) -> Evidence {
        match kind {
            CriterionKind::PackageVisible => self.package_visible,
            CriterionKind::PackagePlaced => self.package_placed,
            CriterionKind::LocationIdentifiable => self.location_identifiable,
            CriterionKind::ImageClear => self.image_clear,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Reason;

    #[test]
    fn every_reason_has_its_own_words() {
        let all = [
            Reason::Ok,
            Reason::NoPackage,
            Reason::HeldInHand,
            Reason::InVehicle,
            Reason::NotPlaced,
            Reason::NoLocationContext,
            Reason::TooDark,
            Reason::Overexposed,
            Reason::Blurry,
            Reason::NotAPhoto,
            Reason::ReusedPhoto,
            Reason::NotEvaluated,
        ];
        let mut seen = std::collections::HashSet::new();
        for r in all {
            let m = r.message();
            assert!(!m.is_empty() && m != r.as_str() && !m.contains('_'), "{r}: {m:?}");
            assert!(seen.insert(m), "{r} repeats another reason's words: {m:?}");
        }
    }
}
