# Native duets (`duet: {KEY: [A, B]}`, docs/duet.md): two jobs, a and b,
# measured window by window in two workers; with a CPU set each they run
# at once and swap sets in even rounds, else they take turns; the pairing
# is in the store (samples.seq of both sides, duet.pairs, duet.swap); a
# side that breaks ends the duet with a fail row on both sides.
. "$TOP/tests/lib.sh"
q() { sqlite3 -batch -noheader "$1" "$2"; }
cpus_of() { q "$1" "select group_concat(distinct s.cpus) from samples s join environment e on e.run_id = s.run_id and e.key = 'repeat.round' where s.job = $2 and s.kind = 'timed' and e.value = '$3'"; }

cat > "$T/d.yaml" <<'Y'
samples: 4
warmup: 1
duration: 20ms
jobs:
  - workload: munmap
    duet: {size: [64K, 128K]}
  - workload: mprotect
    npages: 16
    threads: 1
    duet: {extra_work_ns: [0, 200]}
Y
db=$T/d.db
"$FB" run -q -c "$T/d.yaml" --db "$db" --repeat 2 --seed 5 >"$T/d.out" 2>&1
rc=$?
[ $rc = 0 ] && pass "a suite with two duets runs in 2 rounds (exit 0)" ||
	fail "duet suite runs" "exit $rc: $(tail -3 "$T/d.out" | tr '\n' ' ')"
p=$(q "$db" "select group_concat(job || ':' || params, ' | ') from (select distinct job, params from samples order by job)")
case "$p" in
"0:size=64K threads=0 placement=spread duet=a | 1:size=128K threads=0 placement=spread duet=b | 2:npages=16 threads=1 thp=false placement=spread extra_work_ns=0 duet=a | 3:npages=16 threads=1 thp=false placement=spread extra_work_ns=200 duet=b")
	pass "each duet is two adjacent jobs, a and b, told apart by duet= (and a job setting by its value) in their parameters" ;;
*)	fail "duet jobs" "$p" ;;
esac
[ "$(q "$db" "select distinct value from environment where key = 'duet.pairs'")" = "0:1 concurrent,2:3 alternating" ] &&
	pass "duet.pairs: a CPU each for munmap (1 task a side), turns for mprotect with a spinner (2 tasks a side, 2 CPUs)" ||
	fail "duet.pairs" "$(q "$db" "select value from environment where key = 'duet.pairs'")"
# every run: both sides of each duet have windows 0..3, ok, and nothing else
bad=$(q "$db" "select run_id || '/' || job || ':' || group_concat(seq || status, ',') from samples where kind = 'timed' group by run_id, job having group_concat(seq || status, ',') != '0ok,1ok,2ok,3ok'")
[ -z "$bad" ] && pass "every run: windows 0-3 of every side, ok, paired by seq" || fail "windows" "$bad"
sw=$(q "$db" "select group_concat(r.value || '=' || s.value, ' ') from environment r join environment s on s.run_id = r.run_id and s.key = 'duet.swap' where r.key = 'repeat.round' order by r.run_id")
[ "$sw" = "1=0 2=1" ] && pass "duet.swap: 0 in round 1, 1 in round 2" || fail "duet.swap" "$sw"
a1=$(cpus_of "$db" 0 1) b1=$(cpus_of "$db" 1 1) a2=$(cpus_of "$db" 0 2) b2=$(cpus_of "$db" 1 2)
[ "$a1" = 0 ] && [ "$b1" = 1 ] && [ "$a2" = 1 ] && [ "$b2" = 0 ] &&
	pass "concurrent sides on a CPU each (a on 0, b on 1), swapped in round 2" ||
	fail "CPU sets" "round 1: a $a1 b $b1; round 2: a $a2 b $b2"
m1=$(cpus_of "$db" 2 1) m2=$(cpus_of "$db" 3 2)
[ "${m1%%,*}" = "${m2%%,*}" ] && [ -n "$m1" ] &&
	pass "alternating sides share one placement (task 0 on ${m1%%,*})" || fail "alternating placement" "$m1 / $m2"
# the resolved config says it, so the hash does
q "$db" "select config_text from runs limit 1" | grep -q '# duet side b, on a CPU set of its own' &&
	pass "the resolved config records each side" || fail "resolved config" "no duet comment"

# the paired analysis: compare --duet on these 2 rounds
out=$("$FB" compare --db "$db" --duet '6.18.44-none' 2>&1); rc=$?
[ $rc = 2 ] && [[ "$out" == *"no run with label or id"* ]] && pass "compare --duet: an unknown label is an error (exit 2)" ||
	fail "compare --duet unknown label" "exit $rc: $out"
lab=$(q "$db" "select label from runs limit 1")
out=$("$FB" compare --db "$db" --duet "$lab" 2>&1); rc=$?
[ $rc = 0 ] && [[ "$out" == *"Paired (duet, 2 rounds)"* ]] &&
	[ "$(grep -c '^| munmap (jobs 0, 1) | size=64K threads=0 placement=spread | size=128K threads=0 placement=spread | 2 | 8 |' <<<"$out")" = 1 ] &&
	grep -q '^| mprotect (jobs 2, 3) | .* | 2 | 8 | ' <<<"$out" &&
	grep -q '^| duet | side a | side b | rounds | pairs | b vs a (ns/op) | 95% CI |' <<<"$out" &&
	pass "compare --duet: a paired row per duet, 2 rounds x 4 windows each, under the right headers" ||
	fail "compare --duet" "exit $rc: $out"
