//! Live guidance: one hint for the camera preview before the shutter, judged by the same
//! policy as the photo will be, with models run at a smaller size to keep it fast.

use crate::evidence::{EvidenceSet, Reason};
use crate::policy::{CriterionKind, Policy};
use crate::verdict::judge;
use crate::vision::Detection;

/// What the driver should do next, the first problem in the order a driver fixes them:
/// light and steadiness, then the parcel, then the framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hint {
    /// Every criterion of the policy would pass: take the photo.
    Ready,
    /// The preview is (nearly) black.
    TooDark,
    /// The preview is blown out.
    TooBright,
    /// The preview is blurred: the camera is moving or out of focus.
    HoldStill,
    /// The camera points at a screen, a printout or a drawing.
    NotAPhoto,
    /// No parcel in view.
    NoPackage,
    /// The parcel is still in a hand.
    PackageInHand,
    /// The parcel is in view but not set down at a delivery location.
    SetPackageDown,
    /// Nothing in view shows where the parcel was left: step back to show the door.
    StepBack,
}

impl Hint {
    /// The stable snake_case id apps key their own (localised) copy by.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::TooDark => "too_dark",
            Self::TooBright => "too_bright",
            Self::HoldStill => "hold_still",
            Self::NotAPhoto => "not_a_photo",
            Self::NoPackage => "no_package",
            Self::PackageInHand => "package_in_hand",
            Self::SetPackageDown => "set_package_down",
            Self::StepBack => "step_back",
        }
    }

    /// A short English instruction for the preview overlay.
    pub fn message(self) -> &'static str {
        match self {
            Self::Ready => "Looks good: take the photo",
            // the same words as the verdict's reasons for these two
            Self::TooDark => Reason::TooDark.message(),
            Self::TooBright => Reason::Overexposed.message(),
            Self::HoldStill => "Hold still",
            Self::NotAPhoto => "Photograph the parcel itself, not a screen or picture",
            Self::NoPackage => "No package in view",
            Self::PackageInHand => "Put the package down first",
            Self::SetPackageDown => "Set the package down at the door",
            Self::StepBack => "Step back to show the door",
        }
    }

    fn from_reason(reason: Reason) -> Self {
        match reason {
            Reason::TooDark => Self::TooDark,
            Reason::Overexposed => Self::TooBright,
            Reason::Blurry => Self::HoldStill,
            Reason::NotAPhoto => Self::NotAPhoto,
            Reason::HeldInHand => Self::PackageInHand,
            Reason::NotPlaced | Reason::InVehicle => Self::SetPackageDown,
            Reason::NoLocationContext => Self::StepBack,
            Reason::NoPackage | Reason::NotEvaluated | Reason::ReusedPhoto | Reason::Ok => Self::NoPackage,
        }
    }
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The hint for one preview frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Guidance {
    /// What to do next.
    pub hint: Hint,
    /// Whether the frame would pass the policy as it stands (`hint` is then [`Hint::Ready`]).
    pub ready: bool,
    /// The strongest package box, in pixels of the frame as given (upright), to draw on the
    /// preview.
    pub package: Option<Detection>,
    /// Time the guidance took (frame conversion excluded), in milliseconds.
    pub elapsed_ms: f64,
}

/// The order in which failing criteria become hints: a bad image hides everything else, a
/// missing or held parcel matters more than the framing.
const ORDER: [CriterionKind; 4] = [
    CriterionKind::ImageClear,
    CriterionKind::PackageVisible,
    CriterionKind::PackagePlaced,
    CriterionKind::LocationIdentifiable,
];

/// The hint for this evidence under `policy`: [`Hint::Ready`] when the policy would judge it
/// compliant, else the first failing required criterion in [`ORDER`] turned into a hint.
pub(crate) fn hint_for(policy: &Policy, evidence: &EvidenceSet) -> Hint {
    let verdict = judge(policy, evidence);
    if verdict.compliant {
        return Hint::Ready;
    }
    ORDER
        .iter()
        .filter_map(|kind| verdict.criterion(*kind))
        .find(|c| c.required && !c.passed)
        .map_or(Hint::NoPackage, |c| Hint::from_reason(c.reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;

    fn evidence(visible: f32, placed: (f32, Reason), location: f32, clear: (f32, Reason)) -> EvidenceSet {
        EvidenceSet {
            package_visible: Evidence::scored(visible, Reason::NoPackage),
            package_placed: Evidence::scored(placed.0, placed.1),
            location_identifiable: Evidence::scored(location, Reason::NoLocationContext),
            image_clear: Evidence::scored(clear.0, clear.1),
        }
    }

    #[test]
    fn hints_follow_the_policy_in_fixing_order() {
        let p = Policy::default_policy();
        let ok = (0.95, Reason::Ok);
        assert_eq!(hint_for(&p, &evidence(0.9, ok, 0.9, ok)), Hint::Ready);
        assert_eq!(hint_for(&p, &evidence(0.1, (0.1, Reason::NoPackage), 0.1, (0.1, Reason::TooDark))), Hint::TooDark);
        assert_eq!(hint_for(&p, &evidence(0.9, ok, 0.9, (0.1, Reason::Blurry))), Hint::HoldStill);
        assert_eq!(hint_for(&p, &evidence(0.9, ok, 0.9, (0.2, Reason::Overexposed))), Hint::TooBright);
        assert_eq!(hint_for(&p, &evidence(0.2, (0.1, Reason::NoPackage), 0.1, ok)), Hint::NoPackage);
        assert_eq!(hint_for(&p, &evidence(0.9, (0.2, Reason::HeldInHand), 0.9, ok)), Hint::PackageInHand);
        assert_eq!(hint_for(&p, &evidence(0.9, (0.2, Reason::NotPlaced), 0.9, ok)), Hint::SetPackageDown);
        assert_eq!(hint_for(&p, &evidence(0.9, ok, 0.1, ok)), Hint::StepBack);
    }

    #[test]
    fn ids_and_messages_are_distinct() {
        let all = [
            Hint::Ready,
            Hint::TooDark,
            Hint::TooBright,
            Hint::HoldStill,
            Hint::NotAPhoto,
            Hint::NoPackage,
            Hint::PackageInHand,
            Hint::SetPackageDown,
            Hint::StepBack,
        ];
        let ids: std::collections::HashSet<_> = all.iter().map(|h| h.as_str()).collect();
        let messages: std::collections::HashSet<_> = all.iter().map(|h| h.message()).collect();
        assert_eq!((ids.len(), messages.len()), (all.len(), all.len()));
    }
}
