#!/bin/sh
# audit.sh: audit throughput on stored objects (every copy read back and
# its SHA-256 recomputed over the original bytes), against
# `openssl dgst -sha256` over the same original bytes, in the same run.
# Goal: at least 0.8 of openssl's speed.
# Usage: bench/audit.sh BUILDDIR [SIZE_MIB]
set -eu
build=$(cd "${1:?usage: audit.sh BUILDDIR [SIZE_MIB]}" && pwd)
mib=${2:-1024}
src=$(cd "$(dirname "$0")/.." && pwd)
shared=${SAE_SHARED:-$src/../shared}
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/sae-bench-audit.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
printf '[seda]\nschemas = %s\n[rules]\ninitial = %s\n[log]\nlevel = warning\n' \
    "$shared/seda/schemas" "$src/policies/dua-communes.csv" > "$work/saed.conf"
"$build/sae/saed" --data "$work/data" --config "$work/saed.conf" \
    --listen 127.0.0.1:0 > "$work/out" 2> "$work/log" &
pid=$!
while ! grep -q 'ready port=' "$work/out"; do sleep 0.1; done
port=$(sed -n 's/.*ready port=\([0-9]*\).*/\1/p' "$work/out")
admin() { "$build/admin/sae-admin" --data "$work/data" --config "$work/saed.conf" "$@"; }
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
kill $pid; wait $pid 2>/dev/null || true; pid=
rm -f "$work/p.tar"
cat "$work/r1.bin" "$work/r2.bin" "$work/t1.txt" "$work/t2.txt" > /dev/null
t0=$(date +%s.%N)
openssl dgst -sha256 "$work/r1.bin" "$work/r2.bin" "$work/t1.txt" "$work/t2.txt" > /dev/null
t1=$(date +%s.%N)
base=$(echo "$t1 - $t0" | bc)
# Each object has two copies (vault-a, vault-b): the audit reads 2x the bytes.
t0=$(date +%s.%N)
admin audit > "$work/audit.out"
t1=$(date +%s.%N)
took=$(echo "$t1 - $t0" | bc)
head -n 1 "$work/audit.out"
printf 'openssl over %d MiB: %.2f s; audit over %d MiB (two copies): %.2f s\n' \
    "$mib" "$base" $((2 * mib)) "$took"
printf 'throughput ratio (same bytes): %.2f\n' "$(echo "$base * 2 / $took" | bc -l)"
