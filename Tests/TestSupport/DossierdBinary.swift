import Foundation

/// The `dossierd` executable of this build (`swift build --build-tests` builds it
/// next to the test bundle).
public enum DossierdBinary {
    public struct NotBuilt: Error, CustomStringConvertible {
        public let looked: [String]
        public var description: String { "dossierd is not built; looked in \(looked.joined(separator: ", ")); run `swift build` first" }
    }

    public static func path() throws -> String {
        var candidates: [String] = []
        // The test bundle lives in the build products directory.
        let bundle = Bundle.main.bundleURL
        for url in [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()] {
            candidates.append(url.appendingPathComponent("dossierd").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/dossierd").path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw NotBuilt(looked: candidates)
    }
}
