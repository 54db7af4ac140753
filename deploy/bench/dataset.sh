#!/usr/bin/env bash
# A realistic large company for the benchmarks (issue 17), generated inside
# PostgreSQL (generate_series, as the cluster's superuser: the product's
# transition triggers do not check superusers loading data).
#
# At SCALE=1: 20 offices, 1,000 users, 1,000,000 customers (with details),
# 5,000,000 dossiers (each with its content and one item; filed ones with
# their retention date), 2,000,000 loans (each with its approved approval and
# step), 500,000 access grants, 20,000,000 audit rows in valid hash chains.
# Every count scales with SCALE (users at least 100); the offices stay 20.
#
# Sourced by latency.sh (dataset_load), or run on its own to time a load:
#
#   SCALE=0.01 deploy/bench/dataset.sh
#
# which starts dossierd on the embedded default, loads, prints the row counts,
# the database size and the time taken, and stops again.
#
# Users, all with password `bench-secret`: u00001..u00020 managers of office
# 1..20, u00021..u00040 archivists, u00041.. reps (u00041 in office 1),
# plus dir.bench (director) and aud.bench (auditor). Office 1 is `SH`.

# dataset_sql <scale>: the SQL that loads the company (one transaction per part).
dataset_sql() {
    local scale=$1
    cat <<SQL
\\set ON_ERROR_STOP 1
SET search_path = dossier, public;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SELECT greatest(100, round(1000 * $scale))::int AS n_users,
       greatest(100, round(1000000 * $scale))::int AS n_customers,
       greatest(500, round(2000000 * $scale))::int AS n_loans,
       greatest(50, round(500000 * $scale))::int AS n_grants,
       greatest(2000, round(20000000 * $scale))::int AS n_audit \\gset
SELECT crypt('bench-secret', gen_salt('bf', 4)) AS pw \\gset
-- The DO block below reads its count from a setting (it sees no psql variables).
SELECT set_config('bench.n_audit', :'n_audit', false) AS ignored \\gset

-- Offices and users.
INSERT INTO departments (code, name)
SELECT code, code || ' 办事处'
  FROM unnest(ARRAY['SH','BJ','GZ','SZ','CD','WH','HZ','NJ','XA','CQ','TJ','SY','DL','QD','XM','FZ','CS','ZZ','JN','KM'])
       WITH ORDINALITY AS t(code, n)
 ORDER BY n
ON CONFLICT (code) DO NOTHING;
CREATE TEMP TABLE offices AS
SELECT d.id, d.code, t.n FROM departments d
  JOIN unnest(ARRAY['SH','BJ','GZ','SZ','CD','WH','HZ','NJ','XA','CQ','TJ','SY','DL','QD','XM','FZ','CS','ZZ','JN','KM'])
       WITH ORDINALITY AS t(code, n) ON t.code = d.code;
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT 'u' || lpad(g::text, 5, '0'), '员工 ' || g, o.id,
       CASE WHEN g <= 20 THEN 'manager' WHEN g <= 40 THEN 'archivist' ELSE 'rep' END, 'sales', :'pw'
  FROM generate_series(1, :n_users) g JOIN offices o ON o.n = (g - 1) % 20 + 1;
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT v.login, v.name, o.id, v.role, 'sales', :'pw'
  FROM offices o, (VALUES ('dir.bench', '压测 总监', 'director'), ('aud.bench', '压测 审计', 'auditor')) AS v(login, name, role)
 WHERE o.n = 1;
CREATE TEMP TABLE reps AS
SELECT row_number() OVER (ORDER BY u.id) - 1 AS n, u.id, u.dept_id FROM users u WHERE u.role = 'rep' AND u.login LIKE 'u%';
SELECT count(*) AS n_reps FROM reps \\gset

-- Customers: Chinese company names from parts, so that 2- and 3-character
-- needles match from a few to many thousands.
INSERT INTO customers (number, name, owner_id, dept_id, created_at)
SELECT 'C-2025-' || lpad(g::text, 7, '0'),
       (ARRAY['上海','北京','广州','深圳','成都','武汉','杭州','南京','西安','重庆','天津','沈阳','大连','青岛','厦门','福州','长沙','郑州','济南','昆明'])[g % 20 + 1]
       || (ARRAY['华信','恒达','远景','金桥','新元','汇丰','瑞祥','东方','鼎盛','宏图','天成','隆基','永安','嘉禾','海通','博远','中正','安泰','盛世','联创',
                 '明德','正泰','佳和','康达','万通','信达','光华','长城','凯越','富源','德信','银河','华夏','同心','协力','中联','锦程','顺发','星辰','宝丰'])[(g / 20) % 40 + 1]
       || (ARRAY['科技','贸易','实业','物流','建设','置业','医药','电子','机械','能源','化工','食品','纺织','传媒','咨询','投资','制造','环保','材料','信息'])[(g / 800) % 20 + 1]
       || (ARRAY['有限公司','股份有限公司','集团有限公司','有限责任公司'])[(g / 16000) % 4 + 1],
       r.id, r.dept_id, now() - make_interval(days => g % 1500)
  FROM generate_series(1, :n_customers) g JOIN reps r ON r.n = g % :n_reps;
-- No phone: it is sealed under the customer's data key (issue 16), which
-- only the daemon writes.
INSERT INTO customer_details (customer_id, kind, contact)
SELECT c.id, 'company', '联系人' || (c.id % 997)
  FROM customers c WHERE c.number LIKE 'C-2025-%';

-- Dossiers: five per customer (one per category), most filed; 1 in 50 secret
-- (a secret dossier's register names no title or customer). 1 in 400 is a
-- draft begun in the last 30 days: a rep has a dozen drafts in hand (about 13
-- at SCALE=1), not hundreds of year-old ones; TODO lists every one of them.
-- (Residue 7, not 0: with 0 every draft was also one of the secret ones.)
CREATE TEMP TABLE dossier_plan AS
SELECT row_number() OVER (ORDER BY c.id, k) AS rn, c.id AS cid, c.dept_id, c.owner_id, o.code, k,
       (ARRAY['HT','BJ','DD','KH','XY'])[k] AS cat,
       CASE WHEN (c.id + k) % 50 = 0 THEN 'secret' ELSE 'internal' END AS level,
       CASE WHEN (c.id + k) % 400 = 7 THEN 'draft' ELSE 'filed' END AS st
  FROM customers c JOIN offices o ON o.id = c.dept_id, generate_series(1, 5) k
 WHERE c.number LIKE 'C-2025-%';
CREATE TEMP TABLE dossier_seq AS
SELECT rn, row_number() OVER (PARTITION BY dept_id, cat ORDER BY rn) AS seq FROM dossier_plan WHERE st = 'filed';
SELECT coalesce(max(id), 0) AS d0 FROM dossiers \gset
INSERT INTO dossiers (dept_id, category, level, scope, status, owner_id, number, filed_year, filed_seq,
                      register_title, register_customer_id, submitted_at, filed_at, created_at)
SELECT p.dept_id, p.cat, p.level, 'personal', p.st, p.owner_id,
       CASE WHEN p.st = 'filed' THEN p.code || '-' || p.cat || '-2025-' || lpad(s.seq::text, 5, '0') END,
       CASE WHEN p.st = 'filed' THEN 2025 END, s.seq,
       CASE WHEN p.st = 'filed' AND p.level = 'internal' THEN '2025 年度 ' || p.cat || ' 档案 ' || p.cid END,
       CASE WHEN p.st = 'filed' AND p.level = 'internal' THEN p.cid END,
       CASE WHEN p.st <> 'draft' THEN now() - interval '300 days' END,
       CASE WHEN p.st = 'filed' THEN now() - interval '290 days' + make_interval(secs => p.cid % 86400) END,
       CASE WHEN p.st = 'draft' THEN now() - make_interval(days => (p.cid % 30)::int) ELSE now() - interval '310 days' END
  FROM dossier_plan p LEFT JOIN dossier_seq s ON s.rn = p.rn
 ORDER BY p.rn;
CREATE TEMP TABLE dossier_map AS
SELECT d.id, p.cid, p.rn FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM dossiers WHERE id > :d0) d
  JOIN dossier_plan p ON p.rn = d.rn;
INSERT INTO dossier_contents (dossier_id, customer_id, title, location)
SELECT m.id, m.cid, '2025 年度档案 ' || m.id, 'A-' || lpad((m.id % 90 + 1)::text, 2, '0') FROM dossier_map m;
INSERT INTO items (dossier_id, item_no, title, pages, location, signed_customer, signed_internal)
SELECT m.id, 1, '合同正本', 12, 'A-03-2', true, true FROM dossier_map m;
INSERT INTO dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
SELECT d.id, d.category, m.cid, d.filed_at::date, DATE '2055-12-31'
  FROM dossiers d JOIN dossier_map m ON m.id = d.id WHERE d.status = 'filed';

-- Loans of filed dossiers by reps of the same office, each with its approved
-- approval and decided step; all returned but the last 1 in 100 (out).
CREATE TEMP TABLE loan_plan AS
SELECT g, d.id AS dossier_id, d.dept_id, r.id AS borrower_id,
       (SELECT m.id FROM users m WHERE m.dept_id = d.dept_id AND m.role = 'manager' ORDER BY m.id LIMIT 1) AS manager_id,
       (SELECT a.id FROM users a WHERE a.dept_id = d.dept_id AND a.role = 'archivist' ORDER BY a.id LIMIT 1) AS archivist_id,
       now() - make_interval(days => 280 - (g % 270)) AS at
  FROM generate_series(1, :n_loans) g
  JOIN dossiers d ON d.id = (g * 7) % (SELECT max(id) FROM dossiers) + 1 AND d.status = 'filed'
  JOIN reps r ON r.n = (g * 13) % :n_reps;
INSERT INTO approvals (kind, status, dept_id, requester_id, dossier_id, reason, step_count, created_at, decided_at)
SELECT 'loan', 'approved', p.dept_id, p.borrower_id, p.dossier_id, '业务需要', 1, p.at, p.at + interval '1 hour'
  FROM loan_plan p ORDER BY p.g;
CREATE TEMP TABLE loan_approvals AS
SELECT p.*, a.id AS approval_id
  FROM (SELECT *, row_number() OVER (ORDER BY g) AS rn FROM loan_plan) p
  JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM approvals WHERE kind = 'loan' AND reason = '业务需要') a ON a.rn = p.rn;
