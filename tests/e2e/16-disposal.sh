#!/bin/sh
# 16-disposal: élimination end to end, with the daemon's clock moved by
# libfaketime: the proposed list holds exactly the eligible units (held,
# kept, not-yet-due, under review and blocked units absent), only the
# archivist decides, an approval with an exclusion destroys the others
# (copies gone from every offer, on disk) and leaves tombstones (410), a
# content shared with a kept unit stays, a hold placed after approval saves
# its unit, a crash during execution is finished at restart, and the SEDA
# request and notification validate against the official XSD.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
write_config "[schedule]
disposal_days = 0
[disposal]
control_authority = AD-99
execute_at = 13:00
[storage]
definitive_copies = 1
[offer fast-a]
path = offers/fast-a
sovereign = no
[offer fast-b]
path = offers/fast-b
sovereign = no
[offer vault]
path = offers/vault
sovereign = yes
[placement]
current = fast-a, fast-b
intermediate = fast-a, fast-b
definitive = vault"
FAKE_DATE="2030-01-15 12:00:00"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
aud=$(new_token auditor audit)

# pkg NAME RULE FINAL AGENCY: a dossier of one random file, DUA from 2030-01-01.
pkg() {
	head -c 20000 /dev/urandom > "$T/$1.bin"
	"$MK" "$T/$1.zip" --rule "$2" --final "$3" --agency "$4" --start 2030-01-01 \
	    --msgid "$1" --title "$1" "$T/$1.bin"
	post_package "$prod" "$T/$1.zip" > "$T/status"
	is "$1 ($2 $3 $4) archived" 201 "$(cat "$T/status")"
	eval "tr_$1=\$(sed -n 's:.*<SystemId>\([^<]*\)</SystemId>.*:\1:p' \"\$T/body\" | head -n 1)"
}
pkg d1 EC-02 Destroy AG-A	# 1 year, Destroy: destroyed
pkg d2 EC-02 Destroy AG-A	# excluded by the archivist
pkg d3 EC-02 Destroy AG-A	# held after approval, before execution
pkg held EC-02 Destroy AG-A	# held before the proposal
pkg later EC-03 Destroy AG-A	# 50 years: not due
pkg kept EC-01 Keep AG-A	# kept for ever
pkg sort AG-05 Destroy AG-A	# Sort: awaits the archivist's decision
pkg b1 EC-02 Destroy AG-B	# another agency: another list
# A kept dossier holding the very bytes of d1's file: the content stays.
cp "$T/d1.bin" "$T/twin.bin"
"$MK" "$T/twin.zip" --rule EC-01 --final Keep --agency AG-A --start 2030-01-01 \
    --msgid twin --title twin "$T/twin.bin"
is "twin (same bytes as d1, kept) archived" 201 "$(post_package "$prod" "$T/twin.zip")"
# A dossier to destroy whose sub-unit must be kept: it stays, and so does
# the kept one; its other sub-unit goes.  A unit under it and under a kept
# dossier inherits conflicting final actions: never destroyed.
cat > "$T/m.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2030-01-15T10:00:00</Date><MessageIdentifier>tree</MessageIdentifier>
  <CodeListVersions/>
  <DataObjectPackage>
    <DescriptiveMetadata>
      <ArchiveUnit id="D"><Management><AppraisalRule><Rule>EC-02</Rule>
        <StartDate>2030-01-01</StartDate><FinalAction>Destroy</FinalAction></AppraisalRule></Management>
        <Content><Title>tree</Title></Content>
        <ArchiveUnit id="KEPT"><Management><AppraisalRule><Rule>EC-01</Rule>
          <StartDate>2030-01-01</StartDate><PreventInheritance>true</PreventInheritance>
          <FinalAction>Keep</FinalAction></AppraisalRule></Management>
          <Content><Title>tree-kept</Title></Content></ArchiveUnit>
        <ArchiveUnit id="PLAIN"><Content><Title>tree-plain &lt;b&gt;&amp;</Title></Content></ArchiveUnit>
        <ArchiveUnit id="CONFLICT"><Content><Title>conflict</Title></Content></ArchiveUnit>
      </ArchiveUnit>
      <ArchiveUnit id="E"><Management><AppraisalRule><Rule>EC-02</Rule>
        <StartDate>2030-01-01</StartDate><FinalAction>Keep</FinalAction></AppraisalRule></Management>
        <Content><Title>tree-keep</Title></Content>
        <ArchiveUnit id="ER"><ArchiveUnitRefId>CONFLICT</ArchiveUnitRefId></ArchiveUnit>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata><OriginatingAgencyIdentifier>AG-A</OriginatingAgencyIdentifier></ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>SAE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>APP</Identifier></TransferringAgency>
