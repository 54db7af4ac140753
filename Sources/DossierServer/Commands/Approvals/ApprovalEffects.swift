import DossierDomain
import DossierProtocol
import Postgres

/// What an approval does when its last step approves it, and what a rejection
/// or withdrawal puts back — per kind, in the deciding transaction.
enum ApprovalEffects {
    /// Returns what the answer should add (`number=<archive number>` for a filing).
    static func apply(_ approval: ApprovalEngine.Pending, actor: Actor, personalData: PersonalData?,
                      on connection: PostgresConnection) throws -> String? {
        switch approval.kind {
        case .file:
            let number = try Filing.approve(dossierID: try target(approval.dossierID), approval: approval, on: connection)
            return "number=\(number)"
        case .edit:
            try DossierEdits.apply(approval, approver: actor, on: connection)
        case .delete:
            try DossierRemoval.apply(approval, on: connection)
        case .access:
            try AccessGrants.apply(approval, on: connection)
        case .customerEdit:
            try CustomerChanges.apply(approval, approver: actor, personalData: personalData, on: connection)
        case .loan, .extend:
            try Loans.approved(approval, on: connection)
        case .destroy:
            try Destruction.apply(approval, on: connection)
        case .waive:
            try Penalties.waived(approval, on: connection)
        }
        return nil
    }

    /// `status`: `rejected` or `withdrawn`.
    static func undo(_ approval: ApprovalEngine.Pending, status: String, on connection: PostgresConnection) throws {
        switch approval.kind {
        case .file:
            // A rejected or withdrawn submission returns to draft.
            try connection.query(
                "UPDATE dossiers SET status = 'draft', submitted_at = NULL, updated_at = now() WHERE id = $1::int8 AND status = 'submitted'",
                [try target(approval.dossierID)])
        case .loan, .extend:
            try Loans.ended(approval, status: status, on: connection)
        case .waive:
            try Penalties.waiverEnded(approval, on: connection)
        case .edit, .customerEdit, .delete, .access, .destroy:
            // Nothing was changed before the approval.
            break
        }
    }

    private static func target(_ id: Int64?) throws -> Int64 {
        guard let id else { throw ProtocolError(.internal, "approval without its target") }
        return id
    }
}
