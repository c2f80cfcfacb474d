# lib.sh: what every end-to-end scenario shares: a temp directory, the
# real saed started on 127.0.0.1:0 with its own data directory, tokens,
# HTTP calls with curl, XSD checks with xmllint, and TAP output.  On a
# failure the daemon's log is dumped so that CI shows why.

set -u
: "${SAE_BUILDDIR:?run through make check}"
: "${SAE_SRCDIR:?run through make check}"
: "${SAE_SHARED:=$SAE_SRCDIR/../shared}"
SAED="$SAE_BUILDDIR/sae/saed"
ADMIN="$SAE_BUILDDIR/admin/sae-admin"
SAMPLES="$SAE_SHARED/seda/samples"
SCHEMAS="$SAE_SHARED/seda/schemas"
T=$(mktemp -d "${TMPDIR:-/tmp}/sae-e2e.XXXXXX")
DATA="$T/data"
CONF="$T/saed.conf"
LOG="$T/saed.log"
PORT=
URL=
SAED_PID=
ntest=0
nfail=0

cleanup() {
	stop_saed
	if [ "$nfail" -eq 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$T"; fi
}
trap cleanup EXIT

dump_log() {
	echo "# ---- saed log ($LOG) ----"
	[ -f "$LOG" ] && tail -n 40 "$LOG" | sed 's/^/# /'
	echo "# ---- end of log ----"
}

ok() {	# ok DESCRIPTION: passes
	ntest=$((ntest + 1))
	echo "ok $ntest - $1"
}

not_ok() {	# not_ok DESCRIPTION [DETAIL]
	ntest=$((ntest + 1))
	nfail=$((nfail + 1))
	echo "not ok $ntest - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'
	dump_log
}

check() {	# check DESCRIPTION COMMAND...: passes if the command succeeds
	desc=$1; shift
	if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "$out"; fi
}

is() {		# is DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}

like() {	# like DESCRIPTION REGEX TEXT
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"
	else not_ok "$1" "'$2' not found in: $(printf '%s' "$3" | head -c 2000)"; fi
}

done_testing() {
	echo "1..$ntest"
	[ "$nfail" -eq 0 ]
}

write_config() {	# write_config [EXTRA INI TEXT]: the test configuration
	cat > "$CONF" <<CONF
[seda]
schemas = $SCHEMAS
[rules]
initial = $SAE_SRCDIR/policies/dua-communes.csv
[log]
level = debug
${1:-}
CONF
}

# fake DATE CMD...: runs CMD with its clock starting at DATE, through
# libfaketime (the product reads nothing but the system clock).  Preloaded
# directly: the faketime wrapper leaves semaphores behind when its program
# is killed.  ASan must accept a library preloaded before it.
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
fake() {
	_d=$1; shift
	LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$_d" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"
}

start_saed() {	# start_saed [ENV=VALUE...]: starts the daemon, sets PORT and URL
	[ -f "$CONF" ] || write_config
	: > "$T/saed.out"
	# A simple command in the background, so that $! is saed itself
	# (env execs it): a backgrounded function would leave saed running,
	# with its own clock, when stop_saed kills the subshell.
	if [ -n "${FAKE_DATE:-}" ]; then
		LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$FAKE_DATE" \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 \
		    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		    env "$@" "$SAED" --data "$DATA" --config "$CONF" \
		    --listen 127.0.0.1:0 > "$T/saed.out" 2>> "$LOG" &
	else
		env "$@" "$SAED" --data "$DATA" --config "$CONF" \
		    --listen 127.0.0.1:0 > "$T/saed.out" 2>> "$LOG" &
	fi
	SAED_PID=$!
	for _ in $(seq 1 200); do
		PORT=$(sed -n 's/.*ready port=\([0-9]*\).*/\1/p' "$T/saed.out")
		[ -n "$PORT" ] && break
		kill -0 "$SAED_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$PORT" ]; then
		echo "Bail out! saed did not start"
		dump_log
		exit 1
	fi
	URL="http://127.0.0.1:$PORT"
}

stop_saed() {
	if [ -n "$SAED_PID" ]; then
		kill "$SAED_PID" 2>/dev/null
		wait "$SAED_PID" 2>/dev/null
		SAED_PID=
	fi
}

admin() {	# admin ARGS...: sae-admin on the test data directory, at FAKE_DATE if set
	if [ -n "${FAKE_DATE:-}" ]; then
		fake "$FAKE_DATE" "$ADMIN" --data "$DATA" --config "$CONF" "$@"
	else
		"$ADMIN" --data "$DATA" --config "$CONF" "$@"
	fi
}

new_token() {	# new_token ROLE NAME [AGENCY]: prints the token
	if [ $# -gt 2 ]; then
		admin token create --role "$1" --name "$2" --agency "$3" | tail -n 1
	else
		admin token create --role "$1" --name "$2" | tail -n 1
	fi
}

# http METHOD PATH TOKEN [curl args...]: body in $T/body, headers in
# $T/headers; prints the status code.
http() {
	m=$1; p=$2; tok=$3; shift 3
	if [ -n "$tok" ]; then
		set -- -H "Authorization: Bearer $tok" "$@"
	fi
	curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$m" "$@" \
	    "$URL$p"
}

post_package() {	# post_package TOKEN FILE [CONTENT-TYPE]: prints the status
	http POST /v1/transfers "$1" -H "Content-Type: ${3:-application/octet-stream}" \
	    --data-binary @"$2"
}

header() {	# header NAME: value of a response header of the last call
	tr -d '\r' < "$T/headers" | sed -n "s/^$1: //Ip" | tail -n 1
}

reply_code() {	# ReplyCode of the last reply
	sed -n 's:.*<ReplyCode>\(.*\)</ReplyCode>.*:\1:p' "$T/body" | head -n 1
}

seda_version_of() {	# seda_version_of FILE: 2.1, 2.2 or 2.3 from its namespace
	sed -n 's/.*archivesdefrance:seda:v\(2\.[123]\).*/\1/p' "$1" | head -n 1
}

xsd_valid() {	# xsd_valid FILE: validates against the official XSD of its version
	v=$(seda_version_of "$1")
	[ -n "$v" ] || { echo "no SEDA namespace in $1"; return 1; }
	XML_CATALOG_FILES="$SCHEMAS/$v/catalog.xml" xmllint --nonet --noout \
	    --schema "$SCHEMAS/$v/seda-$v-main.xsd" "$1"
}

json_get() {	# json_get FILTER: jq over the last body
	jq -r "$1" < "$T/body"
}

# browser SCRIPT [VAR=VALUE...]: runs tests/ui/SCRIPT (playwright-core
# driving Debian's chromium headless) with SAE_URL, SAE_NODE_DIR, SAE_SHOTS
# and the given variables in its environment; each line it prints,
# "PASS<TAB>what" or "FAIL<TAB>what<TAB>detail", becomes a TAP line.
# playwright-core comes from npm, installed once per build tree (never into
# the sources) and again when the lock file changes.  Screenshots go to
# BUILDDIR/tests/ui/screenshots, kept as test artifacts.
browser() {
	_script=$1
	shift
	_nd="$SAE_BUILDDIR/tests/ui"
	if [ ! -f "$_nd/node_modules/playwright-core/package.json" ] ||
	    ! cmp -s "$SAE_SRCDIR/tests/ui/package-lock.json" "$_nd/package-lock.json"; then
		mkdir -p "$_nd"
		cp "$SAE_SRCDIR/tests/ui/package.json" "$SAE_SRCDIR/tests/ui/package-lock.json" "$_nd/"
		(cd "$_nd" && npm ci --no-audit --no-fund --silent) > "$T/npm.log" 2>&1 ||
		    { echo "Bail out! npm ci playwright-core failed: $(tail -n 5 "$T/npm.log")"; exit 1; }
	fi
	mkdir -p "$_nd/screenshots"
	env SAE_NODE_DIR="$_nd" SAE_URL="$URL" SAE_SHOTS="$_nd/screenshots" "$@" \
	    node "$SAE_SRCDIR/tests/ui/$_script" > "$T/browser.out" 2> "$T/browser.err"
	_rc=$?
	[ -s "$T/browser.out" ] || not_ok "$_script printed nothing (exit $_rc)" "$(tail -n 20 "$T/browser.err")"
	_tab=$(printf '\t')
	while IFS="$_tab" read -r _verdict _what _detail; do
		case $_verdict in
		PASS) ok "browser: $_what" ;;
		FAIL) not_ok "browser: $_what" "$_detail" ;;
		*) not_ok "browser: unexpected output" "$_verdict $_what $_detail" ;;
		esac
	done < "$T/browser.out"
	is "$_script exited 0" 0 "$_rc"
}

# ui_login TOKEN: signs in through the sign-in form as a browser does (its
# page first, for the form's anti-forgery token and cookie); prints the
# session cookie "sae_session=...".
ui_login() {
	curl -s -c "$T/login.jar" -o "$T/login.html" "$URL/ui/login"
	_csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/login.html" | head -n 1)
	curl -s -b "$T/login.jar" -o /dev/null -D "$T/login.h" \
	    --data-urlencode "token=$1" --data "csrf=$_csrf" "$URL/ui/login"
	tr -d '\r' < "$T/login.h" | sed -n 's/^Set-Cookie: \(sae_session=[0-9a-f]*\);.*/\1/Ip'
}
