# flushbench import: stores of two (simulated) hosts merged by run uuid,
# twice is a no-op, compare says "across hosts" and --host filters; a
# corrupt, truncated, newer or foreign source is refused with exit 2 and
# the target left as it was; console and LAVA job logs carrying the store
# frame import with their lab job id; a bad frame is refused.
. "$TOP/tests/lib.sh"

cat > "$T/tiny.yaml" <<'Y'
repeat: 2
samples: 3
warmup: 0
duration: 10ms
jobs:
  - workload: munmap
    size: 64K
  - workload: mprotect
    npages: 4
Y
# run_on HOST DB LABEL: the tiny suite as if on another machine: under
# another hostname in a UTS namespace (root), else here with the store's
# runs.host rewritten afterwards (the store is then not the runner's own)
run_on() {
	if unshare -u true 2>/dev/null; then
		unshare -u sh -c "hostname $1 && exec \"$FB\" run -q -c \"$T/tiny.yaml\" --db \"$2\" --label $3"
	else
		"$FB" run -q -c "$T/tiny.yaml" --db "$2" --label "$3" &&
			sqlite3 "$2" "update runs set host = '$1'"
	fi > "$T/run.log" 2>&1 || fail "run on $1" "$(tail -3 "$T/run.log")"
}
run_on host-a "$T/a.db" side-a
run_on host-b "$T/b.db" side-b
# what the target holds, as text: the merge must leave it so on refusal
content() { sqlite3 "$1" "select id, label, status, host, uuid from runs order by id;
	select count(*), sum(ops), sum(elapsed_ns) from samples;
	select count(*) from environment; select count(*) from counters"; }
asha=$(sha256sum < "$T/a.db") bsha=$(sha256sum < "$T/b.db")
M=$T/m.db

out=$("$FB" import --db "$M" "$T/a.db" "$T/b.db" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "imported 4 runs into $M, 0 already there" &&
	pass "two hosts' stores merged: 4 runs" || fail "merge two stores" "rc $rc: $out"
[ "$(sqlite3 "$M" "select group_concat(host || ':' || label, ' ') from (select host, label from runs order by id)")" = \
  "host-a:side-a host-a:side-a host-b:side-b host-b:side-b" ] &&
	pass "each run keeps its host and label" || fail "hosts kept" "$(sqlite3 "$M" 'select id, host, label from runs')"
want=$(( $(sqlite3 "$T/a.db" "select count(*) from samples") + $(sqlite3 "$T/b.db" "select count(*) from samples") ))
[ "$(sqlite3 "$M" "select count(*) from samples")" = "$want" ] &&
	pass "every sample of both stores is there ($want)" || fail "samples merged" "$(sqlite3 "$M" 'select count(*) from samples') of $want"
[ "$(sqlite3 "$M" "select uuid from runs" | sort)" = \
  "$({ sqlite3 "$T/a.db" "select uuid from runs"; sqlite3 "$T/b.db" "select uuid from runs"; } | sort)" ] &&
	pass "the runs keep their uuids" || fail "uuids kept" "$(sqlite3 "$M" 'select uuid from runs')"
[ "$(sqlite3 "$M" "select count(*) from environment where key = 'board'")" = 4 ] &&
	[ "$(sqlite3 "$M" "select value from environment where run_id = 3 and key = 'import.source'")" = "$T/b.db" ] &&
	pass "board and import.source are in each run's environment" ||
	fail "board, import.source" "$(sqlite3 "$M" "select run_id, key, value from environment where key in ('board', 'import.source')")"
[ "$(sha256sum < "$T/a.db")" = "$asha" ] && [ "$(sha256sum < "$T/b.db")" = "$bsha" ] &&
	pass "the sources are not written" || fail "sources untouched" "a source changed"

before=$(content "$M")
out=$("$FB" import --db "$M" "$T/b.db" "$T/a.db" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "imported 0 runs into $M, 4 already there" && [ "$(content "$M")" = "$before" ] &&
	pass "importing the same stores again is a no-op" || fail "second import" "rc $rc: $out"

# compare across hosts, and --host
out=$("$FB" compare --db "$M" side-a side-b 2>/dev/null)
echo "$out" | grep -q "^Across hosts: BASE ran on host-a, NEW on host-b" &&
	pass "compare's header says the sides ran on different hosts" || fail "across hosts header" "$(echo "$out" | head -5)"
"$FB" compare --db "$M" side-a side-a 2>/dev/null | grep -q "Across hosts" &&
	fail "one host: no across-hosts line" "printed" || pass "one host: no across-hosts line"
sqlite3 "$M" "update runs set label = 'both' where label in ('side-a', 'side-b')"
out=$("$FB" compare --db "$M" --host host-a both both 2>/dev/null); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^BASE: both (2 runs: #1 #2;" && ! echo "$out" | grep -q "Across hosts" &&
	pass "--host host-a keeps that host's runs of a label" || fail "--host filter" "rc $rc: $(echo "$out" | head -3)"
out=$("$FB" compare --db "$M" both both 2>/dev/null)
echo "$out" | grep -q "^Across hosts: BASE ran on host-a, host-b, NEW on host-a, host-b" &&
	pass "without --host, a label's runs of two hosts are named" || fail "mixed hosts named" "$(echo "$out" | head -4)"
expect_exit 2 "--host of no run: exit 2" "$FB" compare --db "$M" --host nowhere both both
"$FB" compare --db "$M" --host nowhere both both 2>&1 | grep -q "has no run of host 'nowhere' (its hosts: host-a, host-b)" &&
	pass "--host of no run names the hosts there are" || fail "--host message" "$("$FB" compare --db "$M" --host nowhere both both 2>&1)"
sqlite3 "$M" "update runs set label = 'side-' || substr(host, 6) where label = 'both'"

# refusals: each leaves the target as it was, exit 2
before=$(content "$M") mbytes=$(sha256sum < "$M")
refused() {	# NAME MESSAGE-PATTERN SOURCE...
	local name=$1 pat=$2 out rc
	shift 2
	out=$("$FB" import --db "$M" "$@" 2>&1); rc=$?
	if [ $rc = 2 ] && echo "$out" | grep -q -- "$pat" && [ "$(content "$M")" = "$before" ] &&
		[ "$(sha256sum < "$M")" = "$mbytes" ]; then
		pass "$name: exit 2, target unchanged"
	else
		fail "$name" "rc $rc: $out"
	fi
}
# a third host's store, not yet in M: a refusal must not let it in
run_on host-c "$T/c.db" side-c
size=$(stat -c %s "$T/c.db")
head -c $((size / 2)) "$T/c.db" > "$T/trunc.db"
refused "a store truncated mid-file" "malformed" "$T/trunc.db"
refused "a good store with a truncated one: neither" "malformed" "$T/c.db" "$T/trunc.db"
cp "$T/c.db" "$T/newer.db"
sqlite3 "$T/newer.db" "update meta set value = '99' where key = 'schema_version'"
refused "a store of a newer schema" "schema version 99 is newer than this flushbench" "$T/newer.db"
sqlite3 "$T/other.db" "create table t (x); insert into t values (1)"
refused "someone else's SQLite database" "not a flushbench database" "$T/other.db"
seq 1 1000 > "$T/text.log"
refused "a text file without a frame" "no results store in it" "$T/text.log"
refused "a missing file" "No such file or directory" "$T/none.db"
expect_exit 2 "no SOURCE: usage error" "$FB" import --db "$M"
out=$("$FB" import --db "$M" "$M" 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "into itself" && [ "$(content "$M")" = "$before" ] &&
	pass "the target itself is refused" || fail "self import" "rc $rc: $out"

# the store framed on a console, as the guests and lava/flushbench.yaml print it
frame() {	# STORE: the frame lines
	echo "FB-VM-DB: begin $(stat -c %s "$1") $(sha256sum < "$1" | cut -d' ' -f1)"
	base64 -w 76 "$1"
	echo "FB-VM-DB: end"
}
{ echo "[    0.000000] Booting Linux"; frame "$T/c.db"; echo "reboot: Power down"; } > "$T/console.log"
sed '3s/^./@/' "$T/console.log" > "$T/badsum.log"
refused "a console frame with a corrupted line" "no results store in it" "$T/badsum.log"
head -n 5 "$T/console.log" > "$T/cut.log"
refused "a console frame cut short" "no results store in it" "$T/cut.log"
out=$("$FB" import --db "$M" "$T/console.log" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "console.log (console log): 2 runs" &&
	[ "$(sqlite3 "$M" "select count(*) from runs where host = 'host-c'")" = 2 ] &&
	pass "a console log's frame imports its runs" || fail "console log import" "rc $rc: $out"

# a LAVA job log (lava-run's output.yaml): only target lines count
run_on board-d "$T/d.db" side-d
lava_log() {	# STORE JOB: a job log as lava-run writes it
	local dt='"dt": "2026-12-03T04:00:00.000000"'
	echo "- {$dt, \"lvl\": \"info\", \"msg\": \"start: 0 validate\"}"
	echo "- {$dt, \"lvl\": \"debug\", \"msg\": \"FB-VM-DB: begin 1 0000\"}"
	echo "- {$dt, \"lvl\": \"target\", \"msg\": \"FB-LAVA: job=$2 device=qemu01 device_type=qemu\"}"
	frame "$1" | while IFS= read -r l; do
		echo "- {$dt, \"lvl\": \"target\", \"msg\": \"$l\"}"
	done
	echo "- {$dt, \"lvl\": \"results\", \"msg\": {\"case\": \"munmap\", \"definition\": \"0_flushbench\", \"result\": \"pass\", \"measurement\": \"12.5\", \"units\": \"ns\"}}"
}
lava_log "$T/d.db" 4242 > "$T/output.yaml"
out=$("$FB" import --db "$M" "$T/output.yaml" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "output.yaml (LAVA log): 2 runs, lab job 4242" &&
	[ "$(sqlite3 "$M" "select group_concat(distinct e.value) from environment e join runs r on r.id = e.run_id where r.host = 'board-d' and e.key = 'lab.job_id'")" = 4242 ] &&
	[ "$(sqlite3 "$M" "select group_concat(distinct e.value) from environment e join runs r on r.id = e.run_id where r.host = 'board-d' and e.key = 'lab.device_type'")" = qemu ] &&
	pass "a LAVA job log imports its runs with lab.job_id and the device" || fail "LAVA log import" "rc $rc: $out"
before=$(content "$M") mbytes=$(sha256sum < "$M")
out=$("$FB" import --db "$M" "$T/output.yaml" 2>&1)
echo "$out" | grep -q "imported 0 runs into $M, 2 already there" && [ "$(content "$M")" = "$before" ] &&
	pass "the same LAVA log again is a no-op" || fail "LAVA log twice" "$out"
# a serial console's CR/LF line ends on the FB-LAVA line (this hung: the
# key parser did not step over the CR; tests/fuzz found it)
{ printf 'FB-LAVA: job=4343 device=qemu02\r\n'; frame "$T/d.db" | sed 's/$/\r/'; } > "$T/crlf.log"
out=$(timeout 20 "$FB" import --db "$M" "$T/crlf.log" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "crlf.log (console log): 2 runs, lab job 4343" &&
	pass "a CR/LF console log's FB-LAVA keys and frame" || fail "CR/LF console log" "rc $rc: $out"
printf -- '- {"dt": "x", "lvl": "target", "msg": "unterminated\n' > "$T/broken.yaml"
refused "a LAVA log that is not YAML" "not YAML at line" "$T/broken.yaml"
done_testing
