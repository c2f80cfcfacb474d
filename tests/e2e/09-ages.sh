#!/bin/sh
# 09-ages: every unit reaches each age on the right day, computed from the
# DUA table when saed starts and on demand, with the daemon's clock moved
# over decades by libfaketime; every change of age is journaled.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
FAKE_DATE="2030-01-15 12:00:00"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
echo "acte" > "$T/a.txt"

# dossier RULE FINAL NAME: a dossier whose DUA starts on 2030-01-01.
dossier() {
	"$MK" "$T/$3.zip" --rule "$1" --final "$2" --start 2030-01-01 \
	    --msgid "$3" --title "$3" "$T/a.txt"
	is "$3 ($1) archived on 2030-01-15" 201 "$(post_package "$prod" "$T/$3.zip")"
}
dossier EC-02 Destroy destroy-1y	# 1 year, Destroy
dossier EC-03 Destroy destroy-50y	# 50 years, Destroy
dossier EC-01 Keep keep-unlimited	# unlimited, Keep
dossier AG-05 Destroy sort-5y		# 5 years, Sort (the table wins)

# A dossier whose second document blocks the inherited DUA and declares
# its own, kept for ever.
cat > "$T/m.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2030-01-15T10:00:00</Date><MessageIdentifier>blocked</MessageIdentifier>
  <CodeListVersions/>
  <DataObjectPackage>
    <DescriptiveMetadata>
      <ArchiveUnit id="D"><Management><AppraisalRule><Rule>EC-02</Rule>
        <StartDate>2030-01-01</StartDate><FinalAction>Destroy</FinalAction></AppraisalRule></Management>
        <Content><Title>blocked</Title></Content>
        <ArchiveUnit id="KEPT"><Management><AppraisalRule><Rule>EC-01</Rule>
          <StartDate>2030-01-01</StartDate><PreventInheritance>true</PreventInheritance>
          <FinalAction>Keep</FinalAction></AppraisalRule></Management>
          <Content><Title>kept</Title></Content></ArchiveUnit>
        <ArchiveUnit id="PLAIN"><Content><Title>plain</Title></Content></ArchiveUnit>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata/>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>SAE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>APP</Identifier></TransferringAgency>
</ArchiveTransfer>
XML
rm -rf "$T/b" && mkdir -p "$T/b" && cp "$T/m.xml" "$T/b/manifest.xml"
(cd "$T/b" && bsdtar --format zip -cf "$T/blocked.zip" manifest.xml)
is "a dossier with PreventInheritance below it: archived" 201 "$(post_package "$prod" "$T/blocked.zip")"

# ages: the age of every dossier and sub-unit, as "title=age" sorted.
ages() {
	http GET "/v1/units?limit=1000" "$arch" >/dev/null
	json_get '[.units[] | select(.title != "a.txt") | "\(.title)=\(.age)"] | sort | join(" ")'
}
# at DATE EXPECTED: restarts saed on DATE and checks the ages.
at() {
	stop_saed
	FAKE_DATE="$1 12:00:00"
	start_saed
	is "on $1" "$2" "$(ages)"
}
at 2030-06-01 "blocked=current destroy-1y=current destroy-50y=current keep-unlimited=current kept=current plain=current sort-5y=current"
is "GET /v1/stats: 11 units, all current" "11 11" \
    "$(http GET /v1/stats "$arch" >/dev/null; json_get '"\(.total.units) \(.by_age.current.units)"')"
is "by agency and by rule" "8 3 3" \
    "$(json_get '"\(.by_agency["AG-TEST"].units) \(.by_agency["-"].units) \(.by_rule["EC-01"].units)"')"
is "no change of age within 30 days" "0 0" \
    "$(json_get '.transitions.next_30_days | "\(.end_of_dua) \(.end_of_current_use)"')"
is "within 365 days: 4 DUA ends, 7 ends of current use" "4 7" \
    "$(json_get '.transitions.next_365_days | "\(.end_of_dua) \(.end_of_current_use)"')"
like "sae-admin status says the same" "within 365 days .*: 4 end of DUA, 7 end of current use" \
    "$(fake "$FAKE_DATE" "$ADMIN" --data "$DATA" --config "$CONF" status)"
