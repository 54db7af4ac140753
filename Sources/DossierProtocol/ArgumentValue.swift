import DossierDomain

/// A decoded argument value, before the verb's builder moves it into its typed command.
enum ArgumentValue: Hashable, Sendable {
    case text(String)
    case secret(Password)
    case word(String)
    case login(Login)
    case department(DepartmentCode)
    case customer(CustomerNumber)
    case ref(DossierRef)
    case approval(ApprovalID)
    case loan(LoanID)
    case penalty(PenaltyID)
    case grant(GrantID)
    case handover(HandoverID)
    case visit(VisitID)
    case inspection(InspectionID)
    case ruleCode(PenaltyRuleCode)
    case creditCode(CreditCode)
    case idNumber(ResidentIDNumber)
    case sha256(SHA256Digest)
    case cursor(Cursor)
    case date(CalendarDate)
    case dateRange(DateRange)
    case timeZone(String)
    case month(YearMonth)
    case timeBound(TimeBound)
    case money(Money)
    case creditTarget(CreditTarget)
    case repaymentInterval(InstalmentSchedule.Interval)
    case bool(Bool)
    case integer(Int)
    case choice(String)

    var text: String? { if case .text(let v) = self { v } else { nil } }
    var secret: Password? { if case .secret(let v) = self { v } else { nil } }
    var word: String? { if case .word(let v) = self { v } else { nil } }
    var login: Login? { if case .login(let v) = self { v } else { nil } }
    var department: DepartmentCode? { if case .department(let v) = self { v } else { nil } }
    var customer: CustomerNumber? { if case .customer(let v) = self { v } else { nil } }
    var ref: DossierRef? { if case .ref(let v) = self { v } else { nil } }
    var approval: ApprovalID? { if case .approval(let v) = self { v } else { nil } }
    var loan: LoanID? { if case .loan(let v) = self { v } else { nil } }
    var penalty: PenaltyID? { if case .penalty(let v) = self { v } else { nil } }
    var grant: GrantID? { if case .grant(let v) = self { v } else { nil } }
    var handover: HandoverID? { if case .handover(let v) = self { v } else { nil } }
    var visit: VisitID? { if case .visit(let v) = self { v } else { nil } }
    var inspection: InspectionID? { if case .inspection(let v) = self { v } else { nil } }
    var ruleCode: PenaltyRuleCode? { if case .ruleCode(let v) = self { v } else { nil } }
    var creditCode: CreditCode? { if case .creditCode(let v) = self { v } else { nil } }
    var idNumber: ResidentIDNumber? { if case .idNumber(let v) = self { v } else { nil } }
    var sha256: SHA256Digest? { if case .sha256(let v) = self { v } else { nil } }
    var cursor: Cursor? { if case .cursor(let v) = self { v } else { nil } }
    var date: CalendarDate? { if case .date(let v) = self { v } else { nil } }
    var dateRange: DateRange? { if case .dateRange(let v) = self { v } else { nil } }
    var timeZone: String? { if case .timeZone(let v) = self { v } else { nil } }
    var month: YearMonth? { if case .month(let v) = self { v } else { nil } }
    var timeBound: TimeBound? { if case .timeBound(let v) = self { v } else { nil } }
    var money: Money? { if case .money(let v) = self { v } else { nil } }
    var creditTarget: CreditTarget? { if case .creditTarget(let v) = self { v } else { nil } }
    var repaymentInterval: InstalmentSchedule.Interval? { if case .repaymentInterval(let v) = self { v } else { nil } }
    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    var integer: Int? { if case .integer(let v) = self { v } else { nil } }
    var choice: String? { if case .choice(let v) = self { v } else { nil } }
}
