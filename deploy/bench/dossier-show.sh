#!/usr/bin/env bash
# Command benchmark, one command: `DOSSIER SHOW` (with its logged read, the
# audit row) through dossierd, side by side in the same run with pgbench
# executing the identical SQL directly (the ceiling) at 8/32/64 connections;
# prints the table and the ratios dossierd/pgbench. Everything runs on
# 127.0.0.1 and the cluster's Unix socket; every load is bounded by time and count.
#
#   deploy/bench/dossier-show.sh
#
# Knobs (environment): CONNS="8 32 64" SECS=10 ROUNDS=3 DOSSIERS=1000
# POOL_SIZE=8 DURATION_LIMIT (default SECS), DOSSIERD_ARGS (extra `dossierd
# serve` options). The report is also written to
# deploy/bench/results/dossier-show-<date>.txt.
#
# What each side runs per SHOW (one transaction, six round trips):
#   BEGIN; SELECT * FROM dossier.begin_command($1::int8);
#   <DossierRecord.find>; <Dossiers.show>; SELECT dossier.audit($1..$4); COMMIT
# dossierd: the daemon's own prepared statements (BEGIN/COMMIT as simple
# queries); pgbench: `-M prepared` with the same statement texts, as the
# daemon's role dossier_app. Both pick a random one of DOSSIERS filed dossiers.
#
# Goal (from issue 4): dossierd >= 0.8 of pgbench's transactions per second.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNS=${CONNS:-8 32 64}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-3}
DOSSIERS=${DOSSIERS:-1000}
POOL_SIZE=${POOL_SIZE:-8}
DURATION_LIMIT=${DURATION_LIMIT:-$SECS}
RATE_GOAL=0.80
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
sql >/dev/null <<SQL
SET search_path = dossier, public;
BEGIN;
INSERT INTO departments (code, name) VALUES ('SH', '上海办事处') ON CONFLICT (code) DO NOTHING;
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT '$BENCH_LOGIN', '压测 代表', d.id, 'rep', 'sales', crypt('$BENCH_PASSWORD', gen_salt('bf', 4))
  FROM departments d WHERE d.code = 'SH';
$(filed_dossiers_sql "$BENCH_LOGIN" "$DOSSIERS")
COMMIT;
VACUUM ANALYZE;
SQL
read -r uid id_lo id_hi <<<"$(sql -At -F ' ' -c "SELECT u.id, min(d.id), max(d.id) FROM dossier.users u JOIN dossier.dossiers d ON d.owner_id = u.id WHERE u.login = '$BENCH_LOGIN' GROUP BY u.id")"
[ "$((id_hi - id_lo + 1))" -eq "$DOSSIERS" ] || { echo "dossier ids are not contiguous ($id_lo..$id_hi)" >&2; exit 1; }

# The daemon's requests: every dossier once, in a random order, used round-robin.
seq "$id_lo" "$id_hi" | shuf | sed 's/^/DOSSIER SHOW D/; s/$/ purpose=bench/' >"$work/show.lines"

# pgbench: the identical statements (texts from CommandExecutor/Actor.begin,
# DossierRecord.find by D<n>, Dossiers.show, Audit.record), `:name` for `$n`;
# the audit's empty detail is the literal '' (pgbench -D cannot define an empty
# value), and the colons of to_char's format are written \x3a (pgbench would
# take `:MI` for a variable): the same constants, the same plans.
cat >"$work/show.sql" <<'SQL'
\set id random(:id_lo, :id_hi)
BEGIN;
SELECT * FROM dossier.begin_command(:uid::int8);
SELECT d.id, d.dept_id, dp.code AS dept, d.category, d.level, d.scope, d.status, d.owner_id,
       u.login AS owner, d.number,
       EXISTS (SELECT 1 FROM dossier_contents c WHERE c.dossier_id = d.id) AS content_visible
  FROM dossiers d JOIN departments dp ON dp.id = d.dept_id JOIN users u ON u.id = d.owner_id WHERE d.id = :id::int8
\gset found_
SELECT d.id, coalesce(d.number, '') AS number, cu.number AS customer, d.category, c.title, d.level, d.scope,
       d.status, u.login AS owner, dp.code AS dept, c.location,
       coalesce(to_char(d.filed_at AT TIME ZONE 'UTC', E'YYYY-MM-DD"T"HH24\x3aMI\x3aSS"Z"'), '') AS filed_at,
       coalesce(to_char(r.retain_until, 'YYYY-MM-DD'), '') AS retain_until,
       EXISTS (SELECT 1 FROM legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL) AS hold
  FROM dossiers d
  JOIN dossier_contents c ON c.dossier_id = d.id
  JOIN customers cu ON cu.id = c.customer_id
  JOIN users u ON u.id = d.owner_id
  JOIN departments dp ON dp.id = d.dept_id
  LEFT JOIN dossier_retention r ON r.dossier_id = d.id
 WHERE d.id = :found_id::int8;
SELECT dossier.audit(:action::text, :found_number::text, :purpose::text, ''::text);
COMMIT;
SQL
pgbench_conn=(-h "$pg_sock" -p "$pg_port" -U dossier_app)
pgbench_vars=(-D uid="$uid" -D id_lo="$id_lo" -D id_hi="$id_hi" -D action=dossier.show -D purpose=bench)

