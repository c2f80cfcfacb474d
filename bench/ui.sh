#!/bin/sh
# ui.sh: how long each page of the web interface takes with N units in the
# catalog (default 100,000: 100 transfers of a dossier and its 999
# documents, one object per document, catalog generated in SQL; ages
# computed by sae-admin from DUA rules that spread them over the five;
# disposal lists proposed by sae-admin as the weekly job does).  Each page
# is fetched RUNS times (default 20) by curl with a session cookie, one
# connection each, after a first fetch timed apart (for the dashboard, the
# first after a change to the catalog: saed keeps its holdings until the
# next commit).
# Goal: every page under 100 ms.
# Usage: bench/ui.sh BUILDDIR [UNITS]
set -eu
. "$(dirname "$0")/lib.sh"
bench_init ui "${1:?usage: ui.sh BUILDDIR [UNITS]}" "[ui]
dir = $(cd "$(dirname "$0")/.." && pwd)/ui"
n=${2:-100000}
runs=${RUNS:-20}
admin token create --role producer --name gen > /dev/null
arch=$(admin token create --role archivist --name bench | tail -n 1)
aud=$(admin token create --role auditor --name bench-audit | tail -n 1)

recent=$(date -u -d '2 months ago' +%Y-%m-%d)
echo "== generating $n units"
sqlite3 "$work/data/catalog.db" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < ($n - 1) / 1000)
INSERT INTO transfer (id, seq, producer, message_id, seda_version, package_sha256,
    package_size, status, http_status, received, reply)
SELECT printf('T%025d', i), i + 1, 1, 'gen-' || i, '2.2', 'x', 1, 'OK', 201,
    '2020-01-01T00:00:00Z', 'r' FROM t;
-- Transfer i: agency AG-(i % 20); its dossier's DUA rule by i % 5 gives
-- the ages (sae-admin ages computes them): current, intermediate,
-- definitive (unlimited Keep), disposal (ended, Destroy), review (Sort).
WITH RECURSIVE u(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM u WHERE i < $n - 1)
INSERT INTO unit (seq, id, transfer, xml_id, producer, agency, title, content, created)
SELECT i + 1, printf('A%025d', i), printf('T%025d', i / 1000), 'AU' || (i % 1000), 1,
    'AG-' || (i / 1000 % 20), 'dossier ' || (i / 1000) || ' pièce ' || (i % 1000), '',
    '2020-01-01T00:00:00Z' FROM u;
INSERT INTO declared_rule (transfer, unit, category, rule, start_date, final_action)
SELECT transfer, seq, 'AppraisalRule',
    CASE (seq / 1000) % 5 WHEN 0 THEN 'EC-02' WHEN 1 THEN 'EC-03' WHEN 2 THEN 'EC-01'
        WHEN 3 THEN 'EC-02' ELSE 'AG-05' END,
    CASE (seq / 1000) % 5 WHEN 0 THEN '$recent' WHEN 3 THEN '2020-01-01'
        WHEN 4 THEN '2015-01-01' ELSE '2000-01-01' END, 'Destroy'
FROM unit WHERE (seq - 1) % 1000 = 0;
$(bench_tree_sql)
INSERT INTO hold (id, unit, reason, source, placed_by, placed)
SELECT printf('H%025d', seq), seq, 'bench', 'archivist', 'bench', '2021-01-01T00:00:00Z'
FROM unit WHERE seq % 10007 = 2;
COMMIT;
SQL
admin ages > /dev/null 2> "$work/ages.log"
admin disposal propose > "$work/lists"
printf '%s disposal lists, %s lines\n' "$(wc -l < "$work/lists")" \
    "$(sqlite3 "$work/data/catalog.db" 'SELECT count(*) FROM disposal_line')"

bench_saed
# session TOKEN: a session cookie for it.
session() {
	curl -s -c "$work/login.jar" -o "$work/login.html" "$url/ui/login"
	csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$work/login.html" | head -n 1)
	curl -s -b "$work/login.jar" -o /dev/null -D "$work/login.h" \
	    --data-urlencode "token=$1" --data "csrf=$csrf" "$url/ui/login"
	tr -d '\r' < "$work/login.h" | sed -n 's/^Set-Cookie: \(sae_session=[0-9a-f]*\);.*/\1/Ip'
}
cookie=$(session "$arch")
aud_cookie=$(session "$aud")
[ -n "$cookie" ] && [ -n "$aud_cookie" ] || { echo "cannot sign in" >&2; exit 1; }

list=$(head -n 1 "$work/lists" | awk '{print $1}')
lines=$(sqlite3 "$work/data/catalog.db" "SELECT count(*) FROM disposal_line l JOIN disposal d ON d.seq = l.disposal WHERE d.id = '$list'")
dossier=$(printf 'A%025d' 5000)
doc=$(printf 'A%025d' 5017)

# Ids are Crockford base32, as ours are (no U, no O).
# page WHAT URL: RUNS fetches with $cookie, median and slowest, in ms.
page() {
	first=$(curl -s -o "$work/body" -w '%{http_code} %{time_total}' -H "Cookie: $cookie" "$url$2")
	code=${first% *}
	first=${first#* }
	i=0
	: > "$work/times"
	while [ $i -lt "$runs" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$url$2" >> "$work/times"
		i=$((i + 1))
	done
	sort -n "$work/times" | awk -v what="$1" -v code="$code" -v size="$(wc -c < "$work/body")" -v first="$first" '
	    { t[NR] = $1 * 1000 }
	    END { printf "| %s | %s | %d | %.1f | %.1f | %.1f |\n", what, code, size, first * 1000, t[int((NR + 1) / 2)], t[NR] }'
}

echo "== $runs fetches per page ($n units; list $list has $lines lines)"
echo "| page | status | bytes | first ms | median ms | slowest ms |"
echo "|---|---|---|---|---|---|"
page "Tableau de bord" "/ui/"
page "Unités: first page" "/ui/units"
page "Unités: by title (substring)" "/ui/units?title=pi%C3%A8ce+999"
page "Unités: by agency and age" "/ui/units?agency=AG-6&age=intermediate"
page "Unités: by DUA end dates" "/ui/units?end_from=2020-06-01&end_to=2021-06-01"
page "a dossier (999 documents)" "/ui/units/$dossier"
page "a document" "/ui/units/$doc"
page "À trier" "/ui/review"
page "Éliminations" "/ui/disposals"
page "a disposal list ($lines lines)" "/ui/disposals/$list"
page "Gels" "/ui/holds"
cookie=$aud_cookie page "Audit (as an auditor)" "/ui/audits"
page "Règles" "/ui/rules"
bench_stop
# What a visit right after a change would pay before the scheduler has
# computed the holdings again: the same figures from scratch.
/usr/bin/time -f 'holdings from scratch (sae-admin status, a new process): %e s' \
    "$build/admin/sae-admin" --data "$work/data" --config "$work/saed.conf" status > /dev/null
