import DossierDomain

/// The single source of truth for DOSSIER/1's verbs: words, arguments, access and
/// summaries. The parser binds arguments with it, `HELP` prints it.
public enum CommandTable {
    /// Every verb's spec, in PROTOCOL.md order.
    public static let all: [CommandSpec] = Verb.allCases.map(makeSpec)

    private static let byVerb: [Verb: CommandSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.verb, $0) })
    private static let byName: [String: CommandSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Verbs whose work grows with the whole register or log and can last
    /// minutes: a full audit verification, a retention rule applied to every
    /// dossier of its category, the penalty sweep, an inspection's snapshot of
    /// a department's cabinets, a leaver's handover. They run beside the
    /// command slots (`dossierd serve --command-slots`), so that one of them
    /// never holds a place the daily verbs queue for.
    public static let longRunning: Set<Verb> = [.auditVerify, .retentionSet, .penaltySweep, .inspectionOpen, .userLeave]

    /// First words that need a second one (`DOSSIER`, `LOAN`, …).
    public static let groups: Set<String> = Set(all.filter { $0.words.count == 2 }.map { $0.words[0] })

    public static func spec(for verb: Verb) -> CommandSpec { byVerb[verb]! }

    /// The spec named by upper-cased words, e.g. `"DOSSIER NEW"` or `"PING"`.
    public static func spec(named name: String) -> CommandSpec? { byName[name] }

    /// The specs whose first word is `word` (a whole group, or one single-word verb).
    public static func specs(startingWith word: String) -> [CommandSpec] { all.filter { $0.words[0] == word } }

    // Coarse role sets; see `Access`.
    private static let owners = Access.roles([.rep, .manager, .director])
    private static let borrowers = Access.roles([.rep, .manager, .archivist, .director])
    private static let approvers = Access.roles([.manager, .director])
    private static let admin = Access.roles([.admin])

    private static let limit = KeySpec("limit", .integer(1...1000))
    private static let after = KeySpec("after", .cursor)
    private static let reason = KeySpec("reason", .text, required: true)
    private static let ref = PositionalSpec("ref", .ref)

    // The schema's length CHECKs, mirrored (migrations 0002, 0003).
    private static let name = ValueKind.limitedText(200)
    private static let title = ValueKind.limitedText(500)
    /// A search needle: longer ones cannot be a name anyway.
    private static let needle = ValueKind.limitedText(100)

    private static let customerFields: [ChangeFieldSpec] = [
        ChangeFieldSpec("name", name, clearable: false),
        ChangeFieldSpec("kind", .choice(of: CustomerKind.self), clearable: false),
        ChangeFieldSpec("credit_code", .creditCode, clearable: true),
        ChangeFieldSpec("legal_rep", .text, clearable: true),
        ChangeFieldSpec("contact", .text, clearable: true),
        ChangeFieldSpec("phone", .text, clearable: true),
        ChangeFieldSpec("email", .text, clearable: true),
        ChangeFieldSpec("address", .text, clearable: true),
        ChangeFieldSpec("industry", .text, clearable: true),
        ChangeFieldSpec("region", .text, clearable: true),
        ChangeFieldSpec("grade", .choice(of: CustomerGrade.self), clearable: true),
        ChangeFieldSpec("credit_rating", .text, clearable: true),
        ChangeFieldSpec("credit_limit", .money, clearable: true),
        ChangeFieldSpec("owner", .login, clearable: false),
        ChangeFieldSpec("id_number", .idNumber, clearable: true),
        ChangeFieldSpec("bank_account", .limitedText(64), clearable: true),
        ChangeFieldSpec("consent_on", .date, clearable: true),
        ChangeFieldSpec("consent_scope", .limitedText(500), clearable: true),
        ChangeFieldSpec("consent_ref", .limitedText(200), clearable: true),
    ]

    private static let dossierFields: [ChangeFieldSpec] = [
        ChangeFieldSpec("title", title, clearable: false),
        ChangeFieldSpec("level", .choice(of: Level.self), clearable: false),
        ChangeFieldSpec("scope", .choice(of: Scope.self), clearable: false),
        ChangeFieldSpec("location", .text, clearable: true),
    ]

    // Exhaustive over Verb: adding a verb without a spec does not compile.
    private static func makeSpec(_ verb: Verb) -> CommandSpec {
        switch verb {
        // MARK: Session
        case .ping:
            CommandSpec(verb, "PING", "Check that the server answers.", access: .anyone)
        case .auth:
            CommandSpec(verb, "AUTH", "Log in.", access: .anyone,
                        positionals: [PositionalSpec("login", .login), PositionalSpec("password", .secret)])
        case .whoami:
            CommandSpec(verb, "WHOAMI", "Show the logged-in user, role and department.", access: .loggedIn)
        case .format:
            CommandSpec(verb, "FORMAT", "Choose text or JSON responses for this connection.", access: .loggedIn,
                        positionals: [PositionalSpec("format", .choice(OutputFormat.allCases.map(\.rawValue)))])
        case .lang:
            CommandSpec(verb, "LANG", "Choose the language of messages and HELP summaries for this connection.",
                        access: .anyone,
                        positionals: [PositionalSpec("language", .choice(Language.allCases.map(\.rawValue)))])
        case .help:
            CommandSpec(verb, "HELP", "List verbs with usage, or describe one verb or group.", access: .anyone,
                        positionals: [PositionalSpec("verb", .word, optional: true),
                                      PositionalSpec("subverb", .word, optional: true)])
        case .quit:
            CommandSpec(verb, "QUIT", "Close the connection.", access: .anyone)

        // MARK: Directory
        case .deptAdd:
            CommandSpec(verb, "DEPT ADD", "Create a department.", access: admin,
                        positionals: [PositionalSpec("code", .department)],
                        keys: [KeySpec("name", name, required: true)])
        case .deptList:
            CommandSpec(verb, "DEPT LIST", "List departments.", access: .loggedIn)
        case .userAdd:
            CommandSpec(verb, "USER ADD", "Create a user.", access: admin,
                        positionals: [PositionalSpec("login", .login)],
                        keys: [KeySpec("name", name, required: true),
                               KeySpec("dept", .department, required: true),
                               KeySpec("role", .choice(of: Role.self), required: true),
                               KeySpec("password", .secret, required: true),
                               KeySpec("line", .choice(of: StaffLine.self))])
        case .userList:
            CommandSpec(verb, "USER LIST", "List users.", access: admin,
                        keys: [KeySpec("dept", .department)])
        case .userPasswd:
            CommandSpec(verb, "USER PASSWD", "Change a password (your own, or any as admin).", access: .loggedIn,
                        positionals: [PositionalSpec("login", .login),
                                      PositionalSpec("new_password", .secret, placeholder: "<new>")])
        case .userUnlock:
            CommandSpec(verb, "USER UNLOCK", "Clear a login's lockout after failed AUTH attempts.", access: admin,
                        positionals: [PositionalSpec("login", .login)])
        case .userLeave:
            CommandSpec(verb, "USER LEAVE", "Deactivate a user and hand their customers and dossiers to a successor.",
                        access: admin,
                        positionals: [PositionalSpec("login", .login)],
                        keys: [KeySpec("successor", .login, required: true)])
        case .userSet:
            CommandSpec(verb, "USER SET",
                        "Change a user's name, role, department or staff line (audited). A user who may no longer keep "
                        + "their customers and dossiers (another department, or a role that owns none) hands them to "
                        + "successor= first; nothing moves silently.",
                        access: admin,
                        positionals: [PositionalSpec("login", .login)],
                        keys: [KeySpec("name", .text), KeySpec("role", .choice(of: Role.self)),
                               KeySpec("dept", .department), KeySpec("line", .choice(of: StaffLine.self)),
                               KeySpec("successor", .login)])
        case .userActivate:
            CommandSpec(verb, "USER ACTIVATE", "Reactivate a user who left (they come back with nothing handed back).",
                        access: admin, positionals: [PositionalSpec("login", .login)])
        case .handoverList:
            CommandSpec(verb, "HANDOVER LIST", "List recorded handovers (of one leaver or successor, or all you may see).",
                        access: .loggedIn, positionals: [PositionalSpec("login", .login, optional: true)])
        case .handoverShow:
            CommandSpec(verb, "HANDOVER SHOW", "Show a handover's list of customers and dossiers.", access: .loggedIn,
                        positionals: [PositionalSpec("id", .handover, placeholder: "H<n>")])
        case .calendarSet:
            CommandSpec(verb, "CALENDAR SET", "Mark a date, or every date of a range, as a workday or a holiday.",
                        access: admin,
                        positionals: [PositionalSpec("date", .dateRange, placeholder: "<date>|<from>..<to>"),
                                      PositionalSpec("kind", .choice(of: CalendarDayKind.self))],
                        keys: [KeySpec("note", .text)])
        case .calendarDelete:
            CommandSpec(verb, "CALENDAR DELETE", "Remove calendar overrides (the day is Monday–Friday again).",
                        access: admin,
                        positionals: [PositionalSpec("date", .dateRange, placeholder: "<date>|<from>..<to>")])
        case .calendarList:
            CommandSpec(verb, "CALENDAR LIST", "List calendar overrides of a month or a year (default: this year).",
                        access: .loggedIn,
                        keys: [KeySpec("month", .month), KeySpec("year", .integer(1...9999))],
                        exclusive: [ExclusiveKeys(["month", "year"], required: false)])
        case .companyShow:
            CommandSpec(verb, "COMPANY SHOW", "Show company-wide settings (time zone, its offset now, today).",
                        access: .loggedIn)
        case .companySet:
            CommandSpec(verb, "COMPANY SET",
                        "Change the company time zone (wire times, working days, due days and the daily jobs follow it) "
                            + "or the consent rule for person customers without written consent (refuse, or flag).",
                        access: admin, keys: [KeySpec("timezone", .timeZone), KeySpec("consent_rule", .choice(of: ConsentRule.self))])

        // MARK: Customers
        case .customerNew:
            CommandSpec(verb, "CUSTOMER NEW",
                        "Create a customer (id_number, phone, email, address, bank_account are stored encrypted; "
                            + "a person customer without consent_on= is refused or flagged as COMPANY SHOW's consent_rule says).",
                        access: owners,
                        keys: [KeySpec("name", name, required: true),
                               KeySpec("kind", .choice(of: CustomerKind.self)),
                               KeySpec("credit_code", .creditCode),
                               KeySpec("legal_rep", .text),
                               KeySpec("contact", .text),
                               KeySpec("phone", .text),
                               KeySpec("email", .text),
                               KeySpec("address", .text),
                               KeySpec("industry", .text),
                               KeySpec("region", .text),
                               KeySpec("grade", .choice(of: CustomerGrade.self)),
                               KeySpec("credit_limit", .money),
                               KeySpec("id_number", .idNumber),
                               KeySpec("bank_account", .limitedText(64)),
                               KeySpec("consent_on", .date),
                               KeySpec("consent_scope", .limitedText(500)),
                               KeySpec("consent_ref", .limitedText(200)),
                               KeySpec("owner", .login),
                               KeySpec("duplicate", .yesNo)])
        case .customerShow:
            CommandSpec(verb, "CUSTOMER SHOW", "Show a customer's fields that you may see.", access: .staff,
                        positionals: [PositionalSpec("id", .customer)])
        case .customerHistory:
            CommandSpec(verb, "CUSTOMER HISTORY", "Show a customer's change history.", access: .staff,
                        positionals: [PositionalSpec("id", .customer)])
        case .customerFind:
            CommandSpec(verb, "CUSTOMER FIND",
                        "Find customers by name, credit code or contact (substring), or by an exact phone or identity card number, "
                            + "where visible; page by page.",
                        access: .staff,
                        positionals: [PositionalSpec("text", needle)],
                        keys: [limit, after])
        case .customerList:
            CommandSpec(verb, "CUSTOMER LIST", "List customers, page by page.", access: .staff,
                        keys: [KeySpec("owner", .login), KeySpec("grade", .choice(of: CustomerGrade.self)),
                               KeySpec("region", .text), KeySpec("flag", .choice(of: CreditFlag.self)), limit, after])
        case .customerSet:
            CommandSpec(verb, "CUSTOMER SET", "Change customer fields (applied or sent for approval).", access: owners,
                        positionals: [PositionalSpec("id", .customer)],
                        keys: [reason], changeFields: customerFields)
        case .customerClose:
            CommandSpec(verb, "CUSTOMER CLOSE", "Record the end of a customer relationship.", access: owners,
                        positionals: [PositionalSpec("id", .customer)],
                        keys: [KeySpec("date", .date, required: true), reason])
        case .customerConfirm:
            CommandSpec(verb, "CUSTOMER CONFIRM", "Confirm your customer's data is current (the monthly refresh; no approval).",
                        access: owners,
                        positionals: [PositionalSpec("id", .customer)],
                        keys: [KeySpec("note", .text)])

        // MARK: Follow-up visits
        case .followupTemplates:
            CommandSpec(verb, "FOLLOWUP TEMPLATES", "List the follow-up schedule templates (days after the plan day).",
                        access: .loggedIn)
        case .followupTemplate:
            CommandSpec(verb, "FOLLOWUP TEMPLATE",
                        "Create or change a follow-up schedule template: visit offsets in days (calendar days, a "
                        + "non-working due day moving to the next working day) or working days.",
                        access: admin,
                        positionals: [PositionalSpec("name", .limitedText(40))],
                        keys: [KeySpec("days", .limitedText(100), required: true),
                               KeySpec("unit", .choice(of: FollowUpSchedule.Unit.self)),
                               KeySpec("summary", .limitedText(200))])
        case .followupPlan:
            CommandSpec(verb, "FOLLOWUP PLAN", "Plan a customer's follow-up visits from a template (from today, or from=).",
                        access: owners,
                        positionals: [PositionalSpec("customer", .customer)],
                        keys: [KeySpec("template", .limitedText(40), required: true), KeySpec("assignee", .login),
                               KeySpec("from", .date)])
        case .followupAdd:
            CommandSpec(verb, "FOLLOWUP ADD", "Plan one follow-up visit of a customer, for its owner or (manager) a rep.",
                        access: owners,
                        positionals: [PositionalSpec("customer", .customer)],
                        keys: [KeySpec("due", .date, required: true), KeySpec("assignee", .login), KeySpec("note", .limitedText(2000))])
        case .followupRecord:
            CommandSpec(verb, "FOLLOWUP RECORD", "Record a follow-up visit you made, dated today (after its due day it is late).",
                        access: owners,
                        positionals: [PositionalSpec("visit", .visit, placeholder: "V<n>")],
                        keys: [KeySpec("method", .choice(of: VisitMethod.self), required: true),
                               KeySpec("outcome", .limitedText(4000), required: true),
                               KeySpec("satisfaction", .integer(1...5)),
                               KeySpec("objection", .limitedText(4000))])
        case .followupList:
            CommandSpec(verb, "FOLLOWUP LIST", "List follow-up visits you may see (a customer's history with customer=).",
                        access: .staff,
                        keys: [KeySpec("customer", .customer), KeySpec("assignee", .login),
                               KeySpec("status", .choice(of: VisitStatusFilter.self)),
                               KeySpec("due", .dateRange), limit])
        case .followupAuto:
            CommandSpec(verb, "FOLLOWUP AUTO",
                        "Have a template planned automatically for every customer created with, or changing into, a kind "
                        + "and grade (absent: any); no switches it off.",
                        access: admin,
                        positionals: [PositionalSpec("template", .limitedText(40)), PositionalSpec("auto", .yesNo)],
                        keys: [KeySpec("kind", .choice(of: CustomerKind.self)), KeySpec("grade", .choice(of: CustomerGrade.self))])
        case .followupAssign:
            CommandSpec(verb, "FOLLOWUP ASSIGN", "Give an open follow-up visit to another person of the customer's department.",
                        access: approvers,
                        positionals: [PositionalSpec("visit", .visit, placeholder: "V<n>")],
                        keys: [KeySpec("assignee", .login, required: true), KeySpec("reason", .text)])
        case .followupCancel:
            CommandSpec(verb, "FOLLOWUP CANCEL", "Cancel an open follow-up visit, with the reason (customer's owner, manager).",
                        access: owners,
                        positionals: [PositionalSpec("visit", .visit, placeholder: "V<n>")],
                        keys: [KeySpec("reason", .limitedText(2000), required: true)])

        // MARK: Credit
        case .creditShow:
            CommandSpec(verb, "CREDIT SHOW",
                        "Show a customer's credit: rating, limit, outstanding and overdue amounts, flags, repayment plans, "
                            + "payments and the history of its rating and limit.",
                        access: .staff,
                        positionals: [PositionalSpec("customer", .customer)])
        case .creditArrears:
            CommandSpec(verb, "CREDIT ARREARS", "Record a sale on credit the customer owes, payable by the end of due=.",
                        access: owners,
                        positionals: [PositionalSpec("customer", .customer)],
                        keys: [KeySpec("amount", .creditAmount, required: true), KeySpec("due", .date, required: true),
                               KeySpec("note", .limitedText(2000))])
        case .creditPay:
            CommandSpec(verb, "CREDIT PAY",
                        "Record a payment: for a customer applied to its open arrears and instalments oldest due first, "
                            + "or to one receivable R<n>.",
                        access: owners,
                        positionals: [PositionalSpec("target", .creditTarget, placeholder: "C-YYYY-NNNNN|R<n>")],
                        keys: [KeySpec("amount", .creditAmount, required: true), KeySpec("date", .date),
                               KeySpec("note", .limitedText(2000))])
        case .creditPlan:
            CommandSpec(verb, "CREDIT PLAN",
                        "Make a repayment plan (manager): open arrears, oldest due first, into equal instalments from first=, "
                            + "every month or every <n> days.",
                        access: approvers,
                        positionals: [PositionalSpec("customer", .customer)],
                        keys: [KeySpec("instalments", .integer(1...InstalmentSchedule.maximumCount), required: true),
                               KeySpec("first", .date, required: true), KeySpec("every", .repaymentInterval),
                               KeySpec("amount", .creditAmount), KeySpec("note", .limitedText(2000))])
        case .creditList:
            CommandSpec(verb, "CREDIT LIST", "List arrears and instalments you may see, by due day (status=overdue: the overdue ones).",
                        access: .staff,
                        keys: [KeySpec("customer", .customer), KeySpec("status", .choice(of: ReceivableStatus.self)), limit])

        // MARK: Dossiers and items
        case .dossierNew:
            CommandSpec(verb, "DOSSIER NEW", "Create a draft dossier.", access: owners,
                        keys: [KeySpec("customer", .customer, required: true),
                               KeySpec("category", .choice(of: Category.self), required: true),
                               KeySpec("title", title, required: true),
                               KeySpec("level", .choice(of: Level.self)),
                               KeySpec("scope", .choice(of: Scope.self)),
                               KeySpec("location", .text)])
        case .itemAdd:
            CommandSpec(verb, "ITEM ADD", "Add an item to a draft dossier.", access: owners,
                        positionals: [ref],
                        keys: [KeySpec("title", title, required: true),
                               KeySpec("pages", .integer(0...100_000)),
                               KeySpec("medium", .choice(of: Medium.self)),
                               KeySpec("location", .text),
                               KeySpec("uri", .text),
                               KeySpec("sha256", .sha256),
                               KeySpec("signed_customer", .yesNo),
                               KeySpec("signed_internal", .yesNo)])
        case .itemList:
            CommandSpec(verb, "ITEM LIST", "List a dossier's items.", access: .staff, positionals: [ref])
        case .dossierSubmit:
            CommandSpec(verb, "DOSSIER SUBMIT", "Submit a draft for filing.", access: owners, positionals: [ref])
        case .dossierShow:
            CommandSpec(verb, "DOSSIER SHOW", "Show a dossier's content (the read is audited with its purpose).",
                        access: .staff, positionals: [ref], keys: [KeySpec("purpose", .text)])
        case .dossierList:
            CommandSpec(verb, "DOSSIER LIST", "List the register entries you can see, page by page.", access: .staff,
                        keys: [KeySpec("customer", .customer),
                               KeySpec("category", .choice(of: Category.self)),
                               KeySpec("status", .choice(of: DossierStatus.self)),
                               KeySpec("owner", .login),
                               KeySpec("dept", .department),
                               limit, after])
        case .dossierEdit:
            CommandSpec(verb, "DOSSIER EDIT", "Request changes to a dossier.", access: owners,
                        positionals: [ref], keys: [reason], changeFields: dossierFields)
        case .dossierHistory:
            CommandSpec(verb, "DOSSIER HISTORY", "Show a dossier's change history.", access: .staff, positionals: [ref])
        case .dossierDelete:
            CommandSpec(verb, "DOSSIER DELETE", "Request deletion (restorable for 30 days).", access: owners,
                        positionals: [ref], keys: [reason])
        case .dossierRestore:
            CommandSpec(verb, "DOSSIER RESTORE", "Restore a deleted dossier within the grace period.", access: owners,
                        positionals: [ref])

        // MARK: Access, loans, approvals
        case .accessRequest:
            CommandSpec(verb, "ACCESS REQUEST", "Ask to read a dossier for a while (default 24 hours).", access: borrowers,
                        positionals: [ref],
                        keys: [KeySpec("purpose", .text, required: true), KeySpec("hours", .integer(1...720))])
        case .accessList:
            CommandSpec(verb, "ACCESS LIST", "List your access grants, or all you may see (mine|all).", access: .staff,
                        positionals: [PositionalSpec("scope", .choice(of: AccessList.Scope.self), optional: true)],
                        keys: [limit])
        case .accessRevoke:
            CommandSpec(verb, "ACCESS REVOKE", "End an access grant now (the grantee, the department's manager, a director).",
                        access: .staff,
                        positionals: [PositionalSpec("grant", .grant, placeholder: "G<n>")],
                        keys: [KeySpec("reason", .text)])
        case .loanRequest:
            CommandSpec(verb, "LOAN REQUEST", "Ask to borrow a paper dossier.", access: borrowers,
                        positionals: [ref],
                        keys: [KeySpec("purpose", .text, required: true),
                               KeySpec("days", .integer(1...365)),
                               KeySpec("hours", .integer(1...720)),
                               KeySpec("mode", .choice(of: LoanMode.self))],
                        exclusive: [ExclusiveKeys(["days", "hours"], required: false)])
        case .loanCheckout:
            CommandSpec(verb, "LOAN CHECKOUT", "Hand out an approved loan; the due time starts.",
                        access: .roles([.archivist]), positionals: [PositionalSpec("loan", .loan, placeholder: "L<n>")])
        case .loanReturn:
            CommandSpec(verb, "LOAN RETURN", "Take a loan back and record whether it is complete.",
                        access: .roles([.archivist]),
                        positionals: [PositionalSpec("loan", .loan, placeholder: "L<n>")],
                        keys: [KeySpec("complete", .yesNo), KeySpec("note", .text)])
        case .loanExtend:
            CommandSpec(verb, "LOAN EXTEND", "Ask to extend a loan (a new approval).", access: borrowers,
                        positionals: [PositionalSpec("loan", .loan, placeholder: "L<n>")],
                        keys: [KeySpec("days", .integer(1...365)), KeySpec("hours", .integer(1...720)), reason],
                        exclusive: [ExclusiveKeys(["days", "hours"], required: true)])
        case .loanShow:
            CommandSpec(verb, "LOAN SHOW", "Show a loan.", access: .staff,
                        positionals: [PositionalSpec("loan", .loan, placeholder: "L<n>")])
        case .loanList:
            CommandSpec(verb, "LOAN LIST", "List loans.", access: .staff,
                        keys: [KeySpec("status", .choice(LoanStatusFilter.wireSpellings)),
                               KeySpec("borrower", .login)])
        case .approvalList:
            CommandSpec(verb, "APPROVAL LIST", "List approvals waiting for you, yours, or all you may see, with reason and details, page by page.",
                        access: .staff,
                        keys: [KeySpec("status", .choice(of: ApprovalListFilter.self)),
                               KeySpec("kind", .choice(of: ApprovalKind.self)),
                               limit, after])
        case .approvalShow:
            CommandSpec(verb, "APPROVAL SHOW", "Show an approval, what it asks for (one row per field) and its decisions.", access: .staff,
                        positionals: [PositionalSpec("id", .approval, placeholder: "A<n>")])
        case .approve:
            CommandSpec(verb, "APPROVE", "Approve a request (or pass it to the next step).", access: approvers,
                        positionals: [PositionalSpec("id", .approval, placeholder: "A<n>")],
                        keys: [KeySpec("comment", .text)])
        case .reject:
            CommandSpec(verb, "REJECT", "Reject a request.", access: approvers,
                        positionals: [PositionalSpec("id", .approval, placeholder: "A<n>")], keys: [reason])
        case .withdraw:
            CommandSpec(verb, "WITHDRAW", "Withdraw your own pending request.", access: .staff,
                        positionals: [PositionalSpec("id", .approval, placeholder: "A<n>")])
        case .todo:
            CommandSpec(verb, "TODO", "List what waits for you, most urgent first, with the verb that resolves each.",
                        access: .loggedIn)

        // MARK: Retention
        case .retentionList:
            CommandSpec(verb, "RETENTION LIST", "List retention rules per category.", access: .loggedIn)
        case .retentionSet:
            CommandSpec(verb, "RETENTION SET", "Change a category's retention rule.", access: admin,
                        positionals: [PositionalSpec("category", .choice(of: Category.self), placeholder: "<category>")],
                        keys: [KeySpec("years", .integer(1...100), required: true),
                               KeySpec("trigger", .choice(of: RetentionTrigger.self), required: true),
                               KeySpec("dry_run", .yesNo)])
        case .retentionDue:
            CommandSpec(verb, "RETENTION DUE", "List dossiers past retention and not on hold.",
                        access: .roles([.archivist, .manager, .director]),
                        keys: [KeySpec("before", .date), limit])
        case .holdPlace:
            CommandSpec(verb, "HOLD PLACE", "Place a legal hold (blocks deletion and destruction).", access: approvers,
                        positionals: [ref], keys: [reason])
        case .holdRelease:
            CommandSpec(verb, "HOLD RELEASE", "Release a legal hold.", access: approvers,
                        positionals: [ref], keys: [reason])
        case .holdList:
            CommandSpec(verb, "HOLD LIST", "List legal holds on dossiers you can see (default: active ones).",
                        access: .staff,
                        keys: [KeySpec("status", .choice(of: HoldList.Status.self)), limit])
        case .destroy:
            CommandSpec(verb, "DESTROY", "Request destruction of a dossier past retention.",
                        access: .roles([.archivist, .manager, .director]),
                        positionals: [ref],
                        keys: [reason, KeySpec("method", .choice(of: DestructionMethod.self))])
        case .destructionList:
            CommandSpec(verb, "DESTRUCTION LIST", "Show the permanent destruction register.",
                        access: .roles([.archivist, .manager, .director, .auditor]),
                        keys: [KeySpec("year", .integer(1...9999))])

        // MARK: Inspections
        case .inspectionOpen:
            CommandSpec(verb, "INSPECTION OPEN",
                        "Open an inspection of your department's cabinets (or of locations starting with location=).",
                        access: .roles([.archivist]), keys: [KeySpec("location", .limitedText(200))])
        case .inspectionCheck:
            CommandSpec(verb, "INSPECTION CHECK",
                        "Record a dossier found (present, at location= if not where the register says), missing or damaged.",
                        access: .roles([.archivist]),
                        positionals: [ref, PositionalSpec("result", .choice(of: InspectionResult.self))],
                        keys: [KeySpec("location", .limitedText(200)), KeySpec("note", .limitedText(2000))])
        case .inspectionClose:
            CommandSpec(verb, "INSPECTION CLOSE",
                        "Close your department's open inspection: rows of dossiers not checked, missing, damaged or moved.",
                        access: .roles([.archivist]))
        case .inspectionList:
            CommandSpec(verb, "INSPECTION LIST", "List inspections you may see, newest first.",
                        access: .roles([.archivist, .manager, .director]),
                        keys: [KeySpec("status", .choice(of: InspectionList.Status.self)), limit])
        case .inspectionShow:
            CommandSpec(verb, "INSPECTION SHOW", "Show an inspection: one row per dossier expected or checked.",
                        access: .roles([.archivist, .manager, .director]),
                        positionals: [PositionalSpec("id", .inspection, placeholder: "I<n>")])

        // MARK: Penalties
        case .penaltyRules:
            CommandSpec(verb, "PENALTY RULES", "List penalty rules and amounts.", access: .loggedIn)
        case .penaltyRecord:
            CommandSpec(verb, "PENALTY RECORD", "Record a violation by a user.",
                        access: .roles([.manager, .archivist, .auditor, .director]),
                        positionals: [PositionalSpec("login", .login)],
                        keys: [KeySpec("rule", .ruleCode, required: true),
                               KeySpec("ref", .ref),
                               KeySpec("qty", .integer(1...1000)),
                               KeySpec("amount", .money),
                               KeySpec("note", .text)])
        case .penaltyList:
            CommandSpec(verb, "PENALTY LIST", "List penalties.", access: .staff,
                        keys: [KeySpec("user", .login), KeySpec("dept", .department), KeySpec("month", .month)])
        case .penaltyWaive:
            CommandSpec(verb, "PENALTY WAIVE", "Ask a director to waive a penalty.", access: .staff,
                        positionals: [PositionalSpec("id", .penalty, placeholder: "P<n>")], keys: [reason])
        case .penaltySweep:
            CommandSpec(verb, "PENALTY SWEEP", "Run the automatic penalty sweep now (idempotent; dry_run=yes only says what it would charge).",
                        access: .roles([.admin, .auditor, .director]),
                        keys: [KeySpec("date", .date), KeySpec("dry_run", .yesNo)])
        case .penaltyReport:
            CommandSpec(verb, "PENALTY REPORT", "Monthly totals per department and user.",
                        access: .roles([.auditor, .director, .manager]),
                        keys: [KeySpec("month", .month, required: true)])
        case .penaltyAuto:
            CommandSpec(verb, "PENALTY AUTO", "Switch a rule's automatic detection on or off (LATE_FOLLOWUP ships off).",
                        access: admin,
                        positionals: [PositionalSpec("rule", .ruleCode), PositionalSpec("auto", .yesNo)])

        // MARK: Audit and operations
        case .auditList:
            CommandSpec(verb, "AUDIT LIST", "List audit rows.", access: .roles([.auditor, .director]),
                        keys: [KeySpec("ref", .ref), KeySpec("user", .login), KeySpec("since", .timeBound), limit])
        case .auditVerify:
            CommandSpec(verb, "AUDIT VERIFY",
                        "Verify the audit log's hash chains: the rows since the last checkpoint, or every row with full=yes.",
                        access: .roles([.auditor, .director, .admin]),
                        keys: [KeySpec("full", .yesNo)])
        case .stats:
            CommandSpec(verb, "STATS", "Show server figures.", access: admin)
        }
    }
}
