# flushbench export --lava-cases / --kcidb on synthetic stores with known
# answers (build/tests/fb-mkdb): rows whose samples were skipped, failed
# or untrustworthy, odd and even sample counts, two kernels, a label of
# two runs, an aborted run. export_check.py computes the rows, results
# and medians from the store itself (SQL over samples and sample_values)
# and validates the KCIDB document against the vendored schema
# (analysis/kcidb/) with Debian's python3-jsonschema, and shows that
# broken documents fail it. Bad input exits 2 with a message; the store
# is never written.
. "$TOP/tests/lib.sh"
MKDB="$FB_TESTS/fb-mkdb"
CHECK="$TOP/tests/analysis/export_check.py"
SCHEMA="$TOP/analysis/kcidb/schema-v05.03.json"
DB="$T/r.db"
[ -x "$MKDB" ] || { fail "fb-mkdb built" "missing $MKDB (make test-progs)"; done_testing; exit 0; }
# Debian's python3 with python3-jsonschema (deps/test.pkgs), not the first
# python3 on PATH: without it the kcidb checks fail, never skip
PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null && pass "python3-jsonschema importable by $PY" ||
	fail "python3-jsonschema importable by $PY" "make test installs it (deps/test.pkgs)"

env="--env kernel.preempt=voluntary --env virt=native --env arch=x86_64"
"$MKDB" "$DB" A --seed 1 --samples 5 $env --env kernel.release=6.1.0 --env lab.job_id=11 \
	--bad "fork/rss=0 threads=0=skip:0" --bad "fork/rss=64M threads=0=fail:0" \
	--bad "mprotect/npages=1 threads=0=fail:2" \
	--bad "mprotect/npages=64 threads=1=untrustworthy:0" \
	--bad "munmap/size=2M threads=0=untrustworthy:2" &&
"$MKDB" "$DB" B --seed 2 --samples 4 $env --env kernel.release=6.8.0 \
	--env lab.job_id=77 --env lab.device=rock5b-01 --env "board=Radxa ROCK 5B" &&
"$MKDB" "$DB" R --seed 3 --samples 3 --runs 2 $env --env kernel.release=6.8.0 &&
"$MKDB" "$DB" X --seed 4 --samples 3 $env --env kernel.release=6.9.0 ||
	{ fail "synthetic database" "fb-mkdb failed"; done_testing; exit 0; }
# run 5 (label X) aborted: not exported by default, only by its id
sqlite3 "$DB" "UPDATE runs SET status = 'aborted' WHERE id = 5" ||
	{ fail "aborted run" "sqlite3 failed"; done_testing; exit 0; }
sum0=$(sha256sum < "$DB")
ids() { sqlite3 "$DB" "SELECT id FROM runs WHERE $1 ORDER BY id" | tr '\n' ' '; }

# export FORMAT OUT ARGS...: exit 0 and output, else a failure
export_ok() {
	local fmt=$1 out=$2
	shift 2
	expect_exit 0 "export $fmt $*" "$FB" export "$fmt" --db "$DB" -o "$out" "$@"
}

# --- lava: one run (label A: skip, fail, untrustworthy rows; 5 samples) ---
export_ok --lava-cases "$T/a.txt" A
tap_run "A: " "$PY" "$CHECK" lava "$DB" "$T/a.txt" $(ids "label = 'A'")
# the known answers of label A, by hand
want="fork.rss-0_threads-0.ns_per_op skip
fork.rss-64M_threads-0.ns_per_op fail
mprotect.npages-1_threads-0.ns_per_op fail
mprotect.npages-64_threads-1.ns_per_op fail
munmap.size-2M_threads-0.ns_per_op pass
munmap.size-64K_threads-1.ns_per_op pass"
got=$(cut -f1,2 "$T/a.txt" | tr '\t' ' ')
[ "$got" = "$want" ] && pass "A: names and results in job order, as documented" ||
	fail "A: names and results in job order, as documented" "$(tr '\n' ';' <<< "$got")"
[ "$(grep -c $'\tskip\t\t$' "$T/a.txt")" = 1 ] && pass "A: the skip row has an empty value and units" ||
	fail "A: the skip row has an empty value and units" "$(grep skip "$T/a.txt")"
