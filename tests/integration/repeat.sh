# run --repeat: rounds as runs, shuffled per round from the seed, each job in a fresh process.
. "$TOP/tests/lib.sh"
db=$T/r.db
q() { sqlite3 -batch -noheader "$db" "$1"; }
cat > "$T/tiny.yaml" <<'Y'
samples: 3
warmup: 1
duration: 20ms
jobs:
  - workload: mprotect
    npages: 16
  - workload: munmap
    size: 64K
  - workload: madvise
    size: 64K
  - workload: fork
Y
out=$("$FB" run -q -c "$T/tiny.yaml" --db "$db" --label rep --repeat 3 --seed 42 2>"$T/err")
rc=$?
if [ $rc != 0 ]; then
	fail "--repeat 3 --seed 42 runs" "exit $rc: $(tail -3 "$T/err" | tr '\n' ' ')"
	done_testing; exit 0
fi
pass "--repeat 3 --seed 42 runs (exit 0)"
case "$out" in *"3 rounds, seed 42"*) pass "rounds and seed printed" ;;
	*) fail "rounds and seed printed" "$(echo "$out" | head -2)" ;; esac
case "$out" in *"run CV%"*"runs 1-3 (rep) complete in"*) pass "summary over the rounds, runs named" ;;
	*) fail "summary over the rounds" "$(echo "$out" | tail -3)" ;; esac
[ "$(q "select count(*) || ' ' || sum(status = 'complete') from runs where label = 'rep'")" = "3 3" ] \
	&& pass "3 runs of the label, each complete" || fail "3 complete runs" "$(q 'select id, label, status from runs')"
