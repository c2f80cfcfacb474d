#!/bin/sh
# mkpkg.sh: makes a SEDA package for the tests: one dossier (a File unit
# with an AppraisalRule) holding one Item unit per file given.
#
#   mkpkg.sh OUT [options] FILE...
#     --msgid ID        MessageIdentifier (default: the OUT name)
#     --version V       2.1, 2.2 or 2.3 (default 2.2)
#     --format F        zip, tar, tar.gz or tar.zst (default zip)
#     --rule ID         AppraisalRule of the dossier (default EC-02)
#     --start DATE      its StartDate (default 2020-01-01; "none" omits it)
#     --final ACTION    its FinalAction (default Destroy)
#     --agency ID       OriginatingAgencyIdentifier (default AG-TEST)
#     --title TEXT      title of the dossier
#     --digest ALG      SHA-512 (default), SHA-256 or MD5
#     --bad-digest      declare a wrong digest for the first file
#     --extra FILE      add FILE to the package without declaring it
#     --manifest FILE   use this manifest.xml instead of generating one
set -eu
out=$1; shift
msgid=$(basename "$out"); version=2.2; format=zip; rule=EC-02
start=2020-01-01; final=Destroy; agency=AG-TEST; title="Dossier de test"
alg=SHA-512; bad=; extra=; manifest=
while [ $# -gt 0 ]; do
	case $1 in
	--msgid) msgid=$2; shift 2;;
	--version) version=$2; shift 2;;
	--format) format=$2; shift 2;;
	--rule) rule=$2; shift 2;;
	--start) start=$2; shift 2;;
	--final) final=$2; shift 2;;
	--agency) agency=$2; shift 2;;
	--title) title=$2; shift 2;;
	--digest) alg=$2; shift 2;;
	--bad-digest) bad=1; shift;;
	--extra) extra=$2; shift 2;;
	--manifest) manifest=$2; shift 2;;
	*) break;;
	esac
done
case $alg in
SHA-512) sum=sha512sum;; SHA-256) sum=sha256sum;; MD5) sum=md5sum;;
*) echo "mkpkg: unknown digest $alg" >&2; exit 2;;
esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/mkpkg.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/content"
esc() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }
if [ -n "$manifest" ]; then
	cp "$manifest" "$dir/manifest.xml"
else
	objs=; units=; n=0
	for f in "$@"; do
		n=$((n + 1))
		name=$(basename "$f")
		cp "$f" "$dir/content/$name"
		d=$($sum < "$f" | cut -d' ' -f1)
		if [ -n "$bad" ] && [ $n -eq 1 ]; then
			d=$(printf 'not this' | $sum | cut -d' ' -f1)
		fi
		size=$(wc -c < "$f" | tr -d ' ')
		sizexml="<Size>$size</Size>"
		[ "$size" -eq 0 ] && sizexml=
		objs="$objs
    <DataObjectGroup id=\"GRP$n\">
      <BinaryDataObject id=\"BDO$n\">
        <DataObjectVersion>BinaryMaster_1</DataObjectVersion>
        <Uri>content/$(esc "$name")</Uri>
        <MessageDigest algorithm=\"$alg\">$d</MessageDigest>
        $sizexml
        <FileInfo><Filename>$(esc "$name")</Filename></FileInfo>
      </BinaryDataObject>
    </DataObjectGroup>"
		units="$units
        <ArchiveUnit id=\"AU$n\">
          <Content>
            <DescriptionLevel>Item</DescriptionLevel>
            <Title>$(esc "$name")</Title>
          </Content>
          <DataObjectReference><DataObjectGroupReferenceId>GRP$n</DataObjectGroupReferenceId></DataObjectReference>
        </ArchiveUnit>"
	done
	startxml="<StartDate>$start</StartDate>"
	[ "$start" = none ] && startxml=
	cat > "$dir/manifest.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v$version">
  <Date>2024-05-02T10:00:00</Date>
  <MessageIdentifier>$(esc "$msgid")</MessageIdentifier>
  <ArchivalAgreement>CONV-TEST</ArchivalAgreement>
  <CodeListVersions/>
  <DataObjectPackage>$objs
    <DescriptiveMetadata>
      <ArchiveUnit id="AU0">
        <Management>
          <AppraisalRule><Rule>$rule</Rule>$startxml<FinalAction>$final</FinalAction></AppraisalRule>
        </Management>
        <Content>
          <DescriptionLevel>File</DescriptionLevel>
          <Title>$(esc "$title")</Title>
          <StartDate>2019-01-01</StartDate>
          <EndDate>2019-12-31</EndDate>
        </Content>$units
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata>
      <OriginatingAgencyIdentifier>$(esc "$agency")</OriginatingAgencyIdentifier>
    </ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>SAE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>APP-TEST</Identifier></TransferringAgency>
</ArchiveTransfer>
XML
fi
[ -n "$extra" ] && cp "$extra" "$dir/content/"
case $format in
zip) (cd "$dir" && bsdtar --format zip -cf pkg manifest.xml content);;
tar) (cd "$dir" && bsdtar --format pax -cf pkg manifest.xml content);;
tar.gz) (cd "$dir" && bsdtar --format pax -czf pkg manifest.xml content);;
tar.zst) (cd "$dir" && bsdtar --format pax --zstd -cf pkg manifest.xml content);;
*) echo "mkpkg: unknown format $format" >&2; exit 2;;
esac
mv "$dir/pkg" "$out"
