#!/bin/sh
# ingest.sh: ingest benchmarks, in one run on one machine:
#  1. a 1 GiB single-object package through saed, against the physical
#     pipeline "openssl dgst -sha256 + cp + sync" of the same bytes (ratio,
#     goal >= 0.8), with saed's peak RSS (goal < 100 MiB);
#  2. 1-object 10 KiB packages per second (goal >= 200/s on 2 cores),
#     each acknowledged only once durable.
# Usage: bench/ingest.sh BUILDDIR [SIZE_MIB] [SMALL_COUNT]
set -eu
. "$(dirname "$0")/lib.sh"
bench_init ingest "${1:?usage: ingest.sh BUILDDIR}"
mib=${2:-1024}
count=${3:-2000}
mk="$src/tests/e2e/mkpkg.sh"

start() {	# start CONFIG-EXTRA: saed on a fresh data dir
	rm -rf "$work/data"
	bench_config "$1"
	bench_saed
	tok=$(admin token create --role producer --name bench | tail -n 1)
}
stop() { bench_stop; }
now() { date +%s.%N; }
post() {
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	    -H "Content-Type: application/x-tar" -X POST -T "$1" \
	    "http://127.0.0.1:$port/v1/transfers"
}

one_copy='[offer vault]
path = offers/vault
sovereign = yes
[storage]
definitive_copies = 1
[placement]
current = vault
intermediate = vault
definitive = vault'

echo "== 1. one ${mib} MiB object"
head -c $((mib * 1048576)) /dev/urandom > "$work/big.bin"
"$mk" "$work/big.tar" --format tar --msgid big "$work/big.bin"
rm -f "$work/big.bin"
bsdtar -xOf "$work/big.tar" content/big.bin > "$work/obj.bin"
sync
t0=$(now)
openssl dgst -sha256 "$work/obj.bin" > /dev/null
cp "$work/obj.bin" "$work/copy.bin"
sync
t1=$(now)
base=$(echo "$t1 - $t0" | bc)
rm -f "$work/copy.bin"
for mode in one-copy two-copies; do
	if [ $mode = one-copy ]; then start "$one_copy"; else start ""; fi
	sync
	t0=$(now)
	code=$(post "$work/big.tar")
	t1=$(now)
	rss=$(sed -n 's/VmHWM:[ \t]*\([0-9]*\) kB/\1/p' /proc/$pid/status)
	stop
	took=$(echo "$t1 - $t0" | bc)
	printf '%-10s HTTP %s  saed %6.2f s  pipeline %6.2f s  ratio %.2f  peak RSS %d MiB\n' \
	    $mode "$code" "$took" "$base" "$(echo "$base / $took" | bc -l)" $((rss / 1024))
done
rm -f "$work/obj.bin" "$work/big.tar"

echo "== 2. ${count} packages of one 10 KiB object, 8 clients"
mkdir -p "$work/small"
i=0
while [ $i -lt "$count" ]; do
	i=$((i + 1))
	head -c 10240 /dev/urandom > "$work/doc$i.bin"
	"$mk" "$work/small/p$i.tar" --format tar --msgid "small-$i" "$work/doc$i.bin"
	rm -f "$work/doc$i.bin"
done
for mode in one-copy two-copies; do
	if [ $mode = one-copy ]; then start "$one_copy"; else start ""; fi
	# One curl process with 8 parallel transfers: spawning a process per
	# package would measure the client, not saed.
	rm -f "$work/curl.cfg"
	for f in "$work/small"/*.tar; do
		printf 'url = "http://127.0.0.1:%s/v1/transfers"\nupload-file = "%s"\n' \
		    "$port" "$f"
		printf 'request = "POST"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
	done > "$work/curl.cfg"
	t0=$(now)
	curl -s --no-progress-meter -Z --parallel-max 8 -H "Authorization: Bearer $tok" \
	    -H 'Content-Type: application/x-tar' -K "$work/curl.cfg" > "$work/codes"
	t1=$(now)
	stop
	okc=$(grep -c '^201$' "$work/codes" || true)
	printf '%-10s %d/%d archived in %.2f s: %.0f packages/s\n' $mode "$okc" "$count" \
	    "$(echo "$t1 - $t0" | bc)" "$(echo "$okc / ($t1 - $t0)" | bc -l)"
done
