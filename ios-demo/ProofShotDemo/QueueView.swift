import ProofShot
import ProofShotDemoKit
import SwiftUI
import UIKit

/// The evidence queue: the records waiting for upload (`pendingRecords`), marking them uploaded
/// as a backend would after receiving them, the whole chain exported (`exportJsonl`) through the
/// share sheet, and the signer's public key, so a backend can run
/// `proofshot audit --public-key key.pem export.jsonl` on what was shared.
struct QueueView: View {
    @EnvironmentObject private var model: AppModel
    @State private var pending: [PendingRecord] = []
    @State private var note = ""
    @State private var publicKey = ""
    @State private var export: URL?

    var body: some View {
        List {
            Section {
                Text(note)
                Button("Mark these uploaded", action: markUploaded).disabled(pending.isEmpty)
                Button("Export the chain", action: exportChain)
                if let export {
                    ShareLink(item: export) { Label("Share evidence-chain.jsonl", systemImage: "square.and.arrow.up") }
                }
            }
            Section("Signing key (for proofshot audit --public-key)") {
                Text(publicKey).font(.system(.caption2, design: .monospaced)).textSelection(.enabled)
                Button("Copy the key") { UIPasteboard.general.string = publicKey }
            }
            Section("Waiting for upload") {
                ForEach(pending, id: \.recordId) { record in
                    VStack(alignment: .leading) {
                        Text("#\(record.seq) \(record.recordId)").font(.caption)
                        Text(record.json.prefix(240) + "…").font(.caption2)
                    }
                }
            }
        }
        .navigationTitle("Evidence")
        .onAppear {
            refresh()
            let signer = model.signer
            model.background({ try signer.publicKeyPem() }) { publicKey = $0 }
        }
    }

    private func refresh() {
        model.withStore({ try $0.pendingRecords(limit: 200) }) { records in
            pending = records
            note = "\(records.count) records waiting for upload"
        }
    }

    private func markUploaded() {
        let ids = pending.map(\.recordId)
        model.withStore({ try $0.markUploaded(recordIds: ids) }) { n in
            note = "\(n) records marked uploaded"
            refresh()
        }
    }

    /// Writes the chain to a temporary file (whole, or not at all) for the share sheet.
    private func exportChain() {
        model.withStore({ store in
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-chain.jsonl")
            try Data(try store.exportJsonl().utf8).write(to: url, options: .atomic)
            return url
        }) { export = $0 }
    }
}
