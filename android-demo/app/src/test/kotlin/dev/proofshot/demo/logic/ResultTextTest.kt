package dev.proofshot.demo.logic

import dev.proofshot.CriterionResult
import dev.proofshot.Decision
import dev.proofshot.DetectedBox
import dev.proofshot.ProofShotException
import dev.proofshot.Verdict
import dev.proofshot.Verifier
import java.io.File
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/** The result screen and the stop's state, from hand-made verdicts and from the real SDK. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultTextTest {
    private val samples = File(System.getProperty("proofshot.samples") ?: error("set -Dproofshot.samples"))
    private val verifier = Verifier()
    private val policy = verifier.policyInfo()

    @AfterAll
    fun close() = verifier.close()

    private fun criterion(id: String, passed: Boolean, score: Float?, reason: String, message: String) =
        CriterionResult(id, "label of $id", passed, score, reason, message, true)

    private fun verdict(category: String, criteria: List<CriterionResult>, rejectedFor: String? = null) =
        Verdict(category, category == "valid_pod", criteria, listOf(DetectedBox("package", 0.91f, 10f, 20f, 30f, 40f)),
            "policy message", 17.4, rejectedFor, rejectedFor?.let { "words for $it" }, "rec-1")

    @Test
    fun everyDecisionHasItsSentenceAndNextStep() {
        val v = verdict("invalid_pod", listOf(criterion("package_placed", false, 0.12f, "held_in_hand", "The package is still in a hand")))
        val cases = mapOf(
            Decision.Accepted(v) to (NextStep.DONE to "Accepted: the delivery is proven."),
            Decision.Retry(v, 1u, "Retry now. 1 attempts remaining.") to (NextStep.RETRY to "Try again: Retry now. 1 attempts remaining."),
            Decision.ManualReview(v, "Sent to review.") to (NextStep.MANUAL_REVIEW to "Manual review: Sent to review."),
            Decision.AutoApproved(v, "Approved.") to (NextStep.AUTO_APPROVED to "Approved without proof: Approved."),
        )
        for ((decision, expected) in cases) {
            val screen = ResultText.screen(decision, policy, 25.2)
            assertEquals(expected.first, screen.next)
            assertEquals(expected.second, screen.decision)
            assertEquals("Invalid Proof", screen.title, "the category's label comes from the policy")
            assertEquals("#ef4444", screen.color)
            assertEquals("policy message", screen.headline)
            assertEquals("Checked in 25 ms (models 17 ms)", screen.time)
            assertEquals("rec-1", screen.recordId)
            assertEquals(listOf(CriterionRow("label of package_placed", false, "0.12", "The package is still in a hand", true)), screen.rows)
            assertEquals(1, screen.boxes.size)
        }
    }

    @Test
    fun aCheckOutsideTheCriteriaGetsItsOwnRowAndUnknownCategoriesTheirId() {
        val v = verdict("valid_pod_v2", listOf(criterion("image_clear", true, null, "ok", "OK")), rejectedFor = "reused_photo")
        val screen = ResultText.screen(Decision.Retry(v, 1u, "again"), policy, 3.0)
        assertEquals("valid_pod_v2", screen.title)
        assertEquals("#6b7280", screen.color)
        assertEquals(CriterionRow("label of image_clear", true, "–", "OK", true), screen.rows[0])
        assertEquals(CriterionRow("New photo for this stop", false, "–", "words for reused_photo", true), screen.rows[1])
    }

    @Test
    fun scoresAndCaptionsAreTwoDecimals() {
        assertEquals("0.50", ResultText.score(0.5f))
        assertEquals("1.00", ResultText.score(0.999f))
        assertEquals("–", ResultText.score(null))
        assertEquals("door 0.07", FitCenter.caption(DetectedBox("door", 0.07f, 0f, 0f, 1f, 1f)))
    }

    @Test
    fun aStopRunsFromRetryToManualReviewWithTheRealSdk() {
        val black = File(samples, "black.jpg").readBytes()
        var now = 0L
        StopFlow("42", verifier.startSession(), policy) { now.also { now += 30_000_000 } }.use { stop ->
            assertEquals("Stop 42 · attempt 1 of 2", stop.status())
            assertTrue(stop.shutterEnabled(guidanceReady = true, qaOverride = false))
            assertFalse(stop.shutterEnabled(guidanceReady = false, qaOverride = false))
            assertTrue(stop.shutterEnabled(guidanceReady = false, qaOverride = true))

            val first = stop.submit(black)
            assertEquals(NextStep.RETRY, first.next)
            assertEquals("Poor Photo", first.title)
            assertTrue(first.decision.startsWith("Try again: ") && first.decision.contains("1 attempts remaining"), first.decision)
            assertTrue(first.rows.any { !it.passed && it.reason == "Too dark: turn on the flash or find light" }, "${first.rows}")
            assertEquals("Checked in 30 ms", first.time.substringBefore(" (models"))
            assertNull(first.recordId, "an in-memory session writes no record")
            assertEquals(1, stop.remaining)
            assertEquals("Stop 42 · attempt 2 of 2", stop.status())

            val second = stop.submit(black)
            assertEquals(NextStep.MANUAL_REVIEW, second.next)
            assertEquals("Manual review: Photo submitted for manual review.", second.decision)
            assertTrue(stop.finished)
            assertEquals("Stop 42 · settled", stop.status())
            assertFalse(stop.shutterEnabled(guidanceReady = true, qaOverride = true), "no shutter on a settled stop")
            assertEquals(second, stop.last)

            val e = assertThrows(ProofShotException.SessionFinished::class.java) { stop.submit(black) }
            assertTrue(ErrorText.describe(e).startsWith("This stop is already settled; start another stop."))
        }
    }

    @Test
    fun aValidPorchIsAcceptedWithItsBoxes() {
        StopFlow("7", verifier.startSession(), policy).use { stop ->
            val screen = stop.submit(File(samples, "porch.jpg").readBytes())
            assertEquals(NextStep.DONE, screen.next)
            assertEquals("Valid Delivery Proof", screen.title)
            assertTrue(screen.rows.all { it.passed && it.reason == "OK" })
            assertTrue(screen.boxes.any { it.label == "package" })
        }
    }
}
