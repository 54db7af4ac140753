#!/usr/bin/env bash
# The audit log at scale (issue 17, point 4), through dossierd as the auditor:
#
#   1. a small generated company (dataset.sh at SCALE, its audit rows in valid
#      chains); the cost of an audit row (pgbench: dossier.audit() and COMMIT,
#      8 connections) and `AUDIT LIST ref=` (dossier-bench, 8 connections) at
#      that size;
#   2. AUDIT_ROWS more rows appended to the 32 chains (hashed in Python as
#      dossier.audit_digest hashes them, COPY), so the log is large;
#   3. `AUDIT VERIFY full=yes` timed, with the peak memory (VmHWM) of dossierd
#      and of the largest PostgreSQL backend, and their resident memory sampled
#      every second while it runs; then `AUDIT VERIFY` (incremental, nothing new);
#   4. APPEND_ROWS more rows, then `AUDIT VERIFY` (incremental) timed;
#   5. insert cost and `AUDIT LIST ref=` again at the large size.
#
#   AUDIT_ROWS=20000000 deploy/bench/audit-verify.sh
#
# Knobs: SCALE (company, default 0.01), AUDIT_ROWS (default 20,000,000),
# APPEND_ROWS (default 100,000), CONNS (8), SECS (10 per latency run),
# BENCH_SKIP_BUILD=1 (use the release binaries built), BENCH_BIN (binaries of
# another build directory). Report: deploy/bench/results/audit-verify-<date>.txt.
#
# The appended rows name dossiers D1..D5,000,000 (the full-size company's
# count), so a dossier has about as many rows at every size (4 per 20M rows)
# and `AUDIT LIST ref=` compares the cost of a larger log, not of a longer answer.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCALE=${SCALE:-0.01}
AUDIT_ROWS=${AUDIT_ROWS:-20000000}
APPEND_ROWS=${APPEND_ROWS:-100000}
CONNS=${CONNS:-8}
SECS=${SECS:-10}

. deploy/bench/lib.sh
. deploy/bench/dataset.sh
bench_build dossier dossier-bench
bin=${BENCH_BIN:-$bin}

port=$(free_port)
start_dossierd "$port" --log-level warning --pool-size 8 --max-connections 64
mkdir -p deploy/bench/results
report="deploy/bench/results/audit-verify-$(date -u +%Y-%m-%d).txt"
exec > >(tee "$report") 2>&1
echo "# The audit log at scale: AUDIT VERIFY full and incremental, insert cost, AUDIT LIST ref=; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GB; uptime: $(uptime)"
echo "# command: SCALE=$SCALE AUDIT_ROWS=$AUDIT_ROWS APPEND_ROWS=$APPEND_ROWS CONNS=$CONNS SECS=$SECS deploy/bench/audit-verify.sh"
echo "# binaries: $bin ($(case "$bin" in *release*) echo release build;; *) echo "not a release build: the AUDIT LIST latencies include a debug daemon";; esac))"
dataset_load "$SCALE"
echo "# $(dataset_counts)"

