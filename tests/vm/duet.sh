# flushbench duet (docs/duet.md): two x86_64 guests at once, one host CPU
# each, their samples started together window by window. Checks the
# pairing in the store (one vmduet.id per round, sides a and b, CPU sets
# swapped every round, every window of one side paired with the same
# window of the other), that compare and ci use the paired statistic,
# that a known effect on side b is flagged, and the faults: a guest that
# falls behind fails the round, a guest killed mid-round fails it and the
# completed rounds stay; bad command lines exit 2.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
names="duet-usage duet-aa duet-pairs duet-swap duet-compare duet-effect duet-csv duet-behind duet-deep duet-killed"
vm_ready $names || { done_testing; exit 0; }
q() { sqlite3 -batch -noheader "$1" "$2"; }
db=$T/d.db
cat > "$T/a.yaml" <<'Y'
samples: 4
warmup: 1
duration: 30ms
jobs:
  - workload: mprotect
    npages: 16
  - workload: munmap
    size: 64K
Y
# side b: the same jobs, each op 1 ms longer (several times an op here)
sed 's/^  - workload: \(.*\)$/  - workload: \1\n    extra_work_ns: 1000000/' "$T/a.yaml" > "$T/b.yaml"
duet() { "$FB" duet --debian generic --arch x86_64 --db "$db" --timeout 300 "$@"; }

# usage: exit 2, nothing booted
u=0 why=""
for args in "--rounds 2 --label-a X" "--label-a X --label-b X" \
	    "--rounds 0 --label-a X --label-b Y" "--label-a X --label-b Y --b-iommu smmuv3" \
	    "--label-a X --label-b Y --iommu vtd" "--label-a X --lable-b Y"; do
	# shellcheck disable=SC2086
	duet -c "$T/a.yaml" $args > "$T/u.out" 2>&1
	rc=$?
	[ $rc = 2 ] || { u=1; why="$why [$args: exit $rc]"; }
done
grep -q "did you mean '--label-b'" "$T/u.out" || { u=1; why="$why [no did-you-mean]"; }
duet -c "$T/a.yaml" --label-a X --label-b Y --iommu intel --a-iommu smmuv3 > "$T/u.out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q -- "--a-iommu smmuv3: an IOMMU of arm64 guests, and this guest is x86_64" "$T/u.out" ||
	{ u=1; why="$why [--a-iommu smmuv3 on x86_64: exit $rc, $(head -1 "$T/u.out")]"; }
[ $u = 0 ] && pass "duet-usage: missing, equal or misspelt labels, --rounds 0 and an IOMMU of the other arch exit 2" ||
	fail "duet-usage" "$why"

# A/A: three rounds of the same kernel on both sides, two runs a round
duet -c "$T/a.yaml" --rounds 3 --repeat 2 --label-a aa-a --label-b aa-b > "$T/aa.out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "3 of 3 rounds stored" "$T/aa.out"; then
	pass "duet-aa: an A/A duet of 3 rounds is stored whole (exit 0)"
else
	fail "duet-aa" "exit $rc: $(grep -v '^|' "$T/aa.out" | tail -4 | tr '\n' ' ')"
