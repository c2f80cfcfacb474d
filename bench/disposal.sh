#!/bin/sh
# disposal.sh: proposing disposal lists from N units (default 1,000,000, in
# 1,000 transfers of a dossier and its documents, one object per document,
# catalog generated in SQL) of which a tenth are due for destruction, with
# a few holds; the lists are made by sae-admin disposal propose (the same
# code as POST /v1/disposals and the weekly job).
# Goal: under 10 s on 2 cores for 1,000,000 units with 100,000 eligible.
# Usage: bench/disposal.sh BUILDDIR [UNITS]
set -eu
. "$(dirname "$0")/lib.sh"
bench_init disposal "${1:?usage: disposal.sh BUILDDIR [UNITS]}"
n=${2:-1000000}
admin token create --role producer --name gen > /dev/null

echo "== generating $n units, a tenth of them due for destruction"
t0=$(date +%s.%N)
sqlite3 "$work/data/catalog.db" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < ($n - 1) / 1000)
INSERT INTO transfer (id, seq, producer, message_id, seda_version, package_sha256,
    package_size, status, http_status, received, reply)
SELECT printf('T%025d', i), i + 1, 1, 'gen-' || i, '2.2', 'x', 1, 'OK', 201, 'now', 'r' FROM t;
-- Transfers 0, 10, 20... are due: age disposal; the others are not.
WITH RECURSIVE u(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM u WHERE i < $n - 1)
INSERT INTO unit (seq, id, transfer, xml_id, producer, agency, title, content,
    rule, rule_start, rule_end, final_action, age, created)
SELECT i + 1, printf('A%025d', i), printf('T%025d', i / 1000), 'AU' || (i % 1000), 1,
    'AG-' || (i / 1000 % 20), 'unité ' || i, '', 'EC-02', '2020-01-01', '2021-01-01',
    'Destroy', CASE WHEN (i / 1000) % 10 = 0 THEN 'disposal' ELSE 'intermediate' END,
    'now' FROM u;
$(bench_tree_sql)
-- Ten holds on documents of due dossiers: those dossiers stay.
INSERT INTO hold (id, unit, reason, source, placed_by, placed)
SELECT printf('H%025d', seq), seq, 'bench', 'archivist', 'bench', 'now'
FROM unit WHERE seq IN (2, 10002, 20002, 30002, 40002, 50002, 60002, 70002, 80002, 90002);
COMMIT;
SQL
t1=$(date +%s.%N)
printf 'generated in %.1f s\n' "$(echo "$t1 - $t0" | bc)"

echo "== proposing the lists (sae-admin disposal propose)"
/usr/bin/time -f '%e s, peak RSS %M KiB' -o "$work/time" \
    "$build/admin/sae-admin" --data "$work/data" --config "$work/saed.conf" \
    disposal propose > "$work/ids"
cat "$work/time"
printf '%s lists, %s lines (expected %s)\n' "$(wc -l < "$work/ids")" \
    "$(sqlite3 "$work/data/catalog.db" 'SELECT count(*) FROM disposal_line')" \
    "$(( n / 10 - 20 ))"
echo "== again: nothing new to propose"
/usr/bin/time -f '%e s, peak RSS %M KiB' -o "$work/time" \
    "$build/admin/sae-admin" --data "$work/data" --config "$work/saed.conf" \
    disposal propose | head -n 1
cat "$work/time"
