#!/bin/sh
# 14-proof: a unit's proof bundle (GET /v1/units/ID/proof, sae-admin proof)
# from a real sample verifies with sae-verify and by hand, as its README
# says; the owning producer, auditors and archivists may have it; one
# changed byte anywhere in the bundle makes sae-verify fail, naming what.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

VERIFY="$SAE_BUILDDIR/admin/sae-verify"
start_saed
adm=$(new_token admin admin)
aud=$(new_token auditor auditeur)
arc=$(new_token archivist archiviste)
prod=$(new_token producer app)
other=$(new_token producer autre)
# The samples name the rules of Vitam's referential (samples/README.md).
is "rules_ok.csv imported" 201 "$(http POST /v1/rules "$adm" \
    -H 'Content-Type: text/csv' --data-binary @"$SAE_SHARED/seda/examples/rules_ok.csv")"
# One unit holding a PDF and a physical object (which has no bytes).
is "a real sample archived" 201 \
    "$(post_package "$prod" "$SAMPLES/OK_ArchivesPhysiques.zip")"
tid=$(header Location); tid=${tid##*/}
http GET "/v1/units?transfer=$tid" "$prod" >/dev/null
u=$(json_get '.units[0].id')
http GET "/v1/units/$u" "$prod" >/dev/null
obj=$(json_get '.objects[] | select(.physical == false) | .id')
objsha=$(json_get '.objects[] | select(.physical == false) | .sha256')
like "the unit has one object with bytes" '^[0-9A-Z]{26}$' "$obj"
top="proof-$u"

# -------------------------------------------------------------- who
is "auditor: 200" 200 "$(http GET "/v1/units/$u/proof?objects=1" "$aud")"
is "a zip" "application/zip" "$(header Content-Type)"
like "named after the unit" "filename=\"$top.zip\"" "$(header Content-Disposition)"
cp "$T/body" "$T/good.zip"
is "the owning producer: 200" 200 "$(http GET "/v1/units/$u/proof" "$prod")"
cp "$T/body" "$T/noobj.zip"
is "another producer: 404, as for the unit itself" 404 \
    "$(http GET "/v1/units/$u/proof" "$other")"
is "an archivist: 200" 200 "$(http GET "/v1/units/$u/proof" "$arc")"
is "an admin: 403 (sae-admin proof on the server instead)" 403 \
    "$(http GET "/v1/units/$u/proof" "$adm")"
is "an unknown unit: 404" 404 \
    "$(http GET "/v1/units/01ZZZZZZZZZZZZZZZZZZZZZZZZ/proof" "$aud")"
is "objects=2: 400" 400 "$(http GET "/v1/units/$u/proof?objects=2" "$aud")"
is "no token: 401" 401 "$(http GET "/v1/units/$u/proof" "")"
check "nothing left in the data directory's tmp" \
    sh -c "[ -z \"\$(ls -A '$DATA/tmp')\" ]"

# -------------------------------------------------------------- sae-verify
out=$("$VERIFY" "$T/good.zip"); rc=$?
is "sae-verify: the bundle with objects holds" 0 "$rc"
like "it says so" "RÉSULTAT : tout tient" "$out"
like "the manifest's token" "OK +manifest.sha256 : jeton d'horodatage valide" "$out"
like "every file" "OK +manifest.sha256 : les [0-9]+ fichiers" "$out"
like "the ingest digest list" "OK +liste des empreintes du versement $tid" "$out"
like "the UNIT_INGEST entry and its seal" "OK +entrée [0-9]+ du journal \(UNIT_INGEST\) : empreinte exacte, scellée dans le sceau [0-9]+" "$out"
like "the object, bytes included" "OK +objet $obj : .*ses octets" "$out"
like "the metadata" "OK +metadata/content.xml" "$out"
like "the unit" "OK +unit.json décrit l'unité $u" "$out"
fpr=$(openssl x509 -in "$DATA/tsa/ca.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
like "and names the CA by its fingerprint" "$fpr" "$out"
out=$("$VERIFY" "$T/noobj.zip"); rc=$?
is "the bundle without objects holds" 0 "$rc"
check "and has no objects/" sh -c "! unzip -l '$T/noobj.zip' | grep -q '/objects/'"
out=$("$VERIFY" --ca "$DATA/tsa/ca.pem" --quiet "$T/good.zip"); rc=$?
is "--ca with the archive's CA, --quiet: one line, exit 0" "0 1" "$rc $(printf '%s\n' "$out" | wc -l)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/other.key" -out "$T/other.pem" -subj /CN=autre -days 2 2>/dev/null
out=$("$VERIFY" --ca "$T/other.pem" "$T/good.zip"); rc=$?
is "--ca with another CA: exit 1" 1 "$rc"
like "no token holds" "ÉCHEC +manifest.sha256 : le jeton d'horodatage ne tient pas" "$out"
"$VERIFY" >/dev/null 2>&1; rc=$?
is "no bundle: usage, exit 2" 2 "$rc"
"$VERIFY" "$T/absent.zip" >/dev/null 2>&1; rc=$?
is "a missing file: exit 2" 2 "$rc"

# The object reads back byte for byte: as the API serves it, as it was sent.
mkdir "$T/x" "$T/sample"
(cd "$T/x" && unzip -q "$T/good.zip")
B="$T/x/$top"
http GET "/v1/objects/$obj" "$aud" >/dev/null
check "objects/$obj is the object GET /v1/objects gives" cmp -s "$B/objects/$obj" "$T/body"
(cd "$T/sample" && bsdtar -xf "$SAMPLES/OK_ArchivesPhysiques.zip")
check "and the PDF of the package" cmp -s "$B/objects/$obj" \
    "$T/sample/Content/5zC1uD6CvaYDipUhETOyUWVEbxHmE1.pdf"
is "objects.sha256 lists it, not the physical object" "$objsha  objects/$obj" \
    "$(cat "$B/objects.sha256")"

# ------------------------------------------------- by hand, as README says
cmds=$(sed -n 's/^    \(sha256sum -c .*\|openssl ts -verify .*\|openssl x509 .*\)$/\1/p' "$B/README.txt")
is "README gives the manual checks (manifest, objects, list, seal, CA)" 6 \
    "$(printf '%s\n' "$cmds" | wc -l)"
printf '%s\n' "$cmds" > "$T/cmds"	# not a pipe: check counts in this shell
while IFS= read -r c; do
	check "by hand: $c" sh -c "cd '$B' && $c"
done < "$T/cmds"
like "the CA fingerprint README prints is the archive's" "$fpr" "$(cat "$B/README.txt")"
run_readme() {	# run_readme LINE-REGEX: runs that indented README line in the bundle
	c=$(sed -n "s/^    \($1\)$/\1/p" "$B/README.txt")
	[ -n "$c" ] || { echo "no such line in README.txt"; return 1; }
	(cd "$B" && sh -c "$c")
}
is "by hand: no file missing from the manifest, none added" "" \
    "$(run_readme "{ find .*uniq -u")"
is "by hand: the object is in the digest list" "OK $obj" "$(run_readme "while read -r h f.*")"
is "by hand: every entry names the unit" "" "$(run_readme "grep -L .*")"
# The Merkle walk, with the converter README gives for machines without xxd.
sed -n '/# --- début du script ---/,/# --- fin du script ---/s/^    //p' \
    "$B/README.txt" > "$T/walk.sh"
command -v xxd >/dev/null ||
    sed -i "s/^hex2bin() { xxd -r -p; }/hex2bin() { perl -ne 'print pack \"H*\", \$_'; }/" "$T/walk.sh"
out=$(cd "$B" && sh "$T/walk.sh")
like "by hand: the entry's Merkle path leads to its seal's root" "^OK entrée [0-9]{12}, sceau [0-9]+$" "$out"

# ------------------------------------------------------ one byte changed
flip() {	# flip FILE [OFFSET]: adds one to a byte (the middle one by default)
	off=${2:-$(( $(wc -c < "$1") / 2 ))}
	b=$(od -An -tu1 -j "$off" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf %o $(( (b + 1) % 256 )))" |
	    dd of="$1" bs=1 seek="$off" conv=notrunc 2>/dev/null
}
# tamper NAME PATH [store]: the good bundle with one byte of PATH changed,
# zipped again (deflated, or stored) into $T/t-NAME.zip.
tamper() {
	rm -rf "$T/t" && mkdir "$T/t" && (cd "$T/t" && unzip -q "$T/good.zip")
	flip "$T/t/$top/$2"
	(cd "$T/t" && bsdtar --format zip ${3:+--options zip:compression=store} \
	    -cf "$T/t-$1.zip" "$top")
}
fails() {	# fails DESCRIPTION ZIP REGEX: sae-verify exits 1 and says REGEX
	out=$("$VERIFY" "$2"); rc=$?
	if [ "$rc" = 1 ] && printf '%s' "$out" | grep -Eq -- "$3"; then ok "$1"
	else not_ok "$1" "exit $rc; '$3' not in: $out"; fi
}
(cd "$T/x" && bsdtar --format zip -cf "$T/t-same.zip" "$top")
is "re-zipped by another tool, unchanged bytes: still holds" 0 \
    "$("$VERIFY" --quiet "$T/t-same.zip" >/dev/null; echo $?)"
entry=$(cut -f1 "$B/journal/index.tsv" | head -n 1)
tamper obj "objects/$obj"
fails "a byte of the object" "$T/t-obj.zip" "ÉCHEC +objet $obj : le fichier objects/$obj a été modifié"
tamper entry "journal/$entry.json"
fails "a byte of a journal entry" "$T/t-entry.zip" "ÉCHEC +entrée [0-9]+ du journal : ses octets ne donnent plus son empreinte"
tamper path "journal/$entry.path" store
fails "a byte of a Merkle path (stored zip)" "$T/t-path.zip" "ÉCHEC +entrée [0-9]+ du journal \(UNIT_INGEST\) : son chemin de Merkle ne mène pas"
tamper seal seals/1.tsr
fails "a byte of a seal's token" "$T/t-seal.zip" "ÉCHEC +fichier modifié : seals/1.tsr"
tamper mtsr manifest.tsr
fails "a byte of the manifest's token" "$T/t-mtsr.zip" "ÉCHEC +manifest.sha256 : le jeton d'horodatage (ne tient pas|a été modifié)"
tamper unit unit.json store
fails "a byte of unit.json (stored zip)" "$T/t-unit.zip" "ÉCHEC +fichier modifié : unit.json"
tamper content metadata/content.xml
fails "a byte of content.xml" "$T/t-content.zip" "ÉCHEC +metadata/content.xml : son SHA-256 n'est pas celui de l'entrée UNIT_INGEST"
tamper list ingest/digest-list.txt
fails "a byte of the digest list" "$T/t-list.zip" "ÉCHEC +liste des empreintes .* ne tient pas"
tamper readme README.txt store
fails "a byte of README.txt" "$T/t-readme.zip" "ÉCHEC +fichier modifié : README.txt"
tamper ca tsa/ca.pem
fails "a byte of the CA certificate" "$T/t-ca.zip" "ÉCHEC"

# manifest.tsr is the one file nothing else covers, and openssl ts -verify
# ignores the parts of a token its signature does not: every byte that is
# not signed (status, versions, signature algorithm, the certificates it
# carries) and a sample of the others, changed in turn, in a tar whose
# last member it is (a tar has no checksum of its own over the data).
(cd "$T/x" && bsdtar --format ustar -cf "$T/m.tar" \
    $(find "$top" -type f ! -name manifest.tsr | sort) "$top/manifest.tsr")
is "that tar holds" 0 "$("$VERIFY" --quiet "$T/m.tar" >/dev/null; echo $?)"
base=0
for f in $(cd "$T/x" && find "$top" -type f ! -name manifest.tsr | sort); do
	base=$((base + 512 + ($(wc -c < "$T/x/$f") + 511) / 512 * 512))
done
base=$((base + 512))
tsz=$(wc -c < "$B/manifest.tsr")
asn1=$(openssl asn1parse -inform DER -in "$B/manifest.tsr")
offs=$( { printf '%s\n' "$asn1" | sed -n 's/^ *\([0-9]*\):d=[0-9]* *hl=\([0-9]*\) *l= *1 prim: *INTEGER .*/\1 \2/p' |
	    awk '{ print $1 + $2 }'
	printf '%s\n' "$asn1" | sed -n 's/^ *\([0-9]*\):d=[0-9]* *hl=\([0-9]*\) *l= *\([0-9]*\) prim: *OBJECT *:ecdsa-with-SHA256.*/\1 \2 \3/p' |
	    tail -n 1 | awk '{ for (i = 0; i < $3; i++) print $1 + $2 + i }'
	seq 0 29 $((tsz - 1)); } | sort -nu)
held=
for o in $offs; do
	cp "$T/m.tar" "$T/f.tar"
	flip "$T/f.tar" $((base + o))
	"$VERIFY" --quiet "$T/f.tar" >/dev/null 2>&1 && held="$held $o"
done
is "manifest.tsr: each of $(echo $offs | wc -w) bytes changed fails" "" "$held"

# Raw bytes of the zip itself, in the middle of an entry's data.
mid() {	# mid ZIP NAME: an offset inside NAME's data
	unzip -Z -v "$1" | awk -v n="$top/$2" '
	    /^  proof-/ { name = $1 }
	    /offset of local header/ { print $NF, name }' | sort -n |
	    awk -v n="$top/$2" 'found { print int((a + $1) / 2); exit }
	        $2 == n { a = $1; found = 1 }'
}
for f in "objects/$obj" README.txt unit.json "journal/$entry.json" seals/1.tsr; do
	cp "$T/good.zip" "$T/raw.zip"
	off=$(mid "$T/raw.zip" "$f")
	flip "$T/raw.zip" "$off"
	fails "a raw byte of the zip, inside $f (offset $off)" "$T/raw.zip" \
	    "ÉCHEC +(paquet illisible|fichier modifié)"
done
cp "$T/good.zip" "$T/raw.zip"; flip "$T/raw.zip"
fails "the middle byte of the zip" "$T/raw.zip" "ÉCHEC"
(cd "$T/x" && bsdtar --format zip --options zip:compression=store -cf "$T/stored.zip" "$top")
is "the same bundle stored: holds" 0 "$("$VERIFY" --quiet "$T/stored.zip" >/dev/null; echo $?)"
flip "$T/stored.zip"
fails "the middle byte of a stored zip" "$T/stored.zip" "ÉCHEC"

# A tar of the same files is read too; and nothing but plain files under
# one top directory, each once, listed in the manifest.
(cd "$T/x" && bsdtar -cf "$T/b.tar" "$top")
is "as a tar: holds" 0 "$("$VERIFY" --quiet "$T/b.tar" >/dev/null; echo $?)"
cp "$T/b.tar" "$T/dup.tar"
(cd "$T/x" && bsdtar -rf "$T/dup.tar" "$top/unit.json")
fails "a file twice: refused" "$T/dup.tar" "ÉCHEC +paquet refusé : $top/unit.json y figure deux fois"
echo x > "$T/x/outside.txt"
(cd "$T/x" && bsdtar --format zip -cf "$T/out.zip" "$top" outside.txt)
fails "a file outside the top directory: refused" "$T/out.zip" "ÉCHEC +paquet refusé : « outside.txt » est hors du dossier"
rm "$T/x/outside.txt"
(cd "$T/x" && bsdtar -P -cf "$T/dots.tar" -s ",/unit.json\$,/metadata/../unit.json," "$top")
fails "a '..' in a name: refused" "$T/dots.tar" "ÉCHEC +paquet refusé : .*« \. » ou « \.\. »"
ln -s README.txt "$B/lien"
(cd "$T/x" && bsdtar --format zip -cf "$T/link.zip" "$top")
fails "a symbolic link: refused" "$T/link.zip" "ÉCHEC +paquet refusé : .*lien.* est un lien"
rm "$B/lien"; echo x > "$B/extra.txt"
(cd "$T/x" && bsdtar --format zip -cf "$T/extra.zip" "$top")
fails "a file not in the manifest" "$T/extra.zip" "ÉCHEC +fichier en trop : extra.txt"
rm "$B/extra.txt"; mv "$B/tsa/tsa.pem" "$T/tsa.pem"
(cd "$T/x" && bsdtar --format zip -cf "$T/missing.zip" "$top")
fails "a file missing" "$T/missing.zip" "ÉCHEC +fichier manquant : tsa/tsa.pem"
mv "$T/tsa.pem" "$B/tsa/tsa.pem"

# ------------------------------------------- journaled, sealed, sae-admin
is "each delivery is journaled (PROOF)" 3 "$(sqlite3 "$DATA/catalog.db" \
    "SELECT count(*) FROM journal WHERE type = 'PROOF' AND unit = '$u'")"
is "with the bundle's digest" "$(sha256sum < "$T/good.zip" | cut -c1-64)" \
    "$(sqlite3 "$DATA/catalog.db" "SELECT json_extract(detail, '\$.bundle_sha256') FROM journal WHERE type = 'PROOF' AND unit = '$u' ORDER BY seq LIMIT 1")"
out=$(admin proof "$u" -o "$T/admin.zip" --objects); rc=$?
is "sae-admin proof --objects" 0 "$rc"
like "says what it wrote" "proof of unit $u: .*admin.zip" "$out"
out=$("$VERIFY" --ca "$DATA/tsa/ca.pem" "$T/admin.zip"); rc=$?
is "its bundle verifies" 0 "$rc"
# Earlier deliveries are entries about the unit too: sealed before this one.
like "with the earlier PROOF entries, sealed since" "OK +entrée [0-9]+ du journal \(PROOF\) : empreinte exacte, scellée dans le sceau [2-9]" "$out"
rm -rf "$T/y" && mkdir "$T/y" && (cd "$T/y" && unzip -q "$T/admin.zip")
nseals=$(wc -l < "$T/y/$top/seals/index.tsv")
is "README gives one openssl ts -verify per seal" "$nseals" \
    "$(grep -c '^    openssl ts -verify -digest' "$T/y/$top/README.txt")"
sed -n 's/^    \(openssl ts -verify -digest .*\)$/\1/p' "$T/y/$top/README.txt" > "$T/cmds"
while IFS= read -r c; do
	check "by hand, seal: $c" sh -c "cd '$T/y/$top' && $c"
done < "$T/cmds"
out=$(admin proof 01ZZZZZZZZZZZZZZZZZZZZZZZZ -o "$T/none.zip" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "sae-admin proof of an unknown unit fails" || not_ok "sae-admin proof of an unknown unit fails" "$out"
check "leaving no file behind" sh -c "! ls '$T'/none.zip* >/dev/null 2>&1"
out=$(admin proof "$u" 2>&1); rc=$?
is "without -o: usage" 2 "$rc"

# A unit with management rules: management.xml is bound to the journal too.
is "a sample with management rules" 201 \
    "$(post_package "$prod" "$SAMPLES/OK_RULES_COMPLEXE_COMPLETE.zip")"
m=$(sqlite3 "$DATA/catalog.db" "SELECT id FROM unit WHERE management IS NOT NULL ORDER BY seq LIMIT 1")
like "one of its units has management rules" '^[0-9A-Z]{26}$' "$m"
is "its proof" 200 "$(http GET "/v1/units/$m/proof?objects=1" "$aud")"
cp "$T/body" "$T/m.zip"
out=$("$VERIFY" "$T/m.zip"); rc=$?
is "holds" 0 "$rc"
like "management.xml checked against UNIT_INGEST" "OK +metadata/management.xml : même SHA-256" "$out"
rm -rf "$T/t" && mkdir "$T/t" && (cd "$T/t" && unzip -q "$T/m.zip")
flip "$T/t/proof-$m/metadata/management.xml"
(cd "$T/t" && bsdtar --format zip -cf "$T/t-m.zip" "proof-$m")
fails "a byte of management.xml" "$T/t-m.zip" "ÉCHEC +metadata/management.xml : son SHA-256 n'est pas celui"
done_testing
