import Foundation
import ProofShot

/// The camera screen's state for one stop.
public enum FlowState: Equatable {
    /// Aiming: the latest live hint in the SDK's words, and whether it says ready.
    case aiming(hint: String, ready: Bool)
    /// A photo is being checked: the policy's processing message.
    case verifying(String)
    /// The last photo's result.
    case result(ResultScreen)
    /// Something failed; the sentence says what. `retake()` goes back to aiming.
    case failed(String)
}

/// The view model behind the camera and result screens, for one delivery stop: live guidance →
/// capture → verdict → retry or done. Platform-independent: the app feeds it frames and photos
/// and shows `state` (on iOS an `ObservableObject` wraps it and republishes `onChange` on the
/// main queue). Call `guide` and `submit` off the main thread: they run the models.
public final class DeliveryFlow: @unchecked Sendable {
    /// The stop the session counts attempts for.
    public let stopId: String
    /// Lets the shutter fire whatever guidance says, so QA can test what the SDK says of photos
    /// guidance would refuse.
    public var qaOverride = false {
        didSet { notify() }
    }
    /// Called with every new state, on the thread that changed it.
    public var onChange: ((FlowState) -> Void)?
    /// The photo and the redacted copy (the one the app uploads) behind the last result.
    public private(set) var lastPhoto: Data?
    public private(set) var lastRedacted: Data?

    private let verifier: Verifier
    private let session: DeliverySessionProtocol
    private let policy: PolicyInfo
    private let clock: () -> Double
    private let throttle = GuidanceThrottle(perSecond: 4)
    private let lock = NSLock()
    private var current: FlowState

    /// `session` from `EvidenceStore.openSession(verifier:stopId:)` (or `verifier.startSession()`
    /// for a count in memory only); `clock` in seconds, monotonic.
    public init(stopId: String, verifier: Verifier, session: DeliverySessionProtocol,
                clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.stopId = stopId
        self.verifier = verifier
        self.session = session
        self.clock = clock
        policy = verifier.policyInfo()
        current = .aiming(hint: policy.scannerInstructions, ready: false)
    }

    public var state: FlowState {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Whether the stop is settled: accepted, sent to review, or approved.
    public var finished: Bool { (try? session.isFinished()) ?? false }

    /// "Stop 42 · attempt 1 of 2", or "Stop 42 · settled".
    public var status: String {
        if finished { return "Stop \(stopId) · settled" }
        let used = (try? session.attemptsUsed()) ?? 0
        return "Stop \(stopId) · attempt \(used + 1) of \(policy.maxAttempts)"
    }

    /// Whether the shutter may fire: aiming at an open stop, and guidance said ready or QA's
    /// override is on.
    public var shutterEnabled: Bool {
        guard case let .aiming(_, ready) = state, !finished else { return false }
        return ready || qaOverride
    }

    /// Whether to judge the preview frame arriving now; ask on the capture queue, before copying
    /// the frame out of its pixel buffer. When it says yes, call `guide` with the frame.
    public func wantsFrame() -> Bool {
        guard case .aiming = state else { return false }
        return throttle.tryStart(now: clock())
    }

    /// Live guidance for a frame `wantsFrame` asked for: the hint replaces the aiming state's.
    public func guide(_ frame: CameraFrame) {
        defer { throttle.finish() }
        do {
            let guidance = try verifier.guide(frame: frame)
            update { state in
                guard case .aiming = state else { return nil }
                return .aiming(hint: guidance.message, ready: guidance.ready)
            }
        } catch {
            update { _ in .failed(ErrorText.describe(error)) }
        }
    }

    /// A frame `wantsFrame` asked for could not be made (no pixel buffer): the next one may come.
    public func guideSkipped() {
        throttle.finish()
    }

    /// Verifies and counts a photo (camera or library): redacted for upload (faces pixelated,
    /// no metadata), submitted to the stop with the copy's hash and `capture`, and the result
    /// screen made. An unreadable photo fails and costs no attempt.
    @discardableResult
    public func submit(photo: Data, capture: Capture? = nil) -> FlowState {
        update { _ in .verifying(self.policy.processingMessage) }
        let next: FlowState
        do {
            let redacted = try verifier.redact(bytes: photo, options: RedactOptions(maxSide: 2048, jpegQuality: 85, people: false))
            let start = clock()
            let decision = try session.submitPhoto(bytes: photo, capture: capture, redactedCopy: redacted.jpeg)
            let screen = ResultText.screen(decision, policy: policy, totalMs: (clock() - start) * 1000)
            lock.lock()
            lastPhoto = photo
            lastRedacted = redacted.jpeg
            lock.unlock()
            next = .result(screen)
        } catch {
            next = .failed(ErrorText.describe(error))
        }
        update { _ in next }
        return next
    }

    /// Back to aiming after a result that asks for another photo, or after an error.
    public func retake() {
        update { state in
            switch state {
            case let .result(screen) where screen.next == .retry: return .aiming(hint: self.policy.scannerInstructions, ready: false)
            case .failed: return .aiming(hint: self.policy.scannerInstructions, ready: false)
            default: return nil
            }
        }
    }

    /// Changes the state under the lock (`nil`: unchanged) and tells `onChange` outside it.
    private func update(_ change: (FlowState) -> FlowState?) {
        lock.lock()
        guard let next = change(current) else {
            lock.unlock()
            return
        }
        current = next
        lock.unlock()
        onChange?(next)
    }

    private func notify() { onChange?(state) }
}
