import DossierDomain
import DossierServer
import Foundation
import Testing

/// The scheduler's decisions without a database: occurrences of a daily
/// schedule in a time zone, and run/wait from a `job_runs` row.
@Suite struct JobPlannerTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let at2 = JobSchedule.daily(at: TimeOfDay(hour: 2, minute: 0)!)

    static func instant(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    let planner = JobPlanner(schedule: at2, timeZone: shanghai, retryDelay: 600)

    @Test func timeOfDayParsesExactlyHHMM() {
        #expect(TimeOfDay("02:00") == TimeOfDay(hour: 2, minute: 0))
        #expect(TimeOfDay("23:59")?.description == "23:59")
        #expect(TimeOfDay("00:00")?.description == "00:00")
        for bad in ["2:00", "24:00", "12:60", "12:5", "ab:cd", "12-00", "12:00:00", "", "１２:００", "+1:00"] {
            #expect(TimeOfDay(bad) == nil, "\(bad)")
        }
    }

    @Test func dailyOccurrencesFollowTheTimeZone() {
        let now = Self.instant("2026-03-10T01:00:00+08:00")
        #expect(Self.at2.latestOccurrence(atOrBefore: now, in: Self.shanghai) == Self.instant("2026-03-09T02:00:00+08:00"))
        #expect(Self.at2.nextOccurrence(after: now, in: Self.shanghai) == Self.instant("2026-03-10T02:00:00+08:00"))
        // At the very minute, the occurrence is now; the next one is tomorrow.
        let exactly = Self.instant("2026-03-10T02:00:00+08:00")
        #expect(Self.at2.latestOccurrence(atOrBefore: exactly, in: Self.shanghai) == exactly)
        #expect(Self.at2.nextOccurrence(after: exactly, in: Self.shanghai) == Self.instant("2026-03-11T02:00:00+08:00"))
        // The same instant is another local day elsewhere.
        let utc = TimeZone(identifier: "UTC")!
        #expect(Self.at2.latestOccurrence(atOrBefore: now, in: utc) == Self.instant("2026-03-09T02:00:00Z"))
        #expect(JobSchedule.day(of: Self.instant("2026-03-09T18:30:00Z"), in: Self.shanghai) == CalendarDate("2026-03-10"))
        #expect(JobSchedule.day(of: Self.instant("2026-03-09T18:30:00Z"), in: utc) == CalendarDate("2026-03-09"))
    }

    @Test func aTimeInADaylightSavingGapFallsAfterIt() {
        // 2026-03-29 02:30 does not exist in Berlin (02:00 CET → 03:00 CEST).
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let schedule = JobSchedule.daily(at: TimeOfDay(hour: 2, minute: 30)!)
        let now = Self.instant("2026-03-29T12:00:00+02:00")
        let occurrence = schedule.latestOccurrence(atOrBefore: now, in: berlin)
        #expect(JobSchedule.day(of: occurrence, in: berlin) == CalendarDate("2026-03-29"))
        #expect(occurrence >= Self.instant("2026-03-29T03:00:00+02:00"))
        #expect(occurrence <= Self.instant("2026-03-29T03:30:00+02:00"))
        #expect(schedule.nextOccurrence(after: now, in: berlin) == Self.instant("2026-03-30T02:30:00+02:00"))
    }

    @Test func aJobThatNeverRanIsDueAtOnce() {
        let now = Self.instant("2026-03-10T01:00:00+08:00")
        #expect(planner.decide(now: now, state: .neverRun)
                == .run(occurrence: Self.instant("2026-03-09T02:00:00+08:00"), because: .due))
    }

    @Test func aJobDoneForItsOccurrenceWaitsForTheNext() {
        let now = Self.instant("2026-03-10T09:00:00+08:00")
        let done = JobRunState(lastStarted: Self.instant("2026-03-10T02:00:01+08:00"),
                               lastDone: Self.instant("2026-03-10T02:00:02+08:00"), claims: 4)
        #expect(planner.decide(now: now, state: done)
                == .wait(until: Self.instant("2026-03-11T02:00:00+08:00"), because: .done))
        // Done yesterday: today's occurrence is due.
        let yesterday = JobRunState(lastStarted: Self.instant("2026-03-09T02:00:01+08:00"),
                                    lastDone: Self.instant("2026-03-09T02:00:02+08:00"), claims: 3)
        #expect(planner.decide(now: now, state: yesterday)
                == .run(occurrence: Self.instant("2026-03-10T02:00:00+08:00"), because: .due))
        // A run that started just before the occurrence does not stand for it.
        let early = JobRunState(lastStarted: Self.instant("2026-03-10T01:59:59+08:00"),
                                lastDone: Self.instant("2026-03-10T02:00:05+08:00"), claims: 3)
        #expect(planner.decide(now: now, state: early)
                == .run(occurrence: Self.instant("2026-03-10T02:00:00+08:00"), because: .due))
    }

    @Test func aLiveLeaseIsWaitedOutWhateverTheRow() {
        let now = Self.instant("2026-03-10T09:00:00+08:00")
        let until = Self.instant("2026-03-10T09:04:00+08:00")
        let leased = JobRunState(leasedBy: "b/2/ff", leaseUntil: until,
                                 lastStarted: Self.instant("2026-03-10T08:59:00+08:00"), claims: 5)
        #expect(planner.decide(now: now, state: leased) == .wait(until: until, because: .leased(by: "b/2/ff")))
    }

    @Test func anExpiredLeaseWithoutAnEndIsRunAgain() {
        let now = Self.instant("2026-03-10T09:00:00+08:00")
        let crashed = JobRunState(leasedBy: "a/1/aa", leaseUntil: Self.instant("2026-03-10T08:55:00+08:00"),
                                  lastStarted: Self.instant("2026-03-10T08:50:00+08:00"),
                                  lastDone: Self.instant("2026-03-09T02:00:03+08:00"), claims: 9)
        #expect(planner.decide(now: now, state: crashed)
                == .run(occurrence: Self.instant("2026-03-10T02:00:00+08:00"), because: .leaseExpired(leasedBy: "a/1/aa")))
        // The lease ends exactly now: it has run out.
        var atTheEnd = crashed
        atTheEnd.leaseUntil = now
        #expect(planner.decide(now: now, state: atTheEnd)
                == .run(occurrence: Self.instant("2026-03-10T02:00:00+08:00"), because: .leaseExpired(leasedBy: "a/1/aa")))
    }

    @Test func aFailedRunIsRetriedAfterTheDelay() {
        let started = Self.instant("2026-03-10T02:00:01+08:00")
        let failed = JobRunState(lastStarted: started, lastDone: Self.instant("2026-03-09T02:00:03+08:00"),
                                 lastResult: "failed: boom", claims: 2)
        #expect(planner.decide(now: started.addingTimeInterval(5), state: failed)
                == .wait(until: started.addingTimeInterval(600), because: .retryLater))
        #expect(planner.decide(now: started.addingTimeInterval(600), state: failed)
                == .run(occurrence: Self.instant("2026-03-10T02:00:00+08:00"), because: .retry))
        // Never completed at all: the same.
        var neverDone = failed
        neverDone.lastDone = nil
        #expect(planner.decide(now: started.addingTimeInterval(5), state: neverDone)
                == .wait(until: started.addingTimeInterval(600), because: .retryLater))
    }
}
