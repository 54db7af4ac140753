import DossierDomain
import DossierProtocol
import Postgres

/// Customers (客户): the company-wide directory and the details that follow the
/// content rule of the customer's dossiers. (Being written: see issue 4.)
enum Customers {
    static func create(_ command: CustomerNew, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "CUSTOMER NEW is not available in this version")
    }

    static func show(_ number: CustomerNumber, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "CUSTOMER SHOW is not available in this version")
    }

    static func find(_ command: CustomerFind, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "CUSTOMER FIND is not available in this version")
    }

    static func list(_ command: CustomerList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "CUSTOMER LIST is not available in this version")
    }
}
