import DossierProtocol
import Foundation
import Postgres
import Testing
import TestSupport

/// 100,000 fuzzed request lines over the protocol, built from the command
/// table (every verb, its keys and values near and past their limits, broken
/// quoting, Chinese and control characters): no reply is `ERR INTERNAL`, and
/// a block of refused commands changes no table.
@Suite struct FuzzTests {
    /// Verbs that would end or reshape the session itself rather than test a command.
    static let skipped: Set<String> = ["AUTH", "QUIT", "FORMAT", "USER PASSWD", "USER LEAVE"]

    @Test func hundredThousandFuzzedLinesNoInternalNoChangeFromRefusals() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        // Something to find: a filed dossier and a draft.
        let rep = try await company.client("li.na")
        _ = try await rep.request("DOSSIER NEW customer=C-2026-00001 category=HT title=合同")
        _ = try await rep.request("ITEM ADD D1 title=正本 pages=3 medium=paper")
        let logins = ["admin", "li.na", "mgr.sh", "arc.sh"]
        let perClient = Int(ProcessInfo.processInfo.environment["DOSSIER_FUZZ_LINES"] ?? "") ?? 25_000
        let snapshot = try Snapshot(server.database)
        // One client at a time, so a block's snapshot sees only its own commands.
        var results = FuzzTally()
        for (index, login) in logins.enumerated() {
            let client = login == "admin" ? try await server.admin() : try await company.client(login)
            var generator = SplitMix64(seed: UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
            var sent = 0
            while sent < perClient {
                let lines = (0..<100).map { _ in FuzzLine.make(using: &generator) }
                let before = try snapshot.take()
                try await client.send(bytes: Array(lines.map { $0 + "\n" }.joined().utf8))
                var changedSomething = false
                for (position, line) in lines.enumerated() {
                    let response: [String]
                    do {
                        response = try await client.readResponse()
                    } catch {
                        Issue.record("no answer to line \(position) of a block as \(login): \(line.prefix(300)) (after: \(lines.prefix(position).suffix(3).map { $0.prefix(120) }))")
                        throw error
                    }
                    guard let last = response.last else { continue }
                    results.count(last, for: line)
                    if last.hasPrefix("OK") && !FuzzLine.isRead(line) { changedSomething = true }
                }
                // Refused commands and reads only: no table but the audit log may have changed.
                if !changedSomething {
                    results.checkedBlocks += 1
                    if try snapshot.take() != before {
                        results.changedByRefusals.append(String(lines.joined(separator: " | ").prefix(300)))
                    }
                }
                sent += lines.count
            }
        }
        print("fuzz: \(results.lines) lines; replies \(results.summary); \(results.checkedBlocks) all-refused blocks checked unchanged")
        #expect(results.lines == logins.count * perClient)
        #expect(results.internalErrors.isEmpty, "\(results.internalErrors.prefix(5))")
        #expect(results.changedByRefusals.isEmpty, "\(results.changedByRefusals.prefix(3))")
        #expect(try await server.admin().request("PING") == ["OK PONG"])
        try await server.shutdown()
    }
}

/// Every table's visible rows, summarised: their count and newest `xmin`.
/// A rolled-back write leaves neither changed. The audit tables are left out:
/// successful reads write there (and refused commands writing nothing there is
/// `AuditTests`' subject).
struct Snapshot: Sendable {
    let conninfo: String

    init(_ database: MigratedDatabase) throws { conninfo = database.adminConninfo }

    func take() throws -> String {
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        return try connection.query("""
            SELECT string_agg(c.relname || ':' || (xpath('/row/v/text()', query_to_xml(
                       format('SELECT count(*) || ''/'' || coalesce(max(xmin::text::bigint), 0) AS v FROM %I.%I', n.nspname, c.relname),
                       false, true, '')))[1]::text, ',' ORDER BY c.relname) AS state
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'dossier' AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'audit%'
            """).firstRow().decode("state", as: String.self)
    }
}

struct FuzzTally: Sendable {
    var lines = 0
    var codes: [String: Int] = [:]
    var internalErrors: [String] = []
    var changedByRefusals: [String] = []
    var checkedBlocks = 0

    mutating func count(_ reply: String, for line: String) {
        lines += 1
        let code = reply.hasPrefix("OK") ? "OK" : String(reply.split(separator: " ").prefix(2).joined(separator: " "))
        codes[code, default: 0] += 1
        if reply.hasPrefix("ERR INTERNAL") { internalErrors.append("\(line.prefix(200)) → \(reply)") }
    }

    mutating func merge(_ other: FuzzTally) {
        lines += other.lines
        codes.merge(other.codes, uniquingKeysWith: +)
        internalErrors += other.internalErrors
        changedByRefusals += other.changedByRefusals
        checkedBlocks += other.checkedBlocks
    }

    var summary: String { codes.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}

/// One fuzzed line: a verb of the command table with values drawn near and
/// past the limits of each argument's kind, sometimes mangled.
enum FuzzLine {
    static let verbs = CommandTable.all.filter { !FuzzTests.skipped.contains($0.name) }

    /// Verbs that change nothing but the audit log (logged reads) when they succeed.
    static func isRead(_ line: String) -> Bool {
        let words = line.uppercased().split(separator: " ").prefix(2).map(String.init)
        guard let first = words.first else { return true }
        if ["PING", "HELP", "WHOAMI", "STATS", "TODO"].contains(first) { return true }
        guard words.count == 2 else { return false }
        return ["LIST", "SHOW", "FIND", "HISTORY", "RULES", "REPORT", "DUE"].contains(words[1])
    }

