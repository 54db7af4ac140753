-- Issue 15, part 4: reporting views for follow-up visits (回访), in the
-- schema `report` of 0050 and on its terms: security_invoker = true (a BI
-- login sees exactly the visits the policy followups_read shows it: its
-- department, or the company), the protocol's words, company days.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE VIEW report.followups WITH (security_invoker = true) AS
SELECT 'V' || f.id AS visit,
       dp.code AS department,
       c.number AS customer,
       c.name AS customer_name,
       u.login AS assignee,
       f.template,
       f.step_no,
       f.due_on,
       date_trunc('week', f.due_on)::date AS due_week,
       dossier.followup_state(f.status, f.due_on) AS status,
       f.visited_on,
       f.status = 'done' AND f.visited_on > f.due_on AS late,
       f.method,
       f.satisfaction
  FROM dossier.followups f
  JOIN dossier.departments dp ON dp.id = f.dept_id
  JOIN dossier.customers c ON c.id = f.customer_id
  JOIN dossier.users u ON u.id = f.assignee_id;

COMMENT ON VIEW report.followups IS '回访：可见的回访计划与记录（不含谈话内容） / follow-up visits you may see (without what was said)';
COMMENT ON COLUMN report.followups.visit IS '回访编号（V<编号>，协议中可用） / visit id (V<n>, usable in the protocol)';
COMMENT ON COLUMN report.followups.department IS '部门代码 / department code';
COMMENT ON COLUMN report.followups.customer IS '客户编号 / customer number';
COMMENT ON COLUMN report.followups.customer_name IS '客户名称 / customer name';
COMMENT ON COLUMN report.followups.assignee IS '回访人登录名 / login of the person who makes the visit';
COMMENT ON COLUMN report.followups.template IS '回访模板（手工安排的为空） / schedule template (empty for visits planned by hand)';
COMMENT ON COLUMN report.followups.step_no IS '模板中的第几次回访 / step of the template';
COMMENT ON COLUMN report.followups.due_on IS '应回访日期（当日结束前） / due day (by its end, company time)';
COMMENT ON COLUMN report.followups.due_week IS '应回访日期所在周（周一） / week of the due day (its Monday)';
COMMENT ON COLUMN report.followups.status IS '状态（due 待回访、overdue 逾期、done 已回访） / status: due, overdue, done';
COMMENT ON COLUMN report.followups.visited_on IS '回访日期 / day the visit was recorded';
COMMENT ON COLUMN report.followups.late IS '是否逾期后才回访 / recorded after its due day';
COMMENT ON COLUMN report.followups.method IS '回访方式（phone 电话、visit 上门、other 其他） / method';
COMMENT ON COLUMN report.followups.satisfaction IS '满意度（1–5） / satisfaction (1–5)';

CREATE VIEW report.followups_weekly WITH (security_invoker = true) AS
SELECT department, assignee, due_week,
       count(*) AS planned,
       count(*) FILTER (WHERE status = 'due') AS due,
       count(*) FILTER (WHERE status = 'overdue') AS overdue,
       count(*) FILTER (WHERE status = 'done') AS done,
       count(*) FILTER (WHERE late) AS done_late,
       round(avg(satisfaction), 2) AS avg_satisfaction
  FROM report.followups
 GROUP BY department, assignee, due_week;

COMMENT ON VIEW report.followups_weekly IS '回访周报：每个部门、回访人、周的计划、待回访、逾期、已回访和平均满意度 / visits per department, person and week of the due day';
COMMENT ON COLUMN report.followups_weekly.department IS '部门代码 / department code';
COMMENT ON COLUMN report.followups_weekly.assignee IS '回访人登录名 / login';
COMMENT ON COLUMN report.followups_weekly.due_week IS '应回访日期所在周（周一） / week of the due day (its Monday)';
COMMENT ON COLUMN report.followups_weekly.planned IS '计划回访数 / visits planned';
COMMENT ON COLUMN report.followups_weekly.due IS '待回访数 / still due';
COMMENT ON COLUMN report.followups_weekly.overdue IS '逾期未回访数 / overdue';
COMMENT ON COLUMN report.followups_weekly.done IS '已回访数 / done';
COMMENT ON COLUMN report.followups_weekly.done_late IS '逾期后才回访数 / done after the due day';
COMMENT ON COLUMN report.followups_weekly.avg_satisfaction IS '平均满意度 / average satisfaction';

GRANT SELECT ON report.followups, report.followups_weekly TO dossier_bi;
