import DossierDomain

/// A code that a row's sentence embeds and that has a name in the sentence's
/// language (`MessageTemplate.termParts`): the sentence reads `借阅申请`, not
/// `loan 申请`. The row's own fields (`kind=`, `flags=`) keep their codes.
public enum SentenceTerm: Hashable, Sendable {
    /// An approval's kind (`loan`).
    case approvalKind
    /// A customer's credit flags, comma-separated (`over_limit, overdue`).
    case creditFlags
    /// What an inspection found of a dossier (`missing`).
    case inspectionFinding

    /// `part` named in Chinese; a word without a name stays as it is.
    func chinese(_ part: String) -> String {
        switch self {
        case .approvalKind:
            return ApprovalKind(rawValue: part).map(Self.chinese) ?? part
        case .creditFlags:
            let flags = part.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingPrefix(" ") }
            return flags.map { CreditFlag(rawValue: String($0)).map(Self.chinese) ?? String($0) }.joined(separator: "、")
        case .inspectionFinding:
            return InspectionFinding(rawValue: part).map(Self.chinese) ?? part
        }
    }

    static func chinese(_ kind: ApprovalKind) -> String {
        switch kind {
        case .file: "归档"
        case .edit: "档案修改"
        case .customerEdit: "客户资料修改"
        case .delete: "删除"
        case .access: "查阅"
        case .loan: "借阅"
        case .extend: "续借"
        case .destroy: "销毁"
        case .waive: "罚款豁免"
        }
    }

    static func chinese(_ flag: CreditFlag) -> String {
        switch flag {
        case .overLimit: "超出信用额度"
        case .overdue: "有逾期欠款"
        }
    }

    static func chinese(_ finding: InspectionFinding) -> String {
        switch finding {
        case .present: "在架"
        case .moved: "位置变动"
        case .missing: "缺失"
        case .damaged: "损坏"
        case .onLoan: "借出中"
        case .unchecked: "未盘点"
        }
    }
}
