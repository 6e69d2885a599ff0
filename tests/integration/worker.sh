# flushbench-worker, the process each job runs in (bench/worker.c): it
# links none of the runner's libraries, a fork job's measured mm maps none
# of them, timed samples have no perf event in it, and a worker that
# crashes, hangs, exits early, writes garbage or is SIGKILLed mid-sample
# makes a fail row with the reason while the run goes on; a missing
# worker is named.
. "$TOP/tests/lib.sh"
W=$FB_BIN/flushbench-worker
q() { sqlite3 -batch -noheader "$1" "$2"; }

# --- what it links -------------------------------------------------------
libs='sqlite3|hwloc|yaml|gsl|jansson|pfm'
# static (bench/module.mk): no interpreter, no shared object needed
hdr=$(readelf -ld "$W" 2>&1)
needed=$(echo "$hdr" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
# make test-asan (FLB_SANITIZED=1): the sanitizers' runtimes are shared
# objects, so that worker is dynamic; it needs none of the runner's
# libraries, and its libc, libm and hiredis are linked, not in it (U)
def=TW
if ! echo "$hdr" | grep -q 'Program Headers'; then
	fail "the worker is an ELF program" "readelf -ld $W: $(echo "$hdr" | head -2 | tr '\n' ' ')"
elif [ "${FLB_SANITIZED:-}" = 1 ]; then
	def=TWU
	other=$(printf '%s\n' $needed | grep -Ev '^lib(asan|ubsan|c|m|pthread|hiredis)\.so' | tr '\n' ' ')
	echo "$needed" | grep -q 'libasan\.so' && [ -z "$other" ] &&
		pass "the sanitized worker needs libasan and only libc, libm, hiredis besides" ||
		fail "the sanitized worker's shared objects" "needed: $needed"
elif echo "$hdr" | grep -q 'INTERP' || [ -n "$needed" ]; then
	fail "the worker is static: no ld.so, no shared object" "interpreter or needed: $needed"
else
	pass "the worker is static: no ld.so, no shared object in its mm"
fi
syms=$(nm "$W" | awk '{ print $NF }' | grep -E "^(sqlite3_|hwloc_|yaml_|gsl_|json_|pfm_)" | head -5 | tr '\n' ' ')
[ -z "$syms" ] && nm "$W" | grep -Eq " [$def] pthread_create(@.*)?\$" && nm "$W" | grep -Eq " [$def] redisReaderCreate\$" &&
	pass "nm: no symbol of SQLite, hwloc, libyaml, GSL, jansson or libpfm4; the workloads' own (pthread, hiredis) are there" ||
	fail "nm: no symbol of the runner's libraries" "$syms"
if nm "$FB" | grep -q ' T flb_wl_main\| T main$' && ! nm "$W" | grep -q 'flb_store_\|flb_counters_\|flb_config_load\|flb_pin_assign'; then
	pass "nm: the worker holds no store, counters, config or placement code"
else
	fail "nm: the worker's own code" "$(nm "$W" | grep 'flb_store_\|flb_counters_\|flb_config_load\|flb_pin_assign' | head -3 | tr '\n' ' ')"
fi

# --- by hand -------------------------------------------------------------
msg=$("$W" 2>&1); rc=$?
[ $rc = 2 ] && echo "$msg" | grep -q 'not a command to type' &&
	pass "run by hand: exit 2, it says what it is" || fail "run by hand" "exit $rc: $msg"
out=$(printf 'hello\n' | "$W" 3<&0 4>&1 2>/dev/null); rc=$?
[ $rc = 2 ] && case "$out" in "error "*) true ;; *) false ;; esac &&
	pass "garbage from the runner: an \`error\` line, exit 2" || fail "garbage job" "exit $rc: $out"
out=$(printf 'flushbench-worker 2\nworkload fork\nparams rss=4M bogus=1\n' | "$W" 3<&0 4>&1 2>/dev/null); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q 'bogus' &&
	pass "an unknown parameter: a protocol error naming it" || fail "unknown parameter" "exit $rc: $out"
out=$(printf 'flushbench-worker 1\n' | "$W" 3<&0 4>&1 2>/dev/null); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q 'version' &&
	pass "another protocol version: refused" || fail "protocol version" "exit $rc: $out"

# --- the measured mm -----------------------------------------------------
cat > "$T/fork.yaml" <<'Y'
samples: 4
warmup: 1
duration: 20ms
counters:
  events: [task-clock, page-faults]
