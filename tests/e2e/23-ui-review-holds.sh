#!/bin/sh
# 23-ui-review-holds: the "À trier" and "Gels" screens in a real browser.
# Three dossiers under AG-05 (5 years, final action Sort in the DUA table)
# reach age review when the daemon's clock (libfaketime) moves to 2035.
# In the browser (tests/ui/review-holds.mjs) the archivist keeps one
# dossier alone, destroys another and its document in bulk (by keyboard),
# is told which units of a decision were refused and why, places a hold
# with a reason and a reference and lifts it; an auditor sees both pages
# without any form and is refused a POST.  Then the API sees what the
# browser did, the journal names the archivist's token for each action, and
# only the destroyed dossier goes on the next disposal list.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
write_config "[schedule]
disposal_days = 0
[ui]
dir = $SAE_SRCDIR/ui"
FAKE_DATE="2030-01-15 12:00:00"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
aud=$(new_token auditor audit)

# pkg NAME: a dossier of one file under AG-05 from 2030-01-01 (the
# package says Destroy; the table's Sort wins).
pkg() {
	head -c 5000 /dev/urandom > "$T/$1.bin"
	"$MK" "$T/$1.zip" --rule AG-05 --final Destroy --agency AG-A \
	    --start 2030-01-01 --msgid "$1" --title "$1" "$T/$1.bin"
	is "$1 archived" 201 "$(post_package "$prod" "$T/$1.zip")"
}
pkg s1
pkg s2
pkg s3
stop_saed

# Five years and a month later: the DUA has ended, the archivist sorts.
FAKE_DATE="2035-02-01 12:00:00"
start_saed
http GET "/v1/units?limit=100" "$arch" >/dev/null
cp "$T/body" "$T/units.json"
uid() { jq -r --arg t "$1" '.units[] | select(.title == $t) | .id' "$T/units.json"; }
age() { http GET "/v1/units/$1" "$arch" >/dev/null; json_get .age; }
is "the three dossiers and their documents await review" 6 \
    "$(http GET "/v1/units?age=review&limit=100" "$arch" >/dev/null; json_get '.units | length')"

browser review-holds.mjs SAE_ARCH="$arch" SAE_AUD="$aud" SAE_TOTAL=6 \
    SAE_KEEP="$(uid s1)" SAE_KEEP2="$(uid s1.bin)" \
    SAE_DESTROY="$(uid s2) $(uid s2.bin)" SAE_HOLD="$(uid s3)"

# What the API sees of what the browser did.
is "s1 and its document kept: definitive" "definitive definitive" \
    "$(age "$(uid s1)") $(age "$(uid s1.bin)")"
is "s2 and its document to destroy: disposal" "disposal disposal" \
    "$(age "$(uid s2)") $(age "$(uid s2.bin)")"
is "s3 and its document still await review" "review review" \
    "$(age "$(uid s3)") $(age "$(uid s3.bin)")"
decision() {	# decision UNIT: "DECISION AGENT COMMENT" of its UNIT_DECISION entries
	http GET "/v1/journal?unit=$1" "$aud" >/dev/null
	json_get '[.[] | select(.type == "UNIT_DECISION") | "\(.detail.decision) \(.agent) \(.detail.comment)"] | join(" | ")'
}
is "s1's decision journaled under the archivist's token name" \
    "keep arch intérêt historique <b>fort</b> & durable" "$(decision "$(uid s1)")"
is "s1.bin's too (the decision partly refused)" \
    "keep arch le document suit son dossier" "$(decision "$(uid s1.bin)")"
is "s2's destroy decision journaled under the archivist's token name" \
    "destroy arch sans intérêt au-delà de la DUA" "$(decision "$(uid s2)")"
is "s2.bin's too, in the same bulk decision" \
    "destroy arch sans intérêt au-delà de la DUA" "$(decision "$(uid s2.bin)")"

http GET /v1/holds "$arch" >/dev/null
is "one hold, placed and lifted in the browser" 1 "$(json_get 'length')"
is "with the unit, reason, reference and end date typed" \
    "$(uid s3)|contentieux <i>TA</i> & co|TA-Paris-2035-0042|2036-06-30" \
    "$(json_get '.[0] | "\(.unit)|\(.reason)|\(.reference)|\(.until)"')"
is "placed and lifted by the archivist, with the lift reason" \
    "arch|arch|affaire classée|false" \
    "$(json_get '.[0] | "\(.placed_by)|\(.lifted_by)|\(.lift_reason)|\(.active)"')"
is "placing and lifting are journaled under the archivist's token name" \
    "HOLD_PLACE arch HOLD_LIFT arch" \
    "$(http GET "/v1/journal?unit=$(uid s3)" "$aud" >/dev/null; json_get '[.[] | select(.type | startswith("HOLD_")) | "\(.type) \(.agent)"] | join(" ")')"

# "Détruire" made s2 eligible for the next list; "Conserver" did not.
is "the archivist proposes a list" 201 "$(http POST /v1/disposals "$arch")"
http GET "/v1/disposals/$(json_get .id)" "$arch" >/dev/null
is "it holds s2 and its document, not the kept s1 nor s3 under review" "s2 s2.bin" \
    "$(json_get '[.units[].title] | sort | join(" ")')"
stop_saed
check "the journal verifies" admin journal verify
done_testing
