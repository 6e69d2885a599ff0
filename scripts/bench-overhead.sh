#!/bin/bash
# README benchmark (issue 11): does flushbench measure the kernel or the
# harness? For each row, a bare loop built from the workload's own source
# (build/tests/wldrive: workloads/<name>/<name>.c, bench/job.c, tasks.c,
# region.c, lib/options.c, static; no SQLite, hwloc, libyaml, perf) against
# `flushbench run` of a one-job suite doing the same work: the same
# samples, warm-up and op count per sample (`ops:`, so no calibration),
# the same CPU (`placement: cpus`), ASLR off in both (the runner turns it
# off; the bare loop runs under `setarch -R`). flushbench runs three
# times: with no counters (fb0); with the counters of configs/default.yaml
# (or --events) as a suite gets them by default, in counting samples of
# their own, so that its timed samples run with no perf event open (fbc);
# and with the same counters `mode: inline`, on every timed sample (fbi),
# which shows what counting costs the time it would perturb.
# The bare loop is started on its CPU (taskset), so its mm never ran on
# another CPU: on x86 such a CPU stays in mm_cpumask while it idles lazily
# and sends every flush of the job down the remote path (flush_tlb_multi),
# which is a harness effect to show, not to copy (README, issue 11).
#
# Rounds are randomized interleaved trials (Abedi & Brecht, ICPE 2017):
# each round takes the rows in a shuffled order and runs a row's four
# variants back to back, also shuffled, so a ratio compares runs seconds
# apart and drift of the machine falls on every variant alike. Each run is
# summarised by the median ns/op of its samples; per row the script
# prints the median of those over the rounds and the ratio flushbench/bare
# per round: its median over the rounds with a distribution-free 95%
# confidence interval of that median (order statistics of the binomial,
# as for a sign test; it needs 6 rounds or more), and each round's ratio.
# On a host whose noise is per process (each process its own physical
# pages and host backing), rounds are what narrows that interval.
#
# flushbench runs with `--repeat 1`, as every suite with `repeat:`
# (configs/default.yaml and quick.yaml); --plain runs a plain `run`. Either
# way the job runs in flushbench-worker (bench/worker.c), a process of its
# own that links none of the runner's libraries; before it existed, a
# plain run measured in the one process that also loaded the suite, the
# store and hwloc, and --repeat in a re-exec of all of flushbench.
#
# --probe adds the measured processes' mm at the moment they fork (fork
# rss=0: VMAs, shared objects, RSS, perf fds, from /proc/PID while it
# runs), the bare fork against extra VMAs, and the bare loop started on
# another CPU than it pins to (what flushbench's processes do).
#
# Usage: scripts/bench-overhead.sh [-r ROUNDS] [-s SAMPLES] [-w WARMUP]
#          [--cpu N] [--seed S] [--plain] [--events E1,E2] [--probe]
#          [--only ROW-SUBSTRING]... [--scale X] [--variants V1,V2,...]
#   defaults: 6 rounds, 5 samples, 2 warm-up, CPU 0, a fresh seed, every
#   variant (bare,fb0,fbc,fbi; bare is always run).
#   --scale multiplies every row's op count (0.1 for a smoke run).
# Exits 0 whatever the ratios are; 1 when a run fails or reports no sample.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

rounds=6 samples=5 warmup=2 cpu=0 seed= plain=0 events= probe=0 scale=1
only=() variants=(bare fb0 fbc fbi)
while [ $# -gt 0 ]; do
	case $1 in
	-r) rounds=$2; shift ;;
	-s) samples=$2; shift ;;
	-w) warmup=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--seed) seed=$2; shift ;;
	--plain) plain=1 ;;
	--events) events=$2; shift ;;
	--probe) probe=1 ;;
	--only) only+=("$2"); shift ;;
	--scale) scale=$2; shift ;;
	--variants) IFS=, read -ra variants <<<"bare,${2#bare,}"; shift ;;
	*) sed -n 's/^# \{0,1\}//; /^Usage:/,/^Exits/p' "$0" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')

