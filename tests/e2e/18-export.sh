#!/bin/sh
# 18-export: reversibility.  An export of everything through the API is a
# BagIt 1.0 bag that verifies with its own manifests; its SEDA packages
# validate against the official XSD, its journal chains and its seals
# verify with openssl, its proofs with sae-verify; a fresh instance that imports its DUA table and
# ingests its packages holds the same units, objects, rules and dates.
# sae-admin export selects, shows nothing on a pipe, and resumes after a
# crash; scheduled exports keep the last [export] keep bags.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
write_config "[schedule]
disposal_days = 0"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
aud=$(new_token auditor audit)

# Real samples that are accepted, and generated dossiers of two agencies.
n=0
for f in "$SAMPLES"/*.zip; do
	s=$(post_package "$prod" "$f")
	[ "$s" = 201 ] && n=$((n + 1))
done
like "some real samples archived" "^[1-9]" "$n"
for a in AG-A AG-B; do
	for i in 1 2; do
		head -c 30000 /dev/urandom > "$T/$a-$i.bin"
		"$MK" "$T/$a-$i.zip" --agency "$a" --msgid "$a-$i" --title "$a-$i" \
		    --start 2024-01-01 "$T/$a-$i.bin"
		post_package "$prod" "$T/$a-$i.zip" > /dev/null
	done
done
http GET "/v1/units?limit=1000" "$arch" > /dev/null
cp "$T/body" "$T/units-before.json"
nunits=$(jq '.units | length' "$T/units-before.json")
ntransfers=$(jq '[.units[].transfer] | unique | length' "$T/units-before.json")

is "a producer cannot export" 403 "$(http POST /v1/exports "$prod" -d '{"all": true}')"
is "an auditor cannot export" 403 "$(http POST /v1/exports "$aud" -d '{"all": true}')"
is "a selection is required" 400 "$(http POST /v1/exports "$arch" -d '{}')"
is "an unknown age is refused" 400 "$(http POST /v1/exports "$arch" -d '{"age": "old"}')"
is "export everything: 202" 202 "$(http POST /v1/exports "$arch" -d '{"all": true}')"
id=$(json_get .id)
like "Location names it" "^/v1/exports/$id" "$(header Location)"
for _ in $(seq 1 300); do
	http GET "/v1/exports/$id" "$arch" > /dev/null
	[ "$(json_get .state)" = running ] || break
	sleep 0.2
done
is "the export is done" done "$(json_get .state)"
bag=$(json_get .path)
is "every transfer has its package" "$ntransfers" "$(json_get .summary.packages)"
is "and every unit is counted" "$nunits" "$(json_get .summary.units)"

check "bagit.txt is exactly BagIt 1.0" sh -c "printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' | cmp - '$bag/bagit.txt'"
check "the payload verifies with manifest-sha512.txt" sh -c "cd '$bag' && sha512sum --quiet -c manifest-sha512.txt"
check "the tag files verify with tagmanifest-sha512.txt" sh -c "cd '$bag' && sha512sum --quiet -c tagmanifest-sha512.txt"
oxum=$(sed -n 's/^Payload-Oxum: //p' "$bag/bag-info.txt")
is "Payload-Oxum counts the payload" \
    "$(find "$bag/data" -type f -printf '%s\n' | awk '{s+=$1} END {print s}').$(find "$bag/data" -type f | wc -l)" "$oxum"
is "every payload file is in the manifest once" "$(find "$bag/data" -type f | wc -l)" \
    "$(cut -c131- "$bag/manifest-sha512.txt" | sort -u | wc -l)"
bad=0
for p in "$bag"/data/packages/*.zip; do
	unzip -p "$p" manifest.xml > "$T/m.xml"
	xsd_valid "$T/m.xml" > "$T/xsd.out" 2>&1 || { bad=$((bad + 1)); cat "$T/xsd.out" | head -5; }
done
is "every exported manifest validates against the official XSD" 0 "$bad"
like "LogBook events carry the journal's hashes" "<EventDetailData>sha256:[0-9a-f]{64}</EventDetailData>" \
    "$(for p in "$bag"/data/packages/*.zip; do unzip -p "$p" manifest.xml; done)"
check "the DUA table is there" test -s "$bag/data/rules/dua.csv"
check "the TSA certificates are there" test -s "$bag/data/tsa/ca.pem"
check "the README explains it" grep -q "sha512sum -c manifest-sha512.txt" "$bag/data/README.txt"
is "a proof bundle per unit" "$nunits" "$(ls "$bag/data/proofs" | wc -l)"
bad=0
for p in $(ls "$bag"/data/proofs/*.zip | head -n 5); do
	"$SAE_BUILDDIR/admin/sae-verify" --quiet "$p" > /dev/null 2>&1 || bad=$((bad + 1))
done
is "the exported proofs verify with sae-verify" 0 "$bad"

# The journal: each line's SHA-256 is the next line's prev.
broken=$(awk 'NR > 1' "$bag/data/journal/journal.jsonl" | jq -r .prev | head -n 50 > "$T/prevs";
	head -n 50 "$bag/data/journal/journal.jsonl" | while IFS= read -r l; do
		printf '%s' "$l" | sha256sum | cut -c1-64; done | head -n "$(wc -l < "$T/prevs")" |
	    paste -d' ' - "$T/prevs" | awk '$1 != $2' | wc -l)
is "the exported journal chains" 0 "$broken"
stop_saed	# seals what is left, then check every seal of a new export
start_saed
is "export again after the final seal" 202 "$(http POST /v1/exports "$arch" -d '{"all": true}')"
id2=$(json_get .id)
for _ in $(seq 1 300); do
	http GET "/v1/exports/$id2" "$arch" > /dev/null
	[ "$(json_get .state)" = running ] || break
	sleep 0.2
done
bag2=$(json_get .path)
bad=0; nseal=0
while IFS="$(printf '\t')" read -r seal first last root created; do
	[ "$seal" = seal ] && continue
	nseal=$((nseal + 1))
	openssl ts -verify -digest "$root" -in "$bag2/data/journal/seals/$seal.tsr" \
	    -CAfile "$bag2/data/tsa/ca.pem" > /dev/null 2>&1 || bad=$((bad + 1))
done < "$bag2/data/journal/seals.tsv"
like "seals exported" "^[1-9]" "$nseal"
is "every exported seal verifies with openssl ts -verify" 0 "$bad"

# sae-admin: a selection, then a crash after the first package, resumed.
stop_saed
check "sae-admin export --agency AG-A" admin export --agency AG-A -o "$T/ag-a"
is "only AG-A's two transfers" 2 "$(ls "$T/ag-a/data/packages" | wc -l)"
if "$SAED" --version | grep -q 'crash points enabled'; then
	SAE_CRASHPOINT=export-after-package admin export --all -o "$T/crashed" > /dev/null 2>&1
	check "the crashed export left a partial bag" sh -c "test -f '$T/crashed/.sae-export-id' && ! test -f '$T/crashed/tagmanifest-sha512.txt'"
	first=$(ls "$T/crashed/data/packages" | head -n 1)
	ino=$(stat -c %i "$T/crashed/data/packages/$first")
	check "running it again resumes" admin export --all -o "$T/crashed"
	is "the package written before the crash was kept" "$ino" "$(stat -c %i "$T/crashed/data/packages/$first")"
	check "and the bag verifies" sh -c "cd '$T/crashed' && sha512sum --quiet -c manifest-sha512.txt"
fi
like "an export into a finished bag is refused" "already holds a finished export" \
    "$(admin export --all -o "$T/ag-a" 2>&1; echo "exit $?")"

# Round trip: a fresh instance takes the DUA table and the packages.
DATA="$T/data2"
CONF="$T/saed2.conf"
write_config "[schedule]
disposal_days = 0"
start_saed
prod2=$(new_token producer app)
arch2=$(new_token archivist arch)
check "the exported DUA table imports" admin rules import "$bag/data/rules/dua.csv"
bad=0
for p in "$bag"/data/packages/*.zip; do
	s=$(post_package "$prod2" "$p")
	[ "$s" = 201 ] || { bad=$((bad + 1)); echo "# $p: $s $(reply_code)"; }
done
is "every exported package is ingested again" 0 "$bad"
http GET "/v1/units?limit=1000" "$arch2" > /dev/null
cp "$T/body" "$T/units-after.json"
# units FILE: per unit, title, rule, dates, final action, age, object digests.
units() {
	for u in $(jq -r '.units[].id' "$1"); do
		http GET "/v1/units/$u" "$2" > /dev/null
		jq -c '[.title, .producer_id, .rule, .age, [.objects[]?.sha256] | sort]' "$T/body"
	done | sort
}
units "$T/units-after.json" "$arch2" > "$T/after"
stop_saed
DATA="$T/data"; CONF="$T/saed.conf"
start_saed
units "$T/units-before.json" "$arch" > "$T/before"
is "the same units, rules, dates, ages and objects" "" "$(diff "$T/before" "$T/after")"
is "as many of them" "$(wc -l < "$T/before")" "$(wc -l < "$T/after")"

# Scheduled exports: one at start (never made before), kept to the last one.
stop_saed
cat >> "$CONF" <<CONF
[export]
days = 1
keep = 1
directory = $T/scheduled
CONF
FAKE_DATE="2027-01-10 12:00:00"
start_saed
for _ in $(seq 1 300); do ls "$T/scheduled"/*/tagmanifest-sha512.txt > /dev/null 2>&1 && break; sleep 0.2; done
is "a scheduled export is made" 1 "$(ls -d "$T/scheduled"/*/ 2>/dev/null | wc -l)"
first=$(ls "$T/scheduled")
stop_saed
FAKE_DATE="2027-01-12 12:00:00"
start_saed
for _ in $(seq 1 300); do
	[ "$(ls "$T/scheduled" | grep -v "$first" | wc -l)" -ge 1 ] &&
	    ls "$T/scheduled"/*/tagmanifest-sha512.txt 2>/dev/null | grep -qv "$first" &&
	    ! test -d "$T/scheduled/$first" && break
	sleep 0.2
done
is "two days later, a new one replaces it (keep = 1)" "1 no" \
    "$(ls "$T/scheduled" | wc -l) $(test -d "$T/scheduled/$first" && echo yes || echo no)"
stop_saed
like "both journaled, and the removal" "EXPORT.*EXPORT_PRUNE|EXPORT_PRUNE.*EXPORT" \
    "$(sqlite3 "$DATA/catalog.db" "SELECT group_concat(type, ' ') FROM journal WHERE type LIKE 'EXPORT%'")"
check "the journal verifies" admin journal verify
done_testing
