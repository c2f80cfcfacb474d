#!/bin/sh
# ages.sh: recomputing the ages of N units (default 1,000,000, in 1,000
# transfers of a dossier and its documents, catalog generated in SQL), and
# an age query by agency and DUA end dates through the API.
# Goals: recomputation under 10 s on 2 cores; the query under 50 ms.
# The units are first given what ingest writes (effective rule, dates, age)
# as of their ingest date, 1989-12-31, when all are current: sae-admin ages
# run on that date (libfaketime) writes exactly that.  On today's date every
# unit then changes age.  The earlier worst case (units without rule or
# dates, as the SQL leaves them: every row grows) is timed last.
# Usage: bench/ages.sh BUILDDIR [UNITS]
set -eu
. "$(dirname "$0")/lib.sh"
bench_init ages "${1:?usage: ages.sh BUILDDIR [UNITS]}"
n=${2:-1000000}
tok=$(admin token create --role archivist --name bench | tail -n 1)
admin token create --role producer --name gen > /dev/null

echo "== generating $n units"
t0=$(date +%s.%N)
sqlite3 "$work/data/catalog.db" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < ($n - 1) / 1000)
INSERT INTO transfer (id, seq, producer, message_id, seda_version, package_sha256,
    package_size, status, http_status, received, reply)
SELECT printf('T%025d', i), i + 1, 2, 'gen-' || i, '2.2', 'x', 1, 'OK', 201, 'now', 'r' FROM t;
WITH RECURSIVE u(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM u WHERE i < $n - 1)
INSERT INTO unit (seq, id, transfer, xml_id, producer, agency, title, content, created)
SELECT i + 1, printf('A%025d', i), printf('T%025d', i / 1000), 'AU' || (i % 1000), 2,
    'AG-' || (i / 1000 % 50), 'unité ' || i, '', 'now' FROM u;
INSERT INTO unit_parent (unit, parent)
SELECT seq, seq - ((seq - 1) % 1000) FROM unit WHERE (seq - 1) % 1000 <> 0;
INSERT INTO declared_rule (transfer, unit, category, rule, start_date, final_action)
SELECT transfer, seq, 'AppraisalRule',
    CASE (seq / 1000) % 5 WHEN 0 THEN 'EC-02' WHEN 1 THEN 'EC-03' WHEN 2 THEN 'EC-01'
        WHEN 3 THEN 'AG-05' ELSE 'CO-04' END,
    date('1990-01-01', '+' || ((seq / 1000) * 13 % 15000) || ' days'), 'Destroy'
FROM unit WHERE (seq - 1) % 1000 = 0;
COMMIT;
SQL
sqlite3 "$work/data/catalog.db" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
cp -R "$work/data" "$work/bare"
t1=$(date +%s.%N)
printf 'generated in %.1f s\n' "$(echo "$t1 - $t0" | bc)"

faketime=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 | head -n 1)
echo "== the units as ingest left them on 1989-12-31 (sae-admin ages then)"
LD_PRELOAD="$faketime" FAKETIME="@1989-12-31 12:00:00" \
    FAKETIME_DONT_FAKE_MONOTONIC=1 "$build/admin/sae-admin" --data \
    "$work/data" --config "$work/saed.conf" ages | head -n 2

timed() {	# timed COMMAND...: its output's first line, wall, CPU, RSS
	/usr/bin/time -f '%e s wall, %U + %S s CPU, peak RSS %M KiB' \
	    -o "$work/time" "$@" | head -n 1
	cat "$work/time"
}
echo "== recomputing the ages of $n units today: every unit changes age"
sadmin="$build/admin/sae-admin --data $work/data --config $work/saed.conf"
timed $sadmin ages
echo "== again, nothing to change"
timed $sadmin ages
echo "== worst case: every unit gets its rule and dates too (rows grow)"
timed "$build/admin/sae-admin" --data "$work/bare" --config "$work/saed.conf" \
    ages
rm -rf "$work/bare"

echo "== an age query by agency and DUA end dates, through the API"
bench_saed
q="$url/v1/units?agency=AG-8&end_from=1995-01-01&end_to=2025-12-31&limit=100"
curl -s -o /dev/null -H "Authorization: Bearer $tok" "$q"
for i in 1 2 3 4 5; do
	curl -s -o "$work/q" -w '%{time_total}\n' -H "Authorization: Bearer $tok" "$q"
done | sort -n | awk '{a[NR]=$1} END {printf "5 queries: median %.1f ms, max %.1f ms\n", a[3]*1000, a[5]*1000}'
printf '%s units in the answer\n' "$(jq '.units | length' "$work/q")"
