#!/bin/sh
# 01-setup: saed checks its configuration and schemas, creates and
# initialises a data directory, says when it is ready; sae-admin manages
# tokens.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

write_config
check "saed -n accepts the test configuration" "$SAED" -n --config "$CONF"
out=$("$SAED" -n --config "$CONF" 2>&1)
like "saed -n says the configuration is OK" "configuration OK" "$out"
check "saed --help" "$SAED" --help
check "sae-admin --help" "$ADMIN" --help

printf '[server]\nport = 8420\nbogus = 1\n' > "$T/bad.conf"
out=$("$SAED" -n --config "$T/bad.conf" 2>&1); rc=$?
is "unknown key refused" 2 "$rc"
like "the refusal names file, line and key" "bad.conf:3: unknown key 'bogus' in \[server\]" "$out"

printf '[limits]\nmax_ratio = lots\n' > "$T/bad2.conf"
out=$("$SAED" -n --config "$T/bad2.conf" 2>&1)
like "a bad value is named with its line" "bad2.conf:2: \[limits\] max_ratio = 'lots'" "$out"

cat > "$T/place.conf" <<CONF
[seda]
schemas = $SCHEMAS
[storage]
definitive_copies = 1
[offer cloud]
path = /srv/cloud
sovereign = no
[offer vault]
path = vault
sovereign = yes
[placement]
current = cloud
intermediate = cloud
definitive = vault, cloud
CONF
out=$("$SAED" -n --config "$T/place.conf" 2>&1); rc=$?
is "definitive archives on a non-sovereign offer: refused" 2 "$rc"
like "the refusal names the offer" "offer 'cloud' is not sovereign" "$out"

printf '[seda]\nschemas = %s/none\n' "$T" > "$T/noschema.conf"
out=$("$SAED" -n --config "$T/noschema.conf" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "missing schemas: saed refuses to start" || not_ok "missing schemas: saed refuses to start"
like "and says where it looked" "SEDA schemas in '$T/none'" "$out"

cp -r "$SCHEMAS" "$T/schemas"
printf ' ' >> "$T/schemas/2.2/seda-2.2-management.xsd"
printf '[seda]\nschemas = %s/schemas\n' "$T" > "$T/altered.conf"
out=$("$SAED" -n --config "$T/altered.conf" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "altered schema: saed refuses to start" || not_ok "altered schema: saed refuses to start"
like "and names the altered file" "seda-2.2-management.xsd" "$out"

start_saed
ok "saed prints 'ready port=N' on an ephemeral port ($PORT)"
check "the data directory was created" test -d "$DATA"
mode=$(stat -c %a "$DATA/tsa/tsa.key")
is "the TSA key is mode 0600" 600 "$mode"
check "the TSA certificate has critical EKU timeStamping" sh -c \
    "openssl x509 -in '$DATA/tsa/tsa.pem' -noout -text | grep -A1 'Extended Key Usage: critical' | grep -q 'Time Stamping'"
check "the two default sovereign offers exist" test -d "$DATA/offers/vault-a" -a -d "$DATA/offers/vault-b"

rules=$(http GET /v1/rules "$(new_token auditor audit1)")
is "GET /v1/rules answers 200" 200 "$rules"
n=$(json_get '.rules | length')
is "the embedded DUA table (dua-communes.csv) is loaded" 55 "$n"

tok=$(new_token producer app1)
like "token create prints the token as its last line" '^sae_[A-Za-z0-9_-]{43}$' "$tok"
out=$(admin token create --role producer --name app1 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "a second token with the same name is refused" || not_ok "a second token with the same name is refused"
out=$(admin token list)
like "token list shows the token" "app1 +producer" "$out"
check "the token never appears in the catalog" sh -c "! grep -qa '$tok' '$DATA/catalog.db' '$DATA/catalog.db-wal'"
code=$(http GET /v1/units "$tok")
is "the token works" 200 "$code"
check "token revoke" admin token revoke app1
code=$(http GET /v1/units "$tok")
is "a revoked token is refused" 401 "$code"
out=$(admin journal verify)
like "token creation and revocation are journaled in a chain that holds" "journal: OK" "$out"

stop_saed
# A crash during the very first start leaves a half-made TSA in tsa.new.
mkdir -p "$T/d2/tsa.new"
echo "half written" > "$T/d2/tsa.new/ca.pem"
"$SAED" --data "$T/d2" --config "$CONF" --listen 127.0.0.1:0 > "$T/d2.out" 2>&1 &
p2=$!
for _ in $(seq 1 100); do grep -q 'ready port=' "$T/d2.out" && break; sleep 0.05; done
kill "$p2"; wait "$p2" 2>/dev/null
like "a half-made TSA from a crashed first start is made again" "ready port=" "$(cat "$T/d2.out")"
check "and put in place whole" test -f "$T/d2/tsa/tsa.key" -a ! -e "$T/d2/tsa.new"

start_saed
ok "saed restarts on an existing data directory"
code=$(http GET /v1/rules "$(new_token auditor audit2)")
is "and keeps its DUA table" 55 "$(json_get '.rules | length')"
done_testing
