import Foundation

/// Which preview frames get live guidance: at most `perSecond` a second, and never while one is
/// still being judged, so the capture queue drops frames instead of queueing them (a queue would
/// show hints for where the phone pointed a second ago). Call `tryStart` on the capture queue
/// with each frame; when it says yes, judge the frame and call `finish` after.
public final class GuidanceThrottle: @unchecked Sendable {
    private let interval: Double
    private let lock = NSLock()
    private var busy = false
    private var lastStart = -Double.greatestFiniteMagnitude

    public init(perSecond: Int) {
        precondition((1...30).contains(perSecond), "perSecond is \(perSecond): 1 to 30")
        interval = 1.0 / Double(perSecond)
    }

    /// Whether to judge the frame that arrived at `now` (seconds, a monotonic clock).
    public func tryStart(now: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !busy, now - lastStart >= interval else { return false }
        busy = true
        lastStart = now
        return true
    }

    /// The frame `tryStart` allowed has been judged (or failed).
    public func finish() {
        lock.lock()
        busy = false
        lock.unlock()
    }
}
