#!/bin/sh
# 22-ui-units: the "Unités" screen in a real browser (tests/ui/units.mjs):
# an auditor searches by title and by agency, opens a document's page
# (rule, age, objects, history), downloads its object (the bytes sent)
# and its proof bundle, which sae-verify accepts.  Then with curl: titles
# are shown as text, pagination, form errors, no actions, admins and
# unknown ids; the API still answers as before; and once a disposal is
# carried out, the unit's page and its object answer 410.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
VERIFY="$SAE_BUILDDIR/admin/sae-verify"
write_config "[schedule]
disposal_days = 0
[disposal]
execute_at = 13:00
[ui]
dir = $SAE_SRCDIR/ui"
FAKE_DATE="2030-01-15 12:00:00"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
aud=$(new_token auditor auditrice)
adm=$(new_token admin admin)

pkg() {	# pkg NAME AGENCY TITLE: a dossier holding NAME.txt, EC-02 (1 year) Destroy
	{ echo "document $1"; head -c 30000 /dev/urandom | base64; } > "$T/$1.txt"
	"$MK" "$T/$1.zip" --rule EC-02 --final Destroy --agency "$2" \
	    --start 2030-01-01 --msgid "$1" --title "$3" "$T/$1.txt"
	is "$1 archived" 201 "$(post_package "$prod" "$T/$1.zip")"
}
MARKUP='Dossier <b>x</b> & "q"'
pkg alpha AG-A "Dossier alpha"
pkg beta AG-B "$MARKUP"
pkg gamma AG-A "Dossier gamma"

http GET "/v1/units?limit=100" "$aud" >/dev/null
cp "$T/body" "$T/units.json"
uid() { jq -r --arg t "$1" '.units[] | select(.title == $t) | .id' "$T/units.json"; }
alpha=$(uid "Dossier alpha"); doc=$(uid alpha.txt); beta=$(uid "$MARKUP")
http GET "/v1/units/$doc" "$aud" >/dev/null
obj=$(json_get '.objects[0].id')
sha=$(sha256sum < "$T/alpha.txt" | cut -d' ' -f1)
is "the API has the document's object with the digest of what was sent" "$sha" \
    "$(json_get '.objects[0].sha256')"
http GET "/v1/units/$beta" "$aud" >/dev/null
betadoc=$(uid beta.txt)
http GET "/v1/units/$betadoc" "$aud" >/dev/null
betaobj=$(json_get '.objects[0].id')

browser units.mjs SAE_AUD="$aud" SAE_ALPHA="$alpha" SAE_DOC="$doc" \
    SAE_OBJ="$obj" SAE_SHA="$sha" SAE_PROOF="$T/ui-proof.zip" \
    SAE_GAMMA="$(uid 'Dossier gamma')" SAE_BETA="$beta"

# -------------------------------------------------- the proof, offline
check "the browser saved the proof bundle" test -s "$T/ui-proof.zip"
# Checked at the daemon's (faked) date: its TSA certificate starts then.
out=$(fake "$FAKE_DATE" "$VERIFY" "$T/ui-proof.zip"); rc=$?
is "sae-verify accepts the bundle an auditor downloaded" 0 "$rc"
like "it says so" "RÉSULTAT : tout tient" "$out"
like "about this unit" "unit.json décrit l'unité $doc" "$out"
is "the delivery is journaled under the auditor's name" "auditrice" \
    "$(http GET "/v1/journal?unit=$doc" "$aud" >/dev/null; json_get '[.[] | select(.type == "PROOF") | .agent] | unique | join(" ")')"

# -------------------------------------------------- with curl
ca=$(ui_login "$aud")
ui() { http GET "$1" "" -H "Cookie: $ca"; }
is "a title search for % looks for a %, not for anything" "0 0" \
    "$(http GET "/v1/units?title=%25" "$aud" >/dev/null; json_get '.units | length') $(http GET "/v1/units?title=_" "$aud" >/dev/null; json_get '.units | length')"
is "search by agency AG-B" 200 "$(ui "/ui/units?agency=AG-B")"
check "the title with markup is escaped text" grep -qF \
    '>Dossier &lt;b&gt;x&lt;/b&gt; &amp; "q"</a>' "$T/body"
check "and no <b> element came from it" sh -c "! grep -q '<b>' '$T/body'"
is "its page" 200 "$(ui "/ui/units/$beta")"
check "shows the title as text in the heading" grep -qF \
    'Unité « Dossier &lt;b&gt;x&lt;/b&gt; &amp; "q" »' "$T/body"
is "search by producer id AU0: the three dossiers only" 200 "$(ui "/ui/units?producer_id=AU0")"
is "three rows" 3 "$(grep -o 'data-unit=' "$T/body" | wc -l)"
is "one per page" 200 "$(ui "/ui/units?agency=AG-A&limit=1")"
next=$(sed -n 's/.*id="next" href="\([^"]*\)".*/\1/p; s/.*href="\([^"]*\)" id="next".*/\1/p' "$T/body" | head -n 1 | sed 's/&amp;/\&/g')
like "a link to the next page, with the criteria and the cursor" \
    "^/ui/units\?agency=AG-A&limit=1&after=[0-9A-Z]{26}$" "$next"