# label | workload | parameters | ops per sample (about 100-200 ms here)
ROWS=(
	"fork rss=0|fork|rss=0|1000"
	"fork rss=64M|fork|rss=64M|50"
	"mprotect npages=1|mprotect|npages=1|40000"
	"mprotect npages=512|mprotect|npages=512|3000"
	"munmap size=4K|munmap|size=4K|15000"
	"munmap size=2M|munmap|size=2M|100"
	"madvise size=64K|madvise|size=64K|2000"
)
. "$top/scripts/bench-lib.sh"
pick_rows bench-overhead

make -s all build/tests/wldrive >/dev/null
fb=./flushbench bare=build/tests/wldrive
dir=$(mktemp -d /tmp/fb-overhead.XXXXXX)
db=$dir/runs.db
trap 'rm -rf "$dir"' EXIT
die() { echo "bench-overhead: $*" >&2; exit 1; }

# the counters of the default suite, or --events
if [ -n "$events" ]; then
	counters="counters:
  events: [${events//,/, }]"
else
	counters=$(sed -n '/^counters:/,/^[a-z]/{/^counters:/p; /^  /p}' configs/default.yaml)
fi
# suite ROW VARIANT FILE: the one-job suite of a row, with or without counters
suite() {
	local wl=$2 params=$3 ops=$4
	{
		printf 'samples: %s\nwarmup: %s\nops: %s\nplacement: cpus\ncpus: [%s]\n' \
			"$samples" "$warmup" "$ops" "$cpu"
		[ "$5" = fbc ] && printf '%s\n' "$counters"
		[ "$5" = fbi ] && printf '%s\n  mode: inline\n' "$counters"
		printf 'jobs:\n  - workload: %s\n' "$wl"
		for kv in $params; do printf '    %s: %s\n' "${kv%%=*}" "${kv#*=}"; done
	} > "$6"
}

# measure I VARIANT ROUND: one run; prints the median ns/op of its samples
measure() {
	local label wl params ops out err=$dir/err
	IFS='|' read -r label wl params ops <<<"${rows[$1]}"
	ops=$(ops_of "$ops")
	case $2 in
	bare)
		out=$(taskset -c "${born:-$cpu}" setarch "$(uname -m)" -R "$bare" --cpu "$cpu" \
			--samples "$samples" --warmup "$warmup" "$wl" "$ops" $params 2>"$err") ||
			die "$label: bare loop failed: $(tail -2 "$err" | tr '\n' ' ')"
		grep -q " status=ok " <<<"$out" || die "$label: bare loop: ${out##*$'\n'}"
		sed -n 's/^sample=.* ns_per_op=//p' <<<"$out" | median
		;;
	fb0|fbc|fbi)
		local cfg=$dir/$1-$2.yaml run=r$3-$1-$2 rep=(--repeat 1)
		[ $plain = 1 ] && rep=()
		suite "$label" "$wl" "$params" "$ops" "$2" "$cfg"
		"$fb" run -q -c "$cfg" --db "$db" -l "$run" "${rep[@]}" >"$err" 2>&1 ||
			die "$label: flushbench run ($2) failed: $(tail -3 "$err" | tr '\n' ' ')"
		out=$(sqlite3 "$db" "select s.ns_per_op from samples s join runs r on r.id = s.run_id
			where r.label = '$run' and s.status = 'ok' and s.kind = 'timed'")
		[ "$(wc -w <<<"$out")" = "$samples" ] ||
			die "$label: flushbench run ($2): $(wc -w <<<"$out") ok samples of $samples: $(sqlite3 "$db" \
				"select status || ' ' || coalesce(reason, '') from samples s join runs r on r.id = s.run_id where r.label = '$run' limit 1")"
		median <<<"$out"
		;;
	esac
}

shuffled() {	# SEED ITEMS...: the items in an order drawn from SEED
	local s=$1; shift
	printf '%s\n' "$@" | awk -v s="$s" 'BEGIN { srand(s) } { printf "%.17f\t%s\n", rand(), $0 }' |
		sort -g | cut -f2
}

for v in "${variants[@]}"; do
	case $v in bare|fb0|fbc|fbi) ;; *) echo "bench-overhead: --variants: unknown variant '$v' (bare, fb0, fbc, fbi)" >&2; exit 2 ;; esac