</ArchiveTransfer>
XML
mkdir -p "$T/tree" && cp "$T/m.xml" "$T/tree/manifest.xml"
(cd "$T/tree" && bsdtar --format zip -cf "$T/tree.zip" manifest.xml)
is "a dossier with a sub-unit kept for ever archived" 201 "$(post_package "$prod" "$T/tree.zip")"
pkg d4 EC-02 Destroy AG-A	# destroyed first: the crash comes after it

# ids_of TITLE...: unit ids whose dossier or item carries that title.
units_json() { http GET "/v1/units?limit=1000" "$arch" >/dev/null; cp "$T/body" "$T/units.json"; }
units_json
uid() {	# uid TITLE: the id of the unit with that title
	jq -r --arg t "$1" '.units[] | select(.title == $t) | .id' "$T/units.json"
}
item() {	# item TITLE: the id of the item (file) unit of dossier TITLE
	jq -r --arg t "$1.bin" '.units[] | select(.title == $t) | .id' "$T/units.json"
}
http POST /v1/holds "$arch" -H 'Content-Type: application/json' \
    -d "{\"unit\": \"$(item held)\", \"reason\": \"contentieux\"}" >/dev/null
is "a hold placed on held's document" 201 "$(sed -n 1p "$T/headers" | cut -d' ' -f2)"
hold_held=$(json_get .id)

# where SHA: the offers holding a content, on disk.
where() {
	for o in fast-a fast-b vault; do
		ls "$DATA/offers/$o/objects/$(echo "$1" | cut -c1-2)/$1"* >/dev/null 2>&1 &&
		    printf '%s ' "$o"
	done
	echo
}
sha_of() { sha256sum "$T/$1.bin" | cut -c1-64; }
# A year and more later, at 12:00 (the lists are carried out at 13:00).
stop_saed
FAKE_DATE="2031-02-01 12:00:00"
start_saed
is "a producer cannot propose" 403 "$(http POST /v1/disposals "$prod")"
is "an auditor cannot propose" 403 "$(http POST /v1/disposals "$aud")"
is "the archivist proposes: 201" 201 "$(http POST /v1/disposals "$arch")"
nlists=$(json_get '.ids | length')
is "one list per agency (AG-A, AG-B)" 2 "$nlists"
like "Location names the first list" "^/v1/disposals/" "$(header Location)"
http GET /v1/disposals "$arch" >/dev/null
A=$(json_get '.disposals[] | select(.agency == "AG-A") | .id')
B=$(json_get '.disposals[] | select(.agency == "AG-B") | .id')
is "both lists are proposed" "proposed proposed" \
    "$(json_get '[.disposals[].state] | join(" ")')"
is "a producer cannot read the lists" 403 "$(http GET /v1/disposals "$prod")"

http GET "/v1/disposals/$A" "$aud" >/dev/null
got=$(json_get '[.units[].id] | sort | join(" ")')
want=$(printf '%s\n' "$(uid d1)" "$(item d1)" "$(uid d2)" "$(item d2)" \
    "$(uid d3)" "$(item d3)" "$(uid d4)" "$(item d4)" "$(uid 'tree-plain <b>&')" | sort | tr '\n' ' ' | sed 's/ $//')
is "AG-A's list holds exactly the eligible units" "$want" "$got"
line=$(jq -c --arg u "$(uid d1)" '.units[] | select(.id == $u) | [.rule, .rule_duration, .rule_start, .rule_end, .final_action, .title]' "$T/body")
is "a line shows rule, duration, start, end, final action, title" \
    '["EC-02","1 YEAR","2030-01-01","2031-01-01","Destroy","d1"]' "$line"
