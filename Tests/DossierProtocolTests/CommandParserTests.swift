import DossierDomain
import Testing
@testable import DossierProtocol

@Suite("Command parser: every verb")
struct CommandParserTests {
    /// A realistic line for every verb of PROTOCOL.md and the command it must become.
    static let examples: [(String, Command)] = [
        // Session
        ("PING", .ping),
        ("AUTH li.na s3cret", .auth(Auth(login: login("li.na"), password: Password("s3cret")))),
        ("WHOAMI", .whoami),
        ("FORMAT json", .format(.json)),
        ("FORMAT text", .format(.text)),
        ("HELP", .help(.all)),
        ("LANG zh-CN", .lang(.chinese)),
        ("lang en", .lang(.english)),
        ("HELP dossier", .help(.group("DOSSIER"))),
        ("help Dossier New", .help(.verb(.dossierNew))),
        ("HELP ping", .help(.verb(.ping))),
        ("QUIT", .quit),
        // Directory
        ("DEPT ADD SH name=上海销售部", .deptAdd(DeptAdd(code: dept("SH"), name: "上海销售部"))),
        ("DEPT LIST", .deptList),
        ("USER ADD li.na name=李娜 dept=SH role=rep password=Init-2026 line=sales",
         .userAdd(UserAdd(login: login("li.na"), name: "李娜", department: dept("SH"), role: .rep,
                          password: Password("Init-2026"), line: .sales))),
        ("USER ADD wang.wu name=\"Wang Wu\" dept=BJ role=archivist password=\"p w=1\"",
         .userAdd(UserAdd(login: login("wang.wu"), name: "Wang Wu", department: dept("BJ"), role: .archivist,
                          password: Password("p w=1"), line: nil))),
        ("USER LIST", .userList(UserList(department: nil))),
        ("USER LIST dept=SH", .userList(UserList(department: dept("SH")))),
        ("USER PASSWD li.na n3w-Secret", .userPasswd(UserPasswd(login: login("li.na"), newPassword: Password("n3w-Secret")))),
        ("USER UNLOCK li.na", .userUnlock(login("li.na"))),
        ("USER LEAVE li.na successor=zhang.san", .userLeave(UserLeave(login: login("li.na"), successor: login("zhang.san")))),
        ("USER SET li.na role=manager", .userSet(UserSet(login: login("li.na"), role: .manager))),
        ("USER SET li.na name=李娜 dept=BJ line=service successor=wang.fang",
         .userSet(UserSet(login: login("li.na"), name: "李娜", department: dept("BJ"), line: .service, successor: login("wang.fang")))),
        ("USER ACTIVATE li.na", .userActivate(login("li.na"))),
        ("HANDOVER LIST", .handoverList(HandoverList(login: nil))),
        ("HANDOVER LIST li.na", .handoverList(HandoverList(login: login("li.na")))),
        ("HANDOVER SHOW H3", .handoverShow(HandoverID("H3")!)),
        ("CALENDAR SET 2026-10-01 holiday note=国庆节", .calendarSet(CalendarSet(days: DateRange("2026-10-01")!, kind: .holiday, note: "国庆节"))),
        ("CALENDAR SET 2026-09-27 workday", .calendarSet(CalendarSet(days: DateRange("2026-09-27")!, kind: .workday, note: nil))),
        ("CALENDAR SET 2026-02-15..2026-02-21 holiday note=春节",
         .calendarSet(CalendarSet(days: DateRange(first: date("2026-02-15"), last: date("2026-02-21"))!, kind: .holiday, note: "春节"))),
        ("CALENDAR DELETE 2026-10-01", .calendarDelete(DateRange("2026-10-01")!)),
        ("CALENDAR LIST month=2026-10", .calendarList(CalendarList(month: month("2026-10")))),
        ("CALENDAR LIST year=2026", .calendarList(CalendarList(year: 2026))),
        ("CALENDAR LIST", .calendarList(CalendarList())),
        ("COMPANY SHOW", .companyShow),
        ("COMPANY SET timezone=Asia/Shanghai", .companySet(CompanySet(timeZone: "Asia/Shanghai"))),
        // Customers
        ("CUSTOMER NEW name=\"上海某某科技有限公司\" kind=company credit_code=91350100M000100Y43 legal_rep=王强 contact=赵敏 phone=021-5555-0101 email=zm@example.com address=\"上海市 浦东新区\" industry=制造 region=华东 grade=VIP credit_limit=500000.00 owner=li.na",
         .customerNew(CustomerNew(name: "上海某某科技有限公司", kind: .company, creditCode: CreditCode("91350100M000100Y43"),
                                  legalRep: "王强", contact: "赵敏", phone: "021-5555-0101", email: "zm@example.com",
                                  address: "上海市 浦东新区", industry: "制造", region: "华东", grade: .vip,
                                  creditLimit: money("500000.00"), owner: login("li.na")))),
        ("CUSTOMER NEW name=张三 kind=person", .customerNew(CustomerNew(name: "张三", kind: .person))),
        ("CUSTOMER SHOW C-2026-00001", .customerShow(customer("C-2026-00001"))),
        ("CUSTOMER FIND 科技 limit=20", .customerFind(CustomerFind(text: "科技", limit: 20))),
        ("CUSTOMER FIND 科技 after=C-2026-00020", .customerFind(CustomerFind(text: "科技", limit: nil, after: Cursor("C-2026-00020")))),
        ("CUSTOMER HISTORY C-2026-00001", .customerHistory(customer("C-2026-00001"))),
        ("CUSTOMER NEW name=张三 duplicate=yes", .customerNew(CustomerNew(name: "张三", duplicate: true))),
        ("CUSTOMER FIND \"某某 科技\"", .customerFind(CustomerFind(text: "某某 科技", limit: nil))),
        ("CUSTOMER LIST owner=li.na grade=A region=华东 limit=50 after=C-2026-00042",
         .customerList(CustomerList(owner: login("li.na"), grade: .a, region: "华东", limit: 50, after: Cursor("C-2026-00042")))),
        ("CUSTOMER LIST", .customerList(CustomerList())),
        ("CUSTOMER SET C-2026-00001 phone=021-5555-0199 grade=B email=\"\" reason=\"客户更换电话\"",
         .customerSet(CustomerSet(customer: customer("C-2026-00001"),
                                  changes: [.phone("021-5555-0199"), .grade(.b), .email(nil)], reason: "客户更换电话"))),
        ("CUSTOMER CLOSE C-2026-00001 date=2026-06-30 reason=终止合作",
         .customerClose(CustomerClose(customer: customer("C-2026-00001"), date: date("2026-06-30"), reason: "终止合作"))),
        ("CUSTOMER CONFIRM C-2026-00001 note=电话核实无变化",
         .customerConfirm(CustomerConfirm(customer: customer("C-2026-00001"), note: "电话核实无变化"))),
        ("CUSTOMER CONFIRM C-2026-00001", .customerConfirm(CustomerConfirm(customer: customer("C-2026-00001")))),
        // Follow-up visits (issue 15)
        ("FOLLOWUP TEMPLATES", .followupTemplates),
        ("FOLLOWUP TEMPLATE bought days=3,30,60 unit=day summary=购买顾客",
         .followupTemplate(FollowUpTemplateSet(name: "bought", offsets: [3, 30, 60], unit: .day, summary: "购买顾客"))),
        ("FOLLOWUP PLAN C-2026-00001 template=not_bought from=2026-09-28 assignee=li.na",
         .followupPlan(FollowUpPlan(customer: customer("C-2026-00001"), template: "not_bought", assignee: login("li.na"),
                                    from: date("2026-09-28")))),
        ("FOLLOWUP ADD C-2026-00001 due=2026-12-03 note=介绍新品",
         .followupAdd(FollowUpAdd(customer: customer("C-2026-00001"), due: date("2026-12-03"), note: "介绍新品"))),
        ("FOLLOWUP RECORD V7 method=phone outcome=已指导服用 satisfaction=4 objection=价格偏高",
         .followupRecord(FollowUpRecord(visit: VisitID("V7")!, method: .phone, outcome: "已指导服用", satisfaction: 4,
                                        objection: "价格偏高"))),
        ("FOLLOWUP LIST status=overdue assignee=li.na due=2026-12-01..2026-12-07",
         .followupList(FollowUpList(assignee: login("li.na"), status: .overdue,
                                    due: DateRange(first: date("2026-12-01"), last: date("2026-12-07"))))),
        ("FOLLOWUP LIST status=cancelled", .followupList(FollowUpList(status: .cancelled))),
        ("FOLLOWUP AUTO bought yes kind=company grade=VIP",
         .followupAuto(FollowUpAuto(template: "bought", enabled: true, kind: .company, grade: .vip))),
        ("FOLLOWUP AUTO bought no", .followupAuto(FollowUpAuto(template: "bought", enabled: false))),
        ("FOLLOWUP ASSIGN V7 assignee=wang.fang reason=休假",
         .followupAssign(FollowUpAssign(visit: VisitID("V7")!, assignee: login("wang.fang"), reason: "休假"))),
        ("FOLLOWUP CANCEL V7 reason=客户已搬迁", .followupCancel(FollowUpCancel(visit: VisitID("V7")!, reason: "客户已搬迁"))),
        // Credit (issue 15)
        ("CREDIT SHOW C-2026-00001", .creditShow(customer("C-2026-00001"))),
        ("CREDIT ARREARS C-2026-00001 amount=3000 due=2026-12-31",
         .creditArrears(CreditArrears(customer: customer("C-2026-00001"), amount: Money(yuan: 3000), due: date("2026-12-31")))),
        ("CREDIT PAY C-2026-00001 amount=1000.50", .creditPay(CreditPay(target: .customer(customer("C-2026-00001")), amount: Money(fen: 100050)))),
        ("CREDIT PLAN C-2026-00001 instalments=3 first=2027-01-31",
         .creditPlan(CreditPlan(customer: customer("C-2026-00001"), instalments: 3, first: date("2027-01-31")))),
        ("CREDIT LIST status=overdue", .creditList(CreditList(status: .overdue))),
        // Dossiers and items (the example session first)
        ("DOSSIER NEW customer=C-2026-00001 category=HT title=\"2026 年度框架合同\"",
         .dossierNew(DossierNew(customer: customer("C-2026-00001"), category: .contract, title: "2026 年度框架合同"))),
        ("DOSSIER NEW customer=C-2026-00002 category=XY title=授信 level=top_secret scope=company location=A-01-1",
         .dossierNew(DossierNew(customer: customer("C-2026-00002"), category: .credit, title: "授信", level: .topSecret,
                                scope: .company, location: "A-01-1"))),
        ("ITEM ADD D17 title=\"合同正本\" pages=12 medium=paper location=A-03-2 signed_customer=yes signed_internal=yes",
         .itemAdd(ItemAdd(ref: ref("D17"), title: "合同正本", pages: 12, medium: .paper, location: "A-03-2",
                          signedCustomer: true, signedInternal: true))),
        ("ITEM ADD SH-HT-2026-0001 title=扫描件 medium=electronic uri=file:///scan/1.pdf sha256=\(String(repeating: "AB", count: 32)) signed_customer=no",
         .itemAdd(ItemAdd(ref: ref("SH-HT-2026-0001"), title: "扫描件", medium: .electronic, uri: "file:///scan/1.pdf",
                          sha256: SHA256Digest(String(repeating: "ab", count: 32)), signedCustomer: false))),
        ("ITEM LIST D17", .itemList(ref("D17"))),
        ("DOSSIER SUBMIT D17", .dossierSubmit(ref("D17"))),
        ("DOSSIER SHOW D17", .dossierShow(DossierShow(ref: ref("D17"), purpose: nil))),
        ("DOSSIER SHOW SH-HT-2026-0001 purpose=\"核对合同条款\"", .dossierShow(DossierShow(ref: ref("SH-HT-2026-0001"), purpose: "核对合同条款"))),
        ("DOSSIER LIST customer=C-2026-00001 category=HT status=filed owner=li.na dept=SH limit=100 after=SH-HT-2026-0001",
         .dossierList(DossierList(customer: customer("C-2026-00001"), category: .contract, status: .filed, owner: login("li.na"),
                                  department: dept("SH"), limit: 100, after: Cursor("SH-HT-2026-0001")))),
        ("DOSSIER LIST status=on_loan", .dossierList(DossierList(status: .onLoan))),
        ("DOSSIER EDIT SH-HT-2026-0001 title=\"2026 年度框架合同（修订）\" level=secret location=\"\" reason=补充协议",
         .dossierEdit(DossierEdit(ref: ref("SH-HT-2026-0001"), changes: [.title("2026 年度框架合同（修订）"), .level(.secret), .location(nil)],
                                  reason: "补充协议"))),
        ("DOSSIER HISTORY SH-HT-2026-0001", .dossierHistory(ref("SH-HT-2026-0001"))),
        ("DOSSIER DELETE D18 reason=重复建档", .dossierDelete(RefWithReason(ref: ref("D18"), reason: "重复建档"))),
        ("DOSSIER RESTORE D18", .dossierRestore(ref("D18"))),
        // Access, loans, approvals
        ("ACCESS REQUEST SH-HT-2026-0001 purpose=\"审计抽查\" hours=48",
         .accessRequest(AccessRequest(ref: ref("SH-HT-2026-0001"), purpose: "审计抽查", hours: 48))),
        ("ACCESS LIST", .accessList(AccessList())),
        ("ACCESS LIST all limit=5", .accessList(AccessList(scope: .all, limit: 5))),
        ("ACCESS REVOKE G7 reason=用完了", .accessRevoke(AccessRevoke(grant: GrantID("G7")!, reason: "用完了"))),
        ("LOAN REQUEST SH-HT-2026-0001 purpose=续签谈判 days=3 mode=takeout",
         .loanRequest(LoanRequest(ref: ref("SH-HT-2026-0001"), purpose: "续签谈判", period: .days(3), mode: .takeout))),
        ("LOAN REQUEST SH-XY-2026-0002 purpose=核对 hours=4 mode=reading_room",
         .loanRequest(LoanRequest(ref: ref("SH-XY-2026-0002"), purpose: "核对", period: .hours(4), mode: .readingRoom))),
        ("LOAN REQUEST D17 purpose=x", .loanRequest(LoanRequest(ref: ref("D17"), purpose: "x", period: nil, mode: nil))),
        ("LOAN CHECKOUT L5", .loanCheckout(loan("L5"))),
        ("LOAN RETURN L5 complete=no note=\"缺第3页\"", .loanReturn(LoanReturn(loan: loan("L5"), complete: false, note: "缺第3页"))),
        ("LOAN RETURN L5", .loanReturn(LoanReturn(loan: loan("L5"), complete: nil, note: nil))),
        ("LOAN EXTEND L5 days=2 reason=谈判延期", .loanExtend(LoanExtend(loan: loan("L5"), period: .days(2), reason: "谈判延期"))),
        ("LOAN EXTEND L5 hours=2 reason=x", .loanExtend(LoanExtend(loan: loan("L5"), period: .hours(2), reason: "x"))),
        ("LOAN SHOW L5", .loanShow(loan("L5"))),
        ("LOAN LIST status=overdue borrower=li.na", .loanList(LoanList(status: .overdue, borrower: login("li.na")))),
        ("LOAN LIST status=checked_out", .loanList(LoanList(status: .status(.checkedOut), borrower: nil))),
        ("APPROVAL LIST status=pending kind=customer_edit", .approvalList(ApprovalList(status: .pending, kind: .customerEdit))),
        ("APPROVAL LIST", .approvalList(ApprovalList(status: nil, kind: nil))),
        ("APPROVAL LIST status=all limit=2 after=A7", .approvalList(ApprovalList(status: .all, kind: nil, limit: 2, after: Cursor("A7")))),
        ("APPROVAL SHOW A41", .approvalShow(approval("A41"))),
        ("APPROVE A41 comment=同意", .approve(Approve(approval: approval("A41"), comment: "同意"))),
        ("approve A41", .approve(Approve(approval: approval("A41"), comment: nil))),
        ("REJECT A41 reason=\"缺客户签字\"", .reject(Reject(approval: approval("A41"), reason: "缺客户签字"))),
        ("WITHDRAW A41", .withdraw(approval("A41"))),
        ("TODO", .todo),
        // Retention
        ("RETENTION LIST", .retentionList),
        ("RETENTION SET KH years=5 trigger=closed", .retentionSet(RetentionSet(category: .customerProfile, years: 5, trigger: .closed))),
        ("RETENTION SET HT years=7 trigger=filed dry_run=yes", .retentionSet(RetentionSet(category: .contract, years: 7, trigger: .filed, dryRun: true))),
        ("RETENTION DUE before=2031-12-31 limit=10", .retentionDue(RetentionDue(before: date("2031-12-31"), limit: 10))),
        ("HOLD PLACE SH-HT-2026-0001 reason=诉讼保全", .holdPlace(RefWithReason(ref: ref("SH-HT-2026-0001"), reason: "诉讼保全"))),
        ("HOLD RELEASE SH-HT-2026-0001 reason=结案", .holdRelease(RefWithReason(ref: ref("SH-HT-2026-0001"), reason: "结案"))),
        ("HOLD LIST", .holdList(HoldList())),
        ("HOLD LIST status=all", .holdList(HoldList(status: .all))),
        ("DESTROY SH-BJ-2020-0003 reason=保管期满 method=shred",
         .destroy(Destroy(ref: ref("SH-BJ-2020-0003"), reason: "保管期满", method: .shred))),
        ("DESTRUCTION LIST year=2026", .destructionList(DestructionList(year: 2026))),
        ("DESTRUCTION LIST", .destructionList(DestructionList(year: nil))),
        // Penalties
        ("PENALTY RULES", .penaltyRules),
        ("PENALTY RECORD li.na rule=LOST_OR_DAMAGED ref=SH-HT-2026-0001 qty=1 amount=100.00 note=污损",
         .penaltyRecord(PenaltyRecord(user: login("li.na"), rule: PenaltyRuleCode("LOST_OR_DAMAGED")!, ref: ref("SH-HT-2026-0001"),
                                      quantity: 1, amount: money("100.00"), note: "污损"))),
        ("PENALTY RECORD li.na rule=ACCOUNT_SHARING", .penaltyRecord(PenaltyRecord(user: login("li.na"), rule: .accountSharing))),
        ("PENALTY LIST user=li.na dept=SH month=2026-03",
         .penaltyList(PenaltyList(user: login("li.na"), department: dept("SH"), month: month("2026-03")))),
        ("PENALTY WAIVE P9 reason=系统故障", .penaltyWaive(PenaltyWaive(penalty: penalty("P9"), reason: "系统故障"))),
        ("PENALTY SWEEP date=2026-03-02", .penaltySweep(PenaltySweep(date: date("2026-03-02")))),
        ("PENALTY SWEEP", .penaltySweep(PenaltySweep(date: nil))),
        ("PENALTY SWEEP dry_run=yes", .penaltySweep(PenaltySweep(date: nil, dryRun: true))),
        ("PENALTY REPORT month=2026-03", .penaltyReport(month: month("2026-03"))),
        ("INSPECTION OPEN location=A-03", .inspectionOpen(InspectionOpen(location: "A-03"))),
        ("INSPECTION CHECK SH-HT-2026-0001 present location=A-03-4 note=放错格",
         .inspectionCheck(InspectionCheck(ref: ref("SH-HT-2026-0001"), result: .present, location: "A-03-4", note: "放错格"))),
        ("INSPECTION CLOSE", .inspectionClose),
        ("INSPECTION LIST status=closed", .inspectionList(InspectionList(status: .closed))),
        ("INSPECTION SHOW I3", .inspectionShow(InspectionID("I3")!)),
        ("PENALTY AUTO LATE_FOLLOWUP yes", .penaltyAuto(PenaltyAuto(rule: PenaltyRuleCode("LATE_FOLLOWUP")!, enabled: true))),
        // Audit and operations
        ("AUDIT LIST ref=D17 user=li.na since=2026-03-01T09:00:00+08:00 limit=100",
         .auditList(AuditList(ref: ref("D17"), user: login("li.na"), since: TimeBound("2026-03-01T09:00:00+08:00"), limit: 100))),
        ("AUDIT LIST since=2026-03-01", .auditList(AuditList(since: .date(date("2026-03-01"))))),
        ("AUDIT VERIFY", .auditVerify(AuditVerify())),
        ("AUDIT VERIFY full=yes", .auditVerify(AuditVerify(full: true))),
        ("AUDIT VERIFY full=no", .auditVerify(AuditVerify(full: false))),
        ("STATS", .stats),
    ]

