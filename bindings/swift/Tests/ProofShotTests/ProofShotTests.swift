import Foundation
import XCTest
@testable import ProofShot

/// Mirrors the Kotlin tests: construction, each input kind, field mapping, each error variant,
/// sessions through retry to manual review, logging, concurrent use. Photos come from
/// `proofshot samples` in the folder named by PROOFSHOT_SAMPLES.
final class ProofShotTests: XCTestCase {
    static let verifier = try! Verifier()

    func photo(_ name: String) throws -> Data {
        let dir = try XCTUnwrap(ProcessInfo.processInfo.environment["PROOFSHOT_SAMPLES"], "set PROOFSHOT_SAMPLES")
        return try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }

    func criterion(_ v: Verdict, _ id: String) -> CriterionResult {
        v.criteria.first { $0.id == id }!
    }

    func rgbaFrame(_ w: Int, _ h: Int, value: UInt8, format: FrameFormat = .rgba8888, rotation: Int32 = 0) -> CameraFrame {
        let stride = w * 4 + 16
        var bytes = Data(count: stride * h)
        for y in 0..<h { for x in 0..<w {
            let i = y * stride + x * 4
            bytes[i] = value; bytes[i + 1] = value; bytes[i + 2] = value; bytes[i + 3] = 255
        } }
        return CameraFrame(width: UInt32(w), height: UInt32(h), format: format,
                           planes: [FramePlane(bytes: bytes, rowStride: UInt32(stride), pixelStride: 4)],
                           rotationDegrees: rotation)
    }

    func testConstructsWithTheBuiltInPolicy() {
        XCTAssertEqual(Self.verifier.policyId(), "proof-of-delivery-policy")
        XCTAssertEqual(sdkVersion(), "0.1.0")
    }

    func testPolicyInfoGivesTheScreenText() {
        let info = Self.verifier.policyInfo()
        XCTAssertEqual(info.id, "proof-of-delivery-policy")
        XCTAssertEqual(info.maxAttempts, 2)
        XCTAssertEqual(info.categories.map(\.id), ["valid_pod", "invalid_pod", "poor_photo"])
        XCTAssertEqual(info.categories.map(\.compliant), [true, false, false])
        XCTAssertEqual(info.scannerInstructions,
                       "Place the package at the door and take a photo showing the package and the location")
    }

    func testVerifyPhotoMapsEveryField() throws {
        let v = try Self.verifier.verifyPhoto(bytes: photo("black.jpg"))
        XCTAssertEqual(v.category, "poor_photo")
        XCTAssertFalse(v.compliant)
        XCTAssertEqual(v.message, "Delivery photo needs another try")
        XCTAssertEqual(v.criteria.map(\.id), ["package_visible", "package_placed", "location_identifiable", "image_clear"])
        XCTAssertEqual(criterion(v, "image_clear").reason, "too_dark")
        XCTAssertEqual(criterion(v, "image_clear").message, "Too dark: turn on the flash or find light")
        let visible = criterion(v, "package_visible")
        XCTAssertNotNil(visible.score)
        XCTAssertEqual(visible.reason, visible.passed ? "ok" : "no_package")
    }

    func testVerifyPhotoGivesTheRightReasons() throws {
        for (name, reason) in [("blurred.jpg", "blurry"), ("overexposed.jpg", "overexposed"), ("screenshot.png", "not_a_photo")] {
            let v = try Self.verifier.verifyPhoto(bytes: photo(name))
            XCTAssertEqual(v.category, "poor_photo", name)
            XCTAssertEqual(criterion(v, "image_clear").reason, reason, name)
        }
        XCTAssertTrue(criterion(try Self.verifier.verifyPhoto(bytes: photo("porch.jpg")), "image_clear").passed)
    }

