#!/bin/sh
# 05-limits: unreadable, unsized, oversized and mistyped bodies get 400,
# 411, 413 and 415; hostile packages (zip bomb, XXE, billion laughs,
# symlink, undeclared file, wrong digest) get a KO reply with the reason,
# leave nothing stored, and each configured limit holds.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
start_saed
prod=$(new_token producer app)
echo "texte" > "$T/a.txt"
"$MK" "$T/ok.zip" --msgid ok "$T/a.txt"

is "no Content-Length: 411" 411 "$(http POST /v1/transfers "$prod" \
    -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/zip' \
    --data-binary @"$T/ok.zip")"
like "with a sentence" "Content-Length" "$(cat "$T/body")"
is "text/plain: 415" 415 "$(post_package "$prod" "$T/ok.zip" text/plain)"
like "with a sentence" "not a package type" "$(cat "$T/body")"
is "curl's default type: the package is identified by its content" 201 \
    "$(http POST /v1/transfers "$prod" --data-binary @"$T/ok.zip")"
is "empty body: 400" 400 "$(http POST /v1/transfers "$prod" \
    -H 'Content-Type: application/zip' --data-binary '')"
printf 'not an archive at all' > "$T/junk.bin"
is "a body that is no archive: KO 422" 422 "$(post_package "$prod" "$T/junk.bin")"
like "saying it is not a readable archive" "pas une archive lisible" "$(cat "$T/body")"
cp "$T/body" "$T/junk.xml"
check "that reply validates" xsd_valid "$T/junk.xml"

objects() { find "$DATA/offers" -type f -path '*/objects/*' | wc -l; }
before=$(objects)

# Zip bomb: 4 GiB of zeros (a sparse file: nothing written) in a ~4 MiB zip.
mkdir -p "$T/bomb/content"
truncate -s 4G "$T/bomb/content/zeros.bin"
cat > "$T/bomb/manifest.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2024-05-02T10:00:00</Date><MessageIdentifier>bomb</MessageIdentifier>
  <CodeListVersions/>
  <DataObjectPackage>
    <BinaryDataObject id="B1"><Uri>content/zeros.bin</Uri>
      <MessageDigest algorithm="SHA-256">0000000000000000000000000000000000000000000000000000000000000000</MessageDigest>
    </BinaryDataObject>
    <DescriptiveMetadata><ArchiveUnit id="U1"><Content><Title>bombe</Title></Content>
      <DataObjectReference><DataObjectReferenceId>B1</DataObjectReferenceId></DataObjectReference>
    </ArchiveUnit></DescriptiveMetadata>
    <ManagementMetadata/>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>SAE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>X</Identifier></TransferringAgency>
</ArchiveTransfer>
XML
(cd "$T/bomb" && bsdtar --format zip -cf ../bomb.zip manifest.xml content)
rm -f "$T/bomb/content/zeros.bin"
echo "# bomb.zip: $(wc -c < "$T/bomb.zip") bytes for 4 GiB"
start_s=$(date +%s)
is "a zip bomb (4 GiB of zeros): KO" 422 "$(post_package "$prod" "$T/bomb.zip")"
like "named as such" "bombe de décompression|rapport" "$(cat "$T/body")"
is "refused quickly (under 20 s)" 1 "$(( $(date +%s) - start_s < 20 ))"

