#!/usr/bin/env bash
# Where a logged read's CPU goes (issue 17): DOSSIER SHOW at 8 connections
# through dossierd, and the chained minimal logged read through pgbench, each
# with the CPU time of every process involved (perf stat, per request);
# PostgreSQL's CPU per SHOW part by part (the actor, the audit row, the reads,
# the commit) beside the minimal's, and the bound they put on the ratio; and a
# call-graph profile of the daemon and of PostgreSQL's backends (perf record).
#
#   deploy/bench/profile-show.sh            # release build first
#   BENCH_SKIP_BUILD=1 deploy/bench/profile-show.sh
#
# Needs `perf` (package linux-perf) and the rights to attach to the processes
# (root, or kernel.perf_event_paranoid <= 1). Writes
# deploy/bench/results/profile-show-<date>.txt (-run2, … when
# the day has one). Percentages are robust to
# other load; the microseconds per request are CPU time, not latency, but
# still grow somewhat on a busy machine (caches, frequency): note the load.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNS=${CONNS:-8}
SECS=${SECS:-10}
DOSSIERS=${DOSSIERS:-1000}
PART_SECS=${PART_SECS:-5}
BENCH_LOGIN=rep.bench
BENCH_PASSWORD=bench-secret

. deploy/bench/lib.sh
bench_build dossier-bench
command -v perf >/dev/null || { echo "perf not found (package linux-perf)" >&2; exit 1; }

port=$(free_port)
start_dossierd "$port" --pool-size 8 --max-connections $((CONNS + 24))
echo "loading $DOSSIERS dossiers..." >&2
load_rep_with_dossiers "$BENCH_LOGIN" "$BENCH_PASSWORD" "$DOSSIERS"
ceiling_schema
{
    printf '%s\n' '\set id random(:id_lo, :id_hi)' '\set own random(0, 31)' 'BEGIN;' \
        'SELECT id, number, category, level, scope, status, owner_id, dept_id FROM dossier.dossiers WHERE id = :id::int8;'
    ceiling_audit ':uid::int8' dossier.show "'D' || :id::int8"
    echo 'COMMIT;'
} >"$work/show-chain.sql"
seq "$id_lo" "$id_hi" | shuf | sed 's/^/DOSSIER SHOW D/; s/$/ purpose=bench/' >"$work/show.lines"

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

bench_open_report profile-show
echo "# Where a logged read's CPU goes: DOSSIER SHOW through dossierd vs the chained minimal logged read; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores; load average at start: $(load_now)"
echo "# command: CONNS=$CONNS SECS=$SECS DOSSIERS=$DOSSIERS PART_SECS=$PART_SECS deploy/bench/profile-show.sh"
echo "# CPU per request = task-clock of the processes during the run / requests completed (perf stat)"
echo

# Warm-up: every pooled connection prepares and plans once.
"$bin/dossier-bench" command --host 127.0.0.1 --port "$port" --connections "$CONNS" --requests 2000 \
    --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" --lines-file "$work/show.lines" >/dev/null

# 1. dossierd: CPU of the daemon, the backends (and the rest of the cluster), the client.
backend_pids=$(cluster_pids)
perf stat -e task-clock -x, -p "$daemon_pid" -o "$work/daemon.stat" -- sleep "$SECS" &
stat_daemon=$!
perf stat -e task-clock -x, -p "$backend_pids" -o "$work/cluster.stat" -- sleep "$SECS" &
stat_cluster=$!
line=$(perf stat -e task-clock -x, -o "$work/client.stat" -- "$bin/dossier-bench" command --host 127.0.0.1 \
    --port "$port" --connections "$CONNS" --requests 100000000 --duration-limit "$SECS" \
    --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" --lines-file "$work/show.lines")
wait "$stat_daemon" "$stat_cluster"
done_requests=$(field "$line" completed)
echo "dossierd: $line"
awk -v d="$(task_clock_ms "$work/daemon.stat")" -v c="$(task_clock_ms "$work/cluster.stat")" -v b="$(task_clock_ms "$work/client.stat")" \
    -v n="$done_requests" 'BEGIN {
        printf "  CPU per DOSSIER SHOW: dossierd %.0f us, PostgreSQL %.0f us, client %.0f us, total %.0f us\n",
               d * 1000 / n, c * 1000 / n, b * 1000 / n, (d + c + b) * 1000 / n }'

# 2. The chained minimal logged read, as the superuser through pgbench
# (pgbench_cpu: the cluster measured for SECS seconds once pgbench's
# connections are open; requests in that window = pgbench's rate x SECS).
read -r tps minimal_pg_us pgbench_us <<<"$(pgbench_cpu "$work/show-chain.sql" postgres "$CONNS" "$SECS" \
    -D uid="$uid" -D id_lo="$id_lo" -D id_hi="$id_hi")"
echo "chained minimal: tps $tps"
echo "  CPU per logged read: PostgreSQL $minimal_pg_us us, pgbench $pgbench_us us, total $((minimal_pg_us + pgbench_us)) us"
echo

