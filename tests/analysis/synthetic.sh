# compare / ci / calibrate / plot / report on a synthetic database written
# through the store API (build/tests/fb-mkdb: seeded lognormal samples, CV
# 1%, 20 per row): A/A marks nothing, a 5% slower row gets (R) there and
# only there, ci exits 0/1/2, JUnit parses, plots are real PNG/SVG files,
# bad input exits 2, and the database is never modified. With counters
# that are mostly 0 (--sparse), every row's improvement, interval and p
# agree (consistent.py).
. "$TOP/tests/lib.sh"
MKDB="$TOP/build/tests/fb-mkdb"
DB="$T/r.db"
[ -x "$MKDB" ] || { fail "fb-mkdb built" "missing $MKDB (make test-progs)"; exit 0; }

same="--env kernel.release=6.1.0 --env virt=native --env kernel.preempt=voluntary"
"$MKDB" "$DB" A --seed 1 $same &&
"$MKDB" "$DB" B --seed 2 $same &&
"$MKDB" "$DB" R --seed 3 $same --slow "fork/rss=0 threads=0=1.05" &&
"$MKDB" "$DB" I --seed 4 $same --slow "munmap/size=2M threads=0=0.95" &&
"$MKDB" "$DB" K --seed 5 --env kernel.release=6.8.0 --env virt=kvm \
	--env kernel.preempt=full --env kernel.cmdline="quiet nosmt" &&
"$MKDB" "$DB" P --seed 6 $same --skip munmap &&
"$MKDB" "$DB" M --seed 7 $same --runs 3 --samples 10 &&
"$MKDB" "$DB" E --seed 8 $same --status fail &&
"$MKDB" "$DB" U --seed 11 $same --skip fork --skip mprotect &&
"$MKDB" "$DB" RA --seed 1 $same --runs 3 --samples 10 --run-cv 3 &&
"$MKDB" "$DB" RB --seed 2 $same --runs 3 --samples 10 --run-cv 3 &&
"$MKDB" "$DB" RA5 --seed 11 $same --runs 5 --samples 10 --run-cv 3 &&
"$MKDB" "$DB" RS5 --seed 13 $same --runs 5 --samples 10 --run-cv 3 --slow "fork/rss=0 threads=0=1.2" &&
"$MKDB" "$DB" BIGA --seed 21 $same --copies 8 --samples 8 &&
"$MKDB" "$DB" BIGR --seed 22 $same --copies 8 --samples 8 --slow "mprotect/npages=1 threads=0=1.1" &&
"$MKDB" "$DB" Z1 --seed 31 $same --sparse 1.5 --runs 2 --samples 10 &&
"$MKDB" "$DB" Z2 --seed 32 $same --sparse 1.5 --runs 2 --samples 10 \
	--slow "munmap/size=2M threads=0=0.5" &&
"$MKDB" "$DB" Z5 --seed 35 $same --sparse 1.5 --runs 2 --samples 10 &&
"$MKDB" "$DB" Z3 --seed 33 $same --sparse 3 --samples 12 &&
"$MKDB" "$DB" Z4 --seed 34 $same --sparse 1 --samples 12 &&
"$MKDB" "$DB" X --seed 9 $same &&
"$MKDB" "$DB" X --seed 10 --env kernel.release=6.1.1 --env virt=native --env kernel.preempt=voluntary ||
	{ fail "synthetic database" "fb-mkdb failed"; exit 0; }
sum0=$(sha256sum < "$DB")

# marks: column "mark" of the CSV, as "workload|params|metric|mark" lines
marks() {
	"$FB" compare --db "$DB" --format csv "$@" 2>/dev/null |
		python3 -c 'import csv,sys
for r in csv.DictReader(sys.stdin):
    if r["mark"]: print("%s|%s|%s|%s" % (r["workload"], r["params"], r["metric"], r["mark"]))'
}

# --- A/A ---
out=$(marks A B)
[ -z "$out" ] && pass "A/A: no row marked" || fail "A/A: no row marked" "$out"
out=$("$FB" compare --db "$DB" A B 2>&1)
grep -q '(I)\|(R)' <<< "$(grep '^|' <<< "$out")" && fail "A/A rst has no mark" "$out" || pass "A/A rst has no mark"
grep -q "Configuration: identical" <<< "$out" && pass "A/A header: identical configuration" \
	|| fail "A/A header: identical configuration" "$(head -5 <<< "$out")"

