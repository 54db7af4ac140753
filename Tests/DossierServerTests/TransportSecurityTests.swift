import DossierServer
import DossierStore
import Foundation
import LineTransport
import Testing
import TestSupport

/// TLS on the line protocol (issue 10 point 5, issue 14 point 6): `openssl
/// s_client` and the console verify the server's certificate; the connection
/// clocks, back pressure and graceful shutdown hold under TLS; plain `AUTH` is
/// refused off loopback.
@Suite struct TransportSecurityTests {
    /// A server with TLS from `certificates` (the `localhost` / 127.0.0.1 certificate unless told).
    func tlsServer(_ certificates: TestCertificates, misnamed: Bool = false,
                   configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let security = try TransportSecurity.tls(
            certificateFile: misnamed ? certificates.misnamedCert : certificates.serverCert,
            keyFile: misnamed ? certificates.misnamedKey : certificates.serverKey)
        return try await TestServer {
            $0.transportSecurity = security
            configure(&$0)
        }
    }

    @Test func opensslSClientIsTheTelnetOfTLS() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try await tlsServer(certificates)
        let session = try await ChildProcess.run("/usr/bin/openssl", [
            "s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost", "-CAfile", certificates.ca,
            "-verify_return_error", "-verify_hostname", "localhost", "-quiet", "-ign_eof",
        ], input: "PING\nAUTH admin \(TestServer.adminPassword)\nWHOAMI\nQUIT\n")
        #expect(session.status == 0, "\(session.error)")
        let lines = session.output.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(lines.first?.hasPrefix("OK DOSSIER/1") == true, "\(lines)")
        #expect(lines.contains("OK PONG"), "\(lines)")
        #expect(lines.contains("OK admin role=admin dept=HQ"), "\(lines)")
        #expect(lines.last == "OK bye", "\(lines)")

