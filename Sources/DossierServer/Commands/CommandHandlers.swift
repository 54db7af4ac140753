import DossierDomain
import DossierProtocol
import Logging
import Postgres

/// Commands of signed-in users, run synchronously inside the command's
/// transaction on a database worker thread.
struct CommandHandlers: Sendable {
    let statistics: ServerStatistics
    let poolStatistics: @Sendable () -> PoolStatistics
    var auditKey: AuditKey? = nil
    /// Seals and opens customers' sensitive fields (the data key file).
    var personalData: PersonalData? = nil
    var logger: Logger? = nil

    /// A command that is nothing but statements: they travel with `BEGIN`,
    /// `begin_command` (which checks the verb's roles) and `COMMIT` in one
    /// round trip (issue 17), and `answer` makes the response from their
    /// results after the commit. An answer that refuses must follow
    /// statements that changed nothing in that case.
    struct WholeCommand: Sendable {
        let statements: [PipelinedStatement]
        /// May share its transaction's commit with other commands queued at
        /// the same time (`ConnectionPool.groupedTransaction`): a point read,
        /// whose work is small beside its commit (what a group shares), and
        /// whose statements leave no transaction-local setting behind that
        /// would change the next command's work. Heavier reads (CUSTOMER
        /// FIND, TODO: milliseconds of work at the company's size) would only
        /// make the rest of their group wait for them; DOSSIER LIST makes its
        /// transaction's plans generic.
        var groupable = false
        let answer: @Sendable ([PostgresResult], Actor) throws -> Response

        /// The same command inside a transaction already open on `connection`
        /// (`respond`), a statement at a time.
        func run(on connection: PostgresConnection, actor: Actor) throws -> Response {
            var answers: [PostgresResult] = []
            for statement in statements { answers.append(try connection.query(statement.sql, statement.params)) }
            return try answer(answers, actor)
        }
    }

    /// The whole-command form of `command`, when it has one (the others run
    /// in `respond`). Throws for arguments refused before any statement.
    func wholeCommand(for command: Command) throws -> WholeCommand? {
        switch command {
        case .dossierShow(let command):
            WholeCommand(statements: [Dossiers.showStatement(command)], groupable: true) { answers, actor in
                try Dossiers.showResponse(command, actor: actor, answer: answers[0])
            }
        case .dossierList(let command):
            WholeCommand(statements: try Dossiers.listStatements(command)) { answers, _ in
                try Dossiers.listResponse(command, answer: answers.last)
            }
        case .customerFind(let command):
            WholeCommand(statements: [try CustomerSearch.findStatement(command, personalData: personalData)]) { answers, _ in
                try CustomerSearch.findResponse(command, answer: answers[0])
            }
        case .todo:
            WholeCommand(statements: [TodoList.statement]) { answers, _ in try TodoList.response(answers[0]) }
        case .loanCheckout(let loan):
            WholeCommand(statements: [Loans.checkoutStatement(loan)]) { answers, actor in
                try Loans.checkoutResponse(loan, actor: actor, answer: answers[0])
            }
        case .loanReturn(let command) where command.isComplete:
            // An incomplete return charges a penalty after the call: `respond`.
            WholeCommand(statements: [Loans.giveBackStatement(command)]) { answers, actor in
                try Loans.completeReturnResponse(command, actor: actor, answer: answers[0])
            }
        default: nil
        }
    }

