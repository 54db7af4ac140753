import DossierDomain
import DossierProtocol
import Postgres

/// Charges a penalty, copying what it was computed from (rule amount,
/// quantity, multiplier, ordinal in the month) onto the row, so later rule
/// changes never rewrite it. The monthly counter row is locked by the upsert,
/// so two charges for one user at once cannot both believe they are first.
enum PenaltyLedger {
    static func charge(
        userID: Int64, rule: String, quantity: Int = 1, dossierID: Int64? = nil, loanID: Int64? = nil,
        note: String? = nil, recordedBy: Int64?, on connection: PostgresConnection
    ) throws -> PenaltyID {
        guard let person = try connection.query(
            "SELECT u.dept_id, u.line FROM users u WHERE u.id = $1::int8", [userID]).first,
              let line = StaffLine(rawValue: try person.decode("line", as: String.self)),
              let base = try connection.query(
                "SELECT amount_fen FROM penalty_rules WHERE code = $1::text", [rule]).first?.decode("amount_fen", as: Int64.self)
        else { throw ProtocolError(.internal, "cannot charge \(rule) to user \(userID)") }
        let ordinal = try connection.query("""
            INSERT INTO penalty_month_counts (user_id, month, violations)
            VALUES ($1::int8, date_trunc('month', now())::date, 1)
            ON CONFLICT (user_id, month) DO UPDATE SET violations = penalty_month_counts.violations + 1
            RETURNING violations
            """, [userID]).rows[0].decode("violations", as: Int.self)
        let multiplier = LoanPolicy.isRepeat(ordinalInMonth: ordinal, line: line) ? 2 : 1
        let id = try connection.query("""
            INSERT INTO penalties (user_id, dept_id, rule_code, base_amount_fen, qty, multiplier, amount_fen,
                                   ordinal_in_month, staff_line, occurred_on, dossier_id, loan_id, note, recorded_by)
            VALUES ($1::int8, $2::int8, $3::text, $4::int8, $5::int4, $6::int4, $4::int8 * $5::int4 * $6::int4,
                    $7::int4, $8::text, current_date, $9::int8, $10::int8, $11::text, $12::int8)
            RETURNING id
            """, [userID, try person.decode("dept_id", as: Int64.self), rule, base, quantity, multiplier, ordinal,
                  line.rawValue, dossierID, loanID, note, recordedBy]).rows[0].decode("id", as: Int64.self)
        try Audit.record(connection, action: "penalty.charge", target: "P\(id)", detail: rule)
        return PenaltyID(id)!
    }
}