jobs:
  - workload: fork
    rss: 1M
Y
mkdir -p "$T/probe"
FLUSHBENCH_WORKER_PROBE=$T/probe "$FB" run -q -c "$T/fork.yaml" --db "$T/p.db" >"$T/p.out" 2>&1
rc=$?
if [ $rc != 0 ] || [ ! -s "$T/probe/maps" ]; then
	fail "a fork job's worker maps" "exit $rc, no maps: $(tail -3 "$T/p.out" | tr '\n' ' ')"
else
	bad=$(grep -E "lib($libs)" "$T/probe/maps" | awk '{ print $NF }' | sort -u | tr '\n' ' ')
	grep -q 'flushbench-worker' "$T/probe/maps" && [ -z "$bad" ] &&
		pass "a fork job's measured mm (flushbench-worker) maps no libsqlite3, libhwloc, ... " ||
		fail "the measured mm" "maps: $bad"
	# 4 timed samples and, after them, 1 counting sample (every: 5)
	n=$(grep -l '^mode timed$' "$T/probe"/sample.* | xargs grep -l '^worker_perf_fds 0$' | xargs grep -l '^runner_perf_fds 0$' | wc -l)
	[ "$n" = 4 ] && pass "timed samples: no perf-event fd in the worker nor in the runner, in all 4" ||
		fail "no perf event during timed samples" "$(head -n 3 "$T/probe"/sample.* | tr '\n' ' ')"
	c=$(grep -l '^mode counting$' "$T/probe"/sample.* 2>/dev/null)
	rfds=$(sed -n 's/^runner_perf_fds //p' $c /dev/null)
	[ -n "$c" ] && [ "$(echo "$c" | wc -l)" = 1 ] && [ "${rfds:-0}" -gt 0 ] && grep -q '^worker_perf_fds 0$' $c &&
		pass "the counting sample ran with the counters attached by the runner ($rfds fds)" ||
		fail "one counting sample, counters attached" "files '$c', runner fds '$rfds'"
fi
pf=$(q "$T/p.db" "select count(*) from counters c join samples s on s.id = c.sample_id where c.name = 'page-faults' and c.per_op > 0 and s.kind = 'counting'")
nc=$(q "$T/p.db" "select count(*) from counters c join samples s on s.id = c.sample_id where s.kind = 'timed'")
[ "${pf:-0}" = 1 ] && [ "$nc" = 0 ] && pass "counters per op stored from the counting sample only ($pf page-faults row)" ||
	fail "counters per op from counting samples" "counting rows $pf, counters on timed rows $nc"
v=$(q "$T/p.db" "select group_concat(n, ' ') from (select metric, count(*) n from sample_values where metric in ('ns_per_op', 'page-faults/op') group by metric order by metric)")
[ "$v" = "4 1" ] && pass "sample_values: ns/op from the 4 timed samples, page-faults/op from the counting one" ||
	fail "sample_values by kind" "ns_per_op, page-faults/op counts: '$v'"

# counting samples count what the job's setup started: its spinner thread
# spins through every sample, so task-clock over a counting sample is
# above its elapsed time (1.4-2x here, as the host lets the two vCPUs
# run); on the main thread alone no sample could pass 1x. A loaded host
# may run the two threads one at a time through a whole sample (0.98x
# seen here), so of 4 samples the largest ratio must pass 1.05x
cat > "$T/thr.yaml" <<'Y'
samples: 4
warmup: 1
duration: 50ms
counters:
  events: [task-clock]
  every: 1
jobs:
  - workload: mprotect
    npages: 16
    threads: 1
Y
"$FB" run -q -c "$T/thr.yaml" --db "$T/thr.db" >"$T/thr.out" 2>&1
v=$(q "$T/thr.db" "select count(*) || ' ' || printf('%.2f', max(c.value / s.elapsed_ns)) from counters c join samples s on s.id = c.sample_id where s.kind = 'counting' and c.name = 'task-clock'")
[ "${v%% *}" = 4 ] && awk -v x="${v#* }" 'BEGIN { exit !(x > 1.05) }' &&
	pass "counting samples count the job's spinner thread: task-clock up to ${v#* }x the elapsed time (4 samples, every: 1)" ||
	fail "the thread setup started is counted" "count, max task-clock/elapsed: '$v': $(tail -2 "$T/thr.out" | tr '\n' ' ')"
