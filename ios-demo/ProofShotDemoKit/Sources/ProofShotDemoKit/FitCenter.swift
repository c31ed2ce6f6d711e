import Foundation
import ProofShot

/// A rectangle in view points.
public struct ViewRect: Equatable {
    public let x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Where a photo shown "fit" (SwiftUI's `.aspectRatio(contentMode: .fit)`) lands in a view, and
/// where the SDK's boxes (pixels of the photo as submitted, upright) land with it.
public struct FitCenter: Equatable {
    public let scale: Double, dx: Double, dy: Double

    /// Sizes in pixels (the photo) and points (the view); `nil` when either is empty.
    public init?(photoWidth: Double, photoHeight: Double, viewWidth: Double, viewHeight: Double) {
        guard photoWidth > 0, photoHeight > 0, viewWidth > 0, viewHeight > 0 else { return nil }
        scale = min(viewWidth / photoWidth, viewHeight / photoHeight)
        dx = (viewWidth - photoWidth * scale) / 2
        dy = (viewHeight - photoHeight * scale) / 2
    }

    public func map(_ box: DetectedBox) -> ViewRect {
        ViewRect(x: dx + Double(box.x) * scale, y: dy + Double(box.y) * scale,
                 width: Double(box.width) * scale, height: Double(box.height) * scale)
    }

    /// The label drawn on a box: "package 0.93".
    public static func caption(_ box: DetectedBox) -> String { "\(box.label) \(ResultText.score(box.score))" }
}
