#!/bin/sh
# 13-audit: sae-admin audit reads every stored copy back to the digest of
# the original bytes, names each bad or missing copy with its object and
# offer, and --repair rewrites it from a good copy; all journaled.
# Progress is shown on a terminal only.  The catalog is also checked
# against the journal: a digest, a unit or a copy edited behind saed's
# back with sqlite3 is named.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
start_saed
prod=$(new_token producer app)
head -c 60000 /dev/urandom > "$T/raw.bin"
seq 1 20000 > "$T/text.txt"		# compressible: stored as zstd
"$MK" "$T/p.zip" --msgid audit "$T/raw.bin" "$T/text.txt"
is "a package of two files" 201 "$(post_package "$prod" "$T/p.zip")"
raw=$(sha256sum < "$T/raw.bin" | cut -d' ' -f1)
txt=$(sha256sum < "$T/text.txt" | cut -d' ' -f1)
copy() { ls "$DATA/offers/$1/objects/$(echo "$2" | cut -c1-2)/$2"*; }
check "the text is stored compressed" test -f "$DATA/offers/vault-a/objects/$(echo "$txt" | cut -c1-2)/$txt.zst"

out=$(admin audit); rc=$?
is "a clean audit exits 0" 0 "$rc"
like "and reads every copy" "audit of 4 copies \(4 read" "$out"
err=$(admin audit 2>&1 > /dev/null)
is "no progress shown when stderr is not a terminal" "" "$err"
out=$(script -qec "'$ADMIN' --data '$DATA' --config '$CONF' audit" /dev/null)
like "on a terminal: copies, bytes and rate" "audit: 4/4 copies, [0-9.]+ [KMG]?i?B read .*/s" "$out"

flip() {
	off=$(( $(wc -c < "$1") / 2 ))
	b=$(od -An -tu1 -j "$off" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf %o $(( (b + 1) % 256 )))" |
	    dd of="$1" bs=1 seek="$off" conv=notrunc 2>/dev/null
}
flip "$(copy vault-a "$txt")"
rm -f "$(copy vault-b "$raw")"
out=$(admin audit 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "a damaged store: audit exits non-zero" || not_ok "a damaged store: audit exits non-zero" "$out"
like "names the corrupt copy, its object and offer" "corrupt: object [0-9A-Z]{26} \(content $txt\) on offer 'vault-a'" "$out"
like "names the missing copy" "missing: object [0-9A-Z]{26} \(content $raw\) on offer 'vault-b'" "$out"
like "and keeps a JSON report" "report: .*/audits/.*\.json" "$out"
report=$(printf '%s\n' "$out" | sed -n 's/^report: //p')
is "the report lists both problems" 2 "$(jq '.problems | length' "$report")"

out=$(admin audit --repair 2>&1); rc=$?
is "--repair fixes both" 0 "$rc"
like "saying so" "2 repaired: OK" "$out"
check "the corrupt copy was rewritten" sh -c "zstd -dc '$(copy vault-a "$txt")' | cmp -s - '$T/text.txt'"
check "the missing copy is back" cmp -s "$(copy vault-b "$raw")" "$T/raw.bin"
out=$(admin audit); rc=$?
is "a new audit is clean" 0 "$rc"
is "audits and repairs are journaled" "6 2" \
    "$(sqlite3 "$DATA/catalog.db" "SELECT (SELECT count(*) FROM journal WHERE type = 'AUDIT') || ' ' || (SELECT count(*) FROM journal WHERE type = 'COPY_REPAIR')")"
out=$(admin audit --sample 50)
like "a sample reads part of the copies" "audit of 4 copies" "$out"

# Coherence with the journal: the catalog edited behind saed's back.
stop_saed
db="$DATA/catalog.db"
sqlite3 "$db" ".backup '$T/good.db'"
restore() { sqlite3 "$db" ".restore '$T/good.db'"; }
out=$(admin audit); rc=$?
is "catalog and journal agree" 0 "$rc"
report=$(printf '%s\n' "$out" | sed -n 's/^report: //p')
is "every journaled unit and object was compared" "3 2" \
    "$(jq -r '"\(.journal.units) \(.journal.objects)"' "$report")"
obj=$(sqlite3 "$db" "SELECT id FROM object WHERE sha256 = '$raw'")
unit=$(sqlite3 "$db" "SELECT u.id FROM unit u JOIN unit_group g ON g.unit = u.seq JOIN object o ON o.grp = g.grp WHERE o.id = '$obj'")
useq=$(sqlite3 "$db" "SELECT seq FROM journal WHERE type = 'UNIT_INGEST' AND unit = '$unit'")
audit_fails() {	# audit_fails WHAT REGEX: the audit exits non-zero, naming it
	out=$(admin audit 2>&1); rc=$?
	[ "$rc" -ne 0 ] && ok "$1: the audit fails" || not_ok "$1: the audit fails" "$out"
	like "$1: named" "$2" "$out"
	restore
}

sqlite3 "$db" "UPDATE object SET sha256 = '$txt' WHERE id = '$obj'"
audit_fails "a catalog digest changed" \
    "digest differs from the journal: unit $unit, object $obj \(content $txt\): SHA-256 $txt in the catalog, $raw in the journal \(entry $useq\)"
sqlite3 "$db" "UPDATE object SET sha512 = '$(printf '%0128d' 0)', size = size + 1 WHERE id = '$obj'"
audit_fails "a SHA-512 changed" \
    "digest differs from the journal: unit $unit, object $obj \(content $raw\): SHA-512 0000000000000000\.\.\. in the catalog"
sqlite3 "$db" "UPDATE unit SET content = content || ' ' WHERE id = '$unit'"
audit_fails "a unit's metadata changed" \
    "metadata differs from the journal: unit $unit: .*SHA-256 journaled in entry $useq"
sqlite3 "$db" "DELETE FROM journal WHERE type = 'UNIT_INGEST' AND unit = '$unit'"
audit_fails "a unit without its journal entry" \
    "unit not journaled: unit $unit: the catalog has it alive, the journal has no UNIT_INGEST entry"
sqlite3 "$db" "DELETE FROM unit WHERE id = '$unit'"
audit_fails "a journaled unit gone from the catalog" \
    "unit not in the catalog: unit $unit: journal entry $useq records its ingest"
sqlite3 "$db" "DELETE FROM unit_group WHERE unit = (SELECT seq FROM unit WHERE id = '$unit')"
audit_fails "an object taken from its unit" \
    "object missing from the catalog: unit $unit, object $obj \(content $raw\): journal entry $useq lists it"
# --repair journaled COPY_REPAIR for this copy: it must be listed.
sqlite3 "$db" "DELETE FROM copy WHERE sha256 = '$raw' AND offer = 'vault-b'"
audit_fails "a copy the journal says was written, gone from the catalog" \
    "copy journaled but not in the catalog: object $obj \(content $raw\) on offer 'vault-b': journal entry [0-9]+ \(COPY_REPAIR\)"
report=$(printf '%s\n' "$out" | sed -n 's/^report: //p')
is "the report names it like the others" "$obj $raw vault-b" \
    "$(jq -r '.problems[] | select(.problem == "copy journaled but not in the catalog") | "\(.objects[0]) \(.sha256) \(.offer)"' "$report")"
out=$(admin audit); rc=$?
is "restored: clean again" 0 "$rc"
done_testing
