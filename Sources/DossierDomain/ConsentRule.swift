/// What `CUSTOMER NEW` (and the import) does with a person customer given
/// without the customer's written consent (seed 002: 收集客户信息档案时，应取得
/// 客户的书面同意或授权): `refuse` it, or create it and `flag` it
/// (`consent=missing` in `CUSTOMER SHOW`). `COMPANY SET consent_rule=`.
public enum ConsentRule: String, WireEnum {
    case refuse
    case flag
}