at 2030-12-31 "blocked=current destroy-1y=current destroy-50y=current keep-unlimited=current kept=current plain=current sort-5y=current"
at 2031-01-01 "blocked=disposal destroy-1y=disposal destroy-50y=intermediate keep-unlimited=definitive kept=definitive plain=disposal sort-5y=intermediate"
at 2034-12-31 "blocked=disposal destroy-1y=disposal destroy-50y=intermediate keep-unlimited=definitive kept=definitive plain=disposal sort-5y=intermediate"
at 2035-01-01 "blocked=disposal destroy-1y=disposal destroy-50y=intermediate keep-unlimited=definitive kept=definitive plain=disposal sort-5y=review"
at 2079-12-31 "blocked=disposal destroy-1y=disposal destroy-50y=intermediate keep-unlimited=definitive kept=definitive plain=disposal sort-5y=review"
at 2080-01-01 "blocked=disposal destroy-1y=disposal destroy-50y=disposal keep-unlimited=definitive kept=definitive plain=disposal sort-5y=review"

is "units filtered by age" "blocked destroy-1y destroy-50y plain" \
    "$(http GET "/v1/units?age=disposal&limit=1000" "$arch" >/dev/null;
    json_get '[.units[] | select(.title != "a.txt") | .title] | sort | join(" ")')"
is "by rule and DUA end dates" "destroy-50y" \
    "$(http GET "/v1/units?rule=EC-03&end_from=2080-01-01&end_to=2080-01-01&title=50y" "$arch" >/dev/null;
    json_get '[.units[].title] | join(" ")')"
is "by agency" 8 "$(http GET "/v1/units?agency=AG-TEST&limit=1000" "$arch" >/dev/null;
    json_get '.units | length')"
http GET "/v1/units?limit=1000" "$arch" >/dev/null
uid=$(json_get '.units[] | select(.title == "destroy-50y") | .id')
http GET "/v1/units/$uid" "$arch" >/dev/null
is "destroy-50y ends on 2080-01-01 (2030-01-01 + 50 years)" 2080-01-01 "$(json_get .end_date)"

is "POST /v1/jobs/ages (archivist) recomputes now" 200 "$(http POST /v1/jobs/ages "$arch")"
is "nothing changed since the start" 0 "$(json_get .age_changes)"
is "and counts the ages (4 dossiers or units and 2 documents in disposal)" 6 "$(json_get '.ages.disposal')"
is "a producer may not" 403 "$(http POST /v1/jobs/ages "$prod")"
n=$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM journal WHERE type = 'AGE_CHANGE'")
is "every change of age was journaled (15 changes)" 15 "$n"
like "with the ages it went from and to" '"from":"intermediate".*"to":"disposal"' \
    "$(sqlite3 "$DATA/catalog.db" "SELECT detail FROM journal WHERE type = 'AGE_CHANGE' AND unit = '$uid'")"
# The DUA table changed with sae-admin while saed runs: the scheduler sees
# the new version and recomputes within seconds.
at 2040-01-01 "blocked=disposal destroy-1y=disposal destroy-50y=intermediate keep-unlimited=definitive kept=definitive plain=disposal sort-5y=review"
sed '/^EC-03,/s/,50,YEAR,/,5,YEAR,/' "$SAE_SRCDIR/policies/dua-communes.csv" > "$T/short.csv"
out=$(fake "2040-01-01 12:00:00" "$ADMIN" --data "$DATA" --config "$CONF" rules diff "$T/short.csv")
like "rules diff says how many units would change" "would change 2 unit" "$out"
like "which, and how" "$uid: intermediate -> disposal, DUA end 2080-01-01 -> 2035-01-01" "$out"
is "and changes nothing" intermediate "$(http GET "/v1/units/$uid" "$arch" >/dev/null; json_get .age)"
like "rules show" "duration: +50 YEAR" "$(admin rules show EC-03)"
check "EC-03 shortened to 5 years with sae-admin" admin rules import "$T/short.csv"
for _ in $(seq 1 40); do
	[ "$(ages)" = "blocked=disposal destroy-1y=disposal destroy-50y=disposal keep-unlimited=definitive kept=definitive plain=disposal sort-5y=review" ] && break
	sleep 0.5
done
is "destroy-50y is due for disposal without a restart" \
    "blocked=disposal destroy-1y=disposal destroy-50y=disposal keep-unlimited=definitive kept=definitive plain=disposal sort-5y=review" "$(ages)"
http GET "/v1/units/$uid" "$arch" >/dev/null
is "its end date follows the new table" 2035-01-01 "$(json_get .end_date)"
like "the scheduler said why it ran" "ages run=rules" "$(cat "$LOG")"

out=$(admin journal verify)
like "the journal chain holds" "journal: OK" "$out"
done_testing
