import DossierDomain
import Testing
@testable import DossierProtocol

/// Issue 15: the follow-up verbs refuse what the schema would refuse, naming the argument.
@Suite struct FollowUpParserTests {
    @Test func badValuesAreArgumentErrors() {
        let cases: [(String, String)] = [
            ("FOLLOWUP TEMPLATE bought days=30,3", "invalid days: expected 1 to 20 increasing day counts from 1 to 3660, such as 3,30,60"),
            ("FOLLOWUP TEMPLATE bought days=0", "invalid days: expected 1 to 20 increasing day counts from 1 to 3660, such as 3,30,60"),
            ("FOLLOWUP TEMPLATE bought days=3,,60", "invalid days: expected 1 to 20 increasing day counts from 1 to 3660, such as 3,30,60"),
            ("FOLLOWUP TEMPLATE Bought days=3", "invalid name: expected a template name (lowercase letters, digits, '_')"),
            ("FOLLOWUP PLAN C-2026-00001 template=买了", "invalid template: expected a template name (lowercase letters, digits, '_')"),
            ("FOLLOWUP PLAN C-2026-00001", "missing argument: template"),
            ("FOLLOWUP RECORD V0 method=phone outcome=x", "invalid visit: expected a follow-up visit id V<n>"),
            ("FOLLOWUP RECORD V1 method=fax outcome=x", "invalid method: expected one of phone, visit, other"),
            ("FOLLOWUP RECORD V1 method=phone outcome=x satisfaction=6", "invalid satisfaction: must be a whole number from 1 to 5"),
            ("FOLLOWUP RECORD V1 method=phone", "missing argument: outcome"),
            ("FOLLOWUP LIST status=late", "invalid status: expected one of due, overdue, done, cancelled"),
            ("FOLLOWUP AUTO bought maybe", "invalid auto: expected yes or no"),
            ("FOLLOWUP AUTO bought yes grade=D", "invalid grade: expected one of VIP, A, B, C"),
            ("FOLLOWUP AUTO bought yes kind=shop", "invalid kind: expected one of company, person"),
            ("FOLLOWUP AUTO bought no kind=company", "invalid kind: only when switching on (yes)"),
            ("FOLLOWUP AUTO Bought yes", "invalid template: expected a template name (lowercase letters, digits, '_')"),
            ("FOLLOWUP ASSIGN V1", "missing argument: assignee"),
            ("FOLLOWUP ASSIGN 1 assignee=li.na", "invalid visit: expected a follow-up visit id V<n>"),
            ("FOLLOWUP ASSIGN V1 assignee=Li", "invalid assignee: expected a login (lowercase letters, digits, '.', '_', '-')"),
            ("FOLLOWUP CANCEL V1", "missing argument: reason"),
            ("FOLLOWUP CANCEL V1 reason=x note=y", "unknown argument: note"),
            ("PENALTY AUTO LATE_FOLLOWUP maybe", "invalid auto: expected yes or no"),
        ]
        for (line, message) in cases {
            let error = parseError(line)
            #expect(error?.code == .args && error?.message == message, "\(line) → \(String(describing: error))")
            #expect(MessageCatalog.translate(message, to: .chinese) != message, "\(message)")
        }
    }

    @Test func templatesAndVisitsKeepFreeTextOutOfLogs() throws {
        let command = try #require(try CommandParser.parse("FOLLOWUP RECORD V3 method=visit outcome=\"张先生 13800000000\" satisfaction=5"))
        #expect(command.logSummary == "FOLLOWUP RECORD visit=V3 method=visit outcome=<text> satisfaction=5")
    }
}
