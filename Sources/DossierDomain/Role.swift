/// A user's role (RULES.md, "People and scope").
public enum Role: String, WireEnum {
    /// 销售代表 / 客户经理: owns customers and dossiers.
    case rep
    /// 部门经理: head of one sales office.
    case manager
    /// 档案管理员: keeps the paper, checks loans out and in.
    case archivist
    /// 营销总监 / 总经理: company level.
    case director
    /// 人力资源部: audit log and penalties, never content.
    case auditor
    /// System administrator: directory and rules, no customer data.
    case admin
}
