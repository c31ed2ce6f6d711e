import Foundation
import ProofShot
import ProofShotDemoKit

/// The SDK objects the screens share, made once and off the main thread: one `Verifier` (models
/// load in about 0.1 s; it is thread-safe), one `EvidenceStore` in Application Support, the
/// Secure Enclave signer behind it, and the `DeliveryFlow` of the stop in hand. Everything that
/// runs models or touches the store goes through `sdkQueue`, in order; live guidance has its
/// own queue so a verification never stalls the preview's hints.
@MainActor
final class AppModel: ObservableObject {
    @Published private(set) var state: FlowState = .aiming(hint: "Loading the models…", ready: false)
    @Published private(set) var status = ""
    @Published private(set) var title = "ProofShot demo"
    @Published private(set) var shutterEnabled = false
    @Published var message: String?
    @Published var stopId = "route-1/stop-1"
    @Published var qaOverride = false {
        didSet { flow?.qaOverride = qaOverride }
    }

    let sdkQueue = DispatchQueue(label: "proofshot.sdk")
    let guidanceQueue = DispatchQueue(label: "proofshot.guidance")
    let signer = SecureEnclaveSigner(tag: "dev.proofshot.demo.evidence")
    private(set) var flow: DeliveryFlow? {
        didSet { flowForCapture = flow }
    }
    /// The same flow, for the capture queue (a `DeliveryFlow` is thread-safe).
    nonisolated(unsafe) private(set) var flowForCapture: DeliveryFlow?
    // touched on sdkQueue only
    nonisolated(unsafe) private var verifier: Verifier?
    nonisolated(unsafe) private var store: EvidenceStore?

    init() {
        openStop()
    }

    /// Opens (or reopens) the stop in `stopId`; a bad id or an unusable store is shown in words.
    func openStop(policyJson: String? = nil, switchPolicy: Bool = false) {
        let id = stopId
        let override = qaOverride
        background {
            if switchPolicy || self.verifier == nil {
                let next = try Verifier(policyJson: policyJson) // an invalid policy keeps the old one
                self.verifier = next
            }
            let verifier = self.verifier!
            let store = try self.store ?? EvidenceStore(path: Self.storePath(), signer: self.signer)
            self.store = store
            let flow = DeliveryFlow(stopId: id, verifier: verifier, session: try store.openSession(verifier: verifier, stopId: id))
            flow.qaOverride = override
            return (flow, verifier.policyInfo().scannerTitle)
        } done: { opened in
            let (flow, title) = opened
            flow.onChange = { [weak self] _ in
                Task { @MainActor in self?.refresh() }
            }
            self.flow = flow
            self.title = title
            self.refresh()
        }
    }

    /// A photo from the camera or the library: verified and counted off the main thread.
    func submit(_ photo: Data) {
        guard let flow else { return }
        sdkQueue.async {
            flow.submit(photo: photo, capture: Capture(timeMs: Int64(Date().timeIntervalSince1970 * 1000)))
        }
    }

    func retake() {
        flow?.retake()
    }

    /// The pending records, marking, export and the key, for the queue screen.
    func withStore<T>(_ work: @escaping (EvidenceStore) throws -> T, done: @escaping (T) -> Void) {
        background {
            guard let store = self.store else { throw ProofShotError.Storage(message: "the evidence store is not open yet") }
            return try work(store)
        } done: { done($0) }
    }

    private func refresh() {
        guard let flow else { return }
        state = flow.state
        status = flow.status
        shutterEnabled = flow.shutterEnabled
    }

    /// Runs `work` on `sdkQueue`; its result, or its error in words, comes back on the main queue.
    func background<T>(_ work: @escaping () throws -> T, done: @escaping @MainActor (T) -> Void) {
        sdkQueue.async {
            let result = Result(catching: work)
            Task { @MainActor in
                switch result {
                case let .success(value): done(value)
                case let .failure(error): self.message = ErrorText.describe(error)
                }
            }
        }
    }

    private nonisolated static func storePath() throws -> String {
        let dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask,
                                              appropriateFor: nil, create: true)
        return dir.appendingPathComponent("evidence.db").path
    }
}
