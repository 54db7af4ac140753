#!/usr/bin/env bash
# Loan-cycle benchmark (issue 5): one full loan cycle — request, approve,
# check out, return — by three users (borrower, manager, archivist) through
# dossierd, side by side in the same run with pgbench executing the identical
# SQL directly, and with the ceiling — the smallest SQL that records the same
# cycle (issue 17, below) — at 8/32 concurrent cycles; prints the table (cycles
# per second) and the ratios of dossierd to both. Everything runs on 127.0.0.1 and
# the cluster's Unix socket; every load is bounded by time and count.
#
#   deploy/bench/loan-cycle.sh
#
# Knobs (environment): CONNS="8 32" SECS=10 ROUNDS=3 DOSSIERS=200 POOL_SIZE=8
# DURATION_LIMIT (default SECS), DOSSIERD_ARGS (extra `dossierd serve` options).
# The report is also written to deploy/bench/results/loan-cycle-<date>.txt
# (-run2, … when the day has one: bench_report).
#
# One cycle (C = concurrent cycles; each runs on its own dossier, never shared):
#   dossierd: `dossier-bench loan-cycle`, C workers with three connections each
#   (rep.bench, mgr.bench, arc.bench; AUTH once, untimed), one command at a time:
#     LOAN REQUEST D<id> purpose=bench        -> OK L<n> pending
#     APPROVAL LIST kind=loan                 -> the manager finds A<m> (target=L<n>)
#     APPROVE A<m>                            -> OK A<m> approved
#     LOAN CHECKOUT L<n>                      -> OK L<n> due=…
#     LOAN RETURN L<n>                        -> OK L<n>
#   The approval id is in no response of LOAN REQUEST (OK L<n> pending), so the
#   manager reads it from the pending list, as a manager's client does; this
#   fifth command is part of the cycle on both sides.
#   pgbench: one script = the whole cycle = five transactions, each BEGIN +
#   begin_command(<acting user>, <the verb's roles>) in one pipeline (as the
#   daemon sends them, the roles as the command table lists them);
#   <the daemon's statements>; COMMIT, ids carried
#   with \gset; `-M prepared` as dossier_app, client i on dossier id_lo+i.
# Statement texts are those of Loans.request (RequestTarget.find and
# dossier.loan_request, 0110)/checkout/giveBack (0153), ApprovalEngine.lock/
# recheck/approve, Loans.approveLast (approval_approve_loan, 0152), ApprovalListing.list (approval_listing,
# 0094: the first page, 50 rows and one to know whether there is a next),
# Audit.record. Differences, none of which changes a plan: pgbench cannot bind
# NULL or '' or build 'A'||id in \set, so those parameters are literals
# (NULL::int8, ''::text, 'A' || :id); the chain of a loan of an internal
# dossier is the literal '{manager}'; the approval id comes from
# loan_request's answer (the daemon reads it from APPROVAL LIST, which both
# run); APPROVE of a one-step request reads no other step (ApprovalEngine.recheck).
#
# The ceiling (as the superuser, tables of schema `ceiling`, no policies): four
# transactions — request (read the dossier, insert the loan), approval, check
# out (loan and dossier), return (loan and dossier) — each with its audit row
# in a 32-head sha256 chain like the product's. It has no fifth step: finding
# the approval is the product's own cost.
#
# Goals: dossierd >= 0.8 of pgbench running its SQL (issue 5); dossierd >= 0.5
# of the minimal cycle (issue 17).
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNS=${CONNS:-8 32}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-3}
DOSSIERS=${DOSSIERS:-200}
POOL_SIZE=${POOL_SIZE:-8}
DURATION_LIMIT=${DURATION_LIMIT:-$SECS}
RATE_GOAL=0.80
CEILING_GOAL=0.50
BORROWER=rep.bench
MANAGER=mgr.bench
ARCHIVIST=arc.bench
OWNER=rep.owner
BENCH_PASSWORD=bench-secret

