#!/usr/bin/env bash
# Network-layer benchmark, one command: PING throughput and latency of dossierd
# side by side, in the same run, with redis-server (the ceiling) measured by
# redis-benchmark; prints the ratios dossierd/redis; then the daemon's resident
# memory with idle connections. Everything runs on 127.0.0.1; every load is
# bounded by a request count and a time limit.
#
#   deploy/bench/network.sh
#
# Knobs (environment): CONNS=50 REQUESTS=200000 PIPELINE_DEEP=16 ROUNDS=3
# IDLE_CONNS=1000 DURATION_LIMIT=60, DOSSIERD_ARGS (extra `dossierd serve`
# options, e.g. "--log-level warning"). The report is also written to
# deploy/bench/results/network-<date>.txt (-run2, … when the day has one).
#
# Goals (issues 6, 17): dossierd >= 0.7 of redis's rate without pipelining,
# >= 0.5 with pipelining 16;
# resident memory with 1,000 idle connections < 150 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNS=${CONNS:-50}
REQUESTS=${REQUESTS:-200000}
PIPELINE_DEEP=${PIPELINE_DEEP:-16}
ROUNDS=${ROUNDS:-3}
IDLE_CONNS=${IDLE_CONNS:-1000}
DURATION_LIMIT=${DURATION_LIMIT:-60}
RATE_GOAL=0.70
PIPELINED_GOAL=0.50  # with pipelining $PIPELINE_DEEP (issue 17)
RSS_GOAL_MB=150

# --- prerequisites and build (not part of the report) ------------------------
. deploy/bench/lib.sh  # the work directory, cleanup on exit, the helpers below
bench_install "redis-server redis-benchmark" redis-server redis-tools
bench_build dossier-bench

# 1,000 idle clients plus the daemon's own descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 4096 || true

# --- processes, cleaned up on any exit ---------------------------------------
dossier_port=$(free_port)
redis_port=$(free_port)
while [ "$redis_port" = "$dossier_port" ]; do redis_port=$(free_port); done

# dossierd on the embedded default: PING never touches the database, but the
# daemon only listens once it is ready.
start_dossierd "$dossier_port" --max-connections $((IDLE_CONNS + CONNS + 24)) ${DOSSIERD_ARGS:-}

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --logfile "$work/redis.log" --dir "$work" &
redis_pid=$!
bench_track_pid "$redis_pid"
for i in $(seq 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    if [ "$i" -eq 100 ]; then echo "redis-server did not start" >&2; cat "$work/redis.log" >&2; exit 1; fi
    sleep 0.1
done

# --- the report ---------------------------------------------------------------
bench_open_report network

echo "# dossierd network-layer benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# load average at start: $(load_now); uptime: $(uptime)"
echo "# command: CONNS=$CONNS REQUESTS=$REQUESTS ROUNDS=$ROUNDS deploy/bench/network.sh"
echo "# $(swift --version 2>/dev/null | head -1)"
echo "# $(redis-server --version)"
echo "# $(redis-benchmark --version 2>/dev/null || echo 'redis-benchmark (version unknown)')"
echo "# conns=$CONNS requests=$REQUESTS rounds=$ROUNDS (median of rounds reported; runs interleaved redis/dossierd)"
echo "# dossierd serve options: --max-connections $((IDLE_CONNS + CONNS + 24)) ${DOSSIERD_ARGS:-(defaults)}"
echo "# the goal ratio is against redis-benchmark (the issue's ceiling); 'same client' = dossier-bench against both servers"
echo "# redis-benchmark -P sends batches of P and waits for all; dossier-bench keeps P in flight (sliding window)"
echo

# redis-benchmark --csv: header line + one row; find columns by name so older
# versions (rps only, no percentiles) still parse. Prints "rps p50 p99".
redis_bench() {  # pipeline
    local out header row
    out=$(timeout "$DURATION_LIMIT" redis-benchmark -h 127.0.0.1 -p "$redis_port" -t ping_inline \
        -c "$CONNS" -n "$REQUESTS" -P "$1" --csv 2>/dev/null | tr -d '\r')
    header=$(grep -m1 '^"test"' <<<"$out" || true)
    row=$(grep -m1 '^"PING_INLINE"' <<<"$out" || true)
    [ -n "$row" ] || { echo "redis-benchmark produced no result" >&2; return 1; }
    awk -v h="$header" -v r="$row" 'BEGIN {
        gsub(/"/, "", h); gsub(/"/, "", r)
        nh = split(h, hs, ","); split(r, rs, ",")
        rps = rs[2]; p50 = "n/a"; p99 = "n/a"
        for (i = 1; i <= nh; i++) {
            if (hs[i] == "rps") rps = rs[i]
            if (hs[i] == "p50_latency_ms") p50 = rs[i]
            if (hs[i] == "p99_latency_ms") p99 = rs[i]
        }
        printf "%d %s %s\n", rps + 0.5, p50, p99
    }'
}