is "an item line counts its object and bytes" "1 20000" \
    "$(jq -r --arg u "$(item d1)" '.units[] | select(.id == $u) | "\(.objects) \(.bytes)"' "$T/body")"
like "each line carries the hold check" "aucun gel actif au 2031-02-01" \
    "$(jq -r '.units[0].hold_check' "$T/body")"
is "totals: 9 units, 4 objects" "9 4" "$(json_get '"\(.units | length) \(.objects)"')"

is "the authorization request" 200 "$(http GET "/v1/disposals/$A/request" "$aud")"
cp "$T/body" "$T/request.xml"
check "it validates against the official XSD" xsd_valid "$T/request.xml"
is "it names the 9 units and the control authority" "9 1" \
    "$(grep -c '<UnitIdentifier>' "$T/request.xml") $(grep -c '<Identifier>AD-99</Identifier>' "$T/request.xml")"
is "the printable bordereau" 200 "$(http GET "/v1/disposals/$A/bordereau" "$aud")"
like "in French, with totals" "Bordereau d.élimination.*" "$(tr -d '\n' < "$T/body")"
like "titles are escaped" "tree-plain &lt;b&gt;&amp;" "$(cat "$T/body")"
like "totals row" "9 unité\(s\), 4 objet\(s\)" "$(cat "$T/body")"

is "the unit with conflicting final actions awaits review" review \
    "$(http GET "/v1/units/$(uid conflict)" "$arch" >/dev/null; json_get .age)"

# Only the archivist decides.
is "a producer cannot approve" 403 "$(http POST "/v1/disposals/$A/approve" "$prod" -d '{"visa":"V"}')"
is "an auditor cannot approve" 403 "$(http POST "/v1/disposals/$A/approve" "$aud" -d '{"visa":"V"}')"
is "an auditor cannot reject" 403 "$(http POST "/v1/disposals/$A/reject" "$aud" -d '{"reason":"no"}')"
is "no visa: 400" 400 "$(http POST "/v1/disposals/$A/approve" "$arch" -d '{}')"
like "and says so" "visa" "$(json_get .error)"
is "excluding a unit not on the list: 400" 400 \
    "$(http POST "/v1/disposals/$A/approve" "$arch" -d "{\"visa\":\"V\",\"exclude\":[\"$(uid kept)\"]}")"
is "the list is still proposed" proposed \
    "$(http GET "/v1/disposals/$A" "$arch" >/dev/null; json_get .state)"
is "approve with a visa, excluding d2" 200 "$(http POST "/v1/disposals/$A/approve" "$arch" \
    -d "{\"visa\":\"VISA-AD99-2031-007\",\"comment\":\"vu\",\"exclude\":[\"$(uid d2)\",\"$(item d2)\"]}")"
is "approved, due at 13:00" "approved 2031-02-01T13:00:00Z 2" \
    "$(json_get '"\(.state) \(.due) \([.units[] | select(.excluded)] | length)"')"
is "a second decision: 409" 409 "$(http POST "/v1/disposals/$A/approve" "$arch" -d '{"visa":"V2"}')"
is "reject needs a reason" 400 "$(http POST "/v1/disposals/$B/reject" "$arch" -d '{}')"
is "reject AG-B's list" 200 "$(http POST "/v1/disposals/$B/reject" "$arch" -d '{"reason":"à revoir"}')"
is "rejected" rejected "$(json_get .state)"
# A hold placed after approval, before execution.
is "hold on d3 after approval" 201 "$(http POST /v1/holds "$arch" -H 'Content-Type: application/json' \
    -d "{\"unit\": \"$(uid d3)\", \"reason\": \"enquête\"}")"

is "d1's content is on both offers (and on the vault for twin)" "fast-a fast-b vault " "$(where "$(sha_of d1)")"
is "d3's content is on both offers before" "fast-a fast-b " "$(where "$(sha_of d3)")"
obj1=$(http GET "/v1/units/$(item d1)" "$arch" >/dev/null; json_get '.objects[0].id')

