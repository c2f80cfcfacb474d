#!/bin/sh
# 03-samples: every real package of ../shared/seda/samples gets the outcome
# its README gives, with a reply valid against the official XSD of its
# version; accepted objects read back byte for byte; a resend archives
# nothing twice.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

start_saed
adm=$(new_token admin admin)
aud=$(new_token auditor auditeur)
# The samples name the rules of Vitam's referential (samples/README.md).
is "rules_ok.csv imported through the API" 201 "$(http POST /v1/rules "$adm" \
    -H 'Content-Type: text/csv' --data-binary @"$SAE_SHARED/seda/examples/rules_ok.csv")"

# sample ; expected status ; ReplyCode regex ; regex the reply must contain
while IFS=';' read -r file status code reason; do
	[ -n "$file" ] || continue
	tok=$(new_token producer "p-$file")
	got=$(post_package "$tok" "$SAMPLES/$file")
	is "$file: HTTP $status" "$status" "$got"
	like "$file: ReplyCode $code" "^($code)\$" "$(reply_code)"
	cp "$T/body" "$T/reply-$file.xml"
	check "$file: the reply validates against the official XSD" xsd_valid "$T/reply-$file.xml"
	like "$file: the reply says why" "$reason" "$(cat "$T/body")"
	loc=$(header Location)
	like "$file: Location names the transfer" '^/v1/transfers/[0-9A-Z]{26}$' "$loc"
	http GET "$loc" "$tok" >/dev/null
	check "$file: GET $loc gives the same reply" cmp -s "$T/body" "$T/reply-$file.xml"
	echo "$file|$tok|${loc##*/}|$status" >> "$T/sent"
done <<'LIST'
OK_SIP_2_GO.zip;201;OK;<ReplyCode>OK</ReplyCode>
OK_SIP_2_GO.tar;201;OK;Paquet tar
OK_RULES_COMPLEXE_COMPLETE.zip;201;OK;CHECK_RULES
OK_EMPRT_SHA256_2.zip;201;OK;CHECK_DIGEST
OK_ArchivesPhysiques.zip;201;OK;SystemId
WARNING_SIP_mail_Seda2.2.zip;201;OK|WARNING;seda:v2.2
OK_SEDA2.3_SigningInformation_BinairesMultiples.zip;201;OK;seda:v2.3
OK_SIP_FULL_SEDA2.3.zip;422;KO;(schéma|schema).*(Extended|abstract|abstrait)
KO_BORD_empreinte_KO.zip;422;KO;empreinte MD5.*ne correspond pas
KO_BORD_xmlKO_sansobjet.zip;422;KO;(XML|bien formé)
KO_2216_CA2_non_conforme_SEDA.zip;422;KO;51.*InvalidSEDA
KO_INVALID_URI.zip;422;KO;Content/FalseValue.*absent
SIP_KO_PathTraversalInFileName.zip;422;KO;\.\./\.\./BadFile\.txt
KO-RULES.zip;422;KO;APP-00000000000000000000001.*n'existe pas
LIST

like "KO_INVALID_URI: the undeclared file is named too" "Content/ID7\.txt.*aucun objet" \
    "$(cat "$T/reply-KO_INVALID_URI.zip.xml")"
like "KO_BORD_empreinte_KO: the size mismatch is named too" "octets" \
    "$(cat "$T/reply-KO_BORD_empreinte_KO.zip.xml")"
check "nothing of the path-traversal package was written outside" \
    sh -c "! find '$T' -name BadFile.txt | grep -q ."

# Accepted packages: objects read back byte for byte, by digest and
# against the file in the package.
while IFS='|' read -r file tok tid status; do
	[ "$status" = 201 ] || continue
	http GET "/v1/units?transfer=$tid&limit=1000" "$tok" >/dev/null
	units=$(json_get '.units[].id')
	n=0; bad=
	for u in $units; do
		http GET "/v1/units/$u" "$tok" >/dev/null
		json_get '.objects[] | select(.physical == false) | "\(.id) \(.sha256) \(.uri)"' \
		    > "$T/objs"
		while read -r oid sha uri; do
			n=$((n + 1))
			http GET "/v1/objects/$oid" "$tok" >/dev/null
			got=$(sha256sum < "$T/body" | cut -d' ' -f1)
			want=$(bsdtar -xOf "$SAMPLES/$file" "$uri" | sha256sum | cut -d' ' -f1)
			[ "$got" = "$sha" ] && [ "$got" = "$want" ] || bad="$bad $uri"
		done < "$T/objs"
	done
	is "$file: every object reads back byte for byte" "" "$bad"
	echo "# $file: $n object(s) read back"
done < "$T/sent"

# The tree: ArchiveUnitRefId makes ID4 a child of ID3 in OK_SIP_2_GO.
tok=$(sed -n 's/^OK_SIP_2_GO.zip|\([^|]*\)|\([^|]*\)|.*/\1 \2/p' "$T/sent")
set -- $tok
http GET "/v1/units?transfer=$2" "$1" >/dev/null
id3=$(json_get '.units[] | select(.producer_id == "ID3") | .id')
parent=$(json_get '.units[] | select(.producer_id == "ID4") | .parent')
is "OK_SIP_2_GO: unit ID4 hangs under ID3" "$id3" "$parent"
is "OK_SIP_2_GO: wrappers with ArchiveUnitRefId are not units" "" \
    "$(json_get '.units[] | select(.producer_id == "ID5") | .id')"