# --- a 5% regression on one row ---
out=$(marks A R)
want="fork|rss=0 threads=0|ns_per_op|R
fork|rss=0 threads=0|ops_per_sec|R
fork|rss=0 threads=0|p99_latency|R"
[ "$out" = "$want" ] && pass "5% slower fork rss=0: (R) there and only there" \
	|| fail "5% slower fork rss=0: (R) there and only there" "$(echo $out)"
out=$(marks A I)
[ "$(cut -d'|' -f1,2,4 <<< "$out" | sort -u)" = "munmap|size=2M threads=0|I" ] &&
	pass "5% faster munmap 2M: (I) there and only there" ||
	fail "5% faster munmap 2M: (I) there and only there" "$(echo $out)"
out=$(marks A R --min-effect 10)
[ -z "$out" ] && pass "--min-effect 10: a significant 5% change is not marked" \
	|| fail "--min-effect 10: a significant 5% change is not marked" "$out"
out=$("$FB" compare --db "$DB" --brief A R 2>/dev/null)
grep -q '^| fork .*| *(R) -4\.[0-9]*% |$' <<< "$out" && pass "rst --brief: seed layout with (R)" \
	|| fail "rst --brief: seed layout with (R)" "$(head -12 <<< "$out" | tail -4)"
[ "$(grep -c '^+=' <<< "$out")" = 1 ] && grep -q '^| Benchmark *| Result Class *| *Improvement |$' <<< "$out" \
	&& pass "rst grid table header" || fail "rst grid table header" "$(grep -m3 '^[|+]' <<< "$out")"
[ "$(grep -c 'geometric mean' <<< "$out")" = 3 ] && pass "one geometric-mean row per workload" \
	|| fail "one geometric-mean row per workload" "$(grep -c 'geometric mean' <<< "$out")"
if python3 -c 'import docutils' 2>/dev/null; then
	for args in "A R" "--brief A R" "A P"; do
		check "rst is valid reStructuredText (docutils): compare $args" python3 -c '
import docutils.core,sys
t=sys.stdin.read(); t=t[t.index("+-"):]
docutils.core.publish_string(t, writer_name="null", settings_overrides={"report_level": 2, "halt_level": 2})
' < <("$FB" compare --db "$DB" $args 2>/dev/null)
	done
else
	skip "rst is valid reStructuredText (docutils)" "python3-docutils is not installed"
fi
out=$("$FB" compare --db "$DB" --bootstrap 500 --ci bootstrap --format csv A R 2>/dev/null | grep -c ',R,')
[ "$out" = 3 ] && pass "--ci bootstrap: same three (R) rows" || fail "--ci bootstrap: same three (R) rows" "$out"

a=$("$FB" compare --db "$DB" --ci bootstrap --bootstrap 300 --seed 7 --format csv A R 2>/dev/null)
b=$("$FB" compare --db "$DB" --ci bootstrap --bootstrap 300 --seed 7 --format csv A R 2>/dev/null)
c=$("$FB" compare --db "$DB" --ci bootstrap --bootstrap 300 --seed 8 --format csv A R 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ] && pass "bootstrap: same seed, same table; another seed, other intervals" \
	|| fail "bootstrap: same seed, same table; another seed, other intervals" "seeded output not reproducible"
out=$(marks A R --alpha 1e-12)
[ -z "$out" ] && pass "--alpha 1e-12: nothing is significant enough" || fail "--alpha 1e-12: nothing is significant enough" "$out"
out=$(marks A R --workload fork --metric ns_per_op)
[ "$out" = "fork|rss=0 threads=0|ns_per_op|R" ] && pass "--workload/--metric restrict the table" \
	|| fail "--workload/--metric restrict the table" "$out"
expect_exit 2 "bad --ci" "$FB" compare --db "$DB" --ci jackknife A B
expect_exit 2 "bad --alpha" "$FB" compare --db "$DB" --alpha 2 A B
expect_exit 2 "option without value" "$FB" compare --db "$DB" A B --seed
expect_exit 2 "--metric matching nothing" "$FB" compare --db "$DB" --metric nope A B

