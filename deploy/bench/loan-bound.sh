#!/usr/bin/env bash
# How near its ceiling could the loan cycle get at all (issue 17, point 6:
# the loan cycle >= 0.5 of the minimal cycle)? The cycle through the daemon's
# own SQL (pgbench, as loan-cycle.sh runs it; dossierd reaches 0.94-0.97 of
# it) against the minimal cycle, in the same run, first as the product is,
# then with the in-database defence taken away layer by layer, each on top of
# the one before:
#   product      as migrated
#   no-rls       row-level security off on every table (no policy quals)
#   no-checks    no CHECK constraints on the tables the cycle writes (dossiers,
#                loans, approvals, approval_steps, audit_log, audit_chains)
#   no-triggers  no transition triggers (dossiers, loans, approvals)
#   no-fks       no foreign keys on loans, approvals, approval_steps (but
#                approvals_loan_fk, which loan_request defers by name)
#   no-list      besides, the cycle without its APPROVAL LIST (the manager's
#                client would have to know the request's A<n> some other way)
# What is left at no-fks is the cycle's own work: the actor of each command
# (begin_command), the request with its approval and steps, the manager's
# pending list, the chained audit rows, the commits. If even that stays under
# the goal, the goal cannot be met by making the defence cheaper: it needs a
# cycle with less in it.
#
#   deploy/bench/loan-bound.sh
#
# Knobs (environment): CONNS="8 32" SECS=10 ROUNDS=3 DOSSIERS=200 HISTORY=4000
# (loan cycles run and analyzed before measuring: the tables of a company at
# work, not empty ones). A throwaway cluster (the daemon's embedded default);
# the levels change it for good. Report: deploy/bench/results/loan-bound-<date>.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNS=${CONNS:-8 32}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-3}
DOSSIERS=${DOSSIERS:-200}
HISTORY=${HISTORY:-4000}
LEVELS="product no-rls no-checks no-triggers no-fks no-list"
GOAL=0.50

. deploy/bench/lib.sh
bench_build
[ -x "$PGBENCH" ] || { echo "pgbench not found (package postgresql-client)" >&2; exit 1; }
max_conns=0
for c in $CONNS; do [ "$c" -gt "$max_conns" ] && max_conns=$c; done
[ "$DOSSIERS" -ge "$max_conns" ] || { echo "DOSSIERS ($DOSSIERS) < max connections ($max_conns)" >&2; exit 1; }

start_dossierd "$(free_port)" --log-level warning
echo "loading $DOSSIERS dossiers..." >&2
sql >/dev/null <<SQL
SET search_path = dossier, public;
BEGIN;
INSERT INTO departments (code, name) VALUES ('SH', '上海办事处') ON CONFLICT (code) DO NOTHING;
INSERT INTO users (login, name, dept_id, role, password_hash)
SELECT v.login, v.name, d.id, v.role, crypt('bench-secret', gen_salt('bf', 4))
  FROM departments d,
       (VALUES ('rep.bench', '压测 借阅人', 'rep'), ('mgr.bench', '压测 经理', 'manager'),
               ('arc.bench', '压测 档案员', 'archivist'), ('rep.owner', '压测 业务员', 'rep')) AS v(login, name, role)
 WHERE d.code = 'SH';
$(filed_dossiers_sql rep.owner "$DOSSIERS")
COMMIT;
SQL
read -r rep mgr arc dept id_lo <<<"$(sql -At -F ' ' -c "SELECT (SELECT id FROM dossier.users WHERE login = 'rep.bench'),
    (SELECT id FROM dossier.users WHERE login = 'mgr.bench'), (SELECT id FROM dossier.users WHERE login = 'arc.bench'),
    (SELECT id FROM dossier.departments WHERE code = 'SH'),
    (SELECT min(d.id) FROM dossier.dossiers d JOIN dossier.users u ON u.id = d.owner_id WHERE u.login = 'rep.owner')")"
loan_cycle_script >"$work/cycle.sql"
# The cycle less its second command (from "-- 2." to "-- 3.").
awk '/^-- 2\./ { skip = 1 } /^-- 3\./ { skip = 0 } !skip' "$work/cycle.sql" >"$work/cycle-nolist.sql"
cycle=$work/cycle.sql
ceiling_schema
loan_minimal_script >"$work/cycle-min.sql"
vars=(-D rep="$rep" -D mgr="$mgr" -D arc="$arc" -D dept="$dept" -D id_lo="$id_lo" -D purpose=bench -D kind=loan -D mgr_role=manager)

