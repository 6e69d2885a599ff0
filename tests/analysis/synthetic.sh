# compare / ci / calibrate / plan / plot / report on a synthetic database
# written through the store API (build/tests/fb-mkdb: seeded lognormal
# samples, CV 1% within a run, --run-cv between runs). Runs are the unit:
# A/A with several runs marks nothing; a 20% slower job is (R) there and
# only there; one run a side marks nothing until this host is calibrated;
# ci exits 0/1/2/3 (3: inconclusive) and its JUnit says why; calibrate
# stores the variance components and plan turns them into runs x samples;
# bad input exits 2; compare/ci/plan/plot/report never write the store.
. "$TOP/tests/lib.sh"
MKDB="$FB_TESTS/fb-mkdb"
DB="$T/r.db"
[ -x "$MKDB" ] || { fail "fb-mkdb built" "missing $MKDB (make test-progs)"; done_testing; exit 0; }

same="--env kernel.release=6.1.0 --env virt=native --env kernel.preempt=voluntary"
three="--runs 3 --samples 10 --run-cv 2"
"$MKDB" "$DB" A --seed 1 $same $three &&
"$MKDB" "$DB" B --seed 2 $same $three &&
"$MKDB" "$DB" R --seed 3 $same $three --slow "fork/rss=0 threads=0=1.2" &&
"$MKDB" "$DB" I --seed 4 $same $three --slow "munmap/size=2M threads=0=0.8" &&
"$MKDB" "$DB" R1 --seed 5 $same --runs 3 --samples 10 --cv 0.1 --slow "mprotect/npages=1 threads=0=1.01" &&
"$MKDB" "$DB" F1 --seed 5 $same --runs 3 --samples 10 --cv 0.1 --slow "mprotect/npages=1 threads=0=0.9900990099" &&
"$MKDB" "$DB" K --seed 6 $three --env kernel.release=6.8.0 --env virt=kvm \
	--env kernel.preempt=full --env kernel.cmdline="quiet nosmt" &&
"$MKDB" "$DB" P --seed 7 $same $three --skip munmap &&
"$MKDB" "$DB" E --seed 8 $same --status fail &&
"$MKDB" "$DB" U --seed 9 $same $three --skip fork --skip mprotect &&
"$MKDB" "$DB" ONEA --seed 10 $same --run-cv 2 --samples 10 &&
"$MKDB" "$DB" ONEB --seed 11 $same --run-cv 2 --samples 10 &&
"$MKDB" "$DB" ONER --seed 12 $same --run-cv 2 --samples 10 --slow "fork/rss=0 threads=0=1.5" &&
"$MKDB" "$DB" OTHER --seed 13 $same --run-cv 2 --samples 10 --config other &&
"$MKDB" "$DB" TWO --seed 14 $same --run-cv 2 --samples 10 --runs 2 &&
"$MKDB" "$DB" SEQA --seed 16 $same $three --env run.invocation=seq-a &&
"$MKDB" "$DB" SEQR --seed 17 $same $three --env run.invocation=seq-r --slow "fork/rss=0 threads=0=1.5" &&
"$MKDB" "$DB" TWO --seed 15 $same --run-cv 2 --samples 10 --config other &&
"$MKDB" "$DB" BIGA --seed 21 $same --copies 8 --samples 8 --runs 3 --run-cv 2 &&
"$MKDB" "$DB" BIGR --seed 22 $same --copies 8 --samples 8 --runs 3 --run-cv 2 \
	--slow "mprotect/npages=1 threads=0=1.3" &&
"$MKDB" "$DB" Z1 --seed 31 $same --sparse 1.5 $three &&
"$MKDB" "$DB" Z2 --seed 32 $same --sparse 1.5 $three --slow "munmap/size=2M threads=0=0.5" &&
"$MKDB" "$DB" Z3 --seed 33 $same --sparse 3 $three &&
"$MKDB" "$DB" X --seed 40 $same $three &&
"$MKDB" "$DB" X --seed 41 --env kernel.release=6.1.1 --env virt=native --env kernel.preempt=voluntary ||
	{ fail "synthetic database" "fb-mkdb failed"; done_testing; exit 0; }
sum0=$(sha256sum < "$DB")

