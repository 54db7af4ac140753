/// `HELP`'s summaries in Chinese, for `LANG zh-CN`. Exhaustive over `Verb`: a new
/// verb without its Chinese summary does not compile.
extension Verb {
    var chineseSummary: String {
        switch self {
        case .ping: "检查服务器是否应答。"
        case .auth: "登录。"
        case .whoami: "显示当前登录的用户、角色和部门。"
        case .format: "选择本连接的应答格式：文本或 JSON。"
        case .lang: "选择本连接的消息和 HELP 摘要语言。"
        case .help: "列出所有命令及用法，或说明某个命令或命令组。"
        case .quit: "关闭连接。"
        case .deptAdd: "新建部门。"
        case .deptList: "列出部门。"
        case .userAdd: "新建用户。"
        case .userList: "列出用户。"
        case .userPasswd: "修改密码（自己的；管理员可改任何人的）。"
        case .userUnlock: "解除登录名因多次登录失败而被锁定的状态。"
        case .userLeave: "停用离职用户，并将其客户和档案移交给接替人。"
        case .calendarSet: "将某日标为工作日或节假日。"
        case .calendarList: "列出某月的日历调整。"
        case .userSet: "修改用户的姓名、角色、部门或条线（名下有客户或档案时需指定接替人）。"
        case .userActivate: "重新启用已停用的用户。"
        case .handoverList: "列出移交清单。"
        case .handoverShow: "查看一份移交清单。"
        case .calendarDelete: "删除某日（或某段日期）的日历调整。"
        case .companyShow: "查看公司设置（时区、个人客户同意规则）。"
        case .companySet: "修改公司时区（协议时间、工作日、到期日和每日任务随之变化），或个人客户缺少书面同意时的规则（refuse 拒绝，flag 标记）。"
        case .customerHistory: "查看客户资料的变更历史。"
        case .accessList: "列出查阅授权（自己的或可见的全部）。"
        case .accessRevoke: "撤销一项查阅授权。"
        case .holdList: "列出法律冻结。"
        case .customerNew: "新建客户（身份证号码、电话、邮箱、地址、银行账号加密保存；个人客户缺少 consent_on= 时按 COMPANY SHOW 的 consent_rule 拒绝或标记）。"
        case .customerShow: "显示客户中你有权查看的字段。"
        case .customerFind: "按名称、信用代码或联系人（子串）查找客户，或按完整的电话、身份证号码精确查找（仅限可见的客户），分页显示。"
        case .customerList: "分页列出客户。"
        case .customerSet: "修改客户字段（直接生效或提交审批）。"
        case .customerClose: "登记客户关系终止。"
        case .customerConfirm: "确认你的客户资料仍然有效（每月复核；无需审批）。"
        case .followupTemplates: "列出回访计划模板（计划日之后的天数）。"
        case .followupTemplate: "新建或修改回访计划模板：回访间隔按自然日（落在非工作日的顺延到下一个工作日）或工作日计。"
        case .followupPlan: "按模板为客户安排回访（从今天或 from= 起算）。"
        case .followupAdd: "为客户安排一次回访，给负责人或（经理指派）给业务员。"
        case .followupRecord: "登记你完成的回访（计划日当天或之后）。"
        case .followupList: "列出你可见的回访（用 customer= 查看某客户的回访记录）。"
        case .dossierNew: "新建档案草稿。"
        case .itemAdd: "向档案草稿添加卷内文件。"
        case .itemList: "列出档案的卷内文件。"
        case .dossierSubmit: "提交草稿归档。"
        case .dossierShow: "查看档案内容（按用途记入审计）。"
        case .dossierList: "分页列出你可见的档案登记条目。"
        case .dossierEdit: "申请修改档案。"
        case .dossierHistory: "查看档案的变更历史。"
        case .dossierDelete: "申请删除（30 天内可恢复）。"
        case .dossierRestore: "在宽限期内恢复已删除的档案。"
        case .accessRequest: "申请在一段时间内查阅档案（默认 24 小时）。"
        case .loanRequest: "申请借阅纸质档案。"
        case .loanCheckout: "交付已批准的借阅；开始计算归还期限。"
        case .loanReturn: "收回借阅并登记是否完整。"
        case .loanExtend: "申请续借（需重新审批）。"
        case .loanShow: "查看借阅。"
        case .loanList: "列出借阅。"
        case .approvalList: "列出待你审批的、你提交的或你可见的全部审批。"
        case .approvalShow: "查看审批及其各步决定。"
        case .approve: "批准申请（或转到下一步）。"
        case .reject: "驳回申请。"
        case .withdraw: "撤回你自己的待审申请。"
        case .todo: "列出等你处理的事项，最紧急的在前，并给出处理它的命令。"
        case .retentionList: "按类别列出保管期限规则。"
        case .retentionSet: "修改某类别的保管期限规则。"
        case .retentionDue: "列出已过保管期限且未被冻结的档案。"
        case .holdPlace: "设置法律冻结（禁止删除和销毁）。"
        case .holdRelease: "解除法律冻结。"
        case .destroy: "申请销毁已过保管期限的档案。"
        case .destructionList: "查看永久销毁登记簿。"
        case .penaltyRules: "列出处罚规则及金额。"
        case .penaltyRecord: "登记用户的违规行为。"
        case .penaltyList: "列出处罚。"
        case .penaltyWaive: "申请总监免除处罚。"
        case .penaltySweep: "立即运行自动处罚扫描（可重复执行）。"
        case .penaltyReport: "按部门和用户统计的月度合计。"
        case .penaltyAuto: "开启或关闭规则的自动检测（LATE_FOLLOWUP 默认关闭）。"
        case .inspectionOpen: "开始盘点本部门的档案柜（或以 location= 开头的存址）。"
        case .inspectionCheck: "登记盘点到的档案：在架（不在登记存址时用 location= 写明所在）、缺失或损坏。"
        case .inspectionClose: "结束本部门进行中的盘点：列出未盘点、缺失、损坏和移位的档案。"
        case .inspectionList: "列出你可见的盘点，最新的在前。"
        case .inspectionShow: "查看一次盘点：每份应在或已盘点的档案一行。"
        case .auditList: "列出审计记录。"
        case .auditVerify: "校验审计日志的哈希链。"
        case .stats: "显示服务器统计数据。"
        }
    }
}

extension CommandSpec {
    /// The summary in `language`, plus the changeable fields for `CUSTOMER SET` /
    /// `DOSSIER EDIT` (field names stay as they are: they are keys).
    public func helpSummary(in language: Language) -> String {
        switch language {
        case .english:
            return helpSummary
        case .chinese:
            guard !changeFields.isEmpty else { return verb.chineseSummary }
            return verb.chineseSummary + "可改字段：" + changeFields.map(\.field).joined(separator: ", ") + "。"
        }
    }
}
