import DossierDomain
import Testing

/// Issue 15, credit: arrears ageing, instalment schedules, payment allocation
/// and the flags, as pure rules.
@Suite struct CreditRulesTests {
    static func d(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func m(_ text: String) -> Money { Money(text)! }

    @Test func ageingBucketsCountDaysPastTheDueDay() {
        let due = Self.d("2026-10-31")
        let cases: [(String, Int, ArrearsAgeing)] = [
            ("2026-10-01", 0, .current), ("2026-10-31", 0, .current), ("2026-11-01", 1, .days0to30),
            ("2026-11-30", 30, .days0to30), ("2026-12-01", 31, .days31to60), ("2026-12-30", 60, .days31to60),
            ("2026-12-31", 61, .days61to90), ("2027-01-29", 90, .days61to90), ("2027-01-30", 91, .over90),
            ("2030-01-01", 1158, .over90),
        ]
        for (today, days, bucket) in cases {
            #expect(ArrearsAgeing.daysOverdue(due: due, today: Self.d(today)) == days, "\(today)")
            #expect(ArrearsAgeing.bucket(due: due, today: Self.d(today)) == bucket, "\(today)")
        }
        #expect(ArrearsAgeing.wireSpellings == ["current", "0_30", "31_60", "61_90", "90_plus"])
    }

    @Test func instalmentsAreEqualWithTheRemainderLast() {
        #expect(InstalmentSchedule.amounts(total: Self.m("4500.50"), count: 3)?.map(\.description) == ["1500.16", "1500.16", "1500.18"])
        #expect(InstalmentSchedule.amounts(total: Self.m("100"), count: 4)?.map(\.description) == ["25.00", "25.00", "25.00", "25.00"])
        #expect(InstalmentSchedule.amounts(total: Self.m("0.03"), count: 3)?.map(\.description) == ["0.01", "0.01", "0.01"])
        #expect(InstalmentSchedule.amounts(total: Self.m("0.02"), count: 3) == nil)
        #expect(InstalmentSchedule.amounts(total: Self.m("10"), count: 0) == nil)
        #expect(InstalmentSchedule.amounts(total: Self.m("10"), count: 121) == nil)
        for count in 1...120 {
            let amounts = InstalmentSchedule.amounts(total: Self.m("12345.67"), count: count) ?? []
            #expect(amounts.reduce(Money.zero, +) == Self.m("12345.67"), "\(count)")
        }
    }

    @Test func monthlyDueDaysKeepTheDayOrTheMonthsLast() {
        let monthly = InstalmentSchedule.instalments(total: Self.m("400"), count: 4, first: Self.d("2026-11-30"), every: .month)
        #expect(monthly?.map(\.due) == [Self.d("2026-11-30"), Self.d("2026-12-30"), Self.d("2027-01-30"), Self.d("2027-02-28")])
        let fromJanuary = InstalmentSchedule.instalments(total: Self.m("300"), count: 3, first: Self.d("2028-01-31"), every: .month)
        #expect(fromJanuary?.map(\.due) == [Self.d("2028-01-31"), Self.d("2028-02-29"), Self.d("2028-03-31")])
        let fortnightly = InstalmentSchedule.instalments(total: Self.m("3"), count: 3, first: Self.d("2026-12-25"), every: .days(14))
        #expect(fortnightly?.map(\.due) == [Self.d("2026-12-25"), Self.d("2027-01-08"), Self.d("2027-01-22")])
        #expect(fortnightly?.map(\.number) == [1, 2, 3])
        #expect(InstalmentSchedule.instalments(total: Self.m("3"), count: 3, first: Self.d("9999-11-01"), every: .month) == nil)
    }

    @Test func intervalsParseMonthOrDays() {
        #expect(InstalmentSchedule.Interval("month") == .month)
        #expect(InstalmentSchedule.Interval("30d") == .days(30))
        #expect(InstalmentSchedule.Interval("7") == .days(7))
        #expect(InstalmentSchedule.Interval("366d") == .days(366))
        for bad in ["0d", "367d", "030d", "d", "", "week", "Month", "-1d", "1.5d", "1000d"] {
            #expect(InstalmentSchedule.Interval(bad) == nil, "\(bad)")
        }
        #expect(InstalmentSchedule.Interval.days(30).description == "30d")
    }

    @Test func paymentsSettleTheOldestDueFirst() {
        let open = [
            PaymentAllocation.Open(id: ReceivableID(3)!, due: Self.d("2026-12-01"), open: Self.m("500")),
            PaymentAllocation.Open(id: ReceivableID(1)!, due: Self.d("2026-11-01"), open: Self.m("200")),
            PaymentAllocation.Open(id: ReceivableID(2)!, due: Self.d("2026-11-01"), open: Self.m("300")),
        ]
        #expect(PaymentAllocation.outstanding(open) == Self.m("1000"))
        #expect(PaymentAllocation.allocate(Self.m("250"), to: open) ==
                [.init(id: ReceivableID(1)!, amount: Self.m("200")), .init(id: ReceivableID(2)!, amount: Self.m("50"))])
        #expect(PaymentAllocation.allocate(Self.m("1000"), to: open)?.map(\.amount) == [Self.m("200"), Self.m("300"), Self.m("500")])
        #expect(PaymentAllocation.allocate(Self.m("0.01"), to: open) == [.init(id: ReceivableID(1)!, amount: Self.m("0.01"))])
        #expect(PaymentAllocation.allocate(Self.m("1000.01"), to: open) == nil)
        #expect(PaymentAllocation.allocate(.zero, to: open) == nil)
        #expect(PaymentAllocation.allocate(Self.m("1"), to: []) == nil)
    }