    func testVerifyFrameForEachFormat() throws {
        for format in [FrameFormat.rgba8888, .bgra8888] {
            XCTAssertEqual(criterion(try Self.verifier.verifyFrame(frame: rgbaFrame(64, 48, value: 0, format: format, rotation: 90)), "image_clear").reason, "too_dark")
        }
        let y = Data(count: 64 * 48), vu = Data(repeating: 128, count: 64 * 24)
        let nv21 = CameraFrame(width: 64, height: 48, format: .nv21, planes: [FramePlane(bytes: y + vu, rowStride: 64, pixelStride: 1)], rotationDegrees: 270)
        XCTAssertEqual(criterion(try Self.verifier.verifyFrame(frame: nv21), "image_clear").reason, "too_dark")
    }

    func testGuideGivesOneHintPerPreviewFrame() throws {
        let dark = try Self.verifier.guide(frame: rgbaFrame(640, 480, value: 0))
        XCTAssertEqual(dark.hint, .tooDark)
        XCTAssertEqual(dark.id, "too_dark")
        XCTAssertFalse(dark.ready)
        XCTAssertGreaterThan(dark.elapsedMs, 0)
    }

    func testErrorsArriveAsTheirVariants() throws {
        XCTAssertThrowsError(try Verifier(policyJson: #"{"id": "x", "name": "y", "config": {"mode": "freeform"}}"#)) { e in
            guard case ProofShotError.InvalidPolicy(let message) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(message.contains("config.mode"))
        }
        XCTAssertThrowsError(try Self.verifier.verifyPhoto(bytes: Data("nope".utf8))) { e in
            guard case ProofShotError.InvalidImage = e else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try Self.verifier.verifyFrame(frame: rgbaFrame(8, 8, value: 0, rotation: 45))) { e in
            guard case ProofShotError.InvalidImage = e else { return XCTFail("\(e)") }
        }
    }

    func testSessionRetriesThenGoesToManualReview() throws {
        let s = Self.verifier.startSession()
        XCTAssertEqual(try s.remaining(), 2)
        guard case .retry(let verdict, let remaining, let message) = try s.submitPhoto(bytes: photo("black.jpg")) else { return XCTFail() }
        XCTAssertEqual(verdict.category, "poor_photo")
        XCTAssertEqual(remaining, 1)
        XCTAssertEqual(message, "Make sure the package is placed at the door and visible. 1 attempts remaining.")
        XCTAssertThrowsError(try s.submitPhoto(bytes: Data(count: 3)))
        XCTAssertEqual(try s.attemptsUsed(), 1)
        guard case .manualReview(_, let review) = try s.submitFrame(frame: rgbaFrame(32, 32, value: 0)) else { return XCTFail() }
        XCTAssertEqual(review, "Photo submitted for manual review.")
        XCTAssertTrue(try s.isFinished())
        XCTAssertThrowsError(try s.submitPhoto(bytes: photo("porch.jpg"))) { e in
            guard case ProofShotError.SessionFinished = e else { return XCTFail("\(e)") }
        }
    }

    final class Collect: Logger, @unchecked Sendable {
        var records: [(LogLevel, String, String)] = []
        let lock = NSLock()
        func log(level: LogLevel, target: String, message: String) {
            lock.lock(); records.append((level, target, message)); lock.unlock()
        }
    }

    func testLoggingBridgeReachesTheApp() throws {
        let sink = Collect()
        setLogger(logger: sink, level: .debug)
        _ = try Verifier().verifyPhoto(bytes: photo("porch.jpg"))
        setLogger(logger: Collect(), level: .error)
        XCTAssertTrue(sink.records.contains { $0.0 == .debug && $0.1.hasPrefix("proofshot_core") && $0.2.contains("verdict") })
    }

    func testConcurrentCallsAgree() throws {
        let bytes = try photo("porch.jpg")
        let expected = try Self.verifier.verifyPhoto(bytes: bytes).criteria
        var results = [[CriterionResult]](repeating: [], count: 16)
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            results[i] = try! Self.verifier.verifyPhoto(bytes: bytes).criteria
        }
        XCTAssertTrue(results.allSatisfy { $0 == expected })
    }
}
