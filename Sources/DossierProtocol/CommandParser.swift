import DossierDomain

/// Turns a request line into a typed `Command`, using `CommandTable`.
///
/// The server calls `parse(_:authenticated:)` once per framed line; a thrown
/// `ProtocolError` is the `ERR` answer, nil means a blank line (no answer).
public enum CommandParser {
    /// Tokenizes, resolves the verb and binds arguments.
    ///
    /// Before login (`authenticated == false`) any verb other than PING, AUTH, LANG, HELP and
    /// QUIT fails with `ERR AUTH` *before* its arguments are looked at, so an
    /// anonymous client learns nothing from argument errors. Role checks are the
    /// server's (`command.spec.access.permits(role)`).
    public static func parse(_ line: String, authenticated: Bool = true) throws(ProtocolError) -> Command? {
        if isBarePing(line) { return .ping }
        guard let request = try RequestLine.parse(line) else { return nil }
        return try parse(request, authenticated: authenticated)
    }

    /// Whether `line` is `PING` alone: the four letters in any ASCII case, with
    /// nothing but spaces and tabs around them. Health checks and load tests
    /// send it hundreds of thousands of times a second, and tokenizing it was a
    /// sixth of its cost (issue 17). Only a line the general path also reads as
    /// a bare PING (allowed before login) matches; anything else (arguments,
    /// full-width or other non-ASCII letters) takes the general path, so its
    /// answer is the same either way.
    static func isBarePing(_ line: String) -> Bool {
        var line = line
        return line.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            // `| 0x20` lower-cases an ASCII letter and maps no other byte onto p, i, n or g.
            return end - start == 4
                && bytes[start] | 0x20 == UInt8(ascii: "p") && bytes[start + 1] | 0x20 == UInt8(ascii: "i")
                && bytes[start + 2] | 0x20 == UInt8(ascii: "n") && bytes[start + 3] | 0x20 == UInt8(ascii: "g")
        }
    }

    public static func parse(_ request: RequestLine, authenticated: Bool = true) throws(ProtocolError) -> Command {
        let (spec, arguments) = try resolve(request)
        if !authenticated && !spec.access.allowsAnonymous { throw .loginRequired }
        return try build(spec.verb, BoundArguments(spec: spec, tokens: arguments))
    }

    /// Finds the verb's spec (one or two words, case-insensitive) and the remaining tokens.
    public static func resolve(_ request: RequestLine) throws(ProtocolError) -> (CommandSpec, ArraySlice<Token>) {
        // Unknown words are not echoed: a mistyped line might be a password. The
        // suggestion is a verb name from the table.
        guard let first = request.verbWord else { throw ProtocolError(.unknown, "no such verb; try HELP") }
        if let spec = CommandTable.spec(named: first), spec.words.count == 1 {
            return (spec, request.tokens.dropFirst())
        }
        let second = request.tokens.count > 1 ? RequestLine.word(request.tokens[1]) : nil
        guard CommandTable.groups.contains(first) else {
            guard let nearest = VerbSuggestion.nearest(first: first, second: second) else {
                throw ProtocolError(.unknown, "no such verb; try HELP")
            }
            throw ProtocolError(.unknown, "no such verb; did you mean \(nearest)? (HELP lists every verb)")
        }
        guard let second, let spec = CommandTable.spec(named: first + " " + second) else {
            // The group and its list only for the refusal (issue 17: built for every request, they were a
            // visible part of a command's parse).
            let group = CommandTable.specs(startingWith: first)
            let subverbs = group.map { $0.words[1] }.joined(separator: ", ")
            if let second, let nearest = VerbSuggestion.nearest(first: first, second: second, among: group) {
                throw ProtocolError(.unknown, "\(first) needs one of: \(subverbs); did you mean \(nearest)?")
            }
            throw ProtocolError(.unknown, "\(first) needs one of: \(subverbs)")
        }
        return (spec, request.tokens.dropFirst(2))
    }

    // Exhaustive over Verb: a verb without a builder does not compile.
    static func build(_ verb: Verb, _ a: BoundArguments) throws(ProtocolError) -> Command {
        switch verb {
        // MARK: Session
        case .ping:
            return .ping
        case .auth:
            return .auth(Auth(login: try a.required("login", \.login), password: try a.required("password", \.secret)))
        case .whoami:
            return .whoami
        case .format:
            let raw = try a.required("format", \.choice)
            guard let format = OutputFormat(rawValue: raw) else { throw BoundArguments.tableMismatch("format") }
            return .format(format)
        case .lang:
            let raw = try a.required("language", \.choice)
            guard let language = Language(rawValue: raw) else { throw BoundArguments.tableMismatch("language") }
            return .lang(language)
        case .help:
            return .help(try helpTopic(verb: a.optional("verb", \.word), subverb: a.optional("subverb", \.word)))
        case .quit:
            return .quit

        // MARK: Directory
        case .deptAdd:
            return .deptAdd(DeptAdd(code: try a.required("code", \.department), name: try a.required("name", \.text)))
        case .deptList:
            return .deptList
        case .userAdd:
            return .userAdd(UserAdd(
                login: try a.required("login", \.login), name: try a.required("name", \.text),
                department: try a.required("dept", \.department), role: try a.required("role", as: Role.self),
                password: try a.required("password", \.secret), line: try a.optional("line", as: StaffLine.self)))
        case .userList:
            return .userList(UserList(department: try a.optional("dept", \.department)))
        case .userPasswd:
            return .userPasswd(UserPasswd(login: try a.required("login", \.login), newPassword: try a.required("new_password", \.secret)))
        case .userUnlock:
            return .userUnlock(try a.required("login", \.login))
        case .userLeave:
            return .userLeave(UserLeave(login: try a.required("login", \.login), successor: try a.required("successor", \.login)))
        case .userSet:
            let set = UserSet(
                login: try a.required("login", \.login), name: try a.optional("name", \.text),
                role: try a.optional("role", as: Role.self), department: try a.optional("dept", \.department),
                line: try a.optional("line", as: StaffLine.self), successor: try a.optional("successor", \.login))
            guard set.name != nil || set.role != nil || set.department != nil || set.line != nil else {
                throw .missing("name, role, dept or line")
            }
            return .userSet(set)
        case .userActivate:
            return .userActivate(try a.required("login", \.login))
        case .handoverList:
            return .handoverList(HandoverList(login: try a.optional("login", \.login)))
        case .handoverShow:
            return .handoverShow(try a.required("id", \.handover))
        case .calendarSet:
            return .calendarSet(CalendarSet(
                days: try a.required("date", \.dateRange), kind: try a.required("kind", as: CalendarDayKind.self),
                note: try a.optional("note", \.text)))
        case .calendarDelete:
            return .calendarDelete(try a.required("date", \.dateRange))
        case .calendarList:
            return .calendarList(CalendarList(month: try a.optional("month", \.month), year: try a.optional("year", \.integer)))
        case .companyShow:
            return .companyShow
        case .companySet:
            let set = CompanySet(timeZone: try a.optional("timezone", \.timeZone),
                                 consentRule: try a.optional("consent_rule", as: ConsentRule.self))
            guard set.timeZone != nil || set.consentRule != nil else { throw .missing("timezone or consent_rule") }
            return .companySet(set)

        // MARK: Customers
        case .customerNew:
            return .customerNew(CustomerNew(
                name: try a.required("name", \.text), kind: try a.optional("kind", as: CustomerKind.self),
                creditCode: try a.optional("credit_code", \.creditCode), legalRep: try a.optional("legal_rep", \.text),
                contact: try a.optional("contact", \.text), phone: try a.optional("phone", \.text),
                email: try a.optional("email", \.text), address: try a.optional("address", \.text),
                industry: try a.optional("industry", \.text), region: try a.optional("region", \.text),
                grade: try a.optional("grade", as: CustomerGrade.self), creditLimit: try a.optional("credit_limit", \.money),
                owner: try a.optional("owner", \.login), duplicate: try a.optional("duplicate", \.bool) ?? false,
                idNumber: try a.optional("id_number", \.idNumber), bankAccount: try a.optional("bank_account", \.text),
                consentOn: try a.optional("consent_on", \.date), consentScope: try a.optional("consent_scope", \.text),
                consentRef: try a.optional("consent_ref", \.text)))
        case .customerShow:
            return .customerShow(try a.required("id", \.customer))
        case .customerHistory:
            return .customerHistory(try a.required("id", \.customer))
        case .customerFind:
            return .customerFind(CustomerFind(text: try a.required("text", \.text), limit: try a.optional("limit", \.integer),
                                              after: try a.optional("after", \.cursor)))
        case .customerList:
            return .customerList(CustomerList(
                owner: try a.optional("owner", \.login), grade: try a.optional("grade", as: CustomerGrade.self),
                region: try a.optional("region", \.text), flag: try a.optional("flag", as: CreditFlag.self),
                limit: try a.optional("limit", \.integer),
                after: try a.optional("after", \.cursor)))
        case .customerSet:
            return .customerSet(CustomerSet(
                customer: try a.required("id", \.customer), changes: try customerChanges(a), reason: try a.required("reason", \.text)))
        case .customerClose:
            return .customerClose(CustomerClose(
                customer: try a.required("id", \.customer), date: try a.required("date", \.date), reason: try a.required("reason", \.text)))
        case .customerConfirm:
            return .customerConfirm(CustomerConfirm(customer: try a.required("id", \.customer), note: try a.optional("note", \.text)))

        // MARK: Follow-up visits
        case .followupTemplates:
            return .followupTemplates
        case .followupTemplate:
            let name = try templateName(a.required("name", \.text), key: "name")
            guard let offsets = FollowUpSchedule.offsets(try a.required("days", \.text)) else {
                throw .invalid("days", "expected 1 to 20 increasing day counts from 1 to 3660, such as 3,30,60")
            }
            return .followupTemplate(FollowUpTemplateSet(
                name: name, offsets: offsets, unit: try a.optional("unit", as: FollowUpSchedule.Unit.self),
                summary: try a.optional("summary", \.text)))
        case .followupPlan:
            return .followupPlan(FollowUpPlan(
                customer: try a.required("customer", \.customer),
                template: try templateName(a.required("template", \.text), key: "template"),
                assignee: try a.optional("assignee", \.login), from: try a.optional("from", \.date)))
        case .followupAdd:
            return .followupAdd(FollowUpAdd(
                customer: try a.required("customer", \.customer), due: try a.required("due", \.date),
                assignee: try a.optional("assignee", \.login), note: try a.optional("note", \.text)))
        case .followupRecord:
            return .followupRecord(FollowUpRecord(
                visit: try a.required("visit", \.visit), method: try a.required("method", as: VisitMethod.self),
                outcome: try a.required("outcome", \.text), satisfaction: try a.optional("satisfaction", \.integer),
                objection: try a.optional("objection", \.text)))
        case .followupList:
            return .followupList(FollowUpList(
                customer: try a.optional("customer", \.customer), assignee: try a.optional("assignee", \.login),
                status: try a.optional("status", as: VisitStatusFilter.self), due: try a.optional("due", \.dateRange),
                limit: try a.optional("limit", \.integer)))
        case .followupAuto:
            let enabled = try a.required("auto", \.bool)
            let kind = try a.optional("kind", as: CustomerKind.self)
            let grade = try a.optional("grade", as: CustomerGrade.self)
            if !enabled && kind != nil { throw .invalid("kind", "only when switching on (yes)") }
            if !enabled && grade != nil { throw .invalid("grade", "only when switching on (yes)") }
            return .followupAuto(FollowUpAuto(
                template: try templateName(a.required("template", \.text), key: "template"), enabled: enabled,
                kind: kind, grade: grade))
        case .followupAssign:
            return .followupAssign(FollowUpAssign(
                visit: try a.required("visit", \.visit), assignee: try a.required("assignee", \.login),
                reason: try a.optional("reason", \.text)))
        case .followupCancel:
            return .followupCancel(FollowUpCancel(visit: try a.required("visit", \.visit), reason: try a.required("reason", \.text)))

        // MARK: Credit
        case .creditShow:
            return .creditShow(try a.required("customer", \.customer))
        case .creditArrears:
            return .creditArrears(CreditArrears(
                customer: try a.required("customer", \.customer), amount: try a.required("amount", \.money),
                due: try a.required("due", \.date), note: try a.optional("note", \.text)))
        case .creditPay:
            return .creditPay(CreditPay(
                target: try a.required("target", \.creditTarget), amount: try a.required("amount", \.money),
                date: try a.optional("date", \.date), note: try a.optional("note", \.text)))
        case .creditPlan:
            return .creditPlan(CreditPlan(
                customer: try a.required("customer", \.customer), instalments: try a.required("instalments", \.integer),
                first: try a.required("first", \.date), every: try a.optional("every", \.repaymentInterval),
                amount: try a.optional("amount", \.money), note: try a.optional("note", \.text)))
        case .creditList:
            return .creditList(CreditList(
                customer: try a.optional("customer", \.customer), status: try a.optional("status", as: ReceivableStatus.self),
                limit: try a.optional("limit", \.integer)))

        // MARK: Dossiers and items
        case .dossierNew:
            return .dossierNew(DossierNew(
                customer: try a.required("customer", \.customer), category: try a.required("category", as: Category.self),
                title: try a.required("title", \.text), level: try a.optional("level", as: Level.self),
                scope: try a.optional("scope", as: Scope.self), location: try a.optional("location", \.text)))
        case .itemAdd:
            return .itemAdd(ItemAdd(
                ref: try a.required("ref", \.ref), title: try a.required("title", \.text),
                pages: try a.optional("pages", \.integer), medium: try a.optional("medium", as: Medium.self),
                location: try a.optional("location", \.text), uri: try a.optional("uri", \.text),
                sha256: try a.optional("sha256", \.sha256), signedCustomer: try a.optional("signed_customer", \.bool),
                signedInternal: try a.optional("signed_internal", \.bool)))
        case .itemList:
            return .itemList(try a.required("ref", \.ref))
        case .dossierSubmit:
            return .dossierSubmit(try a.required("ref", \.ref))
        case .dossierShow:
            return .dossierShow(DossierShow(ref: try a.required("ref", \.ref), purpose: try a.optional("purpose", \.text)))
        case .dossierList:
            return .dossierList(DossierList(
                customer: try a.optional("customer", \.customer), category: try a.optional("category", as: Category.self),
                status: try a.optional("status", as: DossierStatus.self), owner: try a.optional("owner", \.login),
                department: try a.optional("dept", \.department), limit: try a.optional("limit", \.integer),
                after: try a.optional("after", \.cursor)))
        case .dossierEdit:
            return .dossierEdit(DossierEdit(ref: try a.required("ref", \.ref), changes: try dossierChanges(a), reason: try a.required("reason", \.text)))
        case .dossierHistory:
            return .dossierHistory(try a.required("ref", \.ref))
        case .dossierDelete:
            return .dossierDelete(RefWithReason(ref: try a.required("ref", \.ref), reason: try a.required("reason", \.text)))
        case .dossierRestore:
            return .dossierRestore(try a.required("ref", \.ref))

        // MARK: Access, loans, approvals
        case .accessRequest:
            return .accessRequest(AccessRequest(
                ref: try a.required("ref", \.ref), purpose: try a.required("purpose", \.text), hours: try a.optional("hours", \.integer)))
        case .accessList:
            return .accessList(AccessList(scope: try a.optional("scope", as: AccessList.Scope.self) ?? .mine,
                                          limit: try a.optional("limit", \.integer)))
        case .accessRevoke:
            return .accessRevoke(AccessRevoke(grant: try a.required("grant", \.grant), reason: try a.optional("reason", \.text)))
        case .loanRequest:
            return .loanRequest(LoanRequest(
                ref: try a.required("ref", \.ref), purpose: try a.required("purpose", \.text),
                period: try loanPeriod(a), mode: try a.optional("mode", as: LoanMode.self)))
        case .loanCheckout:
            return .loanCheckout(try a.required("loan", \.loan))
        case .loanReturn:
            return .loanReturn(LoanReturn(
                loan: try a.required("loan", \.loan), complete: try a.optional("complete", \.bool), note: try a.optional("note", \.text)))
        case .loanExtend:
            guard let period = try loanPeriod(a) else { throw .missing("days or hours") }
            return .loanExtend(LoanExtend(loan: try a.required("loan", \.loan), period: period, reason: try a.required("reason", \.text)))
        case .loanShow:
            return .loanShow(try a.required("loan", \.loan))
        case .loanList:
            let status = try a.optional("status", \.choice).map { (raw) throws(ProtocolError) -> LoanStatusFilter in
                guard let filter = LoanStatusFilter(raw) else { throw BoundArguments.tableMismatch("status") }
                return filter
            }
            return .loanList(LoanList(status: status, borrower: try a.optional("borrower", \.login)))
        case .approvalList:
            return .approvalList(ApprovalList(
                status: try a.optional("status", as: ApprovalListFilter.self), kind: try a.optional("kind", as: ApprovalKind.self),
                limit: try a.optional("limit", \.integer), after: try a.optional("after", \.cursor)))
        case .approvalShow:
            return .approvalShow(try a.required("id", \.approval))
        case .approve:
            return .approve(Approve(approval: try a.required("id", \.approval), comment: try a.optional("comment", \.text)))
        case .reject:
            return .reject(Reject(approval: try a.required("id", \.approval), reason: try a.required("reason", \.text)))
        case .withdraw:
            return .withdraw(try a.required("id", \.approval))
        case .todo:
            return .todo

        // MARK: Retention
        case .retentionList:
            return .retentionList
        case .retentionSet:
            return .retentionSet(RetentionSet(
                category: try a.required("category", as: Category.self), years: try a.required("years", \.integer),
                trigger: try a.required("trigger", as: RetentionTrigger.self),
                dryRun: try a.optional("dry_run", \.bool) ?? false))
        case .retentionDue:
            return .retentionDue(RetentionDue(before: try a.optional("before", \.date), limit: try a.optional("limit", \.integer)))
        case .holdPlace:
            return .holdPlace(RefWithReason(ref: try a.required("ref", \.ref), reason: try a.required("reason", \.text)))
        case .holdRelease:
            return .holdRelease(RefWithReason(ref: try a.required("ref", \.ref), reason: try a.required("reason", \.text)))
        case .holdList:
            return .holdList(HoldList(status: try a.optional("status", as: HoldList.Status.self) ?? .active,
                                      limit: try a.optional("limit", \.integer)))
        case .destroy:
            return .destroy(Destroy(
                ref: try a.required("ref", \.ref), reason: try a.required("reason", \.text),
                method: try a.optional("method", as: DestructionMethod.self)))
        case .destructionList:
            return .destructionList(DestructionList(year: try a.optional("year", \.integer)))

        // MARK: Inspections
        case .inspectionOpen:
            return .inspectionOpen(InspectionOpen(location: try a.optional("location", \.text)))
        case .inspectionCheck:
            return .inspectionCheck(InspectionCheck(
                ref: try a.required("ref", \.ref), result: try a.required("result", as: InspectionResult.self),
                location: try a.optional("location", \.text), note: try a.optional("note", \.text)))
        case .inspectionClose:
            return .inspectionClose
        case .inspectionList:
            return .inspectionList(InspectionList(status: try a.optional("status", as: InspectionList.Status.self),
                                                  limit: try a.optional("limit", \.integer)))
        case .inspectionShow:
            return .inspectionShow(try a.required("id", \.inspection))

        // MARK: Penalties
        case .penaltyRules:
            return .penaltyRules
        case .penaltyRecord:
            return .penaltyRecord(PenaltyRecord(
                user: try a.required("login", \.login), rule: try a.required("rule", \.ruleCode),
                ref: try a.optional("ref", \.ref), quantity: try a.optional("qty", \.integer),
                amount: try a.optional("amount", \.money), note: try a.optional("note", \.text)))
        case .penaltyList:
            return .penaltyList(PenaltyList(
                user: try a.optional("user", \.login), department: try a.optional("dept", \.department),
                month: try a.optional("month", \.month)))
        case .penaltyWaive:
            return .penaltyWaive(PenaltyWaive(penalty: try a.required("id", \.penalty), reason: try a.required("reason", \.text)))
        case .penaltySweep:
            return .penaltySweep(PenaltySweep(date: try a.optional("date", \.date), dryRun: try a.optional("dry_run", \.bool) ?? false))
        case .penaltyReport:
            return .penaltyReport(month: try a.required("month", \.month))
        case .penaltyAuto:
            return .penaltyAuto(PenaltyAuto(rule: try a.required("rule", \.ruleCode), enabled: try a.required("auto", \.bool)))

        // MARK: Audit and operations
        case .auditList:
            return .auditList(AuditList(
                ref: try a.optional("ref", \.ref), user: try a.optional("user", \.login),
                since: try a.optional("since", \.timeBound), limit: try a.optional("limit", \.integer)))
        case .auditVerify:
            return .auditVerify(AuditVerify(full: try a.optional("full", \.bool) ?? false))
        case .stats:
            return .stats
        }
    }

    private static func helpTopic(verb: String?, subverb: String?) throws(ProtocolError) -> HelpTopic {
        guard let verb else { return .all }
        if let subverb {
            guard let spec = CommandTable.spec(named: "\(verb) \(subverb)") else {
                throw ProtocolError(.unknown, "no such verb; try HELP")
            }
            return .verb(spec.verb)
        }
        if let spec = CommandTable.spec(named: verb), spec.words.count == 1 { return .verb(spec.verb) }
        guard CommandTable.groups.contains(verb) else { throw ProtocolError(.unknown, "no such verb; try HELP") }
        return .group(verb)
    }

    /// A template name: a lowercase letter, then lowercase letters, digits or `_` (`bought`, `not_bought`).
    private static func templateName(_ raw: String, key: String) throws(ProtocolError) -> String {
        let bytes = Array(raw.utf8)
        guard let first = bytes.first, (0x61...0x7A).contains(first),
              bytes.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") })
        else { throw .invalid(key, "expected a template name (lowercase letters, digits, '_')") }
        return raw
    }

    private static func loanPeriod(_ a: BoundArguments) throws(ProtocolError) -> LoanPeriod? {
        if let days = try a.optional("days", \.integer) { return .days(days) }
        if let hours = try a.optional("hours", \.integer) { return .hours(hours) }
        return nil
    }

    private static func customerChanges(_ a: BoundArguments) throws(ProtocolError) -> [CustomerChange] {
        var result: [CustomerChange] = []
        for (field, value) in a.changes {
            func text() throws(ProtocolError) -> String? { try value.map { (v) throws(ProtocolError) in try extract(v, field, \.text) } }
            func choice<E: WireEnum>(_ type: E.Type) throws(ProtocolError) -> E? {
                guard let raw = try value.map({ (v) throws(ProtocolError) in try extract(v, field, \.choice) }) else { return nil }
                guard let typed = E(rawValue: raw) else { throw BoundArguments.tableMismatch(field) }
                return typed
            }
            func required<T>(_ typed: T?) throws(ProtocolError) -> T {
                // Only clearable fields may be nil; the table says which.
                guard let typed else { throw BoundArguments.tableMismatch(field) }
                return typed
            }
            switch field {
            case "name": result.append(.name(try required(text())))
            case "kind": result.append(.kind(try required(choice(CustomerKind.self))))
            case "credit_code": result.append(.creditCode(try value.map { (v) throws(ProtocolError) in try extract(v, field, \.creditCode) }))
            case "legal_rep": result.append(.legalRep(try text()))
            case "contact": result.append(.contact(try text()))
            case "phone": result.append(.phone(try text()))
            case "email": result.append(.email(try text()))
            case "address": result.append(.address(try text()))
            case "industry": result.append(.industry(try text()))
            case "region": result.append(.region(try text()))
            case "grade": result.append(.grade(try choice(CustomerGrade.self)))
            case "credit_rating": result.append(.creditRating(try text()))
            case "credit_limit": result.append(.creditLimit(try value.map { (v) throws(ProtocolError) in try extract(v, field, \.money) }))
            case "owner": result.append(.owner(try required(value.map { (v) throws(ProtocolError) in try extract(v, field, \.login) })))
            case "id_number": result.append(.idNumber(try value.map { (v) throws(ProtocolError) in try extract(v, field, \.idNumber) }))
            case "bank_account": result.append(.bankAccount(try text()))
            case "consent_on": result.append(.consentOn(try value.map { (v) throws(ProtocolError) in try extract(v, field, \.date) }))
            case "consent_scope": result.append(.consentScope(try text()))
            case "consent_ref": result.append(.consentRef(try text()))
            default: throw BoundArguments.tableMismatch(field)
            }
        }
        return result
    }

    private static func dossierChanges(_ a: BoundArguments) throws(ProtocolError) -> [DossierChange] {
        var result: [DossierChange] = []
        for (field, value) in a.changes {
            switch (field, value) {
            case ("title", let value?): result.append(.title(try extract(value, field, \.text)))
            case ("level", let value?):
                guard let level = Level(rawValue: try extract(value, field, \.choice)) else { throw BoundArguments.tableMismatch(field) }
                result.append(.level(level))
            case ("scope", let value?):
                guard let scope = Scope(rawValue: try extract(value, field, \.choice)) else { throw BoundArguments.tableMismatch(field) }
                result.append(.scope(scope))
            case ("location", let value):
                result.append(.location(try value.map { (v) throws(ProtocolError) in try extract(v, field, \.text) }))
            default:
                throw BoundArguments.tableMismatch(field)
            }
        }
        return result
    }

    private static func extract<T>(_ value: ArgumentValue, _ name: String, _ path: (ArgumentValue) -> T?) throws(ProtocolError) -> T {
        guard let typed = path(value) else { throw BoundArguments.tableMismatch(name) }
        return typed
    }
}
