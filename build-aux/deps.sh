# deps.sh: the Debian packages sae needs, and installing the missing ones
# (as root, or through sudo).  Sourced by run.sh and check.sh.
DEPS_BUILD="build-essential autoconf automake libtool pkg-config \
libarchive-dev libssl-dev libsqlite3-dev libmagic-dev libxml2-dev \
libzstd-dev libmicrohttpd-dev libinih-dev libjansson-dev libcsv-dev \
libcmocka-dev libxslt1-dev"
DEPS_TEST="curl jq libxml2-utils libarchive-tools zstd sqlite3 openssl \
faketime unzip chromium nodejs"
# Browser tests install playwright-core with npm: Debian's own package,
# unless a nodejs that bundles npm (NodeSource) is there already.
command -v npm >/dev/null 2>&1 || DEPS_TEST="$DEPS_TEST npm"

deps_install() {	# deps_install "PKG...": installs those not installed yet
	missing=
	for p in $1; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		    missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing Debian packages:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null &&
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null ||
	    { echo "apt-get install failed for:$missing"; return 1; }
}