# primary marks: "workload|params|metric|mark" of rows with a mark
marks() {
	"$FB" compare --db "$DB" --format csv "$@" 2>/dev/null |
		python3 -c 'import csv,sys
for r in csv.DictReader(sys.stdin):
    if r["mark"] and r["role"] == "primary": print("%s|%s|%s|%s" % (r["workload"], r["params"], r["metric"], r["mark"]))'
}

# --- A/A over 3 runs a side ---
out=$(marks A B)
[ -z "$out" ] && pass "A/A, 3 runs a side: no row marked" || fail "A/A, 3 runs a side: no row marked" "$out"
out=$("$FB" compare --db "$DB" A B 2>&1)
grep -q '(I)\|(R)' <<< "$(grep '^|' <<< "$out")" && fail "A/A rst has no mark" "$out" || pass "A/A rst has no mark"
grep -q "Configuration: identical" <<< "$out" && pass "A/A header: identical configuration" \
	|| fail "A/A header: identical configuration" "$(head -5 <<< "$out")"
grep -q "Variance between invocations: the sides' own, moderated across the table" <<< "$out" &&
	pass "header: where the variance between invocations comes from" ||
	fail "header: where the variance between invocations comes from" "$(head -8 <<< "$out")"

# --- a 20% regression on one job ---
out=$(marks A R)
[ "$out" = "fork|rss=0 threads=0|ns_per_op|R" ] && pass "20% slower fork rss=0: (R) there and only there (ops/s is not tested twice)" \
	|| fail "20% slower fork rss=0: (R) there and only there" "$(echo $out)"
out=$(marks A I)
[ "$out" = "munmap|size=2M threads=0|ns_per_op|I" ] && pass "20% faster munmap 2M: (I) there and only there" \
	|| fail "20% faster munmap 2M: (I) there and only there" "$(echo $out)"
out=$(marks A R --min-effect 25)
[ -z "$out" ] && pass "--min-effect 25: a significant 20% change is not marked" \
	|| fail "--min-effect 25: a significant 20% change is not marked" "$out"
check "the 20% slowdown reads -20% (x% slower: e^|log ratio| - 1)" python3 -c '
import json,subprocess,sys
d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json","A","R"],capture_output=True,text=True).stdout)
r=[r for r in d["rows"] if r["workload"]=="fork" and r["params"]=="rss=0 threads=0" and r["metric"]=="ns_per_op"][0]
assert -23 < r["improvement_pct"] < -17, r["improvement_pct"]
assert r["role"]=="primary" and r["mark"]=="R" and r["base"]["runs"]==3, r
o=[r for r in d["rows"] if r["workload"]=="fork" and r["params"]=="rss=0 threads=0" and r["metric"]=="ops_per_sec"][0]
assert o["role"]=="mirror" and not o["testable"] and not o["mark"], o
assert d["options"]["primary_family"]==6, d["options"]
' "$FB" "$DB"
out=$("$FB" compare --db "$DB" --brief A R 2>/dev/null)
grep -q '^| fork .*| *(R) -[12][0-9]\.[0-9]*% |$' <<< "$out" && pass "rst --brief: seed layout with (R)" \
	|| fail "rst --brief: seed layout with (R)" "$(grep -m3 '^| fork' <<< "$out")"
[ "$(grep -c '^+=' <<< "$out")" = 1 ] && grep -q '^| Benchmark *| Result Class *| *Improvement |$' <<< "$out" \
	&& pass "rst grid table header" || fail "rst grid table header" "$(grep -m3 '^[|+]' <<< "$out")"
[ "$(grep -c 'geometric mean (6 rows)' <<< "$out")" = 1 ] && pass "one table-wide geometric mean" \
	|| fail "one table-wide geometric mean" "$(grep 'geometric mean' <<< "$out")"
grep -q '| Size: 2M (ns/op) ' <<< "$out" && grep -q '| Npages: 64 Threads: 1 (ns/op) ' <<< "$out" &&
	pass "result class: the parameters that differ from the defaults, and the metric" ||
	fail "result class: the parameters that differ from the defaults, and the metric" "$(grep -m4 '^|' <<< "$out")"
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
check "--alpha below the row's Holm p: the 20% slowdown is no longer marked" python3 -c '
import json,subprocess,sys
def rows(*a):
    d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json"]+list(a)+["A","R"],capture_output=True,text=True).stdout)
    return [r for r in d["rows"] if r["role"]=="primary"]