done
echo "bench-overhead: ${#rows[@]} rows x ${#variants[@]} variants (${variants[*]}) x $rounds rounds, $samples samples ($warmup warm-up) each, CPU $cpu, seed $seed, flushbench $([ $plain = 1 ] && echo 'run (one run)' || echo 'run --repeat 1 (job in a worker process)')"
echo "  $(uname -r), $(nproc) CPUs, THP $(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null), flushbench $(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD || echo -dirty), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %H:%M UTC')"
echo "  counters (fbc: counting samples, fbi: inline): $(tr '\n' ' ' <<<"$counters" | tr -s ' ')"
res=$dir/results
: > "$res"
for round in $(seq 1 "$rounds"); do
	for i in $(shuffled "$seed$round" $(seq 0 $((${#rows[@]} - 1)))); do
		for v in $(shuffled "$seed$round$i" "${variants[@]}"); do
			m=$(measure "$i" "$v" "$round")
			echo "$i $v $round $m" >> "$res"
		done
	done
	printf '  round %d/%d done, load %s\n' "$round" "$rounds" "$(cut -d' ' -f1 /proc/loadavg)" >&2
done

echo
cname=$([ -n "$events" ] && echo "counters $events" || echo "default counters")
declare -A title=([fb0]="no counters" [fbc]="$cname, counting samples" [fbi]="$cname inline")
hdr="| row | ops/sample | bare ns/op |" sep="| --- | --- | --- |"
for v in "${variants[@]:1}"; do
	hdr+=" ${title[$v]}: ns/op | ratio, median [95% CI] |"
	sep+=" --- | --- |"
done
echo "$hdr"
echo "$sep"
per_round=""
for i in $(seq 0 $((${#rows[@]} - 1))); do
	IFS='|' read -r label wl params ops <<<"${rows[$i]}"
	line="| $label | $(ops_of "$ops") | $(awk -v i="$i" '$1 == i && $2 == "bare" { print $4 }' "$res" | median | xargs printf '%.0f') |"
	per_round+="  $label:"
	for v in "${variants[@]:1}"; do
		line+=$(awk -v i="$i" -v V="$v" '
			function sort(a, n,   k, j, t) {
				for (k = 2; k <= n; k++) for (j = k; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			}
			function med(a, n) { return (a[int((n + 1) / 2)] + a[int(n / 2) + 1]) / 2 }
			$1 == i { v[$2, $3] = $4; if ($3 > R) R = $3 }
			END {
				for (r = 1; r <= R; r++) { m[r] = v[V, r]; q[r] = v[V, r] / v["bare", r] }
				sort(m, R); sort(q, R)
				# the largest k with P(Bin(R, 1/2) < k) <= 0.025: [q_k, q_(R+1-k)]
				k = 0; c = 0; p = 0.5 ^ R
				for (j = 0; j < R; j++) { if (c + p > 0.025) break; c += p; k = j + 1; p = p * (R - j) / (j + 1) }
				ci = k >= 1 ? sprintf("[%.3f-%.3f]", q[k], q[R + 1 - k]) : "[too few rounds]"
				printf " %.0f | %.3f %s |", med(m, R), med(q, R), ci
			}' "$res")
		per_round+=" $v$(awk -v i="$i" -v V="$v" '$1 == i { v[$2, $3] = $4; if ($3 > R) R = $3 }
			END { for (r = 1; r <= R; r++) printf " %.3f", v[V, r] / v["bare", r] }' "$res");"
	done
	echo "$line"
	per_round+=$'\n'
done
echo
echo "ratio flushbench/bare per round (round order):"
printf '%s' "$per_round"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

[ $probe = 1 ] || exit 0

# mm_of PID: VMAs, shared objects, RSS, perf fds of a running process
mm_of() {
	local p=$1
	printf '%s VMAs, %s shared objects, RssAnon %s kB, RssFile %s kB, VmPTE %s kB, %s perf fds' \
		"$(wc -l < "/proc/$p/maps")" \
		"$(awk '$6 ~ /\.so/ { print $6 }' "/proc/$p/maps" | sort -u | wc -l)" \
		"$(awk '/^RssAnon/ { print $2 }' "/proc/$p/status")" \
		"$(awk '/^RssFile/ { print $2 }' "/proc/$p/status")" \
		"$(awk '/^VmPTE/ { print $2 }' "/proc/$p/status")" \
		"$(ls -l "/proc/$p/fd" 2>/dev/null | grep -c 'perf_event' || true)"
}
# probe_fb VARIANT: the mm of the process that runs a long fork rss=0 job
probe_fb() {
	local cfg=$dir/probe-$1.yaml pid w=
	samples=50 suite "" fork "rss=0" 1000 "$1" "$cfg"
	"$fb" run -q -c "$cfg" --db "$db" -l "probe-$1" $([ $plain = 1 ] || echo --repeat 1) >/dev/null 2>&1 &
	pid=$!
	sleep 1.5
	# every job runs in flushbench-worker, a child of the run (or of
	# its round): the process whose mm fork copies
	w=$(pgrep -f -- 'flushbench-worker' | head -1 || true)
	[ -n "$w" ] && echo "  flushbench ($1): $(mm_of "$w"); in its runner: $(ls -l "/proc/$(awk '{ print $4 }' "/proc/$w/stat")/fd" 2>/dev/null | grep -c 'perf_event' || true) perf fds" && sed -n 's/.* \(\/.*\.so[^ ]*\)$/\1/p' "/proc/$w/maps" | sort -u > "$dir/libs-$1"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "    libraries: $(xargs -r -n1 basename < "$dir/libs-$1" 2>/dev/null | sed 's/\.so.*//' | tr '\n' ' ')"
}
echo
echo "mm of the process that forks (fork rss=0, read from /proc while it runs):"
taskset -c "$cpu" setarch "$(uname -m)" -R "$bare" --cpu "$cpu" --samples 50 fork 1000 >/dev/null &
pid=$!
sleep 1
echo "  bare: $(mm_of "$pid")"
kill "$pid"; wait "$pid" 2>/dev/null || true
probe_fb fb0
probe_fb fbc
probe_fb fbi
# the bare fork again, its mm padded with one-page VMAs: how fork's cost grows with VMAs
echo
echo "bare fork rss=0 against its VMA count (--pad-vmas, one touched page each; median of $rounds interleaved runs of 3 samples):"
for r in $(seq 1 "$rounds"); do
	for n in $(shuffled "$seed$r" 0 35 70 140); do
		m=$(taskset -c "$cpu" setarch "$(uname -m)" -R "$bare" --cpu "$cpu" --samples 3 --warmup 1 \
			--pad-vmas "$n" fork "$(ops_of 300)" | sed -n 's/^sample=.* ns_per_op=//p' | median)
		echo "$n $m" >> "$dir/pad"
	done
done
for n in 0 35 70 140; do
	printf '  +%-4s VMAs: %.0f ns/op\n' "$n" "$(awk -v n=$n '$1 == n { print $2 }' "$dir/pad" | median)"
done
# born on another CPU than it pins to, as flushbench's processes are
other=$(( (cpu + 1) % $(nproc) ))
[ "$other" != "$cpu" ] || exit 0
echo
echo "bare loop started on CPU $other, pinned to $cpu (its mm keeps CPU $other), against started on $cpu; median of $rounds interleaved runs:"
for i in $(seq 0 $((${#rows[@]} - 1))); do
	case ${rows[$i]} in fork*) continue ;; esac
	for r in $(seq 1 "$rounds"); do
		for b in $(shuffled "$seed$r$i" "$cpu" "$other"); do
			echo "$i $b $(born=$b measure "$i" bare)" >> "$dir/born"
		done
	done
	h=$(awk -v i=$i -v b=$cpu '$1 == i && $2 == b { print $3 }' "$dir/born" | median)
	o=$(awk -v i=$i -v b=$other '$1 == i && $2 == b { print $3 }' "$dir/born" | median)
	printf '  %-20s on %s: %.0f ns/op, from %s: %.0f ns/op (%.3fx)\n' "${rows[$i]%%|*}" "$cpu" "$h" "$other" "$o" "$(awk -v a="$o" -v b="$h" 'BEGIN { print a / b }')"
done
