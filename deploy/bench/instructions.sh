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
#   loan     the loan cycle of loan-cycle.sh (point 6), each command BEGIN,
#            begin_command, the daemon's statements, COMMIT, as dossier_app:
#            LOAN REQUEST (borrower), APPROVAL LIST kind=loan and APPROVE
#            (manager), LOAN CHECKOUT and LOAN RETURN (archivist); each cycle on
#            its own filed dossier, ids carried with currval (no look-ups).
#            Its commands are split by running prefixes of the cycle: request;
#            request and approve; ... (APPROVAL LIST: the cycle less its listing).
#   loan-minimal  loan-cycle.sh's ceiling: four transactions (request, approval,
#            check out, return), each with its chained audit row (superuser)
# For the loan cycle it also prints the inclusive share of PostgreSQL's stages
# (callgrind_annotate): how much of a cycle is starting executors (policy
# quals, CHECK constraints, permission checks) rather than doing the work.
# Single-user mode runs as the superuser, so the transition triggers skip
# their checks (dossier.session_is_product): the loan cycle's count is a
# little under what the daemon's sessions pay.
# Statements are PREPAREd and EXECUTEd (single-user mode has no extended
# protocol), so no side pays for parsing or planning; both sides print their
# rows the same way (single-user mode's output, a few % of each count).
# Knobs: N=100, LOAN_N=20 (the loan cycle's N), DOSSIERS=1000, PARTS="show loan"
# (which parts to count: DOSSIER SHOW's, the loan cycle's). Report: deploy/bench/results/instructions-<date>.txt
# (-run2, … when the day has one: bench_report).
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-100}
LOAN_N=${LOAN_N:-20}
PARTS=${PARTS:-show loan}
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
# The loan cycle's cast beside the rep who owns the dossiers (loan-cycle.sh's).
sql >/dev/null <<'SQL'
SET search_path = dossier, public;
INSERT INTO users (login, name, dept_id, role, password_hash)
SELECT v.login, v.name, d.id, v.role, crypt('bench-secret', gen_salt('bf', 4))
  FROM departments d,
       (VALUES ('rep.borrow', '压测 借阅人', 'rep'), ('mgr.bench', '压测 经理', 'manager'),
               ('arc.bench', '压测 档案员', 'archivist')) AS v(login, name, role)
 WHERE d.code = 'SH';
SQL
read -r borrower manager archivist dept <<<"$(sql -At -F ' ' -c "SELECT (SELECT id FROM dossier.users WHERE login = 'rep.borrow'),
    (SELECT id FROM dossier.users WHERE login = 'mgr.bench'), (SELECT id FROM dossier.users WHERE login = 'arc.bench'),
    (SELECT id FROM dossier.departments WHERE code = 'SH')")"
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

