import DossierPrivacy
import DossierServer
import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport

/// `dossierd keys rotate`: every customer's data key re-wrapped under the new
/// master key and the blind indexes recomputed, in batches, resumable, while
/// commands keep reading and writing the same customers.
@Suite struct KeyRotationTests {
    /// Runs blocking libpq work on a thread of its own (not the cooperative pool).
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func phone(_ n: Int) -> String { "1370000" + String(format: "%04d", n) }

    @Test func rotationWhileCommandsRun() async throws {
        // Customers sealed by daemons that have only the first key.
        let first = try await TestServer()
        let company = try await Company(first)
        let setup = try await company.client("li.na")
        var expected: [String: String] = [:]
        for n in 0..<30 {
            let answer = try await setup.request("CUSTOMER NEW name=旋转客户\(n) kind=person consent_on=2026-11-01 phone=\(Self.phone(n))")
            let number = try #require(answer.first?.firstMatch(of: /^OK (C-\d{4}-\d{5,})$/).map { String($0.1) }, "\(answer)")
            expected[number] = Self.phone(n)
        }
        try await first.shutdown()

        // The operator adds a key; the daemons restart with both, the new one current.
        let server = try await TestServer(database: first.database) { $0.personalData = PersonalData(keyring: TestDataKeys.both) }
        let rotation = PersonalData(keyring: TestDataKeys.both)
        let database = server.database
        func keyUse() throws -> [String: Int] {
            let sql = try database.admin()
            defer { sql.close() }
            return Dictionary(uniqueKeysWithValues: try sql.query("SELECT key_id, count(*)::int8 AS n FROM dossier.customer_keys GROUP BY 1").rows
                .map { (try $0.decode("key_id", as: String.self), try $0.decode("n", as: Int.self)) })
        }
        #expect(try keyUse() == ["ktest-a": 30])
        let rep = try await server.client(as: "li.na", password: Company.password)
        let manager = try await server.client(as: "mgr.sh", password: Company.password)

        // One batch, then commands on rotated and not yet rotated customers, a
        // new customer (under the new key), then the rest: resumable.
        let conninfo = database.daemonConninfo
        // Each run of the rotation on a connection of its own, as `dossierd keys rotate` does.
        @Sendable func rotate(maxBatches: Int? = nil) throws -> Int {
            let daemon = try PostgresConnection(conninfo: conninfo)
            defer { daemon.close() }
            return try DataKeyMaintenance.rotate(rotation, batch: 5, maxBatches: maxBatches, on: daemon)
        }
        #expect(try await Self.onThread { try rotate(maxBatches: 1) } == 5)
        #expect(try keyUse() == ["ktest-a": 25, "ktest-b": 5])
        let numbers = expected.keys.sorted()
        for (index, number) in [numbers[0], numbers[29]].enumerated() {
            let phone = "1391111000\(index)"
            #expect(try await manager.request("CUSTOMER SET \(number) phone=\(phone) reason=更新").first?.hasSuffix(" applied") == true)
            expected[number] = phone
        }
        let fresh = try #require(try await rep.request("CUSTOMER NEW name=新客户 kind=person consent_on=2026-11-30 phone=13922220000").first)
        expected[String(fresh.dropFirst(3))] = "13922220000"

        // The rest, while a client keeps changing and reading the same customers.
        let stop = Atomic<Bool>(false)
        let writes = Mutex<[String: String]>([:])
        let writer = Task {
            var round = 0
            while !stop.load(ordering: .relaxed) && round < 60 {
                let number = numbers[round % numbers.count]
                let phone = "1365555" + String(format: "%04d", round)
                let answer = try await manager.request("CUSTOMER SET \(number) phone=\(phone) reason=轮换中更新")
                guard answer.first?.hasSuffix(" applied") == true else { throw LineClient.Failure(description: "\(answer)") }
                writes.withLock { $0[number] = phone }
                let shown = try await rep.request("CUSTOMER SHOW \(number)").first ?? ""
                guard shown.contains("phone=\(phone)") else { throw LineClient.Failure(description: "read back: \(shown)") }
                round += 1
            }
            return round
        }
        let rotated = try await Self.onThread { try rotate() }
        stop.store(true, ordering: .relaxed)
        let rounds = try await writer.value
        print("rotation: \(rotated) customers in batches of 5 while \(rounds) changes and reads ran")
        #expect(rotated == 25)
        for (number, phone) in writes.withLock({ $0 }) { expected[number] = phone }
        // Rerunning finds nothing left: everything is under the new key.
        #expect(try await Self.onThread { try rotate() } == 0)
        #expect(try keyUse() == ["ktest-b": 31], "30 rotated and the new one (the fixture's two customers have no sealed data)")

        // Every value opens, and is found by its (recomputed) blind index.
        for (number, phone) in expected {
            #expect(try await rep.request("CUSTOMER SHOW \(number)").first?.contains("phone=\(phone)") == true, "\(number)")
            #expect(try await rep.request("CUSTOMER FIND \(phone)").contains { $0.contains("id=\(number)") }, "\(number) by \(phone)")
        }
        try await server.shutdown()

        // The old key can go: a daemon with only the new one reads everything.
        let onlyNew = try DataKeyring(text: TestDataKeyFile.secondLine)
        let check = try database.daemon()
        defer { check.close() }
        try DataKeyMaintenance.verify(onlyNew, on: check)
        let last = try await TestServer(database: database) { $0.personalData = PersonalData(keyring: onlyNew) }
        let reader = try await last.client(as: "li.na", password: Company.password)
        for (number, phone) in expected.prefix(5) {
            #expect(try await reader.request("CUSTOMER SHOW \(number)").first?.contains("phone=\(phone)") == true, "\(number)")
        }
        try await last.shutdown()
    }
}

