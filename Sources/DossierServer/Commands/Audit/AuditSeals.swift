import DossierDomain
import DossierProtocol
import Postgres

/// Seals of the audit chains (migration 0022): every chain's head — position
/// and hash — under an HMAC the database cannot compute, each seal chained to
/// the one before by its MAC. Written by the daily `audit-seal` job and by
/// every successful `AUDIT VERIFY`; checked by `AUDIT VERIFY`.
enum AuditSeals {
    /// What the MAC covers: a version tag, the key's id, the heads and the
    /// previous seal's MAC.
    static func message(keyID: String, heads: String, previousMAC: String) -> [UInt8] {
        Array("dossier-audit-seal/1\n\(keyID)\n\(heads)\n\(previousMAC)".utf8)
    }

    /// Seals the heads as they are in this transaction's snapshot; returns the seal's id and MAC (hex).
    @discardableResult
    static func seal(with key: AuditKey, by sealer: String, on connection: PostgresConnection) throws -> (id: Int64, mac: String) {
        let state = try connection.query(
            "SELECT heads, encode(prev_mac, 'hex') AS prev FROM dossier.audit_seal_begin()").firstRow()
        let heads = try state.decode("heads", as: String.self)
        let previous = try state.decode("prev", as: String.self)
        let mac = Hex.string(key.mac(message(keyID: key.id, heads: heads, previousMAC: previous)))
        let id = try connection.query("""
            SELECT dossier.audit_seal_write($1::text, $2::text, $3::text, decode($4::text, 'hex'), decode($5::text, 'hex')) AS id
            """, [sealer, key.id, heads, previous, mac]).firstRow().decode("id", as: Int64.self)
        return (id, mac)
    }

    /// Why the seals do not hold, or nil. Each seal's MAC must be the key's
    /// MAC of what it records and must follow the MAC of the seal before it
    /// (a seal deleted, altered or forged in between breaks this), and the
    /// rows at the last seal's heads must still have the hashes it sealed (a
    /// row rewritten and rehashed up to the head since breaks this). Returns
    /// the number of seals checked as well.
    static func verify(with key: AuditKey, on connection: PostgresConnection) throws -> (seals: Int, broken: String?) {
        let seals = try connection.query("""
            SELECT id, key_id, heads, encode(prev_mac, 'hex') AS prev, encode(mac, 'hex') AS mac FROM dossier.audit_seals()
            """).rows
        var previous = ""
        var lastHeads: (id: Int64, heads: String)?
        for seal in seals {
            let id = try seal.decode("id", as: Int64.self)
            let keyID = try seal.decode("key_id", as: String.self)
            let heads = try seal.decode("heads", as: String.self)
            let prev = try seal.decode("prev", as: String.self)
            let mac = try seal.decode("mac", as: String.self)
            guard prev == previous else { return (seals.count, "seal S\(id) does not follow the seal before it") }
            guard keyID == key.id else { return (seals.count, "seal S\(id) was made with another key (\(keyID))") }
            let expected = Hex.string(key.mac(message(keyID: keyID, heads: heads, previousMAC: prev)))
            guard AuditKey.equal(Array(expected.utf8), Array(mac.utf8)) else {
                return (seals.count, "seal S\(id) is not authentic")
            }
            previous = mac
            lastHeads = (id, heads)
        }
        if let (id, heads) = lastHeads,
           let head = try connection.query("SELECT dossier.audit_seal_check($1::text) AS head", [heads])
               .firstRow().decode("head", as: String?.self) {
            let parts = head.split(separator: ":")
            return (seals.count, "chain \(parts.first ?? "") position \(parts.last ?? "") differs from seal S\(id)")
        }
        return (seals.count, nil)
    }
}
