import Foundation

/// The `dossierd` executable of this build (`swift build --build-tests` builds it
/// next to the test bundle), or another product of it (`dossier`).
public enum DossierdBinary {
    public struct NotBuilt: Error, CustomStringConvertible {
        public let looked: [String]
        public var description: String { "not built; looked in \(looked.joined(separator: ", ")); run `swift build` first" }
    }

    public static func path(product: String = "dossierd") throws -> String {
        var candidates: [String] = []
        // The test bundle lives in the build products directory.
        let bundle = Bundle.main.bundleURL
        for url in [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()] {
            candidates.append(url.appendingPathComponent(product).path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/" + product).path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw NotBuilt(looked: candidates)
    }
}
