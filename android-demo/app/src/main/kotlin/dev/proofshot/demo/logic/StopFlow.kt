package dev.proofshot.demo.logic

import dev.proofshot.Capture
import dev.proofshot.DeliverySessionInterface
import dev.proofshot.PolicyInfo

/**
 * One delivery stop on the camera screen: the session that counts its attempts (from
 * `EvidenceStore.openSession`, so the count survives the app being killed), whether the shutter
 * may fire, and the result of each photo. Call [submit] off the UI thread: it runs the models.
 */
class StopFlow(
    /** The stop id the session was opened for. */
    val stopId: String,
    private val session: DeliverySessionInterface,
    private val policy: PolicyInfo,
    private val clockNanos: () -> Long = System::nanoTime,
) : AutoCloseable {
    /** The last photo's result screen, if one was taken at this stop in this run of the app. */
    @Volatile
    var last: ResultScreen? = null
        private set

    /** Attempts still allowed (0 once the stop is settled). */
    val remaining: Int get() = session.remaining().toInt()

    /** Whether the stop is settled: accepted, sent to review, or approved. */
    val finished: Boolean get() = session.isFinished()

    /** "Stop 42 · attempt 1 of 2", or "Stop 42 · settled". */
    fun status(): String {
        if (finished) return "Stop $stopId · settled"
        val used = session.attemptsUsed().toInt()
        return "Stop $stopId · attempt ${used + 1} of ${policy.maxAttempts}"
    }

    /**
     * Whether the shutter may fire: the stop is open and the latest guidance said ready, or QA
     * turned the override on (to test what the SDK says of photos guidance would refuse).
     */
    fun shutterEnabled(guidanceReady: Boolean, qaOverride: Boolean): Boolean =
        !finished && (guidanceReady || qaOverride)

    /**
     * Verifies and counts [photo] (JPEG, PNG or WebP bytes), with where and when it was taken and
     * the redacted copy the app uploads, both recorded in the evidence. Throws the SDK's
     * `ProofShotException` (an unreadable photo is not counted).
     */
    fun submit(photo: ByteArray, capture: Capture? = null, redactedCopy: ByteArray? = null): ResultScreen {
        val start = clockNanos()
        val decision = session.submitPhoto(photo, capture, redactedCopy)
        val totalMs = (clockNanos() - start) / 1e6
        return ResultText.screen(decision, policy, totalMs).also { last = it }
    }

    override fun close() {
        (session as? AutoCloseable)?.close()
    }
}