# --- prerequisites and build (not part of the report) ------------------------
. deploy/bench/lib.sh  # the work directory, cleanup on exit, the helpers below
bench_build dossier-bench
[ -x "$PGBENCH" ] || { echo "pgbench not found (package postgresql-client)" >&2; exit 1; }

max_conns=0
for c in $CONNS; do [ "$c" -gt "$max_conns" ] && max_conns=$c; done

# --- processes, cleaned up on any exit; the daemon and its cluster ----------
dossier_port=$(free_port)
# dossierd on the embedded default, with its default (info) logging: the
# per-command log line is part of the product.
start_dossierd "$dossier_port" --pool-size "$POOL_SIZE" --max-connections $((3 * max_conns + 24)) ${DOSSIERD_ARGS:-}

# --- data: a department, borrower/manager/archivist, an owner, DOSSIERS filed
# internal dossiers (personal scope, owned by another rep) ---------------------
echo "loading $DOSSIERS dossiers..." >&2
sql >/dev/null <<SQL
SET search_path = dossier, public;
BEGIN;
INSERT INTO departments (code, name) VALUES ('SH', '上海办事处') ON CONFLICT (code) DO NOTHING;
INSERT INTO users (login, name, dept_id, role, password_hash)
SELECT v.login, v.name, d.id, v.role, crypt('$BENCH_PASSWORD', gen_salt('bf', 4))
  FROM departments d,
       (VALUES ('$BORROWER', '压测 借阅人', 'rep'), ('$MANAGER', '压测 经理', 'manager'),
               ('$ARCHIVIST', '压测 档案员', 'archivist'), ('$OWNER', '压测 业务员', 'rep')) AS v(login, name, role)
 WHERE d.code = 'SH';
$(filed_dossiers_sql "$OWNER" "$DOSSIERS")
COMMIT;
VACUUM ANALYZE;
SQL
read -r id_lo id_hi <<<"$(sql -At -F ' ' -c "SELECT min(d.id), max(d.id) FROM dossier.dossiers d JOIN dossier.users u ON u.id = d.owner_id WHERE u.login = '$OWNER'")"
[ "$((id_hi - id_lo + 1))" -eq "$DOSSIERS" ] || { echo "dossier ids are not contiguous ($id_lo..$id_hi)" >&2; exit 1; }
[ "$DOSSIERS" -ge "$max_conns" ] || { echo "DOSSIERS ($DOSSIERS) < max connections ($max_conns): cycles would share dossiers" >&2; exit 1; }
uid() { sql -At -c "SELECT id FROM dossier.users WHERE login = '$1'"; }
rep_id=$(uid "$BORROWER"); mgr_id=$(uid "$MANAGER"); arc_id=$(uid "$ARCHIVIST")
dept_id=$(sql -At -c "SELECT id FROM dossier.departments WHERE code = 'SH'")

# The daemon's workers: worker i on dossier id_lo+i (the same as pgbench's client i).
seq "$id_lo" "$id_hi" | sed 's/^/D/' >"$work/refs.txt"

# The cycle through the daemon's SQL and its ceiling (lib.sh: loan_cycle_script, loan_minimal_script).
loan_cycle_script >"$work/cycle.sql"
ceiling_schema
loan_minimal_script >"$work/cycle-min.sql"

pgbench_conn=(-h "$pg_sock" -p "$pg_port" -U dossier_app)
pgbench_vars=(-D rep="$rep_id" -D mgr="$mgr_id" -D arc="$arc_id" -D dept="$dept_id" -D id_lo="$id_lo"
              -D purpose=bench -D kind=loan -D mgr_role=manager)
bench_users=(--borrower "$BORROWER" --manager "$MANAGER" --archivist "$ARCHIVIST" --password "$BENCH_PASSWORD")

