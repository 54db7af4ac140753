#!/usr/bin/env bash
# Command benchmark, one command: `DOSSIER SHOW` (with its logged read, the
# audit row) through dossierd, side by side in the same run with pgbench
# executing (a) the identical SQL directly and (b) the ceiling: the minimal
# hand-written logged read — SELECT one dossier by id + INSERT one audit row +
# COMMIT — and (c) the same with a 32-head hash chain like the product's
# (issue 17); at 8/32 connections; prints the table and the ratios of dossierd
# to each. Everything runs on 127.0.0.1 and the cluster's Unix socket; every
# load is bounded by time and count.
#
#   deploy/bench/dossier-show.sh
#
# Knobs (environment): CONNS="8 32" SECS=10 ROUNDS=3 DOSSIERS=1000
# POOL_SIZE=8 DURATION_LIMIT (default SECS), DOSSIERD_ARGS (extra `dossierd
# serve` options). The report is also written to
# deploy/bench/results/dossier-show-<date>.txt (-run2, … when the day has one: bench_report).
#
# What each side runs per SHOW (one transaction, one round trip since 0142):
#   BEGIN; SELECT * FROM dossier.begin_command($1::int8, $2::text[]);
#   SELECT * FROM dossier.dossier_show($1, $2, $3); COMMIT (one pipeline)
# dossierd: the daemon's own prepared statements
# (PostgresConnection.committedTransaction); pgbench: `-M prepared` with the
# same statement texts in one pipeline, as the daemon's role dossier_app. Both pick a random one of DOSSIERS filed dossiers.
#
# Goals: dossierd >= 0.8 of pgbench running its SQL (issue 4); dossierd >= 0.5
# of the chained minimal logged read at 8 and 32 connections (issue 17).
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNS=${CONNS:-8 32}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-3}
DOSSIERS=${DOSSIERS:-1000}
POOL_SIZE=${POOL_SIZE:-8}
DURATION_LIMIT=${DURATION_LIMIT:-$SECS}
RATE_GOAL=0.80
CEILING_GOAL=0.50
BENCH_LOGIN=rep.bench
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
start_dossierd "$dossier_port" --pool-size "$POOL_SIZE" --max-connections $((max_conns + 24)) ${DOSSIERD_ARGS:-}

# --- data: a department, a rep, a customer, DOSSIERS filed dossiers ----------
echo "loading $DOSSIERS dossiers..." >&2
load_rep_with_dossiers "$BENCH_LOGIN" "$BENCH_PASSWORD" "$DOSSIERS"
[ "$((id_hi - id_lo + 1))" -eq "$DOSSIERS" ] || { echo "dossier ids are not contiguous ($id_lo..$id_hi)" >&2; exit 1; }

# The ceiling's tables (schema `ceiling`) and its two scripts, as the superuser.
ceiling_schema
cat >"$work/show-min.sql" <<'SQL'
\set id random(:id_lo, :id_hi)
BEGIN;
SELECT id, number, category, level, scope, status, owner_id, dept_id FROM dossier.dossiers WHERE id = :id::int8;
INSERT INTO ceiling.audit_log (user_id, action, target, purpose) VALUES (:uid::int8, 'dossier.show', 'D' || :id::int8, 'bench');
COMMIT;
SQL
{
    printf '%s\n' '\set id random(:id_lo, :id_hi)' '\set own random(0, 31)' 'BEGIN;' \
        'SELECT id, number, category, level, scope, status, owner_id, dept_id FROM dossier.dossiers WHERE id = :id::int8;'
    ceiling_audit ':uid::int8' dossier.show "'D' || :id::int8"
    echo 'COMMIT;'
} >"$work/show-chain.sql"

# The daemon's requests: every dossier once, in a random order, used round-robin.
seq "$id_lo" "$id_hi" | shuf | sed 's/^/DOSSIER SHOW D/; s/$/ purpose=bench/' >"$work/show.lines"

# pgbench: the identical statements (texts of Actor.beginStatement and
# Dossiers.showStatement; DOSSIER SHOW's roles from the command table),
# `:name` for `$n`, all in one pipeline as the daemon sends them
# (PostgresConnection.committedTransaction).
cat >"$work/show.sql" <<'SQL'
\set id random(:id_lo, :id_hi)
\startpipeline
BEGIN;
SELECT * FROM dossier.begin_command(:uid::int8, '{archivist,auditor,director,manager,rep}'::text[]);
SELECT * FROM dossier.dossier_show(:id::int8, NULL::text, :purpose::text);
COMMIT;
\endpipeline
SQL
pgbench_conn=(-h "$pg_sock" -p "$pg_port" -U dossier_app)
pgbench_vars=(-D uid="$uid" -D id_lo="$id_lo" -D id_hi="$id_hi" -D action=dossier.show -D purpose=bench)

