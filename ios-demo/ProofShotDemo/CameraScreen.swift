import AVFoundation
import PhotosUI
import ProofShot
import ProofShotDemoKit
import SwiftUI
import UIKit
import UniformTypeIdentifiers

/// The camera screen: the preview with the SDK's live hint over it, the shutter (enabled when
/// the hint says ready, or always with QA's override), the stop id, and QA's tools (a photo
/// from the library, the policy, the evidence queue). A result replaces the screen's lower half
/// with `ResultView`.
struct CameraScreen: View {
    @EnvironmentObject private var model: AppModel
    @State private var camera: CameraController?
    @State private var picked: PhotosPickerItem?
    @State private var choosingPolicy = false
    @State private var importingPolicy = false

    var body: some View {
        VStack(spacing: 8) {
            ZStack(alignment: .top) {
                if let camera {
                    PreviewView(session: camera.session)
                } else {
                    Color.black
                }
                Text(hint)
                    .font(.title3)
                    .foregroundColor(.white)
                    .padding(12)
                    .frame(maxWidth: .infinity)
                    .background(Color.black.opacity(0.6))
            }
            if case let .result(screen) = model.state {
                ResultView(screen: screen, photo: model.flow?.lastPhoto, redacted: model.flow?.lastRedacted) {
                    model.retake()
                }
            } else {
                controls
            }
        }
        .navigationTitle(model.title)
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            NavigationLink("Evidence") { QueueView() }
        }
        .onAppear(perform: startCamera)
        .onDisappear { camera?.stop() }
        .onReceive(NotificationCenter.default.publisher(for: UIDevice.orientationDidChangeNotification)) { _ in
            camera?.deviceOrientationChanged(UIDevice.current.orientation)
        }
        .onChange(of: picked) { item in
            guard let item else { return }
            picked = nil
            Task { @MainActor in
                do {
                    guard let data = try await item.loadTransferable(type: Data.self) else {
                        throw DemoError.unreadableFile("the library gave no data for this photo")
                    }
                    guard data.count <= Int(maxPhotoBytes()) else { throw DemoError.tooLarge(limit: Int(maxPhotoBytes())) }
                    model.submit(data)
                } catch {
                    model.message = ErrorText.describe(error)
                }
            }
        }
        .confirmationDialog("Policy", isPresented: $choosingPolicy) {
            Button("Built-in policy") { model.openStop(policyJson: nil, switchPolicy: true) }
            Button("Policy from a JSON file…") { importingPolicy = true }
        }
        .fileImporter(isPresented: $importingPolicy, allowedContentTypes: [.json]) { result in
            do {
                let url = try result.get()
                let scoped = url.startAccessingSecurityScopedResource()
                defer { if scoped { url.stopAccessingSecurityScopedResource() } }
                let json = String(decoding: try PhotoInput.read(url, limit: PhotoInput.maxPolicyBytes), as: UTF8.self)
                model.openStop(policyJson: json, switchPolicy: true)
            } catch {
                model.message = ErrorText.describe(error)
            }
        }
        .alert("ProofShot", isPresented: Binding(get: { model.message != nil }, set: { if !$0 { model.message = nil } })) {
            Button("OK") { model.message = nil }
        } message: {
            Text(model.message ?? "")
        }
    }

    private var hint: String {
        switch model.state {
        case let .aiming(hint, _): return hint
        case let .verifying(message): return message
        case let .result(screen): return screen.title
        case let .failed(message): return message
        }
    }

    private var controls: some View {
        VStack(spacing: 8) {
            Text(model.status).font(.footnote)
            HStack {
                TextField("Stop id", text: $model.stopId)
                    .textFieldStyle(.roundedBorder)
                    .autocorrectionDisabled()
                Button("Open stop") { model.openStop() }
            }
            Toggle("QA: shutter always on", isOn: $model.qaOverride)
            HStack {
                Button("Take photo") { camera?.takePhoto() }
                    .buttonStyle(.borderedProminent)
                    .disabled(!model.shutterEnabled || camera == nil)
                PhotosPicker("Library", selection: $picked, matching: .images)
                Button("Policy") { choosingPolicy = true }
            }
            if case .failed = model.state {
                Button("Try again") { model.retake() }
            }
        }
        .padding(.horizontal)
    }

    private func startCamera() {
        let app = model
        if camera == nil {
            camera = CameraController(
                flow: { [weak app] in app?.flowForCapture },
                guidanceQueue: app.guidanceQueue,
                onPhoto: { data in Task { @MainActor in app.submit(data) } },
                onError: { error in Task { @MainActor in app.message = ErrorText.describe(error) } })
        }
        camera?.deviceOrientationChanged(UIDevice.current.orientation)
        camera?.start()
    }
}

/// The camera preview: an `AVCaptureVideoPreviewLayer` as the view's own layer.
struct PreviewView: UIViewRepresentable {
    let session: AVCaptureSession

    final class LayerView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var preview: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer } // swiftlint:disable:this force_cast
    }

    func makeUIView(context: Context) -> LayerView {
        let view = LayerView()
        view.preview.session = session
        view.preview.videoGravity = .resizeAspect
        return view
    }

    func updateUIView(_ uiView: LayerView, context: Context) {}
}
