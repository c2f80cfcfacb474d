#!/bin/sh
# 17-export-package: every accepted real sample and a few generated
# packages (a dossier with PreventInheritance, RefNonRuleId, a HoldRule
# and a unit with two parents; a unit under an archivist's hold) are
# exported as SEDA packages (sae-admin export-package) whose manifest
# validates against the official XSD; ingested into a fresh instance with
# the same DUA table, they give the same units, the same objects (by
# digest) and the same rules and dates.  Re-exported from there, a unit's
# LogBook carries both histories.  A damaged copy is passed over for an
# intact one; with none left, no package is made.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

RULES="$SAE_SHARED/seda/examples/rules_ok.csv"
EXP="$T/exports"
mkdir -p "$EXP"

start_saed
adm=$(new_token admin admin)
aud=$(new_token auditor auditeur)
arc=$(new_token archivist archiviste)
is "rules_ok.csv imported" 201 "$(http POST /v1/rules "$adm" \
    -H 'Content-Type: text/csv' --data-binary @"$RULES")"

# ---------------------------------------------------------------- packages
# The generated ones: one per version, with a name to quote and an empty
# file; and a dossier built by hand (below).  (Entry names stay ASCII:
# saed runs in the C locale, where libarchive cannot read others.)
printf 'premier fichier\n' > "$T/un.txt"
printf 'autre contenu\n' > "$T/l'ombre & moi.txt"
: > "$T/vide.txt"
for v in 2.1 2.2 2.3; do
	"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/gen-$v.zip" --version "$v" \
	    --rule APP-00001 --msgid "export-gen-$v" --title "Dossier <$v> & co" \
	    "$T/un.txt" "$T/l'ombre & moi.txt" "$T/vide.txt"
done

