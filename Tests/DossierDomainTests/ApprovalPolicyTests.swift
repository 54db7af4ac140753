import DossierDomain
import Testing

@Suite struct ApprovalPolicyTests {
    func subject(_ level: Level = .internal, _ scope: Scope = .personal, _ requester: Role = .rep, manages: Bool = false)
        -> ApprovalPolicy.Subject {
        .init(level: level, scope: scope, requester: requester, requesterManagesDepartment: manages)
    }

    @Test func filingNeedsTheDepartmentManager() throws {
        #expect(try ApprovalPolicy.chain(for: .file, subject()) == [.manager])
        #expect(try ApprovalPolicy.chain(for: .file, subject(.secret)) == [.manager])
        #expect(try ApprovalPolicy.chain(for: .file, subject(.confidential, .department)) == [.manager])
    }

    @Test func topSecretAndCompanyScopeGoToADirector() throws {
        #expect(try ApprovalPolicy.chain(for: .file, subject(.topSecret)) == [.director])
        #expect(try ApprovalPolicy.chain(for: .edit, subject(.internal, .company)) == [.director])
        #expect(try ApprovalPolicy.chain(for: .delete, subject(.topSecret, .department)) == [.director])
    }

    @Test func aManagersOwnRequestsGoToADirector() throws {
        #expect(try ApprovalPolicy.chain(for: .file, subject(.internal, .personal, .manager, manages: true)) == [.director])
        #expect(try ApprovalPolicy.chain(for: .edit, subject(.internal, .personal, .manager, manages: true)) == [.director])
        #expect(try ApprovalPolicy.chain(for: .customerEdit, subject(.internal, .personal, .manager, manages: true)) == [.director])
        // A manager of another department asking for access goes through the owning manager.
        #expect(try ApprovalPolicy.chain(for: .access, subject(.internal, .personal, .manager, manages: false)) == [.manager])
        // Two steps that both became director collapse into one.
        #expect(try ApprovalPolicy.chain(for: .access, subject(.internal, .department, .manager, manages: true)) == [.director])
    }

    @Test func accessFollowsTheScopeChain() throws {
        #expect(try ApprovalPolicy.chain(for: .access, subject(.internal, .personal)) == [.manager])
        #expect(try ApprovalPolicy.chain(for: .access, subject(.internal, .department)) == [.manager, .director])
        #expect(try ApprovalPolicy.chain(for: .access, subject(.internal, .company)) == [.director])
        #expect(try ApprovalPolicy.chain(for: .access, subject(.secret, .personal)) == [.manager, .director])
        #expect(try ApprovalPolicy.chain(for: .access, subject(.topSecret, .personal)) == [.director])
    }

    @Test func loansFollowTheLevelTable() throws {
        #expect(try ApprovalPolicy.chain(for: .loan, subject(.internal)) == [.manager])
        #expect(try ApprovalPolicy.chain(for: .loan, subject(.secret)) == [.director])
        #expect(try ApprovalPolicy.chain(for: .extend, subject(.confidential)) == [.director])
        #expect(throws: ApprovalPolicy.Refusal.neverLent) { try ApprovalPolicy.chain(for: .loan, subject(.topSecret)) }
    }

    @Test func destructionAndWaivers() throws {
        #expect(try ApprovalPolicy.chain(for: .destroy, subject(.internal)) == [.manager])
        #expect(try ApprovalPolicy.chain(for: .destroy, subject(.secret)) == [.director])
        #expect(try ApprovalPolicy.chain(for: .waive, subject()) == [.director])
    }
}
