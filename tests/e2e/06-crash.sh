#!/bin/sh
# 06-crash: a crash at any moment loses no acknowledged transfer and shows
# nothing half-stored; an unacknowledged package can be sent again.
# Uses the SAE_CRASHPOINT hooks of debug builds and plain kill -9.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
write_config
admin token create --role producer --name app > "$T/tok" 2>&1
prod=$(tail -n 1 "$T/tok")
aud=$(admin token create --role auditor --name aud | tail -n 1)

# Every catalog copy row must name a file present on its offer, and every
# object of an alive unit must have its copies.
consistent() {
	sqlite3 "$DATA/catalog.db" "SELECT c.offer, c.sha256 FROM copy c" |
	while IFS='|' read -r offer sha; do
		d="$DATA/offers/$offer/objects/$(echo "$sha" | cut -c1-2)"
		[ -f "$d/$sha" ] || [ -f "$d/$sha.zst" ] || { echo "missing $offer/$sha"; return 1; }
	done
	n=$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM object o WHERE o.physical = 0 \
	    AND NOT EXISTS (SELECT 1 FROM copy c WHERE c.sha256 = o.sha256)")
	[ "$n" -eq 0 ] || { echo "$n object(s) without copies"; return 1; }
}

points="store-before-rename store-after-rename ingest-before-commit"
if ! "$SAED" --version | grep -q 'crash points enabled'; then
	echo "# saed built without --enable-crashpoints: only kill -9 is tested"
	points=
fi
# Both ways a package is read: zip (spooled), tar.gz (read as it comes).
cases=
for point in $points; do cases="$cases $point:zip $point:tar.gz"; done
for case in $cases; do
	point=${case%%:*}; fmt=${case#*:}
	echo "crash at $point" > "$T/c.txt"
	"$MK" "$T/c.zip" --format "$fmt" --msgid "crash-$point-$fmt" "$T/c.txt"
	start_saed SAE_CRASHPOINT="$point"
	code=$(post_package "$prod" "$T/c.zip")
	wait "$SAED_PID" 2>/dev/null; SAED_PID=
	point="$point ($fmt)"
	is "$point: the daemon died before answering" 000 "$code"
	start_saed
	http GET /v1/units "$aud" >/dev/null
	is "$point: after restart no unit of the unanswered transfer is visible" 0 \
	    "$(json_get "[.units[] | select(.title == \"Dossier de test\")] | length")"
	check "$point: catalog and storage agree" consistent
	is "$point: the spool was emptied" 0 "$(ls "$DATA/spool" | wc -l)"
	is "$point: no temporary file is left on the offers" 0 \
	    "$(find "$DATA"/offers/*/tmp -type f | wc -l)"
	is "$point: the same package sent again is archived" 201 "$(post_package "$prod" "$T/c.zip")"
	tid=$(header Location); tid=${tid##*/}
	http GET "/v1/units?transfer=$tid" "$aud" >/dev/null
	is "$point: with its 2 units" 2 "$(json_get '.units | length')"
	stop_saed
	rm -rf "$DATA"
	admin token create --role producer --name app > "$T/tok" 2>&1
	prod=$(tail -n 1 "$T/tok")
	aud=$(admin token create --role auditor --name aud | tail -n 1)
done

# kill -9 in the middle of a burst of concurrent ingests.
start_saed
for w in 1 2 3; do
	(
		i=0
		while [ $i -lt 200 ]; do
			i=$((i + 1))
			echo "doc $w-$i $(date +%s%N)" > "$T/w$w.txt"
			"$MK" "$T/w$w.zip" --msgid "burst-$w-$i" "$T/w$w.txt" || exit 0
			code=$(curl -s -o "$T/w$w.reply" -D "$T/w$w.h" -w '%{http_code}' \
			    -H "Authorization: Bearer $prod" -H 'Content-Type: application/zip' \
			    --data-binary @"$T/w$w.zip" "$URL/v1/transfers") || true
			if [ "$code" = 201 ]; then
				tr -d '\r' < "$T/w$w.h" | sed -n 's|^Location: /v1/transfers/||p' >> "$T/acked"
			fi
		done
	) &
done
sleep 2
kill -9 "$SAED_PID"; wait "$SAED_PID" 2>/dev/null; SAED_PID=
wait
acked=$(wc -l < "$T/acked" | tr -d ' ')
echo "# $acked transfer(s) acknowledged before kill -9"
[ "$acked" -gt 0 ] && ok "some transfers were acknowledged before the kill" || not_ok "no transfer acknowledged before the kill"
start_saed
missing=0
while read -r tid; do
	c=$(http GET "/v1/transfers/$tid" "$aud")
	http GET "/v1/units?transfer=$tid" "$aud" >/dev/null
	n=$(json_get '.units | length')
	[ "$c" = 200 ] && [ "$n" = 2 ] || missing=$((missing + 1))
done < "$T/acked"
is "after kill -9 every acknowledged transfer is there, whole" 0 "$missing"
check "catalog and storage agree after kill -9" consistent
out=$(admin journal verify)
like "the journal chain holds after kill -9" "journal: OK" "$out"
done_testing
