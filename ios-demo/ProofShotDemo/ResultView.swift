import ProofShot
import ProofShotDemoKit
import SwiftUI
import UIKit

/// The verdict: the category in the policy's colour, the photo with its boxes, every criterion
/// with pass/fail, score and reason in the driver's words, the decision (accepted; retry with
/// the attempts left; manual review; approved), the time taken, and the redacted copy that
/// would be uploaded beside the original.
struct ResultView: View {
    let screen: ResultScreen
    let photo: Data?
    let redacted: Data?
    let retake: () -> Void
    @State private var showRedacted = false

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 8) {
                Text(screen.title).font(.title).foregroundColor(Color(hex: screen.color))
                Text(screen.headline).font(.headline)
                Text(screen.decision)
                HStack(alignment: .top) {
                    if let photo, let image = UIImage(data: photo) {
                        BoxedPhoto(image: image, boxes: screen.boxes)
                    }
                    if showRedacted, let redacted, let image = UIImage(data: redacted) {
                        Image(uiImage: image).resizable().aspectRatio(contentMode: .fit)
                    }
                }
                if redacted != nil && !showRedacted {
                    Button("Show the redacted copy") { showRedacted = true }
                }
                ForEach(Array(screen.rows.enumerated()), id: \.offset) { _, row in
                    VStack(alignment: .leading) {
                        Text("\(row.passed ? "✓" : "✗") \(row.label)\(row.required ? "" : " (reported only)") · \(row.score)")
                        Text(row.reason).font(.callout)
                    }
                    .foregroundColor(row.passed ? .green : .red)
                }
                Text(screen.time).font(.footnote)
                if let id = screen.recordId {
                    Text("Evidence record \(id)").font(.caption2)
                }
                Button(screen.next == .retry ? "Take another photo" : "Done", action: retake)
                    .buttonStyle(.borderedProminent)
            }
            .padding()
        }
    }
}

/// A photo with the SDK's boxes drawn on it: packages green, doors blue, the person or vehicle
/// that decided `package_placed` red. `UIImage` applies the EXIF orientation, as the SDK does,
/// so the boxes (pixels of the photo upright) land where they belong.
struct BoxedPhoto: View {
    let image: UIImage
    let boxes: [DetectedBox]

    var body: some View {
        Image(uiImage: image)
            .resizable()
            .aspectRatio(contentMode: .fit)
            .overlay(GeometryReader { geo in
                let pixels = CGSize(width: image.size.width * image.scale, height: image.size.height * image.scale)
                if let fit = FitCenter(photoWidth: pixels.width, photoHeight: pixels.height,
                                       viewWidth: geo.size.width, viewHeight: geo.size.height) {
                    ForEach(Array(boxes.enumerated()), id: \.offset) { _, box in
                        let r = fit.map(box)
                        let color: Color = box.label == "package" ? .green : box.label == "door" ? .cyan : .red
                        Rectangle().stroke(color, lineWidth: 3)
                            .frame(width: r.width, height: r.height)
                            .position(x: r.x + r.width / 2, y: r.y + r.height / 2)
                        Text(FitCenter.caption(box)).font(.caption).foregroundColor(color)
                            .position(x: r.x + 40, y: max(r.y - 8, 8))
                    }
                }
            })
    }
}

extension Color {
    /// `#rrggbb`, as the policy gives its categories' colours; grey when it is not.
    init(hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else {
            self = .gray
            return
        }
        self = Color(red: Double(value >> 16 & 0xff) / 255, green: Double(value >> 8 & 0xff) / 255,
                     blue: Double(value & 0xff) / 255)
    }
}
