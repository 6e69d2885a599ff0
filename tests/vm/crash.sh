# SIGKILL to `flushbench vm` mid-import and to `flushbench duet` mid-round
# (issue 18): the store reads as it did, passes integrity_check and takes
# the next writer; no QEMU runs on.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
vm_ready vm-mid-import duet-mid-round || { done_testing; exit 0; }
q() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$1" "$2"; }
# the QEMUs whose command line mentions $1
qemus() {
	local c
	for c in $(pgrep -f -- "$1"); do
		[[ "$(cat /proc/$c/comm 2>/dev/null)" == qemu-system* ]] && echo $c
	done
}
# none of the processes given is alive within $1 seconds
all_gone() {
	local s=$1 i p alive
	shift
	for i in $(seq $((s * 10))); do
		alive=""
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive+=" $p"; done
		[ -z "$alive" ] && return 0
		sleep 0.1
	done
	echo "$alive"
	return 1
}
# Debian's kernel, booted without --headers: no module (not needed
# here), so no module build in each boot
kernel=$("$FB" vm --debian generic --arch x86_64 -c "$TOP/tests/vm/tiny.yaml" \
	--build-only 2> "$T/build.err" | sed -n 's/^kernel=//p')
[ -n "$kernel" ] || fail "a kernel (vm --build-only)" "none: $(tail -3 "$T/build.err" | tr '\n' ' ')"
db=$T/v.db
"$FB" run -q -c "$TOP/configs/quick.yaml" --only munmap --db "$db" --label before >/dev/null 2>&1 ||
	fail "a store to import into" "flushbench run failed"
dump() { q "$db" .dump | sha256sum; }
before=$(dump) runs0=$(q "$db" "select count(*) from runs")

# vm killed mid-import: strace slows every pwrite64 (SQLite's page and WAL
# writes; the console and the guest's store are written with write()) so
# that the import's one transaction takes seconds; the kill lands after
# its first WAL frames and before its commit
if ! command -v strace >/dev/null; then
	fail vm-mid-import "strace missing (deps/test.pkgs)"
else
	strace -f -qq -o /dev/null --seccomp-bpf -e trace=pwrite64 \
		-e inject=pwrite64:delay_exit=200000 \
		"$FB" vm --kernel "$kernel" --arch x86_64 --smp 1 -c "$TOP/tests/vm/tiny.yaml" \
		--db "$db" --label killed --timeout 300 > "$T/vm.out" 2>&1 &
	st=$!
	vm="" mid=0
	for _ in $(seq 3000); do	# up to 300 s: boot, suite, frame, import
		sleep 0.1
		kill -0 $st 2>/dev/null || break
		[ -n "$vm" ] || vm=$(pgrep -P $st -x flushbench | head -1)
		[ -n "$vm" ] && [ -s "$db-wal" ] || continue
		kill -9 "$vm"
		mid=1
		break
	done
	wait $st
	out=$(tail -3 "$T/vm.out" | tr '\n' ' ')
	if [ $mid = 1 ] && [ "$(q "$db" 'pragma integrity_check')" = ok ] &&
	   [ "$(dump)" = "$before" ]; then
		pass "vm-mid-import: killed with its import's WAL frames written, uncommitted: the store reads as before, integrity ok"
	else
		fail vm-mid-import "caught mid-import $mid, integrity $(q "$db" 'pragma integrity_check'), runs $(q "$db" 'select count(*) from runs') (were $runs0): $out"
	fi
	left=$(qemus "console\.$vm\.log")
	[ -z "$left" ] && pass "vm-mid-import: no QEMU runs on" || fail "vm-mid-import QEMU" "left: $left"
	rm -f "$TOP/build/vm/guest.$vm.db" "$TOP/build/vm/console.$vm.log" "$TOP/build/vm/console.$vm.log.qemu"
	"$FB" run -q -c "$TOP/configs/quick.yaml" --only munmap --db "$db" --label after >/dev/null 2>&1
	[ $? = 0 ] && [ "$(q "$db" "select count(*) from runs where status = 'complete'")" = $((runs0 + 3)) ] &&
		[ "$(q "$db" "select count(*) from runs where label = 'killed'")" = 0 ] &&
		pass "vm-mid-import: the next writer stores its runs; nothing of the killed import appears" ||
		fail "vm-mid-import next writer" "$(q "$db" 'select label, status from runs' | tr '\n' ' ')"
fi

# duet killed mid-round: nothing of the round is stored (the store reads
# as before), and both QEMUs stop (they get SIGTERM when the duet dies:
# qemu-boot.sh stops its QEMU)
cat > "$T/long.yaml" <<'Y'
samples: 20
warmup: 1
duration: 200ms
jobs:
  - workload: mprotect
    npages: 16
Y
ddb=$T/d.db
cp "$db" "$ddb"
before=$(q "$ddb" .dump | sha256sum)
"$FB" duet --kernel "$kernel" --arch x86_64 --db "$ddb" --timeout 300 \
	-c "$T/long.yaml" --rounds 1 --repeat 1 --label-a k-a --label-b k-b > "$T/d.out" 2>&1 &
pid=$!
qs="" mid=0
for _ in $(seq 3000); do	# up to 300 s
	sleep 0.1
	kill -0 $pid 2>/dev/null || break
	qs=$(qemus "duet\.$pid\.")
	[ "$(wc -w <<<"$qs")" = 2 ] || continue
	grep -q "FB-SYNC: go" "$TOP/build/vm/console.$pid.duet-0a.log" 2>/dev/null || continue
	sleep 1	# into the round
	kill -9 $pid
	mid=1
	break
done
wait $pid 2>/dev/null
if [ $mid = 1 ] && left=$(all_gone 15 $qs); then
	pass "duet-mid-round: killed mid-round, both of its QEMUs stop within 15 s"
else
	fail duet-mid-round "caught mid-round $mid, QEMUs '$qs' left: '$left': $(tail -3 "$T/d.out" | tr '\n' ' ')"
	kill $qs 2>/dev/null
fi
[ "$(q "$ddb" 'pragma integrity_check')" = ok ] && [ "$(q "$ddb" .dump | sha256sum)" = "$before" ] &&
	pass "duet-mid-round: nothing of the round is stored, the store reads as before, integrity ok" ||
	fail "duet-mid-round store" "$(q "$ddb" 'select label, status from runs' | tr '\n' ' ')"
rm -f "$TOP"/build/vm/*."$pid".* "$TOP"/build/vm/console."$pid".*
done_testing
