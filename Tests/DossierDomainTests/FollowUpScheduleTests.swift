import DossierDomain
import Testing

/// Issue 15: when follow-up visits fall (seed 001 篇二: 3/30/60 and 3/15 days).
@Suite struct FollowUpScheduleTests {
    static func d(_ text: String) -> CalendarDate { CalendarDate(text)! }

    @Test func calendarDaysMoveOffNonWorkingDays() {
        let national = WorkingCalendarTests.national
        // Monday 2026-09-28: +3 is 10-01, a holiday; the holidays end 10-07, so 10-08 (Thursday).
        #expect(FollowUpSchedule.dues(from: Self.d("2026-09-28"), offsets: [3, 30, 60], unit: .day, calendar: national)
                == [Self.d("2026-10-08"), Self.d("2026-10-28"), Self.d("2026-11-27")])
        // A plain Saturday due day moves to Monday; the 调休 Saturday 10-10 is worked and stays.
        #expect(FollowUpSchedule.due(from: Self.d("2026-11-18"), offset: 3, unit: .day, calendar: national) == Self.d("2026-11-23"))
        #expect(FollowUpSchedule.due(from: Self.d("2026-10-07"), offset: 3, unit: .day, calendar: national) == Self.d("2026-10-10"))
        #expect(FollowUpSchedule.due(from: Self.d("2026-11-18"), offset: 0, unit: .day, calendar: national) == nil)
    }

    @Test func workingDaysCountTheCalendar() {
        let national = WorkingCalendarTests.national
        #expect(FollowUpSchedule.dues(from: Self.d("2026-09-30"), offsets: [1, 3], unit: .workday, calendar: national)
                == [Self.d("2026-10-08"), Self.d("2026-10-10")])
    }

    @Test func offsetsAreIncreasingDayCounts() {
        #expect(FollowUpSchedule.offsets("3,30,60") == [3, 30, 60])
        #expect(FollowUpSchedule.offsets("15") == [15])
        for bad in ["", "0", "3,3", "30,3", "3,,60", "-3", "3, 30", "3660,3661", String(repeating: "1,", count: 20) + "1"] {
            #expect(FollowUpSchedule.offsets(bad) == nil, "\(bad)")
        }
    }

    @Test func stateOnADay() {
        #expect(FollowUpSchedule.status(due: Self.d("2026-11-30"), recorded: false, today: Self.d("2026-11-30")) == .due)
        #expect(FollowUpSchedule.status(due: Self.d("2026-11-29"), recorded: false, today: Self.d("2026-11-30")) == .overdue)
        #expect(FollowUpSchedule.status(due: Self.d("2026-11-29"), recorded: true, today: Self.d("2026-11-30")) == .done)
    }
}
