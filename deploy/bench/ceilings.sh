#!/usr/bin/env bash
# Every benchmark that compares dossierd with PostgreSQL's own ceiling (issue
# 17), one after another, then their verdict lines in one summary:
#   dossier-show.sh  DOSSIER SHOW vs pgbench (same SQL, minimal and chained minimal logged read)
#   loan-cycle.sh    the loan cycle vs pgbench (same SQL, minimal cycle)
#   network.sh       PING vs redis-server (redis-benchmark), idle-connection RSS
#
#   deploy/bench/ceilings.sh
#
# Each benchmark writes its own report to deploy/bench/results/<name>-<date>.txt
# (-run2, -run3, … when the day has one already)
# (with the machine's load at start and end and per round); the summary goes to
# deploy/bench/results/ceilings-<date>.txt. The knobs of each script apply
# (CONNS, SECS, ROUNDS, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
date=$(date +%Y-%m-%d)
summary="deploy/bench/results/ceilings-$date.txt"
mkdir -p deploy/bench/results
{
    echo "# ceilings, $(date -u +%Y-%m-%dT%H:%M:%SZ); uptime at start: $(uptime)"
    echo "# command: deploy/bench/ceilings.sh"
} >"$summary"
for bench in dossier-show loan-cycle network; do
    echo "== $bench (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$summary" >&2
    status=0
    "deploy/bench/$bench.sh" >/dev/null 2>&1 || status=$?
    # The newest of the day's reports: a script writes -run2, -run3, … beside an earlier run's (bench_report).
    report=$(ls -t "deploy/bench/results/$bench-$date.txt" "deploy/bench/results/$bench-$date"-run*.txt 2>/dev/null | head -1 || true)
    if [ "$status" -ne 0 ] || [ -z "$report" ]; then
        echo "$bench failed (exit $status)" | tee -a "$summary" >&2
        continue
    fi
    grep -E '^(# load average|ratio|goal|pgbench|minimal|dossierd|redis|DOSSIER|loan cycle|PING|RSS|rss|idle)' "$report" | tee -a "$summary" >&2
done
echo "# uptime at end: $(uptime)" >>"$summary"
echo "# written to $summary" >&2