    @Test func flagsAndStates() {
        #expect(CreditFlag.flags(outstanding: Self.m("5000.01"), limit: Self.m("5000"), overdueCount: 0) == [.overLimit])
        #expect(CreditFlag.flags(outstanding: Self.m("5000"), limit: Self.m("5000"), overdueCount: 0) == [])
        #expect(CreditFlag.flags(outstanding: Self.m("0.01"), limit: nil, overdueCount: 1) == [.overLimit, .overdue])
        #expect(CreditFlag.flags(outstanding: .zero, limit: nil, overdueCount: 0) == [])
        let today = Self.d("2026-11-30")
        #expect(ReceivableStatus.of(amount: Self.m("10"), paid: .zero, planned: .zero, due: today, today: today) == .due)
        #expect(ReceivableStatus.of(amount: Self.m("10"), paid: Self.m("9.99"), planned: .zero, due: Self.d("2026-11-29"), today: today) == .overdue)
        #expect(ReceivableStatus.of(amount: Self.m("10"), paid: Self.m("4"), planned: Self.m("6"), due: Self.d("2026-11-29"), today: today) == .planned)
        #expect(ReceivableStatus.of(amount: Self.m("10"), paid: Self.m("10"), planned: .zero, due: Self.d("2026-11-29"), today: today) == .paid)
    }

    @Test func amountsAndIDs() {
        #expect(CreditAmount.checked(Self.m("0.01")) == Self.m("0.01"))
        #expect(CreditAmount.checked(Self.m("1000000000")) == Self.m("1000000000"))
        #expect(CreditAmount.checked(Self.m("1000000000.01")) == nil)
        #expect(CreditAmount.checked(.zero) == nil)
        #expect(ReceivableID("R12")?.value == 12 && ReceivableID("R0") == nil && ReceivableID("R012") == nil && ReceivableID("RP1") == nil)
        #expect(RepaymentPlanID("RP3")?.description == "RP3" && RepaymentPlanID("R3") == nil)
        #expect(CreditTarget("C-2026-00001") == .customer(CustomerNumber("C-2026-00001")!))
        #expect(CreditTarget("R7") == .receivable(ReceivableID(7)!))
        #expect(CreditTarget("V7") == nil)
    }
}
