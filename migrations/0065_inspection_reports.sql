-- Issue 15, part 6: periodic inspections (盘点) in the reporting schema, on
-- the terms of 0050: security_invoker = true (a BI login sees the
-- inspections the policy inspections_read shows it: its department, or the
-- company), the protocol's words, company days. One row per inspection with
-- what was found; the dossiers themselves stay in INSPECTION SHOW.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE VIEW report.inspections WITH (security_invoker = true) AS
SELECT 'I' || i.id AS inspection,
       dp.code AS department,
       i.location_prefix,
       i.status,
       ou.login AS opened_by,
       (i.opened_at AT TIME ZONE dossier.company_time_zone())::date AS opened_on,
       cu.login AS closed_by,
       (i.closed_at AT TIME ZONE dossier.company_time_zone())::date AS closed_on,
       count(c.dossier_id) AS checked,
       count(c.dossier_id) FILTER (WHERE c.result = 'present') AS present,
       count(c.dossier_id) FILTER (WHERE c.result = 'missing') AS missing,
       count(c.dossier_id) FILTER (WHERE c.result = 'damaged') AS damaged,
       count(c.dossier_id) FILTER (WHERE c.found_location IS NOT NULL
                                     AND c.found_location IS DISTINCT FROM c.register_location) AS moved
  FROM dossier.inspections i
  JOIN dossier.departments dp ON dp.id = i.dept_id
  JOIN dossier.users ou ON ou.id = i.opened_by
  LEFT JOIN dossier.users cu ON cu.id = i.closed_by
  LEFT JOIN dossier.inspection_checks c ON c.inspection_id = i.id
 GROUP BY i.id, dp.code, ou.login, cu.login;

COMMENT ON VIEW report.inspections IS '档案盘点：每次盘点及其结果 / periodic inspections of the paper archive and what they found';
COMMENT ON COLUMN report.inspections.inspection IS '盘点编号（I<编号>，协议中可用） / inspection id (I<n>, usable in the protocol)';
COMMENT ON COLUMN report.inspections.department IS '部门代码 / department code';
COMMENT ON COLUMN report.inspections.location_prefix IS '盘点范围（存放位置前缀，空为全部） / location prefix inspected (empty: every location)';
COMMENT ON COLUMN report.inspections.status IS '状态（open 进行中、closed 已结束） / status: open, closed';
COMMENT ON COLUMN report.inspections.opened_by IS '开始盘点的档案管理员 / archivist who opened it';
COMMENT ON COLUMN report.inspections.opened_on IS '开始日期 / day opened (company time)';
COMMENT ON COLUMN report.inspections.closed_by IS '结束盘点的档案管理员 / archivist who closed it';
COMMENT ON COLUMN report.inspections.closed_on IS '结束日期 / day closed (company time)';
COMMENT ON COLUMN report.inspections.checked IS '已清点的案卷数 / dossiers checked';
COMMENT ON COLUMN report.inspections.present IS '在架完好 / found in place and intact';
COMMENT ON COLUMN report.inspections.missing IS '缺失 / missing';
COMMENT ON COLUMN report.inspections.damaged IS '损坏 / damaged';
COMMENT ON COLUMN report.inspections.moved IS '存放位置与登记不符（已更正） / found elsewhere than the register said (corrected)';

GRANT SELECT ON report.inspections TO dossier_bi;