INSERT INTO approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id, decision, decided_by, decided_at)
SELECT la.approval_id, 1, 'manager', la.dept_id, la.borrower_id, 'approved', la.manager_id, la.at + interval '1 hour'
  FROM loan_approvals la;
INSERT INTO loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration, status, approval_id, requested_at,
                   approved_at, checked_out_at, checked_out_by, due_at, returned_at, returned_by, return_complete)
SELECT la.dossier_id, la.dept_id, la.borrower_id, '业务需要', 'takeout', interval '7 days',
       CASE WHEN la.out THEN 'out' ELSE 'returned' END, la.approval_id, la.at, la.at + interval '1 hour',
       la.at + interval '2 hours', la.archivist_id, la.at + interval '7 days',
       CASE WHEN NOT la.out THEN la.at + interval '3 days' END, CASE WHEN NOT la.out THEN la.archivist_id END,
       CASE WHEN NOT la.out THEN true END
  FROM (SELECT la.*, la.g > :n_loans * 0.99
                     AND row_number() OVER (PARTITION BY la.dossier_id ORDER BY la.g DESC) = 1 AS out
          FROM loan_approvals la) la;
UPDATE approvals a SET loan_id = l.id FROM loans l WHERE l.approval_id = a.id AND a.loan_id IS NULL;
UPDATE dossiers d SET status = 'on_loan' FROM loans l WHERE l.dossier_id = d.id AND l.status = 'out';