bad=$(q "select r.id || ':' || j.job from runs r, (select 0 job union select 1 union select 2 union select 3) j
	where (select count(*) from samples s where s.run_id = r.id and s.job = j.job and s.status = 'ok') != 3")
[ -z "$bad" ] && pass "every run has 3 ok samples of every job" || fail "samples per run and job" "missing: $bad"
env_of() { q "select group_concat(value, ' ') from (select e.value from environment e join runs r on r.id = e.run_id
	where r.label = '$1' and e.key = '$2' order by r.id)"; }
[ "$(env_of rep repeat.round)" = "1 2 3" ] && pass "repeat.round 1..3" || fail "repeat.round" "$(env_of rep repeat.round)"
[ "$(env_of rep repeat.rounds)" = "3 3 3" ] && pass "repeat.rounds 3" || fail "repeat.rounds" "$(env_of rep repeat.rounds)"
[ "$(env_of rep repeat.seed)" = "42 42 42" ] && pass "repeat.seed 42" || fail "repeat.seed" "$(env_of rep repeat.seed)"
orders=$(env_of rep repeat.order)
perm=1
for o in $orders; do
	[ "$(echo "$o" | tr ',' '\n' | sort | tr '\n' ' ')" = "0 1 2 3 " ] || perm=0
done
[ $perm = 1 ] && pass "each repeat.order is a permutation of the job indices ($orders)" \
	|| fail "repeat.order permutations" "$orders"
[ "$(echo "$orders" | tr ' ' '\n' | sort -u | wc -l)" -gt 1 ] && pass "the order is shuffled per round" \
	|| fail "orders differ across rounds" "$orders"
# samples.job is the index in the suite, whatever the round's order
map=$(q "select group_concat(job || '=' || workload, ' ') from (select distinct job, workload from samples order by job)")
[ "$map" = "0=mprotect 1=munmap 2=madvise 3=fork" ] && pass "samples.job is the suite index ($map)" \
	|| fail "samples.job is the suite index" "$map"
q "select count(*) from (select job from samples group by job having count(distinct params) != 1)" | grep -qx 0 \
	&& pass "a job index has the same params in every round" || fail "params per job index" "differ"
# the same seed again: the same orders; every job is a fresh exec of the binary
if strace -f -qq -e trace=execve -o "$T/trace" true 2>/dev/null; then tracer="strace -f -qq -e trace=execve -o $T/trace"
else tracer=; fi
# LeakSanitizer cannot work under ptrace (make test-asan): no leak check in
# the traced processes (the same run untraced, above, has it)
[ -n "$tracer" ] && [ "${FLB_SANITIZED:-}" = 1 ] &&
	tracer="env ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 $tracer"
$tracer "$FB" run -q -c "$T/tiny.yaml" --db "$db" --label rep-b --repeat 3 --seed 42 >/dev/null 2>"$T/err"
[ "$(env_of rep-b repeat.order)" = "$orders" ] && pass "--seed 42 again reproduces the orders" \
	|| fail "same seed, same orders" "$(env_of rep-b repeat.order) vs $orders"
if [ -n "$tracer" ]; then
	parent=$(awk 'NR == 1 { print $1 }' "$T/trace")
	grep -- 'flushbench-worker"' "$T/trace" | grep execve | awk '{ print $1 }' > "$T/pids"
	n=$(wc -l < "$T/pids"); u=$(sort -u "$T/pids" | wc -l)
	[ "$n" = 12 ] && [ "$u" = 12 ] && ! grep -qx "$parent" "$T/pids" \
		&& pass "each of the 12 jobs ran in its own exec'd flushbench-worker, not the parent" \
		|| fail "a fresh process per job" "$n worker execs, $u pids, parent $parent"
else
	skip "a fresh process per job (strace)" "strace is missing or cannot trace here"
fi
# bad input: exit 2, the database untouched
sum0=$(sha256sum < "$db")
expect_exit 2 "--repeat 0 exits 2" "$FB" run -q -c "$T/tiny.yaml" --db "$db" --repeat 0
expect_exit 2 "--repeat x exits 2" "$FB" run -q -c "$T/tiny.yaml" --db "$db" --repeat x
printf 'samples: 3\nrepeat: 0\njobs:\n  - workload: fork\n' > "$T/bad.yaml"
msg=$("$FB" run -q -c "$T/bad.yaml" --db "$db" 2>&1); rc=$?
[ $rc = 2 ] && echo "$msg" | grep -q 'bad\.yaml:2:9: repeat: 0 is out of range' \
	&& pass "repeat: 0 in the suite: file:line:column, exit 2" || fail "repeat: 0 in the suite" "exit $rc: $msg"
"$FB" run -q -c "$T/tiny.yaml" --db "$db" --repeat 2x >/dev/null 2>&1
[ "$(sha256sum < "$db")" = "$sum0" ] && pass "bad input left the database byte-identical" \
	|| fail "database untouched by bad input" "changed"
# --only with rounds: the workers index the same filtered list
"$FB" run -q -c "$T/tiny.yaml" --db "$db" --label only --only munmap --repeat 2 >/dev/null 2>&1
[ "$(q "select count(*) || ' ' || sum(status = 'complete') from runs where label = 'only'")" = "2 2" ] \
	&& [ "$(q "select group_concat(distinct s.job || '=' || s.workload) from samples s join runs r on r.id = s.run_id where r.label = 'only'")" = "0=munmap" ] \
	&& [ "$(q "select count(*) from samples s join runs r on r.id = s.run_id where r.label = 'only'")" = 6 ] \
	&& pass "--only munmap --repeat 2: two complete runs of munmap alone" \
	|| fail "--only with --repeat" "$(q "select r.id, r.status, s.job, s.workload, count(*) from runs r left join samples s on s.run_id = r.id where r.label = 'only' group by 1, 3")"
# repeat: in the suite sets the rounds; an unsupported counter is told once
printf 'repeat: 2\ncounters: [task-clock, cycles]\n' > "$T/two.yaml"
sed -n '/^samples/,$p' "$T/tiny.yaml" >> "$T/two.yaml"
"$FB" run -q -c "$T/two.yaml" --db "$db" --label two --only munmap,madvise >/dev/null 2>"$T/err2"
[ "$(q "select count(*) || ' ' || sum(status = 'complete') from runs where label = 'two'")" = "2 2" ] \
	&& pass "repeat: 2 in the suite makes two rounds" || fail "repeat: 2 in the suite" "$(q "select id, status from runs where label = 'two'")"
if [ "$(q "select count(*) from unsupported u join runs r on r.id = u.run_id where r.label = 'two' and event = 'cycles'")" = 2 ]; then
	[ "$(grep -c 'counter cycles not counted here' "$T/err2")" = 1 ] \
		&& pass "an unsupported counter: stored per run, told once per invocation" \
		|| fail "unsupported told once" "$(grep -c 'not counted here' "$T/err2") lines"
else
	skip "an unsupported counter told once" "cycles is counted here"
fi
# a job that cannot run here is a skip row with its reason, from the worker too
printf 'impossible: skip\nsamples: 2\nwarmup: 0\nduration: 10ms\njobs:\n  - workload: mprotect\n    threads: 255\n' > "$T/skip.yaml"
for rep in "" "--repeat 2"; do
	out=$("$FB" run -q -c "$T/skip.yaml" --db "$db" --label skip $rep 2>&1)
	echo "$out" | grep -Eq '^mprotect threads=255 +skip ' && echo "$out" | grep -q 'placement impossible here' \
		&& pass "an impossible placement shows as skip with why (${rep:-one run})" \
		|| fail "skip row in the summary (${rep:-one run})" "$(echo "$out" | grep mprotect)"
done
# SIGINT in round 2: round 1 complete, round 2 aborted, no round 3, exit 1
cat > "$T/long.yaml" <<'Y'
samples: 40
warmup: 0
duration: 20ms
jobs:
  - workload: munmap
    size: 64K
  - workload: madvise
    size: 64K
Y
"$FB" run -q -c "$T/long.yaml" --db "$db" --label intr --repeat 3 --seed 7 >"$T/out3" 2>&1 &
pid=$!
worker=
for i in $(seq 1 200); do
	r2=$(q "select count(*) from runs r join environment e on e.run_id = r.id
		where r.label = 'intr' and r.status = 'running' and e.key = 'repeat.round' and e.value = '2'" 2>/dev/null)
	worker=$(ps -o pid= --ppid $pid 2>/dev/null | head -1 | tr -d ' ')
	[ "$r2" = 1 ] && [ -n "$worker" ] && break
	sleep 0.05
done
pers=$(cat "/proc/$worker/personality" 2>/dev/null)
args=$(tr '\0' ' ' < "/proc/$worker/cmdline" 2>/dev/null)
kill -INT $pid; wait $pid; rc=$?
case "$args" in "flushbench-worker ") pass "round 2's job runs in a child flushbench-worker process" ;;
	*) fail "child worker process" "child of $pid: '$args'" ;; esac
# the personality the parent set (ADDR_NO_RANDOMIZE, 0x0040000) is kept across the exec
[ $(( 0x${pers:-0} & 0x0040000 )) != 0 ] && pass "the worker runs with ASLR off, as its parent" \
	|| fail "worker ASLR off" "personality '$pers'"
st=$(q "select group_concat(e.value || ':' || r.status, ' ') from (select * from runs order by id) r
	join environment e on e.run_id = r.id where r.label = 'intr' and e.key = 'repeat.round'")
[ $rc = 1 ] && [ "$st" = "1:complete 2:aborted" ] && pass "SIGINT in round 2: round 1 complete, round 2 aborted, no round 3, exit 1" \
	|| fail "SIGINT in round 2" "exit $rc, rounds: $st; $(tail -2 "$T/out3" | tr '\n' ' ')"
[ "$(q "select count(*) from samples s join runs r on r.id = s.run_id where r.label = 'intr' and r.status = 'complete'")" = 80 ] \
	&& pass "the complete round kept all its samples" || fail "round 1 samples" "$(q "select run_id, count(*) from samples group by 1")"
done_testing
