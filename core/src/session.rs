//! One delivery stop: attempts counted against the policy's `maxAttempts`, and what the app
//! does next after each photo.
//!
//! Attempts here live in memory; persisting them so that restarting the app does not reset
//! them is the evidence store's job (`proofshot-evidence`), which stores
//! [`DeliverySession::attempts_used`] and [`DeliverySession::outcome`] and
//! [restores](DeliverySession::restore) them.

use crate::policy::Policy;
use crate::verdict::Verdict;

/// What the driver app does after a photo.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// The photo proves the delivery.
    Accepted,
    /// Not proof; the driver may try again. `message` is the policy's retry message with
    /// `{remaining}` filled in.
    Retry {
        /// Attempts left after this one (at least 1).
        remaining: u32,
        /// The retry message, count filled in.
        message: String,
    },
    /// Attempts are used up; the stop goes to a person (the policy's exhausted message).
    ManualReview {
        /// The policy's exhausted message.
        message: String,
    },
    /// Attempts are used up and the policy approves anyway (`autoApproveOnExhaust`).
    AutoApproved {
        /// The policy's exhausted message.
        message: String,
    },
}

impl Decision {
    /// Whether the stop is settled: no further photo is taken.
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Retry { .. })
    }
}

/// A photo was offered to a stop that is already settled.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("delivery session is finished after {attempts} attempt(s): {outcome}")]
pub struct SessionFinished {
    /// Attempts made.
    pub attempts: u32,
    /// How it ended: accepted, manual review or auto-approved.
    pub outcome: &'static str,
}

/// The attempts of one delivery stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySession {
    max_attempts: u32,
    used: u32,
    outcome: Option<&'static str>,
}

impl DeliverySession {
    /// A new stop with no attempts yet, for a policy's `maxAttempts`.
    pub fn new(policy: &Policy) -> Self {
        Self::resume(policy, 0)
    }

    /// A stop that already used `attempts_used` attempts (from storage). A stop resumed with
    /// every attempt used is open for nothing but is reported as such by [`Self::record`].
    pub fn resume(policy: &Policy, attempts_used: u32) -> Self {
        let outcome = (attempts_used >= policy.max_attempts).then_some("attempts exhausted");
        Self { max_attempts: policy.max_attempts, used: attempts_used.min(policy.max_attempts), outcome }
    }

    /// A stop restored from storage: attempts used and, when settled, how it ended (one of
    /// [`OUTCOMES`](Self::OUTCOMES); any other text still counts as settled).
    pub fn restore(policy: &Policy, attempts_used: u32, outcome: Option<&str>) -> Self {
        let mut session = Self::resume(policy, attempts_used);
        if let Some(o) = outcome {
            session.outcome = Some(Self::OUTCOMES.into_iter().find(|k| *k == o).unwrap_or("settled"));
        }
        session
    }

    /// How a settled stop can end: what [`outcome`](Self::outcome) returns.
    pub const OUTCOMES: [&'static str; 4] = ["accepted", "manual review", "auto-approved", "attempts exhausted"];

    /// How the stop ended; `None` while photos may still be taken.
    pub fn outcome(&self) -> Option<&'static str> {
        self.outcome
    }

    /// Attempts made so far.
    pub fn attempts_used(&self) -> u32 {
        self.used
    }

    /// Attempts still allowed (0 once settled).
    pub fn remaining(&self) -> u32 {
        if self.outcome.is_some() {
            0
        } else {
            self.max_attempts - self.used
        }
    }

    /// Whether the stop is settled.
    pub fn is_finished(&self) -> bool {
        self.outcome.is_some()
    }

    /// Counts one attempt with its verdict and decides what happens next.
    pub fn record(&mut self, policy: &Policy, verdict: &Verdict) -> Result<Decision, SessionFinished> {
        if let Some(outcome) = self.outcome {
            return Err(SessionFinished { attempts: self.used, outcome });
        }
        self.used += 1;
        let remaining = self.max_attempts - self.used;
        let decision = if verdict.compliant {
            Decision::Accepted
        } else if remaining > 0 {
            Decision::Retry { remaining, message: policy.ui_copy.retry_message(remaining) }
        } else if policy.auto_approve_on_exhaust {
            Decision::AutoApproved { message: policy.ui_copy.exhausted_message.clone() }
        } else {
            Decision::ManualReview { message: policy.ui_copy.exhausted_message.clone() }
        };
        self.outcome = match decision {
            Decision::Accepted => Some("accepted"),
            Decision::Retry { .. } => None,
            Decision::ManualReview { .. } => Some("manual review"),
            Decision::AutoApproved { .. } => Some("auto-approved"),
        };
        Ok(decision)
    }
}
