import DossierProtocol
import Testing

@testable import DossierServer

/// How many commands a daemon lets into the database at once.
@Suite struct CommandSlotsTests {
    @Test func embeddedClusterGetsTheCoresConfiguredDatabaseThePool() {
        #expect(CommandSlots.resolve(requested: nil, poolSize: 8, embeddedCluster: true, cores: 2) == 2)
        #expect(CommandSlots.resolve(requested: nil, poolSize: 8, embeddedCluster: true, cores: 1) == 2)
        #expect(CommandSlots.resolve(requested: nil, poolSize: 8, embeddedCluster: true, cores: 16) == 8)
        #expect(CommandSlots.resolve(requested: nil, poolSize: 8, embeddedCluster: false, cores: 2) == 8)
        #expect(CommandSlots.resolve(requested: nil, poolSize: 1, embeddedCluster: true, cores: 2) == 1)
    }

    @Test func requestedCountWinsWithinThePool() {
        #expect(CommandSlots.resolve(requested: 3, poolSize: 8, embeddedCluster: true, cores: 2) == 3)
        #expect(CommandSlots.resolve(requested: 12, poolSize: 8, embeddedCluster: false, cores: 2) == 8)
    }

    /// Long verbs run beside the slots; the daily ones take one.
    @Test func longVerbsAreNamedInTheCommandTable() {
        #expect(CommandTable.spec(for: .auditVerify).runsLong)
        #expect(CommandTable.spec(for: .retentionSet).runsLong)
        #expect(!CommandTable.spec(for: .dossierShow).runsLong)
        #expect(!CommandTable.spec(for: .approvalList).runsLong)
    }
}
