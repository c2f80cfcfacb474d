#!/bin/sh
# 19-tsa-renewal: the TSA certificate is journaled when it is made; saed
# renews it (same CA, old certificate kept, change journaled, journal
# sealed at once) when it expires within renew_days, at start and by its
# daily check, and never beyond the CA; journal verify then accepts the
# seals the expired certificate made, and names a last seal whose
# certificate expired unrenewed, and a renewal that came too late.  A
# crash at each step of a renewal leaves a TSA that opens and a journal
# that holds.  The clock is faked (libfaketime): 30-day certificates
# (the CA: 60 days), renewed 10 days before they expire.
. "$SAE_SRCDIR/tests/e2e/lib.sh"

MK="$SAE_SRCDIR/tests/e2e/mkpkg.sh"
if [ -z "$FAKETIME_LIB" ]; then
	echo "1..0 # SKIP libfaketime is not installed"
	exit 0
fi
write_config "[tsa]
validity_days = 30
renew_days = 10"
q() { sqlite3 "$DATA/catalog.db" "$1"; }
changes() { q "SELECT count(*) FROM journal WHERE type = 'TSA_CERT_CHANGE'"; }
# The last TSA_CERT_CHANGE: reason, old and new certificates, their ends.
last_change() {
	q "SELECT json_extract(detail, '\$.reason') || ' ' ||
	    coalesce(json_extract(detail, '\$.old_sha256'), 'null') || ' ' ||
	    coalesce(json_extract(detail, '\$.old_not_after'), 'null') || ' ' ||
	    json_extract(detail, '\$.new_sha256') || ' ' ||
	    json_extract(detail, '\$.new_not_after')
	    FROM journal WHERE type = 'TSA_CERT_CHANGE' ORDER BY seq DESC LIMIT 1"
}
cert_sha() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
# The seal that covers journal entry $1, and its token in $T/s.tsr.
seal_of() {
	s=$(q "SELECT seq FROM seal WHERE first <= $1 AND last >= $1")
	q "SELECT writefile('$T/s.tsr', tsr) FROM seal WHERE seq = $s" > /dev/null
	echo "$s"
}
# Whether certificate $2 is the one in token $1 (certReq: it travels in it).
signed_by() {
	body=$(grep -v -- ----- "$2" | tr -d '\n')
	openssl ts -reply -in "$1" -token_out -out "$T/s.tst" 2>/dev/null &&
	openssl pkcs7 -inform DER -in "$T/s.tst" -print_certs |
	    grep -v -- ----- | tr -d '\n' | grep -qF "$body"
}
epoch() { date -u -d "$1" +%s; }
# stop_saed, sending SIGTERM again while saed runs: saed.c waits with
# pause(), which misses a signal that lands before it or on another thread
# (seen here under load: stop set, main thread still in pause).
stop() {
	[ -n "$SAED_PID" ] || return 0
	for i in $(seq 0 299); do
		case $(ps -o stat= -p "$SAED_PID" 2>/dev/null) in
		""|Z*) break;;
		esac
		[ $((i % 25)) -eq 0 ] && kill "$SAED_PID" 2>/dev/null
		sleep 0.2
	done
	stop_saed
}
restart() { start_saed "$@"; http GET /v1/units "$prod" > /dev/null; stop; }

# Day 0: the TSA is made; its certificate goes into the journal.
FAKE_DATE="2031-01-01 00:00:00"
start_saed
prod=$(new_token producer app)
echo "un" > "$T/a.txt"
"$MK" "$T/p1.zip" --msgid r1 "$T/a.txt"
is "day 0: a package archived" 201 "$(post_package "$prod" "$T/p1.zip")"
unit=$(q "SELECT id FROM unit LIMIT 1")
stop
first=$(cert_sha "$DATA/tsa/tsa.pem")
cp "$DATA/tsa/tsa.pem" "$T/first.pem"
is "the certificate made at first start is journaled (old: null)" \
    "created null null $first 2031-01-31T00:00:00Z" "$(last_change)"
is "once" 1 "$(changes)"
FAKE_DATE="2031-01-01 01:00:00"
like "the journal holds" "journal: OK" "$(admin journal verify)"
# Copies for the scenarios where the renewal is missed or interrupted.
cp -a "$DATA" "$T/day0"

FAKE_DATE="2031-01-15 00:00:00"
restart
is "day 14: a restart journals it no more, renews nothing" "1 $first" \
    "$(changes) $(cert_sha "$DATA/tsa/tsa.pem")"

