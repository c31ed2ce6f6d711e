// swift-tools-version:5.9
// The iOS demo's logic, with no UIKit, SwiftUI or AVFoundation in it: the view model, the
// result screen's text, the pixel-buffer conversion. The app (../ProofShotDemo) depends on it;
// `make test` builds it and runs its XCTests on Linux (scripts/swift-test.sh).
import PackageDescription

let package = Package(
    name: "ProofShotDemoKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [.library(name: "ProofShotDemoKit", targets: ["ProofShotDemoKit"])],
    dependencies: [.package(name: "ProofShot", path: "../../bindings/swift")],
    targets: [
        .target(name: "ProofShotDemoKit", dependencies: [.product(name: "ProofShot", package: "ProofShot")]),
        .testTarget(name: "ProofShotDemoKitTests", dependencies: ["ProofShotDemoKit"]),
    ]
)
