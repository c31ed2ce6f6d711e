import Foundation
import ProofShot

/// Reading a photo picked from the library or a policy file, with a bound.
public enum PhotoInput {
    /// The largest policy file the demo reads (policies are a few kilobytes).
    public static let maxPolicyBytes = 256 * 1024

    /// Every byte of `url`, or `DemoError.tooLarge` as soon as it passes `limit` (by default the
    /// SDK's own `maxPhotoBytes()`): a huge file never fills the app's memory.
    public static func read(_ url: URL, limit: Int = Int(maxPhotoBytes())) throws -> Data {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw DemoError.unreadableFile(error.localizedDescription)
        }
        defer { try? handle.close() }
        var data = Data()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 64 * 1024) ?? Data()
            } catch {
                throw DemoError.unreadableFile(error.localizedDescription)
            }
            if chunk.isEmpty { break }
            if data.count + chunk.count > limit { throw DemoError.tooLarge(limit: limit) }
            data.append(chunk)
        }
        if data.isEmpty { throw DemoError.unreadableFile("the file is empty") }
        return data
    }
}
