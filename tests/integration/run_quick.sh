# configs/quick.yaml into a fresh database: rows, statuses, counters,
# environment. The suite has `repeat: 3`: three runs, each job of each in a
# fresh process.
. "$TOP/tests/lib.sh"
db=$T/r.db
q() { sqlite3 -batch -noheader "$db" "$1"; }
out=$("$FB" run -c "$TOP/configs/quick.yaml" --db "$db" --label quick-a 2>"$T/err")
rc=$?
if [ $rc != 0 ]; then
	fail "quick suite runs" "exit $rc: $(tail -3 "$T/err" | tr '\n' ' ')"
	done_testing; exit 0
fi
pass "quick suite runs (exit 0)"
case "$out" in *"median ns/op"*) pass "summary table printed" ;;
	*) fail "summary table printed" "no summary in: $(echo "$out" | tail -3)" ;; esac
[ "$(q "select count(*) || ' ' || group_concat(distinct status) from runs")" = "3 complete" ] &&
	pass "three runs (repeat: 3), each marked complete" ||
	fail "three runs (repeat: 3), each marked complete" "$(q 'select id, status from runs')"
[ "$(q "select group_concat(distinct label) from runs")" = quick-a ] && pass "label stored" || fail "label stored" "$(q 'select label from runs')"
# every job of the suite: 3 timed samples (warm-up not stored) and 1
# counting sample (counters: every 5), or one skip row when the kernel
# module is not loaded
jobs=$(q "select count(distinct job) from samples")
want=$(grep -c 'workload:' "$TOP/configs/quick.yaml")
# mprotect sweeps threads [0, 1] and tlbi policy [local, broadcast]
want=$((want + 2))
[ "$jobs" = "$want" ] && pass "one job per expanded config entry ($jobs)" || fail "jobs expanded" "got $jobs, want $want"
bad=$(q "select job||':'||workload||':'||group_concat(status) from samples group by run_id, job
	having not ((count(*) = 4 and sum(status = 'ok' and kind = 'timed') = 3 and
	             sum(status = 'ok' and kind = 'counting') = 1) or
	 (count(*) = 1 and status = 'skip' and workload in ('tlbi', 'memregion') and reason like '%kernel module not loaded%'))")
[ -z "$bad" ] && pass "each job: 3 ok timed samples and 1 counting one, or a skip row saying the module is not loaded" || fail "samples per job" "$bad"
if [ -e /dev/flushbench ]; then
	[ "$(q "select count(*) from samples where status='skip'")" = 0 ] && pass "module present: its workloads ran" || fail "module present" "skips"
else
	[ "$(q "select count(distinct job) from samples where status='skip'")" = 3 ] && pass "no module here: tlbi and memregion are skip rows with the reason" || fail "module skips" "$(q "select workload, reason from samples where status='skip'")"
fi
q "select count(*) from samples where status='ok' and kind='timed' and (ns_per_op is null or ops<=0 or elapsed_ns<=0 or abs(ns_per_op - 1.0*elapsed_ns/ops) > 1e-6*ns_per_op or abs(ops_per_sec*ns_per_op-1e9) > 1e-3*1e9)" | grep -qx 0 \
	&& pass "ops, elapsed, ns/op and ops/s consistent" || fail "ops, elapsed, ns/op and ops/s consistent" "inconsistent rows"
q "select count(*) from samples where status='ok' and kind='counting' and (ns_per_op is not null or ops_per_sec is not null or elapsed_ns<=0)" | grep -qx 0 \
	&& pass "counting samples: elapsed stored, no ns/op or ops/s" || fail "counting samples have no time" "$(q "select * from samples where kind='counting' limit 2")"
q "select count(*) from counters c join samples s on s.id=c.sample_id where s.kind='timed'" | grep -qx 0 \
	&& pass "no counters on timed samples (counters: mode separate)" || fail "no counters on timed samples" "some"
nopf=$(q "select group_concat(s.job || ':' || s.workload) from samples s where s.status='ok' and s.kind='counting'
	and not exists (select 1 from counters c where c.sample_id=s.id and c.name='page-faults' and c.per_op is not null)")
[ -z "$nopf" ] && pass "every counting sample of every job has its counters per op" || fail "counters for every job" "none on $nopf"
q "select count(*) from samples where status='ok' and cpus not glob '[0-9]*'" | grep -qx 0 \
	&& pass "CPU each task ran on recorded" || fail "CPU each task ran on recorded" "$(q "select cpus from samples limit 3")"
pf=$(q "select min(c.value) from counters c join samples s on s.id=c.sample_id where s.workload='fork' and c.name='page-faults'")
[ -n "$pf" ] && awk "BEGIN{exit !($pf > 0)}" && pass "page-faults counted for fork ($pf)" || fail "page-faults counted for fork" "got '$pf'"
q "select count(*) from counters where per_op is null" | grep -qx 0 && pass "counters stored per op too" || fail "counters per op" "null per_op"
tf=$(q "select max(c.value) from counters c join samples s on s.id=c.sample_id where s.workload='mprotect' and s.params like '%threads=1%' and c.name='tlb:tlb_flush'")
un=$(q "select count(*) from unsupported where event='tlb:tlb_flush'")
if [ -n "$tf" ]; then
	awk "BEGIN{exit !($tf > 0)}" && pass "tlb:tlb_flush counts flushes of a 2-CPU mprotect ($tf)" || fail "tlb:tlb_flush counts" "got $tf"
elif [ "$un" = 1 ]; then skip "tlb:tlb_flush" "this kernel cannot count it: $(q "select reason from unsupported where event='tlb:tlb_flush'")"
else fail "tlb:tlb_flush counted or recorded unsupported" "neither"; fi
# events this machine cannot count are recorded once each, not per sample
q "select count(*) - count(distinct run_id || ' ' || event) from unsupported" | grep -qx 0 && pass "unsupported events recorded once per run" || fail "unsupported once" "duplicates"
for k in kernel.release kernel.version kernel.cmdline kernel.preempt virt cpu.model cpu.count topology thp.enabled aslr cpufreq.governor flushbench.rev hostname config.hash ended_at; do
	v=$(q "select value from environment where key='$k'")
	[ -n "$v" ] && pass "environment has $k" || fail "environment has $k" "missing"
done
q "select count(*) from environment where key like 'vuln.%'" | grep -qvx 0 && pass "environment has CPU vulnerabilities" || fail "environment vulnerabilities" "none"
[ "$(q "select distinct config_hash from runs")" = "$(q "select distinct value from environment where key='config.hash'")" ] \
	&& pass "config hash stored with the run" || fail "config hash" "mismatch"
q "select config_text from runs" | grep -q 'workload: migrate' && pass "resolved config stored" || fail "resolved config stored" "missing"
# a second run with the same config has the same hash and more rows
"$FB" run -q -c "$TOP/configs/quick.yaml" --db "$db" --label quick-b --only fork >/dev/null 2>&1
[ "$(q "select count(distinct config_hash) from runs")" = 2 ] && pass "--only changes the resolved config hash" || fail "--only hash" "same hash"
[ "$(q "select count(*) from samples s join runs r on r.id=s.run_id where r.label='quick-b' and s.workload!='fork'")" = 0 ] \
	&& pass "--only runs only that workload" || fail "--only" "other workloads ran"
"$FB" env > "$T/env" 2>&1 && grep -q '^kernel.preempt: ' "$T/env" && pass "flushbench env prints the environment" || fail "flushbench env" "$(head -3 "$T/env")"
"$FB" list > "$T/list" 2>&1 && grep -q '^fork:' "$T/list" && grep -q 'cow_pages' "$T/list" && pass "flushbench list shows workloads and parameters" || fail "flushbench list" "$(head -3 "$T/list")"
"$FB" run -q -c "$TOP/configs/quick.yaml" --db "$db" --label quick-c --only munmap,fork >/dev/null 2>&1
w=$(q "select group_concat(distinct s.workload) from samples s join runs r on r.id=s.run_id where r.label='quick-c' order by 1")
case "$w" in fork,munmap|munmap,fork) pass "--only takes a comma list ($w)" ;; *) fail "--only comma list" "ran: $w" ;; esac
done_testing
