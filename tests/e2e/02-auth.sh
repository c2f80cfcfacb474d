#!/bin/sh
# 02-auth: every call needs a bearer token (401 without), each role only
# its calls (403), and a producer sees only its own units or its agency's.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

start_saed
prod=$(new_token producer app-a)
prod2=$(new_token producer app-b)
agency=$(new_token producer app-c AG-TEST)
arch=$(new_token archivist archiviste)
aud=$(new_token auditor auditeur)
adm=$(new_token admin admin)
echo "contenu" > "$T/doc.txt"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/p.zip" --msgid auth-1 "$T/doc.txt"

is "no token: 401" 401 "$(http GET /v1/units '')"
like "with a sentence" "Authorization: Bearer" "$(cat "$T/body")"
like "and WWW-Authenticate" "Bearer" "$(header WWW-Authenticate)"
is "unknown token: 401" 401 "$(http GET /v1/units sae_nope)"
is "no token on POST /v1/transfers: 401" 401 "$(post_package '' "$T/p.zip")"
is "an auditor cannot transfer: 403" 403 "$(post_package "$aud" "$T/p.zip")"
is "an archivist cannot transfer: 403" 403 "$(post_package "$arch" "$T/p.zip")"
like "the 403 says which role may not do what" "auditor|archivist" "$(cat "$T/body")"
is "a producer cannot import rules: 403" 403 "$(http POST /v1/rules "$prod" \
    -H 'Content-Type: text/csv' --data-binary @"$SAE_SRCDIR/policies/dua-communes.csv")"
is "an auditor cannot import rules: 403" 403 "$(http POST /v1/rules "$aud" \
    -H 'Content-Type: text/csv' --data-binary @"$SAE_SRCDIR/policies/dua-communes.csv")"
is "unknown path: 404" 404 "$(http GET /v1/nothing "$adm")"
is "wrong method: 405" 405 "$(http DELETE /v1/units "$adm")"

is "producer A archives a package" 201 "$(post_package "$prod" "$T/p.zip")"
loc=$(header Location)
tid=${loc##*/}
http GET "/v1/units?transfer=$tid" "$prod" >/dev/null
unit=$(json_get '.units[0].id')
obj=$(for u in $(json_get '.units[].id'); do
	http GET "/v1/units/$u" "$prod" >/dev/null
	json_get '.objects[].id'
done | head -n 1)
is "A sees its unit" 200 "$(http GET "/v1/units/$unit" "$prod")"
is "B does not see A's unit" 404 "$(http GET "/v1/units/$unit" "$prod2")"
is "B does not see A's object" 404 "$(http GET "/v1/objects/$obj" "$prod2")"
is "B does not see A's transfer" 404 "$(http GET "/v1/transfers/$tid" "$prod2")"
http GET /v1/units "$prod2" >/dev/null
is "B's list is empty" 0 "$(json_get '.units | length')"
is "a token of agency AG-TEST sees the agency's unit" 200 "$(http GET "/v1/units/$unit" "$agency")"
is "an auditor sees it" 200 "$(http GET "/v1/units/$unit" "$aud")"
is "an archivist sees it" 200 "$(http GET "/v1/units/$unit" "$arch")"
is "A reads its object" 200 "$(http GET "/v1/objects/$obj" "$prod")"
is "byte for byte" "contenu" "$(cat "$T/body")"

"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/q.zip" --msgid auth-2 --agency OTHER "$T/doc.txt"
is "a producer of agency AG-TEST cannot transfer for agency OTHER" 422 \
    "$(post_package "$agency" "$T/q.zip")"
like "and the reply says why" "OTHER.*AG-TEST" "$(cat "$T/body")"
done_testing
