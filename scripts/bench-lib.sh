# Shared by the benchmark scripts that drive the bare loop (bench-overhead.sh,
# bench-designs.sh): sourced, not run.

# pick_rows NAME: the entries of ROWS whose label (before the first |)
# contains one of only[] (all of them when only is empty) into rows[];
# exits 2 naming the script when none does.
pick_rows() {
	local r o keep
	rows=()
	for r in "${ROWS[@]}"; do
		keep=$(( ${#only[@]} == 0 ))
		for o in "${only[@]}"; do [[ "${r%%|*}" == *"$o"* ]] && keep=1; done
		[ $keep = 1 ] && rows+=("$r")
	done
	[ ${#rows[@]} -gt 0 ] || { echo "$1: no row matches --only" >&2; exit 2; }
}
# median: of the numbers on stdin, one a line
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'; }
# ops_of OPS: OPS times $scale, at least 1
ops_of() { awk -v o="$1" -v s="$scale" 'BEGIN { n = int(o * s); print n < 1 ? 1 : n }'; }
