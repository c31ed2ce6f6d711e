import Foundation
import XCTest
@testable import ProofShot

// HmacSigner, EcdsaSigner and sha256Hex: TestSigners.swift (CryptoKit on Apple platforms).

/// Mirrors the Kotlin evidence tests: durable attempts, the upload queue, reused photos, a
/// failing signer, bad files and arguments.
final class EvidenceTests: XCTestCase {
    let verifier = try! Verifier()

    func photo(_ name: String) throws -> Data {
        let dir = try XCTUnwrap(ProcessInfo.processInfo.environment["PROOFSHOT_SAMPLES"], "set PROOFSHOT_SAMPLES")
        return try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }

    func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    func testAttemptsSurviveReopeningTheStore() throws {
        let path = tempPath("evidence.db")
        let first = try EvidenceStore(path: path, signer: HmacSigner()).openSession(verifier: verifier, stopId: "stop-1")
        guard case .retry(let verdict, _, _) = try first.submitPhoto(bytes: photo("black.jpg"), capture: Capture(timeMs: 1_700_000_000_000, latitude: 37.33, longitude: -122.03)) else { return XCTFail() }
        XCTAssertNotNil(verdict.recordId)
        let store = try EvidenceStore(path: path, signer: HmacSigner())
        let again = try store.openSession(verifier: verifier, stopId: "stop-1")
        XCTAssertEqual(try again.attemptsUsed(), 1)
        guard case .manualReview = try again.submitPhoto(bytes: photo("blurred.jpg")) else { return XCTFail() }
        let pending = try store.pendingRecords(limit: 10)
        XCTAssertEqual(pending.map { $0.seq }, [1, 2])
        XCTAssertEqual(try store.markUploaded(recordIds: pending.map { $0.recordId }), 2)
        XCTAssertTrue(try store.pendingRecords(limit: 10).isEmpty)
    }

    func testAPhotoOfferedForAnotherStopIsReused() throws {
        let store = try EvidenceStore(path: tempPath("reuse.db"), signer: EcdsaSigner())
        let porch = try photo("porch.jpg")
        _ = try store.openSession(verifier: verifier, stopId: "stop-a").submitPhoto(bytes: porch)
        guard case .retry(let verdict, _, _) = try store.openSession(verifier: verifier, stopId: "stop-b").submitPhoto(bytes: porch) else { return XCTFail() }
        XCTAssertEqual(verdict.category, "invalid_pod")
        XCTAssertEqual(verdict.rejectedFor, "reused_photo")
        XCTAssertEqual(verdict.rejectedMessage, "This photo was already used for another delivery: take a new one")
    }

    func testRedactedCopyHashIsRecorded() throws {
        let porch = try photo("porch.jpg")
        let copy = try verifier.redact(bytes: porch, options: RedactOptions(maxSide: 640))
        XCTAssertLessThanOrEqual(max(copy.width, copy.height), 640)
        XCTAssertTrue(copy.regions.isEmpty)
        let store = try EvidenceStore(path: tempPath("redacted.db"), signer: HmacSigner())
        _ = try store.openSession(verifier: verifier, stopId: "stop-1").submitPhoto(bytes: porch, redactedCopy: copy.jpeg)
        let sha = sha256Hex(copy.jpeg)
        XCTAssertTrue(try store.pendingRecords(limit: 1)[0].json.contains("\"redacted_sha256\":\"\(sha)\""))
    }

    final class Locked: EvidenceSigner, @unchecked Sendable {
        func keyId() -> String { "locked" }
        func algorithm() -> String { "hmac-sha256" }
        func sign(message: Data) throws -> Data { throw SignerError.KeyUnavailable(reason: "user not authenticated") }
    }

    func testAFailingSignerRecordsAndCountsNothing() throws {
        let store = try EvidenceStore(path: tempPath("locked.db"), signer: Locked())
        let s = try store.openSession(verifier: verifier, stopId: "stop-1")
        XCTAssertThrowsError(try s.submitPhoto(bytes: photo("porch.jpg"))) { e in
            guard case ProofShotError.Signing = e else { return XCTFail("\(e)") }
        }
        XCTAssertEqual(try s.attemptsUsed(), 0)
    }

    func testBadFilesAndArgumentsAreNamed() throws {
        let path = tempPath("garbage.db")
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x5a, count: 4096))
        XCTAssertThrowsError(try EvidenceStore(path: path, signer: HmacSigner())) { e in
            guard case ProofShotError.Storage = e else { return XCTFail("\(e)") }
        }
        let store = try EvidenceStore(path: tempPath("args.db"), signer: HmacSigner())
        XCTAssertThrowsError(try store.openSession(verifier: verifier, stopId: "")) { e in
            guard case ProofShotError.InvalidArgument = e else { return XCTFail("\(e)") }
        }
    }

    #if !canImport(CryptoKit)
    func testThePortableSha256AndHmacMatchTheirStandards() {
        // FIPS 180-4's "abc"; RFC 4231 test case 2
        XCTAssertEqual(sha256Hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let mac = PortableSHA256.hmac(key: Data("Jefe".utf8), message: Data("what do ya want for nothing?".utf8))
        XCTAssertEqual(mac.map { String(format: "%02x", $0) }.joined(),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
    #endif
}