p=[r["p_holm"] for r in rows() if r["mark"]][0]
assert not [r for r in rows("--alpha", "%.17g" % (p / 2)) if r["mark"]]
' "$FB" "$DB"
out=$(marks A R --workload fork --metric ns_per_op)
[ "$out" = "fork|rss=0 threads=0|ns_per_op|R" ] && pass "--workload/--metric restrict the table" \
	|| fail "--workload/--metric restrict the table" "$out"
expect_exit 2 "an option of the old engine (--ci) is refused" "$FB" compare --db "$DB" --ci bootstrap A B
expect_exit 2 "bad --alpha" "$FB" compare --db "$DB" --alpha 2 A B
expect_exit 2 "option without value" "$FB" compare --db "$DB" A B --alpha
expect_exit 2 "--metric matching nothing" "$FB" compare --db "$DB" --metric nope A B

# --- 1% slower and 1% faster: read alike (the same noise, NEW/BASE 1.0201 or its inverse) ---
check "2.01% slower reads -2.01%, 2.01% faster +2.01%, both marked" python3 -c '
import json,subprocess,sys
def row(a,b):
    d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json",a,b],capture_output=True,text=True).stdout)
    return [r for r in d["rows"] if r["params"]=="npages=1 threads=0" and r["metric"]=="ns_per_op"][0]
s, f = row("F1","R1"), row("R1","F1")
assert abs(s["improvement_pct"] + 2.01) < 0.005 and abs(f["improvement_pct"] - 2.01) < 0.005, (s["improvement_pct"], f["improvement_pct"])
assert s["mark"] == "R" and f["mark"] == "I", (s["mark"], f["mark"])
' "$FB" "$DB"

# --- a table of 192 rows ---
out=$("$FB" compare --db "$DB" --format csv --metric ns_per_op BIGA BIGR 2>/dev/null)
[ "$(tail -n +2 <<< "$out" | wc -l)" = 48 ] && [ "$(grep -c ',both,' <<< "$out")" = 48 ] &&
	pass "48 jobs: every row matched on both sides" ||
	fail "48 jobs: every row matched on both sides" "$(tail -n +2 <<< "$out" | wc -l) rows"
marked=$(marks BIGA BIGR | cut -d'|' -f1,2 | sort -u)
[ "$(grep -c '^mprotect|npages=1 threads=0' <<< "$marked")" = 8 ] && [ "$(wc -l <<< "$marked")" = 8 ] &&
	pass "48 jobs, one job (and its 7 copies) 30% slower: (R) there only" ||
	fail "48 jobs, one job (and its 7 copies) 30% slower: (R) there only" "$(echo $marked)"

# --- counters: their own family, rows 0 on both sides dropped ---
for pair in "Z1 Z2" "Z2 Z1" "Z1 Z3" "A R" "A B"; do
	check "compare $pair: every row's numbers agree (consistent.py)" \
		python3 "$TOP/tests/analysis/consistent.py" 6 \
		< <("$FB" compare --db "$DB" --format json $pair 2>/dev/null)
done
check "compare ONEA ONER (1 run a side): no row tested, none marked, each says why" \
	python3 "$TOP/tests/analysis/consistent.py" 0 \
	< <("$FB" compare --db "$DB" --format json ONEA ONER 2>/dev/null)
check "counters: 0 on both sides dropped; own Holm family; half the irq:TLB is an improvement" python3 -c '
import json,subprocess,sys
d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json","Z1","Z2"],capture_output=True,text=True).stdout)
assert not [r for r in d["rows"] if r["metric"]=="irq:IWI/op"], "irq:IWI/op is 0 everywhere"
t=[r for r in d["rows"] if r["metric"]=="irq:TLB/op" and r["params"]=="size=2M threads=0"][0]
assert t["role"]=="secondary" and t["improvement_pct"] > 20, t
assert d["options"]["secondary_family"] == len([r for r in d["rows"] if r["role"]=="secondary" and r["testable"]])
assert d["options"]["primary_family"] == 6
' "$FB" "$DB"
out=$("$FB" compare --db "$DB" Z1 Z2 2>/dev/null)
grep -q "^Counters and other metrics" <<< "$out" && pass "rst: counters in a section of their own" \
	|| fail "rst: counters in a section of their own" "$(grep -c . <<< "$out") lines"