-- Access grants, nearly all expired.
INSERT INTO access_grants (dossier_id, dept_id, grantee_id, purpose, starts_at, expires_at)
SELECT d.id, d.dept_id, r.id, '审计抽查', now() - make_interval(days => g % 300 + 2),
       now() - make_interval(days => g % 300 + 2) + CASE WHEN g % 100 = 0 THEN interval '400 days' ELSE interval '1 day' END
  FROM generate_series(1, :n_grants) g
  JOIN dossiers d ON d.id = (g * 11) % (SELECT max(id) FROM dossiers) + 1
  JOIN reps r ON r.n = (g * 17) % :n_reps;

-- Audit rows in the 32 chains, hashed as dossier.audit() hashes them (so
-- AUDIT VERIFY holds): reads of dossiers by reps, spread over the last year.
DO \$\$
DECLARE
    n_total bigint := current_setting('bench.n_audit')::bigint;
    r dossier.audit_log;
    -- Chain heads kept here and written once at the end: updating a head row
    -- per audit row in one transaction would grow its version chain.
    positions bigint[] := (SELECT array_agg(c.last_position ORDER BY c.chain) FROM dossier.audit_chains c);
    hashes bytea[] := (SELECT array_agg(c.last_hash ORDER BY c.chain) FROM dossier.audit_chains c);
    last_ids bigint[] := (SELECT array_agg(c.last_id ORDER BY c.chain) FROM dossier.audit_chains c);
    max_dossier bigint := (SELECT max(id) FROM dossier.dossiers);
    reps bigint[] := (SELECT array_agg(id ORDER BY n) FROM reps);
    depts bigint[] := (SELECT array_agg(dept_id ORDER BY n) FROM reps);
    logins text[] := (SELECT array_agg(u.login ORDER BY p.n) FROM reps p JOIN dossier.users u ON u.id = p.id);
    i bigint;
    k int;
    c int;
