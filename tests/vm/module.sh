# flushbench vm builds the companion module for the guest's kernel (Debian
# headers, scripts/kmod-build.sh), loads it in the guest, and the workloads
# that drive /dev/flushbench measure there (they skip on a host without it).
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
vm_ready module-built module-workloads || { done_testing; exit 0; }
db=$T/results.db
cat > "$T/kmod.yaml" <<'YAML'
samples: 2
warmup: 1
duration: 20ms
jobs:
  - workload: tlbi
  - workload: memregion
YAML
if ! "$FB" vm --debian generic --arch x86_64 -c "$T/kmod.yaml" --db "$db" \
	--label kmod --timeout 300 > "$T/out" 2>&1; then
	fail module-built "$(tail -8 "$T/out" | tr '\n' ' ')"
	skip module-workloads "the guest did not run"
	done_testing; exit 0
fi
m=$(env_of "$db" kmod guest.module)
[[ "$m" == */flushbench.ko ]] && pass "module-built (guest.module=$m)" ||
	fail module-built "guest.module='$m'"
ok=$(sqlite3 "$db" "SELECT group_concat(DISTINCT s.workload) FROM samples s
	JOIN runs r ON r.id = s.run_id WHERE r.label = 'kmod' AND s.status = 'ok'
	ORDER BY 1")
[ "$ok" = "tlbi,memregion" ] || [ "$ok" = "memregion,tlbi" ] &&
	pass "module-workloads (tlbi, memregion ok in the guest)" ||
	fail module-workloads "ok samples of: '$ok'; $(sqlite3 "$db" "SELECT DISTINCT workload, status, reason FROM samples" | head -3 | tr '\n' ' ')"
done_testing
