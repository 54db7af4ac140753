import DossierDomain
@testable import DossierProtocol
import Foundation
import Testing

/// `LANG zh-CN`: every message the sources build and every `HELP` summary has a
/// Chinese translation; codes, verbs, keys and data stay as they are.
@Suite struct TranslationTests {
    @Test func everyHelpSummaryHasAChineseOne() {
        for spec in CommandTable.all {
            let chinese = spec.helpSummary(in: .chinese)
            #expect(!chinese.isEmpty)
            #expect(chinese != spec.helpSummary, "\(spec.name)")
            #expect(chinese.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "\(spec.name)")
        }
        let edit = Verb.dossierEdit.spec.helpSummary(in: .chinese)
        #expect(edit.hasSuffix("可改字段：title, level, scope, location。"))
    }

    @Test func helpInChineseKeepsVerbsAndUsage() {
        let english = Help.response(for: .all)
        let chinese = Help.response(for: .all, language: .chinese)
        #expect(english.rows.map { $0["verb"] } == chinese.rows.map { $0["verb"] })
        #expect(english.rows.map { $0["usage"] } == chinese.rows.map { $0["usage"] })
        #expect(english.final == chinese.final)
        #expect(chinese.rows.first?["summary"] == "检查服务器是否应答。")
    }

    @Test func everyValueKindsReasonHasATranslation() {
        // Every case of ValueKind (a new one belongs here too).
        let kinds: [ValueKind] = [
            .text, .limitedText(500), .secret, .word, .login, .department, .customer, .ref, .approval, .loan, .penalty,
            .grant, .handover, .visit, .inspection, .ruleCode, .creditCode, .idNumber, .sha256, .cursor, .date,
            .dateRange, .month, .timeZone, .timeBound, .money, .creditAmount, .creditTarget, .repaymentInterval,
            .yesNo, .integer(1...1000), .choice(["HT", "BJ"]),
        ]
        for kind in kinds {
            let message = ProtocolError.invalid("x", kind.expectation).message
            #expect(MessageCatalog.translate(message, to: .chinese) != message, "\(message)")
            #expect(!MessageCatalog.translate(message, to: .chinese).contains("expected"), "\(message)")
            #expect(!Self.hasEnglishProse(MessageCatalog.translate(message, to: .chinese)), "\(message)")
        }
    }

    @Test func examples() {
        let cases: [(String, String)] = [
            ("login required", "需要先登录"),
            ("no dossier SH-HT-2026-0001", "没有档案 SH-HT-2026-0001"),
            ("invalid category: expected one of HT, BJ", "category 无效：应为以下之一：HT, BJ"),
            ("invalid limit: must be a whole number from 1 to 1000", "limit 无效：须为 1 到 1000 之间的整数"),
            ("D17 is filed; cannot add items", "D17 的状态是 filed；不能添加卷内文件"),
            ("only the owner li.na may submit it", "只有负责人 li.na 可以提交它"),
            ("DOSSIER NEW is not for role admin", "DOSSIER NEW 不对角色 admin 开放"),
            ("cannot charge LATE_RETURN to user 7", "无法向用户 7 收取 LATE_RETURN"),
            ("invalid amount: LOST_ITEM allows 50.00 to 500.00", "amount 无效：LOST_ITEM 的金额范围是 50.00 到 500.00"),
            ("SH-HT-2026-0001 is on loan", "SH-HT-2026-0001 已借出"),
            ("A3 is rejected", "A3 的状态是 rejected"),
            ("SH-HT-2026-0001: only the register entry is visible to you; to read it, ask with ACCESS REQUEST SH-HT-2026-0001 purpose=<why> [hours=<n>]",
             "SH-HT-2026-0001：你只能看到登记条目；如需阅读，请用 ACCESS REQUEST SH-HT-2026-0001 purpose=<用途> [hours=<小时数>] 申请"),
            ("server is stopping; nothing was changed", "服务器正在停止；未做任何更改"),
            // Built with `+=` or an optional part, so the source scan does not see them.
            ("outcome unknown: the database connection broke during COMMIT; check before retrying",
             "结果未知：提交（COMMIT）时与数据库的连接中断，可能已经提交；请先核实再重试"),
            ("outcome unknown: the database connection broke during COMMIT; check before retrying (had it committed, the answer was OK)",
             "结果未知：提交（COMMIT）时与数据库的连接中断，可能已经提交；请先核实再重试（若已提交，应答本应是 OK）"),
            ("outcome unknown: the database connection broke during COMMIT; check before retrying (had it committed, the answer was: OK D7)",
             "结果未知：提交（COMMIT）时与数据库的连接中断，可能已经提交；请先核实再重试（若已提交，应答本应是：OK D7）"),
            ("a value is too long", "有值过长"),
            ("a value is too long for title", "title 的值过长"),
        ]
        for (english, chinese) in cases {
            #expect(MessageCatalog.translate(english, to: .chinese) == chinese)
            #expect(MessageCatalog.translate(english, to: .english) == english)
        }
        // Unknown text (a newer server's) is left alone rather than garbled.
        #expect(MessageCatalog.translate("something new", to: .chinese) == "something new")
        // `{} is {}` holds a reference and a status, never the halves of a longer sentence.
        #expect(MessageCatalog.translate("the queue is full again", to: .chinese) == "the queue is full again")
    }

