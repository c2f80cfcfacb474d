#!/bin/sh
# 04-rules: the DUA table: imports by CLI and API, malformed files refused
# with file:line and changing nothing, a rule in use cannot disappear,
# rule checks at ingest.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

EX="$SAE_SHARED/seda/examples"
start_saed
adm=$(new_token admin admin)
arch=$(new_token archivist archiviste)
prod=$(new_token producer app)

http GET /v1/rules "$adm" >/dev/null
v0=$(json_get .version)
out=$(admin rules import "$EX/rules_ko_ruleId_non_unique.csv" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "duplicate rule id: refused" || not_ok "duplicate rule id: refused"
like "with file:line and the id" "rules_ko_ruleId_non_unique.csv:[0-9]+: .*ACC-00001" "$out"
out=$(admin rules import "$EX/rules_ko_colonne_absente.csv" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "missing column: refused" || not_ok "missing column: refused"
like "with file:line and the column" "rules_ko_colonne_absente.csv:1: .*RuleType" "$out"
is "API: a malformed table is refused with 422" 422 "$(http POST /v1/rules "$arch" \
    -H 'Content-Type: text/csv' --data-binary @"$EX/rules_ko_colonne_absente.csv")"
like "and the reason" "RuleType" "$(cat "$T/body")"
is "API: a table must be sent as text/csv" 415 "$(http POST /v1/rules "$arch" \
    -H 'Content-Type: application/json' --data-binary @"$EX/rules_ok.csv")"
http GET /v1/rules "$adm" >/dev/null
is "failed imports changed nothing" "$v0" "$(json_get .version)"
is "still the 55 rules of dua-communes.csv" 55 "$(json_get '.rules | length')"

out=$(admin rules import "$EX/rules_ok.csv" 2>&1)
like "rules_ok.csv (quoted multi-line fields, Year/YEAR) imports" "imported as version" "$out"
http GET /v1/rules "$adm" >/dev/null
is "67 rules" 67 "$(json_get '.rules | length')"
is "all seven rule types" 7 "$(json_get '[.rules[].type] | unique | length')"
is "a multi-line description is kept" 1 \
    "$(json_get '[.rules[] | select(.id == "APP-00001") | .description | test("\n")] | map(select(.)) | length')"
is "back to the communes table through the API (archivist)" 201 "$(http POST /v1/rules "$arch" \
    -H 'Content-Type: text/csv' --data-binary @"$SAE_SRCDIR/policies/dua-communes.csv")"
is "the API answers with the new table" 55 "$(json_get '.rules | length')"
like "Sort and unlimited are kept" "unlimited" "$(json_get '[.rules[] | select(.id == "EC-01") | .duration] | .[0]')"

echo "acte" > "$T/acte.txt"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/ok.zip" --rule EC-02 --start 2024-03-15 "$T/acte.txt"
is "a package naming EC-02 is archived" 201 "$(post_package "$prod" "$T/ok.zip")"
tid=$(header Location); tid=${tid##*/}
http GET "/v1/units?transfer=$tid" "$prod" >/dev/null
root=$(json_get '.units[] | select(.producer_id == "AU0") | .id')
child=$(json_get '.units[] | select(.producer_id == "AU1") | .id')
http GET "/v1/units/$root" "$prod" >/dev/null
is "the unit has its appraisal rule" EC-02 "$(json_get .rule)"
is "its start date" 2024-03-15 "$(json_get .start_date)"
is "its end date (1 year)" 2025-03-15 "$(json_get .end_date)"
is "its final action from the DUA table" Destroy "$(json_get .final_action)"
http GET "/v1/units/$child" "$prod" >/dev/null
is "the child inherits the rule" EC-02 "$(json_get .rule)"
is "and the end date" 2025-03-15 "$(json_get .end_date)"
is "parent link" "$root" "$(json_get .parent)"

# The DUA table's final action wins where it protects more (Keep > Sort >
# Destroy), with a WARNING naming both.
final_of() {	# final_of RULE DECLARED: the unit's final action and the ReplyCode
	"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/f.zip" --rule "$1" --final "$2" \
	    --msgid "final-$1-$2" "$T/acte.txt"
	post_package "$prod" "$T/f.zip" >/dev/null
	code=$(reply_code)
	cp "$T/body" "$T/final.xml"
	tid=$(header Location); tid=${tid##*/}
	http GET "/v1/units?transfer=$tid" "$prod" >/dev/null
	echo "$(json_get '.units[] | select(.producer_id == "AU0") | .final_action') $code"
}
is "EC-01 (Keep) declared Destroy: Keep, WARNING" "Keep WARNING" "$(final_of EC-01 Destroy)"
like "the warning names both" "prévoit le sort final Keep, le paquet déclare Destroy" "$(cat "$T/final.xml")"
is "AG-05 (Sort) declared Destroy: Sort, WARNING" "Sort WARNING" "$(final_of AG-05 Destroy)"
is "EC-02 (Destroy) declared Keep: Keep, WARNING" "Keep WARNING" "$(final_of EC-02 Keep)"
is "EC-02 (Destroy) declared Destroy: Destroy, OK" "Destroy OK" "$(final_of EC-02 Destroy)"

# The age of a unit from its effective rules, at ingest (today's date).
age_of() {	# age_of RULE START FINAL: the dossier's age and end date
	"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/age.zip" --rule "$1" --start "$2" \
	    --final "$3" --msgid "age-$1-$2" "$T/acte.txt"
	post_package "$prod" "$T/age.zip" >/dev/null
	tid=$(header Location); tid=${tid##*/}
	http GET "/v1/units?transfer=$tid" "$prod" >/dev/null
	echo "$(json_get '.units[] | select(.producer_id == "AU0") | "\(.age) \(.end_date)"')"
}
is "EC-02 (1 year, Destroy) from 2020-01-01: disposal" "disposal 2021-01-01" \
    "$(age_of EC-02 2020-01-01 Destroy)"
is "EC-01 (unlimited, Keep) from 2020-01-01: definitive" "definitive null" \
    "$(age_of EC-01 2020-01-01 Keep)"
is "AG-05 (5 years, Sort) from 2020-01-01: review" "review 2025-01-01" \
    "$(age_of AG-05 2020-01-01 Destroy)"
is "EC-03 (50 years) from 2020-01-01: intermediate" "intermediate 2070-01-01" \
    "$(age_of EC-03 2020-01-01 Destroy)"
is "EC-03 without a start date: current, no end" "current null" \
    "$(age_of EC-03 none Destroy)"
is "the child unit has the age of its dossier" \
    "disposal" "$(age_of EC-02 2019-06-30 Destroy >/dev/null; \
    json_get '.units[] | select(.producer_id == "AU1") | .age')"

out=$(admin rules import "$EX/rules_ok.csv" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "a table without EC-02 is refused while a unit uses it" \
    || not_ok "a table without EC-02 is refused while a unit uses it"
like "and says so" "EC-02.*used by archived units" "$out"

"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/unknown.zip" --rule NOPE-1 --msgid unknown "$T/acte.txt"
is "an unknown rule: KO" 422 "$(post_package "$prod" "$T/unknown.zip")"
like "naming the rule" "NOPE-1.*n'existe pas" "$(cat "$T/body")"
# A rule of the wrong category: an AccessRule id named as AppraisalRule.
cp "$SAE_SRCDIR/policies/dua-communes.csv" "$T/mixed.csv"
printf 'ACC-00001,AccessRule,Communicabilité,,25,YEAR,,,\n' >> "$T/mixed.csv"
check "a table with an AccessRule added imports" admin rules import "$T/mixed.csv"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/wrong.zip" --rule ACC-00001 --msgid wrong "$T/acte.txt"
is "an AccessRule named as AppraisalRule: KO" 422 "$(post_package "$prod" "$T/wrong.zip")"
like "saying which category" "ACC-00001.*AppraisalRule.*AccessRule" "$(cat "$T/body")"
out=$(admin journal verify)
like "imports are journaled in a chain that holds" "journal: OK" "$out"
check "each successful import is a journal entry" sh -c \
    "sqlite3 '$DATA/catalog.db' \"select count(*) from journal where type='RULES_IMPORT'\" | grep -qx 4"
done_testing