fi
# one id per round, its runs side a and side b (run k of each: repeat.round),
# and the windows pair: the same (job, seq) timed ok in both, one per sample
bad=$(q "$db" "
	WITH r AS (SELECT e.run_id, e.value id, s.value side, k.value k, l.label
		FROM environment e JOIN environment s ON s.run_id = e.run_id AND s.key = 'vmduet.side'
		JOIN environment k ON k.run_id = e.run_id AND k.key = 'repeat.round'
		JOIN runs l ON l.id = e.run_id WHERE e.key = 'vmduet.id' AND l.label LIKE 'aa-%'),
	p AS (SELECT a.id, a.run_id ra, b.run_id rb FROM r a JOIN r b ON a.id = b.id AND a.k = b.k
		AND a.side = 'a' AND a.label = 'aa-a' AND b.side = 'b' AND b.label = 'aa-b')
	SELECT (SELECT count(*) FROM p) || ' ' ||
	       (SELECT count(*) FROM p JOIN samples x ON x.run_id = p.ra AND x.kind = 'timed' AND x.status = 'ok'
		JOIN samples y ON y.run_id = p.rb AND y.job = x.job AND y.seq = x.seq AND y.kind = 'timed' AND y.status = 'ok')")
set -- $bad
if [ "${1:-0}" = 6 ] && [ "${2:-0}" = 48 ] &&
   [ "$(q "$db" "SELECT count(DISTINCT value) FROM environment WHERE key = 'vmduet.id'")" = 3 ]; then
	pass "duet-pairs: 3 rounds, each one id for 2 runs of each side, paired run by run; all 48 windows (3 x 2 x 2 jobs x 4) pair exactly"
else
	fail "duet-pairs" "run pairs ${1:-?}, windows paired ${2:-?} (want 6, 48)"
fi
sw=$(q "$db" "SELECT group_concat(v, ' ') FROM (SELECT DISTINCT i.value, s.value || ':' || c.value v FROM runs l
	JOIN environment i ON i.run_id = l.id AND i.key = 'vmduet.id'
	JOIN environment s ON s.run_id = l.id AND s.key = 'vmduet.swap'
	JOIN environment c ON c.run_id = l.id AND c.key = 'vmduet.cpus'
	WHERE l.label = 'aa-a' ORDER BY l.id)")
cb=$(q "$db" "SELECT group_concat(v, ' ') FROM (SELECT DISTINCT i.value, c.value v FROM runs l
	JOIN environment i ON i.run_id = l.id AND i.key = 'vmduet.id'
	JOIN environment c ON c.run_id = l.id AND c.key = 'vmduet.cpus' WHERE l.label = 'aa-b' ORDER BY l.id)")
set -- $sw
if [ $# = 3 ] && [ "${1%%:*}" = 0 ] && [ "${2%%:*}" = 1 ] && [ "${3%%:*}" = 0 ] &&
   [ "${1#*:}" != "${2#*:}" ] && [ "${1#*:}" = "${3#*:}" ] &&
   [ "$(echo $cb | cut -d' ' -f1)" != "${1#*:}" ]; then
	pass "duet-swap: side a's CPU set alternates round by round (a: $sw; b: $cb)"
else
	fail "duet-swap" "a: '$sw', b: '$cb'"
fi
"$FB" compare --db "$db" aa-a aa-b > "$T/cmp.out" 2>&1
rc=$?
"$FB" compare --db "$db" --unpaired aa-a aa-b > "$T/unp.out" 2>&1
if [ $rc = 0 ] && grep -q "^Paired (duet, 3 rounds)" "$T/cmp.out" &&
   [ "$(grep -c '^| m[a-z]* (job [01]) .* | 3 | 24 | ' "$T/cmp.out")" = 2 ] &&
   grep -q '^| job | BASE | NEW | rounds | windows | NEW vs BASE (ns/op) | 95% CI |' "$T/cmp.out" &&
   ! grep -q "Paired" "$T/unp.out" && grep -q "Improvement" "$T/unp.out"; then
	pass "duet-compare: compare pairs them (header 'Paired (duet, 3 rounds)', 24 windows a job); --unpaired does not"
else
	fail "duet-compare" "exit $rc: $(head -12 "$T/cmp.out" | tr '\n' ' ')"
fi

# a known effect on side b: flagged, and ci fails on it
duet -c "$T/a.yaml" --b-config "$T/b.yaml" --rounds 4 --repeat 1 --label-a fx-a \
	--label-b fx-b > "$T/fx.out" 2>&1
rc=$?
"$FB" ci --db "$db" --baseline fx-a --candidate fx-b > "$T/ci.out" 2>&1
ci=$?
if [ $rc = 0 ] && [ $ci = 1 ] && grep -q "^Paired (duet, 4 rounds)" "$T/ci.out" &&
   [ "$(grep -c '| (R) |$' "$T/ci.out")" = 2 ] && grep -q "^FAIL: 2 jobs regressed" "$T/ci.out"; then
	pass "duet-effect: 1 ms more per op on side b is (R) on both jobs; ci exits 1"
else
	fail "duet-effect" "duet exit $rc, ci exit $ci: $(grep '^|\|FAIL\|PASS\|INCON' "$T/ci.out" | tail -4 | tr '\n' ' ')"
fi
# the same analysis as csv (flushbench matrix's seed-style table reads it):
# one line per job, both marked R, 4 rounds, the change the table prints
"$FB" compare --db "$db" --format csv fx-a fx-b > "$T/fx.csv" 2>&1
rc=$?
"$FB" compare --db "$db" fx-a fx-b > "$T/fx.md" 2>&1
c0=$(awk -F, 'NR == 2 { printf "%+.2f%%", $8 }' "$T/fx.csv")
if [ $rc = 0 ] && head -1 "$T/fx.csv" | grep -q '^workload,job_a,job_b,params_a,params_b,rounds,windows,change_pct,' &&
   [ "$(awk -F, 'NR > 1 && $6 == 4 && $14 == "R"' "$T/fx.csv" | wc -l)" = 2 ] &&
   [ "$(wc -l < "$T/fx.csv")" = 3 ] && grep -q "(job 0) .* | $c0 | " "$T/fx.md"; then
	pass "duet-csv: compare --format csv gives the paired rows (2 jobs, 4 rounds, both R; job 0 $c0 as in the table)"
else
	fail "duet-csv" "exit $rc: $(head -3 "$T/fx.csv" | tr '\n' ' ') / table $c0"
fi

# side b falls behind: its warm-up keeps side a waiting past --window-timeout
sed 's/^warmup: 1/warmup: 100/' "$T/a.yaml" > "$T/slow.yaml"
n0=$(q "$db" "SELECT count(*) FROM runs")
duet -c "$T/a.yaml" --b-config "$T/slow.yaml" --rounds 1 --repeat 1 --window-timeout 1 \
	--label-a bh-a --label-b bh-b > "$T/bh.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "round 1/1 FAILED: side b (bh-b) fell behind" "$T/bh.out" &&
   [ "$(q "$db" "SELECT count(*) FROM runs")" = "$n0" ]; then
	pass "duet-behind: $(grep -o 'side b (bh-b) fell behind[^;]*' "$T/bh.out" | cut -c1-90)...; exit 1, nothing stored"
else
	fail "duet-behind" "exit $rc: $(grep FAILED "$T/bh.out" | cut -c1-200)"
fi

# the tree at a path too long for a UNIX socket's (108 bytes): the console
# sockets go to a directory of their own under $TMPDIR, removed after
deep=$T/$(printf 'd%.0s' $(seq 100))
ln -s "$TOP" "$deep" && mkdir -p "$T/tmp"
TMPDIR=$T/tmp FLUSHBENCH_TOP=$deep "$deep/flushbench" duet --debian generic --arch x86_64 \
	--db "$db" --timeout 300 -c "$TOP/tests/vm/tiny.yaml" --rounds 1 --repeat 1 \
	--label-a deep-a --label-b deep-b > "$T/deep.out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "1 of 1 rounds stored" "$T/deep.out" && [ -z "$(ls -A "$T/tmp")" ]; then
	pass "duet-deep: from a tree at a ${#deep}-byte path, the round is stored; the socket directory is gone after"
else
	fail "duet-deep" "exit $rc, left in TMPDIR: '$(ls -A "$T/tmp")': $(tail -3 "$T/deep.out" | tr '\n' ' ')"
fi

# side b's QEMU killed in round 2: that round fails, round 1 stays
cat > "$T/long.yaml" <<'Y'
samples: 8
warmup: 1
duration: 200ms
jobs:
  - workload: mprotect
    npages: 16
Y
"$FB" duet --debian generic --arch x86_64 --db "$db" --timeout 300 \
	-c "$T/long.yaml" --rounds 2 --repeat 1 --label-a k-a --label-b k-b > "$T/k.out" 2>&1 &
pid=$!
killed=""
for _ in $(seq 1200); do	# up to 120 s
	sleep 0.1
	kill -0 $pid 2>/dev/null || break
	grep -q "round 1/2:" "$T/k.out" || continue
	q2=$(pgrep -f "duet\.$pid\.b\.sock" | while read -r c; do
		[[ "$(cat /proc/$c/comm 2>/dev/null)" == qemu-system* ]] && echo $c; done | head -1)
	log=$(ls "$TOP"/build/vm/console.$pid.duet-1b.log 2>/dev/null)
	if [ -n "$q2" ] && [ -n "$log" ] && grep -q "FB-SYNC: go" "$log"; then
		kill -9 "$q2"
		killed=$q2
		break
	fi
done
wait $pid
rc=$?
if [ -n "$killed" ] && [ $rc = 1 ] &&
   grep -q "round 2/2 FAILED: side b (k-b): the guest ended before its suite did" "$T/k.out" &&
   [ "$(runs_of "$db" k-a complete)" = 1 ] && [ "$(runs_of "$db" k-b complete)" = 1 ]; then
	pass "duet-killed: side b killed mid-round 2: the round fails naming it, round 1 stays stored, exit 1"
else
	fail "duet-killed" "killed '$killed', exit $rc: $(grep 'round\|stored' "$T/k.out" | cut -c1-160 | tr '\n' ' ')"
fi
done_testing