first=$(sed -n 's/.*data-unit="\([0-9A-Z]*\)".*/\1/p' "$T/body")
is "the next page" 200 "$(ui "$next")"
second=$(sed -n 's/.*data-unit="\([0-9A-Z]*\)".*/\1/p' "$T/body")
check "shows another unit" sh -c "[ -n '$second' ] && [ '$second' != '$first' ]"
is "a bad date: 400" 400 "$(ui "/ui/units?end_from=31/12/2031")"
like "which says how to write it" "AAAA-MM-JJ" "$(cat "$T/body")"
is "an unknown age: 400" 400 "$(ui "/ui/units?age=old")"
is "DUA end between two dates" 200 "$(ui "/ui/units?end_from=2030-12-31&end_to=2031-01-01&age=current")"
is "finds the six units" 6 "$(grep -o 'data-unit=' "$T/body" | wc -l)"
is "an unknown unit: 404" 404 "$(ui "/ui/units/01ZZZZZZZZZZZZZZZZZZZZZZZZ")"
is "an unknown object: 404" 404 "$(ui "/ui/objects/01ZZZZZZZZZZZZZZZZZZZZZZZZ")"
is "a bad path: 404" 404 "$(ui "/ui/units/nope/proof")"
is "the object through the UI" 200 "$(ui "/ui/objects/$obj")"
is "is the bytes sent" "$sha" "$(sha256sum < "$T/body" | cut -d' ' -f1)"
like "as a download" "attachment; filename=\"$obj.txt\"" "$(header Content-Disposition)"
csrf=$(ui "/ui/units" >/dev/null; sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -n 1)
is "no action on a unit: 404" 404 \
    "$(http POST "/ui/units/$doc" "" -H "Cookie: $ca" --data-urlencode "csrf=$csrf")"
cm=$(ui_login "$adm")
is "an admin sees the unit" 200 "$(http GET "/ui/units/$doc" "" -H "Cookie: $cm")"
check "without the proof link" sh -c "! grep -q 'id=\"proof\"' '$T/body'"
is "and may not download the proof (as in the API)" 403 \
    "$(http GET "/ui/units/$doc/proof" "" -H "Cookie: $cm")"
cr=$(ui_login "$arch")
# A hold on the document: its dossier's page says why it stays.
http POST /v1/holds "$arch" -H 'Content-Type: application/json' \
    -d "{\"unit\": \"$doc\", \"reason\": \"contentieux\", \"reference\": \"TA-1\"}" > /dev/null
is "the dossier's page" 200 "$(http GET "/ui/units/$alpha" "" -H "Cookie: $cr")"
like "shows the hold on its document" "l'unité fille <a href=\"/ui/units/$doc\">alpha.txt</a>" "$(cat "$T/body")"
like "with its reason" "contentieux" "$(cat "$T/body")"
is "an archivist downloads the proof with the objects" 200 \
    "$(http GET "/ui/units/$doc/proof?objects=1" "" -H "Cookie: $cr")"
cp "$T/body" "$T/arch-proof.zip"
out=$(fake "$FAKE_DATE" "$VERIFY" "$T/arch-proof.zip"); rc=$?
is "which sae-verify accepts too, bytes included" "0" "$rc"
like "with the object's bytes" "OK +objet $obj : .*ses octets" "$out"
is "no session: 303" 303 "$(http GET "/ui/objects/$obj" "")"

# -------------------------------------------------- the API is unchanged
is "API: title search" "Dossier alpha alpha.txt" \
    "$(http GET "/v1/units?title=alpha" "$aud" >/dev/null; json_get '[.units[].title] | join(" ")')"
is "API: agency and cursor" "1 $(jq -r '[.units[] | select(.agency == "AG-A")][1].id' "$T/units.json")" \
    "$(http GET "/v1/units?agency=AG-A&limit=1&after=$alpha" "$aud" >/dev/null; json_get '"\(.units | length) \(.units[0].id)"')"
is "API: the object" 200 "$(http GET "/v1/objects/$obj" "$aud")"
is "the same bytes" "$sha" "$(sha256sum < "$T/body" | cut -d' ' -f1)"
is "API: its type" "text/plain" "$(header Content-Type | sed 's/;.*//')"
is "API: the proof" 200 "$(http GET "/v1/units/$doc/proof" "$aud")"
check "nothing left in the data directory's tmp" \
    sh -c "[ -z \"\$(ls -A '$DATA/tmp')\" ]"

# -------------------------------------------------- a destroyed unit
stop_saed
FAKE_DATE="2031-02-01 12:00:00"
start_saed
is "the archivist proposes lists" 201 "$(http POST /v1/disposals "$arch")"
http GET /v1/disposals "$arch" >/dev/null
B=$(json_get '.disposals[] | select(.agency == "AG-B") | .id')
is "AG-B's list approved" 200 "$(http POST "/v1/disposals/$B/approve" "$arch" -d '{"visa":"VISA-22"}')"
stop_saed
FAKE_DATE="2031-02-01 13:30:00"
start_saed
for _ in $(seq 1 100); do
	[ "$(http GET "/v1/disposals/$B" "$arch" >/dev/null; json_get .state)" = executed ] && break
	sleep 0.2
done
is "the list is executed" executed "$(json_get .state)"
ca=$(ui_login "$aud")
is "the destroyed dossier's page: 410" 410 "$(ui "/ui/units/$beta")"
like "says it was destroyed" "Cette unité a été éliminée" "$(cat "$T/body")"
like "links its disposal list" "/ui/disposals/$B" "$(cat "$T/body")"
is "its document's object: 410" 410 "$(ui "/ui/objects/$betaobj")"
is "the API says 410 too" 410 "$(http GET "/v1/objects/$betaobj" "$aud")"
is "no longer found by agency" 200 "$(ui "/ui/units?agency=AG-B")"
check "no result" grep -q 'id="no-result"' "$T/body"
stop_saed
check "the journal verifies" admin journal verify
done_testing