# Sanity (not timed): the daemon answers the request, pgbench runs the script.
"$bin/dossier-bench" command --port "$dossier_port" --connections 1 --requests 1 \
    --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" --line "DOSSIER SHOW D$id_lo purpose=bench" >/dev/null \
    || { echo "dossierd does not answer DOSSIER SHOW without error" >&2; exit 1; }
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared "${pgbench_conn[@]}" "${pgbench_vars[@]}" -f "$work/show.sql" \
    -c 1 -t 1 dossier >"$work/pgbench-check.txt" 2>&1 || { echo "pgbench cannot run show.sql:" >&2; cat "$work/pgbench-check.txt" >&2; exit 1; }

# --- the runs ------------------------------------------------------------------
# pgbench with a per-transaction log (-l): tps from its summary (excluding
# connection time), p50/p99 from the log's latency column (µs). Prints "rps p50 p99".
pgbench_run() {  # conns
    local c=$1 out tps logdir="$work/pglog.$1.$RANDOM"
    mkdir -p "$logdir"
    out=$(cd "$logdir" && timeout $((SECS + 60)) env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared \
        "${pgbench_conn[@]}" "${pgbench_vars[@]}" -f "$work/show.sql" -c "$c" -j 2 -T "$SECS" -l dossier 2>&1) || {
        echo "pgbench failed: $out" >&2; return 1; }
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' <<<"$out")
    [ -n "$tps" ] || tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | tail -1)
    echo "  pgbench raw: $(grep -E '^(number of failed|number of transactions actually|latency average|tps)' <<<"$out" | tr '\n' ';')" >&2
    cat "$logdir"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk -v tps="$tps" '
        { v[NR] = $1 } END {
            if (NR == 0) { printf "%d n/a n/a\n", tps + 0.5; exit }
            i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
            printf "%d %.3f %.3f\n", tps + 0.5, v[i50] / 1000, v[i99] / 1000 }'
    rm -rf "$logdir"
}

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

mkdir -p deploy/bench/results
report="deploy/bench/results/dossier-show-$(date +%Y-%m-%d).txt"
exec > >(tee "$report") 2>&1

echo "# dossierd DOSSIER SHOW benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(swift --version 2>/dev/null | head -1)"
echo "# $("$PGBENCH" --version); server $(sql -At -c 'SHOW server_version')" \
    "(fsync=$(sql -At -c 'SHOW fsync'), synchronous_commit=$(sql -At -c 'SHOW synchronous_commit'))"
echo "# dossierd serve --pool-size $POOL_SIZE --max-connections $((max_conns + 24)) ${DOSSIERD_ARGS:-(default info logging)}"
echo "# $DOSSIERS filed dossiers of one rep; each request picks one (dossierd: round-robin over a shuffled list; pgbench: random)"
echo "# SECS=$SECS per run, ROUNDS=$ROUNDS (median by rps reported; runs interleaved pgbench/dossierd)"
echo "# pgbench -n -M prepared -c C -j 2 -T $SECS -l as dossier_app over the Unix socket; dossier-bench command, pipeline 1"
echo

# Warm-up (not reported): prepared statements in every pooled connection, caches.
"$bin/dossier-bench" command --port "$dossier_port" --connections "$max_conns" --requests 3000 --duration-limit 20 \
    --auth "$BENCH_LOGIN" --password "$BENCH_PASSWORD" --lines-file "$work/show.lines" >/dev/null 2>&1 || true
env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared "${pgbench_conn[@]}" "${pgbench_vars[@]}" -f "$work/show.sql" \
    -c 8 -j 2 -T 2 dossier >/dev/null 2>&1 || true

declare -A result
for c in $CONNS; do
    p_runs=(); d_runs=()
    for round in $(seq "$ROUNDS"); do
        echo "round $round, $c connections (load $(cut -d' ' -f1 /proc/loadavg)):" >&2
        p=$(pgbench_run "$c"); echo "  pgbench:  $p (rps p50_ms p99_ms)" >&2; p_runs+=("$p")
        d=$(dossier_run "$c"); echo "  dossierd: $d (rps p50_ms p99_ms)" >&2; d_runs+=("$d")
    done
    result[pgbench,$c]=$(printf '%s\n' "${p_runs[@]}" | median)
    result[dossierd,$c]=$(printf '%s\n' "${d_runs[@]}" | median)
done
audit_rows=$(sql -At -c "SELECT count(*) FROM dossier.audit_log WHERE action = 'dossier.show'")

echo
printf '%-34s %10s %9s %9s\n' "DOSSIER SHOW, ${SECS}s per run" "rps" "p50_ms" "p99_ms"
for c in $CONNS; do
    read -r pr pp50 pp99 <<<"${result[pgbench,$c]}"
    read -r dr dp50 dp99 <<<"${result[dossierd,$c]}"
    printf '%-34s %10s %9s %9s\n' "pgbench  (same SQL)  conns=$c" "$pr" "$pp50" "$pp99"
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
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); audit rows written by the run: $audit_rows"
echo
echo "# written to $report"
