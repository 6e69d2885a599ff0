# A LAVA job end to end, run locally with lava-run (make test-lava; not part
# of make test: it needs lava-dispatcher, which deps/lava.pkgs installs, and
# a few minutes of TCG). For each guest arch: the image of `flushbench vm
# --build-only`, the device and job of scripts/lava-job.sh (this tree's
# lava/flushbench.yaml inline), lava-run under the guest lock; then the
# job's results against the store it printed on the console.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
if [ "${FLB_TEST_LAVA:-}" != 1 ]; then
	skip "lava-job" "a LAVA job under lava-run takes minutes and lava-dispatcher: make test-lava runs it (FLB_TEST_LAVA=1)"
	done_testing
	exit 0
fi
py=/usr/bin/python3	# Debian's, where lava_common lives
arches=${FLB_LAVA_ARCHES:-arm64 x86_64}
# as root, what deps/lava.pkgs lists and is missing is installed (make
# test-lava does it before; this is for tests/run.sh lava/run.sh alone)
[ "$(id -u)" = 0 ] && "$TOP/scripts/deps.sh" lava >&2
if ! command -v lava-run > /dev/null || ! "$py" -c 'import lava_common, jinja2, yaml' 2> /dev/null; then
	fail "lava-installed" "no lava-run or lava_common/jinja2/yaml for $py: scripts/deps.sh lava (make test-lava installs them)"
	done_testing
	exit 0
fi
vm_ready lava-job || { done_testing; exit 0; }

# The results LAVA recorded for the test definition, a line each: CASE
# RESULT MEASUREMENT UNITS ("-" for none), from the job log (JSON lines).
lava_cases() {	# LOG
	"$py" - "$1" <<-'EOF'
	import json, sys
	import yaml
	for line in open(sys.argv[1], errors="replace"):
	    if '"lvl": "results"' not in line:
	        continue
	    try:
	        e = json.loads(line)
	    except ValueError:
	        # lava-run tags some values YAML's way: "endtc": ! "264"
	        e = yaml.safe_load(line)
	    m = e.get("msg")
	    if e.get("lvl") != "results" or not isinstance(m, dict) or m.get("definition") != "0_flushbench":
	        continue
	    print(m["case"], m["result"], m.get("measurement", "-"), m.get("units", "-"))
	EOF
}

