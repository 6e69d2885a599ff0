# Runs inside the busybox guest (as /run.sh, busybox ash) for tests/kmod/guest.sh;
# not named .sh so that tests/run.sh does not run it on the host.
# Prints "FBT: <TAP line>" for checks, "FBR: <result line>" for measured
# results, the plan "FBT: 1..N" and "FBT-END" last, so the host can tell a
# cut-off console.
n=0
t() { n=$((n + 1)); echo "FBT: $*"; }
check() {	# NAME CMD...
	_n=$1; shift
	if "$@" > /tmp/out 2>&1; then t "ok - $_n"
	else t "not ok - $_n # $(tail -3 /tmp/out | tr '\n' ' ')"; fi
}
# wl NAME WLDRIVE-ARGS...: run a workload, record its line, want status=ok
wl() {
	_n=$1; shift
	_l=$(/bin/wldrive "$@" 2>&1)
	echo "FBR: $_l"
	case "$_l" in
	*status=ok*) t "ok - $_n" ;;
	*) t "not ok - $_n # $_l" ;;
	esac
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

check "insmod flushbench.ko" insmod /flushbench.ko
check "/dev/flushbench is a char device, mode 600" \
	sh -c '[ -c /dev/flushbench ] && [ "$(stat -c %a /dev/flushbench)" = 600 ]'
# ioctl-test's results as ours; it must end with its plan, equal to its count
/bin/ioctl-test > /tmp/ioctl.out 2>&1
rc=$? in=0 plan=
while IFS= read -r l; do
	case "$l" in
	"ok"*|"not ok"*) t "$l"; in=$((in + 1)) ;;
	1..*) plan=${l#1..} ;;
	*) echo "FBT: # $l" ;;
	esac
done < /tmp/ioctl.out
[ "$plan" = "$in" ] && t "ok - ioctl-test ran to its end ($in results, exit $rc)" ||
	t "not ok - ioctl-test ran to its end # plan '$plan', $in results, exit $rc"

# The workloads, through their own code (wldrive stands in for the runner).
for p in local broadcast auto; do
	for b in ish ishst; do
		wl "tlbi $p $b" tlbi 5000 policy=$p barrier=$b
	done
done
wl "tlbi auto, moved every 1000" tlbi 5000 policy=auto migrate_every=1000
wl "memregion range 16M (module buffer)" memregion 8 mode=range size=16M
wl "memregion range 16M (user pages)" memregion 8 mode=range size=16M source=user
wl "memregion global" memregion 20 mode=global global_time=100us
wl "memregion range with a busy firmware" memregion 8 size=4M chunk=256K busy_ppm=200000 ratelimit_ppm=100000 retries=16 backoff=5us

# The race detector: racy must find under-flushes, off and batched none.
for g in off racy batched; do
	for try in 1 2 3 4 5; do
		r=$(/bin/race $g 8 100 200000 2>&1)
		[ $g != racy ] || [ "$(field "$r" under_flushes)" != 0 ] && break
	done
	echo "FBR: $r"
	u=$(field "$r" under_flushes) s=$(field "$r" served) f=$(field "$r" flushes)
	b=$(field "$r" max_batch)
	case $g in
	racy) [ -n "$u" ] && [ "$u" -gt 0 ] && t "ok - race racy finds under-flushes ($u)" ||
		t "not ok - race racy finds under-flushes # $r" ;;
	*) [ "$u" = 0 ] && [ "$s" = 800 ] && t "ok - race $g: no under-flush" ||
		t "not ok - race $g: no under-flush # $r" ;;
	esac
	[ $g = batched ] && { [ -n "$b" ] && [ "$b" -gt 1 ] && [ "$f" -lt "$s" ] &&
		t "ok - race batched serves several requests per flush ($s requests, $f flushes, up to $b)" ||
		t "not ok - race batched serves several requests per flush # $r"; }
done

# rmmod: refused while open, fine while idle, and the module loads again.
exec 3< /dev/flushbench
rmmod flushbench > /tmp/out 2>&1 && t "not ok - rmmod refused while open" ||
	t "ok - rmmod refused while open"
exec 3<&-
check "rmmod while idle" rmmod flushbench
check "device gone after rmmod" sh -c '[ ! -e /dev/flushbench ]'
check "insmod again" insmod /flushbench.ko
check "rmmod again" rmmod flushbench

bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call [Tt]race|general protection|Unable to handle|refcount_t|list_add corruption' | head -5)
[ -z "$bad" ] && t "ok - dmesg has no WARN/BUG/Oops" ||
	t "not ok - dmesg has no WARN/BUG/Oops # $(echo "$bad" | tr '\n' ' ')"
echo "FBR: preempt $(cat /sys/kernel/debug/sched/preempt 2>/dev/null || echo n/a)"
echo "FBT: 1..$n"
echo "FBT-END"