/// `dossierd keys …` as an operator runs them.
@Suite struct KeysCommandTests {
    @Test func statusAddRotateAndEncryptExisting() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        for n in 0..<5 {
            _ = try await rep.request("CUSTOMER NEW name=命令客户\(n) kind=person consent_on=2026-11-01 phone=1350000000\(n)")
        }
        try await server.shutdown()
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("keys-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        FileManager.default.createFile(atPath: keyFile, contents: Data((TestDataKeyFile.firstLine + "\n").utf8))
        let url = ["--database-url", server.database.daemonConninfo, "--data-key-file", keyFile]
        func run(_ arguments: [String]) async throws -> (Int32?, String) {
            let process = try DaemonProcess(arguments: ["keys"] + arguments + url)
            return (await process.waitForExit(seconds: 120), process.text)
        }

        var (status, text) = try await run(["status"])
        #expect(status == 0 && text.contains("ktest-a (current)\tcustomers=5"), "\(text)")
        (status, text) = try await run(["add"])
        let added = try #require(text.firstMatch(of: /added key (k[0-9a-f]{8})/).map { String($0.1) }, "\(text)")
        (status, text) = try await run(["rotate", "--batch", "2", "--max-batches", "1"])
        #expect(status == 0 && text.contains("2 customers moved to key \(added)"), "\(text)")
        (status, text) = try await run(["status"])
        #expect(text.contains("ktest-a\tcustomers=3") && text.contains("\(added) (current)\tcustomers=2"), "\(text)")
        (status, text) = try await run(["rotate"])
        #expect(status == 0 && text.contains("3 customers moved"), "\(text)")
        (status, text) = try await run(["status"])
        #expect(text.contains("ktest-a\tcustomers=0") && text.contains("\(added) (current)\tcustomers=5"), "\(text)")
        (status, text) = try await run(["encrypt-existing"])
        #expect(status == 0 && text.contains("encrypted the personal data of 2 customers"), "\(text): the fixture's two get keys")

        // Without the file that belongs to the database: refused, saying why.
        let strange = keyFile + ".other"
        defer { try? FileManager.default.removeItem(atPath: strange) }
        FileManager.default.createFile(atPath: strange, contents: Data("kx \(Data(repeating: 9, count: 32).base64EncodedString())\n".utf8))
        let refused = try DaemonProcess(arguments: ["keys", "status", "--database-url", server.database.daemonConninfo,
                                                    "--data-key-file", strange])
        #expect(await refused.waitForExit(seconds: 120) != 0)
        #expect(refused.text.contains("which the data key file lacks"), "\(refused.text)")
    }
}