    @Test func everyExampleParses() throws {
        for (line, expected) in Self.examples {
            let command = try CommandParser.parse(line)
            #expect(command == expected, "\(line)")
        }
    }

    @Test func everyVerbHasAnExample() {
        let covered = Set(Self.examples.map(\.1.verb))
        let missing = Verb.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "no example for \(missing)")
    }

    @Test func exampleSessionFromProtocol() throws {
        let session = [
            "AUTH li.na s3cret",
            "DOSSIER NEW customer=C-2026-00001 category=HT title=\"2026 年度框架合同\"",
            "ITEM ADD D17 title=\"合同正本\" pages=12 medium=paper location=A-03-2 signed_customer=yes signed_internal=yes",
            "DOSSIER SUBMIT D17",
            "DOSSIER SHOW D17",
        ]
        let verbs = try session.map { try #require(try CommandParser.parse($0)).verb }
        #expect(verbs == [.auth, .dossierNew, .itemAdd, .dossierSubmit, .dossierShow])
    }

    @Test func verbsAndSubverbsAreCaseInsensitive() throws {
        #expect(try CommandParser.parse("ping") == .ping)
        #expect(try CommandParser.parse("Loan Checkout L5") == .loanCheckout(loan("L5")))
        #expect(try CommandParser.parse("penalty sweep") == .penaltySweep(PenaltySweep(date: nil)))
    }

    @Test func blankLineIsNil() throws {
        #expect(try CommandParser.parse("") == nil)
        #expect(try CommandParser.parse(" \t ") == nil)
    }

    @Test func unknownVerbs() {
        #expect(parseError("FROB")?.code == .unknown)
        #expect(parseError("DOSSIER")?.code == .unknown)
        #expect(parseError("DOSSIER FROB D1")?.code == .unknown)
        #expect(parseError("DOSSIER")?.message.contains("NEW") == true)
        #expect(parseError("NEW DOSSIER")?.code == .unknown)
        #expect(parseError("a=b")?.code == .unknown)
        #expect(parseError("HELP FROB")?.code == .unknown)
        #expect(parseError("HELP DOSSIER FROB")?.code == .unknown)
        // Unknown words are not echoed back.
        #expect(parseError("hunter2")?.message.contains("hunter2") == false)
        #expect(parseError("hunter2")?.message == "no such verb; try HELP")
        #expect(parseError("HELP hunter2")?.message.contains("HUNTER2") == false)
    }

    @Test func beforeLoginOnlyFiveVerbs() {
        for line in ["PING", "AUTH li.na x", "LANG zh-CN", "HELP", "HELP DOSSIER NEW", "QUIT"] {
            #expect(parseError(line, authenticated: false) == nil, "\(line)")
        }
        #expect(parseError("WHOAMI", authenticated: false) == .loginRequired)
        #expect(parseError("FORMAT json", authenticated: false) == .loginRequired)
        // AUTH comes before argument checks: nothing about arguments leaks.
        #expect(parseError("DOSSIER NEW", authenticated: false) == .loginRequired)
        #expect(parseError("DOSSIER NEW colour=red", authenticated: false) == .loginRequired)
        let anonymous = CommandTable.all.filter(\.access.allowsAnonymous).map(\.verb)
        #expect(Set(anonymous) == [.ping, .auth, .lang, .help, .quit])
    }

    @Test func accessGates() {
        #expect(Verb.userAdd.spec.access.permits(.admin))
        #expect(!Verb.userAdd.spec.access.permits(.rep))
        #expect(!Verb.userAdd.spec.access.permits(nil))
        #expect(Verb.ping.spec.access.permits(nil))
        #expect(Verb.loanCheckout.spec.access.permits(.archivist))
        #expect(!Verb.dossierShow.spec.access.permits(.admin))
    }

    @Test func customerChangesKeepOrderAndWireValues() throws {
        let command = try CommandParser.parse("CUSTOMER SET C-2026-00001 credit_limit=12.5 owner=wang.wu credit_code=\"\" reason=r")
        guard case .customerSet(let set)? = command else { Issue.record("not a CUSTOMER SET"); return }
        #expect(set.changes.map(\.field) == ["credit_limit", "owner", "credit_code"])
        #expect(set.changes.map(\.wireValue) == ["12.50", "wang.wu", ""])
    }

    @Test func tokensGivenAsKeysWithPositionalFallback() throws {
        // `Title=x` is not a key, so it is a (surplus) positional.
        #expect(parseError("DOSSIER SHOW D1 Title=x")?.code == .args)
        // A base64-ish password with `=` padding and an uppercase start is a positional.
        #expect(try CommandParser.parse("AUTH li.na QUJD=") == .auth(Auth(login: login("li.na"), password: Password("QUJD="))))
        // A lowercase `a=b` password must be quoted.
        #expect(parseError("AUTH li.na abc=def") == .unknownArgument("abc"))
        #expect(try CommandParser.parse("AUTH li.na \"abc=def\"") == .auth(Auth(login: login("li.na"), password: Password("abc=def"))))
    }

    @Test func unknownVerbsSuggestTheNearest() {
        #expect(parseError("DOSIER LIST")?.message == "no such verb; did you mean DOSSIER LIST? (HELP lists every verb)")
        #expect(parseError("dosier list status=filed")?.message.contains("DOSSIER LIST") == true)
        #expect(parseError("PNG")?.message.contains("did you mean PING?") == true)
        #expect(parseError("APROVE A3")?.message.contains("did you mean APPROVE?") == true)
        #expect(parseError("LOAN SHWO L1")?.message == "LOAN needs one of: REQUEST, CHECKOUT, RETURN, EXTEND, SHOW, LIST; did you mean LOAN SHOW?")
        #expect(parseError("CUSTMER")?.message.contains("did you mean CUSTOMER?") == true)
        #expect(parseError("ACCES LIST")?.message.contains("did you mean ACCESS LIST?") == true)
        // Nothing close: no guess.
        #expect(parseError("FROBNICATE")?.message == "no such verb; try HELP")
    }

    @Test func editDistance() {
        func d(_ a: String, _ b: String) -> Int { VerbSuggestion.editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars)) }
        #expect(d("SHWO", "SHOW") == 1)
        #expect(d("DOSIER", "DOSSIER") == 1)
        #expect(d("", "PING") == 4)
        #expect(d("kitten", "sitting") == 3)
    }

    @Test func findNeedleIsBounded() {
        let long = String(repeating: "科", count: 101)
        #expect(parseError("CUSTOMER FIND \(long)") == .invalid("text", "must be 1 to 100 characters"))
        #expect(parseError("CUSTOMER FIND \(String(long.dropFirst()))") == nil)
    }

    @Test func newArgumentsAreChecked() {
        #expect(parseError("USER SET li.na") == .missing("name, role, dept or line"))
        #expect(parseError("USER SET li.na successor=wang.fang") == .missing("name, role, dept or line"))
        #expect(parseError("CALENDAR SET 2026-02-15..2026-02-14 holiday")?.code == .args)
        #expect(parseError("CALENDAR SET 2026-01-01..2027-12-31 holiday")?.code == .args)
        #expect(parseError("CALENDAR SET 2026-02-15...2026-02-21 holiday")?.code == .args)
        #expect(parseError("CALENDAR LIST month=2026-10 year=2026")?.code == .args)
        #expect(parseError("COMPANY SET timezone=\"Asia Shanghai\"")?.code == .args)
        #expect(parseError("COMPANY SET")?.code == .args)
        #expect(parseError("ACCESS REVOKE A7")?.code == .args)
        #expect(parseError("HANDOVER SHOW 3")?.code == .args)
        #expect(parseError("ACCESS LIST some")?.code == .args)
    }
}
