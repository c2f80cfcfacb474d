#!/bin/sh
# audit.sh: audit throughput on stored objects (every copy read back and
# its SHA-256 recomputed over the original bytes), against
# `openssl dgst -sha256` over the same original bytes, in the same run.
# Each object has two copies (vault-a, vault-b), so the audit hashes every
# original byte twice: openssl is given every original file twice too.
# Both from the page cache (warm), best of RUNS; with BENCH_COLD=1 (root:
# it drops the page cache) one cold run of each as well.
# Goal: at least 0.8 of openssl's speed.
# Usage: bench/audit.sh BUILDDIR [SIZE_MIB]   (env: RUNS=3, BENCH_COLD=1)
set -eu
. "$(dirname "$0")/lib.sh"
bench_init audit "${1:?usage: audit.sh BUILDDIR [SIZE_MIB]}"
mib=${2:-1024}
runs=${RUNS:-3}
bench_saed
tok=$(admin token create --role producer --name bench | tail -n 1)
# Four objects of a quarter each, random (stored raw) and text (zstd).
q=$((mib / 4))
head -c $((q * 1048576)) /dev/urandom > "$work/r1.bin"
head -c $((q * 1048576)) /dev/urandom > "$work/r2.bin"
seq 1 $((q * 1048576 / 8)) | head -c $((q * 1048576)) > "$work/t1.txt"
seq 7 $((q * 1048576 / 8 + 7)) | head -c $((q * 1048576)) > "$work/t2.txt"
"$src/tests/e2e/mkpkg.sh" "$work/p.tar" --format tar --msgid audit \
    "$work/r1.bin" "$work/r2.bin" "$work/t1.txt" "$work/t2.txt"
curl -s -o /dev/null -H "Authorization: Bearer $tok" -X POST -T "$work/p.tar" \
    "http://127.0.0.1:$port/v1/transfers"
bench_stop
rm -f "$work/p.tar"
files="$work/r1.bin $work/r2.bin $work/t1.txt $work/t2.txt"
# The same original bytes the audit hashes: each file once per copy.
twice="$files $files"

now() { date +%s.%N; }
timed() {	# timed CMD...: seconds taken
	_t0=$(now); "$@" > "$work/last.out"; _t1=$(now)
	echo "$_t1 - $_t0" | bc
}
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc)" = 1 ]; then echo "$2"; else echo "$1"; fi; }
cold() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# Warm: everything read once before timing.
cat $files "$work"/data/offers/*/objects/*/* > /dev/null
base= took=
i=0
while [ $i -lt "$runs" ]; do
	base=$(min "$base" "$(timed openssl dgst -sha256 $twice)")
	took=$(min "$took" "$(timed admin audit)")
	i=$((i + 1))
done
head -n 1 "$work/last.out"
cpus=$(nproc)
printf 'cpus: %s; load before: %s\n' "$cpus" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'warm, best of %d: openssl over %d MiB (each file twice): %.2f s; audit over %d MiB (two copies): %.2f s\n' \
    "$runs" $((2 * mib)) "$base" $((2 * mib)) "$took"
printf 'throughput ratio (same bytes, warm): %.2f\n' "$(echo "$base / $took" | bc -l)"
if [ -n "${BENCH_COLD:-}" ]; then
	cold; cbase=$(timed openssl dgst -sha256 $twice)
	cold; ctook=$(timed admin audit)
	printf 'cold (page cache dropped before each): openssl %.2f s; audit %.2f s\n' \
	    "$cbase" "$ctook"
	printf 'throughput ratio (same bytes, cold): %.2f\n' "$(echo "$cbase / $ctook" | bc -l)"
fi
