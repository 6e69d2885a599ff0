#!/bin/bash
# Issue 12's acceptance figures for guest duets (docs/duet.md), on this
# machine, with a time budget per comparison:
#
#   aa      an A/A duet (Debian's kernel on both sides), --reps times: how
#           many tables flag a row (at most 5% should), and each row's MDE;
#   effect  side b's suite does extra_work_loops sized to +3% of each
#           job's op, --reps times: how often each row is (R). The size
#           comes from a calibration duet (5 rounds) whose side b adds
#           loops worth about +100% (side a's ns/op in the aa runs, else
#           in a first 2-round duet, at 2.5 ns a loop): its paired change
#           r gives loops = 0.03 x L0 / r. Loops are CPU work, so the
#           effect keeps its share of the op when the host runs faster or
#           slower (extra_work_ns is wall time: it did not);
#   pti     side b boots with pti=on (page-table isolation: every syscall
#           and fault switches page tables), once;
#   seq     the sequential design for the same budget: one guest at a
#           time, A and B alternating (order shuffled per pair), compared
#           unpaired: its MDE per row beside the duet's;
#   native  native duets (`flushbench run`, two workers on CPU 0 and 1,
#           swapped every round), --reps times: each row as an A/A duet
#           and as a duet whose side b adds extra_work_loops sized to +3%
#           (by a native calibration duet, as for effect), in one run of
#           --repeat 30 rounds (about 5 minutes here);
#   fom     the figure of merit, fairly: an A/A duet and the sequential
#           design interleaved step by step (two duet rounds, one for
#           each CPU assignment, or a pair of single-guest boots in
#           shuffled order, whichever design has used less of its budget
#           goes next), each until it has used
#           the budget, both with --repeat 4 runs a boot: each row's MDE
#           under both designs, measured in the same minutes. The
#           sequential compare is unpaired over runs (runs of one boot
#           counted as independent, so its MDE is if anything too
#           small: the ratio errs against the duet). Not in the default
#           --what.
#
# Usage: scripts/bench-duet.sh [--budget SEC] [--reps N] [--from I]
#          [--what LIST] [-c SUITE] [--out DIR] [--append ARGS]
#   --append: on both sides' kernel command line (and the seq guests').
#   --from: number the repetitions I.. (to add to an earlier --out; the
#   effect then keeps the sizing of that --out's effect-b.yaml).
#   defaults: 600 s, 10 reps, aa,effect,pti,seq, configs/duet.yaml,
#   build/bench-duet (its duet.db, the tables, summary.txt).
# x86_64 guests of Debian's generic kernel, one vCPU each. Under TCG the
# figures are emulated: they show what the design resolves here, not
# hardware costs. Exits 0 whatever it finds; 1 when a command fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

budget=600 reps=10 from=1 what=aa,effect,pti,seq suite=configs/duet.yaml
out=build/bench-duet append=""
while [ $# -gt 0 ]; do
	case $1 in
	--budget) budget=$2; shift ;;
	--reps) reps=$2; shift ;;
	--from) from=$2; shift ;;
	--what) what=$2; shift ;;
	-c) suite=$2; shift ;;
	--out) out=$2; shift ;;
	--append) append=$2; shift ;;
	*) sed -n 's/^# \{0,1\}//; /^Usage:/,/^ *build/p' "$0" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$out"
db=$out/duet.db
sum=$out/summary.txt
fb=./flushbench
has() { [[ ",$what," == *",$1,"* ]]; }
note() { echo "$*" | tee -a "$sum"; }
duet() { $fb duet --debian generic --arch x86_64 --db "$db" -c "$suite" --append "$append" "$@"; }

