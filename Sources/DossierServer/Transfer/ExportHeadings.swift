import DossierProtocol

/// The column headings of an export in the reader's language. A file is the
/// listing verb's rows (`Export`), so its columns are the protocol's keys;
/// an office that prints 档案目录 or sends 销毁清册 on reads them in Chinese.
/// The values stay as the protocol writes them (codes, references, times).
/// The customer list has the import's Chinese headings already.
public enum ExportHeadings {
    /// Every key the exports' verbs answer with (`TransferTests.expectChineseHeadings` checks it).
    static let chinese: [String: String] = [
        // DOSSIER LIST, DESTRUCTION LIST
        "ref": "档案", "number": "档号", "category": "类别", "dept": "部门", "level": "密级", "scope": "范围",
        "status": "状态", "owner": "负责人", "year": "年度", "title": "题名", "customer": "客户编号",
        "customer_name": "客户名称", "what": "登记内容", "reason": "原因", "method": "销毁方式",
        "requested_by": "申请人", "approved_by": "批准人", "at": "时间", "items": "文件数",
        // ITEM LIST
        "item": "件号", "pages": "页数", "medium": "载体", "location": "存放位置", "uri": "电子文件地址",
        "sha256": "SHA-256 校验值", "signed_customer": "客户签名", "signed_internal": "内部签名",
        // LOAN LIST
        "loan": "借阅单", "borrower": "借阅人", "mode": "借阅方式", "due": "应还时间", "overdue": "逾期",
        "purpose": "用途", "checked_out": "借出时间", "returned": "归还时间", "complete": "归还完整",
        // PENALTY LIST, PENALTY REPORT
        "id": "编号", "user": "人员", "rule": "规则", "occurred": "发生日期", "amount": "金额", "base": "基础金额",
        "qty": "数量", "multiplier": "倍数", "ordinal": "当月第几次", "line": "条线", "count": "次数",
        "waived": "已豁免", "flagged": "绩效扣减",
        // the handover list
        "handover": "移交单", "leaver": "离职人", "successor": "接替人", "performed_by": "经办人",
        "kind": "类型", "reference": "移交对象",
    ]

    /// `table` with its headings in `language` (a key without a name stays as it is).
    public static func table(_ table: Export.Table, in language: Language) -> Export.Table {
        guard language == .chinese else { return table }
        return Export.Table(header: table.header.map { chinese[$0] ?? $0 }, rows: table.rows)
    }
}