# --- several runs per label with run-to-run variance (3% between runs, 1% within) ---
out=$(marks RA RB --metric ns_per_op)
[ -z "$out" ] && pass "A/A over 3 runs each with run-to-run noise: no row marked" \
	|| fail "A/A over 3 runs each with run-to-run noise: no row marked" "$(echo $out)"
out=$(marks RA RB --metric ns_per_op --no-run-effect)
[ -n "$out" ] && pass "--no-run-effect: pooling as if independent marks noise (the correction matters)" \
	|| fail "--no-run-effect: pooling as if independent marks noise (the correction matters)" "no mark"
out=$(marks RA5 RS5 --metric ns_per_op)
[ "$out" = "fork|rss=0 threads=0|ns_per_op|R" ] && pass "20% slower over 5 runs each: (R) there and only there" \
	|| fail "20% slower over 5 runs each: (R) there and only there" "$(echo $out)"
check "design effect > 1 with several runs, 1 with one" python3 -c '
import json,subprocess,sys
def rows(a,b): return json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json",a,b],capture_output=True,text=True).stdout)["rows"]
assert all(r["design_effect"] > 2 and r["p"] >= r["p_pooled"] for r in rows("RA","RB") if r["metric"]=="ns_per_op")
assert all(r["design_effect"] == 1 for r in rows("A","B"))
' "$FB" "$DB"
out=$("$FB" calibrate --db "$DB" --metric ns_per_op --format json RA5 2>/dev/null)
check "calibrate: between-run share and an MDE that allows for it" python3 -c '
import json,sys
for r in json.loads(sys.argv[1])["rows"]:
    assert r["icc"] > 0.5 and r["run_to_run_cv_pct"] > 1, r
    assert r["mde_pct"] > 2 * r["within_run_cv_pct"], r
' "$out"

# a table of 192 rows (the row index grows past its first size)
out=$("$FB" compare --db "$DB" --format csv --metric ns_per_op BIGA BIGR 2>/dev/null)
[ "$(tail -n +2 <<< "$out" | wc -l)" = 48 ] && [ "$(grep -c ',both,' <<< "$out")" = 48 ] &&
	pass "192-row table: every row matched on both sides" ||
	fail "192-row table: every row matched on both sides" "$(tail -n +2 <<< "$out" | wc -l) rows"
out=$("$FB" compare --db "$DB" --format csv BIGA BIGR 2>/dev/null)
[ "$(tail -n +2 <<< "$out" | wc -l)" = 192 ] && pass "192 rows" || fail "192 rows" "$(wc -l <<< "$out")"
marked=$(marks BIGA BIGR | cut -d'|' -f1,2 | sort -u)
[ "$(grep -c '^mprotect|npages=1 threads=0' <<< "$marked")" = 8 ] && [ "$(wc -l <<< "$marked")" = 8 ] &&
	pass "192 rows, one job (and its 7 copies) 10% slower: (R) there only" ||
	fail "192 rows, one job (and its 7 copies) 10% slower: (R) there only" "$(echo $marked)"

# --- counts per op that are mostly 0 (irq:TLB/op), or 0 everywhere (irq:IWI/op) ---
# Improvement, interval and p of every row must agree (tests/analysis/consistent.py):
# the Hodges-Lehmann shift of such rows was once turned into a ratio and
# inverted, which put the improvement outside its own interval.
for pair in "Z1 Z2" "Z2 Z1" "Z3 Z4" "Z4 Z3" "Z1 Z3" "A R" "RA5 RS5"; do
	for ci in hl bootstrap; do
		check "compare $pair --ci $ci: every row's improvement inside its interval, agreeing with p" \
			python3 "$TOP/tests/analysis/consistent.py" 24 \
			< <("$FB" compare --db "$DB" --format json --ci $ci --bootstrap 300 $pair 2>/dev/null)
	done
done
out=$(marks Z1 Z5)
[ -z "$out" ] && pass "A/A with counters that are mostly 0: no row marked" \
	|| fail "A/A with counters that are mostly 0: no row marked" "$(echo $out)"
