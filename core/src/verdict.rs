//! From evidence to a verdict: each criterion judged at its severity, and exactly one category.

use crate::evidence::{EvidenceSet, Reason};
use crate::policy::{CategoryRole, CriterionKind, Policy};
use crate::quality::QualitySignals;
use crate::severity::Severity;

/// One criterion's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionResult {
    /// Which criterion.
    pub kind: CriterionKind,
    /// Its label from the policy.
    pub label: String,
    /// Its severity from the policy.
    pub severity: Severity,
    /// Whether it gates the verdict.
    pub required: bool,
    /// Whether it passed.
    pub passed: bool,
    /// Probability it holds; `None` when not evaluated.
    pub score: Option<f32>,
    /// [`Reason::Ok`] when passed, else why not.
    pub reason: Reason,
}

impl CriterionResult {
    /// The criterion's policy id.
    pub fn id(&self) -> &'static str {
        self.kind.id()
    }
}

/// A box a model found, in pixels of the photo as given (upright, full resolution).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundingBox {
    /// What it is: `package` or `door`; `person` (holding the package) or `vehicle` (around it)
    /// where that decided `package_placed`.
    pub label: &'static str,
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

/// The outcome of verifying one photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The category's id.
    pub category: String,
    /// The category's label.
    pub category_label: String,
    /// What the category means.
    pub role: CategoryRole,
    /// Whether the delivery counts as proven.
    pub compliant: bool,
    /// Every criterion of the policy, in the policy's order.
    pub criteria: Vec<CriterionResult>,
    /// The policy's success or failure message.
    pub message: String,
    /// The quality model's raw findings.
    pub quality: Option<QualitySignals>,
    /// The boxes behind the criteria: packages and doors, strongest first, then the person or
    /// vehicle that decided `package_placed`, if any.
    pub boxes: Vec<BoundingBox>,
    /// Time the verification took (decoding excluded), in milliseconds.
    pub elapsed_ms: f64,
    /// A check outside the policy's criteria that made the photo invalid whatever the
    /// criteria say ([`Reason::ReusedPhoto`]); `None` for a verdict of the criteria alone.
    pub rejected_for: Option<Reason>,
}

impl Verdict {
    /// The result for a criterion, if the policy has it.
    pub fn criterion(&self, kind: CriterionKind) -> Option<&CriterionResult> {
        self.criteria.iter().find(|c| c.kind == kind)
    }

    /// Makes the verdict the policy's invalid category for `reason`, whatever the criteria
    /// said: a photo already used as proof for another stop proves nothing here.
    pub fn reject(&mut self, policy: &Policy, reason: Reason) {
        let category = policy.category(CategoryRole::Invalid);
        self.category = category.id.clone();
        self.category_label = category.label.clone();
        self.role = CategoryRole::Invalid;
        self.compliant = false;
        self.message = policy.ui_copy.failure_message.clone();
        self.rejected_for = Some(reason);
    }

    /// The required criteria that did not pass.
    pub fn failed_required(&self) -> impl Iterator<Item = &CriterionResult> {
        self.criteria.iter().filter(|c| c.required && !c.passed)
    }
}

/// Judges the evidence by the policy.
///
/// Each criterion passes when its score reaches its severity's threshold; one that nothing
/// evaluated never passes. Then exactly one category: all required criteria pass → the
/// compliant category; otherwise a failed image-quality criterion → the poor-photo category
/// (a bad photo can show nothing else); any other failure → the invalid category. Optional
/// criteria are reported and never gate.
pub fn judge(policy: &Policy, evidence: &EvidenceSet) -> Verdict {
    let criteria: Vec<CriterionResult> = policy
        .criteria
        .iter()
        .map(|c| {
            let e = evidence.get(c.kind);
            let passed = e.score.is_some_and(|s| c.severity.passes(s));
            CriterionResult {
                kind: c.kind,
                label: c.label.clone(),
                severity: c.severity,
                required: c.required,
                passed,
                score: e.score,
                reason: if passed { Reason::Ok } else { e.failure },
            }
        })
        .collect();
    let failed = || criteria.iter().filter(|c| c.required && !c.passed);
    let role = if failed().next().is_none() {
        CategoryRole::Compliant
    } else if failed().any(|c| c.kind.is_image_quality()) {
        CategoryRole::PoorPhoto
    } else {
        CategoryRole::Invalid
    };
    let category = policy.category(role);
    let compliant = role == CategoryRole::Compliant;
    Verdict {
        category: category.id.clone(),
        category_label: category.label.clone(),
        role,
        compliant,
        criteria,
        message: if compliant {
            policy.ui_copy.success_message.clone()
        } else {
            policy.ui_copy.failure_message.clone()
        },
        quality: None,
        boxes: Vec::new(),
        elapsed_ms: 0.0,
        rejected_for: None,
    }
}
