#!/usr/bin/env bash
# PostgreSQL's instructions per DOSSIER SHOW against the ceiling (issue 17),
# counted by valgrind (callgrind) instead of timed: the count does not move
# with the machine's load, so a change of the product's SQL or policies can be
# judged on this 2-core machine whatever else runs on it (its rates swing by a
# third within minutes). It complements dossier-show.sh, which times the whole
# path (daemon, network, commits) and is the benchmark of record.
#
#   deploy/bench/instructions.sh
#
# How: a cluster with DOSSIERS filed dossiers of one rep (as dossier-show.sh
# loads it) and the ceiling's tables; then, on copies of it, one single-user
# backend (`postgres --single`) under callgrind per script, each run with N
# and with 3N operations: (3N run - N run) / 2N is the cost of one operation
# with start-up, plan caching and the first executions taken out.
#   show     as dossier_app: BEGIN; begin_command (DOSSIER SHOW's roles);
#            dossier_show(id, NULL, purpose); COMMIT -- the daemon's statements
#   begin    as dossier_app: BEGIN; begin_command; COMMIT (every command pays it)
#   minimal  as the superuser: BEGIN; SELECT the dossier by id; INSERT one audit
#            row; COMMIT
#   chained  the same with the 32-head sha256 chain (ceiling_audit's statement)
# Statements are PREPAREd and EXECUTEd (single-user mode has no extended
# protocol), so no side pays for parsing or planning; both sides print their
# rows the same way (single-user mode's output, a few % of each count).
# Knobs: N=100, DOSSIERS=1000. Report: deploy/bench/results/instructions-<date>.txt
# (-run2, … when the day has one: bench_report).
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-100}
DOSSIERS=${DOSSIERS:-1000}
ROLES='{archivist,auditor,director,manager,rep}'  # DOSSIER SHOW's roles (the command table)

. deploy/bench/lib.sh
bench_install valgrind valgrind
bench_build
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

# --- the cluster: loaded through the daemon's migrations, then stopped --------
start_dossierd "$(free_port)" --log-level warning
echo "loading $DOSSIERS dossiers..." >&2
load_rep_with_dossiers rep.bench bench-secret "$DOSSIERS"
ceiling_schema
server_version=$(sql -At -c 'SHOW server_version')
stop_dossierd  # graceful: the daemon stops its cluster
cluster_owner=$(stat -c %U "$data_dir/pgdata")

# --- the scripts ---------------------------------------------------------------
# Each prints its statements for <count> operations on dossiers spread over the range.
id_of() { echo $(( (($1 * 37) % (id_hi - id_lo + 1)) + id_lo )); }
script_show() {
    echo "SET ROLE dossier_app"
    echo "PREPARE actor(int8, text[]) AS SELECT * FROM dossier.begin_command(\$1, \$2)"
    echo "PREPARE show(int8, text, text) AS SELECT * FROM dossier.dossier_show(\$1, \$2, \$3)"
    for i in $(seq "$1"); do
        printf '%s\n' BEGIN "EXECUTE actor($uid, '$ROLES')" "EXECUTE show($(id_of "$i"), NULL, 'bench')" COMMIT
    done
}
script_begin() {
    echo "SET ROLE dossier_app"
    echo "PREPARE actor(int8, text[]) AS SELECT * FROM dossier.begin_command(\$1, \$2)"
    for i in $(seq "$1"); do printf '%s\n' BEGIN "EXECUTE actor($uid, '$ROLES')" COMMIT; done
}
select_sql='SELECT id, number, category, level, scope, status, owner_id, dept_id FROM dossier.dossiers WHERE id = $1'
script_minimal() {
    echo "PREPARE card(int8) AS $select_sql"
    echo "PREPARE logged(int8, int8) AS INSERT INTO ceiling.audit_log (user_id, action, target, purpose) VALUES (\$1, 'dossier.show', 'D' || \$2, 'bench')"
    for i in $(seq "$1"); do printf '%s\n' BEGIN "EXECUTE card($(id_of "$i"))" "EXECUTE logged($uid, $(id_of "$i"))" COMMIT; done
}
script_chained() {
    local chained
    # ceiling_audit's first statement (a free head, starting at :own), one line, pgbench variables as parameters.
    chained=$(ceiling_audit '$1' dossier.show "'D' || \$2" | awk '/^WITH/ { p = 1 } p { print } /^SELECT count/ && p { exit }' \
        | tr '\n' ' ' | sed 's/:own::int2/$3/g')
    echo "PREPARE card(int8) AS $select_sql"
    echo "PREPARE chained(int8, int8, int2) AS $chained"
    for i in $(seq "$1"); do
        printf '%s\n' BEGIN "EXECUTE card($(id_of "$i"))" "EXECUTE chained($uid, $(id_of "$i"), $((i % 32)))" COMMIT
    done
}

# instructions <script> <count>: callgrind's instruction total of one single-user
# backend running the script on a copy of the cluster; fails on any SQL error.
instructions() {
    local copy="$work/copy.$1.$2"
    cp -a "$data_dir/pgdata" "$copy"
    "script_$1" "$2" >"$copy.sql"
    chmod 644 "$copy.sql"
    local run=(valgrind --tool=callgrind --callgrind-out-file="$copy/callgrind.out"
               "$pg_bin/postgres" --single -D "$copy" -c config_file="$copy/postgresql.conf"
               -c fsync=off -c synchronous_commit=off dossier)
    if [ "$(id -u)" = 0 ]; then runuser -u "$cluster_owner" -- "${run[@]}" <"$copy.sql" >"$copy.out" 2>&1
    else "${run[@]}" <"$copy.sql" >"$copy.out" 2>&1; fi
    if grep -q 'ERROR:' "$copy.out"; then echo "$1: $(grep -m1 'ERROR:' "$copy.out")" >&2; exit 1; fi
    sed -n 's/^totals: *//p; s/^summary: *//p' "$copy/callgrind.out" | head -1
    rm -rf "$copy"
}
per_op() {  # script -> instructions of one operation
    local one three
    one=$(instructions "$1" "$N")
    three=$(instructions "$1" $((3 * N)))
    echo $(( (three - one) / (2 * N) ))
}

bench_open_report instructions
echo "# PostgreSQL instructions per operation (callgrind), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores; load average at start: $(load_now) (instruction counts do not depend on it)"
echo "# PostgreSQL $server_version, $(valgrind --version); revision $(git rev-parse --short HEAD)"
echo "# $DOSSIERS filed dossiers of one rep; per operation = (run of $((3 * N)) - run of $N) / $((2 * N)), single-user backend"
show=$(per_op show); begin=$(per_op begin); minimal=$(per_op minimal); chained=$(per_op chained)
printf '%-10s %12s\n' operation instructions
printf '%-10s %12s   %s\n' show "$show" "BEGIN; begin_command; dossier_show; COMMIT (as dossier_app)"
printf '%-10s %12s   %s\n' begin "$begin" "BEGIN; begin_command; COMMIT (as dossier_app)"
printf '%-10s %12s   %s\n' minimal "$minimal" "BEGIN; SELECT by id; INSERT audit row; COMMIT (superuser)"
printf '%-10s %12s   %s\n' chained "$chained" "the same with the 32-head sha256 chain (superuser)"
awk -v s="$show" -v m="$minimal" -v c="$chained" \
    'BEGIN { printf "ratio (ceiling / show, as the rate ratios of dossier-show.sh): minimal %.2f, chained %.2f\n", m / s, c / s }'
echo "# written to $report"
