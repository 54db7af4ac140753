#!/usr/bin/env bash
# Benchmark of CUSTOMER FIND at scale (issue 4): p50/p95 per needle for two- and
# three-character Chinese needles; the goal is p95 < 50 ms.
#
#   deploy/bench/customer-find.sh            # 1,000,000 customers, 5 s per needle and role
#   ROWS=100000 SECONDS_PER_NEEDLE=2 deploy/bench/customer-find.sh
#
# What it does:
#   1. a throwaway PostgreSQL cluster (initdb/pg_ctl as the postgres user, socket
#      under /tmp, no TCP), removed at exit;
#   2. the schema: every file of migrations/ in order, each in one transaction,
#      as the superuser (what `dossierd migrate` does);
#   3. ROWS generated company names (region + 2–4 common characters + a suffix
#      such as 贸易有限公司), with details (credit code, contact, phone, grade),
#      300 reps in 10 departments; search indexes rebuilt after the load; ANALYZE;
#   4. for each needle, as a rep and as a director: pgbench (one client, prepared
#      statements, as the daemon's role dossier_app) running the daemon's exact
#      transaction: BEGIN; SELECT dossier.begin_command(uid); <FIND SQL>; COMMIT.
#      The FIND SQL is read from CustomerSearch.swift, so it is the daemon's own.
# Prints per needle: customers whose name contains it, p50, p95, transactions;
# then p50/p95 per needle length with all needles of that length pooled.
# Needs: postgresql (initdb, pg_ctl, pgbench, psql), runuser when run as root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The report (stdout) is also kept under deploy/bench/results/.
mkdir -p "$ROOT/deploy/bench/results"
exec > >(tee "$ROOT/deploy/bench/results/customer-find-$(date -u +%F).txt")
ROWS=${ROWS:-1000000}
SECONDS_PER_NEEDLE=${SECONDS_PER_NEEDLE:-5}
LIMIT=${LIMIT:-20}
BIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$BIN/pg_ctl" ] || BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PATH="$BIN:$PATH"

WORK=$(mktemp -d /tmp/customer-find-bench.XXXXXX)
PORT=$((50000 + RANDOM % 10000))
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$WORK"; runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    as_pg pg_ctl stop -m fast -w -D "$WORK/data" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

export PGHOST="$WORK" PGPORT="$PORT" PGDATABASE=bench
as_pg initdb -D "$WORK/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
as_pg pg_ctl start -w -D "$WORK/data" -l "$WORK/server.log" \
    -o "-c listen_addresses='' -k $WORK -p $PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" >/dev/null
createdb -U postgres bench