# the consumer's loop (the LAVA test definition), as written in the contract
n=0 bad=""
while IFS=$'\t' read -r name result value units; do
	n=$((n + 1))
	case $result in pass|fail|skip) ;; *) bad="$bad $name:$result" ;; esac
	# a value goes with its units (ns), none with none
	case $value in
	'') [ -z "$units" ] || bad="$bad $name:units-without-value:$units" ;;
	*[!0-9.e+-]*) bad="$bad $name:value:$value" ;;
	*) [ "$units" = ns ] || bad="$bad $name:units:$units" ;;
	esac
	[ "$result" != pass ] || [ -n "$value" ] || bad="$bad $name:novalue"
	[ "$result" != skip ] || [ -z "$value" ] || bad="$bad $name:skip-value"
done < <("$FB" export --lava-cases --db "$DB" A)
[ "$n" = 6 ] && [ -z "$bad" ] && pass "A: the LAVA loop reads 6 cases, values with units, empty ones without" ||
	fail "A: the LAVA loop reads 6 cases, values with units, empty ones without" "n=$n$bad"
cmp -s <("$FB" export --lava-cases --db "$DB" A) "$T/a.txt" && pass "-o FILE holds what stdout gets" ||
	fail "-o FILE holds what stdout gets" "differs"

# --- lava: even sample counts, several runs, a label of two runs ---
export_ok --lava-cases "$T/b.txt" B
tap_run "B: " "$PY" "$CHECK" lava "$DB" "$T/b.txt" $(ids "label = 'B'")
export_ok --lava-cases "$T/all.txt"
tap_run "default: " "$PY" "$CHECK" lava "$DB" "$T/all.txt" $(ids "status = 'complete'")
grep -q '^A\.munmap\.size-64K_threads-1\.ns_per_op	' "$T/all.txt" &&
	grep -q '^run-3\.fork\.rss-0_threads-0\.ns_per_op	' "$T/all.txt" &&
	grep -q '^run-4\.fork\.rss-0_threads-0\.ns_per_op	' "$T/all.txt" &&
	pass "several runs: names start with the label, or run-ID for a label of two runs" ||
	fail "several runs: names start with the label, or run-ID for a label of two runs" "$(cut -f1 "$T/all.txt" | sed -n '1p;13p;19p')"
! grep -q '^X\.\|^run-5\.' "$T/all.txt" && pass "default: the aborted run is left out" ||
	fail "default: the aborted run is left out" "$(grep -m1 '^X\.\|^run-5\.' "$T/all.txt")"
expect_exit 2 "a label with no complete run" "$FB" export --lava-cases --db "$DB" X
export_ok --lava-cases "$T/x.txt" '#5' A
tap_run "#5 A: " "$PY" "$CHECK" lava "$DB" "$T/x.txt" 1 5

# --- kcidb ---
export_ok --kcidb "$T/all.json"
tap_run "kcidb default: " "$PY" "$CHECK" kcidb "$DB" "$T/all.json" "$SCHEMA" flushbench $(ids "status = 'complete'")
export_ok --kcidb "$T/a.json" A --origin lab_x --board rock5b --lab-job 4242
tap_run "kcidb A: " "$PY" "$CHECK" kcidb "$DB" "$T/a.json" "$SCHEMA" lab_x $(ids "label = 'A'")
"$PY" - "$T/a.json" <<'EOF' && pass "--origin, --board, --lab-job reach ids, origin and environment" || fail "--origin, --board, --lab-job reach ids, origin and environment" "see above"
import json, sys
d = json.load(open(sys.argv[1]))
objs = d["checkouts"] + d["builds"] + d["tests"]
assert all(o["origin"] == "lab_x" and o["id"].startswith("lab_x:") for o in objs), "origin"
assert all(t["environment"]["misc"]["board"] == "rock5b" for t in d["tests"]), "board"
assert all(t["environment"]["misc"]["lab_job_id"] == "4242" for t in d["tests"]), "lab job"
assert all("rock5b" in t["environment"]["comment"] for t in d["tests"]), "comment"
EOF

