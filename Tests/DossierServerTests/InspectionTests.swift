import DossierDomain
import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 15, periodic inspection (盘点): an archivist walks the department's
/// cabinet and finds dossiers present, missing, damaged and moved; one on loan
/// is expected to be absent; closing reports them and a loss waits in the
/// manager's TODO — over the protocol.
@Suite struct InspectionTests {
    /// Files a draft of li.na's at `location` and returns its archive number.
    func filed(_ company: Company, _ rep: LineClient, _ manager: LineClient, location: String) async throws -> String {
        let ref = try await company.draft(rep, extra: "location=\(location)")
        let approval = try await company.submit(rep, ref)
        let answer = try await manager.request("APPROVE \(approval)")
        return String(try #require(answer.first?.firstMatch(of: /number=(\S+)/)?.1, "\(answer)"))
    }

    @Test func aCabinetWithPresentMissingDamagedAndMovedDossiers() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let borrower = try await company.client("wang.fang")
        let manager = try await company.client("mgr.sh")
        let archivist = try await company.client("arc.sh")
        var numbers: [String] = []
        for location in ["A-01-1", "A-01-2", "A-01-3", "A-01-4", "A-01-5", "B-02-1"] {
            numbers.append(try await filed(company, rep, manager, location: location))
        }
        // numbers[3] was lent to wang.fang and returned; numbers[4] is out on loan now.
        for (index, returned) in [(3, true), (4, false)] {
            let loan = try company.pendingID(try await borrower.request("LOAN REQUEST \(numbers[index]) purpose=核对 days=1"))
            let approval = String(try #require(try await manager.request("APPROVAL LIST").first?.firstMatch(of: /id=(A\d+)/)?.1))
            #expect(try await manager.request("APPROVE \(approval)").first?.hasPrefix("OK") == true)
            #expect(try await archivist.request("LOAN CHECKOUT \(loan)").first?.hasPrefix("OK") == true)
            if returned { #expect(try await archivist.request("LOAN RETURN \(loan)") == ["OK \(loan)"]) }
        }

        // Only the archivist opens, checks and closes; one inspection at a time.
        #expect(try await rep.request("INSPECTION OPEN") == ["ERR DENIED INSPECTION OPEN is not for role rep"])
        #expect(try await archivist.request("INSPECTION CHECK \(numbers[0]) present") ==
                ["ERR CONFLICT no open inspection of SH; INSPECTION OPEN first"])
        #expect(try await archivist.request("INSPECTION OPEN location=A-01") == ["OK I1 expected=5"])
        #expect(try await archivist.request("INSPECTION OPEN") == ["ERR CONFLICT I1 is open; close it first"])

        #expect(try await archivist.request("INSPECTION CHECK \(numbers[0]) present") == ["OK \(numbers[0]) present"])
        #expect(try await archivist.request("INSPECTION CHECK \(numbers[1]) present location=A-01-9 note=放错格") ==
                ["OK \(numbers[1]) moved from=A-01-2 to=A-01-9"])
        #expect(try await archivist.request("INSPECTION CHECK \(numbers[2]) damaged note=受潮") == ["OK \(numbers[2]) damaged"])
        #expect(try await archivist.request("INSPECTION CHECK \(numbers[3]) missing") == ["OK \(numbers[3]) missing"])
        #expect(try await archivist.request("INSPECTION CHECK \(numbers[3]) missing location=X") ==
                ["ERR ARGS invalid location: only for a dossier found present"])
        #expect(try await archivist.request("INSPECTION CHECK D999 present") == ["ERR NOTFOUND no dossier D999"])
        // numbers[4] is on loan and not checked (absent as expected, never "missing");
        // numbers[5] is outside the prefix and not expected.
        #expect(try await archivist.request("INSPECTION CHECK \(numbers[4]) missing") ==
                ["ERR CONFLICT \(numbers[4]) is on loan: its absence is expected (LOAN LIST names the borrower)"])

        // The register now says where numbers[1] is, with a history row naming the inspection.
        let history = try await rep.request("DOSSIER HISTORY \(numbers[1])")
        #expect(history.contains { $0.contains("field=location old=A-01-2 new=A-01-9 reason=\"inspection I1\" by=arc.sh") }, "\(history)")
        #expect(try await rep.request("DOSSIER SHOW \(numbers[1])").first?.contains(" location=A-01-9 ") == true)

        // Closing reports what needs attention: missing, damaged, moved, on loan.
        let closed = try await archivist.request("INSPECTION CLOSE")
        #expect(closed.last == "OK 4 I1 checked=4 present=1 moved=1 missing=1 damaged=1 on_loan=1 unchecked=0", "\(closed)")
        #expect(closed[0] == "* ref=\(numbers[3]) finding=missing register_location=A-01-4 found_location=\"\" holder=wang.fang checked_by=arc.sh note=\"\"", "\(closed)")
        #expect(closed[1] == "* ref=\(numbers[2]) finding=damaged register_location=A-01-3 found_location=\"\" holder=\"\" checked_by=arc.sh note=受潮", "\(closed)")
        #expect(closed[2].hasPrefix("* ref=\(numbers[1]) finding=moved register_location=A-01-2 found_location=A-01-9 "), "\(closed)")
        #expect(closed[3].hasPrefix("* ref=\(numbers[4]) finding=on_loan "), "\(closed)")
        #expect(try await archivist.request("INSPECTION CLOSE") == ["ERR CONFLICT no open inspection of SH; INSPECTION OPEN first"])
        #expect(try await archivist.request("INSPECTION SHOW I1").last == "OK 5")
        #expect(try await manager.request("INSPECTION LIST").first?.hasPrefix("* inspection=I1 dept=SH location=A-01 status=closed ") == true)

        // The losses wait for the manager: against the last holder, or the department.
        let todo = try await manager.request("TODO")
        #expect(todo.contains { $0.contains("what=inspection target=\(numbers[3]) ") && $0.contains("last held by wang.fang")
                                && $0.hasSuffix("verb=\"PENALTY RECORD wang.fang rule=LOST_OR_DAMAGED ref=\(numbers[3])\"") }, "\(todo)")
        #expect(todo.contains { $0.contains("what=inspection target=\(numbers[2]) ") && $0.hasSuffix("verb=\"INSPECTION SHOW I1\"") }, "\(todo)")
        #expect(try await manager.request("PENALTY RECORD wang.fang rule=LOST_OR_DAMAGED ref=\(numbers[3]) amount=50").first?.hasPrefix("OK P") == true)
        #expect(!(try await manager.request("TODO")).contains { $0.contains("target=\(numbers[3]) ") })

        // Scope: another office sees nothing of it; nobody else writes it.
        #expect(try await company.client("mgr.bj").request("INSPECTION LIST") == ["OK 0"])
        #expect(try await company.client("mgr.bj").request("INSPECTION SHOW I1") == ["ERR NOTFOUND no inspection I1"])
        #expect(try await company.client("dir").request("INSPECTION LIST").last == "OK 1")
        try await server.shutdown()
    }
}
