# A results store on a full file system (a small tmpfs in a private mount
# namespace): a run that fills it stops with one "results store full:" line
# naming the samples kept, exits 1 and leaves the store sound, its earlier
# runs and every committed sample there; readers still open it; a writer or
# an import on a store that is already full changes nothing.
. "$TOP/tests/lib.sh"
tiny=$TOP/tests/integration/tiny.yaml
in_private_mounts "disk full"
q() { sqlite3 "$1" "$2" 2>&1; }
avail_kb() { df -k --output=avail "$1" | tail -1 | tr -d ' '; }
# runs and samples per run: what must survive a failure unchanged
content() { sqlite3 "$1" "select r.id, r.label, r.status, count(s.id) from runs r left join samples s on s.run_id = r.id group by r.id order by r.id" 2>&1; }

cat > "$T/long.yaml" <<'Y'
samples: 5000
warmup: 0
duration: 1ms
counters:
  events: [task-clock, page-faults]
  every: 4
jobs:
  - workload: munmap
    size: 64K
Y

# --- the file system fills during a run's sample commits ---
mkdir "$T/full"
if ! mount -t tmpfs -o size=320k fbdiskfull "$T/full" 2>"$T/mnt.err"; then
	fail "mount a 320 KiB tmpfs" "$(cat "$T/mnt.err")"
	done_testing
	exit 0
fi
db=$T/full/r.db
tiny_runs "$db" early1 early2
before=$(content "$db")
[ "$before" = "$(printf '1|early1|complete|2\n2|early2|complete|2')" ] &&
	pass "two earlier runs stored" || fail "earlier runs" "$before"
"$FB" run -q -c "$T/long.yaml" --db "$db" --label fill >"$T/fill.out" 2>"$T/fill.err"; rc=$?
[ $rc = 1 ] && pass "the run that fills the store exits 1" ||
	fail "exit of the filling run" "exit $rc: $(tail -3 "$T/fill.err")"
[ "$(avail_kb "$T/full")" -lt 8 ] && pass "the file system is full ($(avail_kb "$T/full") KiB left)" ||
	fail "the file system filled" "$(df -k "$T/full" | tail -1)"
# "results store full: PATH: storing a sample: ... (N samples of run #R
# stored before it; free space on its file system and run again)": N
kept_of() {	# RUN FILE
	local line want="flushbench run: results store full: $db: storing a sample: "
	[ "$(grep -c . "$2")" = 1 ] || return 1
	line=$(cat "$2")
	[ "${line#"$want"}" != "$line" ] || return 1
	sed -n 's/.* (\([0-9]*\) samples of run #'"$1"' stored before it; free space on its file system and run again)$/\1/p' "$2"
}
kept=$(kept_of 3 "$T/fill.err")
[ -n "$kept" ] && pass "one line, said once: $(cat "$T/fill.err")" ||
	fail "the full message" "$(head -c 600 "$T/fill.err")"
grep -q "^run 3 (fill) NOT complete in $db\$" "$T/fill.out" &&
	pass "the summary says the run is not complete" || fail "summary of the filling run" "$(tail -2 "$T/fill.out")"
