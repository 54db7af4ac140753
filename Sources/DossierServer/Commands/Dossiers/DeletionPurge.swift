import DossierDomain
import Postgres

/// The end of the deletion grace (RULES.md: restorable for 30 days): dossiers
/// deleted more than 30 days ago lose their content for good. Run by the
/// scheduler's daily job and by `PENALTY SWEEP [date=]`.
///
/// A purged dossier keeps its register card as a tombstone — status `purged`,
/// its number (numbers are never reused), department, category, level, owner
/// and the deletion and purge times — and every row that records its history:
/// audit rows, change history, approvals, loans, holds. Its items and content
/// go, and so do the title and customer copied onto the register card. The
/// customer's own record is not touched: a deletion removes one dossier, not
/// the customer relationship (personal data goes with destruction).
///
/// A dossier under an active legal hold is skipped, not failed: it stays
/// `deleted` (no longer restorable once its grace is over) and is purged by
/// the first run after the hold is released.
enum DeletionPurge {
    /// Purges every deleted dossier whose grace ended before the end of `date`
    /// (nil: now) and before now, inside the caller's transaction (opened as the system);
    /// returns how many were purged. Idempotent.
    static func purge(asOf date: CalendarDate?, on connection: PostgresConnection) throws -> Int {
        // Lock the candidates first and decide in a later statement: a HOLD PLACE
        // or RESTORE that locked a dossier before us has then committed, and the
        // next statement's snapshot sees it (a hold placed after us waits for us
        // and then finds the dossier purged).
        let candidates = try connection.query("""
            SELECT id FROM dossiers
             WHERE status = 'deleted'
               -- Never ahead of the grace, whatever day is asked for.
               AND purge_after <= now()
               AND ($1::date IS NULL OR purge_after < ($1::date + 1)::timestamptz)
             ORDER BY id
               FOR UPDATE
            """, [date?.description]).rows.map { try $0.decode("id", as: Int64.self) }
        guard !candidates.isEmpty else { return 0 }
        let purged = try connection.query("""
            UPDATE dossiers d
               SET status = 'purged', purged_at = now(), updated_at = now(),
                   register_title = NULL, register_customer_id = NULL
             WHERE d.id = ANY ($1::int8[]) AND d.status = 'deleted'
               AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL)
            RETURNING d.id, coalesce(d.number, 'D' || d.id) AS reference
            """, [idArray(candidates)]).rows
            .map { (try $0.decode("id", as: Int64.self), try $0.decode("reference", as: String.self)) }
            .sorted { $0.0 < $1.0 }
        guard !purged.isEmpty else { return 0 }
        let ids = idArray(purged.map(\.0))
        // Items before content: the items' row security looks through the content row.
        try connection.query("DELETE FROM items WHERE dossier_id = ANY ($1::int8[])", [ids])
        try connection.query("DELETE FROM dossier_contents WHERE dossier_id = ANY ($1::int8[])", [ids])
        try connection.query("SELECT dossier.retention_forget($1::int8[])", [ids])
        for (_, reference) in purged {
            try Audit.record(connection, action: "dossier.purge", target: reference)
        }
        return purged.count
    }

    /// A PostgreSQL array literal of ids (`{1,2,3}`), passed as one parameter.
    private static func idArray(_ ids: [Int64]) -> String {
        "{" + ids.map(String.init).joined(separator: ",") + "}"
    }
}
