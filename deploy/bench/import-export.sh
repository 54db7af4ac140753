#!/usr/bin/env bash
# Excel import and export at office scale: a customer list of ROWS rows
# (default 10,000) as Excel writes it — GBK (Chinese Windows) and UTF-8 with
# BOM — imported with `dossierd import customers` (a dry run, then the real
# run), then the customer list and the register exported as GBK CSV and .xlsx,
# all on the embedded default with the daemon running beside. The report is
# also written to deploy/bench/results/import-export-<date>.txt.
#
#   deploy/bench/import-export.sh            # ROWS=10000
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
ROWS=${ROWS:-10000}
mkdir -p "$ROOT/deploy/bench/results"
exec > >(tee "$ROOT/deploy/bench/results/import-export-$(date -u +%F).txt")

. deploy/bench/lib.sh
bench_build
start_dossierd "$(free_port)"

echo "import-export benchmark $(date -u +%FT%TZ)"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$PSQL" --version)"
sql >/dev/null <<SQL
SET search_path = dossier, public;
INSERT INTO departments (code, name) VALUES ('SH', '上海办事处');
INSERT INTO users (login, name, dept_id, role, line, password_hash)
SELECT 'bench.rep', '压测', d.id, 'rep', 'sales', crypt('x', gen_salt('bf', 4)) FROM departments d WHERE d.code = 'SH';
SQL

# The customer list, with valid unified social credit codes (GB 32100-2015).
python3 - "$ROWS" "$work/customers-utf8.csv" "$work/customers-gbk.csv" <<'PY'
import sys
rows, utf8_path, gbk_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def code(n):
    first = "91310000" + str(n).rjust(9, "0")
    return first + alphabet[(31 - sum(alphabet.index(c) * w for c, w in zip(first, weights)) % 31) % 31]
lines = ["客户名称,统一社会信用代码,法定代表人,联系人,电话,邮箱,地址,行业,地区,等级,信用额度"]
for n in range(1, rows + 1):
    lines.append(f"上海华信贸易有限公司{n},{code(n)},张三,李四,021-5555{n % 10000:04d},li{n}@example.com,"
                 f"\"上海市浦东新区, {n} 号\",制造,华东,{'VIP A B C'.split()[n % 4]},\"{n % 90 + 10},000.00\"")
text = "\r\n".join(lines) + "\r\n"
open(utf8_path, "wb").write(b"\xef\xbb\xbf" + text.encode("utf-8"))
open(gbk_path, "wb").write(text.encode("gbk"))
PY

run() {
    local label=$1; shift
    local t0 t1 out
    t0=$(now)
    # A refused import exits with 1 and says why on its last line.
    out=$("$bin/dossierd" "$@" --data-dir "$data_dir" 2>&1 | tail -1 || true)
    t1=$(now)
    printf '%-40s %6.2f s   %s\n' "$label" "$(echo "$t1 - $t0" | bc)" "$out"
}
run "import $ROWS rows, UTF-8 BOM, dry run" import customers --file "$work/customers-utf8.csv" --dry-run --as bench.rep
run "import $ROWS rows, GBK, dry run" import customers --file "$work/customers-gbk.csv" --encoding gbk --dry-run --as bench.rep
run "import $ROWS rows, GBK (auto)" import customers --file "$work/customers-gbk.csv" --as bench.rep
run "import again: every row a duplicate" import customers --file "$work/customers-utf8.csv" --dry-run --as bench.rep
run "export customers, GBK CSV" export customers --as bench.rep --output "$work/out.csv" --encoding gbk
run "export customers, .xlsx" export customers --as bench.rep --output "$work/out.xlsx"
echo "files: $(wc -c <"$work/out.csv") bytes CSV, $(wc -c <"$work/out.xlsx") bytes xlsx"
echo "customers in the database: $(sql -Atc 'SELECT count(*) FROM dossier.customers')"
