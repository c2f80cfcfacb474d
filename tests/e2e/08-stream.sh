#!/bin/sh
# 08-stream: packages other than zip are read as they arrive: the manifest
# first or last, declared digests of any algorithm, uploads cut short and
# packages refused midway leave nothing behind.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
start_saed
prod=$(new_token producer app)
aud=$(new_token auditor aud)
temps() { find "$DATA"/offers/*/tmp -type f | wc -l | tr -d ' '; }
objects() { find "$DATA"/offers/*/objects -type f | wc -l | tr -d ' '; }

echo "premier" > "$T/a.txt"
head -c 300000 /dev/urandom > "$T/b.bin"
for alg in SHA-512 SHA-256 MD5; do
	"$MK" "$T/s.tar.gz" --format tar.gz --digest "$alg" --msgid "first-$alg" \
	    "$T/a.txt" "$T/b.bin"
	is "tar.gz, manifest first, $alg digests: archived" 201 "$(post_package "$prod" "$T/s.tar.gz")"
done

# The manifest last: the files come before anyone knows what they should be.
"$MK" "$T/x.tar" --format tar --digest MD5 --msgid last "$T/a.txt" "$T/b.bin"
mkdir -p "$T/last" && (cd "$T/last" && bsdtar -xf "$T/x.tar" &&
    bsdtar --format pax -cf "$T/last.tar" content manifest.xml)
check "the test package has its manifest last" sh -c \
    "bsdtar -tf '$T/last.tar' | tail -n 1 | grep -qx manifest.xml"
is "tar, manifest last, MD5 digests: archived" 201 "$(post_package "$prod" "$T/last.tar")"
tid=$(header Location); tid=${tid##*/}
http GET "/v1/units?transfer=$tid" "$aud" >/dev/null
u=$(json_get '.units[] | select(.producer_id == "AU2") | .id')
http GET "/v1/units/$u" "$aud" >/dev/null
oid=$(json_get '.objects[0].id')
http GET "/v1/objects/$oid" "$aud" >/dev/null
check "and its object reads back byte for byte" cmp -s "$T/body" "$T/b.bin"

# A file before the manifest that the manifest does not declare.
"$MK" "$T/und.tar" --format tar --msgid undeclared --extra "$T/b.bin" "$T/a.txt"
mkdir -p "$T/und" && (cd "$T/und" && bsdtar -xf "$T/und.tar" &&
    bsdtar --format pax -cf "$T/und2.tar" content manifest.xml)
before=$(objects)
is "an undeclared file streamed before the manifest: KO" 422 "$(post_package "$prod" "$T/und2.tar")"
like "naming it" "b.bin.*aucun objet" "$(cat "$T/body")"
is "nothing of it stored" "$before" "$(objects)"
is "no temporary file left" 0 "$(temps)"

# An upload cut short: nothing recorded, nothing left, saed goes on.
head -c 3000000 /dev/urandom > "$T/big.bin"
"$MK" "$T/big.tar.gz" --format tar.gz --msgid cut "$T/big.bin"
http GET "/v1/units?limit=1000" "$aud" >/dev/null
units=$(json_get '.units | length')
curl -s -o /dev/null --limit-rate 200k -m 2 -H "Authorization: Bearer $prod" \
    -H 'Content-Type: application/gzip' --data-binary @"$T/big.tar.gz" \
    "$URL/v1/transfers" || true
sleep 1
http GET "/v1/units?limit=1000" "$aud" >/dev/null
is "an upload cut short records nothing" "$units" "$(json_get '.units | length')"
is "and leaves no temporary file" 0 "$(temps)"
is "the same package sent whole is archived" 201 "$(post_package "$prod" "$T/big.tar.gz")"
is "resent again: the first reply" 201 "$(post_package "$prod" "$T/big.tar.gz")"
like "with replayed=yes in the log" "replayed=yes" "$(tail -n 3 "$LOG")"

# Refused midway (a link after a large file): the rest of the body is
# drained and the producer still gets its reply.
mkdir -p "$T/lnk/content"
cp "$T/big.bin" "$T/lnk/content/"
"$MK" "$T/l.tar" --format tar --msgid link "$T/big.bin"
(cd "$T/lnk" && bsdtar -xf "$T/l.tar" && ln -s /etc/passwd content/zz-link &&
    bsdtar --format pax -cf "$T/l2.tar" manifest.xml content)
is "a link after a large file: KO" 422 "$(post_package "$prod" "$T/l2.tar")"
like "naming it" "zz-link" "$(cat "$T/body")"
cp "$T/body" "$T/l.xml"
check "with a valid reply" xsd_valid "$T/l.xml"
is "no temporary file left" 0 "$(temps)"
done_testing
