#!/bin/sh
# export.sh: reversibility export throughput, in one run on one machine:
# N packages of one object each (default 64 × 16 MiB of random bytes, so
# compression does not flatter anyone) are ingested into one sovereign
# offer, then `sae-admin export --all` (SEDA packages read from verified
# copies, journal, proofs, SHA-512 manifests) is timed against
# `tar -cf` of the same stored bytes (the offer's directory) to the same
# disk.  Both are run cold-ish (after sync; the page cache is not dropped,
# which needs root).
# Usage: bench/export.sh BUILDDIR [COUNT] [SIZE_MIB]
set -eu
. "$(dirname "$0")/lib.sh"
bench_init export "${1:?usage: export.sh BUILDDIR [COUNT] [SIZE_MIB]}" "[offer vault]
path = offers/vault
sovereign = yes
[storage]
definitive_copies = 1
[placement]
current = vault
intermediate = vault
definitive = vault"
count=${2:-64}
mib=${3:-16}
mk="$src/tests/e2e/mkpkg.sh"
bench_saed
tok=$(admin token create --role producer --name bench | tail -n 1)

echo "== ingesting $count packages of $mib MiB"
i=0
while [ "$i" -lt "$count" ]; do
	head -c $((mib * 1048576)) /dev/urandom > "$work/obj.bin"
	"$mk" "$work/p.tar" --format tar --msgid "p$i" "$work/obj.bin"
	curl -s -o /dev/null -H "Authorization: Bearer $tok" \
	    -H "Content-Type: application/x-tar" -X POST -T "$work/p.tar" \
	    "http://127.0.0.1:$port/v1/transfers"
	i=$((i + 1))
done
rm -f "$work/obj.bin" "$work/p.tar"
bench_stop
stored=$(du -sb "$work/data/offers/vault" | cut -f1)
printf 'stored: %s bytes\n' "$stored"
sync

now() { date +%s.%N; }
t0=$(now)
tar -cf "$work/offers.tar" -C "$work/data/offers" vault
sync
t1=$(now)
rm -f "$work/offers.tar"
sync
/usr/bin/time -f '%e s, peak RSS %M KiB' -o "$work/time" \
    "$build/admin/sae-admin" --data "$work/data" --config "$work/saed.conf" \
    export --all -o "$work/bag" > /dev/null
sync
t2=$(now)
tar_s=$(echo "$t1 - $t0" | bc)
exp_s=$(echo "$t2 - $t1" | bc)
printf 'tar of the stored bytes: %.2f s (%.0f MiB/s)\n' "$tar_s" \
    "$(echo "$stored / 1048576 / $tar_s" | bc -l)"
printf 'sae-admin export --all:  %.2f s (%.0f MiB/s), %s\n' "$exp_s" \
    "$(echo "$stored / 1048576 / $exp_s" | bc -l)" "$(cat "$work/time")"
printf 'ratio (tar time / export time): %.2f\n' "$(echo "$tar_s / $exp_s" | bc -l)"
(cd "$work/bag" && sha512sum --quiet -c manifest-sha512.txt) && echo "the bag verifies"