# --- helpers -------------------------------------------------------------------
# The largest peak resident memory of any backend (kB), and dossierd's.
backend_peak_kb() { for p in $(cluster_pids ' '); do awk '/^VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null; done | sort -n | tail -1; }
daemon_kb() { awk -v k="$1" '$1 == k ":" { print $2 }' "/proc/$daemon_pid/status"; }
# Samples every second, until the file $work/sampling disappears: the largest
# VmRSS of one backend and dossierd's VmRSS, as "backend_kb daemon_kb".
sample_rss() {
    local b d max_b=0 max_d=0
    while [ -e "$work/sampling" ]; do
        b=$(for p in $(cluster_pids ' '); do awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null; done | sort -n | tail -1)
        d=$(daemon_kb VmRSS)
        [ "${b:-0}" -gt "$max_b" ] && max_b=$b
        [ "${d:-0}" -gt "$max_d" ] && max_d=$d
        echo "$max_b $max_d" >"$work/rss"
        sleep 1
    done
}
verify() {  # label command
    local t0 t1 answer
    touch "$work/sampling"; echo "0 0" >"$work/rss"
    sample_rss & local sampler=$!
    t0=$(now)
    answer=$(DOSSIER_PASSWORD=bench-secret "$bin/dossier" --port "$port" --auth aud.bench --raw -c "$2" | tr '\n' ' ')
    t1=$(now)
    rm -f "$work/sampling"; wait "$sampler" 2>/dev/null || true
    read -r rss_b rss_d <"$work/rss"
    printf '%-40s %8.1f s   %s  (RSS sampled each second: backend max %d MB, dossierd max %d MB; load %s)\n' \
        "$1" "$(echo "$t1 - $t0" | bc)" "$answer" $((rss_b / 1024)) $((rss_d / 1024)) "$(load_now)"
}
log_size() {
    sql -At -c "SELECT count(*) || ' rows, ' || pg_size_pretty(pg_relation_size('dossier.audit_log')) || ' table, '
                       || pg_size_pretty(pg_indexes_size('dossier.audit_log')) || ' indexes' FROM dossier.audit_log"
}

# append_rows <n> <spread seconds>: n rows appended to the 32 chains, written
# over the last <spread> seconds; as dossier.audit() would have chained them.
append_rows() {
    local n=$1 spread=$2 first now_us
    sql -At -F ' ' -c "SELECT chain, last_position, encode(last_hash, 'hex') FROM dossier.audit_chains ORDER BY chain" >"$work/heads"
    sql -At -F ' ' -c "SELECT u.id, u.login, u.dept_id FROM dossier.users u WHERE u.role = 'rep' ORDER BY u.id" >"$work/reps"
    # Ids drawn from the sequence, as the writer draws them.
    first=$(sql -At -c "SELECT nextval('dossier.audit_log_id_seq')")
    sql -At -c "SELECT setval('dossier.audit_log_id_seq', $first + $n - 1)" >/dev/null
    now_us=$(sql -At -c "SELECT (extract(epoch FROM now()) * 1000000)::int8")
    python3 - "$n" "$first" "$now_us" "$spread" "$work/heads" "$work/reps" "$work/heads.new" >"$work/copy.fifo" <<'PY' &
import hashlib, sys, datetime
n, first, now_us, spread = (int(x) for x in sys.argv[1:5])
heads = [line.split() for line in open(sys.argv[5])]
pos = {int(c): int(p) for c, p, *_ in heads}
hsh = {int(c): bytes.fromhex(h[0]) if h else b"" for c, _, *h in heads}
last_id = {}
reps = [line.split() for line in open(sys.argv[6])]
chains = sorted(pos)
epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
out = sys.stdout.buffer
buf = []
sec_cache = (None, "")
US = chr(31)
for i in range(n):
    rid = first + i
    c = chains[i % len(chains)]
    uid, login, dept = reps[i % len(reps)]
    at = now_us - (n - i) * spread * 1000000 // n
    sec = at // 1000000
    if sec != sec_cache[0]:
        sec_cache = (sec, (epoch + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%d %H:%M:%S"))
    d = (i * 7919) % 5000000 + 1
    target = "D%d" % d
    p = pos[c] + 1
    prev = hsh[c]
    text = US.join((str(rid), str(at), uid, login, "rep", dept, "dossier.show", target, "核对", "",
                    US.join(("2", str(c), str(p)))))
    h = hashlib.sha256(prev + text.encode()).digest()
    buf.append("%d\t%s.%06d+00\t%s\t%s\trep\t%s\tdossier.show\t%s\t核对\t\t\\\\x%s\t\\\\x%s\t2\t%d\t%d\t%d\n" % (
        rid, sec_cache[1], at % 1000000, uid, login, dept, target, prev.hex(), h.hex(), c, p, d))
    pos[c] = p; hsh[c] = h; last_id[c] = rid
    if len(buf) >= 20000:
        out.write("".join(buf).encode()); buf = []
out.write("".join(buf).encode())
with open(sys.argv[7], "w") as f:
    for c in chains:
        if c in last_id:
            f.write("%d %d %s %d\n" % (c, pos[c], hsh[c].hex(), last_id[c]))
PY
    local gen=$!
    # Behind the product's back as the superuser, so without the foreign-key
    # triggers (the rows are valid); the heads moved as audit() moves them.
    sql -c "SET session_replication_role = replica" -c "SET synchronous_commit = off" -c "
            COPY dossier.audit_log (id, at, user_id, login, role, dept_id, action, target, purpose, detail,
                                    prev_hash, hash, digest_version, chain, position, about_dossier) FROM STDIN" <"$work/copy.fifo"
    wait "$gen"
    while read -r c p h id; do
        echo "UPDATE dossier.audit_chains SET last_position = $p, last_hash = '\\x$h'::bytea, last_id = $id WHERE chain = $c;"
    done <"$work/heads.new" | sql -q
}
mkfifo "$work/copy.fifo"

# Insert cost: one audit row per transaction, as a daemon writes it (the
# chain head taken, digest, row, head moved, commit), 8 connections.
insert_cost() {
    cat >"$work/insert.sql" <<'SQL'
\set d random(1, 5000000)
BEGIN;
SELECT dossier.audit('dossier.show', 'D' || :d, 'bench', '');
COMMIT;
SQL
    read -r tps p50 p99 <<<"$(pgbench_tps "$work/insert.sql" postgres "$CONNS" "$SECS")"
    printf '%-40s %8s tps   p50 %s ms   p99 %s ms   (load %s)\n' "audit row insert ($1)" "$tps" "$p50" "$p99" "$(load_now)"
}
# AUDIT LIST ref= of 500 dossiers of the company, limit 50, 8 connections.
list_cost() {
    local line
    sql -At -c "SELECT 'AUDIT LIST ref=D' || (g * 7919 % (SELECT max(id) FROM dossier.dossiers) + 1) || ' limit=50'
                  FROM generate_series(1, 500) g" >"$work/audit.lines"
    line=$("$bin/dossier-bench" command --host 127.0.0.1 --port "$port" --connections "$CONNS" --requests 100000000 \
        --duration-limit "$SECS" --auth aud.bench --password bench-secret --lines-file "$work/audit.lines" 2>"$work/bench.err") || true
    [ -n "$line" ] || echo "  AUDIT LIST failed: $(head -c 600 "$work/bench.err")"
    printf '%-40s %8s rps   p50 %s ms   p99 %s ms   rows/answer %s   (load %s)\n' "AUDIT LIST ref= limit=50 ($1)" \
        "$(tr ' ' '\n' <<<"$line" | sed -n 's/^rps=//p')" "$(tr ' ' '\n' <<<"$line" | sed -n 's/^p50_ms=//p')" \
        "$(tr ' ' '\n' <<<"$line" | sed -n 's/^p99_ms=//p')" "$(tr ' ' '\n' <<<"$line" | sed -n 's/^rows_per_response=//p')" "$(load_now)"
}

# --- 1. small ------------------------------------------------------------------
echo "# small log: $(log_size)"
insert_cost "small, 1"
insert_cost "small, 2"
list_cost small

# --- 2. large ------------------------------------------------------------------
t0=$(date +%s)
echo "# generating $AUDIT_ROWS audit rows (load $(load_now))"
# Loaded without the secondary indexes, which are built again after (their
# definitions as they were): the same table, sooner.
sql -At -c "SELECT indexdef || ';' FROM pg_indexes i WHERE schemaname = 'dossier' AND tablename = 'audit_log'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)" >"$work/indexes.sql"
sql -At -c "SELECT 'DROP INDEX dossier.' || quote_ident(indexname) || ';' FROM pg_indexes i WHERE schemaname = 'dossier' AND tablename = 'audit_log'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)" | sql -q
append_rows "$AUDIT_ROWS" 31536000
t1=$(date +%s)
{ echo "SET maintenance_work_mem = '512MB';"; cat "$work/indexes.sql"; } | sql -q
sql -q -c "VACUUM (ANALYZE) dossier.audit_log"
t2=$(date +%s)
echo "# generated in $((t1 - t0)) s, indexes built and vacuumed in $((t2 - t1)) s (load $(load_now))"
echo "# large log: $(log_size); database $(sql -At -c "SELECT pg_size_pretty(pg_database_size('dossier'))")"

# --- 3. full verification ------------------------------------------------------
verify "AUDIT VERIFY full=yes (first)" "AUDIT VERIFY full=yes"
echo "peak memory (VmHWM) after it: largest backend $(( $(backend_peak_kb) / 1024 )) MB (shared_buffers $(sql -At -c 'SHOW shared_buffers') count in it); dossierd $(( $(daemon_kb VmHWM) / 1024 )) MB"
verify "AUDIT VERIFY (incremental, nothing new)" "AUDIT VERIFY"

# --- 4. incremental after APPEND_ROWS rows -------------------------------------
append_rows "$APPEND_ROWS" 86400
echo "# appended $APPEND_ROWS rows: $(log_size)"
verify "AUDIT VERIFY (incremental, $APPEND_ROWS new rows)" "AUDIT VERIFY"

# --- 5. large: insert cost and AUDIT LIST ref= -----------------------------------
insert_cost "large, 1"
insert_cost "large, 2"
list_cost large
echo "peak memory (VmHWM) at end: largest backend $(( $(backend_peak_kb) / 1024 )) MB; dossierd $(( $(daemon_kb VmHWM) / 1024 )) MB"
verify "AUDIT VERIFY (incremental, after the inserts)" "AUDIT VERIFY"
echo "# uptime at end: $(uptime)"
echo "# written to $report"