out=$(marks Z1 Z2 | cut -d'|' -f1,2 | sort -u)
[ "$out" = "munmap|size=2M threads=0" ] && pass "half the work and half the irq:TLB on munmap 2M: marked there only" \
	|| fail "half the work and half the irq:TLB on munmap 2M: marked there only" "$(echo $out)"
check "0 on both sides (irq:IWI/op): 0.00% [0.00%, 0.00%], p 1, unmarked" python3 -c '
import json,subprocess,sys
d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json","Z3","Z4"],capture_output=True,text=True).stdout)
rows=[r for r in d["rows"] if r["metric"]=="irq:IWI/op"]
assert len(rows)==6, len(rows)
for r in rows:
    assert r["improvement_pct"]==0 and r["improvement_ci_pct"]==[0,0] and r["change_pct"]==0, r
    assert r["p"]==1 and r["mark"]=="", r
' "$FB" "$DB"
check "irq:TLB/op 3 -> 1 events per 1000 ops: improved (lower is better), the other way round worse" python3 -c '
import json,subprocess,sys
def rows(a,b):
    d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json",a,b],capture_output=True,text=True).stdout)
    return [r for r in d["rows"] if r["metric"]=="irq:TLB/op"]
for a,b,s in (("Z3","Z4",1),("Z4","Z3",-1)):
    for r in rows(a,b):
        assert r["improvement_pct"]*s > 0 and r["change_pct"]*s < 0, r
        assert (r["base"]["median"]-r["new"]["median"])*s > 0, r
        lo,hi=r["improvement_ci_pct"]
        assert (lo >= 0 if s > 0 else hi <= 0), r
' "$FB" "$DB"

# --- formats ---
check "json parses, 24 rows, marks and geomean" python3 -c '
import json,subprocess,sys
d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json","A","R"],capture_output=True,text=True).stdout)
assert len(d["rows"])==24, len(d["rows"])
assert sum(r["mark"]=="R" for r in d["rows"])==3
assert len(d["geomean"])==3
r=[r for r in d["rows"] if r["metric"]=="ns_per_op" and r["mark"]][0]
assert r["ratio_ci"][0] <= r["ratio"] <= r["ratio_ci"][1] and 1.03 < r["ratio"] < 1.07, r
' "$FB" "$DB"
out=$("$FB" compare --db "$DB" --format md A R 2>/dev/null)
grep -q '^| Benchmark | Result Class | Improvement |' <<< "$out" && grep -q '\*\*(R) ' <<< "$out" \
	&& pass "md table with marks" || fail "md table with marks" "$(head -12 <<< "$out")"
[ "$("$FB" compare --db "$DB" --format csv A B 2>/dev/null | wc -l)" = 25 ] \
	&& pass "csv: header + 24 rows" || fail "csv: header + 24 rows" "wrong line count"

# --- configuration differences, one-side rows, noise floor ---
out=$("$FB" compare --db "$DB" A K 2>&1)
grep -q 'kernel.release: 6.1.0 -> 6.8.0' <<< "$out" && grep -q 'virt: native -> kvm' <<< "$out" &&
	grep -q 'kernel.preempt: voluntary -> full' <<< "$out" &&
	grep -q 'kernel.cmdline: (absent) -> quiet nosmt' <<< "$out" &&
	pass "header states each configuration difference" ||
	fail "header states each configuration difference" "$(head -8 <<< "$out")"
out=$("$FB" compare --db "$DB" A X 2>&1)
grep -q 'kernel.release: 6.1.0 -> 6.1.0 (differs between runs of one set too)' <<< "$out" &&
	pass "header says when the runs of one set differ" ||
	fail "header says when the runs of one set differ" "$(head -6 <<< "$out")"
out=$("$FB" compare --db "$DB" A P 2>/dev/null)
[ "$(grep -c '| only in BASE *|' <<< "$out")" = 8 ] && pass "rows on one side only are listed" \
	|| fail "rows on one side only are listed" "$(grep -c 'only in BASE' <<< "$out")"
out=$("$FB" compare --db "$DB" A B 2>&1 >/dev/null)
grep -q 'warning: --min-effect 1% is below the noise floor' <<< "$out" && pass "warns: --min-effect below noise floor" \
	|| fail "warns: --min-effect below noise floor" "$out"
