import Testing
@testable import DossierProtocol

@Suite("HELP and the command table")
struct HelpTests {
    @Test func helpListsEveryVerb() {
        let response = Help.response(for: .all)
        #expect(response.rows.count == Verb.allCases.count)
        #expect(response.final == .ok("\(Verb.allCases.count)"))
        #expect(response.rows.map { $0["verb"] } == Verb.allCases.map { $0.spec.name })
        for row in response.rows {
            #expect(row.fields.map(\.key) == ["verb", "usage", "summary"])
            #expect(row["usage"]?.hasPrefix(row["verb"]!) == true)
            #expect(row["summary"]?.isEmpty == false)
        }
    }

    @Test func everyVerbOfTheContractIsInTheTable() {
        let contract = [
            "PING", "AUTH", "WHOAMI", "FORMAT", "LANG", "HELP", "QUIT",
            "DEPT ADD", "DEPT LIST", "USER ADD", "USER LIST", "USER PASSWD", "USER UNLOCK", "USER LEAVE", "CALENDAR SET", "CALENDAR LIST",
            "CUSTOMER NEW", "CUSTOMER SHOW", "CUSTOMER FIND", "CUSTOMER LIST", "CUSTOMER SET", "CUSTOMER CLOSE",
            "CUSTOMER CONFIRM",  // issue 11
            "DOSSIER NEW", "ITEM ADD", "ITEM LIST", "DOSSIER SUBMIT", "DOSSIER SHOW", "DOSSIER LIST", "DOSSIER EDIT",
            "DOSSIER HISTORY", "DOSSIER DELETE", "DOSSIER RESTORE",
            "ACCESS REQUEST", "LOAN REQUEST", "LOAN CHECKOUT", "LOAN RETURN", "LOAN EXTEND", "LOAN SHOW", "LOAN LIST",
            "APPROVAL LIST", "APPROVAL SHOW", "APPROVE", "REJECT", "WITHDRAW",
            "TODO",  // issue 11
            "RETENTION LIST", "RETENTION SET", "RETENTION DUE", "HOLD PLACE", "HOLD RELEASE", "DESTROY", "DESTRUCTION LIST",
            "PENALTY RULES", "PENALTY RECORD", "PENALTY LIST", "PENALTY WAIVE", "PENALTY SWEEP", "PENALTY REPORT",
            "AUDIT LIST", "AUDIT VERIFY", "STATS",
        ]
        // Verbs beyond the contract (PROTOCOL-NOTES.md) may come in between.
        #expect(CommandTable.all.map(\.name).filter(contract.contains) == contract)
    }

    @Test func usageStrings() {
        #expect(Verb.auth.spec.usage == "AUTH <login> <password>")
        #expect(Verb.help.spec.usage == "HELP [<verb> [<subverb>]]")
        #expect(Verb.format.spec.usage == "FORMAT text|json")
        #expect(Verb.dossierNew.spec.usage ==
            "DOSSIER NEW customer=C-YYYY-NNNNN category=HT|BJ|DD|KH|XY|TS|HD|BG title=<text> [level=internal|secret|confidential|top_secret] [scope=personal|department|company] [location=<text>]")
        #expect(Verb.loanRequest.spec.usage == "LOAN REQUEST <ref> purpose=<text> [days=<n>|hours=<n>] [mode=takeout|reading_room]")
        #expect(Verb.loanExtend.spec.usage == "LOAN EXTEND L<n> days=<n>|hours=<n> reason=<text>")
        #expect(Verb.customerSet.spec.usage == "CUSTOMER SET <id> <field>=<value>… reason=<text>")
        #expect(Verb.calendarSet.spec.usage == "CALENDAR SET <date>|<from>..<to> workday|holiday [note=<text>]")
        #expect(Verb.calendarList.spec.usage == "CALENDAR LIST [month=YYYY-MM|year=<n>]")
        #expect(Verb.userSet.spec.usage == "USER SET <login> [name=<text>] [role=rep|manager|archivist|director|auditor|admin] [dept=<dept>] [line=sales|service] [successor=<login>]")
        #expect(Verb.accessList.spec.usage == "ACCESS LIST [mine|all] [limit=<n>]")
        #expect(Verb.companySet.spec.usage == "COMPANY SET [timezone=<zone>] [consent_rule=refuse|flag]")
        #expect(Verb.userPasswd.spec.usage == "USER PASSWD <login> <new>")
        #expect(Verb.customerSet.spec.helpSummary.contains("credit_limit"))
    }

    @Test func helpForGroupAndVerb() {
        let group = Help.response(for: .group("LOAN"))
        #expect(group.rows.map { $0["verb"] } == ["LOAN REQUEST", "LOAN CHECKOUT", "LOAN RETURN", "LOAN EXTEND", "LOAN SHOW", "LOAN LIST"])
        let one = Help.response(for: .verb(.approve))
        #expect(one.rows.count == 1)
        #expect(one.final == .ok("1"))
    }

    @Test func helpOutputEncodes() {
        let text = TextResponseEncoder.encode(Help.response(for: .verb(.ping)))
        #expect(text == "* verb=PING usage=PING summary=\"Check that the server answers.\"\nOK 1\n")
    }

    @Test func tableIsConsistent() {
        for spec in CommandTable.all {
            let names = spec.positionals.map(\.name) + spec.keys.map(\.key) + spec.changeFields.map(\.field)
            #expect(Set(names).count == names.count, "duplicate argument in \(spec.name)")
            // Optional positionals come last.
            if let firstOptional = spec.positionals.firstIndex(where: \.isOptional) {
                let rest = spec.positionals[firstOptional...].allSatisfy { $0.isOptional }
                #expect(rest, "\(spec.name)")
            }
            for group in spec.exclusive {
                #expect(group.keys.allSatisfy { spec.key($0).map { !$0.isRequired } ?? false }, "\(spec.name)")
            }
        }
    }
}