# Sanity (not timed): one cycle each way, and the dossiers are filed again after it.
"$bin/dossier-bench" loan-cycle --port "$dossier_port" --connections 1 --cycles 1 "${bench_users[@]}" \
    --refs-file "$work/refs.txt" >"$work/check.txt" 2>&1 || { echo "dossierd cannot run a loan cycle:" >&2; cat "$work/check.txt" >&2; exit 1; }
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared "${pgbench_conn[@]}" "${pgbench_vars[@]}" -f "$work/cycle.sql" \
    -c 1 -t 1 dossier >"$work/pgbench-check.txt" 2>&1 || { echo "pgbench cannot run cycle.sql:" >&2; cat "$work/pgbench-check.txt" >&2; exit 1; }
grep -q "number of failed transactions: 0" "$work/pgbench-check.txt" || { echo "pgbench cycle failed:" >&2; cat "$work/pgbench-check.txt" >&2; exit 1; }
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U postgres "${pgbench_vars[@]}" \
    -f "$work/cycle-min.sql" -c 1 -t 1 dossier >"$work/pgbench-check.txt" 2>&1 || { echo "pgbench cannot run cycle-min.sql:" >&2; cat "$work/pgbench-check.txt" >&2; exit 1; }
[ "$(sql -At -c "SELECT count(*) FILTER (WHERE status = 'returned') || ' ' || count(*) FROM ceiling.loans") $(sql -At -c "SELECT count(*) FROM ceiling.audit_log")" = "1 1 4" ] \
    || { echo "the minimal cycle did not record one returned loan with 4 audit rows" >&2; exit 1; }
check=$(sql -At -c "SELECT count(*) FILTER (WHERE status = 'returned') || ' ' || count(*) FROM dossier.loans")
[ "$check" = "2 2" ] || { echo "after the sanity cycles, loans returned/total = $check (want 2 2)" >&2; exit 1; }

# --- the runs ------------------------------------------------------------------
# pgbench: one "transaction" is one cycle. Prints "cps p50 p99".
pgbench_run() { pgbench_tps "$work/cycle.sql" dossier_app "$1" "$SECS" "${pgbench_vars[@]}"; }
ceiling_run() { pgbench_tps "$work/cycle-min.sql" postgres "$1" "$SECS" "${pgbench_vars[@]}"; }

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
dossier_run() {  # conns
    local line
    line=$("$bin/dossier-bench" loan-cycle --host 127.0.0.1 --port "$dossier_port" --connections "$1" \
        --cycles 100000000 --duration-limit "$DURATION_LIMIT" "${bench_users[@]}" \
        --refs-file "$work/refs.txt" 2>"$work/bench.err") || {
        echo "dossier-bench failed: $line $(cat "$work/bench.err")" >&2; return 1; }
    echo "  dossierd raw: $line" >&2
    echo "$(field "$line" cps) $(field "$line" p50_ms) $(field "$line" p99_ms)"
}

median() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

bench_open_report loan-cycle

echo "# dossierd loan-cycle benchmark (request, approve, check out, return), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# load average at start: $(load_now); uptime: $(uptime)"
echo "# $(swift --version 2>/dev/null | head -1)"
echo "# $("$PGBENCH" --version); server $(sql -At -c 'SHOW server_version')" \
    "(fsync=$(sql -At -c 'SHOW fsync'), synchronous_commit=$(sql -At -c 'SHOW synchronous_commit'))"
echo "# dossierd serve --pool-size $POOL_SIZE --max-connections $((3 * max_conns + 24)) ${DOSSIERD_ARGS:-(default info logging)}"
echo "# one cycle = 5 commands / 5 transactions: LOAN REQUEST, APPROVAL LIST kind=loan, APPROVE, LOAN CHECKOUT, LOAN RETURN"
echo "# C concurrent cycles, each on its own dossier (internal, filed); dossierd: C workers x 3 connections"
echo "# SECS=$SECS per run, ROUNDS=$ROUNDS (median by cycles/s reported; runs interleaved pgbench/dossierd)"
echo "# pgbench -n -M prepared -c C -j 2 -T $SECS -l over the Unix socket: the same SQL as dossier_app; the minimal"
echo "#   cycle (4 transactions, chained audit rows; schema ceiling) as postgres; dossier-bench loan-cycle"
echo "# command: CONNS=\"$CONNS\" SECS=$SECS ROUNDS=$ROUNDS DOSSIERS=$DOSSIERS deploy/bench/loan-cycle.sh"
echo

