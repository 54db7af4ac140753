import DossierDomain
import Testing

@Suite struct LoanPolicyTests {
    let internalRule = LoanRule(lendable: true, mode: .takeout, maximumSeconds: 7 * 86_400, sameDay: false)
    let secretRule = LoanRule(lendable: true, mode: .takeout, maximumSeconds: 4 * 3_600, sameDay: false)
    let confidentialRule = LoanRule(lendable: true, mode: .readingRoom, maximumSeconds: 86_400, sameDay: true)
    let topSecretRule = LoanRule(lendable: false, mode: nil, maximumSeconds: nil, sameDay: false)

    @Test func defaultsToTheLevelsLimit() throws {
        #expect(try LoanPolicy.decide(internalRule, mode: nil, seconds: nil).seconds == 7 * 86_400)
        #expect(try LoanPolicy.decide(secretRule, mode: nil, seconds: nil).seconds == 4 * 3_600)
        let reading = try LoanPolicy.decide(confidentialRule, mode: nil, seconds: nil)
        #expect(reading.mode == .readingRoom && reading.sameDay)
    }

    @Test func refusesWhatTheLevelForbids() throws {
        #expect(throws: LoanPolicy.Refusal.neverLent) { try LoanPolicy.decide(topSecretRule, mode: nil, seconds: nil) }
        #expect(throws: LoanPolicy.Refusal.modeNotAllowed(allowed: .readingRoom)) {
            try LoanPolicy.decide(confidentialRule, mode: .takeout, seconds: nil)
        }
        #expect(throws: LoanPolicy.Refusal.tooLong(maximumSeconds: 4 * 3_600)) {
            try LoanPolicy.decide(secretRule, mode: nil, seconds: 5 * 3_600)
        }
        #expect(try LoanPolicy.decide(internalRule, mode: .takeout, seconds: 2 * 86_400).seconds == 2 * 86_400)
    }

    @Test func repeatEscalationBySalesAndServiceLine() {
        #expect(!LoanPolicy.isRepeat(ordinalInMonth: 1, line: .sales))
        #expect(LoanPolicy.isRepeat(ordinalInMonth: 2, line: .sales))
        #expect(!LoanPolicy.isRepeat(ordinalInMonth: 2, line: .service))
        #expect(LoanPolicy.isRepeat(ordinalInMonth: 3, line: .service))
    }
}
