/// Every verb of DOSSIER/1, in the order of PROTOCOL.md (which is also `HELP`'s order).
/// Two-word verbs (`DOSSIER NEW`) are one case each.
public enum Verb: String, CaseIterable, Hashable, Sendable {
    // Session
    case ping, auth, whoami, format, lang, help, quit
    // Directory
    case deptAdd, deptList, userAdd, userList, userPasswd, userUnlock, userLeave, userSet, userActivate
    case handoverList, handoverShow, calendarSet, calendarDelete, calendarList, companyShow, companySet
    // Customers
    case customerNew, customerShow, customerHistory, customerFind, customerList, customerSet, customerClose, customerConfirm
    // Follow-up visits (回访)
    case followupTemplates, followupTemplate, followupPlan, followupAdd, followupRecord, followupList
    case followupAuto, followupAssign, followupCancel
    // Credit (信用)
    case creditShow, creditArrears, creditPay, creditPlan, creditList
    // Dossiers and items
    case dossierNew, itemAdd, itemList, dossierSubmit, dossierShow, dossierList, dossierEdit
    case dossierHistory, dossierDelete, dossierRestore
    // Access, loans, approvals
    case accessRequest, accessList, accessRevoke, loanRequest, loanCheckout, loanReturn, loanExtend, loanShow, loanList
    case approvalList, approvalShow, approve, reject, withdraw, todo
    // Retention
    case retentionList, retentionSet, retentionDue, holdPlace, holdRelease, holdList, destroy, destructionList
    // Inspections (盘点)
    case inspectionOpen, inspectionCheck, inspectionClose, inspectionList, inspectionShow
    // Penalties
    case penaltyRules, penaltyRecord, penaltyList, penaltyWaive, penaltySweep, penaltyReport, penaltyAuto
    // Audit and operations
    case auditList, auditVerify, stats

    /// This verb's entry in the command table.
    public var spec: CommandSpec { CommandTable.spec(for: self) }
}
