import Foundation

/// Python with psycopg 3 (PyPI `psycopg[binary]`, installed by
/// deploy/prerequisites.sh): a client library other than the project's own,
/// as a BI tool would use, for tests of direct SQL access.
public enum PythonPsycopg {
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
    }

    /// `$DOSSIER_TEST_PYTHON`, else `python3` on PATH.
    public static var interpreter: String {
        ProcessInfo.processInfo.environment["DOSSIER_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    }

    /// Reads each of `views` (schema `report`) with `conninfo`; prints one JSON
    /// object: view → {"rows": n, "departments": [...] or null}. Exit 0 on success.
    public static let readViewsScript = """
        import json, sys
        import psycopg
        from psycopg import sql
        conninfo, views = sys.argv[1], sys.argv[2].split(",")
        result = {}
        with psycopg.connect(conninfo, connect_timeout=20) as conn:
            for view in views:
                cur = conn.execute(sql.SQL("SELECT * FROM report.{}").format(sql.Identifier(view)))
                names = [d.name for d in cur.description]
                rows = cur.fetchall()
                depts = sorted({r[names.index("department")] for r in rows}) if "department" in names else None
                result[view] = {"rows": len(rows), "departments": depts}
        print(json.dumps(result))
        """

    /// Tries to connect; prints `refused: <message>` and exits 0 when the server refuses, exits 3 if it lets the client in.
    public static let refusedScript = """
        import sys
        import psycopg
        from psycopg import sql
        try:
            psycopg.connect(sys.argv[1], connect_timeout=20).close()
        except psycopg.OperationalError as error:
            print("refused:", str(error).strip())
            sys.exit(0)
        print("connected")
        sys.exit(3)
        """

    /// Runs `script` with `arguments` and returns its exit status and output.
    public static func run(_ script: String, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Decodes the JSON of `readViewsScript`: view → departments seen (nil: the view has none).
    public static func departments(fromJSON output: String) throws -> [String: [String]?] {
        struct Entry: Decodable { let rows: Int; let departments: [String]? }
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        let decoded = try JSONDecoder().decode([String: Entry].self, from: Data(line.utf8))
        return decoded.mapValues(\.departments)
    }
}
