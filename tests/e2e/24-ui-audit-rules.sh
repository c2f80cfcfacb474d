#!/bin/sh
# 24-ui-audit-rules: the "Audit" and "Règles" screens and the dashboard's
# last audit and storage offers, in a real browser (tests/ui/audit-rules.mjs).
# One copy is damaged on disk first: the auditor starts an audit from the
# page, follows it to its report, which names the damaged object, its
# offer and file; the dashboard then shows that audit and the offers.  The
# archivist sends a DUA table where EC-02 lasts 3 years instead of 1, sees
# the units whose DUA end would move while nothing is imported yet,
# confirms, and the new version is in force with the ages recomputed; a
# malformed table is refused with file:line and changes nothing; an
# auditor cannot import.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
EX="$SAE_SHARED/seda/examples"
write_config "[ui]
dir = $SAE_SRCDIR/ui"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
aud=$(new_token auditor aud)

head -c 50000 /dev/urandom > "$T/raw.bin"
seq 1 20000 > "$T/text.txt"
"$MK" "$T/p.zip" --rule EC-02 --final Destroy --start 2024-03-15 \
    --msgid ui-audit --title "Demande d'extrait 2024" "$T/raw.bin" "$T/text.txt"
is "a dossier of two documents under EC-02 (1 year)" 201 "$(post_package "$prod" "$T/p.zip")"
tid=$(header Location); tid=${tid##*/}
http GET "/v1/units?transfer=$tid" "$prod" > /dev/null
root=$(json_get '.units[] | select(.producer_id == "AU0") | .id')
http GET "/v1/units/$root" "$arch" > /dev/null
end0=$(json_get .end_date)
is "its DUA ends a year after its start" 2025-03-15 "$end0"

# The text's copy on vault-a is damaged: one byte changed.
txt=$(sha256sum < "$T/text.txt" | cut -d' ' -f1)
copy() { ls "$DATA/offers/$1/objects/$(echo "$2" | cut -c1-2)/$2"*; }
f=$(copy vault-a "$txt")
off=$(( $(wc -c < "$f") / 2 ))
b=$(od -An -tu1 -j "$off" -N 1 "$f" | tr -d ' ')
printf "\\$(printf %o $(( (b + 1) % 256 )))" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
obj=$(sqlite3 "$DATA/catalog.db" "SELECT id FROM object WHERE sha256 = '$txt'")
like "the damaged object's id" '^[0-9A-Z]{26}$' "$obj"

# The modified table: EC-02 lasts 3 years.
sed 's/^EC-02,\(AppraisalRule,[^,]*,[^,]*\),1,YEAR,/EC-02,\1,3,YEAR,/' \
    "$SAE_SRCDIR/policies/dua-communes.csv" > "$T/dua-ec02-3y.csv"
is "the modified table differs in one line" 1 \
    "$(diff "$SAE_SRCDIR/policies/dua-communes.csv" "$T/dua-ec02-3y.csv" | grep -c '^>')"
http GET /v1/rules "$arch" > /dev/null
v0=$(json_get .version)

browser audit-rules.mjs SAE_ARCH="$arch" SAE_AUD="$aud" SAE_OBJ="$obj" \
    SAE_SHA="$txt" SAE_ROOT="$root" SAE_V0="$v0" SAE_CSV="$T/dua-ec02-3y.csv" \
    SAE_KO="$EX/rules_ko_ruleId_non_unique.csv"

# What the browser did, as the API sees it.
http GET /v1/audits "$aud" > /dev/null
is "one audit, by the auditor, with one problem" "1 aud 1 false" \
    "$(json_get '"\(.audits | length) \(.audits[0].agent) \(.audits[0].problems) \(.audits[0].ok)"')"
aid=$(json_get '.audits[0].id')
is "its report records the journal's chain as whole" "true" \
    "$(jq -r .journal_chain.ok "$DATA/audits/$aid.json")"
http GET /v1/rules "$arch" > /dev/null
is "the table imported in the browser is in force" "$((v0 + 1)) 3" \
    "$(json_get '"\(.version) \(.rules[] | select(.id == "EC-02") | .duration)"')"
is "the import is journaled under the archivist's token name" arch \
    "$(sqlite3 "$DATA/catalog.db" "SELECT agent FROM journal WHERE type = 'RULES_IMPORT' ORDER BY seq DESC LIMIT 1")"
http GET "/v1/units/$root" "$arch" > /dev/null
is "the ages were recomputed: the DUA now ends in 2027" 2027-03-15 "$(json_get .end_date)"
is "the malformed table and the auditor's attempt changed nothing more" \
    "$((v0 + 1))" "$(sqlite3 "$DATA/catalog.db" "SELECT max(id) FROM rule_version")"
stop_saed
check "the journal verifies" admin journal verify
done_testing