# rows LABEL_A LABEL_B TAG: the paired table into $out/TAG.txt and one
# line per row on stdout: TAG JOB CHANGE MDE MARK
rows() {
	$fb compare --db "$db" "$1" "$2" > "$out/$3.txt"
	awk -F'|' -v tag="$3" '/^\| [a-z_]+ \(job [0-9]+\) \|/ {
		job = $2; gsub(/^ +| +$/, "", job); sub(/ \(job.*/, "", job)
		ch = $7; gsub(/ /, "", ch); mde = $10; gsub(/ /, "", mde)
		mark = $11; gsub(/ /, "", mark)
		printf "%s %s %s %s %s\n", tag, job, ch, mde, mark == "" ? "-" : mark }' \
		"$out/$3.txt"
}

note "# bench-duet $(date -u +%FT%TZ), flushbench $(git rev-parse --short HEAD 2>/dev/null || echo ?), budget ${budget}s, suite $suite, append '$append'"
if has aa; then
	for i in $(seq "$from" $((from + reps - 1))); do
		duet --budget "$budget" --label-a "aa$i-a" --label-b "aa$i-b" \
			> "$out/aa$i.log" 2>&1 || note "aa$i: duet exited $? (see $out/aa$i.log)"
		note "aa$i: $(grep -c 'round [0-9]*: a on' "$out/aa$i.log") rounds"
		rows "aa$i-a" "aa$i-b" "aa$i" | tee -a "$sum"
	done
fi
if has effect; then
	# --from after 1 keeps the sizing an earlier call made in $out
	if [ "$from" -gt 1 ] && [ -s "$out/effect-b.yaml" ]; then
		note "effect: the sizing of $out/effect-b.yaml: extra_work_loops $(sed -n 's/^ *extra_work_loops: //p' "$out/effect-b.yaml" | tr '\n' ' ')"
	else
		# side a's median ns/op per job: the aa runs, or a short duet
		src=$(sqlite3 "$db" "select label from runs where label like 'aa%-a' limit 1" 2>/dev/null || true)
		if [ -z "$src" ]; then
			duet --rounds 2 --label-a cal0-a --label-b cal0-b > "$out/cal0.log" 2>&1
			src=cal0-a
		fi
		# with_loops NAME "L L ...": the suite, each job with extra_work_loops
		with_loops() {
			awk -v l="$2" 'BEGIN { n = split(l, x, " ") }
				{ print }
				/^  - workload:/ { printf "    extra_work_loops: %s\n", x[++j] }' "$suite" > "$out/$1.yaml"
		}
		# about +100%: a paired estimate of a large effect is precise
		l0=$(sqlite3 "$db" "select group_concat(x, ' ') from (select s.job, cast(round(avg(s.ns_per_op) / 2.5) as integer) x
			from samples s join runs r on r.id = s.run_id where r.label = '$src' and s.kind = 'timed' and s.status = 'ok'
			group by s.job order by s.job)")
		with_loops cal-b "$l0"
		duet --rounds 5 --b-config "$out/cal-b.yaml" --label-a cal-a --label-b cal-b > "$out/cal.log" 2>&1
		rows cal-a cal-b cal > "$out/cal.rows"
		# job i's loops from its row "| NAME (job i) | ... | change | ..."
		loops=$(awk -F'|' -v l="$l0" 'BEGIN { n = split(l, x, " ") }
			/^\| [a-z_]+ \(job [0-9]+\) \|/ {
				j = $2; sub(/.*\(job /, "", j); sub(/\).*/, "", j)
				r = $7; gsub(/[ %+]/, "", r); got[j + 1] = r }
			END { for (i = 1; i <= n; i++) {
				if (!(i in got) || got[i] + 0 <= 10) { print "bad"; exit }
				printf "%s%d", (i > 1 ? " " : ""), 0.03 * x[i] / (got[i] / 100) + 0.5 } }' "$out/cal.txt")
		case "$loops" in *bad*|"") note "effect: the calibration duet did not work (see $out/cal.log)"; exit 1 ;; esac
		with_loops effect-b "$loops"
		note "effect: calibration $(tr '\n' ' ' < "$out/cal.rows")at extra_work_loops $l0 (src $src); +3%: extra_work_loops $loops"
	fi
	for i in $(seq "$from" $((from + reps - 1))); do
		duet --budget "$budget" --b-config "$out/effect-b.yaml" \
			--label-a "fx$i-a" --label-b "fx$i-b" > "$out/fx$i.log" 2>&1 ||
			note "fx$i: duet exited $? (see $out/fx$i.log)"
		note "fx$i: $(grep -c 'round [0-9]*: a on' "$out/fx$i.log") rounds"
		rows "fx$i-a" "fx$i-b" "fx$i" | tee -a "$sum"
	done
