# Shared by the benchmark scripts (sourced, not run): a work directory and
# processes cleaned up on any exit, free ports, a dossierd on the embedded
# default, and psql as the superuser of its private cluster.

# A temporary work directory; everything started through this file stops on exit.
work=$(mktemp -d /tmp/dossier-bench.XXXXXX)
chmod 755 "$work"  # the embedded cluster's `postgres` user must reach it when root
daemon_pid=
bench_pids=()
bench_cleanup() {
    set +e
    for pid in "${bench_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null; fi
    done
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        # SIGTERM: graceful shutdown, which also stops the embedded cluster.
        kill -TERM "$daemon_pid"
        for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap bench_cleanup EXIT
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
# and the given products (on stderr: not part of the report). Sets $bin, and
# $PSQL / $PGBENCH from PATH or the newest PostgreSQL installed.
bench_build() {
    deploy/prerequisites.sh >&2
    local pgbin product
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    PSQL=$(command -v psql || echo "$pgbin/psql")
    PGBENCH=$(command -v pgbench || echo "$pgbin/pgbench")
    [ -x "$PSQL" ] || { echo "psql not found (package postgresql-client)" >&2; exit 1; }
    echo "building (release)..." >&2
    for product in dossierd "$@"; do swift build -c release --product "$product" >&2; done
    bin=$(swift build -c release --show-bin-path)
}

# start_dossierd <port> [serve options…]: dossierd on the embedded default (a
# private cluster in $work/data), ready when it logs `listening` or, at any
# log level, greets a client. Its stdout is $work/stdout.log, its log $work/dossierd.log.
# Without the daily jobs: on a fresh database they would run at once, beside
# what is measured.
start_dossierd() {
    local port=$1; shift
    env -u DOSSIER_DATABASE_URL -u PGHOST -u PGHOSTADDR -u PGPORT -u PGDATABASE -u PGUSER -u PGSERVICE \
        "$bin/dossierd" serve --data-dir "$work/data" --listen "127.0.0.1:$port" --no-jobs "$@" \
        >"$work/stdout.log" 2>"$work/dossierd.log" &
    daemon_pid=$!
    local i line
    for i in $(seq 1200); do
        if grep -q "listening" "$work/dossierd.log"; then break; fi
        if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
            IFS= read -r -t 2 line <&3 || true
            exec 3<&- 3>&-
            [[ "$line" == "OK DOSSIER/1"* ]] && break
        fi
        if ! kill -0 "$daemon_pid" 2>/dev/null || [ "$i" -eq 1200 ]; then
            echo "dossierd did not start:" >&2; cat "$work/dossierd.log" >&2; exit 1
        fi
        sleep 0.1
    done
    # The embedded cluster's socket directory and port, for psql and pgbench.
    pg_port=$(sed -n 4p "$work/data/pgdata/postmaster.pid")
    pg_sock=$(sed -n 5p "$work/data/pgdata/postmaster.pid")
    # The cluster authenticates: psql as postgres by peer (this OS user), pgbench
    # as dossier_app with the daemon's password from its libpq passfile.
    export PGPASSFILE="$work/data/daemon.pgpass"
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
INSERT INTO customer_details (customer_id, phone) SELECT id, '13800000000' FROM customers WHERE number = 'C-2026-00001';
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