# where each task ran is stored for the spinner too (read from /proc after
# each sample), so the check that no task left its placement covers it
c=$(q "$T/thr.db" "select group_concat(distinct cpus) from samples where kind = 'timed'")
[ "$c" = "0,1" ] && pass "a spread job with a spinner stores the CPU of both tasks (0,1)" ||
	fail "the spinner's CPU is stored" "cpus '$c' (-1: never seen)"

# counters: mode: inline, the former behaviour: counters on every timed sample
sed 's/^  events: \[task-clock, page-faults\]/&\n  mode: inline/' "$T/fork.yaml" > "$T/inline.yaml"
rm -rf "$T/probe"; mkdir -p "$T/probe"
FLUSHBENCH_WORKER_PROBE=$T/probe "$FB" run -q -c "$T/inline.yaml" --db "$T/i.db" >"$T/i.out" 2>&1
n=$(grep -l '^mode counting$' "$T/probe"/sample.* 2>/dev/null | xargs -r grep -L '^runner_perf_fds 0$' | wc -l)
k=$(q "$T/i.db" "select group_concat(kind || ':' || n) from (select kind, count(*) n from samples s where exists (select 1 from counters c where c.sample_id = s.id) group by kind)")
[ "$n" = 4 ] && [ "$k" = "timed:4" ] &&
	[ "$(q "$T/i.db" "select value from environment where key = 'counters.mode'")" = inline ] &&
	pass "mode: inline: counters on all 4 timed samples, no counting sample, counters.mode inline" ||
	fail "mode: inline" "probe files with counters $n, rows with counters '$k': $(tail -2 "$T/i.out" | tr '\n' ' ')"

# a hole-based workload with spinner threads: in the static worker the
# spinners' stacks would fit the 2M hole if made after it
cat > "$T/hole.yaml" <<'Y'
samples: 2
warmup: 1
duration: 20ms
jobs:
  - workload: munmap
    size: 2M
    threads: 1
Y
"$FB" run -q -c "$T/hole.yaml" --db "$T/hole.db" >"$T/hole.out" 2>&1
v=$(q "$T/hole.db" "select group_concat(status || coalesce(': ' || reason, ''), '; ') from samples")
[ "$v" = "ok; ok" ] && pass "munmap size=2M threads=1: the hole stays free for the workload" ||
	fail "munmap 2M with a spinner thread" "$v"

# --- faults --------------------------------------------------------------
cat > "$T/two.yaml" <<'Y'
samples: 3
warmup: 0
duration: 20ms
jobs:
  - workload: munmap
    size: 64K
  - workload: mprotect
    npages: 16
Y
# fault KIND WANT: munmap's worker misbehaves at sample 1; the run goes on
fault() {
	local kind=$1 want=$2 db=$T/f-$1.db rc rows
	FLUSHBENCH_WORKER_FAULT=$kind:1:munmap FLUSHBENCH_WORKER_TIMEOUT=${3:-120} \
		timeout 120 "$FB" run -q -c "$T/two.yaml" --db "$db" >"$T/f-$kind.out" 2>&1
	rc=$?
	rows=$(q "$db" "select workload || ':' || group_concat(seq || status, ',') from samples group by job order by job" | tr '\n' ' ')
	reason=$(q "$db" "select reason from samples where status = 'fail'")
	if [ $rc = 1 ] && [ "$rows" = "munmap:0ok,1fail mprotect:0ok,1ok,2ok " ] &&
	   echo "$reason" | grep -q "$want" &&
	   [ "$(q "$db" "select status from runs")" = complete ]; then
		pass "$kind: a fail row ($reason), sample 0 kept, the next job ran, exit 1"
	else
		fail "$kind: a fail row and the run goes on" "exit $rc, rows '$rows', reason '$reason': $(tail -2 "$T/f-$kind.out" | tr '\n' ' ')"
	fi
}
fault crash 'killed by signal 11'
fault exit 'exited with status 3 without a result'
fault garbage 'broke the protocol'
t0=$SECONDS
fault hang 'sent nothing for' 2
[ $((SECONDS - t0)) -lt 60 ] && pass "hang: killed at its deadline ($((SECONDS - t0)) s)" ||
	fail "hang deadline" "$((SECONDS - t0)) s"

