# flushbench report BASE NEW on synthetic stores with known answers
# (build/tests/fb-mkdb): two rows made 30% slower are the two (R) of the
# verdict, named there, red in the HTML; one row 30% faster is the one
# (I); one run a side leaves every row not testable; a workload missing
# from NEW is on one side only. report_check.py holds each report to
# `compare --format csv` of the same sets (counts, cells, order, Result
# Class, plots, environment, valid HTML5). Bad input exits 2; the store
# is never written.
. "$TOP/tests/lib.sh"
MKDB="$FB_TESTS/fb-mkdb"
DB="$T/r.db"
CHECK="$TOP/tests/analysis/report_check.py"
[ -x "$MKDB" ] || { fail "fb-mkdb built" "missing $MKDB (make test-progs)"; done_testing; exit 0; }

env="--env kernel.preempt=voluntary --env virt=native --env cpu.model=Synthetic-CPU"
base="$env --env kernel.release=6.1.0"
runs="--runs 4 --samples 10 --run-cv 2"
"$MKDB" "$DB" A --seed 1 $base $runs &&
"$MKDB" "$DB" B --seed 2 $base $runs &&
"$MKDB" "$DB" S --seed 3 $env --env kernel.release=6.8.0 $runs \
	--slow "fork/rss=0 threads=0=1.3" --slow "munmap/size=2M threads=0=1.3" &&
"$MKDB" "$DB" F --seed 4 $base $runs --slow "mprotect/npages=1 threads=0=0.7" &&
"$MKDB" "$DB" ONE1 --seed 5 $base --samples 10 --run-cv 2 &&
"$MKDB" "$DB" ONE2 --seed 6 $base --samples 10 --run-cv 2 &&
"$MKDB" "$DB" P --seed 7 $base $runs --skip munmap ||
	{ fail "synthetic database" "fb-mkdb failed"; done_testing; exit 0; }
sum0=$(sha256sum < "$DB")

# html5lib is Debian's python3-html5lib (deps/test.pkgs): the python
# that has it, which may not be the first python3 on PATH
py=""
for p in python3 /usr/bin/python3; do
	"$p" -c 'import html5lib' 2>/dev/null && { py=$p; break; }
done
html=--html
[ -n "$py" ] || { py=python3; html=""; }

# report BASE NEW into $T/NAME, checked against compare's csv
report() {
	local name=$1 a=$2 b=$3
	shift 3
	expect_exit 0 "report $a $b" "$FB" report --db "$DB" -o "$T/$name" "$a" "$b"
	"$FB" compare --db "$DB" --format csv "$a" "$b" > "$T/$name.csv" 2>/dev/null
	tap_run "$a $b: " "$py" "$CHECK" "$T/$name" "$T/$name.csv" $html "$@"
}
[ -n "$html" ] || fail "report.html validated" "python3-html5lib is missing: make test installs it (deps/test.pkgs)"

# --- two rows 30% slower, and the kernel differs ---
report slow A S --differ kernel.release --same cpu.model --same virt
md="$T/slow/report.md" page="$T/slow/report.html"
verdict=$(sed -n 3p "$md")
grep -q '\*\*0 improved\*\*, \*\*2 regressed\*\* (fork rss=0, munmap size=2M threads=0), 4 unmarked: no change seen above its MDE' <<< "$verdict" &&
	pass "verdict: 0 improved, the 2 slowed rows regressed and named, 4 unmarked" ||
	fail "verdict: 0 improved, the 2 slowed rows regressed and named, 4 unmarked" "$verdict"
grep -q '^| fork | rss=0 (time/op) | (R) -' "$md" && grep -q '^| munmap | size=2M threads=0 (time/op) | (R) -' "$md" &&
	pass "seed table: the short Result Class, the slowed rows (R)" ||
	fail "seed table: the short Result Class, the slowed rows (R)" "$(grep -m3 '^| fork\|^| munmap' "$md")"
grep -q '<tr class="R"><td>fork</td><td>rss=0 (time/op)</td><td class="num R">(R) -' "$page" &&
	pass "report.html: the (R) row has class R" ||
	fail "report.html: the (R) row has class R" "$(grep -m1 '>fork<' "$page")"
grep -q 'cpu.model=Synthetic-CPU' "$md" && ! grep -q '^| cpu.model' "$md" &&
	pass "report.md: a key the same on both sides is listed compactly" ||
	fail "report.md: a key the same on both sides is listed compactly" "$(grep -m2 cpu.model "$md")"
# the compact list and the table reach the report only: nothing of the
# environment comes before the results
first=$(grep -n 'kernel.release\|cpu.model' "$md" | head -1 | cut -d: -f1)
[ "${first:-0}" -gt "$(grep -n '^## Environment' "$md" | cut -d: -f1)" ] &&
	pass "report.md: no environment key before the Environment section" ||
	fail "report.md: no environment key before the Environment section" "line $first"

# --- one row 30% faster; A/A ---
report fast A F --same kernel.release
grep -q '\*\*1 improved\*\* (mprotect npages=1 threads=0), \*\*0 regressed\*\*' "$T/fast/report.md" &&
	pass "verdict: the faster row is the one improved" ||
	fail "verdict: the faster row is the one improved" "$(sed -n 3p "$T/fast/report.md")"
report aa A B
grep -q '\*\*0 improved\*\*, \*\*0 regressed\*\*, 6 unmarked' "$T/aa/report.md" &&
	pass "verdict A/A: nothing marked" || fail "verdict A/A: nothing marked" "$(sed -n 3p "$T/aa/report.md")"
grep -q 'No configuration key differs' "$T/aa/report.md" && pass "A/A: no key differs" ||
	fail "A/A: no key differs" "$(sed -n '/## Environment/,+3p' "$T/aa/report.md")"

# --- not testable; on one side only ---
report one ONE1 ONE2
grep -q ', 6 not testable (1 run per side)\. ' "$T/one/report.md" && grep -q '| n/t (1 run per side) |$' "$T/one/report.md" &&
	pass "one run a side: 6 not testable, and why" ||
	fail "one run a side: 6 not testable, and why" "$(sed -n 3p "$T/one/report.md")"
report part A P
grep -q ', 2 only in BASE or only in NEW\. ' "$T/part/report.md" && grep -q '^| munmap | .* | n/t (only in BASE) |$' "$T/part/report.md" &&
	pass "a workload missing from NEW: on one side only" ||
	fail "a workload missing from NEW: on one side only" "$(sed -n 3p "$T/part/report.md")"

# --- bad input, help, read-only ---
expect_exit 2 "report without -o" "$FB" report --db "$DB" A S
expect_exit 2 "report of one set" "$FB" report --db "$DB" -o "$T/x" A
expect_exit 2 "report of an unknown label" "$FB" report --db "$DB" -o "$T/x" A nosuch
out=$("$FB" report --db "$DB" -o "$T/x" A nosuch 2>&1)
grep -q '^flushbench report: .*nosuch' <<< "$out" && pass "the message names the label" ||
	fail "the message names the label" "$out"
expect_exit 2 "report of a missing database" "$FB" report --db "$T/none.db" -o "$T/x" A S
"$FB" report --help 2>&1 | grep -q 'verdict' && pass "report --help says the verdict comes first" ||
	fail "report --help says the verdict comes first" "$("$FB" report --help 2>&1 | head -3)"
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "database unchanged by report" ||
	fail "database unchanged by report" "checksum changed"
done_testing