# --- one run a side ---
out=$("$FB" compare --db "$DB" ONEA ONER 2>&1)
grep -q "1 run per side: run-to-run variance unknown" <<< "$out" && ! grep -q '(R)\|(I)' <<< "$(grep '^|' <<< "$out")" &&
	pass "1 run a side, no calibration: 50% slower is shown, not marked, and says why" ||
	fail "1 run a side, no calibration: 50% slower is shown, not marked, and says why" "$(head -12 <<< "$out")"
expect_exit 3 "ci, 1 run a side, no calibration: inconclusive (exit 3)" \
	"$FB" ci --db "$DB" --baseline ONEA --candidate ONER
"$FB" ci --db "$DB" --baseline ONEA --candidate ONER >/dev/null 2>"$T/ci1.err"
grep -q "flushbench calibrate" "$T/ci1.err" && pass "ci says which command provides the missing variance" \
	|| fail "ci says which command provides the missing variance" "$(cat "$T/ci1.err")"
out=$("$FB" compare --db "$DB" SEQA SEQR 2>&1)
grep -q "1 invocation per side: variance between invocations unknown" <<< "$out" &&
	grep -q "One invocation per side: the variance between invocations is unknown" <<< "$out" &&
	! grep -q '(R)\|(I)' <<< "$(grep '^|' <<< "$out")" &&
	pass "3 runs of one invocation a side, no calibration: not marked, and says why" ||
	fail "3 runs of one invocation a side, no calibration: not marked, and says why" "$(head -12 <<< "$out")"
grep -q "Configuration: identical" <<< "$out" && pass "run.invocation is bookkeeping, not a configuration difference" \
	|| fail "run.invocation is bookkeeping, not a configuration difference" "$(head -6 <<< "$out")"
expect_exit 0 "ci --allow-inconclusive: 0, with a warning" \
	"$FB" ci --db "$DB" --baseline ONEA --candidate ONEB --allow-inconclusive
"$FB" ci --db "$DB" --baseline ONEA --candidate ONEB --allow-inconclusive >/dev/null 2>"$T/ci2.err"
grep -q "warning: --allow-inconclusive" "$T/ci2.err" && pass "--allow-inconclusive warns" \
	|| fail "--allow-inconclusive warns" "$(cat "$T/ci2.err")"
expect_exit 2 "plan without a calibration: exit 2" "$FB" plan --db "$DB" --target 2 ONEA
"$FB" plan --db "$DB" --target 2 ONEA 2>&1 | grep -q "flushbench calibrate" &&
	pass "plan without a calibration names the command that provides it" ||
	fail "plan without a calibration names the command that provides it" "$("$FB" plan --db "$DB" --target 2 ONEA 2>&1)"
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "database unchanged by compare/ci/plan" \
	|| fail "database unchanged by compare/ci/plan" "checksum changed"

# --- calibrate: stored per host and config; then single runs are testable ---
cp "$DB" "$T/c.db"
"$MKDB" "$T/c.db" AA --seed 50 $same --runs 10 --samples 10 --run-cv 2 ||
	fail "calibration runs in the store" "fb-mkdb failed"
out=$("$FB" calibrate --db "$T/c.db" --format json AA 2>/dev/null)
check "calibrate: variance components of 6 primary rows from 10 runs, each its own invocation" python3 -c '
import json,sys
d=json.loads(sys.argv[1]); rows=d["rows"]
assert d["runs"]==10 and len(rows)==6, (d["runs"], len(rows))
for r in rows:
    assert r["metric"]=="ns_per_op" and r["runs"]==10 and r["invocations"]==10 and r["boots"]==1, r
    # one run per invocation: runs and invocations are one component
    assert r["run_var"] is None and 1.0 < r["inv_cv_pct"] < 3.5, r
    assert 0.7 < r["within_run_cv_pct"] < 1.4, r
    assert r["boot_var"] is None and r["mde_pct"] > 0, r
' "$out"
n=$(sqlite3 "$T/c.db" "select count(*) from calibration where config_hash='synthetic' and label='AA'")
[ "$n" = 6 ] && pass "calibrate stored 6 rows for this host and config" || fail "calibrate stored 6 rows" "$n"
out=$("$FB" compare --db "$T/c.db" ONEA ONER 2>&1)
grep -q "this host's calibration (host .*, config synthetic, label AA, 10 runs in 10 invocations" <<< "$out" &&
	grep -q '^| fork .*(R) ' <<< "$out" &&
	pass "1 run a side with the calibration: the 50% slowdown is (R), and the header says whence the variance" ||
	fail "1 run a side with the calibration: the 50% slowdown is (R)" "$(head -14 <<< "$out")"