started=$(date +%s)
{
    echo "CREATE SCHEMA dossier_meta; CREATE TABLE dossier_meta.migrations (version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL);"
    for file in "$ROOT"/migrations/*.sql; do echo "BEGIN;"; cat "$file"; echo; echo "COMMIT;"; done
    echo "ALTER ROLE dossier_app LOGIN;"
} | psql -U postgres -q -v ON_ERROR_STOP=1 >/dev/null

psql -U postgres -q -v ON_ERROR_STOP=1 -v rows="$ROWS" <<'GENERATE'
\set ON_ERROR_STOP on
SET search_path = dossier, public;
SET maintenance_work_mem = '256MB';
SET synchronous_commit = off;
-- Departments, one manager and 30 reps each.
INSERT INTO departments (code, name)
SELECT 'D' || d, '办事处' || d FROM generate_series(1, 10) d ON CONFLICT DO NOTHING;
INSERT INTO users (login, name, dept_id, role, password_hash)
SELECT 'rep' || d || '.' || r, '代表' || d || '-' || r, (SELECT id FROM departments WHERE code = 'D' || d), 'rep', '$2a$10$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
  FROM generate_series(1, 10) d, generate_series(1, 30) r;
INSERT INTO users (login, name, dept_id, role, password_hash)
SELECT 'mgr' || d, '经理' || d, (SELECT id FROM departments WHERE code = 'D' || d), 'manager', '$2a$10$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
  FROM generate_series(1, 10) d;
INSERT INTO users (login, name, dept_id, role, password_hash)
SELECT 'director', '总监', (SELECT id FROM departments WHERE code = 'D1'), 'director', '$2a$10$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';

CREATE TEMP TABLE reps AS
SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, dept_id FROM users WHERE role = 'rep';

-- Save and drop the search indexes; rebuilt after the load (much faster than row by row).
CREATE TEMP TABLE saved_indexes AS
SELECT indexname, indexdef FROM pg_indexes
 WHERE schemaname = 'dossier' AND tablename IN ('customers', 'customer_details')
   AND indexname NOT LIKE '%pkey' AND indexname NOT IN ('customers_number_key', 'customer_details_credit_code_key');
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexname FROM saved_indexes LOOP EXECUTE format('DROP INDEX dossier.%I', r.indexname); END LOOP;
END $$;

CREATE FUNCTION pg_temp.pick(chars text, seed bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT substr(chars, 1 + (abs(hashint8(seed)) % length(chars))::int, 1) $$;
CREATE FUNCTION pg_temp.pick_word(words text[], seed bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT words[1 + (abs(hashint8(seed)) % cardinality(words))::int] $$;
-- GB 32100-2015 check character for 17 characters.
CREATE FUNCTION pg_temp.credit_code(first17 text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT first17 || substr('0123456789ABCDEFGHJKLMNPQRTUWXY', (1 + (31 - s % 31) % 31)::int, 1)
    FROM (SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, i, 1)) - 1)
                     * (ARRAY[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28])[i]) AS s
            FROM generate_series(1, 17) i) x
$$;

\set regions '{上海,北京,深圳,广州,杭州,南京,苏州,成都,重庆,武汉,西安,天津,长沙,郑州,青岛,宁波,厦门,福州,合肥,济南,沈阳,大连,哈尔滨,长春,昆明,南宁,贵阳,南昌,石家庄,太原,无锡,佛山,东莞,温州,常州,烟台,珠海,中山,泉州,嘉兴}'
\set suffixes '{贸易有限公司,科技有限公司,实业有限公司,商贸有限公司,电子有限公司,信息技术有限公司,机械制造有限公司,建设工程有限公司,物流有限公司,食品有限公司,医药有限公司,化工有限公司,投资管理有限公司,文化传媒有限公司,服装有限公司,进出口有限公司,新材料股份有限公司,环保科技有限公司,餐饮管理有限公司,汽车销售服务有限公司}'
\set chars '华信达通源泰恒盛丰瑞德隆兴旺昌鑫荣鼎宏伟新和安康美佳嘉利顺发金银宝玉天地海洋山川东西南北中国民众联合创博智慧科远航星光明辉月日阳春秋晨曦云雨雪风雷电龙凤麟鹏鹰虎豹狮象马牛羊鸿福寿喜乐祥瑞吉庆丰收盈益汇聚聚力同心诚实正大方圆长青松柏竹梅兰菊杨柳林森木火土水石峰岭江河湖泊港湾桥路城乡村镇州府京沪津渝粤闽浙苏皖鲁豫鄂湘赣晋冀辽吉黑蒙桂琼川黔滇藏陕甘青宁新台港澳一二三四五六七八九百千万亿元亨贞吉祥如意宜家居品尚优越卓越精工匠心致远立本固基开拓进取永恒久远腾飞跃升宇宙环球世纪时代先锋前沿领航启明新锐蓝图彩虹绿洲翠微碧水清泉甘霖沃土良田金穗银河星辰曜晖灿烂锦绣华章雅韵书香墨宝丹青翰林学府思源'
\set surnames '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'
\set given '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌波宁建国志辉海燕雪梅琳丹婷浩宇晨欣怡子涵梓轩雨泽思远佳琪'

INSERT INTO customers (number, name, owner_id, dept_id, created_at, updated_at)
SELECT 'C-' || (2015 + i / 99999) || '-' || lpad((i % 99999 + 1)::text, 5, '0'),
       pg_temp.pick_word(:'regions'::text[], i * 7 + 1)
         || pg_temp.pick(:'chars', i * 11 + 2) || pg_temp.pick(:'chars', i * 13 + 3)
         || CASE WHEN abs(hashint8(i * 17)) % 3 >= 1 THEN pg_temp.pick(:'chars', i * 19 + 4) ELSE '' END
         || CASE WHEN abs(hashint8(i * 23)) % 3 = 2 THEN pg_temp.pick(:'chars', i * 29 + 5) ELSE '' END
         || pg_temp.pick_word(:'suffixes'::text[], i * 31 + 6),
       r.id, r.dept_id, now(), now()
  FROM generate_series(0, :rows - 1) i
  JOIN reps r ON r.k = abs(hashint8(i * 37)) % 300;

INSERT INTO customer_details (customer_id, kind, credit_code, contact, phone, region, grade, credit_limit_fen)
SELECT c.id, 'company',
       pg_temp.credit_code('91' || (310000 + abs(hashint8(c.id)) % 600000)::text || lpad(c.id::text, 9, '0')),
       pg_temp.pick(:'surnames', c.id * 41) || pg_temp.pick(:'given', c.id * 43)
         || CASE WHEN c.id % 2 = 0 THEN pg_temp.pick(:'given', c.id * 47) ELSE '' END,
       '1' || (30 + abs(hashint8(c.id * 53)) % 60)::text || lpad((abs(hashint8(c.id * 59)) % 100000000)::text, 8, '0'),
       (SELECT r FROM unnest(:'regions'::text[]) r WHERE c.name LIKE r || '%' LIMIT 1),
       (ARRAY['VIP','A','B','C'])[1 + abs(hashint8(c.id * 61)) % 4],
       (abs(hashint8(c.id * 67)) % 1000000) * 100
  FROM customers c;

INSERT INTO customer_counters (year, last_no)
SELECT substr(number, 3, 4)::int, max(substr(number, 8)::int) FROM customers GROUP BY 1
ON CONFLICT (year) DO UPDATE SET last_no = EXCLUDED.last_no;

DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexdef FROM saved_indexes LOOP EXECUTE r.indexdef; END LOOP;
END $$;
VACUUM ANALYZE customers;
VACUUM ANALYZE customer_details;
GENERATE
generated=$(date +%s)

# The daemon's FIND statement, verbatim; $1 → :needle, $2 → :lim for pgbench.
FIND_SQL=$(sed -n '/static let findSQL = """/,/^        """/p' "$ROOT/Sources/DossierServer/Commands/Customers/CustomerSearch.swift" \
    | sed '1d;$d' | sed 's/\$1::text/:needle::text/g; s/\$2::int/:lim::int/g')
printf 'BEGIN;\nSELECT user_id FROM dossier.begin_command(:uid);\n%s;\nCOMMIT;\n' "$FIND_SQL" > "$WORK/find.sql"

REP=$(psql -U postgres -Atc "SELECT id FROM dossier.users WHERE login = 'rep1.1'")
DIRECTOR=$(psql -U postgres -Atc "SELECT id FROM dossier.users WHERE login = 'director'")
TWO=(华信 上海 鑫荣 贸易 星辰 长青 金银 明辉)
THREE=(华信达 科技有 深圳华 信息技 锦绣华 金银宝 上海鑫 东方红)

percentile() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int((NR - 1) * p) + 1; printf "%.1f", v[i] / 1000 }'; }

echo "customer-find benchmark $(date -Iseconds)"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL $(psql -U postgres -Atc 'SHOW server_version')"
echo "rows: $(psql -U postgres -Atc 'SELECT count(*) FROM dossier.customers') customers; schema + generation + indexes + ANALYZE: $((generated - started)) s"
echo "each: pgbench -M prepared -c 1 -T $SECONDS_PER_NEEDLE as dossier_app, limit=$LIMIT; latency of the whole command transaction"
echo
printf '%-8s %-6s %-4s %9s %9s %9s %8s\n' role needle len matches p50_ms p95_ms tx
for role in rep director; do
    uid=$REP; [ "$role" = director ] && uid=$DIRECTOR
    for needle in "${TWO[@]}" "${THREE[@]}"; do
        len=${#needle}
        matches=$(psql -U postgres -Atc "SELECT count(*) FROM dossier.customers WHERE strpos(name, \$n\$$needle\$n\$) > 0")
        rm -f "$WORK"/pgbench_log.*
        (cd "$WORK" && pgbench -U dossier_app -n -M prepared -c 1 -T "$SECONDS_PER_NEEDLE" -l \
            -D uid="$uid" -D needle="$needle" -D lim="$LIMIT" -f "$WORK/find.sql" bench >"$WORK/pgbench.out" 2>&1) \
            || { cat "$WORK/pgbench.out"; exit 1; }
        awk '{ print $3 }' "$WORK"/pgbench_log.* > "$WORK/lat.$role.$needle"
        p50=$(percentile 0.50 < "$WORK/lat.$role.$needle")
        p95=$(percentile 0.95 < "$WORK/lat.$role.$needle")
        echo "$p50" >> "$WORK/p50.$role.$len"
        echo "$p95" >> "$WORK/p95.$role.$len"
        printf '%-8s %s%*s %-4s %9s %9s %9s %8s\n' "$role" "$needle" $((10 - 2 * len)) '' "$len" "$matches" \
            "$p50" "$p95" "$(wc -l < "$WORK/lat.$role.$needle")"
    done
done
echo
echo "per needle length: median of the needles' p50, worst needle's p95 (goal: p95 < 50 ms)"
for role in rep director; do
    for len in 2 3; do
        printf '%-8s len=%s  p50 %s ms  worst p95 %s ms\n' "$role" "$len" \
            "$(sort -n "$WORK/p50.$role.$len" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')" \
            "$(sort -n "$WORK/p95.$role.$len" | tail -1)"
    done
done
