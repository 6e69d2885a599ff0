#!/bin/bash
# README benchmark (issue 9): compare's error rates on real runs of this
# machine, per protocol. configs/bench/verdict.yaml (9 jobs); the injected
# job is mprotect npages=512, made slower by extra_work_ns sized from its
# calibrated median ns/op (3% and 10%).
#
# First two calibrations of this host (configs with 10 and with 5 samples
# a run): each 5 invocations of `run --repeat 2`, then `flushbench
# calibrate`. Then for each protocol, REPS repetitions of four labels: A
# and A2 (the same suite), B3 and B10 (the injected job 3% and 10%
# slower); compare A A2 (A/A: any primary mark is a false table), A B3 and
# A2 B10 (is the injected row marked (R)? are other rows?). Default
# options (alpha 0.05, --min-effect 1%).
#
# Protocols (per side):
#   cal1x10  1 invocation of 1 run x 10 samples; the calibration gives the
#            variance between invocations
#   seq3x5   1 invocation of --repeat 3 x 5 samples; the calibration gives
#            the variance between invocations
#   int3x5   3 invocations of 1 run x 5 samples, the labels alternating
#   int5x5   5 invocations of 1 run x 5 samples, the labels alternating
#
# Usage: scripts/bench-verdict.sh [REPS [PROTOCOL...]]   (default 10, all)
#        scripts/bench-verdict.sh --analyse DB [REPS [PROTOCOL...]]
# Prints one line per protocol; keeps its database in $FLB_BENCH_DB or a
# temporary file it names. --analyse reads the runs of an earlier
# invocation again (this build's calibrate and compare) and runs nothing.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
analyse_only=0
if [ "${1:-}" = --analyse ]; then
	analyse_only=1
	FLB_BENCH_DB=$2
	shift 2
fi
reps=${1:-10}
shift || true
protocols=${*:-cal1x10 seq3x5 int3x5 int5x5}
make -s all >/dev/null
db=${FLB_BENCH_DB:-$(mktemp /tmp/fb-verdict.XXXXXX.db)}
[ -n "${FLB_BENCH_DB:-}" ] || rm -f "$db"
dir=$(mktemp -d /tmp/fb-verdict.XXXXXX)
fb=./flushbench

# suite with samples S, and the injected job's extra work E ns per op
suite() {	# S E FILE
	sed "s/^samples: 5$/samples: $1/" configs/bench/verdict.yaml |
		awk -v e="$2" '{ print } /# the injected job/ { inj = 1 }
			inj && /npages: 512$/ && e > 0 { print "    extra_work_ns: " e; inj = 0 }' > "$3"
}
run() {	# LABEL CONFIG ROUNDS
	[ $analyse_only = 1 ] && return 0
	"$fb" run -q -c "$2" --db "$db" -l "$1" --repeat "$3" >/dev/null 2>&1
}
# JSON of compare BASE NEW: "any" (primary marks), the injected row's mark and MDE
verdict() {
	"$fb" compare --db "$db" --format json "$1" "$2" 2>/dev/null | python3 -c '
import json,sys
d=json.load(sys.stdin)
p=[r for r in d["rows"] if r["role"]=="primary"]
inj=[r for r in p if r["workload"]=="mprotect" and r["params"].startswith("npages=512 threads=0")][0]
others=[r for r in p if r is not inj and r["mark"]]
print(len([r for r in p if r["mark"]]), inj["mark"] or "-", len(others),
      "%.2f" % (inj.get("mde_pct") or float("nan")), "%.2f" % (inj.get("improvement_pct") or float("nan")))'
}

# --- calibrations (5 invocations of 2 runs) and the injection sizes ---
t0=$SECONDS
for samples in 10 5; do
	suite $samples 0 "$dir/cal$samples.yaml"
	for i in 1 2 3 4 5; do
		run cal$samples "$dir/cal$samples.yaml" 2
	done
	"$fb" calibrate --db "$db" cal$samples > "$dir/cal$samples.txt" 2>&1
done
med=$(sqlite3 "$db" "select median from calibration where label='cal10' and workload='mprotect' and params like 'npages=512 threads=0 %'")
e3=$(python3 -c "print(round(0.03 * $med))")
e10=$(python3 -c "print(round(0.10 * $med))")
echo "calibrations: 2 x 5 invocations x 2 runs in $((SECONDS - t0)) s; mprotect 512 pages: median $med ns/op, +3% = extra_work_ns $e3, +10% = $e10"
for samples in 10 5; do
	grep -v '^$' "$dir/cal$samples.txt" | sed 's/^/  /'
done
"$fb" plan --db "$db" --target 3 --budget 10m cal5 2>&1 | sed 's/^/  /'

for p in $protocols; do
	case $p in
	cal1x10) s=10 r=1 rounds=1 ;;
	seq3x5) s=5 r=3 rounds=1 ;;
	int3x5) s=5 r=1 rounds=3 ;;
	int5x5) s=5 r=1 rounds=5 ;;
	*) echo "unknown protocol $p" >&2; exit 2 ;;
	esac
	suite "$s" 0 "$dir/a.yaml"
	suite "$s" "$e3" "$dir/b3.yaml"
	suite "$s" "$e10" "$dir/b10.yaml"
	false=0 d3=0 d10=0 o=0 mdes="" t0=$SECONDS
	for k in $(seq 1 "$reps"); do
		for i in $(seq 1 $rounds); do
			run "$p-A-$k" "$dir/a.yaml" $r
			run "$p-A2-$k" "$dir/a.yaml" $r
			run "$p-B3-$k" "$dir/b3.yaml" $r
			run "$p-B10-$k" "$dir/b10.yaml" $r
		done
		read -r any _ _ _ _ < <(verdict "$p-A-$k" "$p-A2-$k")
		read -r _ m3 o3 mde _ < <(verdict "$p-A-$k" "$p-B3-$k")
		read -r _ m10 o10 _ _ < <(verdict "$p-A2-$k" "$p-B10-$k")
		[ "$any" = 0 ] || false=$((false + 1))
		[ "$m3" = R ] && d3=$((d3 + 1))
		[ "$m10" = R ] && d10=$((d10 + 1))
		o=$((o + o3 + o10))
		mdes="$mdes $mde"
	done
	secs=$((SECONDS - t0))
	mde=$(echo $mdes | tr ' ' '\n' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	printf '%-8s %d inv x %d run x %-2d per side: A/A false tables %d/%d; 3%% flagged %d/%d, 10%% flagged %d/%d; other rows marked in those %d; MDE of the injected row %s%% (median); %d s per pair of sides\n' \
		"$p" "$rounds" "$r" "$s" "$false" "$reps" "$d3" "$reps" "$d10" "$reps" \
		"$o" "$mde" $((secs / reps / 2))
done
echo "database: $db"
rm -rf "$dir"