echo "# $kept samples of 5000 fit on the 320 KiB tmpfs beside 2 runs of 2"
# a reader on the still full file system
out=$("$FB" runs --db "$db" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -Eq "^3 +fill +failed +[0-9TZ:.-]+ +[0-9TZ:.-]+ +$kept\$" &&
	[ "$(echo "$out" | grep -Ec '^[12] +early[12] +complete .* 2$')" = 2 ] &&
	pass "flushbench runs reads it while full: run 3 failed with its $kept samples, runs 1 and 2 complete" ||
	fail "runs on the full store" "exit $rc: $out"
out=$("$FB" compare --db "$db" early1 early2 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q munmap &&
	pass "flushbench compare reads it while full" || fail "compare on the full store" "exit $rc: $(echo "$out" | tail -3)"

# --- a writer and an import on the store that is already full ---
"$FB" run -q -c "$TOP/configs/quick.yaml" --only munmap --db "$T/src.db" --label src >/dev/null 2>&1 ||
	fail "a source store for import" "exit $?"
dd if=/dev/zero of="$T/full/filler" bs=1k 2>/dev/null	# whatever room is left
"$FB" run -q -c "$tiny" --db "$db" --label late >"$T/late.out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "^flushbench run: results store full: $db: .*(free space on its file system and run again)$" "$T/late.out" &&
	[ "$(grep -c . "$T/late.out")" = 1 ] &&
	pass "a run on the full store: exit 2, one line: $(cat "$T/late.out")" ||
	fail "run on the full store" "exit $rc: $(head -c 600 "$T/late.out")"
"$FB" import --db "$db" "$T/src.db" >"$T/imp.out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "results store full: $db: " "$T/imp.out" &&
	pass "an import into the full store: exit 1, $(cat "$T/imp.out")" ||
	fail "import into the full store" "exit $rc: $(head -c 600 "$T/imp.out")"
# room again: the tmpfs grows, its files as they are
mount -o remount,size=4m "$T/full"
[ "$(q "$db" 'pragma integrity_check')" = ok ] && pass "integrity_check ok" ||
	fail "integrity after full" "$(q "$db" 'pragma integrity_check')"
[ "$(content "$db")" = "$before"$'\n'"3|fill|failed|$kept" ] &&
	pass "earlier runs unchanged, run 3 failed (not complete) with all $kept samples it reported, nothing of the refused run or import" ||
	fail "store content after full" "$(content "$db" | tr '\n' ' ')"
out=$("$FB" run -q -c "$tiny" --db "$db" --label after 2>&1); rc=$?
[ $rc = 0 ] && [ "$(content "$db")" = "$before"$'\n'"3|fill|failed|$kept"$'\n'"4|after|complete|2" ] &&
	pass "with room again the next writer runs" ||
	fail "next writer" "exit $rc: $out; $(content "$db" | tr '\n' ' ')"
umount "$T/full"

# --- another file fills the file system while a run commits samples ---
mkdir "$T/full3"
mount -t tmpfs -o size=2m fbdiskfull3 "$T/full3"
db=$T/full3/r.db
"$FB" run -q -c "$T/long.yaml" --db "$db" --label hit >"$T/hit.out" 2>"$T/hit.err" &
pid=$!
wait_samples "$db" 20 || fail "the run stores 20 samples in 30 s" "$(cat "$T/hit.err")"
dd if=/dev/zero of="$T/full3/filler" bs=1k 2>/dev/null
wait $pid; rc=$?
kept=$(kept_of 1 "$T/hit.err")
[ $rc = 1 ] && [ -n "$kept" ] && [ "$kept" -ge 20 ] && [ "$kept" -lt 5000 ] &&
	pass "a run whose file system another file fills: exit 1, one line: $(cat "$T/hit.err")" ||
	fail "run hit by a filler" "exit $rc: $(head -c 600 "$T/hit.err")"
st=$("$FB" runs --db "$db" 2>&1 | awk '$1 == 1 { print $3, $NF }')
[ "$st" = "failed $kept" ] || [ "$st" = "aborted $kept" ] &&
	pass "a reader on the full file system sees it $st" || fail "reader after the filler" "$st"
rm "$T/full3/filler"
[ "$(q "$db" 'pragma integrity_check')" = ok ] &&
	[ "$(q "$db" 'select count(*) from samples where run_id = 1')" = "$kept" ] &&
	pass "integrity_check ok, all $kept samples it reported there" ||
	fail "store after the filler" "$(q "$db" 'pragma integrity_check'), $(q "$db" 'select count(*) from samples')"
tiny_runs "$db" after
[ "$(q "$db" 'select status from runs where id = 1')" != complete ] &&
	[ "$(q "$db" 'select status from runs where id = 1')" != running ] &&
	[ "$(q "$db" 'select status from runs where id = 2')" = complete ] &&
	pass "once the next writer has run, it is $(q "$db" 'select status from runs where id = 1') in the file" ||
	fail "status after the next writer" "$(content "$db" | tr '\n' ' ')"
umount "$T/full3"

# --- a store closed cleanly, then its file system filled by another file ---
mkdir "$T/full2"
mount -t tmpfs -o size=512k fbdiskfull2 "$T/full2"
db=$T/full2/r.db
tiny_runs "$db" a b
before=$(content "$db")
[ ! -e "$db-wal" ] && pass "the last writer folded its -wal in (no -wal, no -shm)" ||
	fail "clean close" "$(ls -l "$T/full2")"
dd if=/dev/zero of="$T/full2/filler" bs=4k 2>/dev/null
[ "$(avail_kb "$T/full2")" = 0 ] && pass "a filler file takes the rest of the file system" ||
	fail "filler" "$(df -k "$T/full2" | tail -1)"
out=$("$FB" runs --db "$db" 2>&1); rc=$?
[ $rc = 0 ] && [ "$(echo "$out" | grep -Ec '^[12] +[ab] +complete .* 2$')" = 2 ] &&
	pass "flushbench runs reads it (no room for an -shm)" || fail "runs with no room for an -shm" "exit $rc: $out"
out=$("$FB" compare --db "$db" a b 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q munmap &&
	pass "flushbench compare reads it" || fail "compare with no room for an -shm" "exit $rc: $(echo "$out" | tail -3)"
"$FB" run -q -c "$tiny" --db "$db" --label c >"$T/c.out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "^flushbench run: results store full: $db: .*(free space on its file system and run again)$" "$T/c.out" &&
	pass "a run: exit 2, $(cat "$T/c.out")" || fail "run with no room" "exit $rc: $(head -c 600 "$T/c.out")"
"$FB" import --db "$db" "$T/src.db" >"$T/imp.out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "results store full: $db: " "$T/imp.out" &&
	pass "an import: exit 1, $(cat "$T/imp.out")" || fail "import with no room" "exit $rc: $(head -c 600 "$T/imp.out")"
rm "$T/full2/filler"
[ "$(q "$db" 'pragma integrity_check')" = ok ] && [ "$(content "$db")" = "$before" ] &&
	pass "nothing changed: integrity_check ok, the same runs and samples" ||
	fail "store after no room" "$(q "$db" 'pragma integrity_check'); $(content "$db" | tr '\n' ' ')"
umount "$T/full2"
done_testing
