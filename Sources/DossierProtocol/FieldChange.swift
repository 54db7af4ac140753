/// A change of one field, as `CUSTOMER SET` and `DOSSIER EDIT` take them.
public protocol FieldChange: Hashable, Sendable {
    /// The wire field name, e.g. `credit_limit`.
    var field: String { get }
    /// The new value in wire form; `""` when the field is cleared. This is what a
    /// change record stores as `new=`.
    var wireValue: String { get }
}