# The dossier: ManagementMetadata with Storage, Appraisal, Access and Hold
# rules; AU1 stops the appraisal inheritance, AU2 too but declares its
# own DUA, and drops ACC-00001; AU3 hangs under both (ArchiveUnitRefId),
# so it inherits AU2's DUA only.
mkdir -p "$T/dossier/content"
printf 'pièce 3\n' > "$T/dossier/content/piece3.txt"
printf 'pièce 5\n' > "$T/dossier/content/piece5.txt"
d3=$(sha512sum < "$T/dossier/content/piece3.txt" | cut -d' ' -f1)
d5=$(sha512sum < "$T/dossier/content/piece5.txt" | cut -d' ' -f1)
cat > "$T/dossier/manifest.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Date>2024-05-02T10:00:00</Date>
  <MessageIdentifier>export-dossier</MessageIdentifier>
  <ArchivalAgreement>CONV-TEST</ArchivalAgreement>
  <CodeListVersions/>
  <DataObjectPackage>
    <DataObjectGroup id="GRP3">
      <BinaryDataObject id="BDO3">
        <DataObjectVersion>BinaryMaster_1</DataObjectVersion>
        <Uri>content/piece3.txt</Uri>
        <MessageDigest algorithm="SHA-512">$d3</MessageDigest>
        <FileInfo><Filename>pièce 3.txt</Filename></FileInfo>
      </BinaryDataObject>
      <PhysicalDataObject id="PDO3">
        <DataObjectVersion>PhysicalMaster_1</DataObjectVersion>
        <PhysicalId>BOITE-3</PhysicalId>
      </PhysicalDataObject>
    </DataObjectGroup>
    <BinaryDataObject id="BDO5">
      <Uri>content/piece5.txt</Uri>
      <MessageDigest algorithm="SHA-512">$d5</MessageDigest>
    </BinaryDataObject>
    <DescriptiveMetadata>
      <ArchiveUnit id="AU0">
        <Management>
          <AppraisalRule><Rule>APP-00001</Rule><StartDate>1990-01-01</StartDate><FinalAction>Keep</FinalAction></AppraisalRule>
        </Management>
        <Content>
          <DescriptionLevel>File</DescriptionLevel>
          <Title>Dossier &amp; règles</Title>
          <Description>Héritage &lt;bloqué&gt;</Description>
        </Content>
        <ArchiveUnit id="AU1">
          <Management>
            <AppraisalRule><PreventInheritance>true</PreventInheritance><FinalAction>Destroy</FinalAction></AppraisalRule>
            <ClassificationRule><Rule>CLASS-00001</Rule><ClassificationLevel>Secret Défense</ClassificationLevel><ClassificationOwner>Ministère</ClassificationOwner></ClassificationRule>
            <NeedAuthorization>true</NeedAuthorization>
          </Management>
          <Content><DescriptionLevel>SubGrp</DescriptionLevel><Title>Sans DUA héritée</Title></Content>
          <ArchiveUnit id="AU3">
            <Content><DescriptionLevel>Item</DescriptionLevel><Title>Pièce à deux parents</Title></Content>
            <DataObjectReference><DataObjectGroupReferenceId>GRP3</DataObjectGroupReferenceId></DataObjectReference>
          </ArchiveUnit>
        </ArchiveUnit>
        <ArchiveUnit id="AU2">
          <Management>
            <AppraisalRule><Rule>APP-00002</Rule><StartDate>2018-06-01</StartDate><PreventInheritance>true</PreventInheritance><FinalAction>Destroy</FinalAction></AppraisalRule>
            <AccessRule><RefNonRuleId>ACC-00001</RefNonRuleId></AccessRule>
          </Management>
          <Content><DescriptionLevel>SubGrp</DescriptionLevel><Title>DUA propre</Title></Content>
          <ArchiveUnit id="AU4"><ArchiveUnitRefId>AU3</ArchiveUnitRefId></ArchiveUnit>
          <ArchiveUnit id="AU5">
            <Content><DescriptionLevel>Item</DescriptionLevel><Title>Pièce seule</Title></Content>
            <DataObjectReference><DataObjectReferenceId>BDO5</DataObjectReferenceId></DataObjectReference>
          </ArchiveUnit>
        </ArchiveUnit>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata>
      <OriginatingAgencyIdentifier>AG-DOSSIER</OriginatingAgencyIdentifier>
      <StorageRule><Rule>STO-00001</Rule><StartDate>2019-01-01</StartDate><FinalAction>RestrictAccess</FinalAction></StorageRule>
      <AppraisalRule><Rule>APP-00002</Rule><StartDate>2015-01-01</StartDate><FinalAction>Destroy</FinalAction></AppraisalRule>
      <AccessRule><Rule>ACC-00001</Rule><StartDate xsi:nil="true"/></AccessRule>
      <HoldRule><Rule>HOL-00002</Rule><StartDate>2024-01-01</StartDate><HoldEndDate>2090-01-01</HoldEndDate><HoldReason>Contentieux en cours</HoldReason><PreventRearrangement>true</PreventRearrangement></HoldRule>
    </ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>SAE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>APP-DOSSIER</Identifier></TransferringAgency>
</ArchiveTransfer>
XML
(cd "$T/dossier" && bsdtar --format zip -cf "$T/dossier.zip" manifest.xml content)

# name|package: every accepted sample of samples/README.md, then ours.
: > "$T/list"
for f in OK_SIP_2_GO.zip OK_SIP_2_GO.tar OK_RULES_COMPLEXE_COMPLETE.zip \
    OK_EMPRT_SHA256_2.zip OK_ArchivesPhysiques.zip \
    WARNING_SIP_mail_Seda2.2.zip \
    OK_SEDA2.3_SigningInformation_BinairesMultiples.zip; do
	echo "$f|$SAMPLES/$f" >> "$T/list"
done
for v in 2.1 2.2 2.3; do echo "gen-$v|$T/gen-$v.zip" >> "$T/list"; done
echo "dossier|$T/dossier.zip" >> "$T/list"

