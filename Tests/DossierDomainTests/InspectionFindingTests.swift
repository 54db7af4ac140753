import DossierDomain
import Testing

/// Issue 15: how an inspection's report words each dossier.
@Suite struct InspectionFindingTests {
    @Test func findings() {
        #expect(InspectionFinding.of(result: nil, onLoan: false, registerLocation: "A-1", foundLocation: nil) == .unchecked)
        #expect(InspectionFinding.of(result: nil, onLoan: true, registerLocation: "A-1", foundLocation: nil) == .onLoan)
        #expect(InspectionFinding.of(result: .present, onLoan: false, registerLocation: "A-1", foundLocation: nil) == .present)
        #expect(InspectionFinding.of(result: .present, onLoan: false, registerLocation: "A-1", foundLocation: "A-1") == .present)
        #expect(InspectionFinding.of(result: .present, onLoan: false, registerLocation: "A-1", foundLocation: "B-2") == .moved)
        #expect(InspectionFinding.of(result: .present, onLoan: false, registerLocation: nil, foundLocation: "B-2") == .moved)
        #expect(InspectionFinding.of(result: .missing, onLoan: true, registerLocation: "A-1", foundLocation: nil) == .missing)
        #expect(InspectionFinding.of(result: .damaged, onLoan: false, registerLocation: "A-1", foundLocation: nil) == .damaged)
        #expect(InspectionFinding.allCases.filter(\.isLoss) == [.missing, .damaged])
    }
}