# Warm-up (not reported): prepared statements in every pooled connection, caches.
"$bin/dossier-bench" loan-cycle --port "$dossier_port" --connections "$max_conns" --cycles 300 --duration-limit 20 \
    "${bench_users[@]}" --refs-file "$work/refs.txt" >/dev/null 2>&1 || true
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared "${pgbench_conn[@]}" "${pgbench_vars[@]}" -f "$work/cycle.sql" \
    -c 8 -j 2 -T 2 dossier >/dev/null 2>&1 || true
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U postgres "${pgbench_vars[@]}" \
    -f "$work/cycle-min.sql" -c 8 -j 2 -T 2 dossier >/dev/null 2>&1 || true
# Statistics as autovacuum keeps them in service. On this fresh cluster the
# loan tables grow from empty to thousands of rows within seconds; plans made
# while they looked empty (sequential scans in the policies' sub-selects) read
# them whole until autovacuum's next pass, up to a minute later (measured: the
# first two rounds at 8 cycles ran at 83 and 50 cycles/s, the third at 201).
sql -q -c "VACUUM ANALYZE" >/dev/null

declare -A result
for c in $CONNS; do
    p_runs=(); d_runs=(); m_runs=()
    for round in $(seq "$ROUNDS"); do
        echo "round $round, $c concurrent cycles (load $(load_now)):" >&2
        p=$(pgbench_run "$c"); echo "  pgbench:  $p (cycles/s p50_ms p99_ms)" >&2; p_runs+=("$p")
        m=$(ceiling_run "$c"); echo "  minimal:  $m (cycles/s p50_ms p99_ms)" >&2; m_runs+=("$m")
        d=$(dossier_run "$c"); echo "  dossierd: $d (cycles/s p50_ms p99_ms)" >&2; d_runs+=("$d")
    done
    result[pgbench,$c]=$(printf '%s\n' "${p_runs[@]}" | median)
    result[minimal,$c]=$(printf '%s\n' "${m_runs[@]}" | median)
    result[dossierd,$c]=$(printf '%s\n' "${d_runs[@]}" | median)
done
read -r loans_total loans_open <<<"$(sql -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE status <> 'returned') FROM dossier.loans")"

echo
printf '%-36s %10s %9s %9s %12s\n' "loan cycle, ${SECS}s per run" "cycles/s" "p50_ms" "p99_ms" "commands/s"
for c in $CONNS; do
    read -r pr pp50 pp99 <<<"${result[pgbench,$c]}"
    read -r dr dp50 dp99 <<<"${result[dossierd,$c]}"
    printf '%-36s %10s %9s %9s %12s\n' "pgbench  (same SQL)  cycles=$c" "$pr" "$pp50" "$pp99" "$(awk -v r="$pr" 'BEGIN { printf "%d", r * 5 }')"
    read -r mr mp50 mp99 <<<"${result[minimal,$c]}"
    printf '%-36s %10s %9s %9s %12s\n' "minimal cycle        cycles=$c" "$mr" "$mp50" "$mp99" "$(awk -v r="$mr" 'BEGIN { printf "%d", r * 4 }')"
    printf '%-36s %10s %9s %9s %12s\n' "dossierd (protocol)  cycles=$c" "$dr" "$dp50" "$dp99" "$(awk -v r="$dr" 'BEGIN { printf "%d", r * 5 }')"
