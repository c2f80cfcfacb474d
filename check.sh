#!/bin/sh
# check.sh: the whole test suite, from a clean clone, with ../shared beside
# it.  Installs the Debian packages it needs, builds twice out of tree
# (normal -Werror, then ASan/UBSan), runs "make check" in both, and ends
# with one line "N passed, N failed".
set -u
cd "$(dirname "$0")"
top=$(pwd)
. "$top/build-aux/deps.sh"
deps_install "$DEPS_BUILD $DEPS_TEST" || exit 1
[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; exit 1; }

passed=0; failed=0; status=0
run_build() {	# run_build DIR CONFIGURE-ARGS...
	dir=$1; shift
	rm -rf "$dir"; mkdir -p "$dir"
	echo "== build $dir ($*)"
	if ! (cd "$dir" && "$top/configure" -q "$@" >/dev/null &&
	    make -j2 >/dev/null 2>"$dir.build.log"); then
		cat "$dir.build.log" >&2
		echo "build failed in $dir"
		failed=$((failed + 1)); status=1
		return
	fi
	(cd "$dir" && make -j2 check >"$dir.check.log" 2>&1) || status=1
	grep -E '^(FAIL|ERROR|XPASS)' "$dir.check.log" || true
	log="$dir/test-suite.log"
	if [ ! -f "$log" ]; then
		tail -n 30 "$dir.check.log"
		failed=$((failed + 1)); status=1
		return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$log"); s=$(sed -n 's/^# SKIP: *//p' "$log")
	f=$(sed -n 's/^# FAIL: *//p' "$log"); e=$(sed -n 's/^# ERROR: *//p' "$log")
	x=$(sed -n 's/^# XPASS: *//p' "$log")
	echo "   pass ${p:-0}, skip ${s:-0}, fail ${f:-0}, error ${e:-0}"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${e:-0} + ${x:-0}))
	[ $((${f:-0} + ${e:-0} + ${x:-0})) -eq 0 ] || {
		status=1
		sed -n '/^FAIL\|^ERROR/,/^$/p' "$log" | head -n 80
	}
}

run_build "$top/_build/check" --enable-crashpoints
run_build "$top/_build/check-asan" --enable-crashpoints --enable-sanitizers

# Building and testing must leave the tree as it was (Tarsnap's rule).
if [ -d .git ] && [ -n "$(git status --porcelain 2>/dev/null)" ]; then
	echo "the build changed tracked files or left untracked ones:"
	git status --porcelain | head -n 20
	failed=$((failed + 1)); status=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
