# A hostile guest console (issue 18): the guest runs tests/vm/tiny.yaml,
# then prints, instead of its results frame (guest/flb-frame, booted with
# the test-only flushbench.frame_fault=F): one with a payload character
# changed (badsum), the first half of one and no end marker (truncated),
# the frame twice (twice), or a begin line, 10 MiB of random bytes and an
# end marker (garbage). Each time flushbench vm exits 1 with one message
# naming the problem, the host store (a run in it already) is byte for
# byte what it was and sound, the console log is kept, and flushbench
# import refuses that log too. The garbage's last console lines are shown
# short and printable.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
faults="badsum truncated twice garbage"
vm_ready kernel store-before $faults garbage-shown || { done_testing; exit 0; }
db=$T/results.db
# Debian's kernel, booted without --headers: no module (the frame does not
# need it), so no module build (~30 s) in each of the boots
t0=$SECONDS
kernel=$("$FB" vm --debian generic --arch x86_64 -c "$TOP/tests/vm/tiny.yaml" \
	--build-only 2> "$T/build.err" | sed -n 's/^kernel=//p')
[ -n "$kernel" ] && pass "kernel (vm --build-only, $((SECONDS - t0)) s): $kernel" ||
	fail kernel "vm --build-only printed no kernel=: $(tail -3 "$T/build.err" | tr '\n' ' ')"
check "store-before (a host run of tiny.yaml to keep)" \
	"$FB" run -q -c "$TOP/tests/vm/tiny.yaml" --db "$db" --label host
before=$(sha256sum < "$db")
runs=$(sqlite3 "$db" "SELECT count(*) FROM runs")
held=""	# the kept logs (10 MiB and more) of the faults whose checks held

# hostile FAULT PATTERN IMPORT_PATTERN: flushbench vm with the fault
hostile() {
	local f=$1 pat=$2 ipat=$3 t0=$SECONDS rc n log why="" irc secs
	"$FB" vm --kernel "$kernel" --arch x86_64 --smp 1 -c "$TOP/tests/vm/tiny.yaml" \
		--append "flushbench.frame_fault=$f" --db "$db" --label "$f" \
		--timeout 300 > "$T/$f.out" 2>&1
	rc=$?
	secs=$((SECONDS - t0))
	log=$(sed -n 's/^flushbench vm: console log kept: //p' "$T/$f.out")
	n=$(grep -ac -- "flushbench vm: no results from the guest: $pat" "$T/$f.out")
	if [ $rc != 1 ]; then
		why="exit $rc, wanted 1"
	elif [ "$n" != 1 ]; then
		why="$n lines 'no results from the guest: $pat', wanted 1"
	elif [ "$(sha256sum < "$db")" != "$before" ]; then
		why="the store changed ($(sqlite3 "$db" "SELECT count(*) FROM runs") runs, $runs before)"
	elif [ "$(sqlite3 "$db" "PRAGMA integrity_check")" != ok ]; then
		why="the store fails its integrity check"
	elif [ -z "$log" ] || ! grep -aq "FB-VM: cmdline .*flushbench.frame_fault=$f" "$log"; then
		why="no console log of the fault kept ('$log')"
	fi
	if [ -n "$why" ]; then
		fail "$f" "$why: $(tail -c 600 "$T/$f.out" | cat -v | tr '\n' ' ')"
		return
	fi
	pass "$f (${secs} s): $(grep -ao -- "$pat" "$T/$f.out" | head -1)"
	# the same log through flushbench import: refused, the store as it was
	"$FB" import --db "$db" "$log" > "$T/$f.import" 2>&1
	irc=$?
	if [ $irc = 2 ] && grep -aq -- "$ipat" "$T/$f.import" &&
	   [ "$(sha256sum < "$db")" = "$before" ]; then
		pass "$f-import: $(head -1 "$T/$f.import" | sed 's/.*(console log): //' | cut -c1-100)"
		[ $f = garbage ] || held="$held $log"
	else
		fail "$f-import" "exit $irc, wanted 2 and '$ipat': $(head -3 "$T/$f.import" | cat -v | tr '\n' ' ')"
	fi
}
hostile badsum "the results frame's SHA-256 does not match: [0-9a-f]*\.\.\. of its [0-9]* bytes" \
	"SHA-256 does not match"
hostile truncated "truncated frame: [0-9]* of [0-9]* bytes, .*no end marker" \
	"truncated frame"
hostile twice "two results frames on the console: refusing to guess which is the guest's" \
	"two results frames"
hostile garbage "corrupt frame: its line [0-9]* is not base64: '.*' (console noise?)" \
	"binary data"
# the garbage: 10 MiB came through (the console's guest seconds for it:
# from the suite's end to the poweroff), its last lines on our terminal
# are a few KiB of printable text
log=$(sed -n 's/^flushbench vm: console log kept: //p' "$T/garbage.out")
size=$(stat -c %s "$log" 2>/dev/null || echo 0)
t1=$(grep -ao 'uptime-end [0-9.]*' "$log" | cut -d' ' -f2)
t2=$(LC_ALL=C sed -n 's/^\[ *\([0-9.]*\)\] reboot: Power down.*/\1/p' "$log")
out=$(wc -c < "$T/garbage.out")
odd=$(LC_ALL=C grep -c '[^[:print:][:space:]]' "$T/garbage.out")
if [ "$size" -gt 10485760 ] && [ "$out" -lt 8192 ] && [ "$odd" = 0 ]; then
	pass "garbage-shown: a ${size}-byte console log (10 MiB in $(awk "BEGIN { printf \"%.0f\", ${t2:-0} - ${t1:-0} }") s of guest time), ${out} bytes of printable messages"
	held="$held $log"
else
	fail "garbage-shown" "console log $size bytes (want > 10 MiB), messages $out bytes (want < 8192), $odd lines with other bytes"
fi
for log in $held; do
	rm -f "$log" "$log.qemu"
done
done_testing
