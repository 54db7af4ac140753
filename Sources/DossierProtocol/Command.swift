import DossierDomain

/// A request of DOSSIER/1, parsed and validated: one case per verb, with typed
/// arguments. Domain code switches over this and never sees raw strings.
///
/// `description` and `debugDescription` are the `logSummary`: passwords and free text
/// never appear, so a command may be logged as is.
///
/// `indirect`: the arguments live in a box, so a command is a word or two
/// instead of hundreds of bytes copied at every step of every request (issue 17).
public indirect enum Command: Hashable, Sendable {
    // MARK: Session
    case ping
    case auth(Auth)
    case whoami
    case format(OutputFormat)
    case lang(Language)
    case help(HelpTopic)
    case quit

    // MARK: Directory
    case deptAdd(DeptAdd)
    case deptList
    case userAdd(UserAdd)
    case userList(UserList)
    case userPasswd(UserPasswd)
    case userUnlock(Login)
    case userLeave(UserLeave)
    case userSet(UserSet)
    case userActivate(Login)
    case handoverList(HandoverList)
    case handoverShow(HandoverID)
    case calendarSet(CalendarSet)
    case calendarDelete(DateRange)
    case calendarList(CalendarList)
    case companyShow
    case companySet(CompanySet)

    // MARK: Customers
    case customerNew(CustomerNew)
    case customerShow(CustomerNumber)
    case customerHistory(CustomerNumber)
    case customerFind(CustomerFind)
    case customerList(CustomerList)
    case customerSet(CustomerSet)
    case customerClose(CustomerClose)
    case customerConfirm(CustomerConfirm)

    // MARK: Follow-up visits
    case followupTemplates
    case followupTemplate(FollowUpTemplateSet)
    case followupPlan(FollowUpPlan)
    case followupAdd(FollowUpAdd)
    case followupRecord(FollowUpRecord)
    case followupList(FollowUpList)
    case followupAuto(FollowUpAuto)
    case followupAssign(FollowUpAssign)
    case followupCancel(FollowUpCancel)

    // MARK: Credit
    case creditShow(CustomerNumber)
    case creditArrears(CreditArrears)
    case creditPay(CreditPay)
    case creditPlan(CreditPlan)
    case creditList(CreditList)

    // MARK: Dossiers and items
    case dossierNew(DossierNew)
    case itemAdd(ItemAdd)
    case itemList(DossierRef)
    case dossierSubmit(DossierRef)
    case dossierShow(DossierShow)
    case dossierList(DossierList)
    case dossierEdit(DossierEdit)
    case dossierHistory(DossierRef)
    case dossierDelete(RefWithReason)
    case dossierRestore(DossierRef)

    // MARK: Access, loans, approvals
    case accessRequest(AccessRequest)
    case accessList(AccessList)
    case accessRevoke(AccessRevoke)
    case loanRequest(LoanRequest)
    case loanCheckout(LoanID)
    case loanReturn(LoanReturn)
    case loanExtend(LoanExtend)
    case loanShow(LoanID)
    case loanList(LoanList)
    case approvalList(ApprovalList)
    case approvalShow(ApprovalID)
    case approve(Approve)
    case reject(Reject)
    case withdraw(ApprovalID)
    case todo

    // MARK: Retention
    case retentionList
    case retentionSet(RetentionSet)
    case retentionDue(RetentionDue)
    case holdPlace(RefWithReason)
    case holdRelease(RefWithReason)
    case holdList(HoldList)
    case destroy(Destroy)
    case destructionList(DestructionList)

    // MARK: Inspections
    case inspectionOpen(InspectionOpen)
    case inspectionCheck(InspectionCheck)
    case inspectionClose
    case inspectionList(InspectionList)
    case inspectionShow(InspectionID)

    // MARK: Penalties
    case penaltyRules
    case penaltyRecord(PenaltyRecord)
    case penaltyList(PenaltyList)
    case penaltyWaive(PenaltyWaive)
    case penaltySweep(PenaltySweep)
    case penaltyReport(month: YearMonth)
    case penaltyAuto(PenaltyAuto)

    // MARK: Audit and operations
    case auditList(AuditList)
    case auditVerify(AuditVerify)
    case stats

    /// The verb, for the command table (access, usage) and metrics.
    public var verb: Verb {
        switch self {
        case .ping: .ping
        case .auth: .auth
        case .whoami: .whoami
        case .format: .format
        case .lang: .lang
        case .help: .help
        case .quit: .quit
        case .deptAdd: .deptAdd
        case .deptList: .deptList
        case .userAdd: .userAdd
        case .userList: .userList
        case .userPasswd: .userPasswd
        case .userUnlock: .userUnlock
        case .userLeave: .userLeave
        case .userSet: .userSet
        case .userActivate: .userActivate
        case .handoverList: .handoverList
        case .handoverShow: .handoverShow
        case .calendarSet: .calendarSet
        case .calendarDelete: .calendarDelete
        case .calendarList: .calendarList
        case .companyShow: .companyShow
        case .companySet: .companySet
        case .customerNew: .customerNew
        case .customerShow: .customerShow
        case .customerHistory: .customerHistory
        case .customerFind: .customerFind
        case .customerList: .customerList
        case .customerSet: .customerSet
        case .customerClose: .customerClose
        case .customerConfirm: .customerConfirm
        case .followupTemplates: .followupTemplates
        case .followupTemplate: .followupTemplate
        case .followupPlan: .followupPlan
        case .followupAdd: .followupAdd
        case .followupRecord: .followupRecord
        case .followupList: .followupList
        case .followupAuto: .followupAuto
        case .followupAssign: .followupAssign
        case .followupCancel: .followupCancel
        case .creditShow: .creditShow
        case .creditArrears: .creditArrears
        case .creditPay: .creditPay
        case .creditPlan: .creditPlan
        case .creditList: .creditList
        case .dossierNew: .dossierNew
        case .itemAdd: .itemAdd
        case .itemList: .itemList
        case .dossierSubmit: .dossierSubmit
        case .dossierShow: .dossierShow
        case .dossierList: .dossierList
        case .dossierEdit: .dossierEdit
        case .dossierHistory: .dossierHistory
        case .dossierDelete: .dossierDelete
        case .dossierRestore: .dossierRestore
        case .accessRequest: .accessRequest
        case .accessList: .accessList
        case .accessRevoke: .accessRevoke
        case .loanRequest: .loanRequest
        case .loanCheckout: .loanCheckout
        case .loanReturn: .loanReturn
        case .loanExtend: .loanExtend
        case .loanShow: .loanShow
        case .loanList: .loanList
        case .approvalList: .approvalList
        case .approvalShow: .approvalShow
        case .approve: .approve
        case .reject: .reject
        case .withdraw: .withdraw
        case .todo: .todo
        case .retentionList: .retentionList
        case .retentionSet: .retentionSet
        case .retentionDue: .retentionDue
        case .holdPlace: .holdPlace
        case .holdRelease: .holdRelease
        case .holdList: .holdList
        case .destroy: .destroy
        case .destructionList: .destructionList
        case .inspectionOpen: .inspectionOpen
        case .inspectionCheck: .inspectionCheck
        case .inspectionClose: .inspectionClose
        case .inspectionList: .inspectionList
        case .inspectionShow: .inspectionShow
        case .penaltyRules: .penaltyRules
        case .penaltyRecord: .penaltyRecord
        case .penaltyList: .penaltyList
        case .penaltyWaive: .penaltyWaive
        case .penaltySweep: .penaltySweep
        case .penaltyReport: .penaltyReport
        case .penaltyAuto: .penaltyAuto
        case .auditList: .auditList
        case .auditVerify: .auditVerify
        case .stats: .stats
        }
    }

    /// This verb's table entry.
    public var spec: CommandSpec { verb.spec }
}
