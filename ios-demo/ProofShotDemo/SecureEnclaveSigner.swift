import Foundation
import ProofShot
import ProofShotDemoKit
import Security

/// Signs evidence records with a P-256 key made in the Secure Enclave on first use (in the
/// keychain on the simulator, which has no enclave): the private key never leaves the hardware.
/// The backend checks exports with its public half (`publicKeyPem()`) and
/// `proofshot audit --public-key`.
final class SecureEnclaveSigner: EvidenceSigner, @unchecked Sendable {
    private let tag: Data
    private let lock = NSLock()

    init(tag: String) {
        self.tag = Data(tag.utf8)
    }

    func keyId() throws -> String { String(decoding: tag, as: UTF8.self) }

    func algorithm() throws -> String { "ecdsa-p256-sha256" }

    func sign(message: Data) throws -> Data {
        var error: Unmanaged<CFError>?
        guard let signature = SecKeyCreateSignature(try privateKey(), .ecdsaSignatureMessageX962SHA256,
                                                    message as CFData, &error) else {
            // the record is then neither written nor counted; the SDK says so in a Signing error
            throw SignerError.KeyUnavailable(reason: "Secure Enclave: \(Self.describe(error))")
        }
        return signature as Data // DER, which the SDK accepts
    }

    /// The public key as PEM, for the backend.
    func publicKeyPem() throws -> String {
        var error: Unmanaged<CFError>?
        guard let pub = SecKeyCopyPublicKey(try privateKey()),
              let x963 = SecKeyCopyExternalRepresentation(pub, &error) as Data? else {
            throw SignerError.KeyUnavailable(reason: "no public key: \(Self.describe(error))")
        }
        return try Pem.publicKey(p256X963: x963)
    }

    private func privateKey() throws -> SecKey {
        lock.lock()
        defer { lock.unlock() }
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
        ]
        var found: CFTypeRef?
        if SecItemCopyMatching(query as CFDictionary, &found) == errSecSuccess, let key = found {
            return key as! SecKey // swiftlint:disable:this force_cast (a kSecClassKey query returns SecKey)
        }
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag,
                kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
            ] as [String: Any],
        ]
        #if !targetEnvironment(simulator)
        attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
        #endif
        var error: Unmanaged<CFError>?
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw SignerError.KeyUnavailable(reason: "cannot make the key: \(Self.describe(error))")
        }
        return key
    }

    private static func describe(_ error: Unmanaged<CFError>?) -> String {
        error.map { String(describing: $0.takeRetainedValue()) } ?? "unknown error"
    }
}