out=$("$FB" compare --db "$T/c.db" ONEA ONEB 2>/dev/null | grep '^|' | grep '(R)\|(I)')
[ -z "$out" ] && pass "1 run a side with the calibration, A/A: no mark" \
	|| fail "1 run a side with the calibration, A/A: no mark" "$out"
expect_exit 1 "ci with the calibration: the 50% slowdown fails (exit 1)" \
	"$FB" ci --db "$T/c.db" --baseline ONEA --candidate ONER --max-regression 10
out=$("$FB" compare --db "$T/c.db" SEQA SEQR 2>&1)
grep -q "this host's calibration" <<< "$out" && grep -q '^| fork .*(R) ' <<< "$out" &&
	pass "3 runs of one invocation a side, with the calibration: the 50% slowdown is (R)" ||
	fail "3 runs of one invocation a side, with the calibration" "$(head -14 <<< "$out")"
out=$("$FB" compare --db "$T/c.db" --no-calibration ONEA ONER 2>&1)
grep -q "1 run per side: run-to-run variance unknown" <<< "$out" && pass "--no-calibration: back to unknown" \
	|| fail "--no-calibration: back to unknown" "$(head -8 <<< "$out")"
out=$("$FB" compare --db "$T/c.db" ONEA OTHER 2>&1)
grep -q "this host's calibration" <<< "$out" && pass "NEW of another config: BASE's calibration is used" \
	|| fail "NEW of another config: BASE's calibration is used" "$(head -8 <<< "$out")"
expect_exit 2 "calibrate a label of 1 run: exit 2" "$FB" calibrate --db "$T/c.db" ONEA
"$FB" calibrate --db "$T/c.db" ONEA 2>&1 | grep -q -- "--repeat" && pass "calibrate of 1 run says how to get more" \
	|| fail "calibrate of 1 run says how to get more" "$("$FB" calibrate --db "$T/c.db" ONEA 2>&1)"
expect_exit 2 "calibrate a label of two configs: exit 2" "$FB" calibrate --db "$T/c.db" TWO
expect_exit 0 "calibrate --no-save" "$FB" calibrate --db "$T/c.db" --no-save B
[ "$(sqlite3 "$T/c.db" "select count(*) from calibration where label='B'")" = 0 ] &&
	pass "--no-save stores nothing" || fail "--no-save stores nothing" "rows stored"
out=$("$FB" plan --db "$T/c.db" --target 2 --budget 10m --format json ONEA 2>/dev/null)
check "plan --target 2 --budget 10m: a design per row, the suite's, and the budget's" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert len(d["rows"])==6 and d["target_pct"]==2, d
for r in d["rows"]:
    assert r["runs"] >= 2 and r["samples"] >= 3 and r["seconds"] > 0, r
assert d["suite"]["runs"] >= 2 and d["suite"]["seconds"] > 0, d["suite"]
b=d["budget"]; assert b["seconds"]==600 and b["runs"] >= 2 and b["worst_mde_pct"] > 0, b
' "$out"
out=$("$FB" calibrate --db "$T/c.db" --target 2 --budget 1m AA 2>&1)
grep -q "^Target 2%: every row with [0-9]* runs of [0-9]* samples per side, each its own invocation" <<< "$out" && grep -q "^Budget 60 s" <<< "$out" &&
	pass "calibrate --target --budget: the plan follows the table" ||
	fail "calibrate --target --budget: the plan follows the table" "$(tail -12 <<< "$out")"
expect_exit 2 "plan: bad --budget" "$FB" plan --db "$T/c.db" --target 2 --budget soon ONEA
expect_exit 2 "plan: no --target" "$FB" plan --db "$T/c.db" ONEA

# --- a store of schema version 1: read as is, migrated by a writer ---
cp "$DB" "$T/v1.db"
# version 1: no calibration table, no samples.kind, the view without it
oldview=$(sqlite3 "$T/v1.db" "select sql from sqlite_master where name = 'sample_values'" |
	sed -e "s/ AND kind = 'timed'//" -e "s/ AND s.kind = 'timed'//")
check "forge a store of schema version 1 (sqlite3)" sqlite3 "$T/v1.db" \
	"DROP INDEX runs_uuid; ALTER TABLE runs DROP COLUMN uuid;
	 DROP VIEW sample_values; ALTER TABLE samples DROP COLUMN kind; $oldview;
	 DROP TABLE calibration; UPDATE meta SET value = '1' WHERE key = 'schema_version'"
