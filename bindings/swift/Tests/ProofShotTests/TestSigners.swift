import Foundation
@testable import ProofShot

#if canImport(CryptoKit)
import CryptoKit

/// HMAC-SHA-256 through CryptoKit, as an app would with a key from the Keychain.
final class HmacSigner: EvidenceSigner, @unchecked Sendable {
    let key = SymmetricKey(data: Data("swift secret".utf8))
    func keyId() -> String { "swift-hmac" }
    func algorithm() -> String { "hmac-sha256" }
    func sign(message: Data) throws -> Data { Data(HMAC<SHA256>.authenticationCode(for: message, using: key)) }
}

/// ECDSA P-256 through CryptoKit (a Secure Enclave key signs the same way), DER signatures.
final class EcdsaSigner: EvidenceSigner, @unchecked Sendable {
    let key = P256.Signing.PrivateKey()
    func keyId() -> String { "swift-ecdsa" }
    func algorithm() -> String { "ecdsa-p256-sha256" }
    func sign(message: Data) throws -> Data { try key.signature(for: message).derRepresentation }
}

func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

#else

// CryptoKit exists only on Apple platforms. On Linux (the project's CI, Swift from Debian) the
// tests sign with HMAC-SHA-256 written out below, which the store accepts the same way; ECDSA
// has no signer here, so the test that used it signs with HMAC (the store's ECDSA path is
// tested in Rust, Kotlin and Python).

/// SHA-256 (FIPS 180-4), enough for the tests' HMAC and digests.
enum PortableSHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hash(_ data: Data) -> Data {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var bytes = [UInt8](data)
        let bits = UInt64(bytes.count) * 8
        bytes.append(0x80)
        while bytes.count % 64 != 56 { bytes.append(0) }
        for i in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: bytes.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(bytes[j]) << 24 | UInt32(bytes[j + 1]) << 16 | UInt32(bytes[j + 2]) << 8 | UInt32(bytes[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return Data(h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - UInt32($0) * 8)) } })
    }

    static func hmac(key: Data, message: Data) -> Data {
        var k = [UInt8](key.count > 64 ? hash(key) : key)
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = hash(Data(k.map { $0 ^ 0x36 }) + message)
        return hash(Data(k.map { $0 ^ 0x5c }) + inner)
    }
}

/// HMAC-SHA-256, as an app would compute it with its platform's crypto and a protected key.
final class HmacSigner: EvidenceSigner, @unchecked Sendable {
    let key = Data("swift secret".utf8)
    func keyId() -> String { "swift-hmac" }
    func algorithm() -> String { "hmac-sha256" }
    func sign(message: Data) throws -> Data { PortableSHA256.hmac(key: key, message: message) }
}

/// No ECDSA here: signs with HMAC (see above).
typealias EcdsaSigner = HmacSigner

func sha256Hex(_ data: Data) -> String {
    PortableSHA256.hash(data).map { String(format: "%02x", $0) }.joined()
}

#endif
