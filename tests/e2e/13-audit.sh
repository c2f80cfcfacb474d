#!/bin/sh
# 13-audit: sae-admin audit reads every stored copy back to the digest of
# the original bytes, names each bad or missing copy with its object and
# offer, and --repair rewrites it from a good copy; all journaled.
# Progress is shown on a terminal only.
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
done_testing
