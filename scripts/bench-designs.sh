#!/bin/bash
# Where does this machine's noise live, and which A/B design cancels it?
# (issue 12, duet runs). For each row, R rounds of an A/A comparison (the
# same job on both sides) under three designs, with the bare loop
# (build/tests/wldrive: the workload's own code, static, no harness):
#
#   seq   two processes one after the other on CPU 0 (order shuffled per
#         round): the round's statistic is log(median A / median B), as a
#         sequential A/B of two runs has it;
#   duet  two processes at once, one on CPU 0 and one on CPU 1 (swapped
#         every round, so that a CPU's own speed cancels over rounds),
#         each timing the same number of windows: the round's statistic
#         is the median over windows of log(A_i / B_i) (Bulej et al. 2020);
#   abab  one process holding both setups, timing A and B alternately
#         (ABAB, BABA: wldrive --abab): the median over pairs of
#         log(A_i / B_i).
#
# An A/A statistic has mean 0; its standard deviation over rounds is what
# limits a design: with R rounds a paired t test at 5% (two-sided) finds
# a change of about (t_0.975 + t_0.8) * sd / sqrt(R) with power 0.8 (the
# MDE printed). Seconds per round (wall) let designs be compared at the
# same time budget: the MDE for a budget of B seconds is the sd times
# 2.8 / sqrt(B / seconds per round).
#
# Usage: scripts/bench-designs.sh [-r ROUNDS] [-s WINDOWS] [--seed S]
#          [--only ROW-SUBSTRING]... [--scale X]
#   defaults: 12 rounds, 10 windows (samples) a side, a fresh seed.
#   abab needs jobs whose two setups do not see each other: no spinner
#   threads, nothing that walks the whole mm (fork with rss > 0).
# Exits 0 whatever it finds; 1 when a run fails; 2 on bad usage.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

rounds=12 windows=10 seed= scale=1
only=()
while [ $# -gt 0 ]; do
	case $1 in
	-r) rounds=$2; shift ;;
	-s) windows=$2; shift ;;
	--seed) seed=$2; shift ;;
	--only) only+=("$2"); shift ;;
	--scale) scale=$2; shift ;;
	*) sed -n 's/^# \{0,1\}//; /^Usage:/,/^Exits/p' "$0" >&2; exit 2 ;;
	esac
	shift
done
[ "$rounds" -ge 3 ] 2>/dev/null || { echo "bench-designs: -r needs 3 rounds or more" >&2; exit 2; }
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
[ "$(nproc)" -ge 2 ] || { echo "bench-designs: the duet design needs 2 CPUs, this machine has $(nproc)" >&2; exit 1; }

# label | workload | parameters | ops per window (about 100-200 ms here)
ROWS=(
	"fork rss=0|fork|rss=0|1000"
	"mprotect npages=512|mprotect|npages=512|3000"
	"munmap size=64K|munmap|size=64K|4000"
	"madvise size=64K|madvise|size=64K|2000"
)
. "$top/scripts/bench-lib.sh"
pick_rows bench-designs

make -s build/tests/wldrive >/dev/null
W=build/tests/wldrive
dir=$(mktemp -d /tmp/fb-designs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
die() { echo "bench-designs: $*" >&2; exit 1; }
# bare CPU OUT ARGS...: one wldrive process on CPU, born there
bare() {
	local cpu=$1 out=$2
	shift 2
	taskset -c "$cpu" setarch "$(uname -m)" -R "$W" --cpu "$cpu" --warmup 2 "$@" > "$out" 2>&1 ||
		die "wldrive $*: $(tail -1 "$out")"
	grep -q ' status=ok' "$out" || die "wldrive $*: $(tail -1 "$out")"
}
per_op() { sed -n 's/^sample=.* ns_per_op=//p' "$1"; }

echo "bench-designs: ${#rows[@]} rows x 3 designs x $rounds rounds, $windows windows a side, seed $seed"
echo "  $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %H:%M UTC')"
res=$dir/res
: > "$res"
for round in $(seq 1 "$rounds"); do
	for i in "${!rows[@]}"; do
		IFS='|' read -r label wl params ops <<<"${rows[$i]}"
		ops=$(ops_of "$ops")
		args=(--samples "$windows" "$wl" "$ops" $params)
		for d in $(printf '%s\n' seq duet abab | awk -v s="$seed$round$i" 'BEGIN { srand(s) } { print rand() "\t" $0 }' | sort -g | cut -f2); do
			t0=$(date +%s.%N)
			case $d in
			seq)
				if (( (seed + round) % 2 )); then bare 0 "$dir/a" "${args[@]}"; bare 0 "$dir/b" "${args[@]}"
				else bare 0 "$dir/b" "${args[@]}"; bare 0 "$dir/a" "${args[@]}"; fi
				st=$(awk -v a="$(per_op "$dir/a" | median)" -v b="$(per_op "$dir/b" | median)" 'BEGIN { print log(a / b) }')
				;;
			duet)
				ca=$(( round % 2 )) cb=$(( (round + 1) % 2 ))
				bare "$ca" "$dir/a" "${args[@]}" & pa=$!
				bare "$cb" "$dir/b" "${args[@]}" & pb=$!
				wait $pa || die "$label: duet side A failed"
				wait $pb || die "$label: duet side B failed"
				st=$(paste <(per_op "$dir/a") <(per_op "$dir/b") | awk '{ print log($1 / $2) }' | median)
				;;
			abab)
				bare 0 "$dir/p" --abab "${args[@]}"
				st=$(sed -n 's/^pair=.* a_ns_per_op=\([0-9.]*\) b_ns_per_op=\([0-9.]*\)$/\1 \2/p' "$dir/p" |
					awk '{ print log($1 / $2) }' | median)
				;;
			esac
			[ -n "$st" ] || die "$label: $d gave no statistic"
			echo "$i $d $round $st $(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { print t1 - t0 }')" >> "$res"
		done
	done
	printf '  round %d/%d done, load %s\n' "$round" "$rounds" "$(cut -d' ' -f1 /proc/loadavg)" >&2
done

echo
echo "A/A: the round statistic (log ratio A/B) over $rounds rounds; MDE with power 0.8 at 5%, in rounds and for a 10-minute budget"
echo
echo "| row | design | mean | sd | MDE, $rounds rounds | s/round | MDE, 600 s |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for i in "${!rows[@]}"; do
	for d in seq duet abab; do
		awk -v i="$i" -v d="$d" -v R="$rounds" -v label="${rows[$i]%%|*}" '
			$1 == i && $2 == d { n++; x[n] = $4; s += $4; t += $5 }
			END {
				m = s / n
				for (k = 1; k <= n; k++) v += (x[k] - m) ^ 2
				sd = sqrt(v / (n - 1))
				# t quantiles by a normal approximation with a small-df correction
				z = (1.96 + 0.84) * (1 + 1 / (2 * (n - 1)))
				printf "| %s | %s | %+.4f | %.4f | %.1f%% | %.1f | %.1f%% |\n", label, d, m, sd,
					100 * (exp(z * sd / sqrt(n)) - 1), t / n, 100 * (exp(2.8 * sd / sqrt(600 / (t / n))) - 1)
			}' "$res"
	done
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
