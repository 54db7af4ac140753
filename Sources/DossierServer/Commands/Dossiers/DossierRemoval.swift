import DossierDomain
import DossierProtocol
import Postgres

/// `DOSSIER DELETE` (through approval) and `DOSSIER RESTORE`: a deleted
/// dossier stays restorable for 30 days; the scheduler purges it afterwards.
/// A legal hold blocks deletion (also enforced by a trigger in the database).
enum DossierRemoval {
    static let grace = "30 days"

    static func request(_ command: RefWithReason, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection, lock: true)
        try dossier.requireManager(actor, toDo: "delete it")
        try dossier.requireStatus("draft", "filed", toDo: "delete")
        try requireNoHold(dossier, on: connection)
        let pending = try connection.query(
            "SELECT 1 FROM approvals WHERE dossier_id = $1::int8 AND kind = 'delete' AND status = 'pending'", [dossier.id])
        guard pending.rows.isEmpty else { throw ProtocolError(.conflict, "\(dossier.reference) already has a pending deletion") }
        let chain = try ApprovalPolicy.chain(for: .delete, dossier.policySubject(actor))
        let approval = try ApprovalEngine.request(
            .delete, chain: chain, departmentID: dossier.departmentID, target: .init(dossierID: dossier.id),
            reason: command.reason, actor: actor, on: connection)
        return .ok("\(approval) pending")
    }

    static func apply(_ approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws {
        guard let dossierID = approval.dossierID else { throw ProtocolError(.internal, "deletion without a dossier") }
        let dossier = try DossierRecord.find(id: dossierID, on: connection, lock: true)
        try dossier.requireStatus("draft", "filed", toDo: "delete")
        try requireNoHold(dossier, on: connection)
        try connection.query("""
            UPDATE dossiers SET status_before_delete = status, status = 'deleted', deleted_at = now(),
                                purge_after = now() + $2::interval, updated_at = now()
             WHERE id = $1::int8
            """, [dossierID, grace])
        try Audit.record(connection, action: "dossier.delete", target: dossier.reference, purpose: approval.reason ?? "")
    }

    static func restore(_ ref: DossierRef, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(ref, on: connection, lock: true)
        try dossier.requireManager(actor, toDo: "restore it")
        try dossier.requireStatus("deleted", toDo: "restore")
        let restored = try connection.query("""
            UPDATE dossiers SET status = status_before_delete, status_before_delete = NULL, deleted_at = NULL,
                                purge_after = NULL, updated_at = now()
             WHERE id = $1::int8 AND purge_after > now()
            """, [dossier.id])
        guard restored.affectedRows == 1 else {
            throw ProtocolError(.conflict, "\(dossier.reference): the \(grace) grace period is over")
        }
        try Audit.record(connection, action: "dossier.restore", target: dossier.reference)
        return .ok()
    }

    static func requireNoHold(_ dossier: DossierRecord, on connection: PostgresConnection) throws {
        let held = try connection.query(
            "SELECT 1 FROM legal_holds WHERE dossier_id = $1::int8 AND released_at IS NULL", [dossier.id])
        guard held.rows.isEmpty else { throw ProtocolError(.conflict, "\(dossier.reference) is on legal hold") }
    }
}
