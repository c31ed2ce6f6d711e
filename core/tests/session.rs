//! Session arithmetic: attempts, retries with the count filled in, exhaustion.

use proofshot_core::{judge, Decision, DeliverySession, Evidence, EvidenceSet, Policy, Reason, Verdict};
use serde_json::json;

fn verdict(policy: &Policy, compliant: bool) -> Verdict {
    let s = if compliant { 1.0 } else { 0.0 };
    let e = |r| Evidence::scored(s, r);
    let v = judge(
        policy,
        &EvidenceSet {
            package_visible: e(Reason::NoPackage),
            package_placed: e(Reason::HeldInHand),
            location_identifiable: e(Reason::NoLocationContext),
            image_clear: e(Reason::Blurry),
        },
    );
    assert_eq!(v.compliant, compliant);
    v
}

fn policy(max_attempts: u32, auto_approve: bool) -> Policy {
    let mut v: serde_json::Value = serde_json::from_str(proofshot_core::DEFAULT_POLICY_JSON).expect("json");
    v["config"]["maxAttempts"] = json!(max_attempts);
    v["config"]["autoApproveOnExhaust"] = json!(auto_approve);
    Policy::from_json(&v.to_string()).expect("valid")
}

#[test]
fn retry_then_manual_review_with_the_default_policy() {
    let p = Policy::default_policy();
    let mut s = DeliverySession::new(&p);
    assert_eq!((s.attempts_used(), s.remaining()), (0, 2));
    let d = s.record(&p, &verdict(&p, false)).expect("open");
    assert_eq!(
        d,
        Decision::Retry {
            remaining: 1,
            message: "Make sure the package is placed at the door and visible. 1 attempts remaining.".into()
        }
    );
    assert!(!d.is_final());
    let d = s.record(&p, &verdict(&p, false)).expect("open");
    assert_eq!(d, Decision::ManualReview { message: "Photo submitted for manual review.".into() });
    assert!(d.is_final() && s.is_finished());
    assert_eq!((s.attempts_used(), s.remaining()), (2, 0));
    let err = s.record(&p, &verdict(&p, true)).expect_err("settled");
    assert_eq!(err.attempts, 2);
    assert!(err.to_string().contains("manual review"));
}

#[test]
fn accepted_ends_the_session() {
    let p = policy(3, false);
    let mut s = DeliverySession::new(&p);
    assert!(matches!(s.record(&p, &verdict(&p, false)), Ok(Decision::Retry { remaining: 2, .. })));
    assert_eq!(s.record(&p, &verdict(&p, true)), Ok(Decision::Accepted));
    assert!(s.is_finished());
    assert_eq!(s.attempts_used(), 2);
    assert!(s.record(&p, &verdict(&p, true)).is_err());
}

#[test]
fn auto_approve_on_exhaust() {
    let p = policy(1, true);
    let mut s = DeliverySession::new(&p);
    assert_eq!(
        s.record(&p, &verdict(&p, false)),
        Ok(Decision::AutoApproved { message: p.ui_copy.exhausted_message.clone() })
    );
}

#[test]
fn resumed_sessions_continue_the_count_and_never_reset() {
    let p = policy(3, false);
    let mut s = DeliverySession::resume(&p, 2);
    assert_eq!(s.remaining(), 1);
    assert!(matches!(s.record(&p, &verdict(&p, false)), Ok(Decision::ManualReview { .. })));
    let exhausted = DeliverySession::resume(&p, 7);
    assert_eq!((exhausted.attempts_used(), exhausted.remaining(), exhausted.is_finished()), (3, 0, true));
}
