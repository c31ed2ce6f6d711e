import Foundation
import ProofShot

/// What goes wrong in the app itself, outside the SDK.
public enum DemoError: Error, Equatable {
    /// The user denied the camera (or photo library) permission.
    case permissionDenied(String)
    /// A picked file could not be read.
    case unreadableFile(String)
    /// A picked file is larger than `limit` bytes.
    case tooLarge(limit: Int)
}

/// Every failure the demo can meet, as a sentence for the screen: the SDK's errors (their
/// messages already say what is wrong), a denied permission, an unreadable file. The same words
/// as `android-demo`'s `ErrorText.kt`.
public enum ErrorText {
    public static func describe(_ error: Error) -> String {
        switch error {
        case let ProofShotError.InvalidImage(m): return "This photo can't be used: \(m)"
        case let ProofShotError.InvalidPolicy(m): return "The policy is not valid: \(m)"
        case let ProofShotError.RuntimeUnavailable(m): return "The checker could not start: \(m)"
        case let ProofShotError.SessionFinished(m): return "This stop is already settled; start another stop. \(m)"
        case let ProofShotError.Storage(m): return "The evidence store can't be used: \(m)"
        case let ProofShotError.Signing(m): return "The signing key can't be used; the photo was not counted: \(m)"
        case let ProofShotError.InvalidArgument(m): return m
        case let ProofShotError.Internal(m): return "The SDK failed; please report this: \(m)"
        case let DemoError.tooLarge(limit): return "The file is larger than \(limit / (1024 * 1024)) MB, the most a photo may be"
        case let DemoError.permissionDenied(m): return "Permission denied: \(m)"
        case let DemoError.unreadableFile(m): return "The file could not be read: \(m)"
        case let e as FrameError: return "This photo can't be used: \(e.description)"
        default: return "Unexpected error (\(type(of: error))): \(error)"
        }
    }
}
