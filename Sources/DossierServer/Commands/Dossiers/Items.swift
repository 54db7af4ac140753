import DossierDomain
import DossierProtocol
import Postgres

/// `ITEM ADD`, `ITEM LIST`: the items (卷内文件) of a dossier. Items are added
/// while the dossier is a draft; afterwards only through approved edits.
enum Items {
    static func add(_ command: ItemAdd, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection, lock: true)
        try dossier.requireOwner(actor, toDo: "add items")
        try dossier.requireStatus("draft", toDo: "add items")
        let number = try connection.query("""
            INSERT INTO items (dossier_id, item_no, title, pages, medium, location, uri, sha256,
                               signed_customer, signed_internal, added_by)
            SELECT $1::int8, coalesce(max(item_no), 0) + 1, $2::text, $3::int4, $4::text, $5::text, $6::text, $7::text,
                   $8::bool, $9::bool, $10::int8
              FROM items WHERE dossier_id = $1::int8
            RETURNING item_no
            """, [dossier.id, command.title, command.pages ?? 0, (command.medium ?? .paper).rawValue, command.location ?? "",
                  command.uri, command.sha256?.description, command.signedCustomer ?? false, command.signedInternal ?? false,
                  actor.userID]).firstRow().decode("item_no", as: Int.self)
        try Audit.record(connection, action: "item.add", target: dossier.reference, detail: "item \(number)")
        return .ok(String(number))
    }

    static func list(_ ref: DossierRef, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(ref, on: connection)
        try dossier.requireContent(reading: actor)
        let rows = try connection.query("""
            SELECT item_no, title, pages, medium, location, coalesce(uri, '') AS uri, coalesce(sha256, '') AS sha256,
                   signed_customer, signed_internal
              FROM items WHERE dossier_id = $1::int8 ORDER BY item_no
            """, [dossier.id]).rows.map { row -> Row in
            var out = Row()
            out.append("item", String(try row.decode("item_no", as: Int.self)))
            out.append("title", try row.decode("title", as: String.self))
            out.append("pages", String(try row.decode("pages", as: Int.self)))
            out.append("medium", try row.decode("medium", as: String.self))
            out.append("location", try row.decode("location", as: String.self))
            out.append("uri", try row.decode("uri", as: String.self))
            out.append("sha256", try row.decode("sha256", as: String.self))
            out.append("signed_customer", try row.decode("signed_customer", as: Bool.self))
            out.append("signed_internal", try row.decode("signed_internal", as: Bool.self))
            return out
        }
        // A read of the dossier's content, logged like DOSSIER SHOW (RULES.md "Dossiers").
        try Audit.record(connection, action: "item.list", target: dossier.reference)
        return .rows(rows)
    }
}
