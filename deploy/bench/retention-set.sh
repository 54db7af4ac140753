#!/usr/bin/env bash
# RETENTION SET over many dossiers, one command: loads DOSSIERS filed dossiers
# (default 5,000,000) into a private embedded cluster, then times, through the
# daemon over the protocol, a dry run and a real `RETENTION SET` whose
# set-based recomputation touches every one of them (goal: under 60 s), and a
# second real SET back. The report is also written to
# deploy/bench/results/retention-set-<date>.txt.
#
#   deploy/bench/retention-set.sh            # DOSSIERS=5000000
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DOSSIERS=${DOSSIERS:-5000000}
GOAL_SECONDS=60
mkdir -p "$ROOT/deploy/bench/results"
exec > >(tee "$ROOT/deploy/bench/results/retention-set-$(date -u +%F).txt")

. deploy/bench/lib.sh
bench_build dossier
start_console_bench
director() { DOSSIER_PASSWORD=x "$bin/dossier" --port "$port" --auth bench.dir --raw -c "$1"; }

echo "retention-set benchmark $(date -u +%FT%TZ)"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$PSQL" --version)"
start=$(now)
sql >/dev/null <<SQL
SET search_path = dossier, public;
INSERT INTO departments (code, name) VALUES ('SH', '上海办事处');
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT 'bench.rep', 'bench', d.id, 'rep', 'sales', crypt('x', gen_salt('bf', 4)) FROM departments d WHERE d.code = 'SH';
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT 'bench.dir', 'bench director', d.id, 'director', 'sales', crypt('x', gen_salt('bf', 4)) FROM departments d WHERE d.code = 'SH';
INSERT INTO customers (number, name, owner_id, dept_id)
SELECT 'C-2026-00001', '上海 压测客户 有限公司', u.id, u.dept_id FROM users u WHERE u.login = 'bench.rep';
INSERT INTO customer_details (customer_id) SELECT id FROM customers;
-- Filed contract dossiers with their content, as filing leaves them.
INSERT INTO dossiers (dept_id, category, level, scope, status, owner_id, number, filed_year, filed_seq, filed_at)
SELECT u.dept_id, 'HT', 'internal', 'personal', 'filed', u.id, 'SH-HT-2026-' || CASE WHEN g < 10000 THEN lpad(g::text, 4, '0') ELSE g::text END, 2026, g,
       timestamptz '2020-01-01' + (g % 2000) * interval '1 day'
  FROM users u, generate_series(1, $DOSSIERS) g WHERE u.login = 'bench.rep';
INSERT INTO dossier_contents (dossier_id, customer_id, title)
SELECT d.id, c.id, '合同 ' || d.number FROM dossiers d, customers c;
-- Their retention rows as filing writes them (5 years from filing).
INSERT INTO dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
SELECT d.id, d.category, c.customer_id, d.filed_at::date, (d.filed_at::date + interval '5 years')::date
  FROM dossiers d JOIN dossier_contents c ON c.dossier_id = d.id;
VACUUM ANALYZE dossiers; VACUUM ANALYZE dossier_contents; VACUUM ANALYZE dossier_retention;
SQL
echo "rows: $DOSSIERS filed HT dossiers with content; load + ANALYZE: $(printf '%.0f' "$(echo "$(now) - $start" | bc)") s"
echo

echo "load before the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
timed "RETENTION SET HT years=7 dry_run" "RETENTION SET HT years=7 trigger=filed dry_run=yes"
timed "RETENTION SET HT years=7" "RETENTION SET HT years=7 trigger=filed"
timed "RETENTION SET HT years=5 (back)" "RETENTION SET HT years=5 trigger=filed"
# No index covers retain_until (it would make every recomputation a non-HOT
# update): RETENTION DUE scans the narrow table; timed here, shown in part.
timed "RETENTION DUE limit=3 (director)" "RETENTION DUE limit=3" director
check=$(sql -t -A -c "SELECT count(*) FILTER (WHERE retain_until = (filed_on + interval '5 years')::date) FROM dossier.dossier_retention")
echo
echo "dossiers with the recomputed date: $check of $DOSSIERS"
echo "goal: each real RETENTION SET under $GOAL_SECONDS s"