# OK_RULES_COMPLEXE_COMPLETE: unit ID50 declares AppraisalRule APP-00002
# (5 years from 2000-01-01, Destroy); its descendants inherit it (the
# blocks they declare concern other categories); units outside that
# subtree have no DUA: implicitly Keep, and current until a DUA starts.
rtok=$(sed -n 's/^OK_RULES_COMPLEXE_COMPLETE.zip|\([^|]*\)|.*/\1/p' "$T/sent")
rtid=$(sed -n 's/^OK_RULES_COMPLEXE_COMPLETE.zip|[^|]*|\([^|]*\)|.*/\1/p' "$T/sent")
http GET "/v1/units?transfer=$rtid&limit=1000" "$rtok" >/dev/null
rule_of() {
	json_get ".units[] | select(.producer_id == \"$1\") | \"\\(.rule) \\(.end_date) \\(.final_action) \\(.age)\""
}
is "OK_RULES_COMPLEXE_COMPLETE: ID50 has APP-00002 until 2005-01-01, Destroy: disposal" \
    "APP-00002 2005-01-01 Destroy disposal" "$(rule_of ID50)"
is "OK_RULES_COMPLEXE_COMPLETE: ID4, outside that subtree, has no DUA" \
    "null null Keep current" "$(rule_of ID4)"
is "OK_RULES_COMPLEXE_COMPLETE: only these two cases" 2 \
    "$(json_get '[.units[] | "\(.rule) \(.final_action) \(.age)"] | unique | length')"

# Pagination: pages of 3 cover every unit once, in order.
http GET "/v1/units?limit=1000" "$aud" >/dev/null
json_get '.units[].id' > "$T/all"
: > "$T/paged"; after=; pages=0
while :; do
	http GET "/v1/units?limit=3${after:+&after=$after}" "$aud" >/dev/null
	json_get '.units[].id' >> "$T/paged"
	pages=$((pages + 1))
	after=$(json_get '.next // empty')
	[ -n "$after" ] || break
done
check "paging by 3 gives the same units in the same order" cmp -s "$T/all" "$T/paged"
is "in as many pages as it takes" $(( ($(wc -l < "$T/all") + 2) / 3 )) "$pages"
is "limit=0 is refused" 400 "$(http GET "/v1/units?limit=0" "$aud")"

# Resending the same bytes archives nothing twice.
http GET "/v1/units?limit=1000" "$aud" >/dev/null
before=$(json_get '.units | length')
first=$(sed -n 's/^OK_SIP_2_GO.zip|[^|]*|\([^|]*\)|.*/\1/p' "$T/sent")
code=$(post_package "$1" "$SAMPLES/OK_SIP_2_GO.zip")
is "resend: the first reply's status again" 201 "$code"
is "resend: the same Location" "/v1/transfers/$first" "$(header Location)"
check "resend: the same reply" cmp -s "$T/body" "$T/reply-OK_SIP_2_GO.zip.xml"
http GET "/v1/units?limit=1000" "$aud" >/dev/null
is "resend: no unit added" "$before" "$(json_get '.units | length')"

# The same MessageIdentifier with other bytes is refused.
tok=$(new_token producer dup)
echo one > "$T/one.txt"; echo two > "$T/two.txt"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/d1.zip" --rule APP-00001 --msgid same-id "$T/one.txt"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/d2.zip" --rule APP-00001 --msgid same-id "$T/two.txt"
is "first package with MessageIdentifier same-id" 201 "$(post_package "$tok" "$T/d1.zip")"
is "other bytes, same MessageIdentifier: 409" 409 "$(post_package "$tok" "$T/d2.zip")"
like "the reply is KO and says so" "KO.*déjà été archivé" "$(tr -d '\n' < "$T/body")"
cp "$T/body" "$T/r409.xml"
check "that reply validates too" xsd_valid "$T/r409.xml"

# Generated packages in every container and version.
for fmt in zip tar tar.gz tar.zst; do
	for v in 2.1 2.2 2.3; do
		"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/g.$fmt" --format "$fmt" \
		    --version "$v" --rule APP-00001 --msgid "gen-$fmt-$v" "$T/one.txt"
		code=$(post_package "$tok" "$T/g.$fmt")
		cp "$T/body" "$T/g.xml"
		if [ "$code" = 201 ] && xsd_valid "$T/g.xml" >/dev/null 2>&1 &&
		    [ "$(seda_version_of "$T/g.xml")" = "$v" ]; then
			ok "$fmt, SEDA $v: archived, reply in $v and valid"
		else
			not_ok "$fmt, SEDA $v: archived, reply in $v and valid" "$code $(cat "$T/g.xml")"
		fi
	done
done
out=$(admin journal verify)
like "the journal chain holds after all of this" "journal: OK" "$out"
done_testing