out=$("$FB" compare --db "$DB" --min-effect 10 A B 2>&1 >/dev/null)
[ -z "$out" ] && pass "no floor warning at --min-effect 10" || fail "no floor warning at --min-effect 10" "$out"

# --- calibrate ---
out=$("$FB" calibrate --db "$DB" --format json M 2>/dev/null)
check "calibrate: 3 runs, run-to-run CV and MDE per row" python3 -c '
import json,sys
d=json.loads(sys.argv[1]); rows=d["rows"]
assert d["runs"]==3 and len(rows)==24
r=[r for r in rows if r["metric"]=="ns_per_op"][0]
assert r["n"]==30 and r["runs"]==3, r
assert r["run_to_run_cv_pct"] is not None and 0 < r["run_to_run_cv_pct"] < 2, r
assert 0.5 < r["within_run_cv_pct"] < 2 and 0.5 < r["mde_pct"] < 3, r
assert r["noise_floor_pct"] >= r["mde_pct"]
' "$out"
expect_exit 0 "calibrate rst" "$FB" calibrate --db "$DB" M
[ "$("$FB" calibrate --db "$DB" --format csv M 2>/dev/null | wc -l)" = 25 ] && pass "calibrate csv: header + 24 rows" \
	|| fail "calibrate csv: header + 24 rows" "wrong line count"
out=$("$FB" calibrate --db "$DB" --format md A 2>&1)
grep -q '^| Benchmark | Result Class | n (runs) |' <<< "$out" && grep -q "has 1 run" <<< "$out" &&
	pass "calibrate md; one run: says run-to-run needs two" ||
	fail "calibrate md; one run: says run-to-run needs two" "$(head -3 <<< "$out")"
for cmd in compare plot report ci calibrate; do
	expect_exit 0 "$cmd --help" "$FB" $cmd --help
done
expect_exit 0 "compare -o FILE" "$FB" compare --db "$DB" -o "$T/table.rst" A R
grep -q '(R)' "$T/table.rst" && pass "compare -o FILE holds the table" || fail "compare -o FILE holds the table" "no (R)"
expect_exit 2 "compare -o into a missing directory" "$FB" compare --db "$DB" -o "$T/no/such/dir" A R

# --- ci ---
expect_exit 0 "ci: A/A passes" "$FB" ci --db "$DB" --baseline A --candidate B
expect_exit 1 "ci: regressed pair fails" "$FB" ci --db "$DB" --baseline A --candidate R --junit "$T/j.xml"
expect_exit 0 "ci: improvement passes" "$FB" ci --db "$DB" --baseline A --candidate I
expect_exit 0 "ci: 5% regression under --max-regression 10 passes" \
	"$FB" ci --db "$DB" --baseline A --candidate R --max-regression 10
out=$("$FB" ci --db "$DB" --baseline A --candidate R 2>&1 >/dev/null)
grep -q 'fork rss=0 threads=0 ns_per_op' <<< "$out" && pass "ci lists the offending rows" \
	|| fail "ci lists the offending rows" "$out"
check "JUnit XML parses: 24 cases, 3 failures" python3 -c '
import sys, xml.dom.minidom as m
d=m.parse(sys.argv[1])
cases=d.getElementsByTagName("testcase")
bad=[c.getAttribute("name") for c in cases if c.getElementsByTagName("failure")]
assert len(cases)==24 and len(bad)==3, (len(cases), bad)
assert all(b.startswith("rss=0 threads=0") for b in bad), bad
' "$T/j.xml"
check "JUnit XML is well-formed (xmllint)" xmllint --noout "$T/j.xml"