fi
if has pti; then
	duet --budget "$budget" --b-append pti=on --label-a pti-off \
		--label-b pti-on > "$out/pti.log" 2>&1 || note "pti: duet exited $?"
	note "pti: $(grep -c 'round [0-9]*: a on' "$out/pti.log") rounds"
	rows pti-off pti-on pti | tee -a "$sum"
fi
if has seq; then
	# one guest at a time for the same budget, A and B alternating
	t0=$(date +%s) n=0
	while :; do
		now=$(date +%s)
		[ $n = 0 ] || [ $((now - t0 + (now - t0) / n)) -le "$budget" ] || break
		if [ $((RANDOM % 2)) = 0 ]; then order="A B"; else order="B A"; fi
		for s in $order; do
			$fb vm --debian generic --arch x86_64 --smp 1 -c "$suite" --append "$append" \
				--db "$db" --label "seq-$s" > "$out/seq.log" 2>&1 ||
				note "seq: vm exited $?"
		done
		n=$((n + 1))
	done
	note "seq: $n pairs of boots"
	$fb compare --db "$db" --unpaired --format csv seq-A seq-B > "$out/seq.csv" 2>/dev/null
	awk -F, 'NR > 1 && $6 == "primary" { printf "seq %s %+.2f%% %.1f%% %s\n", $1, -$16, $23, $22 == "" ? "-" : $22 }' \
		"$out/seq.csv" | tee -a "$sum"
fi
if has fom; then
	td=0 ts=0 nd=0 ns=0
	while [ $td -lt "$budget" ] || [ $ts -lt "$budget" ]; do
		t=$(date +%s)
		if [ $td -lt $ts ] || { [ $td = $ts ] && [ $((RANDOM % 2)) = 0 ]; }; then
			# two rounds a step: both CPU assignments (a duet's round
			# r swaps them when r is odd), so the swap is a factor
			duet --rounds 2 --label-a fom-duet-a --label-b fom-duet-b \
				>> "$out/fom-duet.log" 2>&1 || note "fom: duet exited $?"
			td=$((td + $(date +%s) - t)) nd=$((nd + 1))
		else
			if [ $((RANDOM % 2)) = 0 ]; then order="A B"; else order="B A"; fi
			for s in $order; do
				$fb vm --debian generic --arch x86_64 --smp 1 --repeat 4 -c "$suite" \
					--append "$append" --db "$db" --label "fom-seq-$s" \
					>> "$out/fom-seq.log" 2>&1 || note "fom: vm exited $?"
			done
			ts=$((ts + $(date +%s) - t)) ns=$((ns + 1))
		fi
	done
	note "fom: $nd duet steps (2 rounds each) in ${td}s, $ns pairs of single boots in ${ts}s, interleaved"
	rows fom-duet-a fom-duet-b fom-duet | tee -a "$sum"
	$fb compare --db "$db" --unpaired --format csv fom-seq-A fom-seq-B > "$out/fom-seq.csv" 2>/dev/null
	awk -F, 'NR > 1 && $6 == "primary" { printf "fom-seq %s %+.2f%% %.1f%% %s\n", $1, -$16, $23, $22 == "" ? "-" : $22 }' \
		"$out/fom-seq.csv" | tee -a "$sum"