# 13:30: the list is due.  The daemon dies after the first unit (in builds
# with crash points).
stop_saed
FAKE_DATE="2031-02-01 13:30:00"
if "$SAED" --version | grep -q 'crash points enabled'; then
	start_saed SAE_CRASHPOINT=disposal-after-unit
	for _ in $(seq 1 100); do kill -0 "$SAED_PID" 2>/dev/null || break; sleep 0.1; done
	check "saed died in the middle of the execution" sh -c "! kill -0 $SAED_PID 2>/dev/null"
	wait "$SAED_PID" 2>/dev/null; SAED_PID=
	is "d4's document destroyed, its 2 copies still to delete, the list executing" \
	    "destroyed 2 executing" \
	    "$(sqlite3 "$DATA/catalog.db" "SELECT state FROM unit WHERE id = '$(item d4)'; SELECT count(*) FROM doomed_copy; SELECT state FROM disposal WHERE id = '$A'" | tr '\n' ' ' | sed 's/ $//')"
	is "its copies are still on disk" "fast-a fast-b " "$(where "$(sha_of d4)")"
fi
start_saed
for _ in $(seq 1 100); do
	[ "$(http GET "/v1/disposals/$A" "$arch" >/dev/null; json_get .state)" = executed ] && break
	sleep 0.2
done
is "restarted, the execution finished" executed "$(json_get .state)"
is "5 destroyed, 2 excluded, d3 and its document kept by the hold" "5 2 2" \
    "$(json_get '"\(.destroyed) \(.excluded) \(.kept)"')"
like "d3's document's line says why" "gel" \
    "$(jq -r --arg u "$(item d3)" '.units[] | select(.id == $u) | .outcome_reason' "$T/body")"

is "d1 answers 410 Gone" 410 "$(http GET "/v1/units/$(uid d1)" "$arch")"
is "with its tombstone" "destroyed VISA-AD99-2031-007 $A" "$(json_get '"\(.state) \(.visa) \(.disposal)"')"
is "d1's document too, with its object's digest" "$(sha_of d1)" \
    "$(http GET "/v1/units/$(item d1)" "$arch" >/dev/null; json_get '.objects[0].sha256')"
is "and its object: 410" 410 "$(http GET "/v1/objects/$obj1" "$arch")"
like "d1's content stays where twin (kept) needs it" "vault" "$(where "$(sha_of d1)")"
is "twin reads back byte for byte" "$(sha_of d1)" \
    "$(http GET "/v1/units/$(item twin)" "$arch" >/dev/null; o=$(json_get '.objects[0].id');
       http GET "/v1/objects/$o" "$arch" >/dev/null; sha256sum < "$T/body" | cut -c1-64)"
is "tree-plain is gone" 410 "$(http GET "/v1/units/$(uid 'tree-plain <b>&')" "$arch")"
is "tree and tree-kept stay" "200 200" \
    "$(http GET "/v1/units/$(uid tree)" "$arch") $(http GET "/v1/units/$(uid tree-kept)" "$arch")"
is "d2 (excluded) stays, with its copies" "200 fast-a fast-b " \
    "$(http GET "/v1/units/$(uid d2)" "$arch") $(where "$(sha_of d2)")"
is "d3 (held) stays, with its copies" "200 fast-a fast-b " \
    "$(http GET "/v1/units/$(uid d3)" "$arch") $(where "$(sha_of d3)")"
is "the held dossier stays" 200 "$(http GET "/v1/units/$(uid held)" "$arch")"
is "no copy row left for destroyed contents" 0 \
    "$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM copy c WHERE NOT EXISTS (SELECT 1 FROM object o JOIN unit_group g ON g.grp = o.grp JOIN unit u ON u.seq = g.unit WHERE o.sha256 = c.sha256 AND u.state = 'alive'); SELECT count(*) FROM doomed_copy" | paste -sd+ | bc)"

