#!/bin/sh
# 07-checks: each check of a package, one package per fault, each refusal
# naming what is wrong; what is accepted with a WARNING; and a damaged
# stored copy is never served.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

start_saed
prod=$(new_token producer app)
aud=$(new_token auditor aud)
n=0

# pkg OBJECTS-XML UNITS-XML FILES...: builds $T/pkg.zip from a manifest
# made of these parts and the given files (name=path) under content/.
pkg() {
	objs=$1; units=$2; shift 2
	n=$((n + 1))
	rm -rf "$T/p"; mkdir -p "$T/p/content"
	for f in "$@"; do cp "${f#*=}" "$T/p/content/${f%%=*}"; done
	cat > "$T/p/manifest.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2024-05-02T10:00:00</Date>
  <MessageIdentifier>check-$n</MessageIdentifier>
  <CodeListVersions/>
  <DataObjectPackage>
    $objs
    <DescriptiveMetadata>$units</DescriptiveMetadata>
    <ManagementMetadata/>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>SAE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>APP</Identifier></TransferringAgency>
</ArchiveTransfer>
XML
	(cd "$T/p" && bsdtar --format zip -cf "$T/pkg.zip" manifest.xml content)
}
bdo() {	# bdo ID URI ALG DIGEST [EXTRA-XML]
	printf '<BinaryDataObject id="%s"><Uri>%s</Uri><MessageDigest algorithm="%s">%s</MessageDigest>%s</BinaryDataObject>' \
	    "$1" "$2" "$3" "$4" "${5:-}"
}
unit() {	# unit ID OBJECT-ID
	echo "<ArchiveUnit id=\"$1\"><Content><Title>unité $1</Title></Content><DataObjectReference><DataObjectReferenceId>$2</DataObjectReferenceId></DataObjectReference></ArchiveUnit>"
}
send() {	# send EXPECTED-STATUS DESCRIPTION REGEX
	code=$(post_package "$prod" "$T/pkg.zip")
	is "$2: HTTP $1" "$1" "$code"
	[ -n "${3:-}" ] && like "$2: the reply says why" "$3" "$(cat "$T/body")"
	cp "$T/body" "$T/reply.xml"
	xsd_valid "$T/reply.xml" >/dev/null 2>&1 || not_ok "$2: reply is XSD-valid"
}

printf 'bonjour\n' > "$T/a.txt"
sha512=$(sha512sum < "$T/a.txt" | cut -d' ' -f1)
sha1=$(sha1sum < "$T/a.txt" | cut -d' ' -f1)
b64=$(openssl dgst -sha512 -binary "$T/a.txt" | base64 -w0)

pkg "$(bdo O1 content/a.txt SHA-512 "$b64")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 201 "a base64 SHA-512 digest is accepted"
sed 's|<MessageIdentifier>[^<]*</MessageIdentifier>|<MessageIdentifier> </MessageIdentifier>|; s|v2.2|v2.1|' \
    "$T/p/manifest.xml" > "$T/p/m2" && mv "$T/p/m2" "$T/p/manifest.xml"
(cd "$T/p" && bsdtar --format zip -cf "$T/pkg.zip" manifest.xml content)
send 422 "an empty MessageIdentifier (valid in SEDA 2.1)" "MessageIdentifier du bordereau est vide"
pkg "$(bdo O1 content/a.txt SHA-1 "$sha1")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 201 "a SHA-1 digest is checked and accepted"
http GET "/v1/units?transfer=$(header Location | sed 's|.*/||')" "$aud" >/dev/null
http GET "/v1/units/$(json_get '.units[0].id')" "$aud" >/dev/null
is "SHA-256 is computed and stored whatever was declared" \
    "$(sha256sum < "$T/a.txt" | cut -d' ' -f1)" "$(json_get '.objects[0].sha256')"
is "and SHA-512" "$sha512" "$(json_get '.objects[0].sha512')"
pkg "$(bdo O1 content/a.txt SHA-512 abcdef)" "$(unit U1 O1)" a.txt="$T/a.txt"
send 422 "a digest of the wrong length" "illisible.*128 en hexadécimal"
pkg "$(bdo O1 content/a.txt WHIRLPOOL "$sha512")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 422 "an unknown digest algorithm" "WHIRLPOOL.*pas connu"
pkg "$(bdo O1 content/a.txt SHA-512 "$sha512" '<Size>99</Size>')" "$(unit U1 O1)" a.txt="$T/a.txt"
send 422 "a wrong size alone" "8 octets, 99 déclarés"
pkg "$(bdo O1 'content\a.txt' SHA-512 "$sha512")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 422 "a Uri with a backslash" "barre oblique inverse"
pkg "$(bdo O1 /content/a.txt SHA-512 "$sha512")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 422 "an absolute Uri" "absolue"
pkg "$(bdo O1 content/../content/a.txt SHA-512 "$sha512")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 422 "a Uri with .." "remonte hors du paquet"
pkg "$(bdo O1 file:///etc/passwd SHA-512 "$sha512")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 422 "a Uri with a scheme" "pas relative"
pkg "$(bdo O1 content/a.txt SHA-512 "$sha512")$(bdo O2 content/a.txt SHA-512 "$sha512")" \
    "$(unit U1 O1)$(unit U2 O2)" a.txt="$T/a.txt"
send 201 "one file declared by two objects: stored once, both archived"
http GET "/v1/units?transfer=$(header Location | sed 's|.*/||')" "$aud" >/dev/null
for u in $(json_get '.units[].id'); do
	http GET "/v1/units/$u" "$aud" >/dev/null
	json_get '.objects[0].sha256'
