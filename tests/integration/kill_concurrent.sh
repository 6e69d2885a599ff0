# A run killed midway keeps its samples and is marked aborted; two writers at once both succeed.
. "$TOP/tests/lib.sh"
db=$T/k.db
cat > "$T/long.yaml" <<'Y'
samples: 200
warmup: 0
duration: 20ms
jobs:
  - workload: munmap
    size: 64K
Y
"$FB" run -q -c "$T/long.yaml" --db "$db" --label long >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 200); do
	n=$(sqlite3 "$db" "select count(*) from samples" 2>/dev/null || echo 0)
	[ "${n:-0}" -ge 5 ] && break
	sleep 0.1
done
kill -9 $pid; wait $pid 2>/dev/null
n=$(sqlite3 "$db" "select count(*) from samples")
[ "$(sqlite3 "$db" 'pragma integrity_check')" = ok ] && pass "integrity_check ok after SIGKILL" || fail "integrity after SIGKILL" "$(sqlite3 "$db" 'pragma integrity_check')"
[ "${n:-0}" -ge 5 ] && [ "$n" -lt 200 ] && pass "finished samples kept ($n of 200)" || fail "samples kept" "$n"
"$FB" runs --db "$db" | grep -q ' long .*aborted' && pass "a reader reports the killed run as aborted" || fail "reader reports aborted" "$("$FB" runs --db "$db")"
[ "$(sqlite3 "$db" "select status from runs where label='long'")" = running ] && pass "a reader did not write" || fail "reader did not write" "status changed"
"$FB" run -q -c "$TOP/configs/quick.yaml" --only munmap --db "$db" >/dev/null 2>&1
[ "$(sqlite3 "$db" "select status from runs where label='long'")" = aborted ] && pass "next writer marks it aborted, not complete" || fail "marked aborted" "$(sqlite3 "$db" "select status from runs")"
[ "$(sqlite3 "$db" "select count(*) from samples s join runs r on r.id=s.run_id where r.label='long'")" = "$n" ] && pass "aborted run keeps its samples" || fail "samples after reopen" "changed"
# two writers at once
cdb=$T/c.db
"$FB" run -q -c "$TOP/configs/quick.yaml" --db "$cdb" --label w1 >"$T/w1" 2>&1 & p1=$!
"$FB" run -q -c "$TOP/configs/quick.yaml" --db "$cdb" --label w2 >"$T/w2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ] && pass "two concurrent writers both succeed" || fail "concurrent writers" "exits $r1 $r2: $(tail -2 "$T/w1" "$T/w2" | tr '\n' ' ')"
[ "$(sqlite3 "$cdb" "select count(*) from runs where status='complete'")" = 6 ] && pass "both writers' runs complete (3 rounds each)" || fail "both complete" "$(sqlite3 "$cdb" 'select label,status from runs')"
a=$(sqlite3 "$cdb" "select count(*) from samples s join runs r on r.id=s.run_id where r.label='w1'")
b=$(sqlite3 "$cdb" "select count(*) from samples s join runs r on r.id=s.run_id where r.label='w2'")
[ "$a" = "$b" ] && [ "$a" -gt 0 ] && pass "both runs have all their samples ($a each)" || fail "concurrent samples" "$a vs $b"
[ "$(sqlite3 "$cdb" 'pragma integrity_check')" = ok ] && pass "integrity_check ok after concurrent writers" || fail "integrity concurrent" "not ok"
done_testing
