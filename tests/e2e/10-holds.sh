#!/bin/sh
# 10-holds: an archivist places a hold (gel) on a unit with a reason, a
# reference and an optional end, and lifts it with a reason, through the
# API or sae-admin; a package's HoldRule holds too; everything journaled.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

start_saed
prod=$(new_token producer app)
arch=$(new_token archivist archiviste)
aud=$(new_token auditor auditeur)
echo "acte" > "$T/a.txt"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/p.zip" --msgid holds "$T/a.txt"
post_package "$prod" "$T/p.zip" >/dev/null
tid=$(header Location); tid=${tid##*/}
http GET "/v1/units?transfer=$tid" "$arch" >/dev/null
unit=$(json_get '.units[] | select(.producer_id == "AU0") | .id')

hold() { http POST /v1/holds "$1" -H 'Content-Type: application/json' -d "$2"; }
is "a producer may not place a hold" 403 "$(hold "$prod" "{\"unit\":\"$unit\",\"reason\":\"x\"}")"
is "nor an auditor" 403 "$(hold "$aud" "{\"unit\":\"$unit\",\"reason\":\"x\"}")"
is "a hold without reason: 400" 400 "$(hold "$arch" "{\"unit\":\"$unit\"}")"
like "saying so" "reason" "$(cat "$T/body")"
is "a hold on no unit: 404" 404 "$(hold "$arch" '{"unit":"01M00000000000000000000000","reason":"x"}')"
is "a bad end date: 400" 400 "$(hold "$arch" "{\"unit\":\"$unit\",\"reason\":\"x\",\"until\":\"2030-02-30\"}")"
is "not JSON: 400" 400 "$(hold "$arch" 'reason=x')"
is "the archivist places a hold" 201 "$(hold "$arch" \
    "{\"unit\":\"$unit\",\"reason\":\"Contentieux en cours\",\"reference\":\"TA-2024-117\"}")"
hid=$(json_get .id)
is "Location names it" "/v1/holds/$hid" "$(header Location)"
http GET "/v1/units/$unit" "$arch" >/dev/null
is "the unit shows it is held" true "$(json_get .held)"
is "with the hold's reason and reference" "Contentieux en cours TA-2024-117 archiviste" \
    "$(json_get '.holds[0] | "\(.reason) \(.reference) \(.placed_by)"')"
http GET /v1/holds "$aud" >/dev/null
is "GET /v1/holds lists it, active" "$hid true" "$(json_get '.[0] | "\(.id) \(.active)"')"

is "lifting needs a reason" 400 "$(http DELETE "/v1/holds/$hid" "$arch" \
    -H 'Content-Type: application/json' -d '{}')"
is "a producer may not lift it" 403 "$(http DELETE "/v1/holds/$hid" "$prod" \
    -H 'Content-Type: application/json' -d '{"reason":"x"}')"
is "the archivist lifts it" 200 "$(http DELETE "/v1/holds/$hid" "$arch" \
    -H 'Content-Type: application/json' -d '{"reason":"Jugement rendu"}')"
is "lifting it again: 404" 404 "$(http DELETE "/v1/holds/$hid" "$arch" \
    -H 'Content-Type: application/json' -d '{"reason":"x"}')"
http GET "/v1/units/$unit" "$arch" >/dev/null
is "the unit is no longer held" false "$(json_get .held)"
is "the lifted hold is kept, with who and why" "false archiviste Jugement rendu" \
    "$(json_get '.holds[0] | "\(.active) \(.lifted_by) \(.lift_reason)"')"
is "a hold that ended yesterday is not active" 201 "$(hold "$arch" \
    "{\"unit\":\"$unit\",\"reason\":\"ancien\",\"until\":\"2000-01-01\"}")"
http GET "/v1/units/$unit" "$arch" >/dev/null
is "so the unit is not held" false "$(json_get .held)"

out=$(admin hold place "$unit" --reason "Audit de la chambre régionale" --reference CRC-7)
hid2=$(printf '%s\n' "$out" | tail -n 1)
like "sae-admin hold place" '^[0-9A-Z]{26}$' "$hid2"
like "sae-admin hold list" "Audit de la chambre" "$(admin hold list "$unit")"
check "sae-admin hold lift" admin hold lift "$hid2" --reason "Audit clos"
is "GET /v1/journal?unit= (auditor): the unit's history, from its ingest" \
    "INGEST UNIT_INGEST HOLD_PLACE HOLD_LIFT HOLD_PLACE HOLD_PLACE HOLD_LIFT" \
    "$(http GET "/v1/journal?unit=$unit" "$aud" >/dev/null; json_get '[.[].type] | join(" ")')"
is "each entry chained to the one before it in the journal" true \
    "$(json_get '[.[].prev | length == 64] | all')"
is "a producer may not read the journal" 403 "$(http GET "/v1/journal?unit=$unit" "$prod")"
is "whose history must be said" 400 "$(http GET /v1/journal "$aud")"
n=$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM journal WHERE unit = '$unit' AND type IN ('HOLD_PLACE','HOLD_LIFT')")
is "every placing and lifting is journaled on the unit (3 placed, 2 lifted)" 5 "$n"
like "with who" "archiviste" "$(sqlite3 "$DATA/catalog.db" "SELECT agent FROM journal WHERE type = 'HOLD_LIFT' LIMIT 1")"

# A package's HoldRule (SEDA 2.2) holds its unit, without end.
cp "$SAE_SRCDIR/policies/dua-communes.csv" "$T/dua.csv"
printf 'GEL-01,HoldRule,Gel contentieux,,,,,,\n' >> "$T/dua.csv"
check "a table with a HoldRule" admin rules import "$T/dua.csv"
mkdir -p "$T/h/content" && cp "$T/a.txt" "$T/h/content/"
sha=$(sha512sum < "$T/a.txt" | cut -d' ' -f1)
cat > "$T/h/manifest.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2024-05-02T10:00:00</Date><MessageIdentifier>holdrule</MessageIdentifier>
  <CodeListVersions/>
  <DataObjectPackage>
    <BinaryDataObject id="O"><Uri>content/a.txt</Uri>
      <MessageDigest algorithm="SHA-512">$sha</MessageDigest></BinaryDataObject>
    <DescriptiveMetadata>
      <ArchiveUnit id="U"><Management>
          <AppraisalRule><Rule>EC-02</Rule><StartDate>2020-01-01</StartDate><FinalAction>Destroy</FinalAction></AppraisalRule>
          <HoldRule><Rule>GEL-01</Rule><StartDate>2024-01-01</StartDate><HoldReason>Contentieux</HoldReason></HoldRule>
        </Management>
        <Content><Title>gelé</Title></Content>
        <DataObjectReference><DataObjectReferenceId>O</DataObjectReferenceId></DataObjectReference>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata/>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>SAE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>APP</Identifier></TransferringAgency>
</ArchiveTransfer>
XML
(cd "$T/h" && bsdtar --format zip -cf "$T/h.zip" manifest.xml content)
is "a package with a HoldRule is archived" 201 "$(post_package "$prod" "$T/h.zip")"
tid=$(header Location); tid=${tid##*/}
http GET "/v1/units?transfer=$tid" "$arch" >/dev/null
hu=$(json_get '.units[0].id')
http GET "/v1/units/$hu" "$arch" >/dev/null
is "its unit is held by the rule (its DUA has ended: disposal)" "true disposal" \
    "$(json_get '"\(.held) \(.age)"')"
stop_saed
start_saed
http GET "/v1/units/$hu" "$arch" >/dev/null
is "still held after the ages are recomputed" true "$(json_get .held)"
out=$(admin journal verify)
like "the journal chain holds" "journal: OK" "$out"
done_testing
