# lib.sh: what the benchmarks share, sourced after `set -eu`:
#   bench_init NAME BUILDDIR [INI]: sets build, src, shared and work (a
#     temporary directory removed at exit, under BENCH_TMP or /var/tmp),
#     and writes work/saed.conf (bench_config): the official schemas, the
#     project's DUA table, warnings only, and INI (more sections) if given;
#   admin ARGS...: sae-admin on that data directory;
#   bench_saed: starts saed on a free loopback port (pid, port, url);
#   bench_stop: stops it;
#   bench_tree_sql: the SQL that gives generated units (1,000 a transfer,
#     the first a dossier, the others its documents) their parent and one
#     object each per document (1,000 + seq % 5,000 bytes).
bench_init() {
	build=$(cd "$2" && pwd)
	src=$(cd "$(dirname "$0")/.." && pwd)
	shared=${SAE_SHARED:-$src/../shared}
	work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/sae-bench-$1.XXXXXX")
	pid=
	trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
	bench_config "${3:-}"
}

# bench_config [INI]: writes work/saed.conf anew (as bench_init does).
bench_config() {
	printf '[seda]\nschemas = %s\n[rules]\ninitial = %s\n[log]\nlevel = warning\n%s\n' \
	    "$shared/seda/schemas" "$src/policies/dua-communes.csv" "${1:-}" > "$work/saed.conf"
}

admin() { "$build/admin/sae-admin" --data "$work/data" --config "$work/saed.conf" "$@"; }

bench_saed() {
	"$build/sae/saed" --data "$work/data" --config "$work/saed.conf" \
	    --listen 127.0.0.1:0 > "$work/out" 2> "$work/log" &
	pid=$!
	while ! grep -q 'ready port=' "$work/out"; do
		kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
		sleep 0.05
	done
	port=$(sed -n 's/.*ready port=\([0-9]*\).*/\1/p' "$work/out")
	url="http://127.0.0.1:$port"
}

bench_stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

bench_tree_sql() {
	cat <<'SQL'
INSERT INTO unit_parent (unit, parent)
SELECT seq, seq - ((seq - 1) % 1000) FROM unit WHERE (seq - 1) % 1000 <> 0;
INSERT INTO object_group (seq, transfer, xml_id)
SELECT seq, transfer, 'G' || seq FROM unit WHERE (seq - 1) % 1000 <> 0;
INSERT INTO unit_group (unit, grp) SELECT seq, seq FROM object_group;
SQL
	# Ids are Crockford base32, as ours are: no I, L, O or U.
	cat <<'SQL'
INSERT INTO object (seq, id, transfer, grp, xml_id, size, sha256)
SELECT seq, printf('B%025d', seq), transfer, seq, 'O' || seq, 1000 + seq % 5000,
    printf('%064x', seq) FROM object_group;
SQL
}