# a run imported from a LAVA log carries lab.* keys (flushbench import)
"$PY" - "$T/all.json" <<'EOF' && pass "lab.* keys and the lab's device reach each test's environment" || fail "lab.* keys and the lab's device reach each test's environment" "see above"
import json, sys
d = json.load(open(sys.argv[1]))
b = [t for t in d["tests"] if t["misc"]["label"] == "B"]
assert len(b) == 6, len(b)
for t in b:
    m = t["environment"]["misc"]
    assert m["lab_job_id"] == "77" and m["lab_device"] == "rock5b-01", m
    assert m["board"] == "rock5b-01" and t["environment"]["comment"].endswith(" / rock5b-01"), m
assert all("lab_job_id" not in t["environment"]["misc"] for t in d["tests"] if t["misc"]["label"] == "R")
EOF

# --git-commit, --git-url, --tree: the checkout of one kernel (label A)
H=0123456789abcdef0123456789abcdef01234567
export_ok --kcidb "$T/g.json" A --git-commit $H --git-url https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git --tree mainline
tap_run "kcidb git: " "$PY" "$CHECK" kcidb "$DB" "$T/g.json" "$SCHEMA" flushbench $(ids "label = 'A'")
"$PY" - "$T/g.json" $H <<'EOF' && pass "--git-commit, --git-url, --tree reach the checkout" || fail "--git-commit, --git-url, --tree reach the checkout" "see above"
import json, sys
c = json.load(open(sys.argv[1]))["checkouts"]
assert len(c) == 1 and c[0]["git_commit_hash"] == sys.argv[2] and c[0]["tree_name"] == "mainline", c
assert c[0]["git_repository_url"].startswith("https://git.kernel.org/"), c
EOF

# names that would collide: the later one gets -2, in both formats
C="$T/c.db"
"$MKDB" "$C" C --seed 5 --samples 3 $env --env kernel.release=6.1.0 &&
sqlite3 "$C" "UPDATE samples SET params = 'size=2M_threads=0' WHERE params = 'size=64K threads=1'" ||
	fail "a store with colliding names" "fb-mkdb or sqlite3 failed"
"$FB" export --lava-cases --db "$C" > "$T/c.txt" 2>&1
"$FB" export --kcidb --db "$C" > "$T/c.json" 2>&1
[ "$(cut -f1 "$T/c.txt" | grep -c '^munmap\.size-2M_threads-0\.ns_per_op\(-2\)\?$')" = 2 ] &&
	[ -z "$(cut -f1 "$T/c.txt" | sort | uniq -d)" ] &&
	"$PY" -c 'import json, sys; i = [t["id"] for t in json.load(open(sys.argv[1]))["tests"]]; sys.exit(len(i) != 6 or len(set(i)) != 6 or not i[5].endswith(".ns_per_op-2"))' "$T/c.json" &&
	pass "colliding names: the later one gets -2 (lava names and KCIDB ids unique)" ||
	fail "colliding names: the later one gets -2 (lava names and KCIDB ids unique)" "$(cut -f1 "$T/c.txt" | tail -2 | tr '\n' ' ')"
# ok samples without the primary metric (iommu's is unmap_ns, a workload
# metric these samples lack): fail, KCIDB ERROR, no value
C="$T/i.db"
"$MKDB" "$C" I --seed 6 --samples 3 $env --env kernel.release=6.1.0 &&
sqlite3 "$C" "UPDATE samples SET workload = 'iommu' WHERE workload = 'fork'" ||
	fail "a store without the primary metric" "fb-mkdb or sqlite3 failed"
expect_exit 0 "export --lava-cases without the primary metric" "$FB" export --lava-cases --db "$C" -o "$T/i.txt"
tap_run "no primary value: " "$PY" "$CHECK" lava "$C" "$T/i.txt" 1
[ "$(grep -c $'^iommu\\.rss-[0-9M]*_threads-0\\.unmap_ns\tfail\t\t$' "$T/i.txt")" = 2 ] &&
	pass "no primary value: the rows are named for unmap_ns, fail, no value" ||
	fail "no primary value: the rows are named for unmap_ns, fail, no value" "$(grep iommu "$T/i.txt" | tr '\t\n' ' ;')"