done | sort -u > "$T/shas"
is "with the same digest" 1 "$(wc -l < "$T/shas" | tr -d ' ')"
pkg "$(bdo O1 content/a.txt SHA-512 "$sha512")$(bdo O2 content/a.txt SHA-512 "$b64")" \
    "$(unit U1 O1)$(unit U2 O2)" a.txt="$T/a.txt"
send 201 "the same file with its digest in hex and in base64"
pkg "$(bdo O1 ./content/a.txt SHA-512 "$sha512")" "$(unit U1 O1)" a.txt="$T/a.txt"
send 201 "a Uri starting with ./"
pkg "$(bdo O1 content/a.txt SHA-512 "$sha512")$(bdo O2 content/b.txt SHA-512 "$sha512")" \
    "$(unit U1 O1)" a.txt="$T/a.txt" b.txt="$T/a.txt"
send 422 "an object no unit references" "O2"
pkg "$(bdo O1 content/a.txt SHA-512 "$sha512")" "$(unit U1 O1)$(unit U2 NOPE)" a.txt="$T/a.txt"
send 422 "a reference to no object" "NOPE"
pkg "$(bdo O1 content/a.txt SHA-512 "$sha512")" \
    "<ArchiveUnit id=\"U1\"><Content><Title>t</Title></Content><ArchiveUnit id=\"R1\"><ArchiveUnitRefId>U2</ArchiveUnitRefId></ArchiveUnit><DataObjectReference><DataObjectReferenceId>O1</DataObjectReferenceId></DataObjectReference></ArchiveUnit><ArchiveUnit id=\"U2\"><Content><Title>t</Title></Content><ArchiveUnit id=\"R2\"><ArchiveUnitRefId>U1</ArchiveUnitRefId></ArchiveUnit></ArchiveUnit>" \
    a.txt="$T/a.txt"
send 422 "a cycle of ArchiveUnitRefId" "(cycle|boucle)"
pkg "<BinaryDataObject id=\"O1\"><Attachment filename=\"a.txt\">Ym9uam91cgo=</Attachment><MessageDigest algorithm=\"SHA-512\">$sha512</MessageDigest></BinaryDataObject>" \
    "$(unit U1 O1)"
send 422 "an inline Attachment" "Attachment"
rm -rf "$T/p"; mkdir -p "$T/p/sub"; cp "$T/reply.xml" "$T/p/sub/manifest.xml"
(cd "$T/p" && bsdtar --format zip -cf "$T/pkg.zip" sub)
send 422 "no manifest.xml at the root" "pas de fichier .manifest.xml. à sa racine"
: > "$T/empty.txt"
pkg "$(bdo O1 content/e.txt SHA-512 "$(sha512sum < "$T/empty.txt" | cut -d' ' -f1)")" \
    "$(unit U1 O1)" e.txt="$T/empty.txt"
send 201 "an empty file (no Size) is archived"

pkg "$(bdo O1 content/a.txt SHA-512 "$sha512" '<FormatIdentification><MimeType>application/pdf</MimeType><FormatId>fmt/18</FormatId></FormatIdentification>')" \
    "$(unit U1 O1)" a.txt="$T/a.txt"
send 201 "a declared format that differs: archived"
is "with ReplyCode WARNING" WARNING "$(reply_code)"
like "naming both formats" "application/pdf.*text/plain" "$(cat "$T/body")"
http GET "/v1/units?transfer=$(header Location | sed 's|.*/||')" "$aud" >/dev/null
http GET "/v1/units/$(json_get '.units[0].id')" "$aud" >/dev/null
is "the declared format is kept" "application/pdf fmt/18" \
    "$(json_get '.objects[0].format.declared | "\(.mime_type) \(.puid)"')"
is "beside the identified one" "text/plain" "$(json_get '.objects[0].format.identified.mime_type')"

flip() {	# flip FILE: changes one byte in the middle of FILE
	off=$(( $(wc -c < "$1") / 2 ))
	b=$(od -An -tu1 -j "$off" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf %o $(( (b + 1) % 256 )))" |
	    dd of="$1" bs=1 seek="$off" conv=notrunc 2>/dev/null
}

# A damaged copy is never served: the other offer's copy is, and with
# both damaged the answer is 500 and a log line.
head -c 200000 /dev/urandom > "$T/r.bin"
"$SAE_SRCDIR/tests/e2e/mkpkg.sh" "$T/pkg.zip" --msgid damaged "$T/r.bin"
send 201 "a random file is archived"
http GET "/v1/units?transfer=$(header Location | sed 's|.*/||')" "$aud" >/dev/null
http GET "/v1/units/$(json_get '.units[] | select(.producer_id == "AU1") | .id')" "$aud" >/dev/null
oid=$(json_get '.objects[0].id'); sha=$(json_get '.objects[0].sha256')
copy_a=$(ls "$DATA/offers/vault-a/objects/$(echo "$sha" | cut -c1-2)/$sha"*)
copy_b=$(ls "$DATA/offers/vault-b/objects/$(echo "$sha" | cut -c1-2)/$sha"*)
flip "$copy_a"
is "one damaged copy: the object is still served" 200 "$(http GET "/v1/objects/$oid" "$aud")"
is "from the good copy, byte for byte" "$sha" "$(sha256sum < "$T/body" | cut -d' ' -f1)"
flip "$copy_b"
is "both copies damaged: 500, nothing served" 500 "$(http GET "/v1/objects/$oid" "$aud")"
like "with a clear message" "no intact copy" "$(cat "$T/body")"
like "and a log line naming the offer" "offer=vault-b copy unusable" "$(cat "$LOG")"
done_testing