fi
if has native; then
	# natsuite FILE "L.." "L..": the suite's jobs as native duets, side b
	# with extra_work_loops: once per list given
	natsuite() {
		local f=$1
		shift
		awk -v lists="$*" 'BEGIN { nl = split(lists, l, "|") }
			/^jobs:/ { print; body = 1; next }
			!body { print; next }
			{ job[++n] = $0 }
			END { for (k = 1; k <= nl; k++) {
				split(l[k], x, " "); j = 0
				for (i = 1; i <= n; i++) {
					print job[i]
					if (job[i] ~ /^  - workload:/)
						printf "    duet: {extra_work_loops: [0, %s]}\n", x[++j]
				} } }' "$suite" > "$out/$f"
	}
	# natrows LABEL TAG: "TAG ROW CHANGE MDE MARK" for duet row k (jobs 2k, 2k+1)
	natrows() {
		$fb compare --db "$db" --duet "$1" > "$out/$2.txt"
		awk -F'|' -v tag="$2" '/^\| [a-z_]+ \(jobs [0-9]+, [0-9]+\) \|/ {
			j = $2; gsub(/^ +| +$/, "", j); name = j; sub(/ .*/, "", name)
			sub(/.*\(jobs /, "", j); sub(/,.*/, "", j)
			ch = $7; gsub(/ /, "", ch); mde = $10; gsub(/ /, "", mde)
			mark = $11; gsub(/ /, "", mark)
			printf "%s %d %s %s %s %s\n", tag, j / 2, name, ch, mde, mark == "" ? "-" : mark }' \
			"$out/$2.txt"
	}
	njobs=$(grep -c '^  - workload:' "$suite")
	zeros=$(printf '0 %.0s' $(seq "$njobs"))
	if [ "$from" -gt 1 ] && [ -s "$out/nat.yaml" ]; then
		note "native: the sizing of $out/nat.yaml"
	else
		# side a's ns/op here now, for a first size of about +100% at 2.3 ns a loop
		natsuite nat-a.yaml "$zeros"
		$fb run -q -c "$out/nat-a.yaml" --db "$db" -l natcal0 > "$out/natcal0.log" 2>&1
		l0=$(sqlite3 "$db" "select group_concat(x, ' ') from (select s.job, cast(round(avg(s.ns_per_op) / 2.3) as integer) x
			from samples s join runs r on r.id = s.run_id where r.label = 'natcal0' and s.kind = 'timed' and s.status = 'ok'
			and s.job % 2 = 0 group by s.job order by s.job)")
		natsuite nat-cal.yaml "$l0"
		$fb run -q -c "$out/nat-cal.yaml" --db "$db" --repeat 6 -l natcal > "$out/natcal.log" 2>&1
		natrows natcal natcal > "$out/natcal.rows"
		nloops=$(awk -v l="$l0" 'BEGIN { n = split(l, x, " ") }
			{ r = $4; gsub(/[%+]/, "", r); got[$2 + 1] = r }
			END { for (i = 1; i <= n; i++) {
				if (!(i in got) || got[i] + 0 <= 10) { print "bad"; exit }
				printf "%s%d", (i > 1 ? " " : ""), 0.03 * x[i] / (got[i] / 100) + 0.5 } }' "$out/natcal.rows")
		case "$nloops" in *bad*|"") note "native: the calibration duet did not work (see $out/natcal.log)"; exit 1 ;; esac
		natsuite nat.yaml "$zeros|$nloops"
		note "native: calibration $(tr '\n' ' ' < "$out/natcal.rows")at extra_work_loops $l0; +3%: extra_work_loops $nloops"
	fi
	for i in $(seq "$from" $((from + reps - 1))); do
		$fb run -q -c "$out/nat.yaml" --db "$db" --repeat 30 -l "nat$i" > "$out/nat$i.log" 2>&1 ||
			note "nat$i: run exited $? (see $out/nat$i.log)"
		# rows 0..n-1: A/A; n..2n-1: +3% on b
		natrows "nat$i" "nat$i" | awk -v n="$njobs" '{ $1 = $1 ($2 < n ? "-aa" : "-fx"); print }' | tee -a "$sum"
	done
fi
echo "bench-duet: tables in $out, summary in $sum"