# The history (not reported): HISTORY cycles each way, then statistics as
# autovacuum keeps them in service. -t, not -T: every cycle ends returned.
echo "running $HISTORY loan cycles of history..." >&2
for side in "$work/cycle.sql dossier_app" "$work/cycle-min.sql postgres"; do
    read -r script user <<<"$side"
    env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U "$user" "${vars[@]}" \
        -f "$script" -c 8 -j 2 -t $((HISTORY / 8)) dossier >"$work/history.txt" 2>&1 \
        || { cat "$work/history.txt" >&2; exit 1; }
    grep -q "number of failed transactions: 0" "$work/history.txt" || { cat "$work/history.txt" >&2; exit 1; }
done
sql -q -c "VACUUM ANALYZE" >/dev/null

# level <name>: takes that layer away (on top of the ones before).
level() {
    case $1 in
        product) ;;
        no-list) cycle=$work/cycle-nolist.sql ;;
        no-rls) sql -q >/dev/null <<'SQL' ;;
DO $$ DECLARE t text; BEGIN
  FOR t IN SELECT relname FROM pg_class WHERE relnamespace = 'dossier'::regnamespace AND relkind = 'r' AND relrowsecurity LOOP
    EXECUTE format('ALTER TABLE dossier.%I NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', t);
  END LOOP; END $$;
SQL
        no-checks) sql -q >/dev/null <<'SQL' ;;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint WHERE contype = 'c'
            AND conrelid = ANY ('{dossier.dossiers,dossier.loans,dossier.approvals,dossier.approval_steps,dossier.audit_log,dossier.audit_chains}'::regclass[]) LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname);
  END LOOP; END $$;
SQL
        no-triggers) sql -q >/dev/null <<'SQL' ;;
DROP TRIGGER dossiers_transition ON dossier.dossiers;
DROP TRIGGER loans_transition ON dossier.loans;
DROP TRIGGER approvals_transition ON dossier.approvals;
SQL
        no-fks) sql -q >/dev/null <<'SQL' ;;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint WHERE contype = 'f'
            AND conrelid = ANY ('{dossier.loans,dossier.approvals,dossier.approval_steps}'::regclass[])
            AND conname <> 'approvals_loan_fk' LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname);
  END LOOP; END $$;
SQL
    esac
}
ours() { pgbench_tps "$cycle" dossier_app "$1" "$SECS" "${vars[@]}" | cut -d' ' -f1; }
minimal() { pgbench_tps "$work/cycle-min.sql" postgres "$1" "$SECS" "${vars[@]}" | cut -d' ' -f1; }
median() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

bench_open_report loan-bound
echo "# the loan cycle without the in-database defence, layer by layer (issue 17, point 6), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores; load average at start: $(load_now)"
echo "# $("$PGBENCH" --version); server $(sql -At -c 'SHOW server_version')" \
    "(fsync=$(sql -At -c 'SHOW fsync'), synchronous_commit=$(sql -At -c 'SHOW synchronous_commit')); revision $(git rev-parse --short HEAD)"
echo "# $DOSSIERS filed dossiers, $HISTORY cycles of history each way, then VACUUM ANALYZE; pgbench -M prepared -c C -j 2 -T $SECS,"
echo "# ROUNDS=$ROUNDS interleaved (ours, minimal), medians; ours = the daemon's SQL as dossier_app (loan-cycle.sh's cycle.sql),"
echo "# minimal = the ceiling's four transactions with chained audit rows (as postgres). Levels are cumulative."
echo "# command: CONNS=\"$CONNS\" SECS=$SECS ROUNDS=$ROUNDS DOSSIERS=$DOSSIERS HISTORY=$HISTORY deploy/bench/loan-bound.sh"
echo
printf '%-12s %6s %12s %12s %7s\n' level cycles "ours c/s" "minimal c/s" ratio
for name in $LEVELS; do
    level "$name"
    # Warm-up (not reported): every connection plans afresh after the change.
    env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U dossier_app "${vars[@]}" \
        -f "$cycle" -c "$max_conns" -j 2 -T 2 dossier >/dev/null 2>&1 || true
    for c in $CONNS; do
        o_runs=(); m_runs=()
        for _ in $(seq "$ROUNDS"); do
            o_runs+=("$(ours "$c")"); m_runs+=("$(minimal "$c")")
            echo "  $name, $c: ours ${o_runs[-1]}, minimal ${m_runs[-1]} (load $(load_now))" >&2
        done
        o=$(printf '%s\n' "${o_runs[@]}" | median); m=$(printf '%s\n' "${m_runs[@]}" | median)
        printf '%-12s %6s %12.1f %12.1f %7.2f\n' "$name" "$c" "$o" "$m" "$(awk -v o="$o" -v m="$m" 'BEGIN { print (m > 0 ? o / m : 0) }')"
    done
done
echo
echo "goal (issue 17, point 6): the cycle >= $GOAL of the minimal; dossierd itself runs at 0.94-0.97 of 'ours' (loan-cycle.sh)"
echo "# load average at end: $(load_now)"
echo "# written to $report"
