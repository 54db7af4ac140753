import DossierDomain
import TestSupport
@testable import DossierProtocol

func login(_ text: String) -> Login { Login(text)! }
func dept(_ text: String) -> DepartmentCode { DepartmentCode(text)! }
func customer(_ text: String) -> CustomerNumber { CustomerNumber(text)! }
func ref(_ text: String) -> DossierRef { DossierRef(text)! }
func approval(_ text: String) -> ApprovalID { ApprovalID(text)! }
func loan(_ text: String) -> LoanID { LoanID(text)! }
func penalty(_ text: String) -> PenaltyID { PenaltyID(text)! }
func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
func month(_ text: String) -> YearMonth { YearMonth(text)! }
func money(_ text: String) -> Money { Money(text)! }

/// The error a line produces, or nil if it parses.
func parseError(_ line: String, authenticated: Bool = true) -> ProtocolError? {
    do {
        _ = try CommandParser.parse(line, authenticated: authenticated)
        return nil
    } catch {
        return error
    }
}

