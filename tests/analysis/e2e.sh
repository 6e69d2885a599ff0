# End to end with real runs of configs/quick.yaml (its own samples, ns/op
# and the workloads' primary metrics, counters included): labels A and B
# are the same suite (A/A), C adds extra_work_ns on the munmap job (a
# known amount of real work per op, 3 ms: several times what munmap costs
# even on a loaded host, where a munmap op of quick.yaml took 750 us with
# a TCG guest beside it and 300 us of extra work was a 28% change that 3
# runs a side at alpha 0.001 could not mark).
# Invocations are the unit of inference, so each label gets 3, and the
# three labels' invocations alternate (A B C A B C ...): drift of this
# shared host over the minutes of the test then lands in every label's
# variance instead of between the labels (Abedi & Brecht's interleaved
# trials). Each invocation is `run --repeat 1`: one run, every job in a
# fresh process, as --repeat does.
#
# Checked: A/A marks no row and `ci --allow-inconclusive` passes it; at
# --max-regression 1 the quick design cannot see 1% and ci says so (exit
# 3); against C, munmap is (R) and the only mark, ci exits 1 naming it,
# its JUnit parses; every row of every metric is self-consistent; quick.yaml
# as it is (one --repeat 3 invocation a side, no calibration) marks
# nothing and ci exits 3 saying what is missing; the store is not written. The A/A and "only munmap" checks run at --alpha
# 0.001: a method that holds its level then has a 0.1% chance of a false
# mark (the Monte Carlo test checks the 5% level), which keeps this test
# from flaking while a method that pools samples (it marked 12 of 15 A/A
# pairs on this host) still fails it.
. "$TOP/tests/lib.sh"
DB="$T/r.db"
cp "$TOP/configs/quick.yaml" "$T/aa.yaml"
awk '{ print } /^  - workload: munmap$/ { print "    extra_work_ns: 30000000" }' \
	"$T/aa.yaml" > "$T/slow.yaml"
if cmp -s "$T/aa.yaml" "$T/slow.yaml"; then
	fail "e2e: derive the configs" "configs/quick.yaml no longer has a munmap job"
	done_testing; exit 0
fi
for round in 1 2 3; do
	for run in A:aa B:aa C:slow; do
		if ! "$FB" run -q --repeat 1 -c "$T/${run#*:}.yaml" --db "$DB" \
			--label "${run%:*}" >"$T/run.out" 2>&1; then
			fail "e2e: run ${run%:*} (round $round)" "$(tail -3 "$T/run.out")"
			done_testing; exit 0
		fi
	done
done
pass "e2e: A, B and C (extra_work_ns on munmap), 3 interleaved runs each"
sum0=$(sha256sum < "$DB")
opts="--db $DB --alpha 0.001"

marks() {
	"$FB" compare $opts --format csv "$@" 2>/dev/null |
		python3 -c 'import csv,sys
for r in csv.DictReader(sys.stdin):
    if r["mark"] and r["role"] == "primary": print("%s|%s" % (r["workload"], r["mark"]))'
}
# for the log, should anything fail
"$FB" compare $opts --brief A B >&2
"$FB" compare $opts --brief A C >&2

out=$(marks A B)
[ -z "$out" ] && pass "e2e A/A (3 runs a side): no row marked" || fail "e2e A/A (3 runs a side): no row marked" "$(echo $out)"
expect_exit 0 "e2e ci A/A --allow-inconclusive: passes" \
	"$FB" ci $opts --baseline A --candidate B --allow-inconclusive
expect_exit 3 "e2e ci A/A at --max-regression 1: this design cannot see 1% (exit 3)" \
	"$FB" ci $opts --baseline A --candidate B --max-regression 1
out=$(marks A C)
[ "$out" = "munmap|R" ] && pass "e2e: extra work on munmap gives (R) there, and only there" \
	|| fail "e2e: extra work on munmap gives (R) there, and only there" "$(echo $out)"
"$FB" ci $opts --baseline A --candidate C --junit "$T/j.xml" >/dev/null 2>"$T/ci.err"
rc=$?
[ $rc = 1 ] && grep -q '^  munmap ' "$T/ci.err" && pass "e2e ci: regressed pair fails (exit 1), naming munmap" \
	|| fail "e2e ci: regressed pair fails (exit 1), naming munmap" "exit $rc: $(tail -3 "$T/ci.err")"
check "e2e JUnit parses, munmap is a failed case" python3 -c '
import sys, xml.dom.minidom as m
cases=m.parse(sys.argv[1]).getElementsByTagName("testcase")
bad=[c.getAttribute("classname") for c in cases if c.getElementsByTagName("failure")]
assert bad == ["flushbench.munmap"], bad
' "$T/j.xml"
# every metric, counters per op included (many are 0 or nearly)
for pair in "A B" "A C" "B C"; do
	check "e2e compare $pair, every metric: the numbers of each row agree" \
		python3 "$TOP/tests/analysis/consistent.py" 5 \
		< <("$FB" compare --db "$DB" --format json $pair 2>/dev/null)
done
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "e2e: database unchanged by compare/ci" \
	|| fail "e2e: database unchanged by compare/ci" "checksum changed"
# quick.yaml as it is (repeat: 3), once per side: one invocation a side
# shows no variance between invocations, and without a calibration
# nothing may be concluded: shown, unmarked, and ci says what is missing
for l in Q1 Q2; do
	"$FB" run -q -c "$T/aa.yaml" --db "$DB" --label $l >"$T/run.out" 2>&1 ||
		fail "e2e: run $l (quick.yaml, repeat: 3)" "$(tail -3 "$T/run.out")"
done
out=$("$FB" compare --db "$DB" --format csv Q1 Q2 2>/dev/null | python3 -c 'import csv,sys
rows=[r for r in csv.DictReader(sys.stdin) if r["role"]=="primary"]
print(len(rows), sum(1 for r in rows if r["mark"]), sum(1 for r in rows if r["untested"].startswith("1 invocation per side")))')
set -- $out
[ "${1:-0}" -ge 5 ] && [ "$2" = 0 ] && [ "$3" = "$1" ] &&
	pass "e2e: one --repeat 3 invocation a side: $1 rows shown, none marked, each says the variance between invocations is unknown" ||
	fail "e2e: one --repeat 3 invocation a side: none marked, each says why" "$out"
"$FB" ci --db "$DB" --baseline Q1 --candidate Q2 >/dev/null 2>"$T/ciq.err"
rc=$?
[ $rc = 3 ] && grep -q "flushbench calibrate" "$T/ciq.err" &&
	pass "e2e ci, one invocation a side: inconclusive (exit 3), naming what would decide" ||
	fail "e2e ci, one invocation a side: inconclusive (exit 3)" "exit $rc: $(tail -3 "$T/ciq.err")"
sum0=$(sha256sum < "$DB")
expect_exit 0 "e2e report" "$FB" report $opts -o "$T/rep" A C
[ -s "$T/rep/report.html" ] && [ -s "$T/rep/change.png" ] && pass "e2e report written" \
	|| fail "e2e report written" "$(ls "$T/rep" 2>&1)"
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "e2e: database unchanged by compare/ci/report" \
	|| fail "e2e: database unchanged by compare/ci/report" "checksum changed"
done_testing