    /// Runs `command` in the transaction `begin_command` opened on `connection`.
    func respond(to command: Command, actor: Actor, connection: PostgresConnection) throws -> Response {
        switch command {
        case .whoami:
            return .ok("\(actor.login) role=\(actor.role.rawValue) dept=\(actor.departmentCode)")
        case .stats:
            // The last backup is the cluster's (any daemon may have run it): from job_runs.
            return .rows(statistics.rows(pool: poolStatistics()) + (try BackupStatus.read(on: connection)).statsRows)
        case .deptAdd(let command):
            return try Departments.add(command, on: connection)
        case .deptList:
            return try Departments.list(on: connection)
        case .userAdd(let command):
            return try Users.add(command, on: connection)
        case .userList(let command):
            return try Users.list(command, on: connection)
        case .userPasswd(let command):
            return try Users.changePassword(command, actor: actor, on: connection)
        case .userUnlock(let login):
            return try Users.unlock(login, on: connection)
        case .userSet(let command):
            return try UserChanges.set(command, actor: actor, on: connection)
        case .userActivate(let login):
            return try UserChanges.activate(login, on: connection)
        case .handoverList(let command):
            return try Handover.list(command, on: connection)
        case .handoverShow(let id):
            return try Handover.show(id, on: connection)
        case .calendarSet(let command):
            return try CompanyCalendar.set(command, actor: actor, on: connection)
        case .calendarDelete(let days):
            return try CompanyCalendar.delete(days, on: connection)
        case .calendarList(let command):
            return try CompanyCalendar.list(command, on: connection)
        case .companyShow:
            return try CompanySettings.show(on: connection)
        case .companySet(let command):
            return try CompanySettings.set(command, actor: actor, on: connection)
        case .dossierNew(let command):
            return try Dossiers.create(command, actor: actor, on: connection)
        case .dossierSubmit(let ref):
            return try Dossiers.submit(ref, actor: actor, on: connection)
        case .dossierShow, .dossierList, .customerFind, .todo, .loanCheckout:
            // Whole commands: the executor sends them with BEGIN and COMMIT; here
            // only when called inside an open transaction.
            guard let whole = try wholeCommand(for: command) else {
                throw PostgresError(kind: .client, message: "\(command.spec.name) has no whole-command form")
            }
            return try whole.run(on: connection, actor: actor)
        case .dossierEdit(let command):
            return try DossierEdits.request(command, actor: actor, on: connection)
        case .dossierHistory(let ref):
            return try DossierEdits.history(ref, actor: actor, on: connection)
        case .dossierDelete(let command):
            return try DossierRemoval.request(command, actor: actor, on: connection)
        case .dossierRestore(let ref):
            return try DossierRemoval.restore(ref, actor: actor, on: connection)
        case .accessRequest(let command):
            return try AccessGrants.request(command, actor: actor, on: connection)
        case .accessList(let command):
            return try AccessGrants.list(command, actor: actor, on: connection)
        case .accessRevoke(let command):
            return try AccessGrants.revoke(command, actor: actor, on: connection)
        case .userLeave(let command):
            return try Handover.leave(command, actor: actor, on: connection)
        case .itemAdd(let command):
            return try Items.add(command, actor: actor, on: connection)
        case .itemList(let ref):
            return try Items.list(ref, actor: actor, on: connection)
        case .approvalList(let command):
            return try ApprovalListing.list(command, actor: actor, personalData: personalData, on: connection)
        case .approvalShow(let approval):
            return try ApprovalListing.show(approval, personalData: personalData, on: connection)
        case .approve(let command):
            return try ApprovalEngine.approve(command, actor: actor, personalData: personalData, on: connection)
        case .reject(let command):
            return try ApprovalEngine.reject(command, actor: actor, on: connection)
        case .withdraw(let approval):
            return try ApprovalEngine.withdraw(approval, actor: actor, on: connection)
        case .customerSet(let command):
            return try CustomerChanges.request(command, actor: actor, personalData: personalData, on: connection)
        case .loanRequest(let command):
            return try Loans.request(command, actor: actor, on: connection)
        case .loanReturn(let command):
            return try Loans.giveBack(command, actor: actor, on: connection)
        case .loanExtend(let command):
            return try Loans.extend(command, actor: actor, on: connection)
        case .loanShow(let loan):
            return try Loans.show(loan, on: connection)
        case .loanList(let command):
            return try Loans.list(command, on: connection)
        case .destroy(let command):
            return try Destruction.request(command, actor: actor, on: connection)
        case .destructionList(let command):
            return try Destruction.register(command, on: connection)
        case .retentionList:
            return try RetentionRules.list(on: connection)
        case .retentionSet(let command):
            return try RetentionRules.set(command, actor: actor, on: connection)
        case .retentionDue(let command):
            return try RetentionRules.due(command, actor: actor, on: connection)
        case .holdPlace(let command):
            return try LegalHolds.place(command, actor: actor, on: connection)
        case .holdRelease(let command):
            return try LegalHolds.release(command, actor: actor, on: connection)
        case .holdList(let command):
            return try LegalHolds.list(command, on: connection)
        case .customerClose(let command):
            return try CustomerClosing.close(command, actor: actor, on: connection)
        case .customerConfirm(let command):
            return try CustomerConfirmation.confirm(command, actor: actor, on: connection)
        case .followupTemplates:
            return try FollowUps.templates(on: connection)
        case .followupTemplate(let command):
            return try FollowUps.setTemplate(command, actor: actor, on: connection)
        case .followupPlan(let command):
            return try FollowUps.plan(command, actor: actor, on: connection)
        case .followupAdd(let command):
            return try FollowUps.add(command, actor: actor, on: connection)
        case .followupRecord(let command):
            return try FollowUps.record(command, actor: actor, on: connection)
        case .followupList(let command):
            return try FollowUps.list(command, on: connection)
        case .followupAuto(let command):
            return try FollowUps.setAuto(command, actor: actor, on: connection)
        case .followupAssign(let command):
            return try FollowUps.assign(command, actor: actor, on: connection)
        case .followupCancel(let command):
            return try FollowUps.cancel(command, actor: actor, on: connection)
        case .penaltyAuto(let command):
            return try Penalties.setAuto(command, on: connection)
        case .creditShow(let number):
            return try Credit.show(number, on: connection)
        case .creditArrears(let command):
            return try Credit.arrears(command, actor: actor, on: connection)
        case .creditPay(let command):
            return try Credit.pay(command, actor: actor, on: connection)
        case .creditPlan(let command):
            return try Credit.plan(command, actor: actor, on: connection)
        case .creditList(let command):
            return try Credit.list(command, on: connection)
        case .inspectionOpen(let command):
            return try Inspections.open(command, actor: actor, on: connection)
        case .inspectionCheck(let command):
            return try Inspections.check(command, actor: actor, on: connection)
        case .inspectionClose:
            return try Inspections.close(actor: actor, on: connection)
        case .inspectionList(let command):
            return try Inspections.list(command, on: connection)
        case .inspectionShow(let id):
            return try Inspections.show(id, on: connection)
        case .customerNew(let command):
            return try Customers.create(command, actor: actor, personalData: personalData, on: connection)
        case .customerShow(let number):
            return try Customers.show(number, actor: actor, personalData: personalData, on: connection)
        case .customerHistory(let number):
            return try Customers.history(number, personalData: personalData, on: connection)
        case .customerList(let command):
            return try Customers.list(command, actor: actor, on: connection)
        case .penaltyRules:
            return try Penalties.rules(actor: actor, on: connection)
        case .penaltyRecord(let command):
            return try Penalties.record(command, actor: actor, on: connection)
        case .penaltyList(let command):
            return try Penalties.list(command, actor: actor, on: connection)
        case .penaltyWaive(let command):
            return try Penalties.waive(command, actor: actor, on: connection)
        case .penaltyReport(let month):
            return try Penalties.report(month: month, actor: actor, on: connection)
        case .penaltySweep(let command):
            return try ViolationSweep.run(command, actor: actor, on: connection)
        case .auditList(let command):
            return try AuditTrail.list(command, actor: actor, on: connection)
        case .auditVerify(let command):
            return try AuditTrail.verify(command, actor: actor, key: auditKey, logger: logger, on: connection)
        default:
            // Parsed and understood, but not executed by this version: say so
            // rather than pretend.
            throw ProtocolError(.unknown, "\(command.spec.name) is not available in this version")
        }
    }
}
