import Foundation
import ProofShot

/// One criterion's row on the result screen.
public struct CriterionRow: Equatable {
    /// The policy's label ("Package clearly visible").
    public let label: String
    public let passed: Bool
    /// The probability it holds, two decimals, or "–" when no model judged it.
    public let score: String
    /// The SDK's words for the reason (`CriterionResult.message`); "OK" when it passed.
    public let reason: String
    /// Whether it gates the verdict.
    public let required: Bool

    public init(label: String, passed: Bool, score: String, reason: String, required: Bool) {
        self.label = label
        self.passed = passed
        self.score = score
        self.reason = reason
        self.required = required
    }
}

/// What happens next at this stop, from the session's `Decision`.
public enum NextStep: Equatable {
    case done, retry, manualReview, autoApproved
}

/// Everything the result screen shows, as plain values: the view only lays them out.
public struct ResultScreen: Equatable {
    /// The category's label from the policy ("Valid Delivery Proof").
    public let title: String
    /// The category's colour from the policy, `#rrggbb`.
    public let color: String
    /// The policy's success or failure message.
    public let headline: String
    /// The decision in a sentence: accepted, retry with the attempts left, manual review.
    public let decision: String
    public let next: NextStep
    public let rows: [CriterionRow]
    /// The boxes to draw, in pixels of the photo as submitted (upright).
    public let boxes: [DetectedBox]
    /// "Checked in 24 ms (models 19 ms)".
    public let time: String
    /// The evidence record written for this photo, if the session has a store.
    public let recordId: String?
}

/// Maps a session's decision to the result screen. Every word about the photo comes from the
/// SDK: the category's label and colour and the headline from the policy, each reason's words
/// from `CriterionResult.message`, the retry and review messages from the decision. Only the
/// decision's lead-in ("Accepted", "Try again") is the app's own, the same as `android-demo`'s
/// `ResultText.kt`.
public enum ResultText {
    public static func screen(_ decision: Decision, policy: PolicyInfo, totalMs: Double) -> ResultScreen {
        let verdict = decision.verdict
        let category = policy.categories.first { $0.id == verdict.category }
        let next: NextStep
        let sentence: String
        switch decision {
        case .accepted:
            (next, sentence) = (.done, "Accepted: the delivery is proven.")
        case let .retry(_, _, message):
            (next, sentence) = (.retry, "Try again: \(message)")
        case let .manualReview(_, message):
            (next, sentence) = (.manualReview, "Manual review: \(message)")
        case let .autoApproved(_, message):
            (next, sentence) = (.autoApproved, "Approved without proof: \(message)")
        }
        var rows = verdict.criteria.map {
            CriterionRow(label: $0.label, passed: $0.passed, score: score($0.score), reason: $0.message, required: $0.required)
        }
        // a check outside the policy's criteria (a reused photo) that rejected the photo
        if let id = verdict.rejectedFor {
            rows.append(CriterionRow(label: "New photo for this stop", passed: false, score: score(nil),
                                     reason: verdict.rejectedMessage ?? id, required: true))
        }
        return ResultScreen(title: category?.label ?? verdict.category, color: category?.color ?? "#6b7280",
                            headline: verdict.message, decision: sentence, next: next, rows: rows,
                            boxes: verdict.boxes, time: time(totalMs: totalMs, modelMs: verdict.elapsedMs),
                            recordId: verdict.recordId)
    }

    /// A score as two decimals, or "–" when no model judged the criterion.
    public static func score(_ score: Float?) -> String {
        guard let score else { return "–" }
        return String(format: "%.2f", Double(score))
    }

    /// The time the driver waited and the time the models took.
    public static func time(totalMs: Double, modelMs: Double) -> String {
        String(format: "Checked in %.0f ms (models %.0f ms)", totalMs, modelMs)
    }
}

extension Decision {
    /// The verdict behind any decision.
    public var verdict: Verdict {
        switch self {
        case let .accepted(verdict), let .retry(verdict, _, _), let .manualReview(verdict, _), let .autoApproved(verdict, _):
            return verdict
        }
    }
}