cat > "$T/xxe.xml" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE ArchiveTransfer [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1"><Comment>&x;</Comment></ArchiveTransfer>
XML
"$MK" "$T/xxe.zip" --manifest "$T/xxe.xml"
is "XXE manifest: KO" 422 "$(post_package "$prod" "$T/xxe.zip")"
like "the DOCTYPE is named" "DOCTYPE" "$(cat "$T/body")"
check "nothing of /etc/passwd in the reply" sh -c "! grep -q 'root:' '$T/body'"

{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE lolz [<!ENTITY lol "lol">'
	prev=lol
	for i in 1 2 3 4 5 6 7 8 9; do
		printf '<!ENTITY lol%s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">\n' \
		    $i $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev
		prev=lol$i
	done
	echo ']>'
	echo '<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1"><Comment>&lol9;</Comment></ArchiveTransfer>'
} > "$T/lol.xml"
"$MK" "$T/lol.zip" --manifest "$T/lol.xml"
is "billion laughs: KO" 422 "$(post_package "$prod" "$T/lol.zip")"
like "the DOCTYPE is named" "DOCTYPE" "$(cat "$T/body")"

mkdir -p "$T/sym/content"
"$MK" "$T/base.tar" --format tar --msgid sym "$T/a.txt"
(cd "$T/sym" && bsdtar -xf ../base.tar && ln -s /etc/passwd content/link &&
    bsdtar --format pax -cf ../sym.tar manifest.xml content)
is "a symlink in a tar: KO" 422 "$(post_package "$prod" "$T/sym.tar")"
like "naming the link" "content/link" "$(cat "$T/body")"

echo "extra" > "$T/undeclared.txt"
"$MK" "$T/und.zip" --msgid und --extra "$T/undeclared.txt" "$T/a.txt"
is "an undeclared file: KO" 422 "$(post_package "$prod" "$T/und.zip")"
like "naming it" "undeclared.txt.*aucun objet" "$(cat "$T/body")"
"$MK" "$T/dig.zip" --msgid dig --bad-digest "$T/a.txt"
is "a wrong digest: KO" 422 "$(post_package "$prod" "$T/dig.zip")"
like "naming the file" "a.txt.*ne correspond pas" "$(cat "$T/body")"
is "refused packages left no object in the store" "$before" "$(objects)"

# The spool cannot take the upload (here: a file size limit): the
# producer still gets an answer, and saed lives on.
stop_saed
(ulimit -f 512; exec "$SAED" --data "$DATA" --config "$CONF" --listen 127.0.0.1:0 \
    > "$T/saed.out" 2>> "$LOG") &
SAED_PID=$!
for _ in $(seq 1 100); do grep -q 'ready port=' "$T/saed.out" && break; sleep 0.05; done
URL="http://127.0.0.1:$(sed -n 's/.*ready port=\([0-9]*\).*/\1/p' "$T/saed.out")"
head -c 1000000 /dev/urandom > "$T/mb.bin"
"$MK" "$T/mb.zip" --msgid spool-full "$T/mb.bin"
is "an upload the spool cannot hold: 503" 503 "$(post_package "$prod" "$T/mb.zip")"
like "saying nothing was kept" "nothing was kept" "$(cat "$T/body")"
check "saed is still running" kill -0 "$SAED_PID"
is "and still answers" 200 "$(http GET /v1/rules "$prod")"
stop_saed
start_saed

for alg in SHA-256 MD5; do
	"$MK" "$T/alg.zip" --msgid "alg-$alg" --digest "$alg" "$T/a.txt"
	is "a $alg digest is checked and accepted" 201 "$(post_package "$prod" "$T/alg.zip")"
done
stop_saed

write_config "[limits]
max_package = 200K
max_entries = 3
max_expanded = 1M
max_manifest = 6K
max_depth = 16"
start_saed
prod=$(new_token producer app2)
head -c 300000 /dev/urandom > "$T/big.bin"
"$MK" "$T/big.zip" --msgid big "$T/big.bin"
# With Expect: 100-continue, as a producer sending large packages should:
# the answer comes before the body is sent, and no reset can swallow it.
is "over max_package: 413 before reading" 413 "$(http POST /v1/transfers "$prod" \
    -H "Content-Type: application/octet-stream" -H "Expect: 100-continue" \
    --data-binary @"$T/big.zip")"
like "with the limit" "limit is 204800" "$(cat "$T/body")"
for i in 1 2 3 4; do echo "$i" > "$T/f$i.txt"; done
"$MK" "$T/many.zip" --msgid many "$T/f1.txt" "$T/f2.txt" "$T/f3.txt" "$T/f4.txt"
is "over max_entries: KO" 422 "$(post_package "$prod" "$T/many.zip")"
like "says too many files" "trop de fichiers" "$(cat "$T/body")"
head -c 1500000 /dev/zero | tr '\0' 'a' > "$T/wide.txt"
"$MK" "$T/wide.zip" --msgid wide "$T/wide.txt"
is "over max_expanded: KO" 422 "$(post_package "$prod" "$T/wide.zip")"
like "says it is too big once expanded" "décompressé|taille autorisée" "$(cat "$T/body")"
"$MK" "$T/long.zip" --msgid long --title "$(head -c 8000 /dev/zero | tr '\0' 't')" "$T/f1.txt"
is "over max_manifest: KO" 422 "$(post_package "$prod" "$T/long.zip")"
like "says the manifest is too big" "manifeste .manifest.xml. dépasse" "$(cat "$T/body")"
{
	echo '<?xml version="1.0"?><ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1">'
	for i in $(seq 1 20); do printf '<Comment>'; done
	for i in $(seq 1 20); do printf '</Comment>'; done
	echo '</ArchiveTransfer>'
} > "$T/deep.xml"
"$MK" "$T/deep.zip" --manifest "$T/deep.xml"
is "over max_depth: KO" 422 "$(post_package "$prod" "$T/deep.zip")"
like "says it is nested too deep" "imbrique les éléments sur [0-9]+ niveaux" "$(cat "$T/body")"
done_testing