# Sanity (not timed): the daemon answers the request, pgbench runs the script.
"$bin/dossier-bench" command --port "$dossier_port" --connections 1 --requests 1 \
    --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" --line "DOSSIER SHOW D$id_lo purpose=bench" >/dev/null \
    || { echo "dossierd does not answer DOSSIER SHOW without error" >&2; exit 1; }
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared "${pgbench_conn[@]}" "${pgbench_vars[@]}" -f "$work/show.sql" \
    -c 1 -t 1 dossier >"$work/pgbench-check.txt" 2>&1 || { echo "pgbench cannot run show.sql:" >&2; cat "$work/pgbench-check.txt" >&2; exit 1; }
for f in show-min show-chain; do
    env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U postgres "${pgbench_vars[@]}" \
        -f "$work/$f.sql" -c 1 -t 1 dossier >"$work/pgbench-check.txt" 2>&1 \
        || { echo "pgbench cannot run $f.sql:" >&2; cat "$work/pgbench-check.txt" >&2; exit 1; }
done
[ "$(sql -At -c "SELECT count(*) FROM ceiling.audit_log WHERE chain IS NOT NULL")" = 1 ] \
    || { echo "the chained ceiling wrote no chained row" >&2; exit 1; }

# --- the runs ------------------------------------------------------------------
# pgbench runs: the same SQL as the daemon's role; the ceilings as the superuser.
pgbench_run() { pgbench_tps "$work/show.sql" dossier_app "$1" "$SECS" "${pgbench_vars[@]}" | awk '{ printf "%d %s %s\n", $1 + 0.5, $2, $3 }'; }
ceiling_run() { pgbench_tps "$work/$1.sql" postgres "$2" "$SECS" "${pgbench_vars[@]}" | awk '{ printf "%d %s %s\n", $1 + 0.5, $2, $3 }'; }

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
dossier_run() {  # conns
    local line
    line=$("$bin/dossier-bench" command --host 127.0.0.1 --port "$dossier_port" --connections "$1" \
        --requests 100000000 --duration-limit "$DURATION_LIMIT" --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" \
        --lines-file "$work/show.lines" 2>"$work/bench.err") || {
        echo "dossier-bench failed: $line $(cat "$work/bench.err")" >&2; return 1; }
    echo "  dossierd raw: $line" >&2
    echo "$(field "$line" rps) $(field "$line" p50_ms) $(field "$line" p99_ms)"
}

median() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

bench_open_report dossier-show

echo "# dossierd DOSSIER SHOW benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# load average at start: $(load_now); uptime: $(uptime)"
echo "# $(swift --version 2>/dev/null | head -1)"
echo "# $("$PGBENCH" --version); server $(sql -At -c 'SHOW server_version')" \
    "(fsync=$(sql -At -c 'SHOW fsync'), synchronous_commit=$(sql -At -c 'SHOW synchronous_commit'))"
echo "# dossierd serve --pool-size $POOL_SIZE --max-connections $((max_conns + 24)) ${DOSSIERD_ARGS:-(default info logging)}"
echo "# $DOSSIERS filed dossiers of one rep; each request picks one (dossierd: round-robin over a shuffled list; pgbench: random)"
echo "# SECS=$SECS per run, ROUNDS=$ROUNDS (median by rps reported; runs interleaved pgbench/dossierd)"
echo "# pgbench -n -M prepared -c C -j 2 -T $SECS -l over the Unix socket: the same SQL as dossier_app; the ceilings"
echo "#   (minimal: SELECT the dossier + INSERT an audit row; chained: the same with a 32-head sha256 chain) as postgres"
echo "# dossier-bench command, pipeline 1"
echo "# command: CONNS=\"$CONNS\" SECS=$SECS ROUNDS=$ROUNDS DOSSIERS=$DOSSIERS deploy/bench/dossier-show.sh"
echo

# Warm-up (not reported): prepared statements in every pooled connection, caches.
"$bin/dossier-bench" command --port "$dossier_port" --connections "$max_conns" --requests 3000 --duration-limit 20 \
    --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" --lines-file "$work/show.lines" >/dev/null 2>&1 || true
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared "${pgbench_conn[@]}" "${pgbench_vars[@]}" -f "$work/show.sql" \
    -c 8 -j 2 -T 2 dossier >/dev/null 2>&1 || true
for f in show-min show-chain; do
    env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U postgres "${pgbench_vars[@]}" \
        -f "$work/$f.sql" -c 8 -j 2 -T 2 dossier >/dev/null 2>&1 || true
done

