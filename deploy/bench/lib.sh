# Shared by the benchmark scripts (sourced, not run): a work directory and
# processes cleaned up on any exit, free ports, a dossierd on the embedded
# default, and psql as the superuser of its private cluster.

# A temporary work directory; everything started through this file stops on exit.
work=$(mktemp -d /tmp/dossier-bench.XXXXXX)
chmod 755 "$work"  # the embedded cluster's `postgres` user must reach it when root
data_dir="$work/data"
daemon_pid=
bench_pids=()
bench_cleanup() {
    set +e
    for pid in "${bench_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null; fi
    done
    stop_dossierd
    rm -rf "$work"
}
trap bench_cleanup EXIT

# stop_dossierd: SIGTERM to the daemon started by start_dossierd (a graceful
# shutdown, which also stops its embedded cluster), SIGKILL after 30 s.
stop_dossierd() {
    [ -n "$daemon_pid" ] || return 0
    if kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid"
        for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=
}

# bench_install "<command…>" <package…>: the Debian packages, when one of the
# commands is missing (a benchmark's own ceiling or tool: redis, valgrind).
bench_install() {
    local commands=$1 c sudo=
    shift
    for c in $commands; do
        command -v "$c" >/dev/null && continue
        echo "installing: $*" >&2
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
        return
    done
}
trap 'exit 130' INT TERM

# A background process of the script's own (e.g. redis-server) to stop on exit.
bench_track_pid() { bench_pids+=("$1"); }

free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    echo "no free port found" >&2
    return 1
}

# bench_build [product…]: the prerequisites, then release builds of dossierd
# and the given products (on stderr: not part of the report); BENCH_SKIP_BUILD=1
# skips both. Sets $bin, and
# $PSQL / $PGBENCH from PATH or the newest PostgreSQL installed.
bench_build() {
    local pgbin product
    if [ -z "${BENCH_SKIP_BUILD:-}" ]; then deploy/prerequisites.sh >&2; fi
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    PSQL=$(command -v psql || echo "$pgbin/psql")
    PGBENCH=$(command -v pgbench || echo "$pgbin/pgbench")
    [ -x "$PSQL" ] || { echo "psql not found (package postgresql-client)" >&2; exit 1; }
    # BENCH_SKIP_BUILD=1: use the release binaries already built (e.g. on a
    # shared machine where builds take turns under a lock).
    if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
        echo "building (release)..." >&2
        for product in dossierd "$@"; do swift build -c release --product "$product" >&2; done
    fi
    bin=$(swift build -c release --show-bin-path)
}

# start_dossierd <port> [serve options…]: dossierd on the embedded default (a
# private cluster in $data_dir: $work/data unless a script keeps its cluster
# elsewhere, as latency.sh's KEEP_DATA does), ready when it logs `listening` or, at any
# log level, greets a client. Its stdout is $work/stdout.log, its log $work/dossierd.log.
# Without the daily jobs: on a fresh database they would run at once, beside
# what is measured.
start_dossierd() {
    local port=$1; shift
    env -u DOSSIER_DATABASE_URL -u PGHOST -u PGHOSTADDR -u PGPORT -u PGDATABASE -u PGUSER -u PGSERVICE \
        "$bin/dossierd" serve --data-dir "$data_dir" --listen "127.0.0.1:$port" --no-jobs "$@" \
        >"$work/stdout.log" 2>"$work/dossierd.log" &
    daemon_pid=$!
    # Up to 10 minutes (DOSSIERD_START_SECONDS): on a company loaded behind the
    # daemon's back, its start-up first gives every customer a data key (~3 min
    # for 1,000,000 at SCALE=1); a daemon that fails exits and is caught at once.
    local i line ticks=$(( ${DOSSIERD_START_SECONDS:-600} * 10 ))
    for i in $(seq "$ticks"); do
        if grep -q "listening" "$work/dossierd.log"; then break; fi
        if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
            IFS= read -r -t 2 line <&3 || true
            exec 3<&- 3>&-
            [[ "$line" == "OK DOSSIER/1"* ]] && break
        fi
        if ! kill -0 "$daemon_pid" 2>/dev/null || [ "$i" -eq "$ticks" ]; then
            echo "dossierd did not start:" >&2; cat "$work/dossierd.log" >&2; exit 1
        fi
        sleep 0.1
    done
    # The embedded cluster's socket directory and port, for psql and pgbench.
    pg_port=$(sed -n 4p "$data_dir/pgdata/postmaster.pid")
    pg_sock=$(sed -n 5p "$data_dir/pgdata/postmaster.pid")
    # The cluster authenticates: psql as postgres by peer (this OS user), pgbench
    # as dossier_app with the daemon's password from its libpq passfile.
    export PGPASSFILE="$data_dir/daemon.pgpass"
}