is "the destruction notification" 200 "$(http GET "/v1/disposals/$A/notification" "$aud")"
cp "$T/body" "$T/notification.xml"
check "it validates against the official XSD" xsd_valid "$T/notification.xml"
is "it names the 5 destroyed units and the visa" "5 1" \
    "$(grep -c '<UnitIdentifier>' "$T/notification.xml") $(grep -c 'VISA-AD99-2031-007' "$T/notification.xml")"
is "its time-stamp token" 200 "$(http GET "/v1/disposals/$A/notification.tsr" "$aud")"
cp "$T/body" "$T/notification.tsr"
check "openssl ts -verify accepts it for the notification" \
    fake "$FAKE_DATE" openssl ts -verify -data "$T/notification.xml" -in "$T/notification.tsr" -CAfile "$DATA/tsa/ca.pem"
is "the journal tells d1's destruction" "UNIT_DESTROY" \
    "$(http GET "/v1/journal?unit=$(uid d1)" "$aud" >/dev/null; json_get '[.[].type] | map(select(. == "UNIT_DESTROY")) | join(" ")')"
is "d4's content is gone from every offer" "" "$(where "$(sha_of d4)")"
is "the journal tells each copy destroyed" "UNIT_DESTROY COPY_DESTROY COPY_DESTROY" \
    "$(http GET "/v1/journal?unit=$(item d4)" "$aud" >/dev/null; json_get '[.[].type | select(startswith("UNIT_DESTROY") or startswith("COPY_"))] | join(" ")')"
check "the journal still verifies" admin journal verify

# The rejected and the excluded units come back on the next lists (their
# DUA has ended); the held ones and those on an open list do not.
is "a new proposal" 201 "$(http POST /v1/disposals "$arch")"
is "two lists" 2 "$(json_get '.ids | length')"
is "AG-B's units again, and d2 (excluded before)" "b1 b1.bin d2 d2.bin" \
    "$(for l in $(json_get '.ids[]'); do http GET "/v1/disposals/$l" "$arch" >/dev/null; json_get '.units[].title'; done | sort | tr '\n' ' ' | sed 's/ $//')"
is "nothing new: 200, no list" "200 0" "$(http POST /v1/disposals "$arch") $(json_get '.ids | length')"

# Sort: the archivist decides unit by unit.
stop_saed
FAKE_DATE="2035-02-01 12:00:00"
start_saed
is "sort's dossier awaits review" review "$(http GET "/v1/units/$(uid sort)" "$arch" >/dev/null; json_get .age)"
is "a producer cannot decide" 403 "$(http POST "/v1/units/$(uid sort)/decision" "$prod" -d '{"decision":"destroy"}')"
is "a bad decision: 400" 400 "$(http POST "/v1/units/$(uid sort)/decision" "$arch" -d '{"decision":"maybe"}')"
is "destroy the dossier and its document" "200 200" \
    "$(http POST "/v1/units/$(uid sort)/decision" "$arch" -d '{"decision":"destroy"}') $(http POST "/v1/units/$(item sort)/decision" "$arch" -d '{"decision":"destroy"}')"
is "now awaiting disposal" disposal "$(http GET "/v1/units/$(uid sort)" "$arch" >/dev/null; json_get .age)"
is "deciding again on a unit no longer under review: 409" 409 \
    "$(http POST "/v1/units/$(uid sort)/decision" "$arch" -d '{"decision":"keep"}')"
is "the next list holds them" 201 "$(http POST /v1/disposals "$arch")"
http GET "/v1/disposals/$(json_get .id)" "$arch" >/dev/null
is "with sort's two units" 2 \
    "$(json_get '[.units[] | select(.title == "sort" or .title == "sort.bin")] | length')"
# Lifting the hold unblocks the held dossier.
is "lift the hold on held's document" 200 "$(http DELETE "/v1/holds/$hold_held" "$arch" \
    -H 'Content-Type: application/json' -d '{"reason": "affaire close"}')"
is "the next proposal holds the held dossier and its document" "held held.bin" \
    "$(http POST /v1/disposals "$arch" >/dev/null; http GET "/v1/disposals/$(json_get .id)" "$arch" >/dev/null; json_get '[.units[].title] | sort | join(" ")')"
stop_saed
check "the journal verifies after all that" admin journal verify
done_testing