# a known effect: side b does 4 ms more real work per op, over 4 rounds
# of a concurrent duet (the swap a factor: 2 degrees of freedom). The
# effect is sized to be found in this host's slow hours: with 40 us (+6-20%
# of munmap 64K then, near the 10% gate) ci said inconclusive (exit
# 3) in 8 of 8 tries at 18:00 on 2026-12-02 and failed twice in fresh
# clones; 400 us (+120-147%) was (R) in 12 of 12, yet inconclusive twice
# on 2026-12-03 beside a fresh-clone make test, a fuzzer and TCG guests
# (load 4 on 2 CPUs), so the effect is now 4 ms (some 10x). What a duet
# resolves is a README benchmark, not this test.
cat > "$T/k.yaml" <<'Y'
samples: 6
warmup: 1
duration: 20ms
jobs:
  - workload: munmap
    duet: {extra_work_ns: [0, 4000000]}
Y
"$FB" run -q -c "$T/k.yaml" --db "$T/k.db" --repeat 4 -l known >"$T/k.out" 2>&1
out=$("$FB" ci --db "$T/k.db" --duet known --max-regression 10 2>&1); rc=$?
[ $rc = 1 ] && grep -q '^| munmap (jobs 0, 1) | .* | 4 | 24 | +[0-9.]*% | .* | (R) |$' <<<"$out" && [[ "$out" == *"FAIL: 1 duet regressed"* ]] &&
	pass "ci --duet: side b's extra 4 ms per op is a regression (R), exit 1" ||
	fail "ci --duet known effect" "exit $rc: $out"
out=$("$FB" ci --db "$db" --duet "$lab" --baseline x 2>&1); rc=$?
[ $rc = 2 ] && pass "ci --duet with --baseline: a usage error" || fail "ci --duet usage" "exit $rc: $out"

# one side's worker crashes at window 2: both sides end with a fail row,
# the next duet runs, exit 1
FLUSHBENCH_WORKER_FAULT=crash:2:munmap:size=128K "$FB" run -q -c "$T/d.yaml" --db "$T/f.db" >"$T/f.out" 2>&1
rc=$?
rows=$(q "$T/f.db" "select group_concat(job || ':' || seq || status, ' ') from (select * from samples where kind = 'timed' and job < 2 order by job, seq)")
ra=$(q "$T/f.db" "select reason from samples where job = 0 and status = 'fail'")
rb=$(q "$T/f.db" "select reason from samples where job = 1 and status = 'fail'")
others=$(q "$T/f.db" "select count(*) from samples where job >= 2 and status = 'ok' and kind = 'timed'")
# (a's window 2 ran beside b's and is kept; unpaired, no analysis uses it)
[ $rc = 1 ] && [ "$rows" = "0:0ok 0:1ok 0:2ok 0:3fail 1:0ok 1:1ok 1:2fail" ] &&
	[[ "$rb" == *"killed by signal 11"* ]] && [[ "$ra" == *"duet partner"* ]] && [ "$others" = 8 ] &&
	pass "side b crashes in window 2: b's fail row says how; a, whose window 2 ran beside it, has one at window 3 saying its partner ended; the next duet ran; exit 1" ||
	fail "a side breaks" "exit $rc, rows '$rows', a '$ra', b '$rb', later ok $others"

# bad duets: file:line:column, exit 2
printf 'jobs:\n  - workload: munmap\n    size: 4K\n    duet: {size: [64K, 128K]}\n' > "$T/bad.yaml"
out=$("$FB" run --check -c "$T/bad.yaml" 2>&1); rc=$?
[ $rc = 2 ] && [[ "$out" == *"bad.yaml:3:5: size: set here and in the job's duet"* ]] &&
	pass "a key set both in the job and its duet: refused, with file:line:col" || fail "duet key twice" "exit $rc: $out"
printf 'jobs:\n  - workload: munmap\n    duet: {size: [64K, 128K, 1M]}\n' > "$T/bad.yaml"
out=$("$FB" run --check -c "$T/bad.yaml" 2>&1); rc=$?
[ $rc = 2 ] && [[ "$out" == *"bad.yaml:3:18: duet: size: expected two values"* ]] &&
	pass "three values: refused" || fail "duet of three" "exit $rc: $out"

# alternating sides: a side that crashes first in its turn leaves the
# other's window unrun: its fail row is at that window
FLUSHBENCH_WORKER_FAULT=crash:1:mprotect:npages=16 "$FB" run -q -c "$T/d.yaml" --db "$T/g.db" --only mprotect >"$T/g.out" 2>&1
rows=$(q "$T/g.db" "select group_concat(job || ':' || seq || status, ' ') from (select * from samples where kind = 'timed' order by job, seq)")
[ "$rows" = "0:0ok 0:1fail 1:0ok 1:1fail" ] &&
	pass "alternating, b goes first in odd windows and crashes in window 1: b's fail row and a's (its window 1 never ran) at window 1" ||
	fail "alternating crash" "rows '$rows': $(tail -2 "$T/g.out" | tr '\n' ' ')"
done_testing
