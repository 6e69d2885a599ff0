# The guest side of `flushbench duet` (docs/duet.md), without a guest:
# `flushbench run --sync DEV` asks the host for the job order's seed, says
# `FB-SYNC: ready POS JOB P` before every sample, starts it only on the
# host's `go POS JOB P`, acknowledges it, and says `FB-SYNC: end` at the
# end; a go for another window or a lost console fails the sample, saying
# so; a placement the guest's CPUs cannot take is a skip row, not an exit.
# tests/integration/sync_host.py plays the host over a pseudo-terminal.
. "$TOP/tests/lib.sh"
host=$TOP/tests/integration/sync_host.py
q() { sqlite3 -batch -noheader "$1" "$2"; }
cat > "$T/s.yaml" <<'Y'
samples: 3
warmup: 1
duration: 20ms
counters: {events: [task-clock], every: 3}
jobs:
  - workload: mprotect
    npages: 16
  - workload: munmap
    size: 64K
  - workload: madvise
    size: 16K
Y
db=$T/s.db
python3 "$host" ok 7 "$T/ok.txt" -- "$FB" run -q -c "$T/s.yaml" --db "$db" > "$T/ok.out" 2>&1
rc=$?
[ $rc = 0 ] && pass "a run on the host's go ends well (exit 0)" ||
	fail "sync run" "exit $rc: $(tail -3 "$T/ok.out" | tr '\n' ' ')"
first=$(head -1 "$T/ok.txt")
[ "$first" = "FB-SYNC: hello" ] && pass "it asks for the seed first" ||
	fail "hello first" "first line '$first'"
seed=$(q "$db" "select value from environment where key = 'repeat.seed'")
[ "$seed" = 7 ] && pass "the job order is the host's seed (repeat.seed 7)" ||
	fail "seed used" "repeat.seed '$seed'"
# each ready is answered by its go, then acknowledged before anything else
python3 - "$T/ok.txt" > "$T/order" <<'PY'
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
bad, n, keys = [], 0, []
for i, l in enumerate(lines):
    if l.startswith("FB-SYNC: ready "):
        k = l[len("FB-SYNC: ready "):]
        keys.append(k)
        n += 1
        want = ["> go " + k, "FB-SYNC: go " + k]
        if lines[i + 1:i + 3] != want:
            bad.append("%s: then %s" % (l, lines[i + 1:i + 3]))
print(n, len(set(keys)), lines[-1].replace(" ", "_"), "|".join(bad[:2]))
PY
read -r n uniq last rest < "$T/order"
rows=$(q "$db" "select count(*) from samples where status = 'ok'")
[ -z "$rest" ] && pass "every ready is followed by its go and then its acknowledgement" ||
	fail "ready/go/ack" "$rest"
[ "$n" = "$rows" ] && [ "$uniq" = "$n" ] &&
	pass "one window per stored sample, timed and counting ($n), each its own key" ||
	fail "windows" "$n readies ($uniq distinct) for $rows samples"
[ "$last" = "FB-SYNC:_end" ] && pass "it says FB-SYNC: end last" ||
	fail "end" "last line '$last'"
# POS follows the round's order, P counts the job's samples from 0
python3 - "$T/ok.txt" "$(q "$db" "select group_concat(job, ' ') from (select job, min(id) m from samples group by job order by m)")" > "$T/pos" <<'PY'
import sys
order = [int(j) for j in sys.argv[2].split()]
prev, ok, pos0 = None, True, None
for l in open(sys.argv[1]):
    if l.startswith("FB-SYNC: ready "):
        pos, job, p = map(int, l.split()[2:5])
        pos0 = pos if pos0 is None else pos0
        ok &= 0 <= pos - pos0 < len(order) and order[pos - pos0] == job
        ok &= p == (prev[2] + 1 if prev and prev[1] == job else 0)
        prev = (pos, job, p)
