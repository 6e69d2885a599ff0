# Bad suites: a clear file:line:column message, exit 2, nothing written.
. "$TOP/tests/lib.sh"
db=$T/keep.db
"$FB" run -q -c "$TOP/configs/quick.yaml" --db "$db" --only munmap >/dev/null 2>&1 \
	|| fail "seed database" "could not create it"
sum0=$(sha256sum < "$db")
# case NAME, YAML body, expected message (grep -E)
bad() {
	name=$1 body=$2 want=$3
	printf '%s\n' "$body" > "$T/bad.yaml"
	out=$("$FB" run -q -c "$T/bad.yaml" --db "$T/new.db" 2>&1); rc=$?
	if [ $rc != 2 ]; then fail "$name: exit 2" "exit $rc: $out"; return; fi
	if ! printf '%s' "$out" | grep -Eq "$want"; then fail "$name: message" "got: $out"; return; fi
	if [ -e "$T/new.db" ]; then fail "$name: nothing written" "new.db was created"; rm -f "$T/new.db"; return; fi
	out2=$("$FB" run -q -c "$T/bad.yaml" --db "$db" 2>&1)
	[ "$(sha256sum < "$db")" = "$sum0" ] || { fail "$name: existing db untouched" "changed"; return; }
	pass "$name: $(printf '%s' "$out" | head -1)"
}
bad "YAML syntax error" 'jobs:
  - workload: fork
    rss: [0, 64M' 'bad\.yaml:[0-9]+:[0-9]+: YAML syntax error'
bad "unknown key with did-you-mean" 'jobs:
  - workload: mprotect
    sampels: 3' "bad\.yaml:3:5: unknown key 'sampels' .*did you mean 'samples'"
bad "unknown suite key" 'iteratons: 3
jobs:
  - workload: fork' "bad\.yaml:1:1: unknown key 'iteratons'"
bad "wrong type" 'samples: lots
jobs:
  - workload: fork' "bad\.yaml:1:10: samples: 'lots' is not a whole number"
bad "wrong type (mapping for a size)" 'jobs:
  - workload: fork
    rss: {a: 1}' "bad\.yaml:3:10: rss: expected a size"
bad "out of range" 'jobs:
  - workload: fork
    samples: 0' "bad\.yaml:3:14: samples: 0 is out of range"
bad "unknown workload" 'jobs:
  - workload: forks' "bad\.yaml:2:15: unknown workload 'forks' .*did you mean 'fork'"
bad "unknown event" 'counters: [task-clock, no-such-event]
jobs:
  - workload: fork' "bad\.yaml:1:24: counters: .*no-such-event"
bad "impossible placement (spread)" 'jobs:
  - workload: mprotect
    threads: 255' "bad\.yaml:2:5: mprotect: impossible placement"
bad "impossible placement (cpu list)" 'cpus: [60000]
jobs:
  - workload: fork' "bad\.yaml:[0-9]+:[0-9]+: .*impossible placement.*60000"
bad "duplicate key" 'jobs:
  - workload: fork
    rss: 4M
    rss: 8M' "bad\.yaml:4:5: duplicate key 'rss'"
bad "unknown enum value" 'placement: sprad
jobs:
  - workload: fork' "bad\.yaml:1:12: placement: unknown value 'sprad' \(did you mean 'spread'\?\)"
bad "empty file" '' 'bad\.yaml:1:1: empty suite'
bad "no jobs" 'samples: 3' "bad\.yaml:1:1: the suite has no 'jobs' list"
out=$("$FB" run -q -c "$T/does-not-exist.yaml" --db "$T/new.db" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "does-not-exist.yaml: cannot read: No such file" && [ ! -e "$T/new.db" ] \
	&& pass "unreadable file: $out" || fail "unreadable file" "exit $rc: $out"
out=$("$FB" run -q -c "$TOP/configs/quick.yaml" --only nosuch --db "$T/new.db" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "unknown workload 'nosuch'" && pass "--only with an unknown workload" || fail "--only unknown" "exit $rc: $out"
# impossible placements in a sweep become skip rows when the suite says so
printf 'impossible: skip\nsamples: 2\nduration: 5ms\njobs:\n  - workload: mprotect\n    threads: [0, 255]\n' > "$T/skip.yaml"
"$FB" run -q -c "$T/skip.yaml" --db "$T/skip.db" >/dev/null 2>&1
r=$(sqlite3 "$T/skip.db" "select status||':'||reason from samples where params like '%threads=255%'")
case "$r" in skip:*impossible*) pass "impossible: skip records a skip row with the reason" ;;
	*) fail "impossible: skip" "got '$r'" ;; esac
done_testing