# SIGKILL of a worker mid-sample
cat > "$T/slow.yaml" <<'Y'
samples: 3
warmup: 0
duration: 1s
jobs:
  - workload: munmap
    size: 64K
  - workload: mprotect
    npages: 16
    duration: 20ms
Y
db=$T/k.db
"$FB" run -q -c "$T/slow.yaml" --db "$db" >"$T/k.out" 2>&1 &
pid=$!
for i in $(seq 1 300); do
	n=$(q "$db" "select count(*) from samples" 2>/dev/null)
	[ "${n:-0}" -ge 1 ] && break
	sleep 0.05
done
sleep 0.3
wpid=$(ps -o pid= --ppid $pid 2>/dev/null | head -1 | tr -d ' ')
[ -n "$wpid" ] && kill -9 "$wpid"
wait $pid; rc=$?
rows=$(q "$db" "select workload || ':' || group_concat(seq || status, ',') from samples group by job order by job" | tr '\n' ' ')
reason=$(q "$db" "select reason from samples where status = 'fail'")
# the kill lands in sample k >= 1 (which one depends on how fast the host
# lets samples run): munmap's samples 0..k-1 ok, k failed saying so, the
# job stops there and the next job runs all its samples
k=$(q "$db" "select seq from samples where status = 'fail'")
want="munmap:$(seq -s, 0 $((${k:-1} - 1)) | sed 's/,/ok,/g')ok,${k}fail mprotect:0ok,1ok,2ok "
[ $rc = 1 ] && [ "${k:-0}" -ge 1 ] && [ "$rows" = "$want" ] &&
	echo "$reason" | grep -q "killed by signal 9 (Killed) during sample $k" &&
	pass "SIGKILL mid-sample: a fail row ($reason), the run goes on, nothing stored lost" ||
	fail "SIGKILL mid-sample" "exit $rc, worker '$wpid', rows '$rows', reason '$reason'"

# --- a missing worker ----------------------------------------------------
msg=$(FLUSHBENCH_WORKER=$T/none "$FB" run -q -c "$T/two.yaml" --db "$T/m.db" 2>&1); rc=$?
[ $rc != 0 ] && echo "$msg" | grep -q "flushbench-worker.*missing.*$T/none" && [ ! -e "$T/m.db" ] &&
	pass "FLUSHBENCH_WORKER missing: named, exit $rc, no store made" || fail "missing worker (env)" "exit $rc: $msg"
# extra_work_loops reaches the worker's ops: 4M loops of the multiply-add
# chain (about 10 ms here; at least 1.2 ms at 0.3 ns a loop) against none
cat > "$T/loops.yaml" <<'Y'
samples: 2
warmup: 0
ops: 20
jobs:
  - workload: munmap
    size: 64K
  - workload: munmap
    size: 64K
    extra_work_loops: 4000000
Y
"$FB" run -q -c "$T/loops.yaml" --db "$T/l.db" >"$T/l.out" 2>&1
rc=$?
d=$(q "$T/l.db" "select cast(min(case when job = 1 then ns_per_op end) - max(case when job = 0 then ns_per_op end) as integer) from samples where kind = 'timed' and status = 'ok'")
[ $rc = 0 ] && [ "${d:-0}" -gt 1000000 ] && pass "extra_work_loops: 4M loops add $d ns to each op (> 1 ms)" ||
	fail "extra_work_loops" "exit $rc, added '$d' ns: $(tail -2 "$T/l.out" | tr '\n' ' ')"
printf 'jobs:\n  - workload: munmap\n    extra_work_loops: -3\n' > "$T/badl.yaml"
out=$("$FB" run --check -c "$T/badl.yaml" 2>&1); rc=$?
[ $rc = 2 ] && [[ "$out" == *"badl.yaml:3:23"* ]] && pass "extra_work_loops: -3 refused at file:line:col, exit 2" ||
	fail "extra_work_loops bad value" "exit $rc: $out"

mkdir -p "$T/alone" && cp "$FB" "$T/alone/flushbench"
msg=$(cd "$T" && "$T/alone/flushbench" run -q -c "$T/two.yaml" --db "$T/m.db" 2>&1); rc=$?
[ $rc != 0 ] && echo "$msg" | grep -q "flushbench-worker.*missing.*not at $T/alone/flushbench-worker" &&
	pass "flushbench without its worker beside it: the place named, exit $rc" || fail "missing worker" "exit $rc: $msg"
done_testing