# 3. PostgreSQL's CPU per SHOW, part by part: pgbench runs each part's
# statements (pgbench_cpu, PART_SECS), 4 clients, the
# product's parts pipelined as the daemon sends them. A part rolled back
# writes no WAL flush; the difference between a part and the one before is
# what its statements add. The bound: with the daemon and the client costing
# what section 1 measured, dossierd reaches 0.5 of the chained minimal only if
# PostgreSQL's share fits in twice the minimal's whole cost minus theirs. These
# parts are one SHOW per transaction; through the daemon, SHOWs queued together
# share a commit (README, "Commit groups"), so section 1's PostgreSQL CPU per
# SHOW is printed beside them.
part_cpu() {  # <script> <user> -> "tps us_per_txn"
    local tps pg_us client_us
    read -r tps pg_us client_us <<<"$(pgbench_cpu "$1" "$2" 4 "$PART_SECS" -D uid="$uid" -D id_lo="$id_lo" -D id_hi="$id_hi")"
    echo "${tps%.*} $pg_us"
}
actor="SELECT * FROM dossier.begin_command(:uid::int8, '{archivist,auditor,director,manager,rep}'::text[]);"
show="SELECT * FROM dossier.dossier_show(:id::int8, NULL::text, 'bench'::text);"
audit="SELECT dossier.audit('dossier.show', 'D' || :id::int8, 'bench', '', :id::int8);"
part_script() {  # <name> <end: COMMIT|ROLLBACK> <statements…>
    local name=$1 end=$2; shift 2
    printf '%s\n' '\set id random(:id_lo, :id_hi)' '\startpipeline' 'BEGIN;' "$@" "$end;" '\endpipeline' >"$work/$name.sql"
}
part_script actor ROLLBACK "$actor"
part_script audit ROLLBACK "$actor" "$audit"
part_script reads ROLLBACK "$actor" "$show"
part_script show COMMIT "$actor" "$show"
sed 's/^COMMIT;$/ROLLBACK;/' "$work/show-chain.sql" >"$work/chain-rollback.sql"
echo "== PostgreSQL CPU per DOSSIER SHOW, part by part (pgbench -c 4, PART_SECS=$PART_SECS; load $(load_now))"
printf '  %-58s %8s %8s %9s\n' part tps us/txn "+us"
prev=0
for p in "actor:BEGIN, begin_command, ROLLBACK (the actor):dossier_app" \
         "audit:+ audit() of one row, rolled back:dossier_app" \
         "reads:+ dossier_show() (its reads and its audit row), rolled back:dossier_app" \
         "show:the whole SHOW, committed (what the daemon sends):dossier_app"; do
    IFS=: read -r name label user <<<"$p"
    read -r tps us <<<"$(part_cpu "$work/$name.sql" "$user")"
    printf '  %-58s %8s %8s %9s\n' "$label" "$tps" "$us" "+$((us - prev))"
    prev=$us; [ "$name" = show ] && show_us=$us
done
read -r tps chain_rb <<<"$(part_cpu "$work/chain-rollback.sql" postgres)"
printf '  %-58s %8s %8s\n' "chained minimal, rolled back (postgres, not pipelined)" "$tps" "$chain_rb"
read -r tps chain_us <<<"$(part_cpu "$work/show-chain.sql" postgres)"
printf '  %-58s %8s %8s\n' "chained minimal, committed" "$tps" "$chain_us"
awk -v d="$(task_clock_ms "$work/daemon.stat")" -v b="$(task_clock_ms "$work/client.stat")" -v n="$done_requests" \
    -v c="$(task_clock_ms "$work/cluster.stat")" -v show="$show_us" -v chain="$chain_us" -v pgb="$pgbench_us" 'BEGIN {
        side = (d + b) * 1000 / n; whole = chain + pgb
        printf "  bound: 0.5 of the chained minimal needs <= %.0f us per SHOW in all (2 x (%.0f + pgbench %.0f));\n", 2 * whole, chain, pgb
        printf "         dossierd and its client took %.0f us (section 1), leaving %.0f us for PostgreSQL, which spent %.0f\n", side, 2 * whole - side, show
        printf "         alone, and %.0f through the daemon, where SHOWs queued together share a commit (section 1)\n", c * 1000 / n }'
echo

# 4. Where the daemon's and the backends' time goes (inclusive, by symbol):
# a run of its own, since sampling slows what it samples.
perf record -F 999 -g -p "$daemon_pid,$(cluster_pids)" -o "$work/perf.data" -- sleep "$SECS" >/dev/null 2>&1 &
record=$!
"$bin/dossier-bench" command --host 127.0.0.1 --port "$port" --connections "$CONNS" --requests 100000000 \
    --duration-limit "$SECS" --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" --lines-file "$work/show.lines" >/dev/null
wait "$record"
echo "== samples by process (dossierd's threads vs PostgreSQL backends), % of all samples"
perf report -i "$work/perf.data" --no-children --sort comm -g none 2>/dev/null | grep -E '^ +[0-9]' | head -8
echo
echo "== PostgreSQL backends: inclusive share of named stages, % of all samples"
backend_stages "$work/perf.data" --comm postgres
echo
echo "== dossierd: by library, % of all samples"
perf report -i "$work/perf.data" --pid "$daemon_pid" --no-children --sort dso -g none 2>/dev/null \
    | grep -E '^ +[0-9]' | head -10 || true
echo
echo "# load average at end: $(load_now)"
echo "# written to $report" >&2