print("ok" if ok else "bad")
PY
[ "$(cat "$T/pos")" = ok ] && pass "POS is the job's place in the stored order, P its sample count from 0" ||
	fail "keys" "$(grep ready "$T/ok.txt" | head -5 | tr '\n' ' ')"
[ "$(q "$db" "select value from environment where key = 'duet.sync'")" != "" ] &&
	pass "the run's environment records duet.sync" || fail "duet.sync" "missing"

# `seed N repeat K`: K runs (rounds) in one invocation, POS going on
# increasing through them, so that the host can order every window
db5=$T/r.db
python3 "$host" ok "7 repeat 2" "$T/r.txt" -- "$FB" run -q -c "$T/s.yaml" --db "$db5" > "$T/r.out" 2>&1
rc=$?
pos=$(sed -n 's/^FB-SYNC: ready \([0-9]*\) .*/\1/p' "$T/r.txt" | tr '\n' ' ')
if [ $rc = 0 ] && [ "$(q "$db5" "select count(*) from runs where status = 'complete'")" = 2 ] &&
   [ "$(echo $pos | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$pos" ] &&
   [ "$(echo $pos | tr ' ' '\n' | sort -nu | wc -l)" = 6 ]; then
	pass "'seed 7 repeat 2': two runs, 6 places (POS) increasing over both ($pos)"
else
	fail "repeat" "exit $rc, runs $(q "$db5" "select count(*) from runs"), POS '$pos'"
fi

# a go for another window: that sample fails, saying what was said
db2=$T/w.db
python3 "$host" wrong 7 "$T/w.txt" -- "$FB" run -q -c "$T/s.yaml" --db "$db2" > "$T/w.out" 2>&1
rc=$?
r=$(q "$db2" "select reason from samples where status = 'fail' limit 1")
if [ $rc = 1 ] && [[ "$r" == *"said 'go 9 9 9' where this guest waited for"* ]]; then
	pass "a go for another window fails the sample (exit 1: $r)"
else
	fail "wrong go" "exit $rc, reason '$r'"
fi
# the console lost: fails, saying so, and ends
db3=$T/h.db
timeout 60 python3 "$host" hangup 7 "$T/h.txt" -- "$FB" run -q -c "$T/s.yaml" --db "$db3" > "$T/h.out" 2>&1
rc=$?
r=$(q "$db3" "select reason from samples where status = 'fail' limit 1")
if [ $rc = 1 ] && [[ "$r" == *"lost the duet host's console"* ]]; then
	pass "a lost console fails the sample and the run ends (exit 1: $r)"
else
	fail "hangup" "exit $rc, reason '$r'"
fi

# more threads than CPUs: an error without --sync, a skip row with it
ncpu=$(nproc)
cat > "$T/big.yaml" <<Y
samples: 2
warmup: 0
duration: 20ms
jobs:
  - workload: mprotect
    npages: 16
    threads: $ncpu
  - workload: munmap
Y
expect_exit 2 "an impossible placement is an error without --sync" \
	"$FB" run -q -c "$T/big.yaml" --db "$T/big0.db"
db4=$T/big.db
python3 "$host" ok 3 "$T/b.txt" -- "$FB" run -q -c "$T/big.yaml" --db "$db4" > "$T/b.out" 2>&1
rc=$?
r=$(q "$db4" "select status || ': ' || reason from samples where job = 0")
if [ $rc = 0 ] && [[ "$r" == "skip: placement impossible here"* ]] &&
   [ "$(q "$db4" "select count(*) from samples where job = 1 and status = 'ok'")" = 2 ]; then
	pass "with --sync (a duet's guest) it is a skip row saying so, and the rest runs ($r)"
else
	fail "impossible skip" "exit $rc, job 0 '$r': $(tail -2 "$T/b.out" | tr '\n' ' ')"
fi
expect_exit 1 "--sync on a device that is not there fails" \
	"$FB" run -q -c "$T/s.yaml" --db "$T/x.db" --sync /nonexistent/tty
done_testing
