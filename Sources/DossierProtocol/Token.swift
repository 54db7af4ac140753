/// One argument of a request or one field of a data line, after unquoting.
public enum Token: Hashable, Sendable {
    /// A bare or quoted word, e.g. `D17` or `"销售合同 2026"`.
    case positional(String)
    /// `key=value`, split at the first `=`; `value` may have been quoted.
    case keyValue(key: String, value: String)
}
