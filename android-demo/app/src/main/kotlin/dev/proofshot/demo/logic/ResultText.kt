package dev.proofshot.demo.logic

import dev.proofshot.Decision
import dev.proofshot.DetectedBox
import dev.proofshot.PolicyInfo
import dev.proofshot.Verdict
import java.util.Locale

/** One criterion's row on the result screen. */
data class CriterionRow(
    /** The policy's label ("Package clearly visible"). */
    val label: String,
    val passed: Boolean,
    /** The probability it holds, two decimals, or "–" when no model judged it. */
    val score: String,
    /** The SDK's words for the reason (`CriterionResult.message`); "OK" when it passed. */
    val reason: String,
    /** Whether it gates the verdict. */
    val required: Boolean,
)

/** What happens next at this stop, from the session's [Decision]. */
enum class NextStep { DONE, RETRY, MANUAL_REVIEW, AUTO_APPROVED }

/** Everything the result screen shows, as plain values: the screen only lays them out. */
data class ResultScreen(
    /** The category's label from the policy ("Valid Delivery Proof"). */
    val title: String,
    /** The category's colour from the policy, `#rrggbb`. */
    val color: String,
    /** The policy's success or failure message. */
    val headline: String,
    /** The decision in a sentence: accepted, retry with the attempts left, manual review. */
    val decision: String,
    val next: NextStep,
    val rows: List<CriterionRow>,
    /** The boxes to draw, in pixels of the photo as submitted (upright). */
    val boxes: List<DetectedBox>,
    /** "Checked in 24 ms (model time 19 ms)". */
    val time: String,
    /** The evidence record written for this photo, if the session has a store. */
    val recordId: String?,
)

/**
 * Maps a session's decision to the result screen. Every word about the photo comes from the
 * SDK: the category label and colour and the headline from the policy, each reason's words
 * from `CriterionResult.message`, the retry and review messages from the decision. Only the
 * decision's lead-in ("Accepted", "Try again") is the app's own, the same on Android and iOS
 * (`ios-demo`'s `ResultText.swift`).
 */
object ResultText {
    fun screen(decision: Decision, policy: PolicyInfo, totalMs: Double): ResultScreen {
        val verdict = decision.verdict()
        val category = policy.categories.firstOrNull { it.id == verdict.category }
        val (next, sentence) = when (decision) {
            is Decision.Accepted -> NextStep.DONE to "Accepted: the delivery is proven."
            is Decision.Retry -> NextStep.RETRY to "Try again: ${decision.message}"
            is Decision.ManualReview -> NextStep.MANUAL_REVIEW to "Manual review: ${decision.message}"
            is Decision.AutoApproved -> NextStep.AUTO_APPROVED to "Approved without proof: ${decision.message}"
        }
        val rows = verdict.criteria.map { c ->
            CriterionRow(c.label, c.passed, score(c.score), c.message, c.required)
        }
        // a check outside the policy's criteria (a reused photo) that rejected the photo
        val outside = verdict.rejectedFor?.let { id ->
            listOf(CriterionRow(OUTSIDE_LABEL, false, score(null), verdict.rejectedMessage ?: id, true))
        }
        return ResultScreen(
            title = category?.label ?: verdict.category,
            color = category?.color ?: NEUTRAL_COLOR,
            headline = verdict.message,
            decision = sentence,
            next = next,
            rows = rows + outside.orEmpty(),
            boxes = verdict.boxes,
            time = time(totalMs, verdict.elapsedMs),
            recordId = verdict.recordId,
        )
    }

    /** A score as two decimals, or "–" when no model judged the criterion. */
    fun score(score: Float?): String = score?.let { String.format(Locale.ROOT, "%.2f", it) } ?: "–"

    /** The time the driver waited and the time the models took. */
    fun time(totalMs: Double, modelMs: Double): String =
        String.format(Locale.ROOT, "Checked in %.0f ms (models %.0f ms)", totalMs, modelMs)

    private const val OUTSIDE_LABEL = "New photo for this stop"
    private const val NEUTRAL_COLOR = "#6b7280"
}

/** The verdict behind any decision. */
fun Decision.verdict(): Verdict = when (this) {
    is Decision.Accepted -> verdict
    is Decision.Retry -> verdict
    is Decision.ManualReview -> verdict
    is Decision.AutoApproved -> verdict
}
