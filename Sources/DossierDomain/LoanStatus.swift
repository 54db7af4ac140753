/// A loan's state. "Overdue" is not a state: it is `checkedOut` with the due time passed.
public enum LoanStatus: String, WireEnum {
    /// Requested, waiting for approval.
    case pending
    /// Approved, not yet handed out by the archivist.
    case approved
    /// Handed out; the due time runs.
    case checkedOut = "checked_out"
    case returned
    case rejected
    case withdrawn
    /// Closed by the system: its request could no longer be carried out, or
    /// its dossier went away before it was handed out.
    case cancelled
}
