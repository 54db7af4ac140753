#!/usr/bin/env bash
# Full verification of a large audit log (issue 17, point 4): the generated
# company (dataset.sh) with SCALE x 20,000,000 audit rows in valid chains, then
# `AUDIT VERIFY` through dossierd as the auditor, timed; the peak memory of the
# database backends (VmHWM) and of dossierd (VmHWM) after it; the log's size.
#
#   SCALE=0.1 deploy/bench/audit-verify.sh
#
# Report: deploy/bench/results/audit-verify-<date>.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCALE=${SCALE:-0.1}

. deploy/bench/lib.sh
. deploy/bench/dataset.sh
bench_build dossier

port=$(free_port)
start_dossierd "$port" --log-level warning
mkdir -p deploy/bench/results
report="deploy/bench/results/audit-verify-$(date +%Y-%m-%d).txt"
exec > >(tee "$report") 2>&1
echo "# AUDIT VERIFY over a large log, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores; load average at start: $(load_now); uptime: $(uptime)"
echo "# command: SCALE=$SCALE deploy/bench/audit-verify.sh"
dataset_load "$SCALE"
echo "# $(dataset_counts)"
echo "# audit_log: $(sql -At -c "SELECT pg_size_pretty(pg_total_relation_size('dossier.audit_log'))") with indexes"

# The backends' peak resident memory, largest first (kB).
backend_peak_kb() {
    local pm
    pm=$(head -1 "$work/data/pgdata/postmaster.pid")
    for p in $(pgrep -P "$pm"); do awk '/^VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null; done | sort -n | tail -1
}
password=$(dossierd_admin_password)
# The auditor of the dataset signs in with its password.
verify() {
    local t0 t1 answer
    t0=$(now)
    answer=$(DOSSIER_PASSWORD=bench-secret "$bin/dossier" --port "$port" --auth aud.bench --raw -c "AUDIT VERIFY" | tr '\n' ' ')
    t1=$(now)
    printf '%-34s %8.1f s   %s\n' "$1" "$(echo "$t1 - $t0" | bc)" "$answer"
}
echo "# load before verification: $(load_now)"
verify "AUDIT VERIFY (first, cold)"
verify "AUDIT VERIFY (again)"
echo "peak backend memory (VmHWM): $(( $(backend_peak_kb) / 1024 )) MB; dossierd VmHWM: $(( $(awk '/^VmHWM/ { print $2 }' "/proc/$daemon_pid/status") / 1024 )) MB"
echo "# load average at end: $(load_now)"
echo "# written to $report"
