#!/bin/sh
# 15-audit-api: audits through the API (auditor, admin; never a repair),
# one at a time and in the background, their reports listed beside
# sae-admin's; audits while packages arrive; the scheduled audit, due
# after audit_days and not repeated by a restart; a running audit is
# cancelled cleanly when saed stops.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
DB="$DATA/catalog.db"
start_saed
prod=$(new_token producer app)
arch=$(new_token archivist arch)
aud=$(new_token auditor aud)
adm=$(new_token admin adm)
head -c 300000 /dev/urandom > "$T/raw.bin"
seq 1 30000 > "$T/text.txt"
"$MK" "$T/p.zip" --msgid audit-api "$T/raw.bin" "$T/text.txt"
is "a package of two files" 201 "$(post_package "$prod" "$T/p.zip")"
raw=$(sha256sum < "$T/raw.bin" | cut -d' ' -f1)
copy() { ls "$DATA/offers/$1/objects/$(echo "$2" | cut -c1-2)/$2"*; }

# wait_audit ID: until it is no longer running; prints its final state.
wait_audit() {
	for _ in $(seq 1 600); do
		http GET "/v1/audits/$1" "$aud" > /dev/null
		st=$(json_get .state)
		[ "$st" != running ] && { echo "$st"; return; }
		sleep 0.1
	done
	echo timeout
}

is "a producer may not start an audit" 403 "$(http POST /v1/audits "$prod")"
is "nor an archivist" 403 "$(http POST /v1/audits "$arch")"
is "nor list them" 403 "$(http GET /v1/audits "$arch")"
is "an auditor may: 202" 202 "$(http POST /v1/audits "$aud")"
id=$(json_get .id)
like "with the audit's id" '^[0-9A-Z]{26}$' "$id"
is "and where to follow it" "/v1/audits/$id" "$(header Location)"
is "it ends done" done "$(wait_audit "$id")"
is "the report is whole" "true 4 4 0" \
    "$(json_get '"\(.ok) \(.copies) \(.checked) \(.problems | length)"')"
is "by whom" aud "$(json_get .agent)"
check "kept where sae-admin keeps its own" test -f "$DATA/audits/$id.json"
out=$(admin audit); rc=$?
is "sae-admin audits too" 0 "$rc"
cli=$(printf '%s\n' "$out" | sed -n 's:^report\: .*/audits/\(.*\)\.json$:\1:p')
is "GET /v1/audits lists both" 200 "$(http GET /v1/audits "$adm")"
is "newest first" "$cli $id" "$(json_get '[.audits[].id] | join(" ")')"
is "with their state, outcome and counts" "done true 4 0" \
    "$(json_get '.audits[1] | "\(.state) \(.ok) \(.checked) \(.problems)"')"
is "the audit is journaled with its id" 1 \
    "$(sqlite3 "$DB" "SELECT count(*) FROM journal WHERE type = 'AUDIT' AND detail LIKE '%$id%'")"
is "no repair through the API" 400 \
    "$(http POST /v1/audits "$aud" -H 'Content-Type: application/json' -d '{"repair": true}')"
is "a sample is a percentage" 400 \
    "$(http POST /v1/audits "$aud" -H 'Content-Type: application/json' -d '{"sample": 0}')"
is "an admin may ask for a sample" 202 \
    "$(http POST /v1/audits "$adm" -H 'Content-Type: application/json' -d '{"sample": 50}')"
sid=$(json_get .id)
is "it ends done" done "$(wait_audit "$sid")"
is "saying the sample" 50 "$(json_get .sample_percent)"
is "an unknown audit: 404" 404 "$(http GET /v1/audits/01ARZ3NDEKTSV4RRFFQ69G5FAV "$aud")"
is "a body where none is expected is dropped" 200 "$(http GET /v1/audits "$aud" -d junk)"
check "and saed lives on" kill -0 "$SAED_PID"

# A damaged copy: named with its object and offer.
f=$(copy vault-b "$raw")
off=$(( $(wc -c < "$f") / 2 ))
b=$(od -An -tu1 -j "$off" -N 1 "$f" | tr -d ' ')
printf "\\$(printf %o $(( (b + 1) % 256 )))" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
obj=$(sqlite3 "$DB" "SELECT id FROM object WHERE sha256 = '$raw'")
is "an audit after a byte flipped on disk" 202 "$(http POST /v1/audits "$aud")"
bad=$(json_get .id)
is "ends done" done "$(wait_audit "$bad")"
is "and is not ok" false "$(json_get .ok)"
is "naming the copy: problem, content, offer, object" "corrupt $raw vault-b $obj" \
    "$(json_get '.problems[0] | "\(.problem) \(.sha256) \(.offer) \(.objects[0])"')"
is "nothing else" 1 "$(json_get '.problems | length')"
http GET /v1/audits "$aud" > /dev/null
is "the list says so" "false 1" \
    "$(json_get ".audits[] | select(.id == \"$bad\") | \"\(.ok) \(.problems)\"")"
out=$(admin audit --repair 2>&1)
like "sae-admin repairs it" "1 repaired: OK" "$out"

