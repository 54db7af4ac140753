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
# Two measures per level:
#   rates         cycles/s of both sides at CONNS concurrent cycles (the
#                 machine's load moves these: read the ratios of one row);
#   instructions  PostgreSQL's instructions per cycle of one backend (callgrind
#                 on the postmaster, its backends traced; (3N run - N run) / 2N
#                 cycles, one client): do not move with the load, and unlike
#                 instructions.sh's single-user backend they include what the
#                 transition triggers check for the daemon's sessions.
# Knobs (environment): CONNS="8 32" SECS=10 ROUNDS=3 DOSSIERS=200 HISTORY=4000
# (loan cycles run and analyzed before measuring: the tables of a company at
# work, not empty ones), N=20, RATES=1, INSTRUCTIONS=1. A throwaway cluster (the
# daemon's embedded default, run by this script after the daemon has made and
# loaded it); the levels change it for good.
# Report: deploy/bench/results/loan-bound-<date>.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNS=${CONNS:-8 32}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-3}
DOSSIERS=${DOSSIERS:-200}
HISTORY=${HISTORY:-4000}
N=${N:-20}
RATES=${RATES:-1}
INSTRUCTIONS=${INSTRUCTIONS:-1}
LEVELS="product no-rls no-checks no-triggers no-fks no-list"
GOAL=0.50

. deploy/bench/lib.sh
bench_build
[ -x "$PGBENCH" ] || { echo "pgbench not found (package postgresql-client)" >&2; exit 1; }
[ "$INSTRUCTIONS" = 0 ] || bench_install valgrind valgrind
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
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

# From here on the cluster is this script's: started as dossierd starts it
# (its socket and port), and under callgrind to count.
stop_dossierd
cluster_owner=$(stat -c %U "$data_dir/pgdata")
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u "$cluster_owner" -- "$@"; else "$@"; fi; }
pg_opts=(-c listen_addresses= -c "unix_socket_directories=$pg_sock" -c "port=$pg_port")
cluster_up() { as_owner "$pg_bin/pg_ctl" -D "$data_dir/pgdata" -o "${pg_opts[*]}" -l "$data_dir/pgdata/bound.log" -w start >/dev/null; }
cluster_down() { as_owner "$pg_bin/pg_ctl" -D "$data_dir/pgdata" -m fast -w stop >/dev/null; }
cluster_up
trap 'cluster_down 2>/dev/null; bench_cleanup' EXIT

# instructions <script> <user>: PostgreSQL's instructions per cycle of the
# script's one backend; the cluster must be down, and is down again after.
instructions() {
    local script=$1 user=$2 dir=$work/callgrind vpid one three
    rm -rf "$dir"; mkdir -p "$dir"; chmod 777 "$dir"
    as_owner valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$dir/cg.%p" \
        "$pg_bin/postgres" -D "$data_dir/pgdata" "${pg_opts[@]}" -c autovacuum=off >"$work/valgrind.log" 2>&1 &
    vpid=$!
    for _ in $(seq 240); do sql -At -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
    one=$(counted_run "$script" "$user" "$N" "$dir"); three=$(counted_run "$script" "$user" $((3 * N)) "$dir")
    as_owner "$pg_bin/pg_ctl" -D "$data_dir/pgdata" -m fast -w stop >/dev/null
    wait "$vpid" || true
    echo $(( (three - one) / (2 * N) ))
}
# counted_run <script> <user> <cycles> <dir>: the instruction total of the
# backend that ran them (the largest callgrind file the run added).
counted_run() {
    local before f total best=0
    before=$(ls "$4")
    env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U "$2" "${vars[@]}" \
        -f "$1" -c 1 -t "$3" dossier >"$work/counted.txt" 2>&1 || { cat "$work/counted.txt" >&2; exit 1; }
    grep -q "number of failed transactions: 0" "$work/counted.txt" || { cat "$work/counted.txt" >&2; exit 1; }
    sleep 2  # the backend writes its file as it exits
    for f in $(ls "$4"); do
        grep -qx "$f" <<<"$before" && continue
        total=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$4/$f" | head -1)
        [ -n "$total" ] && [ "$total" -gt "$best" ] && best=$total
    done
    echo "$best"
}

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
echo "# instructions: callgrind on the postmaster (--trace-children), one pgbench client, N=$N: (${N}x3 - $N cycles) / $((2 * N))"
echo "# command: CONNS=\"$CONNS\" SECS=$SECS ROUNDS=$ROUNDS DOSSIERS=$DOSSIERS HISTORY=$HISTORY N=$N deploy/bench/loan-bound.sh"
echo
if [ "$INSTRUCTIONS" != 0 ]; then
    cluster_down
    minimal_instructions=$(instructions "$work/cycle-min.sql" postgres)
    cluster_up
fi
counts=()
[ "$RATES" = 0 ] || printf '%-12s %6s %12s %12s %7s\n' level cycles "ours c/s" "minimal c/s" ratio
for name in $LEVELS; do
    level "$name"
    if [ "$INSTRUCTIONS" != 0 ]; then
        cluster_down
        counts+=("$name $(instructions "$cycle" dossier_app)")
        cluster_up
    fi
    [ "$RATES" != 0 ] || continue
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
if [ "$INSTRUCTIONS" != 0 ]; then
    echo
    printf '%-12s %14s %14s %7s\n' level "ours instr." "minimal instr." ratio
    for row in "${counts[@]}"; do
        read -r name count <<<"$row"
        printf '%-12s %14s %14s %7.2f\n' "$name" "$count" "$minimal_instructions" \
            "$(awk -v o="$count" -v m="$minimal_instructions" 'BEGIN { print (o > 0 ? m / o : 0) }')"
    done
fi
echo
echo "goal (issue 17, point 6): the cycle >= $GOAL of the minimal; dossierd itself runs at 0.94-0.97 of 'ours' (loan-cycle.sh)"
echo "# load average at end: $(load_now)"
echo "# written to $report"
