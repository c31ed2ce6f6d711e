//! Fusion: the signals of every model turned into evidence per criterion.
//!
//! ```text
//! quality.onnx ─────────────► too dark / overexposed / blurry / not a photo ─► image_clear
//! backbone.onnx ─► heads.onnx ► package, door boxes; learned criteria probe ─┐
//!               └► people.onnx ► people, vehicles (Open Images) ─────────────┴► package_visible,
//!                                                                              package_placed,
//!                                                                              location_identifiable
//! ```
//!
//! The learned probe (`heads.onnx`) was fitted on 171 photos and knows their porches better
//! than it knows hands. The rules here add evidence learned from far larger data, with
//! nothing fitted to our photos but one number each:
//!
//! - **Held by a person.** The centre of the strongest package box lies inside a person's box
//!   (widened by a quarter of its width on each side) and above its lowest fifth, where a
//!   parcel at someone's feet would sit. The parcel is then held with probability
//!   [`HELD_BY_PERSON`], and `package_placed` fails with `held_in_hand`.
//! - **In a vehicle.** A parcel that is not placed, not held, and whose box centre lies in a
//!   vehicle's box is reported `in_vehicle` rather than `not_placed`.
//!
//! A rule that decides the verdict names its box ([`supporting_boxes`]), so that a verdict
//! shows which person held the parcel or which vehicle it was in.

use crate::evidence::{Evidence, EvidenceSet, Reason};
use crate::quality::QualitySignals;
use crate::severity::Severity;
use crate::vision::{Detection, VisionSignals};

/// The probability that a parcel is held when a person stands over it (the rule above
/// fires). On the 171 clear training photos the rule fires on 12, 11 of them held parcels;
/// with one success and one failure added (Laplace), 12 / 14 = 0.86, rounded down. Nothing
/// else in the rule was fitted to our photos.
pub const HELD_BY_PERSON: f32 = 0.85;
/// How far a person's box is widened on each side, as a fraction of its width: arms holding a
/// parcel out reach past the box the detector draws around the body.
const REACH: f32 = 0.25;
/// The part of a person's box, from the top, in which a parcel counts as held: below it, the
/// parcel stands at the person's feet.
const HOLD_HEIGHT: f32 = 0.8;

/// Whether a point lies inside a box (edges included).
fn contains(b: &Detection, (x, y): (f32, f32), widen: f32, height: f32) -> bool {
    let grow = b.w * widen;
    x >= b.x - grow && x <= b.x + b.w + grow && y >= b.y && y <= b.y + b.h * height
}

fn centre(d: &Detection) -> (f32, f32) {
    (d.x + d.w / 2.0, d.y + d.h / 2.0)
}

/// The strongest package box, if the detector found one (detections come strongest first).
pub(crate) fn strongest_package(vision: &VisionSignals) -> Option<&Detection> {
    vision.detections.iter().find(|d| d.label == "package")
}

/// The strongest person who holds the package: its centre within the person's reach and above
/// their feet.
pub(crate) fn holder<'a>(package: &Detection, people: &'a [Detection]) -> Option<&'a Detection> {
    people
        .iter()
        .filter(|p| contains(p, centre(package), REACH, HOLD_HEIGHT))
        .max_by(|a, b| a.score.total_cmp(&b.score))
}

/// The strongest vehicle whose box holds the package's centre.
pub(crate) fn vehicle_around<'a>(package: &Detection, vehicles: &'a [Detection]) -> Option<&'a Detection> {
    vehicles.iter().filter(|v| contains(v, centre(package), 0.0, 1.0)).max_by(|a, b| a.score.total_cmp(&b.score))
}

/// The person holding the strongest package and the vehicle around it, where the rules find
/// them: the one place both the evidence and its boxes read.
fn around_package(vision: &VisionSignals) -> (Option<&Detection>, Option<&Detection>) {
    let Some(package) = strongest_package(vision) else { return (None, None) };
    (holder(package, &vision.people), vehicle_around(package, &vision.vehicles))
}

