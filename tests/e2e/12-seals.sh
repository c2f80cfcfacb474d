#!/bin/sh
# 12-seals: saed seals the journal (a Merkle root of the entries since the
# last seal and of the previous token, time-stamped) when it stops and on
# schedule; journal verify re-checks every seal and names the one that
# no longer holds after an entry is deleted or a token replaced.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

start_saed
# A new archive seals at once what its first start journaled (the TSA
# certificate): count from there.
base=$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM seal")
S1=$((base + 1)); S2=$((base + 2))
prod=$(new_token producer app)
echo "un" > "$T/a.txt"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/p1.zip" --msgid s1 "$T/a.txt"
is "a package archived" 201 "$(post_package "$prod" "$T/p1.zip")"
stop_saed
is "saed sealed the journal when it stopped" "$S1" \
    "$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM seal")"
like "and journaled the seal" "Scellement du journal" \
    "$(sqlite3 "$DATA/catalog.db" "SELECT message FROM journal ORDER BY seq DESC LIMIT 1")"
out=$(admin journal verify)
like "journal verify checks it" "every seal hold; 1 entry after the last seal" "$out"

start_saed
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/p2.zip" --msgid s2 "$T/a.txt"
is "another package" 201 "$(post_package "$prod" "$T/p2.zip")"
stop_saed
is "a second seal, chained to the first" "$S2" \
    "$(sqlite3 "$DATA/catalog.db" "SELECT count(*) FROM seal")"
out=$(admin journal verify)
like "both hold" "journal: OK" "$out"
root=$(sqlite3 "$DATA/catalog.db" "SELECT root FROM seal WHERE seq = $S2")
sqlite3 "$DATA/catalog.db" "SELECT writefile('$T/seal2.tsr', tsr) FROM seal WHERE seq = $S2" >/dev/null
check "the seal's token verifies with openssl ts -verify" \
    openssl ts -verify -digest "$root" -in "$T/seal2.tsr" -CAfile "$DATA/tsa/ca.pem"

cp "$DATA/catalog.db" "$T/good.db"
# The last sealed entries deleted: the chain alone cannot tell, the seal can.
last=$(sqlite3 "$DATA/catalog.db" "SELECT last FROM seal WHERE seq = $S2")
sqlite3 "$DATA/catalog.db" "DELETE FROM journal WHERE seq > $((last - 2))"
out=$(admin journal verify 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "deleted last entries: verify fails" || not_ok "deleted last entries: verify fails" "$out"
like "naming the seal" "NOT OK at seal $S2" "$out"

# A token replaced by another seal's.
cp "$T/good.db" "$DATA/catalog.db"
sqlite3 "$DATA/catalog.db" "UPDATE seal SET tsr = (SELECT tsr FROM seal WHERE seq = $S1) WHERE seq = $S2"
out=$(admin journal verify 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "replaced token: verify fails" || not_ok "replaced token: verify fails" "$out"
like "naming the seal and the token" "NOT OK at seal $S2: .*token" "$out"

# A seal removed from the chain.
cp "$T/good.db" "$DATA/catalog.db"
sqlite3 "$DATA/catalog.db" "DELETE FROM seal WHERE seq = $S1"
out=$(admin journal verify 2>&1)
like "a removed seal is named" "NOT OK at seal $S2: seal $S2 does not follow" "$out"
done_testing
