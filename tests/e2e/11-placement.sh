#!/bin/sh
# 11-placement: objects live on the offers their units' ages allow: a unit
# that becomes definitive has its objects copied to the sovereign offers,
# verified, then removed from the non-sovereign one (checked on disk),
# journaled, and finished after a crash in the middle.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
write_config "[storage]
definitive_copies = 2
[offer fast]
path = offers/fast
sovereign = no
[offer vault-a]
path = offers/vault-a
sovereign = yes
[offer vault-b]
path = offers/vault-b
sovereign = yes
[placement]
current = fast
intermediate = fast
definitive = vault-a, vault-b"
FAKE_DATE="2030-01-15 12:00:00"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
head -c 50000 /dev/urandom > "$T/keep.bin"
head -c 50000 /dev/urandom > "$T/gone.bin"
"$MK" "$T/k.zip" --rule EC-01 --final Keep --start 2030-01-01 --msgid keep "$T/keep.bin"
"$MK" "$T/d.zip" --rule EC-02 --final Destroy --start 2030-01-01 --msgid gone "$T/gone.bin"
is "a dossier kept for ever (EC-01)" 201 "$(post_package "$prod" "$T/k.zip")"
is "a dossier to destroy after a year (EC-02)" 201 "$(post_package "$prod" "$T/d.zip")"

# where SHA: the offers holding the object, on disk, in name order.
where() {
	for o in fast vault-a vault-b; do
		ls "$DATA/offers/$o/objects/$(echo "$1" | cut -c1-2)/$1"* >/dev/null 2>&1 &&
		    printf '%s ' "$o"
	done
}
keep=$(sha256sum < "$T/keep.bin" | cut -d' ' -f1)
gone=$(sha256sum < "$T/gone.bin" | cut -d' ' -f1)
is "current archives: on the fast offer only" "fast " "$(where "$keep")"
is "both of them" "fast " "$(where "$gone")"

# 2031: the first becomes definitive, the second is due for disposal. A
# crash between writing the sovereign copies and removing the other one:
stop_saed
# Without crash points (a build without --enable-crashpoints) saed would
# just run: the crash is only tried where it can happen.
if "$SAED" --version | grep -q 'crash points enabled'; then
	fake "2031-01-01 12:00:00" env SAE_CRASHPOINT=placement-before-remove "$SAED" \
	    --data "$DATA" --config "$CONF" --listen 127.0.0.1:0 > "$T/crash.out" 2>> "$LOG"
	rc=$?
	[ "$rc" -ne 0 ] && ok "saed stopped by the crash point" || not_ok "saed stopped by the crash point"
	is "after the crash: the sovereign copies exist, the old one too" \
	    "fast vault-a vault-b " "$(where "$keep")"
fi
FAKE_DATE="2031-01-01 12:00:00"
start_saed
is "restarted: a definitive archive is on the sovereign offers only" \
    "vault-a vault-b " "$(where "$keep")"
is "the one due for disposal stays where it was" "fast " "$(where "$gone")"
http GET "/v1/units?limit=100" "$arch" >/dev/null
oid_unit=$(json_get '.units[] | select(.title == "keep.bin") | .id')
http GET "/v1/units/$oid_unit" "$arch" >/dev/null
is "its unit is definitive" definitive "$(json_get .age)"
oid=$(json_get '.objects[0].id')
http GET "/v1/objects/$oid" "$arch" >/dev/null
check "and its object reads back byte for byte" cmp -s "$T/body" "$T/keep.bin"
is "the catalog agrees with the disk" "vault-a vault-b" \
    "$(sqlite3 "$DATA/catalog.db" "SELECT group_concat(offer, ' ') FROM (SELECT offer FROM copy WHERE sha256 = '$keep' ORDER BY offer)")"
is "two copies written and verified, journaled" 2 \
    "$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM journal WHERE type = 'COPY_ADD' AND detail LIKE '%$keep%'")"
is "one copy removed, journaled" 1 \
    "$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM journal WHERE type = 'COPY_REMOVE' AND detail LIKE '%$keep%'")"
is "nothing left to move" "0 0 0" "$(http POST /v1/jobs/ages "$arch" >/dev/null;
    json_get '"\(.copies_added) \(.copies_removed) \(.placement_failed)"')"
# Already definitive when it arrives (a file closed in 2020, kept for ever):
# on the sovereign offers by the time the producer has its answer.
head -c 40000 /dev/urandom > "$T/old.bin"
"$MK" "$T/o.zip" --rule EC-01 --final Keep --start 2020-01-01 --msgid old "$T/old.bin"
is "an old dossier kept for ever: archived" 201 "$(post_package "$prod" "$T/o.zip")"
is "and already on the sovereign offers only" "vault-a vault-b " \
    "$(where "$(sha256sum < "$T/old.bin" | cut -d' ' -f1)")"

# Ages recomputed by sae-admin (here at a later date): saed moves the
# copies within seconds, without a restart.
head -c 40000 /dev/urandom > "$T/new.bin"
"$MK" "$T/n.zip" --rule EC-01 --final Keep --start 2030-12-15 --msgid new "$T/new.bin"
is "a dossier started 2030-12-15: archived, current" 201 "$(post_package "$prod" "$T/n.zip")"
new=$(sha256sum < "$T/new.bin" | cut -d' ' -f1)
is "on the fast offer" "fast " "$(where "$new")"
out=$(fake "2032-01-01 12:00:00" "$ADMIN" --data "$DATA" --config "$CONF" ages 2>&1)
like "sae-admin ages, a year later: it changed" "changes of age" "$out"
for _ in $(seq 1 40); do [ "$(where "$new")" = "vault-a vault-b " ] && break; sleep 0.5; done
is "saed moved its copies to the sovereign offers" "vault-a vault-b " "$(where "$new")"

out=$(admin journal verify)
like "the journal chain holds" "journal: OK" "$out"
done_testing
