# preempt=none vs preempt=full on Debian's amd64 kernel (PREEMPT_DYNAMIC):
# each guest's captured model (kernel.preempt, from debugfs) is checked.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
vm_ready preempt-none preempt-full || { done_testing; exit 0; }
db=$T/results.db
for model in none full; do
	if ! "$FB" vm --debian generic --arch x86_64 --append "preempt=$model" \
		-c "$TOP/tests/vm/tiny.yaml" --db "$db" --label "p-$model" --timeout 300 \
		> "$T/$model.out" 2>&1; then
		fail "preempt-$model" "$(tail -8 "$T/$model.out" | tr '\n' ' ')"
		continue
	fi
	got=$(env_of "$db" "p-$model" kernel.preempt)
	src=$(env_of "$db" "p-$model" kernel.preempt.source)
	cl=$(env_of "$db" "p-$model" guest.cmdline)
	[ "$got" = "$model" ] && [[ "$cl" == *"preempt=$model"* ]] &&
		pass "preempt-$model (kernel.preempt=$got from $src)" ||
		fail "preempt-$model" "kernel.preempt='$got' (source '$src'), guest.cmdline='$cl'"
done
done_testing