# Day 25: 6 days before it expires, renewed at start.
FAKE_DATE="2031-01-26 00:00:00"
start_saed
"$MK" "$T/p2.zip" --msgid r2 "$T/a.txt"
is "day 25: a package archived" 201 "$(post_package "$prod" "$T/p2.zip")"
stop
second=$(cert_sha "$DATA/tsa/tsa.pem")
[ "$second" != "$first" ] && ok "a new TSA certificate" ||
    not_ok "a new TSA certificate" "still $first"
is "the renewal is journaled: old and new, with their ends" \
    "renewed $first 2031-01-31T00:00:00Z $second 2031-02-25T00:00:00Z" \
    "$(last_change)"
check "the old certificate is kept in tsa/old/" \
    cmp "$T/first.pem" "$(ls "$DATA"/tsa/old/tsa-*.pem)"
is "the new key is private" 600 "$(stat -c %a "$DATA/tsa/tsa.key")"
check "the new certificate is issued by the same CA, for time-stamping" \
    fake "$FAKE_DATE" openssl verify -purpose timestampsign \
    -CAfile "$DATA/tsa/ca.pem" "$DATA/tsa/tsa.pem"
cseq=$(q "SELECT max(seq) FROM journal WHERE type = 'TSA_CERT_CHANGE'")
seal=$(seal_of "$cseq")
check "sealed at once: the seal over the change is signed by the new certificate" \
    signed_by "$T/s.tsr" "$DATA/tsa/tsa.pem"
like "and made at the renewal, before the old certificate expired" \
    "Time stamp: Jan 26 00:00:0[0-9]" \
    "$(openssl ts -reply -in "$T/s.tsr" -text 2>&1)"
FAKE_DATE="2031-01-26 01:00:00"
like "the journal holds" "journal: OK" "$(admin journal verify)"

# Day 40: the first certificate has expired.
FAKE_DATE="2031-02-10 00:00:00"
q "SELECT writefile('$T/s1.tsr', tsr), root FROM seal WHERE seq = 1" |
    cut -d'|' -f2 > "$T/s1.root"
if fake "$FAKE_DATE" openssl ts -verify -digest "$(cat "$T/s1.root")" \
    -in "$T/s1.tsr" -CAfile "$DATA/tsa/ca.pem" > /dev/null 2>&1; then
	not_ok "day 40: the first seal's token no longer checks alone"
else
	ok "day 40: the first seal's token no longer checks alone"
fi
check "but it did when the renewing seal was made (-attime)" \
    fake "$FAKE_DATE" openssl ts -verify -digest "$(cat "$T/s1.root")" \
    -in "$T/s1.tsr" -CAfile "$DATA/tsa/ca.pem" \
    -attime "$(epoch "2031-01-26 00:00:00")"
out=$(admin journal verify 2>&1)
like "journal verify accepts the seals the renewal covers" "journal: OK" "$out"
# An auditor's proof for the unit of day 0, sealed by the expired
# certificate.  The bundle does not carry the renewal (the chain of later
# seals): sae-verify says what expired, that the token held at its date,
# and where the renewal is checked.
out=$(admin proof "$unit" -o "$T/proof40.zip" 2>&1)
is "day 40: a proof of the day-0 unit is made" 0 "$?"
out=$(fake "$FAKE_DATE" "$SAE_BUILDDIR/admin/sae-verify" "$T/proof40.zip" 2>&1)
like "sae-verify names the expired certificate and the token's good date" \
    "sceau 1 .*a expiré le 2031-01-31T00:00:00Z ; le jeton tenait à sa date \(2031-01-01" \
    "$(printf '%s' "$out" | tr '\n' ' ')"
start_saed
"$MK" "$T/p3.zip" --msgid r3 "$T/a.txt"
is "day 40: a package archived" 201 "$(post_package "$prod" "$T/p3.zip")"
stop
is "nothing renewed: the new certificate is not due" 2 "$(changes)"
like "the journal holds" "journal: OK" "$(admin journal verify)"

# Day 41 to 47, saed running: its daily check renews the certificate
# (due on day 45), up to the CA's end (day 60).
echo "@2031-02-11 00:00:00" > "$T/clock"
FAKE_DATE=	# the clock file instead: FAKETIME would override it
start_saed LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$T/clock" \
    FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
sleep 1
echo "@2031-02-17 00:00:00" > "$T/clock"
for _ in $(seq 1 60); do
	[ "$(changes)" -ge 3 ] && break
	sleep 0.5
