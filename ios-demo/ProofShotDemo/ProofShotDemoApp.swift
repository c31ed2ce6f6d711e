import SwiftUI

/// ProofShot's demo app: the camera with live guidance, the verdict screen, QA's tools.
@main
struct ProofShotDemoApp: App {
    @StateObject private var model = AppModel()

    var body: some Scene {
        WindowGroup {
            NavigationStack {
                CameraScreen()
            }
            .environmentObject(model)
        }
    }
}