# The administrator's one-time password printed at the first start.
dossierd_admin_password() { grep -o 'one-time password [A-Za-z0-9]*' "$work/stdout.log" | awk '{print $3}'; }

# sql [psql options…]: psql as the superuser on the embedded cluster's database `dossier`.
sql() {
    env -u PGSERVICE PGOPTIONS= "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$pg_sock" -p "$pg_port" -U postgres -d dossier "$@"
}

# For benchmarks that time single commands through the console client:
# start_console_bench starts dossierd on a free port ($port); `dossier <command>`
# runs one command as the administrator; `timed <label> <command> [client]`
# prints one report line and leaves the seconds in $elapsed.
start_console_bench() {
    port=$(free_port)
    start_dossierd "$port" --log-level warning
    password=$(dossierd_admin_password)
}
dossier() { DOSSIER_PASSWORD="$password" "$bin/dossier" --port "$port" --auth admin --raw -c "$1"; }
now() { date +%s.%N; }
timed() {
    local t0 t1 answer
    t0=$(now)
    answer=$("${3:-dossier}" "$2" | tr '\n' ' ')
    t1=$(now)
    elapsed=$(echo "$t1 - $t0" | bc)
    printf '%-34s %8.1f s   %s\n' "$1" "$elapsed" "$answer"
}

# filed_dossiers_sql <owner login> <count>: SQL (inside the caller's
# transaction) for one customer of the owner and <count> filed internal HT
# dossiers of it, each with its content, one signed item and a retention row,
# as filing leaves them; ids are contiguous.
filed_dossiers_sql() {
    local owner=$1 count=$2
    cat <<SQL
INSERT INTO customers (number, name, owner_id, dept_id)
SELECT 'C-2026-00001', '上海 压测客户 有限公司', u.id, u.dept_id FROM users u WHERE u.login = '$owner';
INSERT INTO customer_details (customer_id) SELECT id FROM customers WHERE number = 'C-2026-00001';  -- no phone: sealed (0070)
INSERT INTO dossiers (dept_id, category, level, scope, status, owner_id, number, filed_year, filed_seq,
                      submitted_at, filed_at)
SELECT u.dept_id, 'HT', 'internal', 'personal', 'filed', u.id, 'SH-HT-2026-' || lpad(g::text, 4, '0'), 2026, g,
       now() - interval '2 days', now() - interval '1 day'
  FROM users u, generate_series(1, $count) g WHERE u.login = '$owner'
 ORDER BY g;
INSERT INTO dossier_contents (dossier_id, customer_id, title, location)
SELECT d.id, c.id, '2026 年度框架合同 ' || d.number, 'A-03-' || (d.filed_seq % 40 + 1)
  FROM dossiers d, customers c WHERE c.number = 'C-2026-00001';
INSERT INTO items (dossier_id, item_no, title, pages, location, signed_customer, signed_internal)
SELECT d.id, 1, '合同正本', 12, 'A-03-2', true, true FROM dossiers d;
INSERT INTO dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
SELECT d.id, d.category, c.customer_id, d.filed_at::date, DATE '2056-12-31'
  FROM dossiers d JOIN dossier_contents c ON c.dossier_id = d.id;
SQL
}

# load_rep_with_dossiers <login> <password> <count>: department SH, a rep of
# it and <count> filed dossiers of theirs (filed_dossiers_sql), vacuumed; sets
# $uid (the rep's id) and $id_lo..$id_hi (the dossiers' contiguous ids).
load_rep_with_dossiers() {
    local login=$1 password=$2 count=$3
    sql >/dev/null <<SQL
SET search_path = dossier, public;
BEGIN;
INSERT INTO departments (code, name) VALUES ('SH', '上海办事处') ON CONFLICT (code) DO NOTHING;
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT '$login', '压测 代表', d.id, 'rep', 'sales', crypt('$password', gen_salt('bf', 4))
  FROM departments d WHERE d.code = 'SH';
$(filed_dossiers_sql "$login" "$count")
COMMIT;
VACUUM ANALYZE;
SQL
    read -r uid id_lo id_hi <<<"$(sql -At -F ' ' -c "SELECT u.id, min(d.id), max(d.id) FROM dossier.users u JOIN dossier.dossiers d ON d.owner_id = u.id WHERE u.login = '$login' GROUP BY u.id")"
}

