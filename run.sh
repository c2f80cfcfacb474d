#!/bin/sh
# run.sh: from a fresh Debian 12 machine to a running archive.  Installs the
# Debian packages sae needs, builds, installs under ./_install (with the
# official SEDA schemas, checked against seda/schemas.sha256) and starts
# saed on 127.0.0.1:8420 with its data in ./data.  Extra arguments go to
# saed (e.g. --listen 127.0.0.1:0, --config FILE).
set -eu
cd "$(dirname "$0")"
top=$(pwd)
. "$top/build-aux/deps.sh"
deps_install "$DEPS_BUILD curl" || exit 1
prefix="$top/_install"

# The official XSDs: a local copy beside the checkout if there is one,
# otherwise downloaded from their official sources.  Either way they are
# installed only if every checksum matches.
schemas="$top/../shared/seda/schemas"
if [ ! -d "$schemas" ]; then
	schemas="$top/_build/schemas-download"
	for v in 2.1 2.2 2.3; do
		mkdir -p "$schemas/$v"
		for part in main types management ontology technical descriptive; do
			f="seda-$v-$part.xsd"
			[ -f "$schemas/$v/$f" ] || curl -fsSL -o "$schemas/$v/$f" \
			    "https://raw.githubusercontent.com/culturecommunication/seda/seda-$v/schema/$f"
		done
		[ -f "$schemas/$v/xml.xsd" ] || curl -fsSL -o "$schemas/$v/xml.xsd" \
		    https://www.w3.org/2009/01/xml.xsd
		[ -f "$schemas/$v/xlink.xsd" ] || curl -fsSL -o "$schemas/$v/xlink.xsd" \
		    https://www.w3.org/1999/xlink.xsd
	done
fi

[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p _build/run
(
	cd _build/run
	[ -f Makefile ] || "$top/configure" -q --prefix="$prefix" \
	    --with-seda-schemas="$schemas"
	make -j"$(nproc)" >/dev/null
	make install >/dev/null
)
mkdir -p "$top/data"
if [ ! -f "$top/data/catalog.db" ]; then
	cat <<MSG
First start: saed creates ./data (catalog, storage offers, time-stamping
authority) and loads the DUA table $prefix/share/sae/dua-communes.csv.
Then, in another terminal, create tokens:
  $prefix/bin/sae-admin --data $top/data token create --role producer --name my-app
  $prefix/bin/sae-admin --data $top/data token create --role admin --name me
MSG
fi
exec "$prefix/bin/saed" --data "$top/data" "$@"
