/// What an approval request asks for (PROTOCOL.md, "Access, loans, approvals").
public enum ApprovalKind: String, WireEnum {
    case file
    case edit
    case customerEdit = "customer_edit"
    case delete
    case access
    case loan
    case extend
    case destroy
    case waive
}
