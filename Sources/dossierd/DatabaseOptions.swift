import ArgumentParser
import Foundation

/// Where the database is: `--database-url`, else `DOSSIER_DATABASE_URL`, else
/// libpq's own `PG*` variables, else the embedded private cluster.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL or conninfo (default: $DOSSIER_DATABASE_URL, then PG* variables, then an embedded cluster).")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Data directory of the embedded cluster, used when no database is configured.")
    var dataDirectory: String = "./.dossier"

    enum Target: Equatable {
        case conninfo(String)
        case embedded(dataDirectory: String)
    }

    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> Target {
        if let databaseURL, !databaseURL.isEmpty { return .conninfo(databaseURL) }
        if let url = environment["DOSSIER_DATABASE_URL"], !url.isEmpty { return .conninfo(url) }
        let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"]
        if libpqVariables.contains(where: { environment[$0]?.isEmpty == false }) {
            return .conninfo("")  // libpq reads PG* itself
        }
        let absolute = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        return .embedded(dataDirectory: absolute)
    }
}
