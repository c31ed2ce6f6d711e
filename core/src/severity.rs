//! How sure the engine must be before a criterion passes, by severity. The thresholds live in
//! this one table and nowhere else.

use serde::Deserialize;

/// A criterion's severity, as policies state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Passes only on clear evidence that it holds.
    Critical,
    /// Fails only on clear evidence that it does not hold ("FAIL only if ...").
    Warning,
    /// Passes when more likely than not; usually reported without gating.
    Info,
}

/// The lowest score with which a criterion of each severity passes.
///
/// Scores are the models' probabilities that the criterion holds. A critical criterion needs
/// clear evidence for it; a warning criterion fails only on clear evidence against it (its
/// score must fall below 0.3, i.e. a defect more than 70 % likely).
pub const PASS_THRESHOLDS: [(Severity, f32); 3] =
    [(Severity::Critical, 0.70), (Severity::Warning, 0.30), (Severity::Info, 0.50)];

impl Severity {
    /// The lowest passing score, from [`PASS_THRESHOLDS`].
    pub fn pass_threshold(self) -> f32 {
        PASS_THRESHOLDS.iter().find(|(s, _)| *s == self).map(|(_, t)| *t).expect("every severity is in the table")
    }

    /// Whether `score` passes at this severity.
    pub fn passes(self, score: f32) -> bool {
        score >= self.pass_threshold()
    }

    /// The severity's policy name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_needs_clear_evidence_warning_fails_only_on_clear_evidence() {
        assert!(!Severity::Critical.passes(0.6));
        assert!(Severity::Critical.passes(0.7));
        assert!(Severity::Warning.passes(0.31));
        assert!(!Severity::Warning.passes(0.29));
        assert!(Severity::Info.passes(0.5));
        assert!(!Severity::Info.passes(0.49));
        // an uncertain score (0.5) passes a warning but not a critical criterion
        assert!(Severity::Warning.passes(0.5) && !Severity::Critical.passes(0.5));
    }
}