        // A client that trusts another CA gets no session.
        let untrusting = try await ChildProcess.run("/usr/bin/openssl", [
            "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", certificates.otherCA, "-verify_return_error", "-quiet",
        ], input: "PING\n")
        #expect(untrusting.status != 0)
        #expect(!untrusting.output.contains("OK DOSSIER/1"))
        // Nor does a client that speaks plain TCP: its line is no TLS hello.
        let plain = try await LineClient(port: server.port)
        try await plain.send("PING")
        var received: [String] = []
        while let line = try await plain.readLine() { received.append(line) }  // at most a TLS alert
        #expect(!received.contains { $0.hasPrefix("OK") || $0.hasPrefix("ERR") }, "\(received)")
        // The server goes on.
        let client = try await TLSLineClient(port: server.port, caFile: certificates.ca)
        #expect(try await client.readLine()?.hasPrefix("OK DOSSIER/1") == true)
        #expect(try await client.request("PING") == ["OK PONG"])
        try await server.shutdown()
    }

    @Test func consoleVerifiesTheCertificateAndHostName() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try await tlsServer(certificates)
        let admin = ["DOSSIER_PASSWORD": TestServer.adminPassword]
        let port = ["--port", "\(server.port)"]
        // --ca implies --tls; by address (the certificate's IP entry) and by name.
        var run = try await ChildProcess.console(port + ["--ca", certificates.ca, "--auth", "admin", "-c", "WHOAMI"], environment: admin)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "OK admin role=admin dept=HQ\n")
        run = try await ChildProcess.console(port + ["--host", "localhost", "--tls", "--ca", certificates.ca, "-c", "PING"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "OK PONG\n")

        // A CA that did not sign the certificate: refused before anything is sent, exit 2.
        run = try await ChildProcess.console(port + ["--tls", "--ca", certificates.otherCA, "--auth", "admin", "-c", "WHOAMI"],
                                             environment: admin)
        #expect(run.status == 2)
        #expect(run.error == "dossier: TLS: the server's certificate is not signed by the CA of --ca \(certificates.otherCA) (or has expired); refusing to talk to it\n")
        #expect(run.output.isEmpty)
        // No --ca: the system's CAs do not know the test CA either.
        run = try await ChildProcess.console(port + ["--tls", "-c", "PING"])
        #expect(run.status == 2)
        #expect(run.error.hasPrefix("dossier: TLS: "), "\(run.error)")
        // A --ca file that is not there, or holds no certificate.
        run = try await ChildProcess.console(port + ["--ca", certificates.directory.appendingPathComponent("none.pem").path, "-c", "PING"])
        #expect(run.status == 2)
        #expect(run.error.contains("cannot read --ca"), "\(run.error)")
        run = try await ChildProcess.console(port + ["--ca", certificates.serverKey, "-c", "PING"])
        #expect(run.status == 2)
        #expect(run.error.contains("holds no PEM certificate"), "\(run.error)")
        try await server.shutdown()

        // A certificate signed by the right CA for another host name.
        let misnamed = try await tlsServer(certificates, misnamed: true)
        run = try await ChildProcess.console(["--port", "\(misnamed.port)", "--ca", certificates.ca, "-c", "PING"])
        #expect(run.status == 2)
        #expect(run.error == "dossier: TLS: the server's certificate is not issued for 127.0.0.1; refusing to talk to it\n")
        run = try await ChildProcess.console(["--port", "\(misnamed.port)", "--host", "localhost", "--ca", certificates.ca, "-c", "PING"])
        #expect(run.status == 2)
        #expect(run.error.contains("not issued for localhost"), "\(run.error)")
        try await misnamed.shutdown()

        // --tls against a daemon without TLS says so.
        let plain = try await TestServer()
        run = try await ChildProcess.console(["--port", "\(plain.port)", "--ca", certificates.ca, "-c", "PING"])
        #expect(run.status == 2)
        #expect(run.error.contains("does not speak TLS"), "\(run.error)")
        try await plain.shutdown()
    }

    @Test func clocksAndGracefulShutdownUnderTLS() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        // The idle clock closes a TLS connection as a plain one, with its ERR line.
        // The clock runs from the accept, so on a loaded machine it may end during the
        // handshake, before any line can go out: a few tries (bounded) for one that got in.
        let idling = try await tlsServer(certificates) { $0.idleTimeout = .seconds(2) }
        var greeted: TLSLineClient?
        for _ in 0..<5 where greeted == nil {
            let candidate = try await TLSLineClient(port: idling.port, caFile: certificates.ca)
            if (try? await candidate.readLine())??.hasPrefix("OK DOSSIER/1") == true { greeted = candidate }
        }
        let idle = try #require(greeted)
        #expect(try await idle.readLine() == "ERR LIMIT idle timeout")
        #expect(try await idle.readLine() == nil)
        try await idling.shutdown()

        // Shutdown tells a signed-in TLS client and returns once it is closed.
        let server = try await tlsServer(certificates)
        let client = try await TLSLineClient(port: server.port, caFile: certificates.ca)
        #expect(try await client.readLine()?.hasPrefix("OK DOSSIER/1") == true)
        #expect(try await client.request("AUTH admin \(TestServer.adminPassword)") == ["OK admin role=admin dept=HQ"])
        let stopping = Task { try await server.shutdown() }
        #expect(try await client.readLine() == "ERR SHUTDOWN server is stopping")
        #expect(try await client.readLine() == nil)
        try await stopping.value
    }

    @Test func pipelinedRequestsAndBackPressureUnderTLS() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try await tlsServer(certificates)
        // A thousand pipelined requests in one write, answered in order.
        let client = try await TLSLineClient(port: server.port, caFile: certificates.ca)
        _ = try await client.readLine()
        try await client.send(Array(repeating: "PING", count: 1000).joined(separator: "\n"))
        var answers: [String] = []
        for _ in 0..<1000 { answers.append(try await client.readLine() ?? "closed") }
        #expect(answers == Array(repeating: "OK PONG", count: 1000))

        // A client that sends without reading stalls itself, not the server.
        // (One thread for the flood's TLS stream from start to end, as NIO's EmbeddedChannel requires.)
        let (sender, sent) = try await Task.detached {
            let sender = try TLSFlood(port: server.port, caFile: certificates.ca)
            return (sender, sender.sendUntilBlocked())
        }.value
        #expect(sent < 64 << 20, "sent \(sent) bytes without the server pushing back")
        #expect(try await client.request("PING") == ["OK PONG"])
        withExtendedLifetime(sender) {}  // the flood's connection stays open until here
        try await server.shutdown()
    }

    /// An IPv4 address of this machine that is not loopback, if it has one.
    static func externalAddress() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var next: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = next {
            defer { next = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0
            else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.hasPrefix("127.") { return text }
        }
        return nil
    }

    /// The server listens on every address; a client reaching it through this
    /// machine's own non-loopback address (traffic stays on the machine) may not
    /// send a password in clear.
    @Test func plainAuthIsRefusedOffLoopback() async throws {
        let external = try #require(Self.externalAddress(), "this test needs a non-loopback IPv4 address on the machine")
        let server = try await TestServer { $0.host = "0.0.0.0" }
        let remote = try await LineClient(host: external, port: server.port)
        _ = try await remote.readLine()
        #expect(try await remote.request("PING") == ["OK PONG"])
        #expect(try await remote.request("AUTH admin \(TestServer.adminPassword)")
                == ["ERR DENIED AUTH over plain TCP is only accepted from this machine; connect with TLS"])
        #expect(try await remote.request("WHOAMI") == ["ERR AUTH login required"])
        #expect(try await remote.request("LANG zh-CN") == ["OK"])
        #expect(try await remote.request("AUTH admin \(TestServer.adminPassword)")
                == ["ERR DENIED 明文 TCP 上的 AUTH 只接受来自本机的连接；请用 TLS 连接"])
        // The console shows it as a login failure.
        let console = try await ChildProcess.console(["--host", external, "--port", "\(server.port)", "--lang", "en",
                                                      "--auth", "admin", "-c", "WHOAMI"],
                                                     environment: ["DOSSIER_PASSWORD": TestServer.adminPassword])
        #expect(console.status == 3)
        #expect(console.error.contains("ERR DENIED AUTH over plain TCP"), "\(console.error)")
        // Loopback stays plain.
        #expect(try await server.admin().request("WHOAMI") == ["OK admin role=admin dept=HQ"])
        try await server.shutdown()

        // --allow-plaintext: the operator's choice.
        let allowing = try await TestServer { $0.host = "0.0.0.0"; $0.transportSecurity = .plaintext(allowPlaintext: true) }
        let allowed = try await LineClient(host: external, port: allowing.port)
        _ = try await allowed.readLine()
        #expect(try await allowed.request("AUTH admin \(TestServer.adminPassword)") == ["OK admin role=admin dept=HQ"])
        try await allowing.shutdown()

        // With TLS every address may log in.
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let tls = try await tlsServer(certificates) { $0.host = "0.0.0.0" }
        let secure = try await ChildProcess.console(["--host", "localhost", "--port", "\(tls.port)", "--ca", certificates.ca,
                                                     "--auth", "admin", "-c", "WHOAMI"],
                                                    environment: ["DOSSIER_PASSWORD": TestServer.adminPassword])
        #expect(secure.status == 0, "\(secure.error)")
        try await tls.shutdown()
    }

    /// `--plain-listen`: beside the TLS port, a plain one for local tools, with
    /// the plain-TCP rule for `AUTH`; graceful shutdown closes both.
    @Test func plainListenerBesideTLS() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let plainPort = try LineClient.freePort()
        let server = try await tlsServer(certificates) { $0.plainListen = ("0.0.0.0", plainPort) }
        let secure = try await TLSLineClient(port: server.port, caFile: certificates.ca)
        #expect(try await secure.readLine()?.hasPrefix("OK DOSSIER/1") == true)
        #expect(try await secure.request("AUTH admin \(TestServer.adminPassword)") == ["OK admin role=admin dept=HQ"])
        let local = try await LineClient(port: plainPort)
        #expect(try await local.readLine()?.hasPrefix("OK DOSSIER/1") == true)
        #expect(try await local.request("AUTH admin \(TestServer.adminPassword)") == ["OK admin role=admin dept=HQ"])
        if let external = Self.externalAddress() {
            let remote = try await LineClient(host: external, port: plainPort)
            _ = try await remote.readLine()
            #expect(try await remote.request("AUTH admin \(TestServer.adminPassword)").first?.hasPrefix("ERR DENIED") == true)
        }
        let stopping = Task { try await server.shutdown() }
        #expect(try await local.readLine() == "ERR SHUTDOWN server is stopping")
        #expect(try await local.readLine() == nil)
        #expect(try await secure.readLine() == "ERR SHUTDOWN server is stopping")
        #expect(try await secure.readLine() == nil)
        try await stopping.value
        await #expect(throws: (any Error).self) { _ = try await LineClient(port: plainPort) }
    }

    /// `dossierd serve --tls-cert/--tls-key` as an operator runs it, with the
    /// console and a SIGTERM; a key of another certificate stops it at once.
    @Test func serveWithTLSFromTheCommandLine() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let unreachable = "host=/nonexistent-dossier-socket port=1 dbname=dossier connect_timeout=1"
        let wrong = try DaemonProcess(arguments: [
            "serve", "--database-url", unreachable, "--listen", "127.0.0.1:\(try LineClient.freePort())",
            "--tls-cert", certificates.serverCert, "--tls-key", certificates.misnamedKey,
        ])
        #expect(await wrong.waitForExit() == 64, "\(wrong.text)")
        #expect(wrong.text.contains("cannot use --tls-cert/--tls-key: cannot use \(certificates.serverCert) with"), "\(wrong.text)")
        #expect(!wrong.text.contains("nonexistent-dossier-socket"), "stopped before the database")
        let half = try DaemonProcess(arguments: ["serve", "--tls-cert", certificates.serverCert])
        #expect(await half.waitForExit() == 64)
        #expect(half.text.contains("--tls-cert and --tls-key go together"), "\(half.text)")
        let plainTwice = try DaemonProcess(arguments: ["serve", "--plain-listen", "127.0.0.1:7879"])
        #expect(await plainTwice.waitForExit() == 64)
        #expect(plainTwice.text.contains("--plain-listen is for a daemon with --tls-cert"), "\(plainTwice.text)")

        let database = try MigratedDatabase.create()
        let daemon = try database.daemon()
        _ = try Bootstrap.run(daemon, adminLogin: "admin", password: TestServer.adminPassword)
        daemon.close()
        let port = try LineClient.freePort(), plainPort = try LineClient.freePort()
        let serve = try DaemonProcess(arguments: [
            "serve", "--database-url", database.daemonConninfo, "--listen", "127.0.0.1:\(port)", "--no-jobs",
            "--tls-cert", certificates.serverCert, "--tls-key", certificates.serverKey, "--plain-listen", "127.0.0.1:\(plainPort)",
        ])
        #expect(await serve.waitForOutput(containing: "listening"), "\(serve.text)")
        let run = try await ChildProcess.console(["--port", "\(port)", "--ca", certificates.ca, "--auth", "admin", "-c", "WHOAMI"],
                                                 environment: ["DOSSIER_PASSWORD": TestServer.adminPassword])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "OK admin role=admin dept=HQ\n")
        let client = try await TLSLineClient(port: port, caFile: certificates.ca)
        #expect(try await client.readLine() == "OK DOSSIER/1 dossierd ready")
        let local = try await ChildProcess.console(["--port", "\(plainPort)", "-c", "PING"])
        #expect(local.status == 0 && local.output == "OK PONG\n", "\(local.error)")
        serve.terminate()
        #expect(try await client.readLine() == "ERR SHUTDOWN server is stopping")
        #expect(try await client.readLine() == nil)
        #expect(await serve.waitForExit() == 0, "\(serve.text)")
    }

    @Test func certificateAndKeyProblemsAreClear() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        #expect(throws: TransportSecurity.Failure.self) {
            _ = try TransportSecurity.tls(certificateFile: certificates.directory.appendingPathComponent("none.pem").path,
                                      keyFile: certificates.serverKey)
        }
        // The key of another certificate.
        do {
            _ = try TransportSecurity.tls(certificateFile: certificates.serverCert, keyFile: certificates.misnamedKey)
            Issue.record("a key that does not belong to the certificate was accepted")
        } catch {
            #expect("\(error)".hasPrefix("cannot use \(certificates.serverCert) with \(certificates.misnamedKey)"), "\(error)")
        }
    }
}

/// A TLS client that sends PINGs and never reads, until a send would block.
final class TLSFlood: @unchecked Sendable {
    private let socket: SocketStream
    private let stream: TLSStream

    init(port: Int, caFile: String) throws {
        socket = try SocketStream.open(host: "127.0.0.1", port: port)
        stream = try TLSStream(over: socket, host: "127.0.0.1", port: port, settings: try TLSClientSettings(caFile: caFile))
        // The greeting completes the handshake.
        while case .bytes(let bytes) = try stream.receive(wait: true), !bytes.contains(UInt8(ascii: "\n")) {}
        socket.setNonBlocking()
    }

    /// The bytes sent before the kernel's buffers filled up (at most 512 MiB).
    func sendUntilBlocked() -> Int {
        let chunk = Array(String(repeating: "PING\n", count: 10_000).utf8)
        var sent = 0
        while sent < 512 << 20 {
            guard (try? stream.send(chunk)) != nil else { break }
            sent += chunk.count
        }
        return sent
    }
}