# --- The ceiling: minimal hand-written transactions (issue 17) ----------------
# The smallest SQL that does what a command does, with none of the product's
# security or bookkeeping: what PostgreSQL itself can do here, so that a
# benchmark's ratio to it shows how heavy the product's SQL is. Run as the
# cluster's superuser (no row-level security) on tables of their own.

# ceiling_schema: creates schema `ceiling` (an audit log with 32 chain heads,
# like the product's, and a loan table) and copies the dossiers' ids and
# statuses; run after the benchmark's data is loaded.
ceiling_schema() {
    sql >/dev/null <<'SQL'
CREATE SCHEMA ceiling;
CREATE TABLE ceiling.audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id bigint, action text NOT NULL, target text NOT NULL, purpose text NOT NULL,
    chain smallint, position bigint, prev_hash bytea, hash bytea);
CREATE TABLE ceiling.audit_chains (
    chain smallint PRIMARY KEY, last_position bigint NOT NULL DEFAULT 0, last_hash bytea NOT NULL DEFAULT '\x'::bytea
) WITH (fillfactor = 20);
INSERT INTO ceiling.audit_chains (chain) SELECT g FROM generate_series(0, 31) g;
CREATE TABLE ceiling.dossiers (id bigint PRIMARY KEY, status text NOT NULL) WITH (fillfactor = 50);
INSERT INTO ceiling.dossiers SELECT id, status FROM dossier.dossiers;
CREATE TABLE ceiling.loans (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id bigint NOT NULL REFERENCES ceiling.dossiers, borrower_id bigint NOT NULL,
    status text NOT NULL, requested_at timestamptz NOT NULL DEFAULT now(),
    approved_by bigint, approved_at timestamptz, checked_out_at timestamptz, due_at timestamptz,
    returned_at timestamptz) WITH (fillfactor = 50);
VACUUM ANALYZE ceiling.dossiers, ceiling.audit_chains;
SQL
}

# ceiling_audit <user expr> <action> <target expr>: pgbench lines appending one
# row to a hash chain the way dossier.audit() does: the first free head (FOR
# UPDATE SKIP LOCKED, starting at a random one), sha256 of the previous hash
# and the row, the head moved on; when every head is taken, wait for one.
# Needs `\set own random(0, 31)` earlier in the script.
ceiling_audit() {
    local user=$1 action=$2 target=$3 head
    for head in "ORDER BY chain < :own::int2, chain LIMIT 1 FOR UPDATE SKIP LOCKED" "WHERE chain = :own::int2 FOR UPDATE"; do
        cat <<SQL
WITH head AS (SELECT chain, last_position, last_hash FROM ceiling.audit_chains $head),
     r AS (INSERT INTO ceiling.audit_log (user_id, action, target, purpose, chain, position, prev_hash, hash)
           SELECT $user, '$action', $target, 'bench', chain, last_position + 1, last_hash,
                  sha256(last_hash || convert_to(concat_ws('|', $user, '$action', $target, 'bench', chain,
                                                           last_position + 1), 'UTF8'))
             FROM head RETURNING chain, position, hash),
     u AS (UPDATE ceiling.audit_chains c SET last_position = r.position, last_hash = r.hash FROM r
            WHERE c.chain = r.chain RETURNING c.chain)
SELECT count(*) AS chained FROM u
\gset
SQL
        [ "$head" = "WHERE chain = :own::int2 FOR UPDATE" ] || echo '\if :chained = 0'
    done
    echo '\endif'
}

