import Postgres

/// Writes the audit row of a command, in the command's own transaction: the
/// actor comes from the transaction's settings (`dossier.audit`).
enum Audit {
    static func record(_ connection: PostgresConnection, action: String, target: String, purpose: String = "", detail: String = "") throws {
        try connection.query("SELECT dossier.audit($1::text, $2::text, $3::text, $4::text)", [action, target, purpose, detail])
    }
}
