import Postgres

/// Whether a daemon's audit key is the one the log was sealed with, checked
/// at start (`dossierd serve`), as the data key file is
/// (`DataKeyMaintenance.verify`). A daemon with another key would seal and
/// checkpoint under it, and every `AUDIT VERIFY` would then fail on the
/// earlier seals and checkpoints ("made with another key"): found only when an
/// auditor asks, and typically after a restore onto a new machine, where the
/// embedded default would have made itself a new `audit.key`.
public enum AuditKeyCheck {
    /// Why `serve` does not start.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The id of the key that made the log's latest checkpoint or seal; nil
    /// when nothing was sealed yet.
    public static func sealingKeyID(on connection: PostgresConnection) throws -> String? {
        try connection.query("""
            SELECT coalesce((SELECT k.key_id FROM dossier.audit_checkpoints() k ORDER BY k.id DESC LIMIT 1),
                            (SELECT s.key_id FROM dossier.audit_seals() s ORDER BY s.id DESC LIMIT 1)) AS key_id
            """).rows.first?.decode("key_id", as: String?.self) ?? nil
    }

    /// Before the embedded default makes itself a new `audit.key` (`file`
    /// does not exist): refused for a log sealed before.
    public static func checkBeforeCreating(file: String, sealedWith expected: String?) throws {
        guard let expected else { return }
        throw Refusal(description: """
            the audit log was sealed with audit key \(expected), and \(file) does not exist: put that key there \
            (a restored database needs the audit key of the installation it was backed up from; it is not in a backup), \
            or give it with --audit-key-file; if it is lost for good, start once with --new-audit-key
            """)
    }

    /// Refuses a key that is not the one the log was sealed with. No key at
    /// all is allowed, as before: the log is then not sealed (a warning), and
    /// `AUDIT VERIFY` checks the chains only.
    public static func check(keyID: String?, sealedWith expected: String?) throws {
        guard let expected, let keyID, keyID != expected else { return }
        throw Refusal(description: """
            the audit log was sealed with audit key \(expected), not with this daemon's audit key (\(keyID)): give the \
            same key to every daemon of the database (--audit-key-file, DOSSIER_AUDIT_KEY, or audit.key in the embedded \
            data directory); if it is lost for good, start once with --new-audit-key
            """)
    }
}
