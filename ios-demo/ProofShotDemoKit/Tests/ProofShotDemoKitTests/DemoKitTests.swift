import Foundation
import ProofShot
@testable import ProofShotDemoKit
import XCTest

/// The iOS demo's logic on any platform: the result screen, the stop's flow with the real SDK,
/// frame conversion, the guidance throttle, bounded reads, box geometry, PEM and error text.
/// Mirrors android-demo's JUnit tests; the sample photos come from `proofshot samples` in the
/// folder named by PROOFSHOT_SAMPLES.
final class DemoKitTests: XCTestCase {
    static let verifier = try! Verifier()

    func photo(_ name: String) throws -> Data {
        let dir = try XCTUnwrap(ProcessInfo.processInfo.environment["PROOFSHOT_SAMPLES"], "set PROOFSHOT_SAMPLES")
        return try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }

    func criterion(_ id: String, _ passed: Bool, _ score: Float?, _ reason: String, _ message: String) -> CriterionResult {
        CriterionResult(id: id, label: "label of \(id)", passed: passed, score: score, reason: reason, message: message, required: true)
    }

    func verdict(_ category: String, _ criteria: [CriterionResult], rejectedFor: String? = nil) -> Verdict {
        Verdict(category: category, compliant: category == "valid_pod", criteria: criteria,
                boxes: [DetectedBox(label: "package", score: 0.91, x: 10, y: 20, width: 30, height: 40)],
                message: "policy message", elapsedMs: 17.4, rejectedFor: rejectedFor,
                rejectedMessage: rejectedFor.map { "words for \($0)" }, recordId: "rec-1")
    }

    func testEveryDecisionHasItsSentenceAndNextStep() {
        let policy = Self.verifier.policyInfo()
        let v = verdict("invalid_pod", [criterion("package_placed", false, 0.12, "held_in_hand", "The package is still in a hand")])
        let cases: [(Decision, NextStep, String)] = [
            (.accepted(verdict: v), .done, "Accepted: the delivery is proven."),
            (.retry(verdict: v, remaining: 1, message: "Retry now. 1 attempts remaining."), .retry, "Try again: Retry now. 1 attempts remaining."),
            (.manualReview(verdict: v, message: "Sent to review."), .manualReview, "Manual review: Sent to review."),
            (.autoApproved(verdict: v, message: "Approved."), .autoApproved, "Approved without proof: Approved."),
        ]
        for (decision, next, sentence) in cases {
            let screen = ResultText.screen(decision, policy: policy, totalMs: 25.2)
            XCTAssertEqual(screen.next, next)
            XCTAssertEqual(screen.decision, sentence)
            XCTAssertEqual(screen.title, "Invalid Proof", "the category's label comes from the policy")
            XCTAssertEqual(screen.color, "#ef4444")
            XCTAssertEqual(screen.headline, "policy message")
            XCTAssertEqual(screen.time, "Checked in 25 ms (models 17 ms)")
            XCTAssertEqual(screen.recordId, "rec-1")
            XCTAssertEqual(screen.rows, [CriterionRow(label: "label of package_placed", passed: false, score: "0.12",
                                                      reason: "The package is still in a hand", required: true)])
            XCTAssertEqual(screen.boxes.count, 1)
        }
    }

    func testACheckOutsideTheCriteriaGetsItsOwnRowAndUnknownCategoriesTheirId() {
        let v = verdict("valid_pod_v2", [criterion("image_clear", true, nil, "ok", "OK")], rejectedFor: "reused_photo")
        let screen = ResultText.screen(.retry(verdict: v, remaining: 1, message: "again"), policy: Self.verifier.policyInfo(), totalMs: 3)
        XCTAssertEqual(screen.title, "valid_pod_v2")
        XCTAssertEqual(screen.color, "#6b7280")
        XCTAssertEqual(screen.rows, [
            CriterionRow(label: "label of image_clear", passed: true, score: "–", reason: "OK", required: true),
            CriterionRow(label: "New photo for this stop", passed: false, score: "–", reason: "words for reused_photo", required: true),
        ])
    }

    func testScoresAndCaptionsAreTwoDecimals() {
        XCTAssertEqual(ResultText.score(0.5), "0.50")
        XCTAssertEqual(ResultText.score(0.999), "1.00")
        XCTAssertEqual(ResultText.score(nil), "–")
        XCTAssertEqual(FitCenter.caption(DetectedBox(label: "door", score: 0.07, x: 0, y: 0, width: 1, height: 1)), "door 0.07")
    }