# --- bad input: exit 2 ---
expect_exit 2 "unknown label" "$FB" compare --db "$DB" A nosuchlabel
expect_exit 2 "unknown run id" "$FB" compare --db "$DB" A '#999'
expect_exit 2 "empty set (no ok sample)" "$FB" compare --db "$DB" A E
expect_exit 2 "ci: unknown label" "$FB" ci --db "$DB" --baseline A --candidate nosuchlabel
expect_exit 2 "ci: empty set" "$FB" ci --db "$DB" --baseline E --candidate A
expect_exit 2 "no rows in common" "$FB" compare --db "$DB" U P
expect_exit 2 "ci: no rows in common" "$FB" ci --db "$DB" --baseline U --candidate P
expect_exit 2 "missing NEW" "$FB" compare --db "$DB" A
expect_exit 2 "bad --format" "$FB" compare --db "$DB" --format xml A B
expect_exit 2 "bad --min-effect" "$FB" compare --db "$DB" --min-effect lots A B
expect_exit 2 "ci without --candidate" "$FB" ci --db "$DB" --baseline A
expect_exit 2 "missing database" "$FB" compare --db "$T/none.db" A B
printf 'this is not a database, just text long enough to fill a header page.%.0s' $(seq 1 80) > "$T/corrupt.db"
expect_exit 2 "corrupt database" "$FB" compare --db "$T/corrupt.db" A B
expect_exit 2 "ci: corrupt database" "$FB" ci --db "$T/corrupt.db" --baseline A --candidate B
cp "$DB" "$T/v99.db"
if sqlite3 "$T/v99.db" "UPDATE meta SET value = '99' WHERE key = 'schema_version'" 2>/dev/null; then
	expect_exit 2 "database of another schema version" "$FB" compare --db "$T/v99.db" A B
	expect_exit 2 "ci: database of another schema version" "$FB" ci --db "$T/v99.db" --baseline A --candidate B
else
	skip "database of another schema version" "sqlite3 could not forge one"
fi
sqlite3 "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);" 2>/dev/null &&
	expect_exit 2 "a foreign SQLite database" "$FB" compare --db "$T/other.db" A B
out=$("$FB" compare --db "$DB" A nosuchlabel 2>&1)
grep -q "^flushbench compare: .*nosuchlabel" <<< "$out" && pass "message says which label" \
	|| fail "message says which label" "$out"

# --- plots and report ---
expect_exit 0 "plot A R" "$FB" plot --db "$DB" -o "$T/plots" A R
expect_exit 0 "plot --trend A B R I" "$FB" plot --db "$DB" --trend -o "$T/plots" A B R I
for f in change dist trend-ns_per_op; do
	png="$T/plots/$f.png" svg="$T/plots/$f.svg"
	if [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		pass "$f.png is a non-empty PNG"
	else
		fail "$f.png is a non-empty PNG" "$(ls -l "$png" 2>&1)"
	fi
	if [ -s "$svg" ] && xmllint --noout "$svg" 2>/dev/null && grep -q '<svg' "$svg"; then
		pass "$f.svg is a well-formed SVG"
	else
		fail "$f.svg is a well-formed SVG" "$(ls -l "$svg" 2>&1)"
	fi
	[ -f "$T/plots/$f.log" ] && [ ! -s "$T/plots/$f.log" ] && pass "gnuplot said nothing for $f" \
		|| fail "gnuplot said nothing for $f" "$(head -3 "$T/plots/$f.log" 2>&1)"
done
grep -q "rgb(215, *25, *28)" "$T/plots/change.svg" && pass "change plot draws (R) in red" \
	|| fail "change plot draws (R) in red" "no red series"
expect_exit 2 "plot without -o" "$FB" plot --db "$DB" A R
expect_exit 0 "report A K" "$FB" report --db "$DB" -o "$T/rep" A K
md="$T/rep/report.md" html="$T/rep/report.html"
grep -q '| ≠ | \*\*kernel.release\*\* | \*\*6.1.0\*\* | \*\*6.8.0\*\* |' "$md" && pass "report.md highlights kernel.release" \
	|| fail "report.md highlights kernel.release" "$(grep -m2 kernel.release "$md")"
grep -q '](change.png)' "$md" && [ -s "$T/rep/change.png" ] && pass "report.md shows the plots" \
	|| fail "report.md shows the plots" "no image"
grep -q '<tr class="diff"><td>kernel.release' "$html" && [ "$(grep -c '<svg' "$html")" = 2 ] &&
	pass "report.html: differences highlighted, plots inlined" ||
	fail "report.html: differences highlighted, plots inlined" "$(grep -c '<svg' "$html") svg"
check "report.html parses" python3 -c 'import html.parser,sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())' "$html"

# --- read-only ---
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "database unchanged by compare/plot/report/ci/calibrate" \
	|| fail "database unchanged by compare/plot/report/ci/calibrate" "checksum changed"
