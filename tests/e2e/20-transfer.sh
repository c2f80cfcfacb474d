#!/bin/sh
# 20-transfer: transfer to another archive.  sae-admin transfer create
# makes SEDA packages with this archive as TransferringAgency (valid
# against the official XSD) and marks the units: a second transfer and a
# disposal list leave them out; a KO ArchiveTransferReply releases them, an
# OK one purges them (410 with a tombstone, copies gone from disk) and
# writes the producer's ArchiveModificationNotification.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
write_config "[schedule]
disposal_days = 0"
FAKE_DATE="2030-01-15 12:00:00"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
for a in AG-A AG-B; do
	head -c 40000 /dev/urandom > "$T/$a.bin"
	"$MK" "$T/$a.zip" --agency "$a" --msgid "$a" --title "$a" --rule EC-02 \
	    --final Destroy --start 2030-01-01 "$T/$a.bin"
	is "$a's dossier archived" 201 "$(post_package "$prod" "$T/$a.zip")"
done
http GET "/v1/units?agency=AG-A&limit=100" "$arch" > /dev/null
a_units=$(json_get '[.units[].id] | sort | join(" ")')
dossier=$(json_get '.units[] | select(.title == "AG-A") | .id')
sha=$(sha256sum "$T/AG-A.bin" | cut -c1-64)
stop_saed

out=$(admin transfer create --agency AG-A -o "$T/out1")
like "transfer create names its package" "SAE-OUT-[0-9A-Z]+-1" "$out"
pkg1=$(printf '%s\n' "$out" | sed -n 's/^\(SAE-OUT-[^\t]*\)\t.*/\1/p' | head -n 1)
check "the package is written" test -s "$T/out1/$pkg1.zip"
unzip -p "$T/out1/$pkg1.zip" manifest.xml > "$T/m1.xml"
check "its manifest validates against the official XSD" xsd_valid "$T/m1.xml"
like "this archive is the TransferringAgency" \
    "<TransferringAgency>[[:space:]]*<Identifier>SAE</Identifier>" "$(tr -d '\n' < "$T/m1.xml")"
like "with its own MessageIdentifier" "<MessageIdentifier>$pkg1</MessageIdentifier>" "$(cat "$T/m1.xml")"
like "a second transfer of the same units is refused" "already in un autre transfert" \
    "$(admin transfer create --agency AG-A -o "$T/out2" 2>&1)"

# A year on, the DUA has ended: the units in transfer are not proposed.
FAKE_DATE="2031-02-01 12:00:00"
start_saed
is "a disposal proposal" 201 "$(http POST /v1/disposals "$arch")"
is "holds AG-B only, not the units in transfer" "AG-B" \
    "$(for l in $(json_get '.ids[]'); do http GET "/v1/disposals/$l" "$arch" >/dev/null; json_get .agency; done | sort -u | tr '\n' ' ' | sed 's/ $//')"
stop_saed

# reply CODE REQUEST: an ArchiveTransferReply from the other archive.
reply() {
	cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransferReply xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2031-02-02T10:00:00</Date>
  <MessageIdentifier>AD-REPLY-$1-$2</MessageIdentifier>
  <CodeListVersions/>
  <ReplyCode>$1</ReplyCode>
  <MessageRequestIdentifier>$2</MessageRequestIdentifier>
  <ArchivalAgency><Identifier>AD-99</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>SAE</Identifier></TransferringAgency>
</ArchiveTransferReply>
XML
}
reply KO "$pkg1" > "$T/ko.xml"
check "the KO reply is valid SEDA" xsd_valid "$T/ko.xml"
like "a KO reply releases the units" "refused \(KO\): its units are released" \
    "$(admin transfer reply "$T/ko.xml" 2>&1)"
like "answering the same package again is refused" "already answered" \
    "$(admin transfer reply "$T/ko.xml" 2>&1)"
reply OK "SAE-OUT-NOPE-1" > "$T/stray.xml"
like "a reply to no package of ours is refused" "no package this archive sent" \
    "$(admin transfer reply "$T/stray.xml" 2>&1)"
printf '<ArchiveTransferReply xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2"><ReplyCode>OK</ReplyCode></ArchiveTransferReply>' > "$T/bad.xml"
like "an invalid reply is refused with the schema's reason" "not valid against the SEDA 2.2 schema" \
    "$(admin transfer reply "$T/bad.xml" 2>&1)"

out=$(admin transfer create --agency AG-A -o "$T/out2")
pkg2=$(printf '%s\n' "$out" | sed -n 's/^\(SAE-OUT-[^\t]*\)\t.*/\1/p' | head -n 1)
like "released, the units can be transferred again" "^SAE-OUT-" "$pkg2"
where() { ls "$DATA/offers/"*/objects/*/"$1"* 2>/dev/null | wc -l; }
is "their content is on the two offers" 2 "$(where "$sha")"
reply OK "$pkg2" > "$T/ok.xml"
like "an OK reply purges them" "accepted \(OK\): its units are purged" \
    "$(admin transfer reply "$T/ok.xml" 2>&1)"
is "their copies are gone from every offer" 0 "$(where "$sha")"
note="$T/out2/$pkg2-notification.xml"
check "the producer's ArchiveModificationNotification is written" test -s "$note"
check "and validates against the official XSD" xsd_valid "$note"
is "it names the transferred units" "$a_units" \
    "$(sed -n 's:.*<UnitIdentifier>\(.*\)</UnitIdentifier>.*:\1:p' "$note" | sort | tr '\n' ' ' | sed 's/ $//')"
start_saed
is "a transferred unit answers 410" 410 "$(http GET "/v1/units/$dossier" "$arch")"
is "with its tombstone" "transferred AD-REPLY-OK-$pkg2" "$(json_get '"\(.state) \(.visa)"')"
like "its journal tells the transfer" "UNIT_TRANSFER_OUT.*UNIT_TRANSFER_RELEASED.*UNIT_TRANSFER_OUT.*UNIT_TRANSFERRED" \
    "$(http GET "/v1/journal?unit=$dossier" "$arch" >/dev/null; json_get '[.[].type] | join(" ")')"
is "AG-B stays" 200 "$(http GET "/v1/units/$(http GET "/v1/units?agency=AG-B" "$arch" >/dev/null; json_get '.units[0].id')" "$arch")"
stop_saed
check "the journal verifies" admin journal verify
done_testing