    /// Rows' sentences (`Response.sentenceKeys`): TODO's details and what stands
    /// in a request's way.
    @Test func rowSentences() {
        let cases: [(String, String)] = [
            ("file D7 by li.na", "li.na 提交的归档申请：D7"),
            ("loan L3 by zhao.lei: 核对合同", "zhao.lei 提交的借阅申请：L3，事由：核对合同"),
            ("delete SH-HT-2026-0001 by li.na: restore (cannot be done now: SH-HT-2026-0001 is on legal hold)",
             "li.na 提交的删除申请：SH-HT-2026-0001，事由：restore（目前无法执行：SH-HT-2026-0001 处于法律冻结中）"),
            ("access D2 by wang.fang (cannot be done now: li.na has left)", "wang.fang 提交的查阅申请：D2（目前无法执行：li.na 已离职）"),
            ("destroy: cannot be done now: SH-HT-2026-0001 is kept until its customer closes",
             "销毁申请目前无法执行：SH-HT-2026-0001 须保管至其客户关闭"),
            ("edit: cannot be done now: D9 is deleted", "档案修改申请目前无法执行：D9 的状态是 deleted"),
            ("extend L4 by zhao.lei: 未完", "zhao.lei 提交的续借申请：L4，事由：未完"),
            ("waive P2 by mgr.bj: 初犯", "mgr.bj 提交的罚款豁免申请：P2，事由：初犯"),
            ("customer_edit C-2026-00001 by li.na", "li.na 提交的客户资料修改申请：C-2026-00001"),
            ("bonus D3 by li.na", "li.na 提交的bonus申请：D3"),  // a kind without a name stays as it is
            ("2026 年度框架合同: submit by the end of 2026-12-08 (LATE_FILING)", "2026 年度框架合同：请在 2026-12-08 当天结束前提交（逾期记 LATE_FILING）"),
            ("SH-HT-2026-0001: bring it back to the archivist, or ask for more time", "SH-HT-2026-0001：请交还档案员，或申请延期"),
            ("SH-HT-2026-0001 approved for zhao.lei", "SH-HT-2026-0001 已批准借给 zhao.lei，待交付"),
            ("SH-HT-2026-0001 out with zhao.lei", "SH-HT-2026-0001 已借给 zhao.lei，待归还"),
            ("上海华东贸易有限公司: monthly refresh (STALE_CUSTOMER)", "上海华东贸易有限公司：请做每月资料确认（逾期记 STALE_CUSTOMER）"),
            ("read access ends; ask again if you still need it", "查阅权限即将到期；如仍需要，请重新申请"),
            ("dossier lost or damaged", "档案遗失或毁损"),
            ("follow-up visit not recorded by its due day", "回访到期未记录"),
            ("C-2026-00002 张三: visit by the end of 2026-01-05", "C-2026-00002 张三：请在 2026-01-05 当天结束前完成回访"),
            ("C-2026-00002 张三: visit by the end of 2026-01-05 (带上合同)", "C-2026-00002 张三：请在 2026-01-05 当天结束前完成回访（带上合同）"),
            ("C-2026-00002 张三: li.na has not recorded the visit due 2026-01-05", "C-2026-00002 张三：li.na 尚未记录 2026-01-05 到期的回访"),
            ("SH-HT-2026-0001 missing in I1, last held by wang.jl", "SH-HT-2026-0001 在盘点 I1 中发现缺失，最后借阅人 wang.jl"),
            ("SH-HT-2026-0002 damaged in I4, never lent: the department answers for it",
             "SH-HT-2026-0002 在盘点 I4 中发现损坏，从未借出：由部门负责"),
            ("上海华东贸易有限公司: over_limit (outstanding 90.00, no credit limit)", "上海华东贸易有限公司：超出信用额度（未结金额 90.00，无信用额度）"),
            ("华东: over_limit, overdue (outstanding 90.00, limit 50.00, overdue 40.00 since 2026-11-01)",
             "华东：超出信用额度、有逾期欠款（未结金额 90.00，信用额度 50.00，逾期 40.00，自 2026-11-01 起）"),
        ]
        for (english, chinese) in cases {
            #expect(MessageCatalog.translateSentence(english, to: .chinese) == chinese)
            #expect(MessageCatalog.translateSentence(english, to: .english) == english)
        }
        // A sentence's short templates never take an error message.
        #expect(MessageCatalog.translate("file D7 by li.na", to: .chinese) == "file D7 by li.na")
        // Only the marked fields of the rows, and only in Chinese.
        let todo = Response.rows([["what": "grant", "detail": "read access ends; ask again if you still need it"]]).sentences(["detail"])
        #expect(todo.localized(to: .chinese).rows == [["what": "grant", "detail": "查阅权限即将到期；如仍需要，请重新申请"]])
        #expect(todo.localized(to: .english) == todo)
    }