BEGIN
    FOR i IN 1..n_total LOOP
        c := (i % 32)::int;
        k := (i % array_length(reps, 1)) + 1;
        r.id := nextval('dossier.audit_log_id_seq'::regclass);
        r.at := now() - make_interval(secs => (n_total - i) * 31536000.0 / n_total);
        r.user_id := reps[k]; r.login := logins[k]; r.role := 'rep'; r.dept_id := depts[k];
        r.action := 'dossier.show';
        r.about_dossier := (i * 7) % max_dossier + 1;
        r.target := 'D' || r.about_dossier;
        r.purpose := '核对'; r.detail := '';
        r.digest_version := 2;
        r.chain := c;
        r.position := positions[c + 1] + 1;
        r.prev_hash := hashes[c + 1];
        r.hash := dossier.audit_digest(r.prev_hash, r);
        INSERT INTO dossier.audit_log OVERRIDING SYSTEM VALUE SELECT r.*;
        positions[c + 1] := r.position;
        hashes[c + 1] := r.hash;
        last_ids[c + 1] := r.id;
    END LOOP;
    UPDATE dossier.audit_chains h
       SET last_position = positions[h.chain + 1], last_id = last_ids[h.chain + 1], last_hash = hashes[h.chain + 1];
END \$\$;
SQL
}

# dataset_load <scale>: loads the company into the running benchmark cluster
# (lib.sh's `sql`), then VACUUM ANALYZE; prints the seconds taken on stderr.
dataset_load() {
    local scale=$1 t0 t1
    t0=$(date +%s)
    dataset_sql "$scale" | sql -q >/dev/null
    sql -q -c "VACUUM (ANALYZE)" >/dev/null
    t1=$(date +%s)
    echo "dataset SCALE=$scale loaded in $((t1 - t0)) s" >&2
}

# dataset_counts: the sizes, one line.
dataset_counts() {
    sql -At -F ' ' -c "SELECT 'departments=' || (SELECT count(*) FROM dossier.departments),
        'users=' || (SELECT count(*) FROM dossier.users), 'customers=' || (SELECT count(*) FROM dossier.customers),
        'dossiers=' || (SELECT count(*) FROM dossier.dossiers), 'items=' || (SELECT count(*) FROM dossier.items),
        'loans=' || (SELECT count(*) FROM dossier.loans), 'approvals=' || (SELECT count(*) FROM dossier.approvals),
        'grants=' || (SELECT count(*) FROM dossier.access_grants), 'audit_rows=' || (SELECT count(*) FROM dossier.audit_log),
        'db_size=' || pg_size_pretty(pg_database_size('dossier'))"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    cd "$(dirname "$0")/../.."
    SCALE=${SCALE:-0.01}
    . deploy/bench/lib.sh
    bench_build
    start_dossierd "$(free_port)" --log-level warning
    echo "# dataset SCALE=$SCALE, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(load_now)"
    dataset_load "$SCALE"
    echo "# $(dataset_counts)"
    echo "# load average at end: $(load_now)"
fi
