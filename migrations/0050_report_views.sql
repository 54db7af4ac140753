-- The reporting schema `report`: views for BI tools that read PostgreSQL
-- directly (deploy/BI.md has the connection and one example query each).
--
-- Every view has security_invoker = true: it reads the tables with the rights
-- and the row-level security of whoever queries it, so a BI login sees exactly
-- what the policies on the tables allow (its department, or the company
-- without top_secret content), whatever the policies are at the time.
-- Words are the protocol's (loan `pending`/`checked_out`, not the table's
-- `requested`/`out`), money is yuan as numeric(12,2), days are dates of the
-- company's time zone (Asia/Shanghai). Approvals show no payload or reason:
-- those may carry a dossier's content.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE SCHEMA report AUTHORIZATION dossier_owner;
REVOKE ALL ON SCHEMA report FROM PUBLIC;
COMMENT ON SCHEMA report IS '报表视图（BI 工具直接读取，按行级安全过滤） / reporting views for BI tools (row-level security applies)';

-- Category names as the seeds write them.
CREATE FUNCTION report.category_name(p_category text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_category
        WHEN 'HT' THEN '合同' WHEN 'BJ' THEN '报价' WHEN 'DD' THEN '订单' WHEN 'KH' THEN '客户资料'
        WHEN 'XY' THEN '信用' WHEN 'TS' THEN '投诉' WHEN 'HD' THEN '活动' WHEN 'BG' THEN '报告' END
$$;
COMMENT ON FUNCTION report.category_name(text) IS '档案类别的中文名称 / Chinese name of a dossier category code';

-- The loan status as the protocol writes it.
CREATE FUNCTION report.loan_status(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_status WHEN 'requested' THEN 'pending' WHEN 'out' THEN 'checked_out' ELSE p_status END
$$;
COMMENT ON FUNCTION report.loan_status(text) IS '借阅状态（协议用语） / loan status in the protocol''s words';

-- Yuan from fen.
CREATE FUNCTION report.yuan(p_fen bigint) RETURNS numeric(12, 2)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (p_fen / 100.0)::numeric(12, 2)
$$;
COMMENT ON FUNCTION report.yuan(bigint) IS '分换算为元 / fen to yuan';

-------------------------------------------------------------------------------
-- 档案目录: the register
-------------------------------------------------------------------------------
CREATE VIEW report.register WITH (security_invoker = true) AS
SELECT 'D' || d.id AS ref,
       d.number,
       d.category,
       report.category_name(d.category) AS category_name,
       d.level,
       d.scope,
       d.status,
       dp.code AS department,
       u.login AS owner,
       u.name AS owner_name,
       coalesce(dc.title, d.register_title) AS title,
       cu.number AS customer,
       cu.name AS customer_name,
       (d.created_at AT TIME ZONE 'Asia/Shanghai')::date AS created_on,
       (d.filed_at AT TIME ZONE 'Asia/Shanghai')::date AS filed_on,
       d.filed_year,
       r.retain_until,
       EXISTS (SELECT 1 FROM dossier.legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL) AS hold,
       dc.location
  FROM dossier.dossiers d
  JOIN dossier.departments dp ON dp.id = d.dept_id
  JOIN dossier.users u ON u.id = d.owner_id
  LEFT JOIN dossier.dossier_contents dc ON dc.dossier_id = d.id
  LEFT JOIN dossier.customers cu ON cu.id = coalesce(dc.customer_id, d.register_customer_id)
  LEFT JOIN dossier.dossier_retention r ON r.dossier_id = d.id
 WHERE d.status <> 'purged';

COMMENT ON VIEW report.register IS '档案目录：可见的档案登记条目（已清除的不列） / the register (档案目录): register entries you may see, purged ones left out';
COMMENT ON COLUMN report.register.ref IS '档案引用（D<编号>，协议中可用） / dossier reference (D<n>, usable in the protocol)';
COMMENT ON COLUMN report.register.number IS '档号（入档时分配，如 SH-HT-2026-0001） / archive number, assigned at filing (e.g. SH-HT-2026-0001)';
COMMENT ON COLUMN report.register.category IS '档案类别代码（HT 合同、BJ 报价、DD 订单、KH 客户资料、XY 信用、TS 投诉、HD 活动、BG 报告） / category code';
COMMENT ON COLUMN report.register.category_name IS '档案类别中文名 / category name in Chinese';
COMMENT ON COLUMN report.register.level IS '密级（internal 内部、secret 秘密、confidential 机密、top_secret 绝密） / classification level';
COMMENT ON COLUMN report.register.scope IS '管理范围（personal 个人、department 部门、company 公司） / management scope';
COMMENT ON COLUMN report.register.status IS '状态（draft 草稿、submitted 已提交、filed 已入档、on_loan 借出、deleted 已删除、destroyed 已销毁） / lifecycle status';
COMMENT ON COLUMN report.register.department IS '所属部门代码 / owning department code';
COMMENT ON COLUMN report.register.owner IS '负责人登录名 / owner''s login';
COMMENT ON COLUMN report.register.owner_name IS '负责人姓名 / owner''s name';
COMMENT ON COLUMN report.register.title IS '题名（无权查看内容时仅内部级可见） / title (only for internal dossiers unless you may see the content)';
COMMENT ON COLUMN report.register.customer IS '客户编号（同上规则） / customer number (same rule as the title)';
COMMENT ON COLUMN report.register.customer_name IS '客户名称（同上规则） / customer name (same rule as the title)';
COMMENT ON COLUMN report.register.created_on IS '建档日期（北京时间） / day created (Asia/Shanghai)';
COMMENT ON COLUMN report.register.filed_on IS '入档日期（北京时间） / filing day (Asia/Shanghai)';
COMMENT ON COLUMN report.register.filed_year IS '入档年度（档号中的年份） / filing year (the year in the archive number)';
COMMENT ON COLUMN report.register.retain_until IS '保管期限到期日（空：未入档或客户仍在合作） / retention end (empty: not filed, or customer still open)';
COMMENT ON COLUMN report.register.hold IS '是否冻结（法律保全） / under a legal hold';
COMMENT ON COLUMN report.register.location IS '纸质存放位置（有权查看内容时） / paper location (where you may see the content)';

-------------------------------------------------------------------------------
-- 客户: customers
-------------------------------------------------------------------------------
CREATE VIEW report.customers WITH (security_invoker = true) AS
SELECT c.number AS customer,
       c.name,
       dp.code AS department,
       u.login AS owner,
       (c.created_at AT TIME ZONE 'Asia/Shanghai')::date AS created_on,
       (c.updated_at AT TIME ZONE 'Asia/Shanghai')::date AS updated_on,
       c.closed_on,
       cd.customer_id IS NOT NULL AS details_visible,
       cd.kind,
       cd.grade,
       cd.region,
       cd.industry,
       cd.credit_rating,
       report.yuan(cd.credit_limit_fen) AS credit_limit,
       cd.credit_code,
       cd.legal_rep,
       cd.contact,
       cd.phone,
       cd.email,
       cd.address
  FROM dossier.customers c
  JOIN dossier.departments dp ON dp.id = c.dept_id
  JOIN dossier.users u ON u.id = c.owner_id
  LEFT JOIN dossier.customer_details cd ON cd.customer_id = c.id;

COMMENT ON VIEW report.customers IS '客户：目录项及可见的客户详情 / customers: directory entries, with the details you may see';
COMMENT ON COLUMN report.customers.customer IS '客户编号（C-年份-序号） / customer number (C-YYYY-NNNNN)';
COMMENT ON COLUMN report.customers.name IS '客户名称 / customer name';
COMMENT ON COLUMN report.customers.department IS '所属部门代码 / department code';
COMMENT ON COLUMN report.customers.owner IS '负责人登录名 / owner''s login';
COMMENT ON COLUMN report.customers.created_on IS '建立日期 / day created';
COMMENT ON COLUMN report.customers.updated_on IS '最近完善日期（每月至少一次） / day last refreshed (at least monthly)';
COMMENT ON COLUMN report.customers.closed_on IS '终止合作日期 / relationship closed on';
COMMENT ON COLUMN report.customers.details_visible IS '是否可见客户详情（否：以下各列为空） / whether the details are visible (no: the columns below are empty)';
COMMENT ON COLUMN report.customers.kind IS '类型（company 企业、person 个人） / kind';
COMMENT ON COLUMN report.customers.grade IS '等级（VIP、A、B、C） / grade';
COMMENT ON COLUMN report.customers.region IS '地区 / region';
COMMENT ON COLUMN report.customers.industry IS '行业 / industry';
COMMENT ON COLUMN report.customers.credit_rating IS '信用评级 / credit rating';
COMMENT ON COLUMN report.customers.credit_limit IS '信用额度（元） / credit limit (yuan)';
COMMENT ON COLUMN report.customers.credit_code IS '统一社会信用代码 / unified social credit code';
COMMENT ON COLUMN report.customers.legal_rep IS '法定代表人 / legal representative';
COMMENT ON COLUMN report.customers.contact IS '联系人 / contact person';
COMMENT ON COLUMN report.customers.phone IS '电话 / phone';
COMMENT ON COLUMN report.customers.email IS '邮箱 / e-mail';
COMMENT ON COLUMN report.customers.address IS '地址 / address';

-------------------------------------------------------------------------------
-- 卷内目录: items
-------------------------------------------------------------------------------
CREATE VIEW report.items WITH (security_invoker = true) AS
SELECT 'D' || d.id AS ref,
       d.number,
       dp.code AS department,
       i.item_no,
       i.title,
       i.pages,
       i.medium,
       i.location,
       i.uri,
       i.sha256,
       i.signed_customer,
       i.signed_internal,
       au.login AS added_by,
       (i.added_at AT TIME ZONE 'Asia/Shanghai')::date AS added_on
  FROM dossier.items i
  JOIN dossier.dossiers d ON d.id = i.dossier_id
  JOIN dossier.departments dp ON dp.id = d.dept_id
  LEFT JOIN dossier.users au ON au.id = i.added_by;

COMMENT ON VIEW report.items IS '卷内目录：可见档案的卷内文件 / item lists (卷内目录) of the dossiers whose content you may see';
COMMENT ON COLUMN report.items.ref IS '档案引用（D<编号>） / dossier reference (D<n>)';
COMMENT ON COLUMN report.items.number IS '档号 / archive number';
COMMENT ON COLUMN report.items.department IS '所属部门代码 / department code';
COMMENT ON COLUMN report.items.item_no IS '件号 / item number';
COMMENT ON COLUMN report.items.title IS '文件题名 / item title';
COMMENT ON COLUMN report.items.pages IS '页数 / pages';
COMMENT ON COLUMN report.items.medium IS '载体（paper 纸质、electronic 电子、both 两者） / medium';
COMMENT ON COLUMN report.items.location IS '存址（柜/架/盒） / paper location (cabinet/shelf/box)';
COMMENT ON COLUMN report.items.uri IS '电子文件位置 / electronic copy URI';
COMMENT ON COLUMN report.items.sha256 IS '电子文件 SHA-256 / SHA-256 of the electronic copy';
COMMENT ON COLUMN report.items.signed_customer IS '客户是否签字 / signed by the customer';
COMMENT ON COLUMN report.items.signed_internal IS '经办人是否签字 / signed by the handler';
COMMENT ON COLUMN report.items.added_by IS '录入人登录名 / added by (login)';
COMMENT ON COLUMN report.items.added_on IS '录入日期 / day added';

-------------------------------------------------------------------------------
-- 借阅: loans
-------------------------------------------------------------------------------
CREATE VIEW report.loans WITH (security_invoker = true) AS
SELECT 'L' || l.id AS loan,
       'D' || l.dossier_id AS ref,
       d.number,
       dp.code AS department,
       b.login AS borrower,
       b.name AS borrower_name,
       bd.code AS borrower_department,
       l.mode,
       report.loan_status(l.status) AS status,
       l.purpose,
       round(extract(epoch FROM l.requested_duration) / 3600.0, 1)::numeric(10, 1) AS requested_hours,
       l.requested_at,
       l.approved_at,
       l.checked_out_at,
       l.due_at,
       l.returned_at,
       l.return_complete,
       (l.status = 'out' AND l.due_at < now()) AS overdue,
       CASE WHEN l.status = 'out' AND l.due_at < now()
            THEN round(extract(epoch FROM now() - l.due_at) / 3600.0, 1)::numeric(10, 1)
            WHEN l.status = 'returned' AND l.returned_at > l.due_at
            THEN round(extract(epoch FROM l.returned_at - l.due_at) / 3600.0, 1)::numeric(10, 1)
            ELSE 0 END AS hours_overdue
  FROM dossier.loans l
  JOIN dossier.departments dp ON dp.id = l.dept_id
  JOIN dossier.users b ON b.id = l.borrower_id
  JOIN dossier.departments bd ON bd.id = b.dept_id
  LEFT JOIN dossier.dossiers d ON d.id = l.dossier_id;

COMMENT ON VIEW report.loans IS '借阅：纸质档案的借阅记录 / loans of paper dossiers';
COMMENT ON COLUMN report.loans.loan IS '借阅单号（L<编号>） / loan id (L<n>)';
COMMENT ON COLUMN report.loans.ref IS '档案引用（D<编号>） / dossier reference (D<n>)';
COMMENT ON COLUMN report.loans.number IS '档号（可见时） / archive number (where the register entry is visible)';
COMMENT ON COLUMN report.loans.department IS '档案所属部门代码 / department owning the dossier';
COMMENT ON COLUMN report.loans.borrower IS '借阅人登录名 / borrower''s login';
COMMENT ON COLUMN report.loans.borrower_name IS '借阅人姓名 / borrower''s name';
COMMENT ON COLUMN report.loans.borrower_department IS '借阅人部门代码 / borrower''s department';
COMMENT ON COLUMN report.loans.mode IS '方式（takeout 外借、reading_room 阅览室） / mode';
COMMENT ON COLUMN report.loans.status IS '状态（pending 待审批、approved 已批准、checked_out 已借出、returned 已归还、rejected 已驳回、withdrawn 已撤回、cancelled 已取消） / status in the protocol''s words';
COMMENT ON COLUMN report.loans.purpose IS '借阅目的 / purpose';
COMMENT ON COLUMN report.loans.requested_hours IS '申请借阅时长（小时） / requested duration (hours)';
COMMENT ON COLUMN report.loans.requested_at IS '申请时间 / requested at';
COMMENT ON COLUMN report.loans.approved_at IS '批准时间 / approved at';
COMMENT ON COLUMN report.loans.checked_out_at IS '借出时间 / checked out at';
COMMENT ON COLUMN report.loans.due_at IS '应还时间 / due at';
COMMENT ON COLUMN report.loans.returned_at IS '归还时间 / returned at';
COMMENT ON COLUMN report.loans.return_complete IS '归还是否完整 / returned complete';
COMMENT ON COLUMN report.loans.overdue IS '是否逾期未还 / overdue (checked out, due time passed)';
COMMENT ON COLUMN report.loans.hours_overdue IS '逾期小时数（未还的至今，已还的至归还时） / hours overdue (until now, or until the return)';

-------------------------------------------------------------------------------
-- 审批: approvals
-------------------------------------------------------------------------------
CREATE VIEW report.approvals WITH (security_invoker = true) AS
SELECT 'A' || a.id AS approval,
       a.kind,
       a.status,
       a.status = 'pending' AS open,
       CASE WHEN a.kind IN ('loan', 'extend') THEN 'L' || a.loan_id
            WHEN a.kind = 'waive' THEN 'P' || a.penalty_id
            WHEN a.kind = 'customer_edit' THEN c.number
            ELSE coalesce(d.number, 'D' || a.dossier_id) END AS target,
       dp.code AS department,
       u.login AS requester,
       a.current_step,
       a.step_count,
       CASE WHEN a.status = 'pending' THEN s.approver_role || coalesce(':' || sd.code, '') END AS waiting_for,
       a.created_at,
       a.decided_at,
       round(extract(epoch FROM coalesce(a.decided_at, now()) - a.created_at) / 3600.0, 1)::numeric(10, 1) AS age_hours
  FROM dossier.approvals a
  JOIN dossier.departments dp ON dp.id = a.dept_id
  JOIN dossier.users u ON u.id = a.requester_id
  LEFT JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
  LEFT JOIN dossier.departments sd ON sd.id = s.approver_dept_id
  LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id
  LEFT JOIN dossier.customers c ON c.id = a.customer_id;

COMMENT ON VIEW report.approvals IS '审批：申请及其进度（不含申请内容与理由） / approvals and where they stand (without payload or reason)';
COMMENT ON COLUMN report.approvals.approval IS '审批单号（A<编号>） / approval id (A<n>)';
COMMENT ON COLUMN report.approvals.kind IS '类型（file 入档、edit 修改、customer_edit 客户修改、delete 删除、access 查阅、loan 借阅、extend 续借、destroy 销毁、waive 免罚） / kind';
COMMENT ON COLUMN report.approvals.status IS '状态（pending 待审批、approved 已批准、rejected 已驳回、withdrawn 已撤回、cancelled 系统取消） / status';
COMMENT ON COLUMN report.approvals.open IS '是否待审批 / still open';
COMMENT ON COLUMN report.approvals.target IS '审批对象（档号、D/L/P 编号或客户编号） / what it acts on';
COMMENT ON COLUMN report.approvals.department IS '部门代码 / department code';
COMMENT ON COLUMN report.approvals.requester IS '申请人登录名 / requester''s login';
COMMENT ON COLUMN report.approvals.current_step IS '当前步骤 / current step';
COMMENT ON COLUMN report.approvals.step_count IS '总步骤数 / number of steps';
COMMENT ON COLUMN report.approvals.waiting_for IS '等待谁审批（角色:部门） / waiting for (role:department)';
COMMENT ON COLUMN report.approvals.created_at IS '申请时间 / requested at';
COMMENT ON COLUMN report.approvals.decided_at IS '办结时间 / decided at';
COMMENT ON COLUMN report.approvals.age_hours IS '已等待或办理用时（小时） / age: hours open, or hours until decided';

-------------------------------------------------------------------------------
-- 处罚: penalties
-------------------------------------------------------------------------------
CREATE VIEW report.penalties WITH (security_invoker = true) AS
SELECT 'P' || p.id AS penalty,
       u.login AS "user",
       u.name AS user_name,
       dp.code AS department,
       p.rule_code AS rule,
       p.staff_line,
       coalesce(d.number, 'D' || d.id) AS ref,
       p.occurred_on,
       to_char(p.occurred_on, 'YYYY-MM') AS month,
       p.qty,
       p.multiplier,
       report.yuan(p.base_amount_fen) AS base_amount,
       report.yuan(p.amount_fen) AS amount,
       p.status,
       p.status = 'waived' AS waived,
       p.waived_at,
       p.ordinal_in_month,
       rb.login AS recorded_by,
       p.note
  FROM dossier.penalties p
  JOIN dossier.users u ON u.id = p.user_id
  JOIN dossier.departments dp ON dp.id = p.dept_id
  LEFT JOIN dossier.dossiers d ON d.id = p.dossier_id
  LEFT JOIN dossier.users rb ON rb.id = p.recorded_by;

COMMENT ON VIEW report.penalties IS '违规处罚：每一笔罚款 / penalties, one row per charge';
COMMENT ON COLUMN report.penalties.penalty IS '处罚编号（P<编号>） / penalty id (P<n>)';
COMMENT ON COLUMN report.penalties."user" IS '被处罚人登录名 / login of the person charged';
COMMENT ON COLUMN report.penalties.user_name IS '被处罚人姓名 / name of the person charged';
COMMENT ON COLUMN report.penalties.department IS '部门代码 / department code';
COMMENT ON COLUMN report.penalties.rule IS '违规规则代码（如 LATE_FILING） / rule code';
COMMENT ON COLUMN report.penalties.staff_line IS '岗位类别（sales 销售、service 服务） / staff line';
COMMENT ON COLUMN report.penalties.ref IS '相关档案（可见时） / dossier concerned (where its register entry is visible)';
COMMENT ON COLUMN report.penalties.occurred_on IS '违规日期 / day of the violation';
COMMENT ON COLUMN report.penalties.month IS '月份（YYYY-MM） / month (YYYY-MM)';
COMMENT ON COLUMN report.penalties.qty IS '次数或件数 / quantity (occurrences or items)';
COMMENT ON COLUMN report.penalties.multiplier IS '倍数（当月重复违规加倍） / multiplier (doubled for repeats in the month)';
COMMENT ON COLUMN report.penalties.base_amount IS '单价（元） / base amount (yuan)';
COMMENT ON COLUMN report.penalties.amount IS '金额（元） / amount (yuan)';
COMMENT ON COLUMN report.penalties.status IS '状态（charged 已处罚、waived 已免除） / status';
COMMENT ON COLUMN report.penalties.waived IS '是否已免除 / waived';
COMMENT ON COLUMN report.penalties.waived_at IS '免除时间 / waived at';
COMMENT ON COLUMN report.penalties.ordinal_in_month IS '当月第几次违规 / ordinal of the violation in its month';
COMMENT ON COLUMN report.penalties.recorded_by IS '记录人登录名（空：自动检查） / recorded by (empty: the automatic sweep)';
COMMENT ON COLUMN report.penalties.note IS '备注 / note';

-------------------------------------------------------------------------------
-- 到期档案: retention due
-------------------------------------------------------------------------------
CREATE VIEW report.retention_due WITH (security_invoker = true) AS
SELECT 'D' || d.id AS ref,
       d.number,
       d.category,
       d.level,
       dp.code AS department,
       u.login AS owner,
       (d.filed_at AT TIME ZONE 'Asia/Shanghai')::date AS filed_on,
       r.retain_until,
       (now() AT TIME ZONE 'Asia/Shanghai')::date - r.retain_until AS days_past
  FROM dossier.dossier_retention r
  JOIN dossier.dossiers d ON d.id = r.dossier_id
  JOIN dossier.departments dp ON dp.id = d.dept_id
  JOIN dossier.users u ON u.id = d.owner_id
 WHERE d.status IN ('filed', 'on_loan')
   AND r.retain_until < (now() AT TIME ZONE 'Asia/Shanghai')::date
   AND EXISTS (SELECT 1 FROM dossier.dossier_contents c WHERE c.dossier_id = d.id)
   AND NOT EXISTS (SELECT 1 FROM dossier.legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL);

COMMENT ON VIEW report.retention_due IS '到期档案：超过保管期限且未冻结（同 RETENTION DUE） / dossiers past retention and not on hold (as RETENTION DUE)';
COMMENT ON COLUMN report.retention_due.ref IS '档案引用（D<编号>） / dossier reference (D<n>)';
COMMENT ON COLUMN report.retention_due.number IS '档号 / archive number';
COMMENT ON COLUMN report.retention_due.category IS '档案类别代码 / category code';
COMMENT ON COLUMN report.retention_due.level IS '密级 / classification level';
COMMENT ON COLUMN report.retention_due.department IS '部门代码 / department code';
COMMENT ON COLUMN report.retention_due.owner IS '负责人登录名 / owner''s login';
COMMENT ON COLUMN report.retention_due.filed_on IS '入档日期 / filing day';
COMMENT ON COLUMN report.retention_due.retain_until IS '保管期限到期日 / retention end';
COMMENT ON COLUMN report.retention_due.days_past IS '已超期天数 / days past the retention end';

-------------------------------------------------------------------------------
-- 销毁清册: the destruction register
-------------------------------------------------------------------------------
CREATE VIEW report.destructions WITH (security_invoker = true) AS
SELECT x.id AS destruction,
       'D' || x.dossier_id AS ref,
       x.number,
       x.category,
       x.level,
       dp.code AS department,
       CASE WHEN x.level = 'top_secret' THEN NULL ELSE x.what END AS what,
       x.reason,
       x.method,
       rq.login AS requested_by,
       (SELECT string_agg(ap.login, ',' ORDER BY k.ord)
          FROM unnest(x.approved_by) WITH ORDINALITY AS k(user_id, ord)
          JOIN dossier.users ap ON ap.id = k.user_id) AS approved_by,
       x.destroyed_at,
       (x.destroyed_at AT TIME ZONE 'Asia/Shanghai')::date AS destroyed_on
  FROM dossier.destructions x
  JOIN dossier.departments dp ON dp.id = x.dept_id
  JOIN dossier.users rq ON rq.id = x.requested_by;

COMMENT ON VIEW report.destructions IS '销毁清册：永久保存的销毁记录 / the permanent destruction register';
COMMENT ON COLUMN report.destructions.destruction IS '销毁记录编号 / destruction record id';
COMMENT ON COLUMN report.destructions.ref IS '档案引用（D<编号>） / dossier reference (D<n>)';
COMMENT ON COLUMN report.destructions.number IS '档号 / archive number';
COMMENT ON COLUMN report.destructions.category IS '档案类别代码 / category code';
COMMENT ON COLUMN report.destructions.level IS '密级 / classification level';
COMMENT ON COLUMN report.destructions.department IS '部门代码 / department code';
COMMENT ON COLUMN report.destructions.what IS '销毁内容说明（绝密档案不显示） / what was destroyed (not shown for top_secret)';
COMMENT ON COLUMN report.destructions.reason IS '销毁理由 / reason';
COMMENT ON COLUMN report.destructions.method IS '销毁方式（shred 粉碎、erase 删除） / method';
COMMENT ON COLUMN report.destructions.requested_by IS '申请人登录名 / requested by (login)';
COMMENT ON COLUMN report.destructions.approved_by IS '批准人登录名（逗号分隔） / approved by (logins, comma separated)';
COMMENT ON COLUMN report.destructions.destroyed_at IS '销毁时间 / destroyed at';
COMMENT ON COLUMN report.destructions.destroyed_on IS '销毁日期 / day destroyed';

-------------------------------------------------------------------------------
-- 人员: users (the columns BI logins may read, without password hashes)
-------------------------------------------------------------------------------
CREATE VIEW report.users WITH (security_invoker = true) AS
SELECT u.login, u.name, dp.code AS department, u.role, u.line AS staff_line, u.active,
       (u.left_at AT TIME ZONE 'Asia/Shanghai')::date AS left_on
  FROM dossier.users u
  JOIN dossier.departments dp ON dp.id = u.dept_id;

COMMENT ON VIEW report.users IS '人员：用户及其部门、角色（不含密码） / users with department and role (no password hashes)';
COMMENT ON COLUMN report.users.login IS '登录名 / login';
COMMENT ON COLUMN report.users.name IS '姓名 / name';
COMMENT ON COLUMN report.users.department IS '部门代码 / department code';
COMMENT ON COLUMN report.users.role IS '角色（rep 客户经理、manager 部门经理、archivist 档案管理员、director 总监、auditor 人力资源部、admin 管理员） / role';
COMMENT ON COLUMN report.users.staff_line IS '岗位类别（sales 销售、service 服务） / staff line';
COMMENT ON COLUMN report.users.active IS '是否在职 / active';
COMMENT ON COLUMN report.users.left_on IS '离职日期 / day left';

-------------------------------------------------------------------------------
-- Aggregates
-------------------------------------------------------------------------------
-- 客户构成分析: customers by department × grade × region × industry.
CREATE VIEW report.customer_composition WITH (security_invoker = true) AS
SELECT dp.code AS department,
       cd.grade,
       cd.region,
       cd.industry,
       count(*) AS customers,
       count(*) FILTER (WHERE c.closed_on IS NULL) AS open_customers,
       sum(report.yuan(cd.credit_limit_fen))::numeric(14, 2) AS credit_limit_total
  FROM dossier.customers c
  JOIN dossier.departments dp ON dp.id = c.dept_id
  LEFT JOIN dossier.customer_details cd ON cd.customer_id = c.id
 GROUP BY dp.code, cd.grade, cd.region, cd.industry;

COMMENT ON VIEW report.customer_composition IS '客户构成分析：按部门、等级、地区、行业统计 / customer composition by department, grade, region and industry';
COMMENT ON COLUMN report.customer_composition.department IS '部门代码 / department code';
COMMENT ON COLUMN report.customer_composition.grade IS '等级（空：未填或详情不可见） / grade (empty: not given, or details not visible)';
COMMENT ON COLUMN report.customer_composition.region IS '地区 / region';
COMMENT ON COLUMN report.customer_composition.industry IS '行业 / industry';
COMMENT ON COLUMN report.customer_composition.customers IS '客户数 / customers';
COMMENT ON COLUMN report.customer_composition.open_customers IS '仍在合作的客户数 / customers not closed';
COMMENT ON COLUMN report.customer_composition.credit_limit_total IS '信用额度合计（元） / total credit limit (yuan)';

-- Dossiers by category × year × status.
CREATE VIEW report.dossier_counts WITH (security_invoker = true) AS
SELECT dp.code AS department,
       d.category,
       report.category_name(d.category) AS category_name,
       coalesce(d.filed_year, extract(year FROM d.created_at AT TIME ZONE 'Asia/Shanghai')::int) AS year,
       d.status,
       count(*) AS dossiers
  FROM dossier.dossiers d
  JOIN dossier.departments dp ON dp.id = d.dept_id
 WHERE d.status <> 'purged'
 GROUP BY dp.code, d.category, 4, d.status;

COMMENT ON VIEW report.dossier_counts IS '档案统计：按部门、类别、年度、状态 / dossiers by department, category, year and status';
COMMENT ON COLUMN report.dossier_counts.department IS '部门代码 / department code';
COMMENT ON COLUMN report.dossier_counts.category IS '档案类别代码 / category code';
COMMENT ON COLUMN report.dossier_counts.category_name IS '档案类别中文名 / category name in Chinese';
COMMENT ON COLUMN report.dossier_counts.year IS '年度（入档年，未入档的按建档年） / year (of filing, or of creation when not filed)';
COMMENT ON COLUMN report.dossier_counts.status IS '状态 / status';
COMMENT ON COLUMN report.dossier_counts.dossiers IS '档案数 / dossiers';

-- 处罚月报 (人力资源部): per month, department and user, with the deduction flag.
CREATE VIEW report.penalties_monthly WITH (security_invoker = true) AS
SELECT to_char(p.occurred_on, 'YYYY-MM') AS month,
       dp.code AS department,
       u.login AS "user",
       u.name AS user_name,
       (array_agg(p.staff_line ORDER BY p.id DESC))[1] AS staff_line,
       count(*) FILTER (WHERE p.status = 'charged') AS charged,
       coalesce(sum(report.yuan(p.amount_fen)) FILTER (WHERE p.status = 'charged'), 0)::numeric(12, 2) AS amount,
       count(*) FILTER (WHERE p.status = 'waived') AS waived,
       coalesce(sum(report.yuan(p.amount_fen)) FILTER (WHERE p.status = 'waived'), 0)::numeric(12, 2) AS waived_amount,
       -- RULES.md: the 3rd and later violation of a service user in a month
       -- flags the month for a 10–30 % performance deduction (RepeatEscalation).
       ((array_agg(p.staff_line ORDER BY p.id DESC))[1] = 'service'
        AND count(*) FILTER (WHERE p.status = 'charged') >= 3) AS deduction_flag
  FROM dossier.penalties p
  JOIN dossier.users u ON u.id = p.user_id
  JOIN dossier.departments dp ON dp.id = p.dept_id
 GROUP BY 1, dp.code, u.login, u.name;

COMMENT ON VIEW report.penalties_monthly IS '处罚月报：按月、部门、人员统计（同 PENALTY REPORT） / monthly penalties per department and user (as PENALTY REPORT)';
COMMENT ON COLUMN report.penalties_monthly.month IS '月份（YYYY-MM） / month (YYYY-MM)';
COMMENT ON COLUMN report.penalties_monthly.department IS '部门代码 / department code';
COMMENT ON COLUMN report.penalties_monthly."user" IS '人员登录名 / login';
COMMENT ON COLUMN report.penalties_monthly.user_name IS '人员姓名 / name';
COMMENT ON COLUMN report.penalties_monthly.staff_line IS '岗位类别（当月最近一笔） / staff line (of the month''s latest charge)';
COMMENT ON COLUMN report.penalties_monthly.charged IS '处罚笔数（不含已免除） / charges (waived ones excluded)';
COMMENT ON COLUMN report.penalties_monthly.amount IS '处罚金额合计（元，不含已免除） / total charged (yuan, waived excluded)';
COMMENT ON COLUMN report.penalties_monthly.waived IS '已免除笔数 / charges waived';
COMMENT ON COLUMN report.penalties_monthly.waived_amount IS '已免除金额（元） / amount waived (yuan)';
COMMENT ON COLUMN report.penalties_monthly.deduction_flag IS '是否扣减绩效 10–30%（服务岗当月第 3 次起） / flagged for a 10–30 % performance deduction (service staff, 3rd violation of the month on)';

-- Loans per month (of the request).
CREATE VIEW report.loans_monthly WITH (security_invoker = true) AS
SELECT to_char(l.requested_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month,
       dp.code AS department,
       l.mode,
       count(*) AS requested,
       count(*) FILTER (WHERE l.checked_out_at IS NOT NULL) AS checked_out,
       count(*) FILTER (WHERE l.status = 'returned') AS returned,
       count(*) FILTER (WHERE l.status = 'returned' AND NOT l.return_complete) AS returned_incomplete,
       count(*) FILTER (WHERE l.status = 'rejected') AS rejected,
       count(*) FILTER (WHERE (l.status = 'out' AND l.due_at < now())
                           OR (l.status = 'returned' AND l.returned_at > l.due_at)) AS overdue,
       round(avg(extract(epoch FROM coalesce(l.returned_at, now()) - l.checked_out_at) / 3600.0)
             FILTER (WHERE l.checked_out_at IS NOT NULL), 1)::numeric(10, 1) AS average_hours_out
  FROM dossier.loans l
  JOIN dossier.departments dp ON dp.id = l.dept_id
 GROUP BY 1, dp.code, l.mode;

COMMENT ON VIEW report.loans_monthly IS '借阅月报：按申请月份、部门、方式统计 / loans per month of request, department and mode';
COMMENT ON COLUMN report.loans_monthly.month IS '申请月份（YYYY-MM） / month of the request (YYYY-MM)';
COMMENT ON COLUMN report.loans_monthly.department IS '档案所属部门代码 / department owning the dossiers';
COMMENT ON COLUMN report.loans_monthly.mode IS '方式（takeout 外借、reading_room 阅览室） / mode';
COMMENT ON COLUMN report.loans_monthly.requested IS '申请数 / requests';
COMMENT ON COLUMN report.loans_monthly.checked_out IS '借出数 / checked out';
COMMENT ON COLUMN report.loans_monthly.returned IS '归还数 / returned';
COMMENT ON COLUMN report.loans_monthly.returned_incomplete IS '归还不完整数 / returned incomplete';
COMMENT ON COLUMN report.loans_monthly.rejected IS '驳回数 / rejected';
COMMENT ON COLUMN report.loans_monthly.overdue IS '逾期数（未还逾期及逾期归还） / overdue (still out past due, or returned late)';
COMMENT ON COLUMN report.loans_monthly.average_hours_out IS '平均借出时长（小时） / average hours out';

-------------------------------------------------------------------------------
-- Privileges: BI logins read the views (and, through them, only their rows).
-------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA report TO dossier_bi;
GRANT SELECT ON ALL TABLES IN SCHEMA report TO dossier_bi;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA report FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA report TO dossier_bi;