    static func make(using generator: inout SplitMix64) -> String {
        let spec = verbs.randomElement(using: &generator)!
        var tokens = spec.words
        for positional in spec.positionals where Int.random(in: 0..<10, using: &generator) < 9 {
            tokens.append(value(positional.kind, using: &generator))
        }
        for key in spec.keys where Int.random(in: 0..<10, using: &generator) < (key.isRequired ? 9 : 4) {
            tokens.append("\(key.key)=\(value(key.kind, using: &generator))")
        }
        for field in spec.changeFields where Int.random(in: 0..<10, using: &generator) < 3 {
            tokens.append("\(field.field)=\(value(field.kind, using: &generator))")
        }
        switch Int.random(in: 0..<20, using: &generator) {
        case 0: tokens.shuffle(using: &generator)
        case 1: tokens.append(junk(using: &generator))
        case 2: if tokens.count > 1 { tokens.remove(at: Int.random(in: 0..<tokens.count, using: &generator)) }
        case 3: tokens[0] = tokens[0].lowercased()
        case 4: tokens.append("\(tokens.last ?? "x")")
        default: break
        }
        // A blank line gets no answer at all (PROTOCOL.md), which would leave the block
        // one answer short: e.g. `LANG ""` with the verb removed.
        let line = tokens.joined(separator: " ")
        return line.allSatisfy { $0 == " " || $0 == "\t" } ? "PING" : line
    }

    static func value(_ kind: ValueKind, using generator: inout SplitMix64) -> String {
        if Int.random(in: 0..<12, using: &generator) == 0 { return junk(using: &generator) }
        let choices: [String]
        switch kind {
        case .text, .limitedText:
            choices = ["合同", "x", "\"2026 年度 框架合同\"", String(repeating: "长", count: 201), String(repeating: "a", count: 501),
                       String(repeating: "b", count: 2_000), "“合同 二期”", "\"\"", "''", "\\", "a=b", "\"unterminated"]
        case .secret: choices = ["pw", String(repeating: "p", count: 300)]
        case .word: choices = ["DOSSIER", "NEW", "NOPE", "loan"]
        case .login: choices = ["li.na", "mgr.sh", "arc.sh", "admin", "nobody", "LI.NA", String(repeating: "l", count: 300)]
        case .department: choices = ["SH", "BJ", "HQ", "ZZ", "sh", String(repeating: "D", count: 100)]
        case .customer: choices = ["C-2026-00001", "C-2026-00002", "C-9999-99999", "C-2026-1", "C-0000-00000", "C-2026-999999999999"]
        case .ref: choices = ["D1", "D2", "D0", "D999999999999", "D99999999999999999999", "SH-HT-2026-0001", "SH-XX-2026-0001"]
        case .approval: choices = ["A1", "A2", "A0", "A99999999999999999999"]
        case .loan: choices = ["L1", "L0", "L99999999999999999999"]
        case .penalty: choices = ["P1", "P0", "P99999999999999999999"]
        case .grant: choices = ["G1", "G0", "G99999999999999999999"]
        case .handover: choices = ["H1", "H0", "H99999999999999999999"]
        case .visit: choices = ["V1", "V2", "V0", "V99999999999999999999"]
        case .inspection: choices = ["I1", "I0", "I99999999999999999999"]
        case .dateRange: choices = ["2026-11-30", "2026-02-15..2026-02-21", "2026-02-21..2026-02-15", "2026-01-01..2027-12-31", "2026-02-30..2026-03-01"]
        case .timeZone: choices = ["Asia/Shanghai", "UTC", "Asia/Kolkata", "Mars/Base", "Etc/GMT+12", String(repeating: "z", count: 65)]
        case .ruleCode: choices = ["LATE_FILING", "OVERDUE_LOAN", "STALE_CUSTOMER", "NOPE", "late_filing"]
        case .creditCode: choices = ["91350100M000100Y43", "91350100M000100Y44", "123"]
        case .idNumber: choices = ["11010519491231002X", "11010519491231002x", "110105194912310021", "123"]
        case .sha256: choices = [String(repeating: "ab", count: 32), "zz"]
        case .cursor: choices = ["abc", "MTIz", "D1", "C-2026-00001"]
        case .date: choices = ["2026-11-30", "2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "1900-01-01", "2100-01-01"]
        case .month: choices = ["2026-11", "2026-13", "0000-00", "9999-12"]
        case .timeBound: choices = ["2026-11-30", "2026-11-30T10:00:00+08:00", "9999-12-31T23:59:59Z", "tomorrow"]
        case .money: choices = ["0", "0.01", "999999999999999.99", "1000000000000", "-1", "1.234", "abc"]
        case .creditAmount: choices = ["0", "0.01", "1000.5", "1000000000.00", "1000000000.01", "-1", "1.234", "abc"]
        case .creditTarget: choices = ["C-2026-00001", "R1", "R0", "RP1", "R99999999999999999999", "x"]
        case .repaymentInterval: choices = ["month", "30d", "30", "0d", "367d", "week"]
        case .yesNo: choices = ["yes", "no", "maybe"]
        case .integer(let range): choices = ["\(range.lowerBound)", "\(range.upperBound)", "\(range.upperBound + 1)", "-1", "999999999", "1e3"]
        case .choice(let spellings): choices = spellings + ["bogus", ""]
        }
        return choices.randomElement(using: &generator)!
    }

    static func junk(using generator: inout SplitMix64) -> String {
        let alphabet = Array("aZ09=\"'\\ \t“”＝，。中文档案\u{7F}\u{1B}\u{200B}-_.")
        let length = Int.random(in: 1...40, using: &generator)
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