expect_exit 0 "export --kcidb without the primary metric" "$FB" export --kcidb --db "$C" -o "$T/i.json"
tap_run "no primary value: " "$PY" "$CHECK" kcidb "$C" "$T/i.json" "$SCHEMA" flushbench 1
# a store whose only run is aborted has nothing to export by default
"$MKDB" "$T/ab.db" AB --samples 3 && sqlite3 "$T/ab.db" "UPDATE runs SET status = 'aborted'" ||
	fail "a store with an aborted run" "fb-mkdb or sqlite3 failed"
out=$("$FB" export --lava-cases --db "$T/ab.db" 2>&1); rc=$?
[ $rc = 2 ] && grep -q 'no complete run' <<< "$out" && pass "no complete run: exit 2, said so" ||
	fail "no complete run: exit 2, said so" "exit $rc: $out"

# --- a real short run: redis_like's primary metric is ops_per_sec, the
# module's workloads are skip rows without /dev/flushbench, 3 rounds ---
Q="$T/q.db"
if "$FB" run -c "$TOP/configs/quick.yaml" --db "$Q" --label q --only munmap \
	--only redis_like --only tlbi > "$T/q.log" 2>&1; then
	pass "quick.yaml run (munmap, redis_like, tlbi)"
	qsum=$(sha256sum < "$Q")
	qids=$(sqlite3 "$Q" "SELECT id FROM runs WHERE status = 'complete' ORDER BY id" | tr '\n' ' ')
	expect_exit 0 "export --lava-cases of a real run" "$FB" export --lava-cases --db "$Q" -o "$T/q.txt"
	tap_run "real: " "$PY" "$CHECK" lava "$Q" "$T/q.txt" $qids
	grep -q $'^run-1\\.redis_like\\..*\\.ops_per_sec\t' "$T/q.txt" &&
		pass "real: redis_like's row is its ops_per_sec" ||
		fail "real: redis_like's row is its ops_per_sec" "$(grep -m1 redis_like "$T/q.txt")"
	expect_exit 0 "export --kcidb of a real run" "$FB" export --kcidb --db "$Q" -o "$T/q.json"
	tap_run "real: " "$PY" "$CHECK" kcidb "$Q" "$T/q.json" "$SCHEMA" flushbench $qids
	[ "$(sha256sum < "$Q")" = "$qsum" ] && pass "real: the store is unchanged by export" ||
		fail "real: the store is unchanged by export" "checksum changed"
else
	fail "quick.yaml run (munmap, redis_like, tlbi)" "$(tail -3 "$T/q.log" | tr '\n' ' ')"
fi

# --- bad input: exit 2, a message, no output file ---
bad() {
	local name=$1
	shift
	rm -f "$T/bad.out"
	out=$("$FB" export -o "$T/bad.out" "$@" 2>&1); rc=$?
	if [ $rc = 2 ] && grep -q '^flushbench export: ' <<< "$out" && [ ! -e "$T/bad.out" ]; then
		pass "bad input exits 2 with a message, writes nothing: $name"
	else
		fail "bad input exits 2 with a message, writes nothing: $name" "exit $rc: $(tr '\n' ' ' <<< "$out")"
	fi
}
bad "neither format" --db "$DB"
bad "both formats" --kcidb --lava-cases --db "$DB"
bad "an unknown label" --kcidb --db "$DB" A nosuch
bad "a missing database" --kcidb --db "$T/none.db"
bad "a bad --origin" --kcidb --db "$DB" --origin Bad-Origin
bad "an unknown option" --kcidb --db "$DB" --orign x
bad "--git-commit of several kernels" --kcidb --db "$DB" --git-commit $H
bad "a short --git-commit" --kcidb --db "$DB" A --git-commit 0123abc
bad "a --git-url that is not https" --kcidb --db "$DB" A --git-url git://x/linux.git
bad "a --kcidb option with --lava-cases" --lava-cases --db "$DB" A --board rock5b
out=$("$FB" export --kcidb --db "$DB" nosuch 2>&1)
grep -q "nosuch" <<< "$out" && pass "the message names the label" || fail "the message names the label" "$out"
[ ! -e "$T/none.db" ] && pass "a missing database is not created" || fail "a missing database is not created" "created"
"$FB" export --help | grep -q -- '--lava-cases' && pass "export --help" || fail "export --help" "no --lava-cases"
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "the store is byte-identical after every export" ||
	fail "the store is byte-identical after every export" "checksum changed"
done_testing
