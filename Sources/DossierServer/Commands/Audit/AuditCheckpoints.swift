import DossierProtocol
import Logging
import Postgres

/// Checkpoints of verified audit chains (migration 0083): after a
/// verification that found nothing wrong, the last verified row of every
/// chain — position and hash — under an HMAC of the audit key the database
/// does not hold, each checkpoint chained to the one before by its MAC (as
/// `AuditSeals`). An incremental `AUDIT VERIFY` starts from the last one.
enum AuditCheckpoints {
    /// A checkpoint whose MAC holds.
    struct Checkpoint {
        let id: Int64
        let heads: String
        let mac: String
    }

    /// What the MAC covers: a version tag, the key's id, how the rows were
    /// verified, how many, the heads and the previous checkpoint's MAC.
    static func message(keyID: String, mode: String, verified: Int64, heads: String, previousMAC: String) -> [UInt8] {
        Array("dossier-audit-checkpoint/1\n\(keyID)\n\(mode)\n\(verified)\n\(heads)\n\(previousMAC)".utf8)
    }

    /// The last checkpoint, after checking every checkpoint's MAC and its link
    /// to the one before; `ERR CONFLICT` when a checkpoint was altered, forged,
    /// or taken out of the sequence.
    static func last(with key: AuditKey, on connection: PostgresConnection) throws -> Checkpoint? {
        let rows = try connection.query("""
            SELECT id, mode, key_id, heads, verified, encode(prev_mac, 'hex') AS prev, encode(mac, 'hex') AS mac
              FROM dossier.audit_checkpoints()
            """).rows
        var previous = ""
        var last: Checkpoint?
        for row in rows {
            let id = try row.decode("id", as: Int64.self)
            let keyID = try row.decode("key_id", as: String.self)
            let prev = try row.decode("prev", as: String.self)
            let mac = try row.decode("mac", as: String.self)
            let heads = try row.decode("heads", as: String.self)
            guard prev == previous else { throw ProtocolError(.conflict, "checkpoint K\(id) does not follow the checkpoint before it") }
            guard keyID == key.id else { throw ProtocolError(.conflict, "checkpoint K\(id) was made with another key (\(keyID))") }
            let expected = Hex.string(key.mac(message(
                keyID: keyID, mode: try row.decode("mode", as: String.self), verified: try row.decode("verified", as: Int64.self),
                heads: heads, previousMAC: prev)))
            guard AuditKey.equal(Array(expected.utf8), Array(mac.utf8)) else {
                throw ProtocolError(.conflict, "checkpoint K\(id) is not authentic")
            }
            previous = mac
            last = Checkpoint(id: id, heads: heads, mac: mac)
        }
        return last
    }

    /// Why the rows a checkpoint names no longer hold (one missing, or with
    /// another hash: rewritten and rehashed up to it), or nil.
    static func differs(_ checkpoint: Checkpoint, on connection: PostgresConnection) throws -> ProtocolError? {
        guard let head = try connection.query("SELECT dossier.audit_seal_check($1::text) AS head", [checkpoint.heads])
            .firstRow().decode("head", as: String?.self) else { return nil }
        let parts = head.split(separator: ":")
        return ProtocolError(.conflict, "chain \(parts.first ?? "") position \(parts.last ?? "") differs from checkpoint K\(checkpoint.id)")
    }

    /// Records the heads just verified after `previous`; nil when another
    /// verification recorded one after it meanwhile (the database keeps one
    /// successor per checkpoint).
    static func record(with key: AuditKey, by verifier: String, full: Bool, verified: Int64, heads: String,
                       after previous: Checkpoint?, logger: Logger?, on connection: PostgresConnection) throws -> Int64? {
        let mode = full ? "full" : "incremental"
        let previousMAC = previous?.mac ?? ""
        let mac = Hex.string(key.mac(message(keyID: key.id, mode: mode, verified: verified, heads: heads, previousMAC: previousMAC)))
        let id = try connection.query("""
            SELECT dossier.audit_checkpoint_write($1::int8, $2::text, $3::text, $4::text, $5::text, $6::int8,
                                                  decode($7::text, 'hex'), decode($8::text, 'hex')) AS id
            """, [previous?.id ?? 0, verifier, mode, key.id, heads, verified, previousMAC, mac]).firstRow().decode("id", as: Int64?.self)
        if let id {
            // Outside the database too, like the seals.
            logger?.notice("audit checkpoint", metadata: ["checkpoint": "K\(id)", "mac": "\(mac)", "by": "\(verifier)", "mode": "\(mode)"])
        }
        return id
    }
}
