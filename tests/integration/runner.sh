# The counting of tests/run.sh (tests/runner.inc) and of tap_run
# (tests/lib.sh) on small fake producers: one that dies after its first
# result, one that reports fewer or more results than its plan, one with no
# plan, one silent, one that exits non-zero with all ok: each is a failure;
# good ones (plan first, plan last, several cmocka groups, a skip) are not.
. "$TOP/tests/lib.sh"
. "$TOP/tests/runner.inc"
# counts CASE SCRIPT: "passed failed skipped" of run_one on the script
counts() {
	printf '%s\n' "$2" > "$T/$1.sh"
	(passed=0 failed=0 skipped=0
	 run_one "$1" "${limit:-20}" bash "$T/$1.sh" > "$T/$1.out"
	 echo "$passed $failed $skipped")
}
# want CASE SCRIPT "P F S" WHY: run_one counts P passed, F failed, S skipped
want() {
	local got
	got=$(counts "$1" "$2")
	[ "$got" = "$3" ] && pass "run_one, $1: $3 ($4)" ||
		fail "run_one, $1: $3 ($4)" "got '$got': $(grep 'not ok' "$T/$1.out" | tr '\n' ' ')"
}
want dies-after-first 'echo "ok - a"; exit 0; echo "ok - b"; echo 1..2' \
	"1 1 0" "no plan: it stopped early"
want dies-plan-first 'echo 1..3; echo "ok - a"; kill -9 $$' "1 1 0" "killed, exit 137"
want short-plan 'echo 1..3; echo "ok - a"; echo "ok - b"' "2 1 0" "2 of 3"
want long-plan 'echo "ok - a"; echo "ok - b"; echo 1..1' "2 1 0" "2 for 1"
want no-plan 'echo "ok - a"; echo "ok - b"' "2 1 0" "no plan"
want silent 'true' "0 1 0" "no result"
want plan-only 'echo 1..0' "0 1 0" "no result"
want exit-1-all-ok 'echo "ok - a"; echo 1..1; exit 1' "1 1 0" "non-zero exit"
limit=2 want timeout 'echo "ok - a"; sleep 60; echo 1..1' "1 1 0" "timed out"
want one-failure 'echo "not ok - a # why"; echo "ok - b"; echo 1..2; exit 1' \
	"1 1 0" "its own failure, counted once"
want "skip is no failure" 'echo 1..3; echo "ok - a # SKIP why"; echo "not ok 2 # SKIP cmocka"; echo "ok - b"' \
	"1 0 2" "good"
want plan-last 'echo "ok - a"; echo "ok - b"; echo 1..2' "2 0 0" "good"
want cmocka-groups 'printf "1..2\nok 1 - a\nok 2 - b\n# ok - g1\n1..1\nok 1 - c\n"' \
	"3 0 0" "two groups, plans add up"
want lib.sh ". $TOP/tests/lib.sh; pass a; skip b why; fail c why; done_testing" \
	"1 1 1" "pass, skip, fail and done_testing"
# tap_run: the same rules for a program whose results a script relays
# relay NAME SCRIPT: "results failures" tap_run PREFIX bash SCRIPT reports
relay() {
	printf '%s\n' "$2" > "$T/$1.sh"
	(_tap_n=0; tap_run "x: " bash "$T/$1.sh" > "$T/$1.out"
	 echo "$_tap_n $(grep -c '^not ok' "$T/$1.out")")
}
# (a bad program: its results and one failure more)
for c in "short|echo 1..3; echo ok 1 - a|2 1" "none|echo 'ok - a'|2 1" \
	 "silent|true|1 1" "exit|echo 1..1; echo 'ok - a'; exit 3|2 1" \
	 "good|echo 'ok 1 - a'; echo 'not ok 2 - b'; echo 1..2; exit 1|2 1"; do
	IFS='|' read -r name body w <<< "$c"
	got=$(relay "$name" "$body")
	[ "$got" = "$w" ] && pass "tap_run, $name: $w (results, failures)" ||
		fail "tap_run, $name: $w" "got '$got': $(tr '\n' ' ' < "$T/$name.out")"
done
# the recap tests/run.sh prints before its summary: every failure, once
recap=$( (passed=0 failed=0 skipped=0 failures=
	 run_one r1 20 bash "$T/one-failure.sh" > /dev/null
	 run_one r2 20 bash "$T/silent.sh" > /dev/null
	 run_one r3 20 bash "$T/plan-last.sh" > /dev/null
	 printf '%s' "$failures") )
want_recap=$'  r1: not ok - a # why\n  r2: not ok - reported no test'
[ "$recap" = "$want_recap" ] && pass "the failures recap names each failure once, and no pass" ||
	fail "the failures recap names each failure once, and no pass" "got '$recap'"
grep -qx 'not ok - x: b' "$T/good.out" && pass "tap_run prefixes the relayed names" ||
	fail "tap_run prefixes the relayed names" "$(tr '\n' ' ' < "$T/good.out")"
done_testing
