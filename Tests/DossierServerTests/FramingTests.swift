import DossierProtocol
import Foundation
import Testing
import TestSupport

/// PROTOCOL.md "Framing", over real sockets.
@Suite struct FramingTests {
    @Test func greetingLineEndingsAndBlankLines() async throws {
        let server = try await TestServer()
        let client = try await LineClient(port: server.port)
        #expect(try await client.readLine() == "OK DOSSIER/1 dossierd ready")
        try await client.send(bytes: Array("PING\r\n\n   \n\t\nping\n".utf8))
        #expect(try await client.readLine() == "OK PONG")
        #expect(try await client.readLine() == "OK PONG")  // blank lines got no answer
        try await server.shutdown()
    }

    @Test func overlongLineIsRefusedAndConnectionStaysUsable() async throws {
        let server = try await TestServer { $0.maximumLineLength = 1024 }
        let client = try await server.client()
        #expect(try await client.request("PING " + String(repeating: "x", count: 2000)) == ["ERR LIMIT line too long"])
        #expect(try await client.request("PING") == ["OK PONG"])
        // Exactly at the limit is fine (then it fails on arguments, not length).
        #expect(try await client.request("HELP " + String(repeating: "y", count: 1019)).last?.hasPrefix("ERR LIMIT") == false)
        try await server.shutdown()
    }

    @Test func oneMebibyteLineWithDefaultLimit() async throws {
        let server = try await TestServer()
        let client = try await server.client()
        try await client.send(bytes: Array(repeating: UInt8(ascii: "A"), count: 1 << 20) + [UInt8(ascii: "\n")])
        #expect(try await client.readLine() == "ERR LIMIT line too long")
        #expect(try await client.request("PING") == ["OK PONG"])
        try await server.shutdown()
    }

    @Test func invalidUTF8AndNULAreSyntaxErrors() async throws {
        let server = try await TestServer()
        let client = try await server.client()
        try await client.send(bytes: [0x50, 0x49, 0xff, 0xfe, 0x0a])
        #expect(try await client.readLine()?.hasPrefix("ERR SYNTAX") == true)
        try await client.send(bytes: Array("PING".utf8) + [0x00] + Array("\n".utf8))
        #expect(try await client.readLine()?.hasPrefix("ERR SYNTAX") == true)
        #expect(try await client.request("PING") == ["OK PONG"])
        try await server.shutdown()
    }

    @Test func thousandPipelinedRequestsAnsweredInOrder() async throws {
        let server = try await TestServer()
        let client = try await server.admin()
        var batch = ""
        for index in 0..<1000 {
            batch += index % 2 == 0 ? "PING\n" : "HELP PING\n"
        }
        try await client.send(bytes: Array(batch.utf8))
        for index in 0..<1000 {
            let response = try await client.readResponse()
            if index % 2 == 0 {
                #expect(response == ["OK PONG"])
            } else {
                #expect(response.count == 2 && response[0].hasPrefix("* verb=PING"), "response \(index): \(response)")
            }
        }
        try await server.shutdown()
    }

    @Test func randomBytesNeverBreakTheServer() async throws {
        let server = try await TestServer()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let client = try await server.client()
            var bytes = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes.append(UInt8(ascii: "\n"))
            try await client.send(bytes: bytes)
            try await client.send("PING")
            // Whatever the noise produced, every answer is a protocol line and PING still works.
            var sawPong = false
            for _ in 0..<10_000 {
                guard let line = try await client.readLine() else { break }
                #expect(line.hasPrefix("OK") || line.hasPrefix("ERR ") || line.hasPrefix("* "), "\(line)")
                if line == "OK PONG" { sawPong = true; break }
            }
            #expect(sawPong)
        }
        #expect(try await server.client().request("PING") == ["OK PONG"])
        try await server.shutdown()
    }

    @Test func lastLineWithoutNewlineIsAnswered() async throws {
        let server = try await TestServer()
        let client = try await server.client()
        try await client.send(bytes: Array("PING".utf8))
        await client.shutdownWrite()
        #expect(try await client.readLine() == "OK PONG")
        try await server.shutdown()
    }

    @Test func clientThatNeverReadsCannotMakeTheServerBuffer() async throws {
        let server = try await TestServer()
        let client = try await server.client()
        // Send PINGs without reading answers until the kernel buffers fill up and
        // a write would block: the server stopped reading instead of buffering.
        await client.setNonBlocking()
        let chunk = Array(String(repeating: "PING\n", count: 10_000).utf8)
        var sent = 0
        while sent < 512 << 20 {
            let written = await client.tryWrite(chunk)
            if written <= 0 { break }
            sent += written
        }
        #expect(sent < 64 << 20, "sent \(sent) bytes without the server pushing back")
        #expect(try await server.client().request("PING") == ["OK PONG"])
        try await server.shutdown()
    }

    @Test func idleConnectionsAreClosed() async throws {
        let server = try await TestServer { $0.idleTimeout = .seconds(1) }
        let client = try await server.client()
        #expect(try await client.readLine() == "ERR LIMIT idle timeout")
        #expect(try await client.readLine() == nil)
        try await server.shutdown()
    }

    @Test func connectionsOverTheLimitAreTurnedAway() async throws {
        let server = try await TestServer { $0.maximumConnections = 2 }
        let first = try await server.client()
        let second = try await server.client()
        let third = try await LineClient(port: server.port)
        #expect(try await third.readLine() == "ERR LIMIT too many connections")
        #expect(try await third.readLine() == nil)
        #expect(try await first.request("PING") == ["OK PONG"])
        #expect(try await second.request("PING") == ["OK PONG"])
        try await server.shutdown()
    }
}
