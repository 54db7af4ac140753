/// The event a category's retention period is counted from.
public enum RetentionTrigger: String, WireEnum {
    /// The dossier's filing.
    case filed
    /// The customer relationship's end (客户终止合作).
    case closed
}
