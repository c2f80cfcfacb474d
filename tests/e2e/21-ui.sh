#!/bin/sh
# 21-ui: the web interface in a real browser.  A disposal list is made as
# 16-disposal does (daemon a year later under libfaketime), then Debian's
# chromium, driven headless by playwright-core (tests/ui/disposal.mjs):
# a producer cannot sign in; the archivist sees the open list (three lines
# a page), excludes a line on the second page, goes back to the first,
# enters a visa, is told how many units and bytes will go, confirms;
# cookie flags, sign-out, CSRF and role refusals.  Then the list is carried
# out: the destroyed units answer 410, the excluded one 200, and the
# journal names the archivist.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
write_config "[schedule]
disposal_days = 0
[disposal]
execute_at = 13:00
[ui]
dir = $SAE_SRCDIR/ui
lines_per_page = 3"
FAKE_DATE="2030-01-15 12:00:00"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
aud=$(new_token auditor audit)

pkg() {	# pkg NAME AGENCY: a dossier of one 20000-byte file, EC-02 (1 year) Destroy
	head -c 20000 /dev/urandom > "$T/$1.bin"
	"$MK" "$T/$1.zip" --rule EC-02 --final Destroy --agency "$2" \
	    --start 2030-01-01 --msgid "$1" --title "$1" "$T/$1.bin"
	is "$1 archived" 201 "$(post_package "$prod" "$T/$1.zip")"
}
pkg d1 AG-A
pkg d2 AG-A
pkg b1 AG-B

is "the sign-in page" 200 \
    "$(http GET /ui/login "")"
like "it is French HTML" '<html lang="fr">' "$(cat "$T/body")"
is "the CSS is served by saed" 200 "$(http GET /ui/sae.css "")"
is "no session: 303 to the sign-in page" "303 /ui/login" \
    "$(http GET /ui/disposals "") $(header Location)"

stop_saed
FAKE_DATE="2031-02-01 12:00:00"
start_saed
is "the archivist proposes lists" 201 "$(http POST /v1/disposals "$arch")"
http GET /v1/disposals "$arch" >/dev/null
A=$(json_get '.disposals[] | select(.agency == "AG-A") | .id')
B=$(json_get '.disposals[] | select(.agency == "AG-B") | .id')
http GET "/v1/units?limit=100" "$arch" >/dev/null
cp "$T/body" "$T/units.json"
uid() { jq -r --arg t "$1" '.units[] | select(.title == $t) | .id' "$T/units.json"; }
http GET "/v1/disposals/$A" "$arch" >/dev/null
ex=$(uid d2.bin)
units=$(json_get "[.units[] | select(.id != \"$ex\")] | length")
bytes=$(json_get "[.units[] | select(.id != \"$ex\") | .bytes] | add")
is "AG-A's list has d1, d2 and their documents" 4 "$(json_get '.units | length')"

browser disposal.mjs SAE_LIST="$A" SAE_LIST2="$B" SAE_EXCLUDE="$ex" \
    SAE_PROD="$prod" SAE_ARCH="$arch" SAE_AUD="$aud" SAE_UNITS="$units" SAE_BYTES="$bytes"

is "the API sees the approval made in the browser" "approved VISA-UI-2031-001 arch 1" \
    "$(http GET "/v1/disposals/$A" "$arch" >/dev/null; json_get '"\(.state) \(.visa) \(.decided_by) \(.excluded)"')"
is "the exclusion is journaled under the archivist's token name" "arch" \
    "$(http GET "/v1/journal?unit=$ex" "$aud" >/dev/null; json_get '[.[] | select(.type == "DISPOSAL_EXCLUDE") | .agent] | join(" ")')"

# 13:30: the scheduler carries the list out.
stop_saed
FAKE_DATE="2031-02-01 13:30:00"
start_saed
for _ in $(seq 1 100); do
	[ "$(http GET "/v1/disposals/$A" "$arch" >/dev/null; json_get .state)" = executed ] && break
	sleep 0.2
done
is "the list is executed" executed "$(json_get .state)"
is "d1 and its document answer 410" "410 410" \
    "$(http GET "/v1/units/$(uid d1)" "$arch") $(http GET "/v1/units/$(uid d1.bin)" "$arch")"
is "the excluded document answers 200" 200 "$(http GET "/v1/units/$ex" "$arch")"

# The UI's own copies of the documents, with a session made by curl.
is "a sign-in without the form's token is refused" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "token=$arch" "$URL/ui/login")"
is "so is one whose token is not its cookie's" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' -b "sae_login=$(printf '%064d' 0)" \
        --data-urlencode "token=$arch" --data "csrf=$(printf '%064d' 1)" "$URL/ui/login")"
cookie=$(ui_login "$arch")
like "sign-in by form sets the cookie" '^sae_session=[0-9a-f]{64}$' "$cookie"
is "the executed list in the UI" 200 "$(http GET "/ui/disposals/$A" "" -H "Cookie: $cookie")"
like "shows it executed" 'data-state="executed"' "$(cat "$T/body")"
is "the printable bordereau through the UI" 200 "$(http GET "/ui/disposals/$A/bordereau" "" -H "Cookie: $cookie")"
like "is the bordereau" "Bordereau d.élimination" "$(cat "$T/body")"
is "the destruction notification through the UI" 200 "$(http GET "/ui/disposals/$A/notification" "" -H "Cookie: $cookie")"
like "is the SEDA notification" "ArchiveDestructionNotification" "$(cat "$T/body")"
is "the API still wants its bearer token" 401 "$(http GET "/v1/disposals/$A" "" -H "Cookie: $cookie")"
stop_saed
check "the journal verifies" admin journal verify
done_testing
