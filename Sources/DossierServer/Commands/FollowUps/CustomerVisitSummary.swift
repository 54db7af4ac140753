import DossierProtocol
import Postgres

/// The customer's follow-up visits in `CUSTOMER SHOW`, in a few fields after
/// the details (same visibility: only with the details, and only the visits
/// `followups_read` shows the caller): how many were recorded, the last one,
/// the next open one and how many are overdue. No fields for a customer
/// without visits; the whole history is `FOLLOWUP LIST customer=`.
enum CustomerVisitSummary {
    /// Select-list items of the summary, from the join below.
    static let columns = """
        v.visits_done, v.last_visit, v.last_method, v.last_satisfaction, v.next_visit, v.next_due, v.next_assignee,
        v.visits_overdue
        """

    /// Joined after `customers c` and `customer_details cd` (migration 0067's `customer_visits`).
    static let join = """
        LEFT JOIN LATERAL (
            SELECT s.done::text AS visits_done, s.last_visit, s.last_method, s.last_satisfaction::text AS last_satisfaction,
                   s.next_visit, s.next_due, s.next_assignee, s.overdue::text AS visits_overdue
              FROM dossier.customer_visits(c.id) s
             WHERE cd.customer_id IS NOT NULL) v ON true
        """

    static let fields = ["visits_done", "last_visit", "last_method", "last_satisfaction", "next_visit", "next_due",
                         "next_assignee", "visits_overdue"]

    /// Appends the summary when the customer has visits the caller sees.
    static func append(_ row: PostgresRow, to out: inout Row) throws {
        guard try row.decodeIfPresent("visits_done", as: String.self) != nil else { return }
        for field in fields { out.append(field, try row.decodeIfPresent(field, as: String.self)) }
    }
}
