#!/bin/sh
# install-schemas.sh SRC DEST SUMSFILE: checks every schema listed in
# SUMSFILE (seda/schemas.sha256) under SRC, copies them into DEST/2.X/ and
# writes DEST/2.X/catalog.xml so that xmllint can also validate offline.
# Touches nothing but DEST.  Exits non-zero naming a missing or altered file.
set -eu

prog=install-schemas.sh
if [ $# -ne 3 ]; then
	echo "usage: $prog SRC DEST SUMSFILE" >&2
	exit 2
fi
src=$1
dest=$2
sums=$3
[ -r "$sums" ] || { echo "$prog: cannot read '$sums'" >&2; exit 1; }

# Checks first, copies after: a bad set must leave DEST untouched.
n=0
while read -r sum path; do
	case $sum in ''|'#'*) continue ;; esac
	case $path in
	/*|*..*|'') echo "$prog: bad path '$path' in '$sums'" >&2; exit 1 ;;
	esac
	if [ ! -f "$src/$path" ]; then
		echo "$prog: schema file '$src/$path' is missing" >&2
		exit 1
	fi
	got=$(sha256sum < "$src/$path" | cut -d ' ' -f 1)
	if [ "$got" != "$sum" ]; then
		echo "$prog: schema file '$src/$path' has been altered" \
		    "(SHA-256 $got, expected $sum)" >&2
		exit 1
	fi
	n=$((n + 1))
done < "$sums"
[ "$n" -gt 0 ] || { echo "$prog: '$sums' lists no file" >&2; exit 1; }

dirs=
while read -r sum path; do
	case $sum in ''|'#'*) continue ;; esac
	d=$(dirname "$path")
	mkdir -p "$dest/$d"
	cp "$src/$path" "$dest/$path"
	chmod 644 "$dest/$path"
	case " $dirs " in *" $d "*) ;; *) dirs="$dirs $d" ;; esac
done < "$sums"

# The XSDs import these two by URL; relative uris resolve against the
# catalog file itself, so the folder may live anywhere.
for d in $dirs; do
	cat > "$dest/$d/catalog.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by install-schemas.sh: maps the W3C schemas imported by URL to
     the local copies of this folder (XML_CATALOG_FILES=catalog.xml). -->
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <system systemId="http://www.w3.org/2001/xml.xsd" uri="xml.xsd"/>
  <uri name="http://www.w3.org/2001/xml.xsd" uri="xml.xsd"/>
  <system systemId="http://www.w3.org/1999/xlink.xsd" uri="xlink.xsd"/>
  <uri name="http://www.w3.org/1999/xlink.xsd" uri="xlink.xsd"/>
</catalog>
EOF
	chmod 644 "$dest/$d/catalog.xml"
done
exit 0