done
stop
FAKE_DATE="2031-02-17 00:00:00"
third=$(cert_sha "$DATA/tsa/tsa.pem")
is "day 47: renewed by the daily check while saed runs, never beyond the CA" \
    "renewed $second 2031-02-25T00:00:00Z $third 2031-03-02T00:00:00Z" \
    "$(last_change)"
cseq=$(q "SELECT max(seq) FROM journal WHERE type = 'TSA_CERT_CHANGE'")
seal=$(seal_of "$cseq")
check "and sealed at once by the new certificate" \
    signed_by "$T/s.tsr" "$DATA/tsa/tsa.pem"
is "both old certificates are kept" 2 "$(ls "$DATA"/tsa/old | wc -l)"

# Day 52: due again, but the CA ends first: no renewal, a warning.
FAKE_DATE="2031-02-22 00:00:00"
restart
is "day 52: not renewed again (the CA ends first)" 3 "$(changes)"
like "saed says why" "cannot be renewed beyond its CA" "$(cat "$LOG")"
like "and warns that the CA itself expires" "tsa CA certificate expires=2031-03-02" \
    "$(cat "$LOG")"
out=$(admin status)
like "sae-admin status shows both ends and the CA warning" \
    "TSA certificate  $third, valid until 2031-03-02T00:00:00Z.*CA certificate.*WARNING: the CA certificate expires" \
    "$(printf '%s' "$out" | tr '\n' ' ')"
like "the journal holds" "journal: OK" "$(admin journal verify)"

# Missed: saed did not run between day 0 and day 40.
DATA="$T/lapsed"; cp -a "$T/day0" "$DATA"
FAKE_DATE="2031-02-10 00:00:00"
out=$(admin journal verify 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "unrenewed: journal verify fails" ||
    not_ok "unrenewed: journal verify fails" "$out"
last=$(q "SELECT max(seq) FROM seal")
like "naming the last seal and the expired certificate" \
    "NOT OK at seal $last: .*made by a TSA certificate that expired on 2031-01-31T00:00:00Z, and no later seal renews it" \
    "$out"
like "sae-admin status says the TSA certificate expired" \
    "WARNING: the TSA certificate has expired" "$(admin status)"
out=$(admin proof "$unit" -o "$T/proof.zip" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "nothing is time-stamped by an expired certificate" ||
    not_ok "nothing is time-stamped by an expired certificate" "$out"
like "and it says so" "the TSA certificate expired on 2031-01-31" "$out"
restart
is "a late renewal is made and journaled" "renewed $first" \
    "$(last_change | cut -d' ' -f1,2)"
out=$(admin journal verify 2>&1)
like "but journal verify names the lapse" \
    "NOT OK at seal $last: .*expired on 2031-01-31T00:00:00Z, before seal $((last + 1)) renewed it \(made on 2031-02-10" \
    "$out"

# A crash at each step of a renewal (debug builds).
if "$SAED" --version | grep -q 'crash points enabled'; then
	for point in tsa-renew-before-swap tsa-renew-key-swapped \
	    tsa-renew-before-journal; do
		DATA="$T/crash-$point"; cp -a "$T/day0" "$DATA"
		FAKE_DATE="2031-01-26 00:00:00"
		fake "$FAKE_DATE" env SAE_CRASHPOINT="$point" "$SAED" \
		    --data "$DATA" --config "$CONF" --listen 127.0.0.1:0 \
		    > /dev/null 2>> "$LOG"
		rc=$?
		[ "$rc" -ne 0 ] && ok "$point: saed died renewing" ||
		    not_ok "$point: saed died renewing" "exit $rc"
		restart
		now=$(cert_sha "$DATA/tsa/tsa.pem")
		is "$point: after a restart, one new certificate, journaled" \
		    "2 $now" "$(changes) $(last_change | cut -d' ' -f4)"
		like "$point: replacing the first" "^(renewed|changed) $first 2031-01-31" \
		    "$(last_change)"
		is "$point: nothing half-done is left" "0 1" \
		    "$(ls "$DATA"/tsa/*.new 2>/dev/null | wc -l) $(ls "$DATA"/tsa/old | wc -l)"
		FAKE_DATE="2031-02-10 00:00:00"
		like "$point: the journal holds after the first certificate expired" \
		    "journal: OK" "$(admin journal verify 2>&1)"
	done
fi
done_testing
