package dev.proofshot.demo.logic

import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong

/**
 * Which preview frames get live guidance: at most [perSecond] a second, and never while one is
 * still being judged, so the camera thread drops frames instead of queueing them (a queue would
 * show hints for where the phone pointed a second ago). Call [tryStart] on the camera thread
 * with each frame; when it says yes, judge the frame on a worker and call [finish] after.
 */
class GuidanceThrottle(perSecond: Int) {
    init {
        require(perSecond in 1..30) { "perSecond is $perSecond: 1 to 30" }
    }

    private val intervalMs = 1000L / perSecond
    private val busy = AtomicBoolean(false)
    private val lastStart = AtomicLong(Long.MIN_VALUE / 2)

    /** Whether to judge the frame that arrived at [nowMs] (a monotonic clock). */
    fun tryStart(nowMs: Long): Boolean {
        if (nowMs - lastStart.get() < intervalMs) return false
        if (!busy.compareAndSet(false, true)) return false
        lastStart.set(nowMs)
        return true
    }

    /** The frame [tryStart] allowed has been judged (or failed). */
    fun finish() = busy.set(false)
}