done
echo
met=yes
for c in $CONNS; do
    read -r pr _ pp99 <<<"${result[pgbench,$c]}"
    read -r dr _ dp99 <<<"${result[dossierd,$c]}"
    verdict=$(awk -v d="$dr" -v p="$pr" -v g="$RATE_GOAL" 'BEGIN { print (p > 0 && d / p >= g) ? "met" : "NOT met" }')
    [ "$verdict" = met ] || met=no
    awk -v c="$c" -v d="$dr" -v p="$pr" -v dp="$dp99" -v pp="$pp99" -v g="$RATE_GOAL" -v v="$verdict" 'BEGIN {
        line = sprintf("ratio dossierd/pgbench cycles=%-3s rate %.2f", c, p > 0 ? d / p : 0)
        if (pp + 0 > 0) line = line sprintf("  p99 %.2fx pgbench", dp / pp)
        print line sprintf("  goal >= %.2f: %s", g, v)
    }'
done
echo "goal (dossierd >= $RATE_GOAL of pgbench at every concurrency): $([ "$met" = yes ] && echo met || echo 'NOT met')"
ceiling_met=yes
for c in $CONNS; do
    read -r dr _ _ <<<"${result[dossierd,$c]}"
    read -r mr _ _ <<<"${result[minimal,$c]}"
    verdict=$(awk -v d="$dr" -v m="$mr" -v g="$CEILING_GOAL" 'BEGIN { print (m > 0 && d / m >= g) ? "met" : "NOT met" }')
    [ "$verdict" = met ] || ceiling_met=no
    awk -v c="$c" -v d="$dr" -v m="$mr" -v g="$CEILING_GOAL" -v v="$verdict" 'BEGIN {
        printf "ratio dossierd/minimal cycle cycles=%-3s rate %.2f  goal >= %.2f: %s\n", c, (m > 0 ? d / m : 0), g, v }'
done
echo "goal (dossierd >= $CEILING_GOAL of the minimal cycle at every concurrency): $([ "$ceiling_met" = yes ] && echo met || echo 'NOT met')"
echo "# load average at end: $(load_now); loans written by the run: $loans_total, not returned: $loans_open"

# Where the difference lies: CPU per cycle of every process (perf stat) at the
# first concurrency, dossierd's cycle against the minimal one, and the share of
# the backends' samples in named stages of PostgreSQL (perf record).
if command -v perf >/dev/null; then
    c=${CONNS%% *}
    echo
    echo "CPU per cycle at $c concurrent cycles (perf stat; load $(load_now)):"
    backends=$(cluster_pids)
    perf stat -e task-clock -x, -p "$daemon_pid" -o "$work/daemon.stat" -- sleep "$SECS" & s_daemon=$!
    perf stat -e task-clock -x, -p "$backends" -o "$work/cluster.stat" -- sleep "$SECS" & s_cluster=$!
    perf record -F 499 -g -p "$backends" -o "$work/perf.data" -- sleep "$SECS" >/dev/null 2>&1 & s_record=$!
    line=$("$bin/dossier-bench" loan-cycle --host 127.0.0.1 --port "$dossier_port" --connections "$c" \
        --cycles 100000000 --duration-limit "$SECS" "${bench_users[@]}" --refs-file "$work/refs.txt" 2>/dev/null) || true
    wait "$s_daemon" "$s_cluster" "$s_record" || true
    awk -v d="$(task_clock_ms "$work/daemon.stat")" -v b="$(task_clock_ms "$work/cluster.stat")" -v n="$(field "$line" completed)" 'BEGIN {
        if (n > 0) printf "  dossierd cycle: dossierd %.2f ms, PostgreSQL %.2f ms, total %.2f ms (%d cycles)\n", d / n, b / n, (d + b) / n, n }'
    read -r tps minimal_us _ <<<"$(pgbench_cpu "$work/cycle-min.sql" postgres "$c" "$SECS" "${pgbench_vars[@]}")"
    awk -v us="$minimal_us" -v tps="$tps" 'BEGIN {
        if (tps > 0) printf "  minimal cycle:  PostgreSQL %.2f ms (pgbench %.0f cycles/s)\n", us / 1000, tps }'
    echo "  PostgreSQL backends in dossierd's cycle, inclusive share of named stages (% of samples):"
    backend_stages "$work/perf.data" | sed "s/^/    /"
fi
echo
echo "# written to $report"
