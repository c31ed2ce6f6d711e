import Foundation

/// The PEM text of a public key, for `proofshot audit --public-key` on the backend.
public enum Pem {
    /// The DER header of a P-256 SubjectPublicKeyInfo, before the 65-byte point.
    private static let p256Header: [UInt8] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
        0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ]

    /// `x963` is an uncompressed P-256 point (`04 ‖ X ‖ Y`, 65 bytes), what
    /// `SecKeyCopyExternalRepresentation` returns for a Secure Enclave key's public half.
    public static func publicKey(p256X963 x963: Data) throws -> String {
        guard x963.count == 65, x963.first == 0x04 else {
            throw FrameError("a P-256 public key is 65 bytes starting 04; got \(x963.count) bytes")
        }
        let base64 = (Data(p256Header) + x963).base64EncodedString()
        var pem = "-----BEGIN PUBLIC KEY-----\n"
        var line = base64.startIndex
        while line < base64.endIndex {
            let end = base64.index(line, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            pem += base64[line..<end] + "\n"
            line = end
        }
        return pem + "-----END PUBLIC KEY-----\n"
    }
}