/// Turns model outputs into evidence: each criterion's score is its probability, and the
/// reason names what most likely made it fail.
///
/// `clear_severity` is the severity at which the policy judges `image_clear`.
pub fn evidence_from(quality: &QualitySignals, vision: &VisionSignals, clear_severity: Severity) -> EvidenceSet {
    let (quality_reason, _) = quality.worst();
    // The vision models learned from clear photos only. In a photo that fails `image_clear`
    // (black, a smear, not a photo) they cannot vouch for what it shows: their scores are
    // capped at the photo's clear score, so that the evidence never says a package is
    // plainly visible (or held, or placed) in a black frame.
    let clear = quality.clear_score();
    let photo_clear = clear_severity.passes(clear);
    let vouched = |score: f32| if photo_clear { score } else { score.min(clear) };

    let (holder, vehicle) = around_package(vision);
    let (held_by_person, in_vehicle) = (holder.is_some(), vehicle.is_some());
    let (mut held, mut placed) = (vision.held_in_hand, vision.package_placed);
    if held_by_person {
        held = held.max(HELD_BY_PERSON);
        placed = placed.min(1.0 - HELD_BY_PERSON);
    }
    let (visible, placed, held) = (vouched(vision.package_visible), vouched(placed), vouched(held));
    // A package that is not placed: held when a hand or a person holds it, absent when the
    // package head says there is none, in a vehicle when one surrounds it, otherwise somewhere
    // that is not a delivery location.
    let not_placed = if held >= 0.5 {
        Reason::HeldInHand
    } else if visible < 0.5 {
        Reason::NoPackage
    } else if in_vehicle {
        Reason::InVehicle
    } else {
        Reason::NotPlaced
    };
    EvidenceSet {
        package_visible: Evidence::scored(visible, Reason::NoPackage),
        package_placed: Evidence::scored(placed, not_placed),
        location_identifiable: Evidence::scored(vouched(vision.location_identifiable), Reason::NoLocationContext),
        image_clear: Evidence::scored(clear, quality_reason),
    }
}