    /// A message that wraps another (why a request was closed, what stands in
    /// its way) is translated whole, the wrapped one included — not taken by
    /// the wrapped message's template as if its reference were the whole prefix.
    @Test func messagesThatWrapAMessage() {
        #expect(MessageCatalog.translate("A10 was closed: SH-HT-2026-0001 is on legal hold", to: .chinese)
                == "A10 已关闭：SH-HT-2026-0001 处于法律冻结中")
        #expect(MessageCatalog.translate("A7 cannot be carried out now: li.na has left", to: .chinese)
                == "A7 现在无法执行：li.na 已离职")
        #expect(MessageCatalog.translate("A7 cannot be carried out now: D9 is deleted", to: .chinese)
                == "A7 现在无法执行：D9 的状态是 deleted")
        // The wrapped message alone is unchanged.
        #expect(MessageCatalog.translate("SH-HT-2026-0001 is on legal hold", to: .chinese) == "SH-HT-2026-0001 处于法律冻结中")
    }

    @Test func responsesKeepTheirCodeAndData() {
        let response = Response.error(.notFound, "no dossier D9").localized(to: .chinese)
        #expect(response == .error(.notFound, "没有档案 D9"))
        let rows = Response.rows([["ref": "D1"]]).localized(to: .chinese)
        #expect(rows == .rows([["ref": "D1"]]))
    }

    /// Reads every Swift source for the messages it builds — `ProtocolError(.code,
    /// "…")`, `.error(.code, "…")`, `.args("…")`, `.syntax("…")`, `.invalid("key",
    /// "…")`, `.missing("…")` — with each interpolation replaced by a sample value,
    /// and checks each has a template.
    @Test func everyMessageInTheSourcesHasATranslation() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var messages: Set<String> = []
        var phrases: Set<String> = []  // what a refusal says may not be done (`toDo: "…"`), put inside a message
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        for case let url as URL in enumerator where url.pathExtension == "swift" && !url.path.contains("/Translations/") {
            let source = try String(contentsOf: url, encoding: .utf8)
            messages.formUnion(SourceMessages.extract(from: source))
            phrases.formUnion(source.matches(of: #/toDo: "([^"\\]+)"/#).map { String($0.output.1) })
        }
        #expect(phrases.count > 10, "the scanner found only \(phrases.count) toDo: phrases")
        let untranslatedPhrases = phrases.filter { MessageCatalog.translate($0, to: .chinese) == $0 }.sorted()
        #expect(untranslatedPhrases.isEmpty, "no Chinese for the phrases: \(untranslatedPhrases)")
        #expect(messages.count > 100, "the scanner found only \(messages.count) messages")
        let missing = messages.filter { !MessageCatalog.hasTranslation($0) }.sorted()
        #expect(missing.isEmpty, "no Chinese for: \(missing)")
        // A template that matched by accident (`{} is {}` around a longer message)
        // leaves English prose in the Chinese.
        let garbled = messages.map { ($0, MessageCatalog.translate($0, to: .chinese)) }
            .filter { Self.hasEnglishProse($0.1) }.map { "\($0.0) -> \($0.1)" }.sorted()
        #expect(garbled.isEmpty, "English left in: \(garbled)")
    }

    /// Three or more English words in a row, outside `<…>` placeholders.
    static func hasEnglishProse(_ text: String) -> Bool {
        let words = text.replacing(#/<[^>]*>/#, with: "").split(whereSeparator: { $0 == " " || $0 == "," })
        var run = 0
        for word in words {
            run = word.allSatisfy({ $0.isASCII && $0.isLowercase }) && word.count > 1 ? run + 1 : 0
            if run >= 3 { return true }
        }
        return false
    }
}

/// A small scanner for message literals in Swift source.
enum SourceMessages {
    /// Patterns that start a message literal, and how the message is formed.
    static var starts: [(Regex<Substring>, (String, String?) -> String)] { [
        (#/ProtocolError\(\.[a-z]+, "/#, { text, _ in text }),
        (#/\.error\(\.[a-z]+, "/#, { text, _ in text }),
        (#/\.args\("/#, { text, _ in text }),
        (#/\.syntax\("/#, { text, _ in text }),
        (#/\.missing\("/#, { text, _ in "missing argument: " + text }),
        (#/\.unknownArgument\("/#, { text, _ in "unknown argument: " + text }),
        (#/\.invalid\("/#, { text, second in "invalid \(text): " + (second ?? "x") }),
    ] }

    static func extract(from source: String) -> [String] {
        var out: [String] = []
        for (pattern, form) in starts {
            for match in source.matches(of: pattern) {
                guard let (text, end) = literal(in: source, from: match.range.upperBound) else { continue }
                var second: String?
                if source[end...].hasPrefix(", \"") {
                    second = literal(in: source, from: source.index(end, offsetBy: 3))?.0
                } else if source[end...].hasPrefix(", ") {
                    // A computed reason (`cond ? "…" : "…"`): both literals.
                    let rest = source[end...].prefix { $0 != "\n" }
                    if let first = rest.firstRange(of: "? \"") {
                        second = literal(in: source, from: first.upperBound)?.0
                    }
                }
                out.append(form(text, second))
            }
        }
        // The duplicate-key messages of `DatabaseErrorMapping`: constraint name to message.
        if source.contains("duplicateMessages") {
            for match in source.matches(of: #/"[a-z_]+": "([^"\\]+)"/#) { out.append(String(match.1)) }
        }
        return out
    }

    /// The string literal starting at `start` (just after its opening quote), with
    /// `\(…)` replaced by a sample value; and the index after its closing quote.
    static func literal(in source: String, from start: String.Index) -> (String, String.Index)? {
        var text = ""
        var index = start
        while index < source.endIndex {
            let character = source[index]
            if character == "\\" {
                let next = source.index(after: index)
                guard next < source.endIndex else { return nil }
                if source[next] == "(" {
                    index = skipInterpolation(in: source, from: source.index(after: next))
                    text += "X1"
                    continue
                }
                text.append(source[next])
                index = source.index(after: next)
                continue
            }
            if character == "\"" { return (text, source.index(after: index)) }
            if character == "\n" { return nil }
            text.append(character)
            index = source.index(after: index)
        }
        return nil
    }

    /// The index after the `)` closing an interpolation, skipping nested
    /// parentheses and string literals.
    static func skipInterpolation(in source: String, from start: String.Index) -> String.Index {
        var depth = 1
        var index = start
        while index < source.endIndex, depth > 0 {
            switch source[index] {
            case "(": depth += 1
            case ")": depth -= 1
            case "\"":
                index = source.index(after: index)
                while index < source.endIndex, source[index] != "\"" {
                    if source[index] == "\\" { index = source.index(after: index) }
                    index = source.index(after: index)
                }
            default: break
            }
            index = source.index(after: index)
        }
        return index
    }
}
