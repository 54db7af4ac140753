extension MessageCatalog {
    /// Departments, users, calendar.
    static let directoryMessages: [MessageTemplate] = [
        MessageTemplate("no department {}", "没有部门 {1}"),
        MessageTemplate("no user {}", "没有用户 {1}"),
        MessageTemplate("no active user {}", "没有在职用户 {1}"),
        MessageTemplate("{} has left", "{1} 已离职"),
        MessageTemplate("{} holds {} loan(s) not returned", "{1} 还有 {2} 笔借阅未归还"),
        MessageTemplate("the successor must work in the leaver's department", "接替人必须在离职人所在部门工作"),
        MessageTemplate("the successor must work in the user's present department", "接替人必须在该用户目前所在的部门工作"),
        MessageTemplate("{} owns {} customer(s) and {} dossier(s) of {}; {}: add successor=<login of {}> to hand them over (a recorded handover)",
                        "{1} 名下有 {4} 的 {2} 个客户和 {3} 份档案；{5}：请加上 successor=<{6} 的登录名> 移交给他人（移交会被记录）"),
        MessageTemplate("they stay in {} (records belong to their department)", "这些记录留在 {1}（记录属于所在部门）", phrase: true),
        MessageTemplate("a {} owns no customers or dossiers", "{1} 不拥有客户或档案", phrase: true),
        MessageTemplate("duplicate of {} (same name); add duplicate=yes to create another customer of this name",
                        "与 {1} 重名；确需再建同名客户请加上 duplicate=yes"),
        MessageTemplate("{} has expired", "{1} 已过期"),
        MessageTemplate("only the grantee, the department's manager or a director revokes {}", "只有被授权人、部门经理或总监可以撤销 {1}"),
        MessageTemplate("only an administrator changes another user's password", "只有管理员可以修改他人的密码"),
        MessageTemplate("department exists already", "部门已存在"),
        MessageTemplate("login exists already", "登录名已存在"),
    ]

    /// Customers.
    static let customerMessages: [MessageTemplate] = [
        MessageTemplate("no customer {}", "没有客户 {1}"),
        MessageTemplate("{} is closed already", "{1} 已经终止"),
        MessageTemplate("{}: only the directory entry is visible to you", "{1}：你只能看到名录条目"),
        MessageTemplate("only the owner, the department's manager or a director {} {}",
                        "只有负责人、本部门经理或总监可以{1} {2}"),
        MessageTemplate("changes", "修改", phrase: true),
        MessageTemplate("closes", "终止", phrase: true),
        MessageTemplate("owner {} is not an active user of the customer's department", "负责人 {1} 不是该客户所属部门的在职用户"),
        MessageTemplate("a manager creates customers only for people of their own department", "经理只能为本部门的人员新建客户"),
        MessageTemplate("you may create customers only for yourself", "你只能为自己新建客户"),
        MessageTemplate("only the customer's owner confirms {}", "只有客户负责人可以确认 {1}"),
        // Follow-up visits (issue 15)
        MessageTemplate("plans visits of", "安排回访", phrase: true),
        MessageTemplate("no follow-up template {}", "没有回访模板 {1}"),
        MessageTemplate("{} has {} open visit(s) of template {}", "{1} 还有 {2} 次模板 {3} 的回访未完成"),
        MessageTemplate("a rep plans visits only for themselves", "业务员只能为自己安排回访"),
        MessageTemplate("must be a rep, manager or director of the customer's department", "必须是该客户所属部门的业务员、经理或总监", phrase: true),
        MessageTemplate("{} is in the past", "{1} 已经过去", phrase: true),
        MessageTemplate("no owner of {}", "{1} 没有负责人"),
        MessageTemplate("{} is closed", "{1} 已终止"),
        MessageTemplate("no visit {}", "没有回访 {1}"),
        MessageTemplate("only the assignee {} records {}", "只有被指派人 {1} 可以登记 {2}"),
        MessageTemplate("{} is recorded already", "{1} 已经登记过"),
        // Inspections (issue 15)
        MessageTemplate("I{} is open; close it first", "I{1} 正在进行；请先结束它"),
        MessageTemplate("no open inspection of {}; INSPECTION OPEN first", "{1} 没有进行中的盘点；请先 INSPECTION OPEN"),
        MessageTemplate("{} belongs to {}, not to this inspection", "{1} 属于 {2}，不在本次盘点范围内"),
        MessageTemplate("{} is {}; only filed dossiers are on the shelf", "{1} 的状态是 {2}；只有已入档的档案在架上"),
        MessageTemplate("only for a dossier found present", "仅用于在架的档案", phrase: true),
        MessageTemplate("no inspection {}", "没有盘点 {1}"),
        MessageTemplate("credit_code {} also on line {}", "credit_code {1} 在第 {2} 行也出现了"),
        MessageTemplate("this export needs {}", "此导出需要 {1}"),
        MessageTemplate("no handover of {}", "没有 {1} 的移交记录"),
        MessageTemplate("a customer with this credit code exists already", "已有使用此信用代码的客户"),
        MessageTemplate("only a person customer (kind=person) has an identity card number",
                        "只有个人客户（kind=person）才有身份证号码", phrase: true),
        MessageTemplate("a person customer needs the customer's written consent (consent_on=) under the company's consent rule refuse",
                        "按公司的同意规则（refuse），个人客户须有客户的书面同意（consent_on=）"),
        MessageTemplate("data key {} is not in this daemon's data key file", "数据密钥 {1} 不在本服务进程的数据密钥文件中"),
        MessageTemplate("the data key of {} does not open with this daemon's data key file",
                        "{1} 的数据密钥无法用本服务进程的数据密钥文件解开"),
        MessageTemplate("{} does not open with its customer's data key", "{1} 无法用其客户的数据密钥解密"),
        MessageTemplate("this daemon has no data key file: personal data cannot be sealed or opened",
                        "本服务进程没有数据密钥文件：无法加密或解密个人信息"),
    ]

    /// Dossiers, items, edits, deletion.
    static let dossierMessages: [MessageTemplate] = [
        MessageTemplate("no dossier {}", "没有档案 {1}"),
        MessageTemplate("D{} is not submitted", "D{1} 未提交"),
        MessageTemplate("{} has no items; add at least one before submitting", "{1} 没有卷内文件；提交前请至少添加一件"),
        MessageTemplate("{}: only the register entry is visible to you", "{1}：你只能看到登记条目"),
        MessageTemplate("only the customer's owner, its department's manager or a director opens its dossiers",
                        "只有客户负责人、其部门经理或总监可以为其建档"),
        MessageTemplate("only the owner {} may {}", "只有负责人 {1} 可以{2}"),
        MessageTemplate("only the owner, the department's manager or a director may {}", "只有负责人、本部门经理或总监可以{1}"),
        MessageTemplate("only the department's manager or a director may {}", "只有本部门经理或总监可以{1}"),
        MessageTemplate("{} is {}; cannot {}", "{1} 的状态是 {2}；不能{3}"),
        MessageTemplate("{} is {}; only its register entry remains", "{1} 的状态是 {2}；只剩登记条目"),
        MessageTemplate("{} already has a pending deletion", "{1} 已有待审的删除申请"),
        MessageTemplate("{}: the {} grace period is over", "{1}：{2} 的宽限期已过"),
        MessageTemplate("you can read {} already", "你已经可以查阅 {1}"),
        MessageTemplate("add items", "添加卷内文件", phrase: true),
        MessageTemplate("delete", "删除", phrase: true),
        MessageTemplate("delete it", "删除它", phrase: true),
        MessageTemplate("destroy", "销毁", phrase: true),
        MessageTemplate("edit (only filed dossiers are edited, through approval)", "修改（只有已归档的档案可经审批修改）", phrase: true),
        MessageTemplate("edit it", "修改它", phrase: true),
        MessageTemplate("grant access", "授予查阅权", phrase: true),
        MessageTemplate("hold", "冻结", phrase: true),
        MessageTemplate("place a hold", "设置冻结", phrase: true),
        MessageTemplate("release a hold", "解除冻结", phrase: true),
        MessageTemplate("restore", "恢复", phrase: true),
        MessageTemplate("restore it", "恢复它", phrase: true),
        MessageTemplate("submit", "提交", phrase: true),
        MessageTemplate("submit it", "提交它", phrase: true),
    ]

    /// Access, loans and approvals.
    static let loanMessages: [MessageTemplate] = [
        MessageTemplate("no loan {}", "没有借阅 {1}"),
        MessageTemplate("no approval {}", "没有审批 {1}"),
        MessageTemplate("L{} is no longer out", "L{1} 已不在借出状态"),
        MessageTemplate("{} is {}, not checked out", "{1} 的状态是 {2}，未借出"),
        MessageTemplate("{} is {}; it must be approved", "{1} 的状态是 {2}；必须先获批准"),
        MessageTemplate("{} is {}; only filed dossiers are lent", "{1} 的状态是 {2}；只有已归档的档案可以借出"),
        MessageTemplate("{} is {}", "{1} 的状态是 {2}"),
        MessageTemplate("{} is on loan", "{1} 已借出"),
        MessageTemplate("{} may only be lent as {}", "{1} 只能以 {2} 方式借阅"),
        MessageTemplate("{}: top_secret dossiers are never lent", "{1}：top_secret（绝密）档案一律不外借"),
        MessageTemplate("only an archivist of the owning department hands out and takes back L{}",
                        "只有所属部门的档案员可以交付和收回 L{1}"),
        MessageTemplate("only the borrower extends {}", "只有借阅人可以续借 {1}"),
        MessageTemplate("only the requester withdraws {}", "只有申请人可以撤回 {1}"),
        MessageTemplate("nobody approves their own request", "任何人都不能审批自己的申请"),
        MessageTemplate("{} waits for a {}, step {}", "{1} 正等待 {2} 审批（第 {3} 步）"),
        MessageTemplate("dossier already has an active loan", "档案已有进行中的借阅"),
        MessageTemplate("{} already has a pending extension A{}", "{1} 已有待审的续借申请 A{2}"),
        MessageTemplate("loan already has a pending extension", "借阅已有待审的续借申请"),
        // The reason after the colon comes from the database (`approval_obstacle`) and stays as it is.
        MessageTemplate("{} was closed: {}", "{1} 已关闭：{2}"),
        MessageTemplate("{} cannot be carried out now: {}", "{1} 现在无法执行：{2}"),
    ]

    /// Retention, legal holds, destruction.
    static let retentionMessages: [MessageTemplate] = [
        MessageTemplate("no retention rule for {}", "类别 {1} 没有保管期限规则"),
        MessageTemplate("{} is already on hold", "{1} 已被冻结"),
        MessageTemplate("{} is not on hold", "{1} 未被冻结"),
        MessageTemplate("{} is on legal hold", "{1} 处于法律冻结中"),
        MessageTemplate("on legal hold", "处于法律冻结中"),
        MessageTemplate("dossier is already on hold", "档案已被冻结"),
        MessageTemplate("{} is kept until {}", "{1} 须保管至 {2}"),
        MessageTemplate("{} already has a pending destruction", "{1} 已有待审的销毁申请"),
        MessageTemplate("{} is {}; only filed dossiers are destroyed", "{1} 的状态是 {2}；只有已归档的档案可以销毁"),
    ]

    /// Penalties.
    static let penaltyMessages: [MessageTemplate] = [
        MessageTemplate("no penalty {}", "没有处罚 {1}"),
        MessageTemplate("no penalty rule {}", "没有处罚规则 {1}"),
        MessageTemplate("{} is already waived", "{1} 已被免除"),
        MessageTemplate("{} already has a pending waiver A{}", "{1} 已有待审的免除申请 A{2}"),
        MessageTemplate("a {} records penalties of their own department only", "{1} 只能登记本部门的处罚"),
        MessageTemplate("nobody records a penalty against themselves", "任何人都不能给自己登记处罚"),
        MessageTemplate("{} is detected automatically, not recorded by hand", "{1} 由系统自动发现，不能手工登记", phrase: true),
        MessageTemplate("{} is always {}", "{1} 的金额固定为 {2}", phrase: true),
        MessageTemplate("{} allows {} to {}", "{1} 的金额范围是 {2} 到 {3}", phrase: true),
    ]

    /// The audit log.
    static let auditMessages: [MessageTemplate] = [
        MessageTemplate("chain broken at {}", "哈希链在 {1} 处断开"),
    ]

    /// Messages of `ERR INTERNAL` (bugs): translated too, so a clerk can report them.
    static let internalMessages: [MessageTemplate] = [
        MessageTemplate("approval without its target", "审批缺少对象"),
        MessageTemplate("cannot charge {} to user {}", "无法向用户 {2} 收取 {1}"),
        MessageTemplate("cannot form an archive number for D{}", "无法为 D{1} 生成档号"),
        MessageTemplate("command table and parser disagree about {}", "命令表与解析器对 {1} 不一致"),
        MessageTemplate("customer edit without a customer", "客户修改缺少客户"),
        MessageTemplate("deletion without a dossier", "删除申请缺少档案"),
        MessageTemplate("destruction without a dossier", "销毁申请缺少档案"),
        MessageTemplate("edit without a dossier", "修改申请缺少档案"),
        MessageTemplate("filed dossier without a number", "已归档的档案没有档号"),
        MessageTemplate("no loan rule for level {}", "密级 {1} 没有借阅规则"),
        MessageTemplate("not a loan approval", "不是借阅审批"),
        MessageTemplate("the penalty sweep needs a READ COMMITTED transaction", "处罚扫描需要 READ COMMITTED 事务"),
        MessageTemplate("the penalty sweep runs only as the system", "处罚扫描只能以系统身份运行"),
        MessageTemplate("unknown dossier field {} in {}", "{2} 中有未知的档案字段 {1}"),
        MessageTemplate("waiver {} without its penalty", "免除申请 {1} 缺少处罚"),
        MessageTemplate("loan approval {} without its loan", "借阅审批 {1} 缺少借阅"),
        MessageTemplate("export parsed {} unexpectedly", "导出意外解析出 {1}"),
        MessageTemplate("CUSTOMER NEW parsed as another command", "CUSTOMER NEW 被解析成了另一个命令"),
    ]
}