# The loan cycle's statements, as loan-cycle.sh's cycle.sql sends them (the
# texts of Loans, ApprovalListing and ApprovalEngine), PREPAREd.
loan_prepare() {
    echo "SET ROLE dossier_app"
    echo "PREPARE actor(int8, text[]) AS SELECT * FROM dossier.begin_command(\$1, \$2)"
    echo "PREPARE target(int8, text) AS SELECT * FROM dossier.loan_request_target(\$1, \$2)"
    echo "PREPARE request(int8, int8, int8, text, text, int8, text[]) AS SELECT * FROM dossier.loan_request(\$1, \$2, \$3, \$4, \$5, \$6, \$7)"
    echo "PREPARE listing(text, text, int8, int4, int8, text, int8) AS SELECT l.id, l.kind, l.status, l.current_step, l.step_count, l.customer_id, l.target, l.requester, l.waiting_for, l.created, l.reason, l.obstacle, l.details FROM dossier.approval_listing(\$1, \$2, \$3, \$4, \$5, \$6, \$7) l"
    echo "PREPARE pending(int8) AS SELECT a.id, a.kind, a.status, a.dept_id, a.requester_id, a.current_step, a.step_count, a.dossier_id, a.customer_id, a.loan_id, a.penalty_id, a.payload::text AS payload, a.reason, s.approver_role, s.approver_dept_id, d.level, d.scope, r.role AS requester_role, r.dept_id AS requester_dept_id, a.closed_reason FROM dossier.approvals a JOIN dossier.approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step JOIN dossier.users r ON r.id = a.requester_id LEFT JOIN dossier.dossiers d ON d.id = a.dossier_id WHERE a.id = \$1 FOR UPDATE OF a"
    echo "PREPARE approve(int8, int4, int8, text, int8, text) AS SELECT * FROM dossier.approval_approve_loan(\$1, \$2, \$3, \$4, \$5, \$6)"
    echo "PREPARE checkout(int8, int8, text, int8) AS SELECT * FROM dossier.loan_checkout_by(\$1, \$2, \$3, \$4)"
    echo "PREPARE give_back(int8, int8, text, int8, bool, text, text) AS SELECT * FROM dossier.loan_give_back_by(\$1, \$2, \$3, \$4, \$5, \$6, \$7)"
}
# loan_commands <dossier id> <command>...: one cycle's transactions, the named commands only.
loan_commands() {
    local id=$1 loan="currval('dossier.loans_id_seq')" approval="currval('dossier.approvals_id_seq')" command
    shift
    for command in "$@"; do
        case $command in
            request) printf '%s\n' BEGIN "EXECUTE actor($borrower, '$ROLES')" "EXECUTE target($id, NULL)" \
                         "EXECUTE request($id, $dept, $borrower, 'bench', 'takeout', 604800, '{manager}')" COMMIT ;;
            list) printf '%s\n' BEGIN "EXECUTE actor($manager, '$ROLES')" \
                      "EXECUTE listing('pending', 'loan', 0, 51, $manager, 'manager', $dept)" COMMIT ;;
            list-less) printf '%s\n' BEGIN "EXECUTE actor($manager, '$ROLES')" COMMIT ;;
            approve) printf '%s\n' BEGIN "EXECUTE actor($manager, '$ROLES')" "EXECUTE pending($approval)" \
                         "EXECUTE approve($approval, 1, $manager, NULL, $loan, 'internal')" COMMIT ;;
            checkout) printf '%s\n' BEGIN "EXECUTE actor($archivist, '$ROLES')" \
                          "EXECUTE checkout($loan, $archivist, 'archivist', $dept)" COMMIT ;;
            return) printf '%s\n' BEGIN "EXECUTE actor($archivist, '$ROLES')" \
                        "EXECUTE give_back($loan, $archivist, 'archivist', $dept, true, NULL, 'complete')" COMMIT ;;
        esac
    done
}
loan_script() {  # count command...
    local count=$1 i
    shift
    loan_prepare
    for i in $(seq "$count"); do loan_commands "$(id_of "$i")" "$@"; done
}
script_loan() { loan_script "$1" request list approve checkout return; }
script_loan_unlisted() { loan_script "$1" request list-less approve checkout return; }
script_loan_r() { loan_script "$1" request; }
script_loan_ra() { loan_script "$1" request approve; }
script_loan_rac() { loan_script "$1" request approve checkout; }
script_loan_minimal() {
    local chained i id loan="currval('ceiling.loans_id_seq')"
    chained=$(ceiling_audit '$1' ACTION "'L' || \$2" | awk '/^WITH/ { p = 1 } p { print } /^SELECT count/ && p { exit }' \
        | tr '\n' ' ' | sed "s/:own::int2/\$3/g; s/'ACTION'/\$4::text/g")
    echo "PREPARE chained(int8, int8, int2, text) AS $chained"
    echo "PREPARE look(int8) AS SELECT status FROM ceiling.dossiers WHERE id = \$1"
    echo "PREPARE lend(int8, int8) AS INSERT INTO ceiling.loans (dossier_id, borrower_id, status) VALUES (\$1, \$2, 'requested') RETURNING id"
    echo "PREPARE approved(int8, int8) AS UPDATE ceiling.loans SET status = 'approved', approved_by = \$1, approved_at = now() WHERE id = \$2 AND status = 'requested'"
    echo "PREPARE out(int8) AS UPDATE ceiling.loans SET status = 'out', checked_out_at = now(), due_at = now() + interval '7 days' WHERE id = \$1 AND status = 'approved'"
    echo "PREPARE returned(int8) AS UPDATE ceiling.loans SET status = 'returned', returned_at = now() WHERE id = \$1 AND status = 'out'"
    echo "PREPARE dossier(int8, text) AS UPDATE ceiling.dossiers SET status = \$2 WHERE id = \$1"
    for i in $(seq "$1"); do
        id=$(id_of "$i")
        printf '%s\n' BEGIN "EXECUTE look($id)" "EXECUTE lend($id, $borrower)" \
            "EXECUTE chained($borrower, $loan, $((i % 32)), 'loan.request')" COMMIT \
            BEGIN "EXECUTE approved($manager, $loan)" "EXECUTE chained($manager, $loan, $((i % 32)), 'approval.approve')" COMMIT \
            BEGIN "EXECUTE out($loan)" "EXECUTE dossier($id, 'on_loan')" \
            "EXECUTE chained($archivist, $loan, $((i % 32)), 'loan.checkout')" COMMIT \
            BEGIN "EXECUTE returned($loan)" "EXECUTE dossier($id, 'filed')" \
            "EXECUTE chained($archivist, $loan, $((i % 32)), 'loan.return')" COMMIT
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
    mv "$copy/callgrind.out" "$work/callgrind.$1.$2"  # for stage_shares
    rm -rf "$copy"
}
per_op() {  # script [N] -> instructions of one operation
    local one three n=${2:-$N}
    one=$(instructions "$1" "$n")
    three=$(instructions "$1" $((3 * n)))
    echo $(( (three - one) / (2 * n) ))
}
# stage_shares <script> <N>: per operation, the inclusive instructions of
# PostgreSQL's named stages in the script's two runs (callgrind_annotate), and
# their share of the operation; a stage called recursively counts once (its
# outermost calls).
stage_shares() {
    local one=$work/callgrind.$1.$2 three=$work/callgrind.$1.$((3 * $2)) f
    for f in "$one" "$three"; do callgrind_annotate --inclusive=yes --threshold=100 "$f" >"$f.txt" 2>/dev/null; done
    awk -v n="$2" '
        function name(s) { sub(/^.*:/, "", s); sub(/ .*$/, "", s); return s }
        FNR == 1 { file++ }
        $1 ~ /^[0-9,]+$/ && $2 ~ /^\(/ {
            v = $1; gsub(",", "", v); fn = ""
            for (i = 3; i <= NF; i++) if ($i ~ /:/) { fn = name($i); break }
            total[file, fn] += v
        }
        END {
            split("PostgresMain standard_ExecutorStart ExecInitQual ExecInitIndexScan pg_proc_aclcheck ExecConstraints stringToNode " \
                  "ExecInsertIndexTuples plpgsql_exec_trigger RI_FKey_check_ins GetCachedPlan pg_plan_query CommitTransactionCommand " \
                  "AtEOXact_GUC pg_printf", stages, " ")
            all = (total[2, "PostgresMain"] - total[1, "PostgresMain"]) / (2 * n)
            for (i = 1; i in stages; i++) {
                per = (total[2, stages[i]] - total[1, stages[i]]) / (2 * n)
                printf "  %-26s %11d  %5.1f%%\n", stages[i], per, (all > 0 ? 100 * per / all : 0)
            }
        }' "$one.txt" "$three.txt"
}

bench_open_report instructions
echo "# PostgreSQL instructions per operation (callgrind), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# host: $(uname -srm), $(nproc) cores; load average at start: $(load_now) (instruction counts do not depend on it)"
echo "# PostgreSQL $server_version, $(valgrind --version); revision $(git rev-parse --short HEAD)"
echo "# $DOSSIERS filed dossiers of one rep; per operation = (run of $((3 * N)) - run of $N) / $((2 * N)), single-user backend"
if [[ " $PARTS " == *" show "* ]]; then
show=$(per_op show); begin=$(per_op begin); minimal=$(per_op minimal); chained=$(per_op chained)
printf '%-10s %12s\n' operation instructions
printf '%-10s %12s   %s\n' show "$show" "BEGIN; begin_command; dossier_show; COMMIT (as dossier_app)"
printf '%-10s %12s   %s\n' begin "$begin" "BEGIN; begin_command; COMMIT (as dossier_app)"
printf '%-10s %12s   %s\n' minimal "$minimal" "BEGIN; SELECT by id; INSERT audit row; COMMIT (superuser)"
printf '%-10s %12s   %s\n' chained "$chained" "the same with the 32-head sha256 chain (superuser)"
awk -v s="$show" -v m="$minimal" -v c="$chained" \
    'BEGIN { printf "ratio (ceiling / show, as the rate ratios of dossier-show.sh): minimal %.2f, chained %.2f\n", m / s, c / s }'
fi

if [[ " $PARTS " == *" loan "* ]]; then
echo
echo "# the loan cycle (loan-cycle.sh's commands; per cycle = (run of $((3 * LOAN_N)) - run of $LOAN_N) / $((2 * LOAN_N)))"
loan=$(per_op loan "$LOAN_N"); unlisted=$(per_op loan_unlisted "$LOAN_N")
loan_r=$(per_op loan_r "$LOAN_N"); loan_ra=$(per_op loan_ra "$LOAN_N"); loan_rac=$(per_op loan_rac "$LOAN_N")
loan_minimal=$(per_op loan_minimal "$LOAN_N")
printf '%-14s %12s   %s\n' loan "$loan" "one cycle, five commands (as dossier_app)"
printf '  %-12s %12s   %s\n' request "$loan_r" "LOAN REQUEST: BEGIN; begin_command; loan_request_target; loan_request; COMMIT" \
    list $((loan - unlisted)) "APPROVAL LIST kind=loan: its statement (the cycle less it; its BEGIN, begin_command, COMMIT stay below)" \
    approve $((loan_ra - loan_r)) "APPROVE: BEGIN; begin_command; the request locked; approval_approve_loan; COMMIT" \
    checkout $((loan_rac - loan_ra)) "LOAN CHECKOUT: BEGIN; begin_command; loan_checkout_by; COMMIT" \
    return $((unlisted - loan_rac)) "LOAN RETURN: BEGIN; begin_command; loan_give_back_by; COMMIT (+ list's BEGIN, begin_command, COMMIT)"
printf '%-14s %12s   %s\n' loan-minimal "$loan_minimal" "four transactions, each with its chained audit row (superuser)"
awk -v l="$loan" -v m="$loan_minimal" 'BEGIN { printf "ratio (minimal / loan cycle): %.2f\n", m / l }'
echo "stages of the loan cycle, inclusive per cycle (share of the cycle):"
stage_shares loan "$LOAN_N"
echo "stages of the minimal cycle:"
stage_shares loan_minimal "$LOAN_N"
fi
echo "# written to $report"
