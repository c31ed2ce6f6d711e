import AVFoundation
import ProofShot
import ProofShotDemoKit
import UIKit

/// The back camera through AVFoundation, with two outputs: BGRA video frames for live guidance
/// (`AVCaptureVideoDataOutput`, late frames dropped) and full photos (`AVCapturePhotoOutput`).
/// Frames are copied out of their pixel buffers (`PixelFrames.bgra`) only when the stop's flow
/// wants one, and judged on the guidance queue.
final class CameraController: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, AVCapturePhotoCaptureDelegate,
    @unchecked Sendable {
    let session = AVCaptureSession()
    private let video = AVCaptureVideoDataOutput()
    private let photo = AVCapturePhotoOutput()
    private let captureQueue = DispatchQueue(label: "proofshot.capture")
    private let flow: () -> DeliveryFlow?
    /// How the phone is held, set on the main thread (`UIDevice` lives there), read on the
    /// capture queue.
    private let lock = NSLock()
    private var held: DeviceOrientation = .portrait
    private let guidanceQueue: DispatchQueue
    private let onPhoto: (Data) -> Void
    private let onError: (Error) -> Void

    init(flow: @escaping () -> DeliveryFlow?, guidanceQueue: DispatchQueue,
         onPhoto: @escaping (Data) -> Void, onError: @escaping (Error) -> Void) {
        self.flow = flow
        self.guidanceQueue = guidanceQueue
        self.onPhoto = onPhoto
        self.onError = onError
    }

    /// Call on the main thread whenever the device turns (and once at start).
    func deviceOrientationChanged(_ orientation: UIDeviceOrientation) {
        let next: DeviceOrientation
        switch orientation {
        case .landscapeLeft: next = .landscapeLeft
        case .landscapeRight: next = .landscapeRight
        case .portraitUpsideDown: next = .portraitUpsideDown
        case .portrait: next = .portrait
        default: return // face up or down, unknown: keep the last
        }
        lock.lock()
        held = next
        lock.unlock()
    }

    private var orientation: DeviceOrientation {
        lock.lock()
        defer { lock.unlock() }
        return held
    }

    /// Asks for the camera, then configures and starts it; a denied permission is an error in
    /// words, and the library still works.
    func start() {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized:
            captureQueue.async { self.configure() }
        case .notDetermined:
            AVCaptureDevice.requestAccess(for: .video) { granted in
                if granted {
                    self.captureQueue.async { self.configure() }
                } else {
                    self.onError(DemoError.permissionDenied("the camera is off for this app: pick a photo from the library, or allow the camera in Settings"))
                }
            }
        default:
            onError(DemoError.permissionDenied("the camera is off for this app: pick a photo from the library, or allow the camera in Settings"))
        }
    }

    func stop() {
        captureQueue.async { self.session.stopRunning() }
    }

    private func configure() {
        if session.inputs.isEmpty {
            guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back),
                  let input = try? AVCaptureDeviceInput(device: device), session.canAddInput(input) else {
                return onError(DemoError.permissionDenied("no back camera could be opened"))
            }
            session.beginConfiguration()
            session.sessionPreset = .photo
            session.addInput(input)
            video.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_32BGRA]
            video.alwaysDiscardsLateVideoFrames = true
            video.setSampleBufferDelegate(self, queue: captureQueue)
            if session.canAddOutput(video) { session.addOutput(video) }
            if session.canAddOutput(photo) { session.addOutput(photo) }
            session.commitConfiguration()
        }
        session.startRunning()
    }

    /// Takes a photo; `onPhoto` gets its JPEG (or HEIC) bytes, EXIF orientation included.
    func takePhoto() {
        captureQueue.async {
            let settings = AVCapturePhotoSettings(format: [AVVideoCodecKey: AVVideoCodecType.jpeg])
            if let connection = self.photo.connection(with: .video) {
                connection.videoOrientation = Self.videoOrientation(self.orientation)
            }
            self.photo.capturePhoto(with: settings, delegate: self)
        }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard let flow = flow(), flow.wantsFrame() else { return }
        guard let buffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return flow.guideSkipped() }
        CVPixelBufferLockBaseAddress(buffer, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(buffer, .readOnly) }
        let frame: CameraFrameResult
        if let base = CVPixelBufferGetBaseAddress(buffer) {
            let bytesPerRow = CVPixelBufferGetBytesPerRow(buffer)
            let height = CVPixelBufferGetHeight(buffer)
            frame = CameraFrameResult {
                try PixelFrames.bgra(UnsafeRawBufferPointer(start: base, count: bytesPerRow * height),
                                     width: CVPixelBufferGetWidth(buffer), height: height, bytesPerRow: bytesPerRow,
                                     rotationDegrees: PixelFrames.rotationDegrees(backCameraHeld: self.orientation))
            }
        } else {
            frame = .failure(FrameError("the pixel buffer has no base address"))
        }
        guidanceQueue.async {
            switch frame {
            case let .success(f): flow.guide(f)
            case let .failure(e): flow.guideSkipped(); self.onError(e)
            }
        }
    }

    func photoOutput(_ output: AVCapturePhotoOutput, didFinishProcessingPhoto photo: AVCapturePhoto, error: Error?) {
        if let error { return onError(error) }
        guard let data = photo.fileDataRepresentation() else { return onError(FrameError("the camera gave no photo data")) }
        onPhoto(data)
    }

    private static func videoOrientation(_ held: DeviceOrientation) -> AVCaptureVideoOrientation {
        switch held {
        case .landscapeLeft: return .landscapeRight // the device's left is the video's right
        case .landscapeRight: return .landscapeLeft
        case .portraitUpsideDown: return .portraitUpsideDown
        case .portrait: return .portrait
        }
    }
}

private typealias CameraFrameResult = Result<CameraFrame, Error>
