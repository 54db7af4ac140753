import Testing
@testable import DossierDomain

@Suite("Domain values")
struct DomainTests {
    @Test func money() {
        #expect(Money("50.00")?.fen == 5000)
        #expect(Money("50")?.fen == 5000)
        #expect(Money("0.5")?.fen == 50)
        #expect(Money("0.05")?.fen == 5)
        #expect(Money("1234567.89")?.description == "1234567.89")
        #expect(Money(fen: 5).description == "0.05")
        #expect(Money(fen: -305).description == "-3.05")
        #expect(Money(yuan: 20).description == "20.00")
        for bad in ["", ".5", "5.", "5.123", "-1", "+1", "1e3", "1,00", " 1", "1 ", "１"] {
            #expect(Money(bad) == nil, "\(bad)")
        }
        #expect(Money(String(repeating: "9", count: 16)) == nil)
        #expect(Money(yuan: 20) * 2 + Money(fen: 1) == Money(fen: 4001))
    }

    @Test func calendarDate() {
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2026-02-29") == nil)
        #expect(CalendarDate("1900-02-29") == nil)
        #expect(CalendarDate("2000-02-29") != nil)
        for bad in ["2026-1-01", "2026-13-01", "2026-00-10", "2026-04-31", "26-01-01", "2026/01/01", "2026-01-01x", "0000-01-01"] {
            #expect(CalendarDate(bad) == nil, "\(bad)")
        }
        #expect(CalendarDate("2026-03-01")?.description == "2026-03-01")
        #expect(CalendarDate("1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate("1970-01-01")?.isoWeekday == 4)
        #expect(CalendarDate("2026-10-01")?.isoWeekday == 4)  // a Thursday
        #expect(CalendarDate("2026-03-01")?.isWeekend == true)  // a Sunday
        #expect(CalendarDate("2026-02-28")?.adding(days: 1) == CalendarDate("2026-03-01"))
        #expect(CalendarDate("1969-12-31")?.daysSinceEpoch == -1)
        #expect(CalendarDate("2026-01-01")! < CalendarDate("2026-01-02")!)
        var day = CalendarDate("1999-12-25")!
        for _ in 0..<1000 {
            let next = day.adding(days: 1)!
            #expect(next.daysSinceEpoch == day.daysSinceEpoch + 1)
            #expect(CalendarDate(daysSinceEpoch: next.daysSinceEpoch) == next)
            day = next
        }
    }

    @Test func yearMonth() {
        #expect(YearMonth("2026-02")?.lastDay == CalendarDate("2026-02-28"))
        #expect(YearMonth("2026-13") == nil)
        #expect(YearMonth("2026-2") == nil)
        #expect(YearMonth("2026-03")?.contains(CalendarDate("2026-03-31")!) == true)
    }

    @Test func timestamp() {
        let t = Timestamp("2026-03-01T09:30:00+08:00")
        #expect(t?.utcOffsetMinutes == 480)
        #expect(t?.description == "2026-03-01T09:30:00+08:00")
        #expect(Timestamp("2026-03-01T01:30:00Z")?.secondsSinceEpoch == t?.secondsSinceEpoch)
        #expect(Timestamp("2026-03-01 09:30+0800")?.description == "2026-03-01T09:30:00+08:00")
        #expect(Timestamp("2026-03-01T09:30:00.250-05:30")?.description == "2026-03-01T09:30:00.25-05:30")
        for bad in ["2026-03-01T09:30:00", "2026-03-01", "2026-03-01T25:00Z", "2026-03-01T09:60Z", "2026-03-01T09:30:00+08:60", "2026-03-01T09:30:00.Z"] {
            #expect(Timestamp(bad) == nil, "\(bad)")
        }
    }

    @Test func identifiers() {
        #expect(DossierRef("D17") == .draft(DraftID(17)!))
        #expect(DossierRef("SH-HT-2026-0001")?.description == "SH-HT-2026-0001")
        #expect(DossierRef("SH-HT-2026-12345")?.description == "SH-HT-2026-12345")
        // What a lookup by id or by number takes from a reference.
        #expect(DossierRef("D17")?.draftID == 17 && DossierRef("D17")?.archiveNumber == nil)
        #expect(DossierRef("SH-HT-2026-0001")?.archiveNumber == "SH-HT-2026-0001" && DossierRef("SH-HT-2026-0001")?.draftID == nil)
        for bad in ["D0", "D017", "d17", "D", "D-1", "SH-HT-2026-001", "SH-HT-2026-0000", "SH-HT-2026-01234", "sh-HT-2026-0001",
                    "SH-XX-2026-0001", "SH-HT-26-0001", "SH-HT-2026-0001-1", "SHANGHAI123-HT-2026-0001", ""] {
            #expect(DossierRef(bad) == nil, "\(bad)")
        }
        #expect(CustomerNumber("C-2026-00001")?.sequence == 1)
        #expect(CustomerNumber("C-2026-123456")?.description == "C-2026-123456")
        for bad in ["C-2026-0001", "C-2026-00000", "c-2026-00001", "C2026-00001", "C-2026-000001"] {
            #expect(CustomerNumber(bad) == nil, "\(bad)")
        }
        #expect(ApprovalID("A41")?.value == 41)
        #expect(ApprovalID("A041") == nil)
        #expect(ApprovalID("A9999999999999999999") == nil)
        #expect(LoanID("L5")?.description == "L5")
        #expect(PenaltyID("P0") == nil)
        #expect(Login("li.na") != nil)
        #expect(Login("Li.Na") == nil)
        #expect(Login(".li") == nil)
        #expect(Login(String(repeating: "a", count: 65)) == nil)
        #expect(DepartmentCode("SH") != nil)
        #expect(DepartmentCode("S-H") == nil)
        #expect(DepartmentCode("sh") == nil)
        #expect(SHA256Digest(String(repeating: "F", count: 64))?.hex == String(repeating: "f", count: 64))
        #expect(SHA256Digest(String(repeating: "g", count: 64)) == nil)
        #expect(PenaltyRuleCode("LATE_FILING") == .lateFiling)
        #expect(PenaltyRuleCode("late") == nil)
    }

    @Test func creditCode() {
        #expect(CreditCode("91350100M000100Y43") != nil)
        #expect(CreditCode("91350100m000100y43")?.rawValue == "91350100M000100Y43")
        #expect(CreditCode("91350100M000100Y44") == nil)
        #expect(CreditCode("91350100M000100Y4") == nil)
        #expect(CreditCode("91350100M000100I43") == nil)  // I is not in the alphabet
        #expect(CreditCode.checkCharacter(for: "91350100M000100Y4") == "3")
    }

    @Test func wireEnums() {
        #expect(Level.topSecret.description == "top_secret")
        #expect(Category.wireSpellings == ["HT", "BJ", "DD", "KH", "XY", "TS", "HD", "BG"])
        #expect(Role.wireSpellings == ["rep", "manager", "archivist", "director", "auditor", "admin"])
        #expect(Level.internal < Level.topSecret)
        #expect(ApprovalKind(rawValue: "customer_edit") == .customerEdit)
        #expect(LoanMode(rawValue: "reading_room") == .readingRoom)
        #expect(CustomerGrade(rawValue: "VIP") == .vip)
    }
}