# dossier-bench: one key=value line. Prints "rps p50 p99".
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
dossier_bench() {  # pipeline [extra args]
    local pipeline=$1 line; shift
    line=$("$bin/dossier-bench" ping --host 127.0.0.1 --port "$dossier_port" --connections "$CONNS" \
        --requests "$REQUESTS" --pipeline "$pipeline" --duration-limit "$DURATION_LIMIT" "$@") || {
        echo "dossier-bench failed: $line" >&2; return 1; }
    echo "  raw: $line" >&2
    echo "$(field "$line" rps) $(field "$line" p50_ms) $(field "$line" p99_ms)"
}

# The load generator's own ceiling: dossier-bench against redis, to compare
# with redis-benchmark against redis (same server, other client).
calibrate() {  # pipeline
    local line
    line=$("$bin/dossier-bench" ping --host 127.0.0.1 --port "$redis_port" --connections "$CONNS" \
        --requests "$REQUESTS" --pipeline "$1" --duration-limit "$DURATION_LIMIT" \
        --label redis --expect +PONG --greeting none) || { echo "calibration failed: $line" >&2; return 1; }
    echo "  raw: $line" >&2
    echo "$(field "$line" rps) $(field "$line" p50_ms) $(field "$line" p99_ms)"
}

# Median (by rps) of several "rps p50 p99" lines.
median() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

# Warm-up (not reported): first connections, allocator pools, page faults.
"$bin/dossier-bench" ping --port "$dossier_port" --connections "$CONNS" --requests 20000 >/dev/null
redis-benchmark -p "$redis_port" -t ping_inline -c "$CONNS" -n 20000 -q >/dev/null 2>&1 || true

declare -A result
for pipeline in 1 "$PIPELINE_DEEP"; do
    r_runs=(); d_runs=(); c_runs=()
    for round in $(seq "$ROUNDS"); do
        echo "round $round, pipeline $pipeline (load $(load_now)):" >&2
        r=$(redis_bench "$pipeline"); echo "  redis-benchmark: $r (rps p50_ms p99_ms)" >&2; r_runs+=("$r")
        d=$(dossier_bench "$pipeline"); d_runs+=("$d")
        c=$(calibrate "$pipeline"); c_runs+=("$c")
    done
    result[redis,$pipeline]=$(printf '%s\n' "${r_runs[@]}" | median)
    result[dossierd,$pipeline]=$(printf '%s\n' "${d_runs[@]}" | median)
    result[calib,$pipeline]=$(printf '%s\n' "${c_runs[@]}" | median)
done

echo
printf '%-44s %10s %9s %9s\n' "PING, $CONNS connections, $REQUESTS requests" "rps" "p50_ms" "p99_ms"
for pipeline in 1 "$PIPELINE_DEEP"; do
    read -r rr rp50 rp99 <<<"${result[redis,$pipeline]}"
    read -r dr dp50 dp99 <<<"${result[dossierd,$pipeline]}"
    read -r cr cp50 cp99 <<<"${result[calib,$pipeline]}"
    printf '%-44s %10s %9s %9s\n' "redis    (redis-benchmark)  pipeline=$pipeline" "$rr" "$rp50" "$rp99"
    printf '%-44s %10s %9s %9s\n' "dossierd (dossier-bench)    pipeline=$pipeline" "$dr" "$dp50" "$dp99"
    printf '%-44s %10s %9s %9s\n' "redis    (dossier-bench)    pipeline=$pipeline" "$cr" "$cp50" "$cp99"
done
echo
for pipeline in 1 "$PIPELINE_DEEP"; do
    read -r rr _ rp99 <<<"${result[redis,$pipeline]}"
    read -r dr _ dp99 <<<"${result[dossierd,$pipeline]}"
    read -r cr _ _ <<<"${result[calib,$pipeline]}"
    awk -v p="$pipeline" -v d="$dr" -v r="$rr" -v c="$cr" -v dp="$dp99" -v rp="$rp99" -v goal="$RATE_GOAL" -v pgoal="$PIPELINED_GOAL" 'BEGIN {
        ratio = d / r
        line = sprintf("ratio dossierd/redis pipeline=%-3s rps %.2f", p, ratio)
        if (rp + 0 > 0) line = line sprintf("  p99 %.2fx redis", dp / rp)
        line = line sprintf("  (same client: rps %.2f)", d / c)
        if (p == 1) line = line sprintf("  goal >= %.2f: %s", goal, ratio >= goal ? "met" : "NOT met")
        else line = line sprintf("  goal >= %.2f (issue 17): %s", pgoal, ratio >= pgoal ? "met" : "NOT met")
        print line
    }'
done

# --- idle connections ---------------------------------------------------------
echo
idle=$("$bin/dossier-bench" idle --host 127.0.0.1 --port "$dossier_port" --connections "$IDLE_CONNS" \
    --pid "$daemon_pid") || { echo "idle test failed: $idle"; exit 1; }
echo "$idle"
after=$(field "$idle" rss_after_mb)
awk -v a="$after" -v g="$RSS_GOAL_MB" -v n="$IDLE_CONNS" 'BEGIN {
    printf "dossierd resident memory with %d idle connections: %s MB (goal < %d MB: %s)\n", n, a, g, a + 0 < g ? "met" : "NOT met"
}'
echo "# load average at end: $(load_now)"
echo
echo "# written to $report"
