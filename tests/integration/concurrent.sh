# Two writers and a reader at one store, 100 rounds: per round two
# `flushbench run`s of the smallest suite (labels a and b) and, while they
# write, `flushbench compare a b` and `flushbench runs` over and over. No
# SQLITE_BUSY leaks out ("busy", "locked"), everything exits 0, and no
# sample is lost: 2 + 200 complete runs of 2 samples each.
. "$TOP/tests/lib.sh"
ROUNDS=${FB_CONCURRENT_ROUNDS:-100}
tiny=$TOP/tests/integration/tiny.yaml
db=$T/c.db
tiny_runs "$db" a b	# something for compare from the first round on
t0=$SECONDS
bad=0 nreads=0 nover=0
for i in $(seq 1 "$ROUNDS"); do
	"$FB" run -q -c "$tiny" --db "$db" --label a >"$T/a.out" 2>&1 & pa=$!
	"$FB" run -q -c "$tiny" --db "$db" --label b >"$T/b.out" 2>&1 & pb=$!
	# read while either writes (kill -0: still there)
	overlap=0
	while kill -0 $pa 2>/dev/null || kill -0 $pb 2>/dev/null; do
		overlap=1
		"$FB" compare --db "$db" a b >"$T/r.out" 2>&1 &&
			"$FB" runs --db "$db" >>"$T/r.out" 2>&1; rc=$?
		nreads=$((nreads + 1))
		if [ $rc != 0 ] || grep -Eqi "busy|locked" "$T/r.out"; then
			bad=$((bad + 1))
			[ $bad -gt 3 ] || fail "round $i: a reader" "exit $rc: $(grep -Ei 'busy|locked|error|flushbench' "$T/r.out" | head -3)"
		fi
	done
	nover=$((nover + overlap))
	wait $pa; ra=$?
	wait $pb; rb=$?
	for w in a b; do
		r=$ra
		[ $w = b ] && r=$rb
		if [ "$r" != 0 ] || grep -Eqi "busy|locked" "$T/$w.out"; then
			bad=$((bad + 1))
			[ $bad -gt 3 ] || fail "round $i: writer $w" "exit $r: $(head -3 "$T/$w.out")"
		fi
	done
done
secs=$((SECONDS - t0))
echo "# $ROUNDS rounds in ${secs}s, $nreads reads (compare + runs) beside the writers; load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ $bad = 0 ] && pass "$ROUNDS rounds: every writer and reader exited 0, none said busy or locked ($nreads reads)" ||
	fail "writers and readers at once" "$bad failures (the first 3 above)"
[ "$nover" = "$ROUNDS" ] && pass "a reader read while they wrote, in every round" ||
	fail "reads during the rounds" "in $nover of $ROUNDS rounds"
want=$((ROUNDS + 1))
got=$(sqlite3 "$db" "select label, status, count(*) from runs group by label, status order by label, status")
[ "$got" = "a|complete|$want"$'\n'"b|complete|$want" ] &&
	pass "$((2 * want)) runs, all complete ($want of each writer)" || fail "runs" "$(echo "$got" | tr '\n' ' ')"
got=$(sqlite3 "$db" "select count(*) from samples")
[ "$got" = $((4 * want)) ] && pass "$got samples: 2 of each run, none lost" || fail "samples" "$got, wanted $((4 * want))"
got=$(sqlite3 "$db" "select count(*) from runs r where (select count(*) from samples s where s.run_id = r.id and s.status = 'ok') <> 2")
[ "$got" = 0 ] && pass "every run has its 2 ok samples" || fail "samples per run" "$got runs without 2 ok samples"
[ "$(sqlite3 "$db" 'pragma integrity_check')" = ok ] && pass "integrity_check ok" ||
	fail "integrity" "$(sqlite3 "$db" 'pragma integrity_check')"
# two writers creating one store: the schema and the switch to WAL race
nfresh=${FB_CONCURRENT_FRESH:-20}
bad=0
for i in $(seq 1 "$nfresh"); do
	fdb=$T/fresh$i.db
	"$FB" run -q -c "$tiny" --db "$fdb" --label a >"$T/a.out" 2>&1 & pa=$!
	"$FB" run -q -c "$tiny" --db "$fdb" --label b >"$T/b.out" 2>&1 & pb=$!
	wait $pa; ra=$?
	wait $pb; rb=$?
	got=$(sqlite3 "$fdb" "select group_concat(label || status, ' ') from (select label, status from runs order by label); select count(*) from samples; pragma integrity_check")
	if [ $ra != 0 ] || [ $rb != 0 ] || grep -Eqi "busy|locked" "$T/a.out" "$T/b.out" ||
	   [ "$got" != "acomplete bcomplete"$'\n'"4"$'\n'"ok" ]; then
		bad=$((bad + 1))
		[ $bad -gt 3 ] || fail "new store $i" "exits $ra $rb: $(head -2 "$T/a.out" "$T/b.out" | tr '\n' ' '); $got"
	fi
	rm -f "$fdb"*
done
[ $bad = 0 ] && pass "$nfresh new stores, each created by two writers at once: both complete, 4 samples, integrity ok" ||
	fail "writers creating a store" "$bad of $nfresh failed (the first 3 above)"
done_testing