# ingest_all PREFIX LIST: posts each package with its own producer (the
# same name on both instances); writes name|token|transfer to $T/PREFIX.
ingest_all() {
	: > "$T/$1"
	while IFS='|' read -r name pkg; do
		tok=$(new_token producer "p-$name")
		code=$(post_package "$tok" "$pkg")
		loc=$(header Location)
		if [ "$code" = 201 ]; then
			ok "$1: $name archived ($(reply_code))"
		else
			not_ok "$1: $name archived" "$code $(head -c 3000 "$T/body")"
		fi
		echo "$name|$tok|${loc##*/}" >> "$T/$1"
	done < "$2"
}

# state NAME TOKEN TRANSFER: one line per unit, sorted: its producer id,
# title, level, parents (by producer id), effective appraisal rule with
# its dates, final action, age, the package's hold, dates, and its
# objects (producer id, digest, size; physical id).
state() {
	http GET "/v1/units?transfer=$3&limit=1000" "$2" >/dev/null
	json_get '.units[] | "\(.id) \(.producer_id)"' > "$T/ids"
	for u in $(cut -d' ' -f1 "$T/ids"); do
		http GET "/v1/units/$u" "$2" >/dev/null
		parents=$(json_get '.parents[]' | while read -r p; do
			grep "^$p " "$T/ids" | cut -d' ' -f2; done | sort | tr '\n' ',')
		jq -c --arg p "$parents" --arg n "$1" '[$n, .producer_id, .title,
		    .level, $p, .rule, .start_date, .end_date, .final_action,
		    .age, .hold_rule_end, .dates, ([.objects[] | [.producer_id,
		    .physical, .sha256, .size, .physical_id]] | sort)]' \
		    < "$T/body"
	done | sort
}

ingest_all a "$T/list"

# An archivist's hold on the dossier's unit with two parents.
tok=$(sed -n 's/^dossier|\([^|]*\)|.*/\1/p' "$T/a")
tid=$(sed -n 's/^dossier|[^|]*|\(.*\)/\1/p' "$T/a")
http GET "/v1/units?transfer=$tid&limit=1000" "$tok" >/dev/null
au3=$(json_get '.units[] | select(.producer_id == "AU3") | .id')
is "hold placed on AU3" 201 "$(http POST /v1/holds "$arc" \
    -H 'Content-Type: application/json' \
    --data "{\"unit\":\"$au3\",\"reason\":\"Contentieux\",\"reference\":\"TA-2024-1\"}")"
http GET "/v1/units/$au3" "$aud" >/dev/null
is "AU3: APP-00002 from AU2 only (AU1 stops inheritance), Destroy" \
    "APP-00002 2018-06-01 2023-06-01 Destroy true" \
    "$(json_get '"\(.rule) \(.start_date) \(.end_date) \(.final_action) \(.held)"')"

# ---------------------------------------------------------------- export
: > "$T/before"
while IFS='|' read -r name tok tid; do
	state "$name" "$tok" "$tid" >> "$T/before"
	msg=$(admin export-package "$tid" -o "$EXP/$name.zip" 2>&1)
	if [ $? -eq 0 ] && [ -f "$EXP/$name.zip" ]; then
		ok "$name: exported ($msg)"
	else
		not_ok "$name: exported" "$msg"
		continue
	fi
	bsdtar -xOf "$EXP/$name.zip" manifest.xml > "$EXP/$name.xml"
	check "$name: manifest.xml valid against the official XSD" \
	    xsd_valid "$EXP/$name.xml"
	want=$(bsdtar -xOf "$(sed -n "s/^$name|//p" "$T/list")" manifest.xml 2>/dev/null |
	    seda_version_of /dev/stdin)
	[ -n "$want" ] || want=2.2
	is "$name: in the version it came in" "$want" "$(seda_version_of "$EXP/$name.xml")"
	# Every file the manifest names is in the zip, with its digest.
	bad=$(xmllint --xpath '//*[local-name()="BinaryDataObject"]/*[local-name()="Uri"]/text()' \
	    "$EXP/$name.xml" 2>/dev/null | sed -e "s/&apos;/'/g" -e 's/&quot;/"/g' \
	    -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' | while read -r uri; do
		bsdtar -tf "$EXP/$name.zip" | grep -qxF "$uri" || echo "$uri"
	done)
	is "$name: every Uri is a file of the package" "" "$bad"