/// The box of the person or vehicle that decided the verdict's `package_placed`: the person
/// holding the package when it failed as `held_in_hand`, the vehicle around it when it failed
/// as `in_vehicle`; none otherwise (it passed, failed for another reason, or the policy does
/// not judge it), even where a vehicle surrounds the package.
///
/// `placed_failure` is the reason `package_placed` failed with in the verdict, `None` when it
/// passed or is not in the policy.
pub fn supporting_boxes(vision: &VisionSignals, placed_failure: Option<Reason>) -> Vec<Detection> {
    let (holder, vehicle) = around_package(vision);
    let decided = match placed_failure {
        Some(Reason::HeldInHand) => holder,
        Some(Reason::InVehicle) => vehicle,
        _ => None,
    };
    decided.into_iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vision(score: f32) -> VisionSignals {
        VisionSignals {
            package_visible: score,
            package_placed: score,
            location_identifiable: score,
            held_in_hand: 1.0 - score,
            detections: Vec::new(),
            people: Vec::new(),
            vehicles: Vec::new(),
        }
    }

    fn clear() -> QualitySignals {
        QualitySignals { too_dark: 0.02, overexposed: 0.0, blurry: 0.05, not_a_photo: 0.0 }
    }

    fn b(label: &'static str, score: f32, x: f32, y: f32, w: f32, h: f32) -> Detection {
        Detection { label, score, x, y, w, h }
    }

    #[test]
    fn an_unclear_photo_cannot_vouch_for_a_package() {
        let mut v = vision(0.9);
        v.held_in_hand = 0.9;
        let black = QualitySignals { too_dark: 0.95, overexposed: 0.0, blurry: 0.1, not_a_photo: 0.0 };
        let e = evidence_from(&black, &v, Severity::Warning);
        for s in [e.package_visible.score, e.package_placed.score, e.location_identifiable.score] {
            assert!(s.expect("a score") <= 0.05 + 1e-6, "{e:?}");
        }
        assert_eq!(e.package_placed.failure, Reason::NoPackage, "nothing can be seen, so nothing is placed");

        // a clear photo, or one the policy still calls clear, keeps the vision scores
        let dim = QualitySignals { too_dark: 0.6, overexposed: 0.0, blurry: 0.0, not_a_photo: 0.0 };
        for q in [clear(), dim] {
            let e = evidence_from(&q, &vision(0.9), Severity::Warning);
            assert_eq!(e.package_visible.score, Some(0.9), "{q:?}");
        }
        // under a policy with a critical image_clear, the dim photo fails it, and the cap applies
        let e = evidence_from(&dim, &vision(0.9), Severity::Critical);
        assert!((e.package_visible.score.expect("a score") - 0.4).abs() < 1e-6, "{e:?}");
    }

    #[test]
    fn a_parcel_in_a_persons_reach_is_held() {
        let mut v = vision(0.95);
        let person = b("person", 0.4, 0.3, 0.1, 0.3, 0.8);
        v.people = vec![person];
        // the parcel's centre at chest height, just outside the body's box but within reach
        v.detections = vec![b("package", 0.8, 0.55, 0.35, 0.1, 0.1)];
        let e = evidence_from(&clear(), &v, Severity::Warning);
        assert!(e.package_placed.score.expect("a score") <= 1.0 - HELD_BY_PERSON + 1e-6, "{e:?}");
        assert_eq!(e.package_placed.failure, Reason::HeldInHand);
        assert_eq!(supporting_boxes(&v, Some(e.package_placed.failure)), vec![person]);
        assert_eq!(e.package_visible.score, Some(0.95), "holding a parcel does not hide it");
    }

    #[test]
    fn a_parcel_at_someones_feet_or_beside_them_is_not_held() {
        let mut v = vision(0.95);
        v.people = vec![b("person", 0.5, 0.3, 0.1, 0.2, 0.8)];
        for package in [
            b("package", 0.8, 0.32, 0.8, 0.1, 0.08), // centre 0.84: in the lowest fifth (from 0.74)
            b("package", 0.8, 0.7, 0.4, 0.1, 0.1),   // centre x 0.75: past a quarter's reach (0.55)
        ] {
            v.detections = vec![package, b("door", 0.9, 0.3, 0.0, 0.4, 0.9)];
            let e = evidence_from(&clear(), &v, Severity::Warning);
            assert_eq!(e.package_placed.score, Some(0.95), "{package:?}");
            assert!(supporting_boxes(&v, Some(e.package_placed.failure)).is_empty());
        }
        // without a package box there is nothing to hold
        v.detections.clear();
        assert_eq!(evidence_from(&clear(), &v, Severity::Warning).package_placed.score, Some(0.95));
    }

    #[test]
    fn a_parcel_not_placed_inside_a_vehicle_is_in_vehicle() {
        let mut v = vision(0.95);
        v.package_placed = 0.2;
        let van = b("vehicle", 0.7, 0.0, 0.2, 0.8, 0.7);
        v.vehicles = vec![van];
        v.detections = vec![b("package", 0.8, 0.4, 0.5, 0.1, 0.1)];
        let e = evidence_from(&clear(), &v, Severity::Warning);
        assert_eq!(e.package_placed.failure, Reason::InVehicle);
        assert_eq!(supporting_boxes(&v, Some(e.package_placed.failure)), vec![van]);
        // the vehicle decided nothing where package_placed passed (a van in the street behind
        // a parcel on the doorstep) or is not judged
        assert!(supporting_boxes(&v, None).is_empty());
        // a parcel set down beside a parked car is not in it
        v.detections = vec![b("package", 0.8, 0.85, 0.5, 0.1, 0.1)];
        let e = evidence_from(&clear(), &v, Severity::Warning);
        assert_eq!(e.package_placed.failure, Reason::NotPlaced);
        assert!(supporting_boxes(&v, Some(e.package_placed.failure)).is_empty());
        // held beats in a vehicle: the hand is what the driver must fix first, and the vehicle
        // box is not shown
        v.detections = vec![b("package", 0.8, 0.4, 0.5, 0.1, 0.1)];
        v.held_in_hand = 0.8;
        let e = evidence_from(&clear(), &v, Severity::Warning);
        assert_eq!(e.package_placed.failure, Reason::HeldInHand);
        assert!(supporting_boxes(&v, Some(e.package_placed.failure)).is_empty(), "no person holds it");
    }
}
