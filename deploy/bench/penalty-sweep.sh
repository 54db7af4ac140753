#!/usr/bin/env bash
# PENALTY SWEEP over a large archive, one command: loads LOANS loans (default
# 500,000) of which OVERDUE (default 50,000) are out past their due time —
# due 1 hour to 9 days ago, so that they carry one to eight occurrences —
# plus CUSTOMERS customers (a tenth not updated for a month) and DRAFTS drafts
# (a tenth past their filing deadline) into a private embedded cluster, then
# times, through the daemon over the protocol with the `dossier` console
# client, the sweep (goal: under 30 s) and a second sweep right after it,
# which must charge nothing (goal: under 5 s). The report is also written to
# deploy/bench/results/penalty-sweep-<date>.txt.
#
#   flock /work/build.lock deploy/bench/penalty-sweep.sh     # LOANS=500000 OVERDUE=50000
#
# Knobs (environment): LOANS OVERDUE CUSTOMERS DRAFTS USERS.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
LOANS=${LOANS:-500000}
OVERDUE=${OVERDUE:-50000}
CUSTOMERS=${CUSTOMERS:-50000}
DRAFTS=${DRAFTS:-10000}
USERS=${USERS:-500}
GOAL_FIRST=30
GOAL_RERUN=5
# Loans still out: the overdue ones, then as many again not yet due; the rest returned.
OUT=$((2 * OVERDUE))
[ "$LOANS" -ge "$OUT" ] || { echo "LOANS must be at least 2 x OVERDUE" >&2; exit 1; }
mkdir -p "$ROOT/deploy/bench/results"
exec > >(tee "$ROOT/deploy/bench/results/penalty-sweep-$(date -u +%F).txt")

. deploy/bench/lib.sh
bench_build dossier
start_console_bench

echo "penalty-sweep benchmark $(date -u +%FT%TZ)"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$PSQL" --version)"
start=$(now)
sql >/dev/null <<SQL
SET search_path = dossier, public;
BEGIN;
INSERT INTO departments (code, name) VALUES ('SH', '上海'), ('BJ', '北京'), ('GZ', '广州'), ('SZ', '深圳'), ('CD', '成都');
-- USERS reps over the five offices, every third one service staff.
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT 'rep' || g, '压测 ' || g, (SELECT id FROM departments ORDER BY id OFFSET g % 5 LIMIT 1), 'rep',
       CASE WHEN g % 3 = 0 THEN 'service' ELSE 'sales' END, crypt('x', gen_salt('bf', 4))
  FROM generate_series(1, $USERS) g;
CREATE TEMP TABLE reps AS SELECT row_number() OVER (ORDER BY id) AS n, id, dept_id FROM users WHERE login LIKE 'rep%';
-- Customers: a tenth last updated 31 to 35 days ago (stale since 0 to 4 days), the rest this week.
INSERT INTO customers (number, name, owner_id, dept_id, created_at, updated_at)
SELECT 'C-2025-' || lpad(g::text, 6, '0'), '压测客户 ' || g, r.id, r.dept_id, now() - interval '400 days',
       CASE WHEN g % 10 = 0 THEN now() - interval '31 days' - (g % 5) * interval '1 day'
            ELSE now() - (g % 7) * interval '1 day' END
  FROM generate_series(1, $CUSTOMERS) g JOIN reps r ON r.n = 1 + g % $USERS;
-- Filed dossiers, one per loan still out (at most one active loan per dossier).
INSERT INTO dossiers (dept_id, category, level, scope, status, owner_id, number, filed_year, filed_seq, filed_at, created_at)
SELECT r.dept_id, 'HT', 'internal', 'personal', CASE WHEN g <= $OUT THEN 'on_loan' ELSE 'filed' END, r.id,
       'B' || g || '-HT-2025-' || lpad(g::text, 4, '0'), 2025, g, now() - interval '200 days', now() - interval '201 days'
  FROM generate_series(1, $OUT) g JOIN reps r ON r.n = 1 + g % $USERS;
-- Drafts: a tenth created 10 to 14 days ago (late), the rest today.
INSERT INTO dossiers (dept_id, category, status, owner_id, created_at)
SELECT r.dept_id, 'BJ', 'draft', r.id,
       CASE WHEN g % 10 = 0 THEN now() - interval '10 days' - (g % 5) * interval '1 day' ELSE now() END
  FROM generate_series(1, $DRAFTS) g JOIN reps r ON r.n = 1 + (g * 7) % $USERS;
CREATE TEMP TABLE lent AS
SELECT row_number() OVER (ORDER BY id) AS n, id, dept_id FROM dossiers WHERE status IN ('on_loan', 'filed') ORDER BY id;
-- Loans: 1..OVERDUE out and due 1 hour to 9 days ago; up to OUT out and due in 1 to 6 days; the rest returned.
INSERT INTO loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration, status, requested_at,
                   approved_at, checked_out_at, due_at, returned_at, return_complete)
SELECT d.id, d.dept_id, r.id, '压测', 'takeout', interval '7 days',
       CASE WHEN g <= $OUT THEN 'out' ELSE 'returned' END,
       t.due - interval '8 days', t.due - interval '8 days', t.due - interval '7 days', t.due,
       CASE WHEN g > $OUT THEN t.due - interval '1 day' END, CASE WHEN g > $OUT THEN true END
  FROM generate_series(1, $LOANS) g
  JOIN lent d ON d.n = 1 + (g - 1) % $OUT
  JOIN reps r ON r.n = 1 + (g * 13) % $USERS
 CROSS JOIN LATERAL (SELECT CASE WHEN g <= $OVERDUE THEN now() - interval '1 hour' - ((g % 10) * interval '1 day')
                                 WHEN g <= $OUT THEN now() + interval '1 day' + ((g % 6) * interval '1 day')
                                 ELSE now() - interval '30 days' - ((g % 300) * interval '1 day') END AS due) t;
COMMIT;
VACUUM ANALYZE;
SQL
counts=$(sql -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE status = 'out' AND due_at < now()), count(*) FILTER (WHERE status = 'out') FROM dossier.loans")
read -r n_loans n_overdue n_out <<<"$counts"
echo "rows: $n_loans loans ($n_out out, $n_overdue of them overdue by 1 hour to 9 days), $CUSTOMERS customers, $DRAFTS drafts," \
     "$USERS reps in 5 offices; load + VACUUM ANALYZE: $(printf '%.0f' "$(echo "$(now) - $start" | bc)") s"
echo

timed "PENALTY SWEEP (first)" "PENALTY SWEEP"
first=$elapsed
by_rule=$(sql -At -F '=' -c "SELECT rule_code, count(*) FROM dossier.penalties GROUP BY 1 ORDER BY 1" | tr '\n' ' ')
timed "PENALTY SWEEP (again)" "PENALTY SWEEP"
second=$elapsed
echo
echo "penalties after both sweeps: $(sql -At -c 'SELECT count(*) FROM dossier.penalties') ($by_rule)"
echo "distinct (rule, violation, period): $(sql -At -c 'SELECT count(DISTINCT (rule_code, violation_key, period_start)) FROM dossier.penalties')"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
verdict() { awk -v t="$1" -v g="$2" 'BEGIN { print (t < g) ? "met" : "NOT met" }'; }
echo "goal: first sweep under $GOAL_FIRST s: $(verdict "$first" $GOAL_FIRST); second sweep under $GOAL_RERUN s with nothing new: $(verdict "$second" $GOAL_RERUN)"