done < "$T/a"
is "the state of every transfer was read" 11 "$(cut -d'"' -f2 "$T/before" | sort -u | wc -l)"

m="$EXP/dossier.xml"
like "dossier: MessageIdentifier kept" "<MessageIdentifier>export-dossier</MessageIdentifier>" "$(cat "$m")"
like "dossier: TransferringAgency kept" "<Identifier>APP-DOSSIER</Identifier>" "$(tr -d '\n ' < "$m")"
like "dossier: ManagementMetadata rules as declared" \
    "<OriginatingAgencyIdentifier>AG-DOSSIER</OriginatingAgencyIdentifier><StorageRule><Rule>STO-00001</Rule><StartDate>2019-01-01</StartDate><FinalAction>RestrictAccess</FinalAction></StorageRule><AppraisalRule><Rule>APP-00002</Rule><StartDate>2015-01-01</StartDate><FinalAction>Destroy</FinalAction></AppraisalRule><AccessRule><Rule>ACC-00001</Rule></AccessRule><LogBook>.*<EventTypeCode>INGEST</EventTypeCode>.*</LogBook><HoldRule><Rule>HOL-00002</Rule><StartDate>2024-01-01</StartDate><HoldEndDate>2090-01-01</HoldEndDate><HoldReason>Contentieux en cours</HoldReason><PreventRearrangement>true</PreventRearrangement></HoldRule></ManagementMetadata>" \
    "$(tr -d '\n' < "$m" | sed 's/> *</></g')"
like "dossier: AU1's LogBook between its rules and NeedAuthorization" \
    "</ClassificationRule><LogBook><Event><EventIdentifier>[0-9]+</EventIdentifier><EventTypeCode>UNIT_INGEST</EventTypeCode>.*</LogBook><NeedAuthorization>true" \
    "$(tr -d '\n' < "$m" | sed 's/> *</></g')"
like "dossier: AU3 under AU1, named by ArchiveUnitRefId under AU2" \
    '<ArchiveUnit id="AU3">.*<ArchiveUnit id="AU2">.*<ArchiveUnitRefId>AU3</ArchiveUnitRefId>' \
    "$(tr -d '\n' < "$m")"
like "dossier: the hold is in AU3's history, with the entry's hash" \
    "<EventTypeCode>HOLD_PLACE</EventTypeCode><EventDateTime>[^<]*</EventDateTime><Outcome>OK</Outcome><OutcomeDetailMessage>[^<]*</OutcomeDetailMessage><EventDetailData>sha256:[0-9a-f]{64}</EventDetailData>" \
    "$(tr -d '\n' < "$m" | sed 's/> *</></g')"
like "dossier: the lone object stays lone" \
    "<DataObjectReferenceId>BDO5</DataObjectReferenceId>" "$(cat "$m")"
like "gen-2.1: escaped title as received" "Dossier &lt;2.1&gt; &amp; co" \
    "$(cat "$EXP/gen-2.1.xml")"
like "gen-2.2: the file name to quote kept in the zip" "^content/l'ombre & moi.txt\$" \
    "$(bsdtar -tf "$EXP/gen-2.2.zip")"
like "gen-2.2: the empty file too, without Size" "<Uri>content/vide.txt</Uri><MessageDigest algorithm=\"SHA-512\">[0-9a-f]{128}</MessageDigest><FormatIdentification>" \
    "$(tr -d '\n' < "$EXP/gen-2.2.xml" | sed 's/> *</></g')"