declare -A result
for c in $CONNS; do
    p_runs=(); d_runs=(); m_runs=(); h_runs=()
    for round in $(seq "$ROUNDS"); do
        echo "round $round, $c connections (load $(load_now)):" >&2
        p=$(pgbench_run "$c"); echo "  pgbench:  $p (rps p50_ms p99_ms)" >&2; p_runs+=("$p")
        m=$(ceiling_run show-min "$c"); echo "  minimal:  $m (rps p50_ms p99_ms)" >&2; m_runs+=("$m")
        h=$(ceiling_run show-chain "$c"); echo "  chained:  $h (rps p50_ms p99_ms)" >&2; h_runs+=("$h")
        d=$(dossier_run "$c"); echo "  dossierd: $d (rps p50_ms p99_ms)" >&2; d_runs+=("$d")
    done
    result[pgbench,$c]=$(printf '%s\n' "${p_runs[@]}" | median)
    result[minimal,$c]=$(printf '%s\n' "${m_runs[@]}" | median)
    result[chained,$c]=$(printf '%s\n' "${h_runs[@]}" | median)
    result[dossierd,$c]=$(printf '%s\n' "${d_runs[@]}" | median)
done
audit_rows=$(sql -At -c "SELECT count(*) FROM dossier.audit_log WHERE action = 'dossier.show'")

echo
printf '%-34s %10s %9s %9s\n' "DOSSIER SHOW, ${SECS}s per run" "rps" "p50_ms" "p99_ms"
for c in $CONNS; do
    read -r pr pp50 pp99 <<<"${result[pgbench,$c]}"
    read -r dr dp50 dp99 <<<"${result[dossierd,$c]}"
    printf '%-34s %10s %9s %9s\n' "pgbench  (same SQL)  conns=$c" "$pr" "$pp50" "$pp99"
    printf '%-34s %10s %9s %9s\n' "minimal logged read  conns=$c" ${result[minimal,$c]}
    printf '%-34s %10s %9s %9s\n' "minimal, chained     conns=$c" ${result[chained,$c]}
    printf '%-34s %10s %9s %9s\n' "dossierd (protocol)  conns=$c" "$dr" "$dp50" "$dp99"
done
echo
met=yes
for c in $CONNS; do
    read -r pr _ pp99 <<<"${result[pgbench,$c]}"
    read -r dr _ dp99 <<<"${result[dossierd,$c]}"
    verdict=$(awk -v d="$dr" -v p="$pr" -v g="$RATE_GOAL" 'BEGIN { print (p > 0 && d / p >= g) ? "met" : "NOT met" }')
    [ "$verdict" = met ] || met=no
    awk -v c="$c" -v d="$dr" -v p="$pr" -v dp="$dp99" -v pp="$pp99" -v g="$RATE_GOAL" -v v="$verdict" 'BEGIN {
        line = sprintf("ratio dossierd/pgbench conns=%-3s rps %.2f", c, p > 0 ? d / p : 0)
        if (pp + 0 > 0) line = line sprintf("  p99 %.2fx pgbench", dp / pp)
        print line sprintf("  goal >= %.2f: %s", g, v)
    }'
done
echo "goal (dossierd >= $RATE_GOAL of pgbench at every connection count): $([ "$met" = yes ] && echo met || echo 'NOT met')"
ceiling_met=yes
for c in $CONNS; do
    read -r dr _ _ <<<"${result[dossierd,$c]}"
    read -r mr _ _ <<<"${result[minimal,$c]}"
    read -r hr _ _ <<<"${result[chained,$c]}"
    verdict=$(awk -v d="$dr" -v h="$hr" -v g="$CEILING_GOAL" 'BEGIN { print (h > 0 && d / h >= g) ? "met" : "NOT met" }')
    { [ "$c" != 8 ] && [ "$c" != 32 ]; } || [ "$verdict" = met ] || ceiling_met=no
    awk -v c="$c" -v d="$dr" -v m="$mr" -v h="$hr" -v g="$CEILING_GOAL" -v v="$verdict" 'BEGIN {
        printf "ratio dossierd/minimal conns=%-3s rps %.2f   dossierd/chained %.2f  goal >= %.2f: %s\n",
               c, (m > 0 ? d / m : 0), (h > 0 ? d / h : 0), g, v }'
done
echo "goal (dossierd >= $CEILING_GOAL of the chained minimal logged read at 8 and 32 connections): $([ "$ceiling_met" = yes ] && echo met || echo 'NOT met')"
# pgbench runs C backends; dossierd only --pool-size. Also against pgbench's best
# rate at any C of this run (the database's own ceiling for this SQL here):
best=0; best_c=
for c in $CONNS; do
    read -r pr _ _ <<<"${result[pgbench,$c]}"
    if [ "$pr" -gt "$best" ]; then best=$pr; best_c=$c; fi
done
for c in $CONNS; do
    read -r dr _ _ <<<"${result[dossierd,$c]}"
    awk -v c="$c" -v d="$dr" -v b="$best" -v bc="$best_c" 'BEGIN {
        printf "ratio dossierd/best pgbench (conns=%s, %d rps) conns=%-3s rps %.2f\n", bc, b, c, (b > 0 ? d / b : 0) }'
done
echo "# load average at end: $(load_now); audit rows written by the run: $audit_rows"
echo
echo "# written to $report"
