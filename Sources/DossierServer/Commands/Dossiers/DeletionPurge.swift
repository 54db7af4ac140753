import DossierDomain
import Postgres

/// The end of the deletion grace (RULES.md: restorable for 30 days): dossiers
/// deleted more than 30 days ago lose their content for good. Run by the
/// scheduler's daily job and by `PENALTY SWEEP [date=]`.
enum DeletionPurge {
    /// Purges every deleted dossier whose grace ended before the end of `date`
    /// (nil: now), inside the caller's transaction (opened as the system);
    /// returns how many were purged. Idempotent.
    static func purge(asOf date: CalendarDate?, on connection: PostgresConnection) throws -> Int {
        0  // Not yet: the scheduler work fills this in.
    }
}
