import Foundation

/// A throwaway certificate authority and server certificates made by `openssl`
/// in a temporary directory, for the TLS tests. Removed with `remove()`.
public struct TestCertificates: Sendable {
    public let directory: URL
    /// The CA that signs the server certificates.
    public let ca: String
    /// Another CA, which signed nothing the server presents.
    public let otherCA: String
    /// Certificate and key for `localhost` and 127.0.0.1, signed by `ca`.
    public let serverCert: String, serverKey: String
    /// Certificate and key for `records.example` only, signed by `ca`.
    public let misnamedCert: String, misnamedKey: String

    public init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-tls-\(UUID().uuidString.prefix(8))")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        ca = path("ca.pem")
        otherCA = path("other-ca.pem")
        serverCert = path("server.pem")
        serverKey = path("server.key")
        misnamedCert = path("misnamed.pem")
        misnamedKey = path("misnamed.key")
        try Self.makeCA(cert: ca, key: path("ca.key"), name: "Dossier Test CA")
        try Self.makeCA(cert: otherCA, key: path("other-ca.key"), name: "Some Other CA")
        try Self.makeServer(cert: serverCert, key: serverKey, names: "DNS:localhost,IP:127.0.0.1", ca: ca, caKey: path("ca.key"),
                            in: directory)
        try Self.makeServer(cert: misnamedCert, key: misnamedKey, names: "DNS:records.example", ca: ca, caKey: path("ca.key"),
                            in: directory)
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }

    /// A copy of `serverKey` that the PostgreSQL server may use: owned by the
    /// user it runs as (`postgres` when the tests run as root), mode 0600.
    public func serverKeyForPostgres() throws -> String {
        let copy = directory.appendingPathComponent("postgres-server.key").path
        try FileManager.default.copyItem(atPath: serverKey, toPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: copy)
        if getuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: copy)
        }
        return copy
    }

    private static let keyOptions = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    private static func makeCA(cert: String, key: String, name: String) throws {
        try openssl(["req", "-x509"] + keyOptions + ["-days", "2", "-subj", "/CN=\(name)", "-keyout", key, "-out", cert])
    }

    private static func makeServer(cert: String, key: String, names: String, ca: String, caKey: String, in directory: URL) throws {
        let request = cert + ".csr", extensions = cert + ".ext"
        try "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl(["req", "-new"] + keyOptions + ["-subj", "/CN=dossierd", "-keyout", key, "-out", request])
        try openssl(["x509", "-req", "-in", request, "-CA", ca, "-CAkey", caKey, "-set_serial", "\(UInt32.random(in: 1...UInt32.max))",
                     "-days", "2", "-extfile", extensions, "-out", cert])
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")): \(String(decoding: text, as: UTF8.self))")
        }
    }
}
