extension MessageCatalog {
    /// Sentences the server writes into rows for a person (`Response.sentenceKeys`):
    /// `PENALTY RULES`' `summary`, `TODO`'s `detail` (built by `dossier.todo()`'s sections, migrations 0031,
    /// 0060, 0061, 0063, 0087, 0095) and what stands in a request's way
    /// (`obstacle`, `approval_obstacles`, whose texts are also messages). An
    /// approval's kind, a credit flag and an inspection's finding are named
    /// (`SentenceTerm`: `loan 申请` reads `借阅申请`); other kinds,
    /// references, logins, results, flags, rule codes, amounts and dates stay
    /// as they are, as in messages; a person's own words (a request's reason, a
    /// visit's note, a title, a customer's name) are never translated.
    static let rowSentences: [MessageTemplate] = [
        // Requests waiting for the caller's decision, and the caller's own that cannot be carried out.
        MessageTemplate(rowSentence: "{} {} by {}", "{3} 提交的{1}申请：{2}", termParts: [1: .approvalKind]),
        MessageTemplate(rowSentence: "{} {} by {}: {}", "{3} 提交的{1}申请：{2}，事由：{4}", termParts: [1: .approvalKind]),
        MessageTemplate(rowSentence: "{} {} by {} (cannot be done now: {})", "{3} 提交的{1}申请：{2}（目前无法执行：{4}）",
                        sentenceParts: [4], termParts: [1: .approvalKind]),
        MessageTemplate(rowSentence: "{} {} by {}: {} (cannot be done now: {})", "{3} 提交的{1}申请：{2}，事由：{4}（目前无法执行：{5}）",
                        sentenceParts: [5], termParts: [1: .approvalKind]),
        MessageTemplate(rowSentence: "{}: cannot be done now: {}", "{1}申请目前无法执行：{2}", sentenceParts: [2], termParts: [1: .approvalKind]),
        // Drafts, loans, customers, grants.
        MessageTemplate(rowSentence: "{}: submit by the end of {} (LATE_FILING)", "{1}：请在 {2} 当天结束前提交（逾期记 LATE_FILING）"),
        MessageTemplate(rowSentence: "{}: bring it back to the archivist, or ask for more time", "{1}：请交还档案员，或申请延期"),
        MessageTemplate(rowSentence: "{} approved for {}", "{1} 已批准借给 {2}，待交付"),
        MessageTemplate(rowSentence: "{} out with {}", "{1} 已借给 {2}，待归还"),
        MessageTemplate(rowSentence: "{}: monthly refresh (STALE_CUSTOMER)", "{1}：请做每月资料确认（逾期记 STALE_CUSTOMER）"),
        MessageTemplate(rowSentence: "read access ends; ask again if you still need it", "查阅权限即将到期；如仍需要，请重新申请"),
        // Follow-up visits (回访).
        MessageTemplate(rowSentence: "{}: visit by the end of {}", "{1}：请在 {2} 当天结束前完成回访"),
        MessageTemplate(rowSentence: "{}: visit by the end of {} ({})", "{1}：请在 {2} 当天结束前完成回访（{3}）"),
        MessageTemplate(rowSentence: "{}: {} has not recorded the visit due {}", "{1}：{2} 尚未记录 {3} 到期的回访"),
        MessageTemplate(rowSentence: "the customer was closed on {}", "客户已于 {1} 终止合作"),
        // Losses found by an inspection.
        MessageTemplate(rowSentence: "{} {} in I{}, last held by {}", "{1} 在盘点 I{3} 中发现{2}，最后借阅人 {4}",
                        termParts: [2: .inspectionFinding]),
        MessageTemplate(rowSentence: "{} {} in I{}, never lent: the department answers for it", "{1} 在盘点 I{3} 中发现{2}，从未借出：由部门负责",
                        termParts: [2: .inspectionFinding]),
        // PENALTY RULES' summaries (migrations 0005, 0060; seed 001's wording).
        MessageTemplate(rowSentence: "dossier not submitted within 3 working days (sales) / 1 (service)",
                        "未在 3 个工作日内（销售）/ 1 个工作日内（服务）上交档案"),
        MessageTemplate(rowSentence: "item filed without the customer's signature", "归档的文件无客户签名"),
        MessageTemplate(rowSentence: "item filed without the handler's signature", "归档的文件无内部经办人签名"),
        MessageTemplate(rowSentence: "customer not updated for a month", "客户档案一个月未更新"),
        MessageTemplate(rowSentence: "loan not returned by its due time", "借阅到期未归还"),
        MessageTemplate(rowSentence: "dossier lost or damaged", "档案遗失或毁损"),
        MessageTemplate(rowSentence: "viewed a dossier without approval", "未经审批私自查看档案"),
        MessageTemplate(rowSentence: "gave one's account to someone else", "擅自将账号提供给他人"),
        MessageTemplate(rowSentence: "follow-up visit not recorded by its due day", "回访到期未记录"),
        // Credit (customers over their limit or overdue).
        MessageTemplate(rowSentence: "{}: {} (outstanding {}, no credit limit)", "{1}：{2}（未结金额 {3}，无信用额度）", termParts: [2: .creditFlags]),
        MessageTemplate(rowSentence: "{}: {} (outstanding {}, limit {})", "{1}：{2}（未结金额 {3}，信用额度 {4}）", termParts: [2: .creditFlags]),
        MessageTemplate(rowSentence: "{}: {} (outstanding {}, no credit limit, overdue {} since {})",
                        "{1}：{2}（未结金额 {3}，无信用额度，逾期 {4}，自 {5} 起）",
                        termParts: [2: .creditFlags]),
        MessageTemplate(rowSentence: "{}: {} (outstanding {}, limit {}, overdue {} since {})",
                        "{1}：{2}（未结金额 {3}，信用额度 {4}，逾期 {5}，自 {6} 起）",
                        termParts: [2: .creditFlags]),
    ]
}
