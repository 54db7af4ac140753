/// A dossier category (RULES.md, "Dossiers"); the raw value is the two-letter code.
public enum Category: String, WireEnum {
    /// 合同
    case contract = "HT"
    /// 报价
    case quotation = "BJ"
    /// 订单
    case order = "DD"
    /// 客户资料
    case customerProfile = "KH"
    /// 信用
    case credit = "XY"
    /// 投诉 / 退货 / 折扣
    case complaint = "TS"
    /// 活动
    case activity = "HD"
    /// 报告
    case report = "BG"
}
