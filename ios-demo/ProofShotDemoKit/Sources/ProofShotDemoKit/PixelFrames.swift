import Foundation
import ProofShot

/// How the phone is held, as `UIDeviceOrientation` says (face up and down left out).
public enum DeviceOrientation: Equatable {
    case portrait, portraitUpsideDown, landscapeLeft, landscapeRight
}

/// Camera buffers to the SDK's `CameraFrame`, written against plain bytes so it is tested on any
/// platform: the app hands over `CVPixelBufferGetBaseAddress`, `...GetBytesPerRow`, width and
/// height of a locked `kCVPixelFormatType_32BGRA` buffer (`AVCaptureVideoDataOutput`).
public enum PixelFrames {
    /// A BGRA frame; the bytes are copied, so the pixel buffer can be unlocked and returned to the
    /// camera before the SDK runs. Rows may be padded (`bytesPerRow` ≥ 4 × width); the SDK checks
    /// the layout against the size again.
    public static func bgra(_ bytes: UnsafeRawBufferPointer, width: Int, height: Int, bytesPerRow: Int,
                            rotationDegrees: Int) throws -> CameraFrame {
        guard width > 0, height > 0 else { throw FrameError("frame size \(width)x\(height)") }
        guard bytesPerRow >= width * 4 else {
            throw FrameError("bytesPerRow \(bytesPerRow) is less than 4 × width \(width)")
        }
        let needed = bytesPerRow * (height - 1) + width * 4
        guard bytes.count >= needed else {
            throw FrameError("the buffer holds \(bytes.count) bytes; \(width)x\(height) at \(bytesPerRow) a row needs \(needed)")
        }
        guard rotationDegrees % 90 == 0 else { throw FrameError("rotation \(rotationDegrees) is not a multiple of 90") }
        let plane = FramePlane(bytes: Data(bytes.prefix(needed)), rowStride: UInt32(bytesPerRow), pixelStride: 4)
        return CameraFrame(width: UInt32(width), height: UInt32(height), format: .bgra8888, planes: [plane],
                           rotationDegrees: Int32(((rotationDegrees % 360) + 360) % 360))
    }

    /// The clockwise rotation that makes a back-camera buffer upright: the sensor's frames are
    /// landscape (home button, or the USB port, on the right) unless the connection rotates them.
    public static func rotationDegrees(backCameraHeld orientation: DeviceOrientation) -> Int {
        switch orientation {
        case .portrait: return 90
        case .landscapeLeft: return 0
        case .portraitUpsideDown: return 270
        case .landscapeRight: return 180
        }
    }
}

/// A camera buffer that cannot be a frame; the message names why.
public struct FrameError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