    func testAStopRunsFromRetryToManualReviewWithTheRealSdk() throws {
        let black = try photo("black.jpg")
        var now = 0.0
        let flow = DeliveryFlow(stopId: "42", verifier: Self.verifier, session: Self.verifier.startSession(),
                                clock: { defer { now += 0.03 }; return now })
        XCTAssertEqual(flow.state, .aiming(hint: "Place the package at the door and take a photo showing the package and the location", ready: false))
        XCTAssertEqual(flow.status, "Stop 42 · attempt 1 of 2")
        XCTAssertFalse(flow.shutterEnabled, "guidance has not said ready")
        flow.qaOverride = true
        XCTAssertTrue(flow.shutterEnabled)
        var seen: [FlowState] = []
        flow.onChange = { seen.append($0) }

        guard case let .result(first) = flow.submit(photo: black) else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(seen.first, .verifying("Verifying delivery..."))
        XCTAssertEqual(first.next, .retry)
        XCTAssertEqual(first.title, "Poor Photo")
        XCTAssertTrue(first.decision.hasPrefix("Try again: ") && first.decision.contains("1 attempts remaining"), first.decision)
        XCTAssertTrue(first.rows.contains { !$0.passed && $0.reason == "Too dark: turn on the flash or find light" }, "\(first.rows)")
        XCTAssertTrue(first.time.hasPrefix("Checked in 30 ms"), first.time)
        XCTAssertNil(first.recordId, "an in-memory session writes no record")
        XCTAssertNotNil(flow.lastRedacted)
        XCTAssertFalse(flow.shutterEnabled, "no shutter on the result screen")
        XCTAssertEqual(flow.status, "Stop 42 · attempt 2 of 2")

        flow.retake()
        XCTAssertTrue(flow.shutterEnabled)
        guard case let .result(second) = flow.submit(photo: black) else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(second.next, .manualReview)
        XCTAssertEqual(second.decision, "Manual review: Photo submitted for manual review.")
        XCTAssertTrue(flow.finished)
        XCTAssertEqual(flow.status, "Stop 42 · settled")
        flow.retake()
        XCTAssertEqual(flow.state, .result(second), "no retake once the stop is settled")
        XCTAssertFalse(flow.shutterEnabled)

        guard case let .failed(message) = flow.submit(photo: black) else { return XCTFail("\(flow.state)") }
        XCTAssertTrue(message.hasPrefix("This stop is already settled; start another stop."), message)
    }

    func testAValidPorchIsAcceptedAndACorruptPhotoCostsNoAttempt() throws {
        let flow = DeliveryFlow(stopId: "7", verifier: Self.verifier, session: Self.verifier.startSession())
        guard case let .failed(message) = flow.submit(photo: Data("not a photo".utf8)) else { return XCTFail("\(flow.state)") }
        XCTAssertTrue(message.hasPrefix("This photo can't be used: "), message)
        XCTAssertEqual(flow.status, "Stop 7 · attempt 1 of 2")
        flow.retake()
        guard case let .result(screen) = flow.submit(photo: try photo("porch.jpg")) else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(screen.next, .done)
        XCTAssertEqual(screen.title, "Valid Delivery Proof")
        XCTAssertTrue(screen.rows.allSatisfy { $0.passed && $0.reason == "OK" }, "\(screen.rows)")
        XCTAssertTrue(screen.boxes.contains { $0.label == "package" })
    }

    func testGuidanceOnAConvertedFrameDrivesTheShutter() throws {
        let flow = DeliveryFlow(stopId: "9", verifier: Self.verifier, session: Self.verifier.startSession(), clock: { 0 })
        // a near-black 640x480 BGRA buffer with padded rows, as AVFoundation gives them
        let bytesPerRow = 640 * 4 + 64
        let pixels = [UInt8](repeating: 2, count: bytesPerRow * 480)
        let frame = try pixels.withUnsafeBytes {
            try PixelFrames.bgra($0, width: 640, height: 480, bytesPerRow: bytesPerRow, rotationDegrees: 90)
        }
        XCTAssertTrue(flow.wantsFrame())
        XCTAssertFalse(flow.wantsFrame(), "one frame at a time")
        flow.guide(frame)
        XCTAssertEqual(flow.state, .aiming(hint: "Too dark: turn on the flash or find light", ready: false))
        XCTAssertFalse(flow.shutterEnabled)
        XCTAssertFalse(flow.wantsFrame(), "a quarter second has not passed")
    }