# pgbench_tps <script> <user> <conns> <secs> [pgbench options…]: one timed pgbench
# run with a per-transaction log; prints "tps p50_ms p99_ms" (tps excluding
# connection time; latencies from the log). Needs $work, $pg_sock, $pg_port.
pgbench_tps() {
    local script=$1 user=$2 c=$3 secs=$4 out tps logdir="$work/pglog.$RANDOM$RANDOM"
    shift 4
    mkdir -p "$logdir"
    out=$(cd "$logdir" && timeout $((secs + 60)) env -u PGSERVICE PGOPTIONS= "$PGBENCH" -n -M prepared \
        -h "$pg_sock" -p "$pg_port" -U "$user" "$@" -f "$script" -c "$c" -j 2 -T "$secs" -l dossier 2>&1) || {
        echo "pgbench $script failed: $out" >&2; return 1; }
    grep -q "number of failed transactions: 0" <<<"$out" || { echo "pgbench $script: failed transactions: $out" >&2; return 1; }
    tps=$(pgbench_rate <<<"$out")
    [ -n "$tps" ] || tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | tail -1)
    echo "  pgbench $(basename "$script") raw: $(grep -E '^(number of transactions actually|latency average|tps)' <<<"$out" | tr '\n' ';')" >&2
    cat "$logdir"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk -v tps="$tps" '
        { v[NR] = $1 } END {
            if (NR == 0) { printf "%.1f n/a n/a\n", tps; exit }
            i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
            printf "%.1f %.3f %.3f\n", tps, v[i50] / 1000, v[i99] / 1000 }'
    rm -rf "$logdir"
}

# pgbench_rate [file]: the tps pgbench printed (excluding connection time), from
# its output in file or on standard input.
pgbench_rate() { sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$@"; }

# pgbench_cpu <script> <user> <clients> <secs> [pgbench options…]: pgbench for
# secs + 3 s; the cluster's CPU (perf stat) over the secs after the first 2
# (connections open, plans cached). Prints "tps pg_us client_us": transactions
# per second and the CPU per transaction of PostgreSQL and of pgbench (µs);
# "0 0 0" when pgbench reported no rate. pgbench's output: $work/pgbench-cpu.out.
pgbench_cpu() {
    local script=$1 user=$2 clients=$3 secs=$4 run
    shift 4
    (cd "$work" && env -u PGSERVICE PGOPTIONS= perf stat -e task-clock -x, -o "$work/pgbench-cpu.stat" -- \
        "$PGBENCH" -n -M prepared -h "$pg_sock" -p "$pg_port" -U "$user" "$@" -f "$script" -c "$clients" -j 2 \
        -T $((secs + 3)) dossier >"$work/pgbench-cpu.out" 2>&1) &
    run=$!
    sleep 2
    perf stat -e task-clock -x, -p "$(cluster_pids)" -o "$work/cluster-cpu.stat" -- sleep "$secs"
    wait "$run" || true
    awk -v c="$(task_clock_ms "$work/cluster-cpu.stat")" -v b="$(task_clock_ms "$work/pgbench-cpu.stat")" \
        -v tps="$(pgbench_rate "$work/pgbench-cpu.out")" -v secs="$secs" -v whole=$((secs + 3)) 'BEGIN {
            if (tps > 0) printf "%.1f %.0f %.0f\n", tps, c * 1000 / (tps * secs), b * 1000 / (tps * whole)
            else print "0 0 0" }'
}

# The machine's load, for every report line that measures something.
load_now() { cut -d' ' -f1-3 /proc/loadavg; }

# bench_report <name>: this run's report, deploy/bench/results/<name>-<date>.txt,
# or -run2, -run3, … of it when the day already has one: a run never
# overwrites an earlier run's committed report.
bench_report() {
    local base n=2 path
    base="deploy/bench/results/$1-$(date +%Y-%m-%d)"
    path="$base.txt"
    while [ -e "$path" ]; do path="$base-run$n.txt"; n=$((n + 1)); done
    echo "$path"
}

# bench_open_report <name>: from here on, everything the script prints also goes
# to its report: $REPORT if set, else bench_report's file (its path in $report).
bench_open_report() {
    report=${REPORT:-$(bench_report "$1")}
    mkdir -p "$(dirname "$report")"
    exec > >(tee "$report") 2>&1
}