v1=$(sha256sum < "$T/v1.db")
out=$(marks A R --db "$T/v1.db")
[ "$out" = "fork|rss=0 threads=0|ns_per_op|R" ] && [ "$(sha256sum < "$T/v1.db")" = "$v1" ] &&
	pass "schema version 1: compare reads it (no calibration) and leaves it as it was" ||
	fail "schema version 1: compare reads it" "$out"
expect_exit 0 "schema version 1: calibrate migrates it" "$FB" calibrate --db "$T/v1.db" A
[ "$(sqlite3 "$T/v1.db" "select value from meta where key='schema_version'")" = 4 ] &&
	[ "$(sqlite3 "$T/v1.db" "select count(*) from samples where kind != 'timed'")" = 0 ] &&
	[ "$(sqlite3 "$T/v1.db" "select count(DISTINCT uuid) = count(*) from runs where uuid GLOB '????????-????-8???-????-????????????'")" = 1 ] &&
	pass "migrated to version 4, every old sample timed, every run a derived uuid" || fail "migrated to version 4" "$(sqlite3 "$T/v1.db" 'select * from meta; select uuid from runs')"

# --- formats ---
check "json parses: 6 primary rows, mirrors and counters, a geomean" python3 -c '
import json,subprocess,sys
d=json.loads(subprocess.run([sys.argv[1],"compare","--db",sys.argv[2],"--format","json","A","R"],capture_output=True,text=True).stdout)
roles=[r["role"] for r in d["rows"]]
assert roles.count("primary")==6 and roles.count("mirror")==6, roles
assert d["geomean"]["rows"]==6 and d["geomean"]["by_run"], d["geomean"]
assert d["prior"]["fitted_on"]==6, d["prior"]
' "$FB" "$DB"
out=$("$FB" compare --db "$DB" --format md A R 2>/dev/null)
grep -q '^| Benchmark | Result Class | Improvement |' <<< "$out" && grep -q '\*\*(R) ' <<< "$out" \
	&& pass "md table with marks" || fail "md table with marks" "$(head -12 <<< "$out")"
# 6 jobs x (ns/op, ops/s, p99_latency, page-faults/op), but mprotect makes no page faults: 0 on both sides, dropped
[ "$("$FB" compare --db "$DB" --format csv A B 2>/dev/null | wc -l)" = 23 ] \
	&& pass "csv: header + 22 rows (the two rows 0 on both sides dropped)" \
	|| fail "csv: header + 22 rows" "$("$FB" compare --db "$DB" --format csv A B 2>/dev/null | wc -l)"

# --- configuration differences, one-side rows, detectability warning ---
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
out=$("$FB" compare --db "$DB" --format csv A P 2>/dev/null | grep -c ',primary,base_only,')
[ "$out" = 2 ] && [ "$("$FB" compare --db "$DB" A P 2>/dev/null | grep -c '| only in BASE *|')" = 6 ] &&
	pass "rows on one side only are listed (2 primary, 4 counters)" ||
	fail "rows on one side only are listed" "$out"
out=$("$FB" compare --db "$DB" A B 2>&1 >/dev/null)
grep -q 'warning: 6 primary rows cannot reliably detect a change of --min-effect 1%' <<< "$out" &&
	pass "warns: --min-effect below the minimum detectable effect" ||
	fail "warns: --min-effect below the minimum detectable effect" "$out"
out=$("$FB" compare --db "$DB" --min-effect 50 A B 2>&1 >/dev/null)
[ -z "$out" ] && pass "no warning at --min-effect 50" || fail "no warning at --min-effect 50" "$out"
for cmd in compare plot report ci calibrate plan; do
	expect_exit 0 "$cmd --help" "$FB" $cmd --help
done
expect_exit 0 "compare -o FILE" "$FB" compare --db "$DB" -o "$T/table.rst" A R
grep -q '(R)' "$T/table.rst" && pass "compare -o FILE holds the table" || fail "compare -o FILE holds the table" "no (R)"
expect_exit 2 "compare -o into a missing directory" "$FB" compare --db "$DB" -o "$T/no/such/dir" A R

