import ArgumentParser
import DossierPrivacy
import DossierProtocol
import DossierServer
import Foundation
import Postgres

/// Opens the daemon's own connection (no superuser, no BYPASSRLS) for a command
/// that acts as a user; for the embedded cluster, starts it first and stops it
/// afterwards unless it was running.
func withDaemonConnection<T>(_ database: DatabaseOptions, _ body: (PostgresConnection) throws -> T) throws -> T {
    let conninfo: String
    var started: EmbeddedDatabase?
    switch database.resolve() {
    case .conninfo(let given):
        conninfo = given
    case .embedded(let directory):
        let embedded = EmbeddedDatabase(dataDirectory: directory)
        let wasRunning = (try? embedded.cluster.isRunning()) ?? false
        try embedded.prepare { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if !wasRunning { started = embedded }
        conninfo = embedded.daemonConninfo
    }
    defer { try? started?.stop() }
    do {
        try DaemonPreflight.check(conninfo: conninfo)
    } catch let refusal as DaemonPreflight.Refusal {
        throw ValidationError(refusal.description)
    }
    let connection = try PostgresConnection(conninfo: conninfo)
    defer { connection.close() }
    return try body(connection)
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import data exported from Excel.", subcommands: [ImportCustomers.self])
}

/// `dossierd import customers --file <csv> [--encoding utf-8|gbk|auto] [--dry-run] --as <login>`.
struct ImportCustomers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "Create customers from a CSV customer list (all or nothing; each row checked as CUSTOMER NEW).",
        discussion: """
            Headings in Chinese (客户名称, 统一社会信用代码, 法定代表人, 联系人, 电话, 邮箱, 地址, 行业, 地区, 等级, \
            信用额度, 类型, 负责人, 身份证号码, 银行账号, 同意日期, 同意范围, 同意书) or English (name, credit_code, legal_rep, \
            contact, phone, email, address, industry, region, grade, credit_limit, kind, owner, id_number, bank_account, \
            consent_on, consent_scope, consent_ref). Personal data is encrypted with --data-key-file. Exit status 0: imported (or a clean dry run); 1: rows refused, \
            nothing imported.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The CSV file (Excel: CSV UTF-8, or CSV from Chinese Windows in GBK).")
    var file: String

    @Option(help: "utf-8, gbk or auto (BOM or valid UTF-8, else GBK).")
    var encoding: String = "auto"

    @Flag(name: .customLong("dry-run"), help: "Check every row and list the errors; change nothing.")
    var dryRun = false

    @Option(name: .customLong("as"), help: "The user the customers are created by (and owned by, unless an owner column says otherwise).")
    var login: String

    @OptionGroup var keys: DataKeyOptions

    @OptionGroup var reader: ReaderLanguageOption

    func validate() throws {
        guard TextEncoding(rawValue: encoding) != nil else { throw ValidationError("--encoding must be utf-8, gbk or auto") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let started = ContinuousClock.now
        let outcome: CustomerImport.Outcome
        let personalData = PersonalData(keyring: try keys.require(database))
        do {
            outcome = try withDaemonConnection(database) { connection in
                try CustomerImport.run(
                    bytes: Array(data), encoding: TextEncoding(rawValue: encoding) ?? .auto, dryRun: dryRun, as: login,
                    fileName: (file as NSString).lastPathComponent, personalData: personalData, on: connection)
            }
        } catch let error as CustomerImport.FileError {
            throw ValidationError(error.description)
        } catch let error as ProtocolError {
            throw ValidationError("ERR \(error.code.rawValue) \(error.message)")
        }
        let report = ImportReport(language: reader.language)
        for error in outcome.errors { print(report.line(error)) }
        let elapsed = ContinuousClock.now - started
        print(report.summary(outcome, seconds: String(format: "%.2f s", elapsed.inSeconds)))
        if !outcome.committed && !outcome.errors.isEmpty { throw ExitCode.failure }
    }
}

/// `dossierd export <kind> --as <login> --output <file> [--format csv|xlsx] [--encoding utf-8|gbk] …`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a list as CSV or .xlsx, exactly as the user named with --as sees it over the protocol (audited).",
        discussion: """
            Kinds: register (DOSSIER LIST), items --ref <ref> (ITEM LIST), loans (LOAN LIST), \
            penalties --month YYYY-MM (PENALTY LIST), penalty-report --month YYYY-MM (PENALTY REPORT), \
            destructions [--year YYYY] (DESTRUCTION LIST), handover --leaver <login> (the leaver's latest handover).
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "register, items, loans, penalties, penalty-report, destructions or handover.")
    var kind: String

    @Option(name: .customLong("as"), help: "The user whose view of the data is exported.")
    var login: String

    @Option(help: "The file to write (- for standard output).")
    var output: String

    @Option(help: "csv or xlsx (default: from the output file's extension, else csv).")
    var format: String?

    @Option(help: "CSV only: utf-8 (with BOM, for Excel) or gbk.")
    var encoding: String = "utf-8"

    @Option(help: "items: the dossier (archive number or D<n>).")
    var ref: String?

    @Option(help: "penalties, penalty-report: the month, YYYY-MM.")
    var month: String?

    @Option(help: "destructions: only this year.")
    var year: String?

    @Option(help: "handover: the login of the person who left.")
    var leaver: String?

    @OptionGroup var keys: DataKeyOptions

    /// The column headings' language (en: the protocol's keys).
    @OptionGroup var reader: ReaderLanguageOption

    var resolvedFormat: String { format ?? (output.lowercased().hasSuffix(".xlsx") ? "xlsx" : "csv") }

    func validate() throws {
        guard Export.Kind(rawValue: kind) != nil else {
            throw ValidationError("unknown export \(kind); one of \(Export.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["csv", "xlsx"].contains(resolvedFormat) else { throw ValidationError("--format must be csv or xlsx") }
        guard encoding == "utf-8" || encoding == "gbk" else { throw ValidationError("--encoding must be utf-8 or gbk") }
    }

    func run() throws {
        let request = Export.Request(kind: Export.Kind(rawValue: kind) ?? .register, ref: ref, month: month, year: year, leaver: leaver)
        let fileFormat: Export.Format = resolvedFormat == "xlsx" ? .xlsx : .csv(encoding == "gbk" ? .gbk : .utf8)
        let bytes: [UInt8]
        let count: Int
        // Customers' sensitive fields are exported opened, as CUSTOMER SHOW shows them.
        let personalData = try kind == Export.Kind.customers.rawValue ? PersonalData(keyring: keys.require(database)) : nil
        do {
            (bytes, count) = try withDaemonConnection(database) { connection in
                let table = ExportHeadings.table(try Export.table(request, as: login, personalData: personalData, on: connection),
                                                 in: reader.language)
                return (try Export.encode(table, format: fileFormat, sheetName: kind), table.rows.count)
            }
        } catch let error as ProtocolError {
            throw ValidationError("ERR \(error.code.rawValue) \(error.message)")
        }
        if output == "-" {
            FileHandle.standardOutput.write(Data(bytes))
        } else {
            // Owner-only, like a key file: a customer export holds personal data opened.
            guard SecretFile.write(bytes, to: output) else {
                throw ValidationError("cannot write \(output)")
            }
            print(reader.language == .chinese ? "已写入 \(count) 行：\(output)" : "wrote \(count) rows to \(output)")
        }
    }
}

/// What `import customers` tells the clerk who runs it, in their language:
/// each refused row, with the file's column when the answer is about one,
/// and the protocol's answer (its message translated as the server
/// translates it for `LANG zh-CN`), then what was done.
struct ImportReport {
    let language: Language

    func line(_ error: CustomerImport.RowError) -> String {
        guard language == .chinese else { return error.description }
        // The code stays; the message is translated as the server translates it.
        let column = error.column.map { "（\($0)）" } ?? ""
        return "第 \(error.line) 行\(column)：ERR \(error.refusal.code.rawValue) \(MessageCatalog.translate(error.refusal.message, to: .chinese))"
    }

    func summary(_ outcome: CustomerImport.Outcome, seconds: String) -> String {
        let range = "\(outcome.numbers.first ?? "")…\(outcome.numbers.last ?? "")"
        switch (outcome.committed, outcome.errors.isEmpty, language) {
        case (true, _, .english): return "imported \(outcome.numbers.count) customers \(range) in \(seconds)"
        case (true, _, .chinese): return "已导入 \(outcome.numbers.count) 个客户 \(range)，用时 \(seconds)"
        case (false, true, .english): return "dry run: \(outcome.rows) rows are fine; nothing imported (\(seconds))"
        case (false, true, .chinese): return "试运行：\(outcome.rows) 行均无问题；未导入任何数据（\(seconds)）"
        case (false, false, .english): return "\(outcome.errors.count) of \(outcome.rows) rows refused; nothing imported"
        case (false, false, .chinese): return "\(outcome.rows) 行中有 \(outcome.errors.count) 行被拒绝；未导入任何数据"
        }
    }
}

/// `--lang en|zh-CN` of the commands that write for a person at the terminal
/// (`import`'s report, `export`'s headings); without it, the terminal's locale
/// (`Language.fromLocale`), else English.
struct ReaderLanguageOption: ParsableArguments {
    @Option(name: .customLong("lang"),
            help: "en or zh-CN (default: from LC_ALL, LC_MESSAGES or LANG; zh… is Chinese, else English).")
    var value: String?

    var language: Language {
        value.flatMap(Language.init(rawValue:)) ?? Language.fromLocale(ProcessInfo.processInfo.environment) ?? .english
    }

    func validate() throws {
        guard value.map({ Language(rawValue: $0) != nil }) ?? true else { throw ValidationError("--lang must be en or zh-CN") }
    }
}