# warm_page_cache: read the embedded cluster's database files once, so that
# the operating system's page cache holds them, when they fit in the memory
# the kernel has available (with 2 GB to spare); prints one report line.
# A kept cluster (KEEP_DATA) is otherwise measured with whatever the cache
# holds at the time: after the machine sat idle its page cache was found
# nearly empty (buff/cache 0.7 of 24 GB), and the first pass of the verbs
# then read every page from disk (~0.18 ms per 8 kB page on this machine;
# 10 reads for one cold `AUDIT LIST ref=`). A database that fits in memory
# is in the page cache in service, so that is what the goal is measured on.
# WARM_CACHE=0 measures the cache as found.
warm_page_cache() {
    local dir kb available_kb cached_before start=$SECONDS
    dir="$data_dir/pgdata/base/$(sql -At -c "SELECT oid FROM pg_database WHERE datname = current_database()")"
    kb=$(du -sk "$dir" | cut -f1)
    # In kB: mawk's printf %d stops at 2^31.
    available_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
    cached_before=$(awk '/^Cached:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
    if [ "${WARM_CACHE:-1}" = 0 ]; then
        echo "page cache as found (WARM_CACHE=0): ${cached_before} GB cached, database $((kb >> 10)) MB"
    elif [ "$kb" -gt $((available_kb - (2 << 20))) ]; then
        echo "page cache not warmed: database $((kb >> 10)) MB, $((available_kb >> 10)) MB available (${cached_before} GB cached)"
    else
        cat "$dir"/* >/dev/null
        echo "page cache warmed: read the database's $((kb >> 10)) MB in $((SECONDS - start)) s" \
            "(${cached_before} GB cached before, $(awk '/^Cached:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo) GB after)"
    fi
}

# The embedded cluster's processes (the postmaster's children: the backends,
# autovacuum, ...), separated by $1 (default a comma, as `perf -p` takes them).
cluster_pids() { pgrep -d "${1:-,}" -P "$(head -1 "$data_dir/pgdata/postmaster.pid")"; }

# task_clock_ms <file>: the CPU milliseconds of a `perf stat -e task-clock -x,` output file.
task_clock_ms() { grep task-clock "$1" | cut -d, -f1; }

# backend_stages <perf.data> [perf report options…]: the inclusive share of
# PostgreSQL's named stages (PL/pgSQL, executor start, policy quals, commit,
# syscalls, …) in a call-graph profile, % of all samples, one per line.
backend_stages() {
    local data=$1; shift
    perf report -i "$data" "$@" --children --sort symbol -g none 2>/dev/null | grep -E '^ +[0-9]' \
        | grep -E ' (PostgresMain|plpgsql_exec_function|fmgr_security_definer|SPI_execute_plan_with_paramlist|standard_ExecutorStart|ExecInitNode|ExecInitQual|ExecInitSeqScan|ExecInitIndexScan|pg_proc_aclcheck|stringToNode|ExecScan|ExecInsertIndexTuples|CommitTransactionCommand|XLogFlush|XLogInsertRecord|GetCachedPlan|do_syscall_64|__send|secure_read|schedule|LWLockAcquire|XactLockTableWait|MultiXactIdCreate|heap_lock_tuple|RI_FKey_check_ins)( |$)' \
        | sed "s/ *- *- *$//; s/ *$//" || true
}

# --- The loan cycle (issue 5, issue 17 point 6) --------------------------------
# loan_cycle_script: the pgbench script of one loan cycle through the daemon's
# own SQL, as dossier_app (loan-cycle.sh's header says what it sends); pgbench
# variables rep, mgr, arc, dept, id_lo, purpose, kind, mgr_role. The daemon's
# statements with `:name` for `$n`; the colons of to_char's format are written
# \x3a (pgbench would take `:MI` for a variable).
loan_cycle_script() {
    cat <<'SQL'
\set id :id_lo + :client_id
-- 1. borrower: LOAN REQUEST D<id> purpose=bench
\startpipeline
BEGIN;
SELECT * FROM dossier.begin_command(:rep::int8, '{archivist,director,manager,rep}'::text[]);
\endpipeline
SELECT * FROM dossier.loan_request_target(:id::int8, NULL::text)
\gset d_
SELECT * FROM dossier.loan_request(:d_id::int8, :d_dept_id::int8, :rep::int8, :purpose::text, :d_mode::text, :d_seconds::int8, '{manager}'::text[])
\gset loan_
COMMIT;
-- 2. manager: APPROVAL LIST kind=loan (status pending)
\startpipeline
BEGIN;
SELECT * FROM dossier.begin_command(:mgr::int8, '{archivist,auditor,director,manager,rep}'::text[]);
\endpipeline
SELECT l.id, l.kind, l.status, l.current_step, l.step_count, l.customer_id, l.target, l.requester,
       l.waiting_for, l.created, l.reason, l.obstacle, l.details
  FROM dossier.approval_listing('pending'::text, :kind::text, 0::int8, 51::int4, :mgr::int8, :mgr_role::text, :dept::int8) l;
COMMIT;
-- 3. manager: APPROVE A<m>
\startpipeline
BEGIN;
SELECT * FROM dossier.begin_command(:mgr::int8, '{director,manager}'::text[]);
\endpipeline
SELECT a.id, a.kind, a.status, a.dept_id, a.requester_id, a.current_step, a.step_count, a.dossier_id,
       a.customer_id, a.loan_id, a.penalty_id, a.payload::text AS payload, a.reason,
       s.approver_role, s.approver_dept_id, d.level, d.scope,
       r.role AS requester_role, r.dept_id AS requester_dept_id,
       a.closed_reason
  FROM approvals a JOIN approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
  JOIN users r ON r.id = a.requester_id
  LEFT JOIN dossiers d ON d.id = a.dossier_id
 WHERE a.id = :loan_approval_id::int8
 FOR UPDATE OF a
\gset p_
SELECT * FROM dossier.approval_approve_loan(:p_id::int8, :p_current_step::int4, :mgr::int8, NULL::text, :p_loan_id::int8, :p_level::text);
COMMIT;
-- 4. archivist: LOAN CHECKOUT L<n>
\startpipeline
BEGIN;
SELECT * FROM dossier.begin_command(:arc::int8, '{archivist}'::text[]);
\endpipeline
SELECT * FROM dossier.loan_checkout_by(:loan_loan_id::int8, :arc::int8, 'archivist'::text, :dept::int8);
COMMIT;
-- 5. archivist: LOAN RETURN L<n>
\startpipeline
BEGIN;
SELECT * FROM dossier.begin_command(:arc::int8, '{archivist}'::text[]);
\endpipeline
SELECT * FROM dossier.loan_give_back_by(:loan_loan_id::int8, :arc::int8, 'archivist'::text, :dept::int8, true::bool, NULL::text, 'complete'::text);
COMMIT;
SQL
}

# loan_minimal_script: the ceiling's cycle (as postgres, schema ceiling from
# ceiling_schema): four transactions, each with its chained audit row.
loan_minimal_script() {
    printf '%s\n' '\set id :id_lo + :client_id' '\set own random(0, 31)' \
        '-- request' 'BEGIN;' 'SELECT status FROM ceiling.dossiers WHERE id = :id::int8;' \
        "INSERT INTO ceiling.loans (dossier_id, borrower_id, status) VALUES (:id::int8, :rep::int8, 'requested') RETURNING id" \
        '\gset loan_'
    ceiling_audit ':rep::int8' loan.request "'L' || :loan_id::int8"
    printf '%s\n' 'COMMIT;' '-- approval' 'BEGIN;' \
        "UPDATE ceiling.loans SET status = 'approved', approved_by = :mgr::int8, approved_at = now() WHERE id = :loan_id::int8 AND status = 'requested';"
    ceiling_audit ':mgr::int8' approval.approve "'L' || :loan_id::int8"
    printf '%s\n' 'COMMIT;' '-- check out' 'BEGIN;' \
        "UPDATE ceiling.loans SET status = 'out', checked_out_at = now(), due_at = now() + interval '7 days' WHERE id = :loan_id::int8 AND status = 'approved';" \
        "UPDATE ceiling.dossiers SET status = 'on_loan' WHERE id = :id::int8;"
    ceiling_audit ':arc::int8' loan.checkout "'L' || :loan_id::int8"
    printf '%s\n' 'COMMIT;' '-- return' 'BEGIN;' \
        "UPDATE ceiling.loans SET status = 'returned', returned_at = now() WHERE id = :loan_id::int8 AND status = 'out';" \
        "UPDATE ceiling.dossiers SET status = 'filed' WHERE id = :id::int8;"
    ceiling_audit ':arc::int8' loan.return "'L' || :loan_id::int8"
    echo 'COMMIT;'
}