# verdict NAME TEXT GOT: a pass whose text is TEXT with GOT's count for %s
# when GOT (a check's one line) is "ok COUNT", else a failure saying GOT
verdict() {
	# shellcheck disable=SC2059
	if [[ "$3" == "ok "* ]]; then pass "$1: $(printf "$2" "${3#ok }")"; else fail "$1" "$3"; fi
}

lava_job() {	# ARCH
	local a=$1 out=$T/$a img kernel initrd id rc t0 log got nomeas
	mkdir -p "$out"
	t0=$SECONDS
	if ! img=$("$FB" vm --debian generic --arch "$a" --build-only -c "$TOP/configs/quick.yaml" 2> "$out/build.err"); then
		fail "$a-build-only" "$(tail -5 "$out/build.err" | tr '\n' ' ')"
		return
	fi
	kernel=$(sed -n 's/^kernel=//p' <<< "$img")
	initrd=$(sed -n 's/^initrd=//p' <<< "$img")
	if [ -r "$kernel" ] && [ -r "$initrd" ] && [ "$(wc -l <<< "$img")" = 2 ]; then
		pass "$a-build-only: kernel= and initrd= ($((SECONDS - t0)) s)"
	else
		fail "$a-build-only" "printed '$img'"
		return
	fi
	if ! scripts/lava-job.sh --arch "$a" --kernel "$kernel" --initrd "$initrd" \
		--label "lava-$a" --out "$out" > "$out/render.out" 2>&1; then
		fail "$a-render" "$(tail -3 "$out/render.out" | tr '\n' ' ')"
		return
	fi
	check "$a-job-valid: the rendered job passes lava_common's schema" \
		scripts/lava-job.sh --validate "$out/job.yaml"

	# lava-run (without --url) writes its log on stderr, JSON lines; the
	# output dir gets description.yaml and result.yaml (the job's result
	# only). A lab's log (lava-server's output.yaml, lavacli jobs logs
	# --raw) is the same lines as a YAML list: output.yaml here too.
	id=$((($$ % 100000) * 10 + ${#a}))
	mkdir -p "$out/dir"
	t0=$SECONDS
	flock /tmp/flb-guest.lock lava-run --job-id "$id" --output-dir "$out/dir" \
		--device "$out/device.yaml" "$out/job.yaml" > "$out/lava-run.err" 2>&1
	rc=$?
	grep '^{"dt": ' "$out/lava-run.err" > "$out/log.jsonl"
	sed 's/^/- /' "$out/log.jsonl" > "$out/dir/output.yaml"
	log=$out/dir/output.yaml
	if [ $rc = 0 ] && grep -q '"msg": {"case": "job", "definition": "lava", "result": "pass"}' "$log"; then
		pass "$a-job-complete: lava-run exit 0, job result pass ($((SECONDS - t0)) s)"
	else
		fail "$a-job-complete" "lava-run exit $rc: $(grep -E '"lvl": "(error|exception)"' "$out/log.jsonl" | tail -3 | tr '\n' ' ') $(tail -3 "$out/lava-run.err" | tr '\n' ' ')"
		cp "$out/log.jsonl" "/tmp/flb-lava-$a.$$.log" 2> /dev/null &&
			echo "# the job log: /tmp/flb-lava-$a.$$.log"
		return
	fi
	lava_cases "$out/log.jsonl" > "$out/cases"
	echo "# LAVA's results for $a:"; sed 's/^/#   /' "$out/cases"
	if grep -qx 'flushbench-run pass - -' "$out/cases" && grep -qx 'flushbench-export pass - -' "$out/cases"; then
		pass "$a-run-export: the test cases flushbench-run and flushbench-export pass"
	else
		fail "$a-run-export" "$(grep '^flushbench-' "$out/cases" | tr '\n' ' ')"
	fi

	# the store, back from the job log, with the job's id and device
	if "$FB" import --db "$out/store.db" "$log" > "$out/import.out" 2>&1; then
		pass "$a-import: flushbench import of the job log ($(tail -1 "$out/import.out"))"
	else
		fail "$a-import" "$(tail -3 "$out/import.out" | tr '\n' ' ')"
		return
	fi
	got=$(sqlite3 "$out/store.db" "SELECT group_concat(DISTINCT r.label) || ' ' || count(DISTINCT r.id) || ' ' ||
		group_concat(DISTINCT j.value) || ' ' || group_concat(DISTINCT d.value) FROM runs r
		LEFT JOIN environment j ON j.run_id = r.id AND j.key = 'lab.job_id'
		LEFT JOIN environment d ON d.run_id = r.id AND d.key = 'lab.device' WHERE r.status = 'complete'")
	# configs/quick.yaml: repeat 3, three runs
	if [[ "$got" == "lava-$a 3 $id "?* ]]; then
		pass "$a-lab-keys: 3 complete runs 'lava-$a', lab.job_id $id, lab.device ${got##* }"
	else
		fail "$a-lab-keys" "label, runs, lab.job_id, lab.device: '$got', want 'lava-$a 3 $id DEVICE'"
	fi
	[ -s "$out/store.db" ] || return

	# every primary row of the store is a test case, named, valued and
	# with units as export prints them from the store on the host (values
	# compared as doubles: LAVA's log may write the number back shorter)
	"$FB" export --lava-cases --db "$out/store.db" | awk -F '\t' '{ print $1, $2, ($3 == "" ? "-" : $3), ($4 == "" ? "-" : $4) }' |
		sort > "$out/want"
	grep -v '^flushbench-' "$out/cases" | sort > "$out/got"
	got=$("$py" - "$out/want" "$out/got" <<-'EOF'
	import sys
	def rows(path):
	    return {l.split()[0]: l.split()[1:] for l in open(path)}
	want, got = rows(sys.argv[1]), rows(sys.argv[2])
	def same(w, g):
	    return w[0] == g[0] and w[2] == g[2] and (w[1] == g[1] or float(w[1]) == float(g[1]))
	bad = [n for n in want if n not in got or not same(want[n], got[n])]
	bad += [n for n in got if n not in want]
	nomeas = [n for n, (r, v, u) in got.items() if r != "skip" and "-" in (v, u)]
	if not want or bad or nomeas:
	    print("LAVA recorded %d, export prints %d; differ: %s; no measurement: %s"
	          % (len(got), len(want), ["%s %s / %s" % (n, want.get(n), got.get(n)) for n in bad[:3]], nomeas[:3]))
	else:
	    print("ok %d" % len(got))
	EOF
	)
	verdict "$a-cases" "%s rows (3 runs x jobs), each a test case with its measurement and units" "$got"
	# each measurement is the median of its row's primary metric over its
	# run's ok samples, from sample_values here (SQL; Python's sqlite3 for
	# the exact doubles: the sqlite3 shell prints 15-16 digits), exactly
	got=$("$py" - "$out/got" "$out/store.db" <<-'EOF'
	import sqlite3, sys
	meas = sorted(float(l.split()[2]) for l in open(sys.argv[1]) if l.split()[2] != "-")
	db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
	vals = {}
	for run, wl, params, v in db.execute("""
	        SELECT v.run_id, v.workload, v.params, v.value
	        FROM sample_values v JOIN runs r ON r.id = v.run_id
	        WHERE r.status = 'complete' AND v.metric =
	            CASE WHEN v.workload = 'redis_like' THEN 'ops_per_sec' ELSE 'ns_per_op' END"""):
	    vals.setdefault((run, wl, params), []).append(v)
	meds = []
	for v in vals.values():
	    v.sort()
	    n = len(v)
	    meds.append(v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2)
	meds.sort()
	bad = [(m, x) for m, x in zip(meas, meds) if m != x]
	if len(meas) != len(meds) or bad or not meas:
	    print("%d measurements, %d rows; unequal (measurement, median): %s"
	          % (len(meas), len(meds), bad[:4]))
	else:
	    print("ok %d" % len(meas))
	EOF
	)
	verdict "$a-medians" "every measurement is its row's median over its run's samples in the store, exactly (%s rows)" "$got"
}

cd "$TOP" || exit 2
check "jobs-valid: lava/jobs/*.yaml (QEMU and the board's) pass lava_common's job schema" \
	scripts/lava-job.sh --validate lava/jobs/*.yaml
for a in $arches; do
	if [ "$a" = arm64 ] && ! arm64_ready; then
		skip "arm64-lava-job" "arm64 is not a dpkg architecture here (dpkg --add-architecture arm64; apt-get update)"
		continue
	fi
	lava_job "$a"
done
done_testing
