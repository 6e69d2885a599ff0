# The bare loop of scripts/bench-overhead.sh (issue 11) cannot rot: wldrive
# (tests/bare/) is built and runs one pinned sample of every row the script
# measures (the rows are read from the script), keeps the guests' one-line
# format, and the script itself runs each row end to end on a tiny scale.
. "$TOP/tests/lib.sh"
W=$FB_TESTS/wldrive
S=$TOP/scripts/bench-overhead.sh
if [ ! -x "$W" ]; then
	fail "wldrive is built (make test-progs)" "no $W"
	done_testing; exit 0
fi
pass "wldrive is built"
# the script's rows: "label|workload|parameters|ops"
mapfile -t rows < <(sed -n '/^ROWS=(/,/^)/s/^\t"\(.*\)"$/\1/p' "$S")
[ ${#rows[@]} -ge 7 ] && pass "the script's ${#rows[@]} rows are read" ||
	fail "the script's rows are read" "${#rows[@]} rows from $S"
for r in "${rows[@]}"; do
	IFS='|' read -r label wl params ops <<<"$r"
	out=$("$W" --cpu 0 --samples 1 --warmup 1 "$wl" 3 $params 2>&1); rc=$?
	if [ $rc = 0 ] && [[ "$out" =~ ^sample=0\ ops=3\ ns=[0-9]+\ ns_per_op=[0-9.]+$'\n'"$wl $params status=ok ops=3 " ]]; then
		pass "$label: one pinned sample of 3 ops, after one warm-up"
	else
		fail "$label: one pinned sample of 3 ops" "exit $rc: $(tr '\n' ' ' <<<"$out")"
	fi
done
out=$("$W" mprotect 5 npages=4 2>&1)
[[ "$out" =~ ^mprotect\ npages=4\ status=ok\ ops=5\ ns_per_op=[0-9.]+$ ]] &&
	pass "without --samples: the guests' one line" || fail "without --samples: the guests' one line" "$out"
expect_exit 2 "a workload not linked in is refused" "$W" redis_like 1
expect_exit 2 "a bad parameter is refused (the option table's range)" "$W" mprotect 1 npages=0
out=$("$W" --cpu 0 --samples 1 --pad-vmas 64 fork 2 2>&1)
[[ "$out" == *"status=ok"* ]] && pass "--pad-vmas: fork with 64 extra VMAs" ||
	fail "--pad-vmas: fork with 64 extra VMAs" "$out"
# --abab: one process, two setups, A and B alternately (scripts/bench-designs.sh)
out=$("$W" --cpu 0 --samples 4 --warmup 1 --abab munmap 5 size=64K 2>&1)
n=$(grep -Ec '^pair=[0-3] a_ns_per_op=[0-9.]+ b_ns_per_op=[0-9.]+$' <<<"$out")
[ "$n" = 4 ] && grep -q '^munmap status=ok$' <<<"$out" && pass "--abab: 4 pairs of A and B windows in one process" ||
	fail "--abab: 4 pairs" "$out"
out=$("$W" --cpu 0 --abab munmap 5 size=0 2>&1); rc=$?
[ $rc = 2 ] && pass "--abab: a bad parameter is refused like any other" || fail "--abab bad parameter" "exit $rc: $out"
# the designs script, tiny: 3 rounds of each design for one row, a table line each
out=$("$TOP/scripts/bench-designs.sh" -r 3 -s 2 --scale 0.01 --only munmap 2>"$T/err"); rc=$?
n=$(grep -Ec '^\| munmap size=64K \| (seq|duet|abab) \| [-+][0-9.]+ \| [0-9.]+ \| [0-9.]+% \|' <<<"$out")
[ $rc = 0 ] && [ "$n" = 3 ] && pass "bench-designs.sh: seq, duet and abab rows for munmap" ||
	fail "bench-designs.sh" "exit $rc, $n rows: $(tail -3 "$T/err" | tr '\n' ' ') $(tail -4 <<<"$out" | tr '\n' ' ')"
expect_exit 2 "bench-designs.sh: fewer than 3 rounds is refused" "$TOP/scripts/bench-designs.sh" -r 2

# the script, every row, one round of one sample at 1% of its op counts
if out=$("$S" -r 1 -s 1 -w 0 --scale 0.01 2>"$T/err"); then
	pass "bench-overhead.sh runs every row (exit 0)"
else
	fail "bench-overhead.sh runs every row" "exit $?: $(tail -3 "$T/err" | tr '\n' ' ')"
fi
# one round: each of the 3 flushbench variants has its ns/op and ratio,
# and says a confidence interval needs more rounds
ratio='[0-9]+ \| [0-9.]+ \[too few rounds\] \|'
for r in "${rows[@]}"; do
	label=${r%%|*}
	grep -Eq "^\| $label \| [0-9]+ \| [0-9]+ \| $ratio $ratio $ratio\$" <<<"$out" &&
		pass "bench-overhead.sh: $label has its three ratios" ||
		fail "bench-overhead.sh: $label has its three ratios" "$(grep -F "| $label |" <<<"$out")"
done
# 6 rounds of one row and one variant: a 95% interval of the median ratio
# (with 6 rounds, the order statistics give min-max), which holds it
out=$("$S" -r 6 -s 1 -w 0 --scale 0.01 --only 'munmap size=4K' --variants fb0 2>"$T/err")
line=$(grep -F '| munmap size=4K |' <<<"$out")
if [[ "$line" =~ \|\ ([0-9.]+)\ \[([0-9.]+)-([0-9.]+)\]\ \|$ ]] &&
   awk -v m="${BASH_REMATCH[1]}" -v a="${BASH_REMATCH[2]}" -v b="${BASH_REMATCH[3]}" 'BEGIN { exit !(a <= m && m <= b) }'; then
	per=$(sed -n 's/^  munmap size=4K: fb0//p' <<<"$out" | tr -d ';')
	lo=$(tr ' ' '\n' <<<"$per" | grep . | sort -g | head -1)
	[ "$lo" = "${BASH_REMATCH[2]}" ] && pass "--variants fb0, 6 rounds: median $(cut -d' ' -f1 <<<"${BASH_REMATCH[0]#| }") inside its interval, whose low end is the lowest round" ||
		fail "6 rounds: the interval is the min-max of the rounds" "low $lo, line $line"
else
	fail "--variants fb0, 6 rounds: a median and its interval" "'$line' $(tail -2 "$T/err" | tr '\n' ' ')"
fi
expect_exit 2 "bench-overhead.sh: an unknown variant is refused" "$S" --variants fb9
expect_exit 2 "bench-overhead.sh: an unknown option prints the usage" "$S" --bogus
done_testing