    func testBgraFramesKeepStridesAndRefuseShortBuffers() throws {
        let bytes = [UInt8](repeating: 7, count: 320 * 47 + 64 * 4)
        let frame = try bytes.withUnsafeBytes { try PixelFrames.bgra($0, width: 64, height: 48, bytesPerRow: 80 * 4, rotationDegrees: -90) }
        XCTAssertEqual(frame.format, .bgra8888)
        XCTAssertEqual(frame.rotationDegrees, 270)
        XCTAssertEqual(frame.planes.map(\.rowStride), [320])
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try PixelFrames.bgra($0, width: 64, height: 48, bytesPerRow: 80 * 4 * 2, rotationDegrees: 0) }) {
            XCTAssertTrue(ErrorText.describe($0).hasPrefix("This photo can't be used: the buffer holds"), ErrorText.describe($0))
        }
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try PixelFrames.bgra($0, width: 64, height: 48, bytesPerRow: 100, rotationDegrees: 0) })
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try PixelFrames.bgra($0, width: 8, height: 8, bytesPerRow: 32, rotationDegrees: 45) })
        XCTAssertEqual(PixelFrames.rotationDegrees(backCameraHeld: .portrait), 90)
        XCTAssertEqual(PixelFrames.rotationDegrees(backCameraHeld: .landscapeLeft), 0)
        XCTAssertEqual(PixelFrames.rotationDegrees(backCameraHeld: .landscapeRight), 180)
        XCTAssertEqual(PixelFrames.rotationDegrees(backCameraHeld: .portraitUpsideDown), 270)
    }

    func testThrottleDropsFramesWhileBusyAndAboveItsRate() {
        let t = GuidanceThrottle(perSecond: 4)
        XCTAssertTrue(t.tryStart(now: 0))
        XCTAssertFalse(t.tryStart(now: 0.5), "busy")
        t.finish()
        XCTAssertFalse(t.tryStart(now: 0.1), "too soon")
        XCTAssertTrue(t.tryStart(now: 0.25))
        t.finish()
        XCTAssertTrue(t.tryStart(now: 0.6))
    }

    func testReadsAreBounded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("photo.jpg")
        let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        try bytes.write(to: file)
        XCTAssertEqual(try PhotoInput.read(file, limit: 200_000), bytes)
        XCTAssertThrowsError(try PhotoInput.read(file, limit: 199_999)) { XCTAssertEqual($0 as? DemoError, .tooLarge(limit: 199_999)) }
        XCTAssertEqual(ErrorText.describe(DemoError.tooLarge(limit: 50 * 1024 * 1024)), "The file is larger than 50 MB, the most a photo may be")
        let empty = dir.appendingPathComponent("empty.jpg")
        try Data().write(to: empty)
        XCTAssertThrowsError(try PhotoInput.read(empty)) { XCTAssertEqual(ErrorText.describe($0), "The file could not be read: the file is empty") }
        XCTAssertThrowsError(try PhotoInput.read(dir.appendingPathComponent("missing.jpg"))) {
            XCTAssertTrue(ErrorText.describe($0).hasPrefix("The file could not be read: "))
        }
    }

    func testBoxesLandOnTheFittedPhoto() throws {
        // a 4000x3000 photo in a 1000x1000 view: scale 0.25, 125-point bars above and below
        let fit = try XCTUnwrap(FitCenter(photoWidth: 4000, photoHeight: 3000, viewWidth: 1000, viewHeight: 1000))
        XCTAssertEqual(fit.scale, 0.25)
        XCTAssertEqual(fit.map(DetectedBox(label: "package", score: 0.9, x: 400, y: 200, width: 400, height: 400)),
                       ViewRect(x: 100, y: 175, width: 100, height: 100))
        XCTAssertNil(FitCenter(photoWidth: 0, photoHeight: 1, viewWidth: 1, viewHeight: 1))
    }

    func testPemMatchesOpenSsl() throws {
        // a key made with `openssl ecparam -name prime256v1 -genkey`; its PEM from `openssl ec -pubout`
        let hex = "04781f5f0903361af785c16c05f8a007f3528c54088de6e3063bdcd0224aeba8efb7edfe8917803553ff2557dddeeb504b70b746734614b76e0401b48e5396676d"
        var point = Data()
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            point.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        XCTAssertEqual(try Pem.publicKey(p256X963: point), """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeB9fCQM2GveFwWwF+KAH81KMVAiN
            5uMGO9zQIkrrqO+37f6JF4A1U/8lV93e61BLcLdGc0YUt24EAbSOU5ZnbQ==
            -----END PUBLIC KEY-----

            """)
        XCTAssertThrowsError(try Pem.publicKey(p256X963: point.dropLast()))
    }

    func testEveryErrorReadsAsASentence() {
        XCTAssertEqual(ErrorText.describe(ProofShotError.InvalidPolicy(message: "$.config: missing")), "The policy is not valid: $.config: missing")
        XCTAssertEqual(ErrorText.describe(ProofShotError.InvalidArgument(message: "stop id is empty")), "stop id is empty")
        XCTAssertTrue(ErrorText.describe(ProofShotError.Signing(message: "locked")).hasSuffix("the photo was not counted: locked"))
        XCTAssertEqual(ErrorText.describe(DemoError.permissionDenied("camera")), "Permission denied: camera")
        XCTAssertEqual(ErrorText.describe(DemoError.unreadableFile("gone")), "The file could not be read: gone")
    }
}
