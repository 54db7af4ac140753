import DossierDomain
import DossierProtocol
import Postgres

/// `TODO`: what waits for the caller, most urgent first, each row naming the
/// verb that resolves it. The list is `dossier.todo()` (migration 0031), one
/// SQL section per kind of work, run under the caller's row-level security.
enum TodoList {
    /// TODO's one statement: the whole command (`CommandHandlers.wholeCommand`).
    static let statement = PipelinedStatement("""
        SELECT t.urgency, coalesce(dossier.wire_time(t.due), '') AS due,
               t.what, t.target, t.detail, t.verb
          FROM dossier.todo() t
        """, [])

    /// The rows; `detail` is a sentence for the caller (in their `LANG`), the
    /// other fields are codes, references and verbs.
    static func response(_ answer: PostgresResult) throws -> Response {
        Response.rows(try answer.rows.map { row in
            var out = Row()
            for column in ["urgency", "due", "what", "target", "detail", "verb"] {
                out.append(column, try row.decode(column, as: String?.self) ?? "")
            }
            return out
        }).sentences(["detail"])
    }
}