# One at a time.  A write lock held on the catalog keeps the audit from
# journaling its end: it stays running as long as the test wants.
lock_catalog() {	# lock_catalog: holds a write transaction until unlock_catalog
	rm -f "$T/lock.fifo" "$T/lock.out"
	mkfifo "$T/lock.fifo"
	sqlite3 "$DB" < "$T/lock.fifo" > "$T/lock.out" 2>&1 &
	LOCK_PID=$!
	exec 3> "$T/lock.fifo"
	printf '.timeout 10000\nBEGIN IMMEDIATE;\nSELECT %s;\n' "'locked'" >&3
	for _ in $(seq 1 100); do
		grep -q locked "$T/lock.out" 2>/dev/null && return
		sleep 0.1
	done
}
unlock_catalog() {
	printf 'COMMIT;\n' >&3
	exec 3>&-
	wait "$LOCK_PID"
}
lock_catalog
check "the catalog is locked" grep -q locked "$T/lock.out"
is "an audit starts" 202 "$(http POST /v1/audits "$aud")"
first=$(json_get .id)
http GET "/v1/audits/$first" "$aud" > /dev/null
is "it is running" running "$(json_get .state)"
like "with its progress" '^[0-9]+ [0-9]+$' "$(json_get '"\(.progress.copies_total) \(.progress.copies_done)"')"
is "a second one: 409" 409 "$(http POST /v1/audits "$adm")"
is "naming the running one" "$first" "$(json_get .id)"
http GET /v1/audits "$aud" > /dev/null
is "listed first, as running" "$first running" "$(json_get '.audits[0] | "\(.id) \(.state)"')"
unlock_catalog
is "once the catalog is free it ends" done "$(wait_audit "$first")"
is "clean" true "$(json_get .ok)"

# Packages arriving while an audit runs: the report stays right.
i=0
while [ $i -lt 4 ]; do
	head -c 2000000 /dev/urandom > "$T/big$i.bin"
	seq $i 200000 > "$T/big$i.txt"
	"$MK" "$T/big$i.zip" --msgid "busy-$i" "$T/big$i.bin" "$T/big$i.txt"
	i=$((i + 1))
done
is "a bigger store" 201 "$(post_package "$prod" "$T/big0.zip")"
# Their own files: http() keeps the last answer in $T/body.
(for i in 1 2 3; do
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $prod" \
	    -H 'Content-Type: application/octet-stream' --data-binary @"$T/big$i.zip" \
	    "$URL/v1/transfers" > "$T/ingest$i.status"
done) &
ing=$!
is "an audit while packages arrive" 202 "$(http POST /v1/audits "$aud")"
busy=$(json_get .id)
wait "$ing"
is "the packages are archived" "201 201 201" \
    "$(cat "$T/ingest1.status") $(cat "$T/ingest2.status") $(cat "$T/ingest3.status")"
is "the audit ends done" done "$(wait_audit "$busy")"
is "without a false problem" "true 0" "$(json_get '"\(.ok) \(.problems | length)"')"
is "an audit after them" 202 "$(http POST /v1/audits "$aud")"
after=$(json_get .id)
is "ends done" done "$(wait_audit "$after")"
is "and reads every copy now listed" "true $(sqlite3 "$DB" "SELECT count(*) FROM copy")" \
    "$(json_get '"\(.ok) \(.checked)"')"

# The schedule: due after audit_days, remembered across a restart.
is "the first start set the schedule's origin: today" \
    "$(date -u +%Y-%m-%d)" "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'audit_last'")"
stop_saed
sqlite3 "$DB" "UPDATE meta SET value = date('now', '-8 days') WHERE key = 'audit_last'"
write_config "[schedule]
audit_days = 7
audit_sample = 100"
start_saed
sched=
for _ in $(seq 1 300); do
	sched=$(sed -n 's/.*audit run=schedule id=\([0-9A-Z]*\).*/\1/p' "$LOG" | head -n 1)
	[ -n "$sched" ] && break
	sleep 0.1
done
like "the overdue audit starts on its own" '^[0-9A-Z]{26}$' "$sched"
is "and ends done" done "$(wait_audit "$sched")"
is "by the system, clean" "system true" "$(json_get '"\(.agent) \(.ok)"')"
is "its date is remembered" "$(date -u +%Y-%m-%d)" \
    "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'audit_last'")"
stop_saed
start_saed
sleep 6		# more than a tick of the scheduler (5 s)
is "a restart does not run it again" 1 "$(grep -c 'audit run=schedule' "$LOG")"
stop_saed
sqlite3 "$DB" "UPDATE meta SET value = date('now', '-8 days') WHERE key = 'audit_last'"
write_config "[schedule]
audit_days = 0"
start_saed
sleep 6
is "audit_days = 0: never on its own" 1 "$(grep -c 'audit run=schedule' "$LOG")"

# Stopping saed cancels a running audit cleanly.
lock_catalog
is "an audit runs" 202 "$(http POST /v1/audits "$aud")"
last=$(json_get .id)
kill "$SAED_PID"
for _ in $(seq 1 100); do
	grep -q "audit id=$last cancelling" "$LOG" && break
	sleep 0.1
done
check "saed cancels it as it stops" grep -q "audit id=$last cancelling" "$LOG"
unlock_catalog
wait "$SAED_PID"; rc=$?
SAED_PID=
is "and stops cleanly" 0 "$rc"
is "its report says failed" "failed false" "$(jq -r '"\(.state) \(.ok)"' "$DATA/audits/$last.json")"
is "nothing journaled for it" 0 \
    "$(sqlite3 "$DB" "SELECT count(*) FROM journal WHERE type = 'AUDIT' AND detail LIKE '%$last%'")"
start_saed
http GET /v1/audits "$aud" > /dev/null
is "listed as failed after a restart" failed "$(json_get ".audits[] | select(.id == \"$last\") | .state")"
out=$(admin journal verify)
like "the journal chain holds" "journal: OK" "$out"
done_testing