# Refusals: nothing is written for them.
msg=$(admin export-package NOSUCHTRANSFER -o "$EXP/none.zip" 2>&1)
rc=$?
is "unknown transfer: exit status of not found" 3 "$rc"
check "unknown transfer: no file" test ! -e "$EXP/none.zip"
like "unknown transfer: says so" "no accepted transfer" "$msg"
ko=$(new_token producer p-ko)
post_package "$ko" "$SAMPLES/KO_INVALID_URI.zip" >/dev/null
kotid=$(header Location); kotid=${kotid##*/}
msg=$(admin export-package "$kotid" -o "$EXP/ko.zip" 2>&1)
like "a refused transfer has no package" "no accepted transfer" "$msg"

# ---------------------------------------------------------------- fresh instance
stop_saed
DATA="$T/data2"
LOG="$T/saed2.log"
start_saed
adm=$(new_token admin admin)
arc=$(new_token archivist archiviste)
is "fresh instance: the same DUA table imported" 201 "$(http POST /v1/rules "$adm" \
    -H 'Content-Type: text/csv' --data-binary @"$RULES")"
sed 's/^\([^|]*\)|.*/\1/' "$T/list" | while read -r name; do
	echo "$name|$EXP/$name.zip"
done > "$T/list2"
ingest_all b "$T/list2"
: > "$T/after"
while IFS='|' read -r name tok tid; do
	state "$name" "$tok" "$tid" >> "$T/after"
done < "$T/b"
for name in $(sed 's/|.*//' "$T/list"); do
	grep "^\[\"$name\"" "$T/before" > "$T/x1"
	grep "^\[\"$name\"" "$T/after" > "$T/x2"
	if [ -s "$T/x1" ] && cmp -s "$T/x1" "$T/x2"; then
		ok "$name: same units, objects, rules and dates after the round trip ($(wc -l < "$T/x1") units)"
	else
		not_ok "$name: same units, objects, rules and dates after the round trip" \
		    "$(diff "$T/x1" "$T/x2" | head -n 20)"
	fi
done

# Exported again: the LogBook holds both histories, in one LogBook.
tok=$(sed -n 's/^dossier|\([^|]*\)|.*/\1/p' "$T/b")
tid=$(sed -n 's/^dossier|[^|]*|\(.*\)/\1/p' "$T/b")
msg=$(admin export-package "$tid" -o "$EXP/again.zip" 2>&1)
is "re-export from the fresh instance" 0 $?
bsdtar -xOf "$EXP/again.zip" manifest.xml > "$EXP/again.xml"
check "re-export: valid against the official XSD" xsd_valid "$EXP/again.xml"
au3xml=$(xmllint --xpath '//*[local-name()="ArchiveUnit"][@id="AU3"]/*[local-name()="Management"]' \
    "$EXP/again.xml" | tr -d '\n')
is "re-export: AU3 has one LogBook" 1 "$(printf '%s' "$au3xml" | grep -o '<LogBook>' | wc -l)"
like "re-export: with the first instance's hold and both ingests" \
    "UNIT_INGEST.*HOLD_PLACE.*UNIT_INGEST" "$au3xml"

# A damaged copy is passed over; with no intact copy, no package.
http GET "/v1/units?transfer=$tid&limit=1000" "$tok" >/dev/null
au5=$(json_get '.units[] | select(.producer_id == "AU5") | .id')
http GET "/v1/units/$au5" "$tok" >/dev/null
sha=$(json_get '.objects[0].sha256')
damage() {	# damage OFFER: flips the copy's bytes
	for f in "$DATA/offers/$1/objects/$(echo "$sha" | cut -c1-2)/$sha"*; do
		printf 'XXXXXXXX' | dd of="$f" conv=notrunc 2>/dev/null
	done
}
damage vault-a
msg=$(admin export-package "$tid" -o "$EXP/damaged.zip" 2>&1)
is "one copy damaged: exported from the other" 0 $?
check "one copy damaged: the intact bytes" sh -c \
    "bsdtar -xOf '$EXP/damaged.zip' content/piece5.txt | cmp -s - '$T/dossier/content/piece5.txt'"
damage vault-b
msg=$(admin export-package "$tid" -o "$EXP/lost.zip" 2>&1)
rc=$?
is "no intact copy: refused as corrupt" 6 "$rc"
like "no intact copy: names the object" "no intact copy of object" "$msg"
check "no intact copy: no file" test ! -e "$EXP/lost.zip"
check "no intact copy: no part file either" test ! -e "$EXP/lost.zip.part"
done_testing