# --- ci ---
expect_exit 3 "ci A/A at --max-regression 1: inconclusive (exit 3)" "$FB" ci --db "$DB" --baseline A --candidate B
expect_exit 0 "ci A/A at a --max-regression every row can detect: 0" \
	"$FB" ci --db "$DB" --baseline A --candidate B --max-regression 50
expect_exit 1 "ci: 20% regression fails (exit 1) even with other rows inconclusive" \
	"$FB" ci --db "$DB" --baseline A --candidate R --junit "$T/j.xml"
expect_exit 0 "ci: improvement passes" "$FB" ci --db "$DB" --baseline A --candidate I --max-regression 50
out=$("$FB" ci --db "$DB" --baseline A --candidate R 2>&1 >/dev/null)
grep -q '^  fork (ns/op): ' <<< "$out" && grep -q 'needs [0-9]* runs x [0-9]* samples per side' <<< "$out" &&
	pass "ci lists the regressed row and what would decide the others" ||
	fail "ci lists the regressed row and what would decide the others" "$out"
check "JUnit: one case per primary row, 1 failure, the rest skipped as inconclusive" python3 -c '
import sys, xml.dom.minidom as m
d=m.parse(sys.argv[1])
cases=d.getElementsByTagName("testcase")
bad=[c.getAttribute("name") for c in cases if c.getElementsByTagName("failure")]
sk=[c.getElementsByTagName("skipped")[0].getAttribute("message") for c in cases if c.getElementsByTagName("skipped")]
assert len(cases)==6 and bad==["(ns/op)"], (len(cases), bad)
assert len(sk)==5 and all(s.startswith("inconclusive: minimum detectable effect") for s in sk), sk
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
csum=$(sha256sum < "$T/corrupt.db")
expect_exit 2 "corrupt database" "$FB" compare --db "$T/corrupt.db" A B
expect_exit 2 "ci: corrupt database" "$FB" ci --db "$T/corrupt.db" --baseline A --candidate B
expect_exit 2 "plan: corrupt database" "$FB" plan --db "$T/corrupt.db" --target 2 A
expect_exit 2 "calibrate: corrupt database" "$FB" calibrate --db "$T/corrupt.db" A
[ "$(sha256sum < "$T/corrupt.db")" = "$csum" ] && pass "a corrupt store is never written" \
	|| fail "a corrupt store is never written" "changed"
cp "$DB" "$T/v99.db"
check "forge a store of schema version 99 (sqlite3)" \
	sqlite3 "$T/v99.db" "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
expect_exit 2 "database of another schema version" "$FB" compare --db "$T/v99.db" A B
expect_exit 2 "ci: database of another schema version" "$FB" ci --db "$T/v99.db" --baseline A --candidate B
check "write a foreign SQLite database (sqlite3)" \
	sqlite3 "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
expect_exit 2 "a foreign SQLite database" "$FB" compare --db "$T/other.db" A B
out=$("$FB" compare --db "$DB" A nosuchlabel 2>&1)
grep -q "^flushbench compare: .*nosuchlabel" <<< "$out" && pass "message says which label" \
	|| fail "message says which label" "$out"

# --- plots and report ---
expect_exit 0 "plot A R" "$FB" plot --db "$DB" -o "$T/plots" A R
expect_exit 0 "plot --trend A B R I" "$FB" plot --db "$DB" --trend -o "$T/plots" A B R I
for f in change change-counters dist trend-ns_per_op; do
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
grep -q '^| kernel.release | 6.1.0 | 6.8.0 |$' "$md" && pass "report.md shows kernel.release as a difference" \
	|| fail "report.md shows kernel.release as a difference" "$(grep -m2 kernel.release "$md")"
grep -q '](change.png)' "$md" && [ -s "$T/rep/change.png" ] && pass "report.md shows the plots" \
	|| fail "report.md shows the plots" "no image"
grep -q '<tr class="diff"><td>kernel.release' "$html" && [ "$(grep -c '<svg' "$html")" = "$(ls "$T/rep"/{change,change-counters,dist}.svg 2>/dev/null | wc -l)" ] &&
	pass "report.html: differences highlighted, plots inlined" ||
	fail "report.html: differences highlighted, plots inlined" "$(grep -c '<svg' "$html") svg"
check "report.html parses" python3 -c 'import html.parser,sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())' "$html"

# --- read-only ---
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "database unchanged by compare/plot/report/ci/plan" \
	|| fail "database unchanged by compare/plot/report/ci/plan" "checksum changed"
done_testing
