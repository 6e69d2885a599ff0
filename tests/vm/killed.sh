# A guest killed in the middle of its run: flushbench vm fails, and nothing
# of it is in the host store as complete. A guest that never reached its
# run proves nothing: both checks then fail.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
vm_ready killed-mid-run nothing-complete || { done_testing; exit 0; }
db=$T/results.db
# long enough (tens of seconds under TCG) to be killed in the middle
cat > "$T/long.yaml" <<'YAML'
samples: 20
warmup: 1
duration: 500ms
jobs:
  - workload: mprotect
    npages: 16
  - workload: munmap
YAML
# descendants of a process we started (the QEMU under qemu-boot.sh)
qemu_of() {
	local p c
	for c in $(pgrep -P "$1"); do
		p=$(cat "/proc/$c/comm" 2>/dev/null)
		[[ "$p" == qemu-system* ]] && echo "$c"
		qemu_of "$c"
	done
}
"$FB" vm --debian generic --arch x86_64 -c "$T/long.yaml" --db "$db" \
	--label killed --timeout 300 > "$T/out" 2>&1 &
vm=$!
log="" q="" started=0
for _ in $(seq 600); do	# up to 60 s for the guest to start its run
	sleep 0.1
	[ -n "$log" ] || log=$(sed -n 's/.*, log \(.*\)$/\1/p' "$T/out")
	if [ -n "$log" ] && grep -q 'FB-VM: cmdline' "$log" 2>/dev/null; then
		started=1
		break
	fi
	kill -0 $vm 2>/dev/null || break
done
sleep 2	# into the suite
q=$(qemu_of $vm | head -1)
# mid-run: the guest's script printed its cmdline (the suite starts right
# after it) and not yet the suite's end ("FB-VM: run rc=")
midrun=0
if [ $started = 1 ] && [ -n "$q" ] && ! grep -q 'FB-VM: run rc=' "$log"; then
	kill -9 "$q"
	midrun=1
	wait $vm
	rc=$?
	if [ $rc != 0 ] && grep -q 'did not finish' "$T/out"; then
		pass "killed-mid-run (exit $rc: $(grep 'did not finish' "$T/out" | cut -c1-80))"
	else
		fail "killed-mid-run" "exit $rc: $(tail -4 "$T/out" | tr '\n' ' ')"
	fi
else
	kill $vm 2>/dev/null
	wait $vm
	fail "killed-mid-run" "the guest was not caught in its run (started $started, qemu '$q', log '$log'): $(tail -4 "$T/out" | tr '\n' ' ')"
fi
# only a guest killed in its run tells whether its partial results stay out
n=$(runs_of "$db" killed complete)
if [ $midrun = 0 ]; then
	fail "nothing-complete" "not tested: no guest was killed in the middle of its run"
elif [ "$n" = 0 ]; then
	pass "nothing-complete (no complete run labelled 'killed')"
else
	fail "nothing-complete" "$n complete runs labelled 'killed'"
fi
done_testing
