-- Issue 15, part 6 (credit): reporting views for credit management, in the
-- schema `report` of 0050 and on its terms: security_invoker = true (a BI
-- login sees exactly the credit rows the policies credit_*_read show it —
-- those of customers whose details it sees: its department, or the company),
-- the protocol's words, yuan, company days.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- The ageing bucket of a receivable due on p_due, seen on p_today
-- (ArrearsAgeing in DossierDomain says the same; the tests check that both
-- agree): `current` until the due day ends, then days overdue 1–30 `0_30`,
-- 31–60 `31_60`, 61–90 `61_90`, more `90_plus`.
CREATE FUNCTION dossier.credit_ageing_bucket(p_due date, p_today date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_today - p_due <= 0 THEN 'current'
                WHEN p_today - p_due <= 30 THEN '0_30'
                WHEN p_today - p_due <= 60 THEN '31_60'
                WHEN p_today - p_due <= 90 THEN '61_90'
                ELSE '90_plus' END
$$;

-- Yuan of a sum of fen, wide enough for sums (report.yuan is numeric(12,2)).
CREATE FUNCTION report.yuan_sum(p_fen numeric) RETURNS numeric(18, 2)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(coalesce(p_fen, 0) / 100, 2)::numeric(18, 2)
$$;
COMMENT ON FUNCTION report.yuan_sum(numeric) IS '分的合计换算为元 / a sum of fen to yuan';

CREATE VIEW report.credit_receivables WITH (security_invoker = true) AS
SELECT 'R' || r.id AS receivable,
       dp.code AS department,
       c.number AS customer,
       c.name AS customer_name,
       CASE WHEN r.plan_id IS NULL THEN 'arrear' ELSE 'instalment' END AS kind,
       'RP' || r.plan_id AS plan,
       r.instalment_no,
       report.yuan(r.amount_fen) AS amount,
       report.yuan(r.paid_fen) AS paid,
       report.yuan(r.open_fen) AS open,
       r.due_on,
       dossier.credit_receivable_state(r.open_fen, r.planned_fen, r.due_on) AS status,
       CASE WHEN r.open_fen > 0 THEN greatest(current_date - r.due_on, 0) ELSE 0 END AS days_overdue,
       CASE WHEN r.open_fen > 0 THEN dossier.credit_ageing_bucket(r.due_on, current_date) END AS ageing
  FROM dossier.credit_receivables r
  JOIN dossier.departments dp ON dp.id = r.dept_id
  JOIN dossier.customers c ON c.id = r.customer_id;

COMMENT ON VIEW report.credit_receivables IS '应收款：可见的欠款与分期还款 / receivables you may see: arrears and instalments';
COMMENT ON COLUMN report.credit_receivables.receivable IS '应收款编号（R<编号>，协议中可用） / receivable id (R<n>, usable in the protocol)';
COMMENT ON COLUMN report.credit_receivables.department IS '部门代码 / department code';
COMMENT ON COLUMN report.credit_receivables.customer IS '客户编号 / customer number';
COMMENT ON COLUMN report.credit_receivables.customer_name IS '客户名称 / customer name';
COMMENT ON COLUMN report.credit_receivables.kind IS '类型（arrear 欠款、instalment 分期） / kind: arrear or instalment';
COMMENT ON COLUMN report.credit_receivables.plan IS '还款计划编号（RP<编号>；欠款为空） / repayment plan id (RP<n>; empty for an arrear)';
COMMENT ON COLUMN report.credit_receivables.instalment_no IS '第几期 / instalment number';
COMMENT ON COLUMN report.credit_receivables.amount IS '金额（元） / amount (yuan)';
COMMENT ON COLUMN report.credit_receivables.paid IS '已还（元） / paid (yuan)';
COMMENT ON COLUMN report.credit_receivables.open IS '未还（元；转入还款计划的不计） / open (yuan; not what moved into a plan)';
COMMENT ON COLUMN report.credit_receivables.due_on IS '到期日（当日结束前应还） / due day (payable by its end, company time)';
COMMENT ON COLUMN report.credit_receivables.status IS '状态（due 未到期、overdue 逾期、paid 已还清、planned 已转入还款计划） / status: due, overdue, paid, planned';
COMMENT ON COLUMN report.credit_receivables.days_overdue IS '逾期天数 / days overdue';
COMMENT ON COLUMN report.credit_receivables.ageing IS '账龄区间（current 未逾期、0_30、31_60、61_90、90_plus 逾期天数；已还清为空） / ageing bucket by days overdue (empty when nothing is open)';

CREATE VIEW report.credit_limits WITH (security_invoker = true) AS
SELECT dp.code AS department,
       c.number AS customer,
       c.name AS customer_name,
       u.login AS owner,
       cd.credit_rating,
       report.yuan(cd.credit_limit_fen) AS credit_limit,
       report.yuan_sum(o.outstanding) AS outstanding,
       report.yuan_sum(o.overdue) AS overdue,
       CASE WHEN cd.credit_limit_fen > 0 THEN round(100 * coalesce(o.outstanding, 0) / cd.credit_limit_fen, 1) END
           AS limit_use_pct,
       coalesce(o.outstanding, 0) > coalesce(cd.credit_limit_fen, 0) AS over_limit,
       coalesce(o.overdue, 0) > 0 AS has_overdue
  FROM dossier.customers c
  JOIN dossier.customer_details cd ON cd.customer_id = c.id
  JOIN dossier.departments dp ON dp.id = c.dept_id
  JOIN dossier.users u ON u.id = c.owner_id
  LEFT JOIN LATERAL (SELECT sum(r.open_fen) AS outstanding,
                            sum(r.open_fen) FILTER (WHERE r.due_on < current_date) AS overdue
                       FROM dossier.credit_receivables r
                      WHERE r.customer_id = c.id AND r.open_fen > 0) o ON true
 WHERE c.purged_at IS NULL;

COMMENT ON VIEW report.credit_limits IS '信用额度使用：每个可见客户的信用等级、额度、欠款、逾期和额度使用率 / credit limit use per customer you may see';
COMMENT ON COLUMN report.credit_limits.department IS '部门代码 / department code';
COMMENT ON COLUMN report.credit_limits.customer IS '客户编号 / customer number';
COMMENT ON COLUMN report.credit_limits.customer_name IS '客户名称 / customer name';
COMMENT ON COLUMN report.credit_limits.owner IS '负责人登录名 / owner login';
COMMENT ON COLUMN report.credit_limits.credit_rating IS '信用评级 / credit rating';
COMMENT ON COLUMN report.credit_limits.credit_limit IS '信用额度（元；未设为空，即未授信） / credit limit (yuan; empty: none granted)';
COMMENT ON COLUMN report.credit_limits.outstanding IS '未还合计（元） / outstanding (yuan)';
COMMENT ON COLUMN report.credit_limits.overdue IS '逾期未还合计（元） / overdue (yuan)';
COMMENT ON COLUMN report.credit_limits.limit_use_pct IS '额度使用率（%；无额度为空） / limit use in percent (empty without a limit)';
COMMENT ON COLUMN report.credit_limits.over_limit IS '是否超出信用额度 / over the credit limit';
COMMENT ON COLUMN report.credit_limits.has_overdue IS '是否有逾期未还 / has something overdue';

CREATE VIEW report.credit_limit_use WITH (security_invoker = true) AS
SELECT department,
       count(*) AS customers,
       count(credit_limit) AS customers_with_limit,
       sum(credit_limit)::numeric(18, 2) AS credit_limit_total,
       sum(outstanding)::numeric(18, 2) AS outstanding_total,
       CASE WHEN sum(credit_limit) > 0 THEN round(100 * sum(outstanding) / sum(credit_limit), 1) END AS limit_use_pct,
       count(*) FILTER (WHERE over_limit) AS over_limit_customers,
       count(*) FILTER (WHERE has_overdue) AS overdue_customers
  FROM report.credit_limits
 GROUP BY department;

COMMENT ON VIEW report.credit_limit_use IS '部门信用额度使用：额度、欠款、使用率、超额度和逾期客户数 / credit limit use per department';
COMMENT ON COLUMN report.credit_limit_use.department IS '部门代码 / department code';
COMMENT ON COLUMN report.credit_limit_use.customers IS '客户数 / customers';
COMMENT ON COLUMN report.credit_limit_use.customers_with_limit IS '已授信客户数 / customers with a credit limit';
COMMENT ON COLUMN report.credit_limit_use.credit_limit_total IS '信用额度合计（元） / total credit limit (yuan)';
COMMENT ON COLUMN report.credit_limit_use.outstanding_total IS '未还合计（元） / total outstanding (yuan)';
COMMENT ON COLUMN report.credit_limit_use.limit_use_pct IS '额度使用率（%） / limit use in percent';
COMMENT ON COLUMN report.credit_limit_use.over_limit_customers IS '超出额度的客户数 / customers over their limit';
COMMENT ON COLUMN report.credit_limit_use.overdue_customers IS '有逾期的客户数 / customers with something overdue';

CREATE VIEW report.arrears_ageing WITH (security_invoker = true) AS
SELECT department,
       sum(open) FILTER (WHERE ageing = 'current')::numeric(18, 2) AS not_due,
       sum(open) FILTER (WHERE ageing = '0_30')::numeric(18, 2) AS overdue_0_30,
       sum(open) FILTER (WHERE ageing = '31_60')::numeric(18, 2) AS overdue_31_60,
       sum(open) FILTER (WHERE ageing = '61_90')::numeric(18, 2) AS overdue_61_90,
       sum(open) FILTER (WHERE ageing = '90_plus')::numeric(18, 2) AS overdue_90_plus,
       sum(open) FILTER (WHERE ageing <> 'current')::numeric(18, 2) AS overdue_total,
       sum(open)::numeric(18, 2) AS outstanding_total,
       count(*) FILTER (WHERE ageing <> 'current') AS overdue_receivables
  FROM report.credit_receivables
 WHERE ageing IS NOT NULL
 GROUP BY department;

COMMENT ON VIEW report.arrears_ageing IS '账龄分析：每个部门未还款项按逾期天数分段（0–30、31–60、61–90、90 天以上） / arrears ageing per department by days overdue';
COMMENT ON COLUMN report.arrears_ageing.department IS '部门代码 / department code';
COMMENT ON COLUMN report.arrears_ageing.not_due IS '未到期（元） / not yet due (yuan)';
COMMENT ON COLUMN report.arrears_ageing.overdue_0_30 IS '逾期 0–30 天（元） / overdue up to 30 days (yuan)';
COMMENT ON COLUMN report.arrears_ageing.overdue_31_60 IS '逾期 31–60 天（元） / overdue 31 to 60 days (yuan)';
COMMENT ON COLUMN report.arrears_ageing.overdue_61_90 IS '逾期 61–90 天（元） / overdue 61 to 90 days (yuan)';
COMMENT ON COLUMN report.arrears_ageing.overdue_90_plus IS '逾期 90 天以上（元） / overdue more than 90 days (yuan)';
COMMENT ON COLUMN report.arrears_ageing.overdue_total IS '逾期合计（元） / overdue in total (yuan)';
COMMENT ON COLUMN report.arrears_ageing.outstanding_total IS '未还合计（元） / outstanding in total (yuan)';
COMMENT ON COLUMN report.arrears_ageing.overdue_receivables IS '逾期笔数 / overdue receivables';

REVOKE ALL ON FUNCTION dossier.credit_ageing_bucket(date, date), report.yuan_sum(numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.credit_ageing_bucket(date, date), report.yuan_sum(numeric) TO dossier_app, dossier_bi;
GRANT SELECT ON report.credit_receivables, report.credit_limits, report.credit_limit_use, report.arrears_ageing TO dossier_bi;
