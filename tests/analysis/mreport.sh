# flushbench report --matrix on a generated matrix store with known
# answers (build/tests/fb-mkdb): kernels base and pti x cmdlines none and
# full, vm, config quick, 3 runs a cell, tagged as `flushbench matrix`
# tags them; pti makes fork rss=0 30% slower and nothing else. The
# verdict counts exactly those (R) rows, (b) lists them first and the
# HTML classes them R, (c) puts preempt=none beside preempt=full, (d) and
# the module's questions say what is missing and the command; an absent
# cell is named with its command; the matrix FILE gives the same report
# as its labels; the HTML validates; the store is not written.
. "$TOP/tests/lib.sh"
MKDB="$FB_TESTS/fb-mkdb"
DB="$T/m.db"
[ -x "$MKDB" ] || { fail "fb-mkdb built" "missing $MKDB (make test-progs)"; done_testing; exit 0; }

seed=1
for k in base pti; do
	for c in none full; do
		slow=()
		[ $k = pti ] && slow=(--slow "fork/rss=0 threads=0=1.3")
		"$MKDB" "$DB" "m/$k/$c/vm/quick" --seed $seed --runs 3 --samples 10 --run-cv 1 \
			--env kernel.preempt=$c --env matrix.name=m --env matrix.kernel=$k \
			--env matrix.cmdline=$c --env matrix.mode=vm --env matrix.config=quick \
			"${slow[@]}" || { fail "matrix store" "fb-mkdb failed"; done_testing; exit 0; }
		seed=$((seed + 1))
	done
done
sum0=$(sha256sum < "$DB")

expect_exit 0 "report --matrix 'm/*'" "$FB" report --db "$DB" --matrix 'm/*' -o "$T/r"
md="$T/r/report.md" html="$T/r/report.html"

# the verdict: 2 pairs, 6 primary rows each, the two fork rss=0 rows (R)
v=$(grep -m1 '^Over ' "$md")
[[ "$v" == "Over 2 A/B pairs (12 primary rows): 0 improved, 2 regressed, 10 unmarked"* ]] &&
	pass "verdict: 2 pairs, 0 improved, 2 regressed, 10 unmarked" ||
	fail "verdict: 2 pairs, 0 improved, 2 regressed, 10 unmarked" "$v"
# the verdict comes first, then every question, in order, then the cells
order=$(grep '^## ' "$md" | cut -c4- | cut -d' ' -f1 | tr '\n' ' ')
[ "$order" = "Verdict (a) (b) (c) (d) (e) (f) 000: 001: 002/003: Cells How " ] &&
	pass "sections: the verdict, (a)-(f), 000, 001, 002/003, the cells" ||
	fail "sections: the verdict, (a)-(f), 000, 001, 002/003, the cells" "'$order'"
# (b): the regressed rows first, marked, with their pair
b=$(sed -n '/^## (b)/,/^## (c)/p' "$md" | grep '^| fork' | head -2)
[ "$(grep -c '| fork | rss=0 (time/op) | pti vs base, .*, vm, quick | (R) -' <<< "$b")" = 2 ] &&
	pass "(b) lists the two (R) fork rss=0 rows first" ||
	fail "(b) lists the two (R) fork rss=0 rows first" "$b"
grep -q '<td class="R">(R) -' "$html" && pass "report.html classes an (R) cell R" ||
	fail "report.html classes an (R) cell R" "no td.R"
# a slowdown far below 30%: no row but fork rss=0 is marked anywhere
[ "$(grep -c '^|.*(R)' "$md")" -ge 4 ] && ! grep '^|.*(R)' "$md" | grep -v 'rss=0' | grep -q . &&
	pass "only fork rss=0 is marked, in (b) and (c)" ||
	fail "only fork rss=0 is marked, in (b) and (c)" "$(grep '^|.*(R)' "$md" | grep -v 'rss=0' | head -2)"
# (c): the same row under both preempt models, side by side
c=$(sed -n '/^## (c)/,/^## (d)/p' "$md")
grep -q '| Benchmark | Result Class | pti vs base, preempt=none | pti vs base, preempt=full |' <<< "$c" &&
	grep -q '^| fork | rss=0 (time/op) | (R) -.* | (R) -' <<< "$c" && ! grep -q 'Missing' <<< "$c" &&
	pass "(c): a column per preempt model, fork rss=0 (R) in both" ||
	fail "(c): a column per preempt model, fork rss=0 (R) in both" "$(head -8 <<< "$c" | tr '\n' ' ')"
# (d): one environment only: missing, with the command
d=$(sed -n '/^## (d)/,/^## (e)/p' "$md")
grep -q '^\*\*Missing:\*\* Only environment vm was measured' <<< "$d" && grep -q '    .*flushbench run -c' <<< "$d" &&
	pass "(d) says only vm was measured and the command for native" ||
	fail "(d) says only vm was measured and the command for native" "$(head -5 <<< "$d" | tr '\n' ' ')"
# the module's questions: no rows, each names what produces them
for q in "(e)|tlbi|flushbench vm -c configs/review.yaml" "000:|race|flushbench vm -c configs/review.yaml" \
	 "001:|memregion|flushbench vm -c configs/review.yaml" "002/003:|iommu|flushbench vm --iommu"; do
	IFS='|' read -r h w cmd <<< "$q"
	s=$(awk -v h="## $h" 'index($0, h) == 1 { on = 1; next } /^## / { on = 0 } on' "$md")
	grep -q "^\*\*Missing:\*\* No $w rows" <<< "$s" && grep -qF "$cmd" <<< "$s" &&
		pass "$h without $w rows: missing, with '$cmd'" ||
		fail "$h without $w rows: missing, with '$cmd'" "$(head -4 <<< "$s" | tr '\n' ' ')"
done
# (f): x86 cells only: the erratum case is missing, named with make seed-004
sed -n '/^## (f)/,/^## 000/p' "$md" | grep -q 'make seed-004' &&
	pass "(f) on x86_64 cells names make seed-004 for the erratum case" ||
	fail "(f) on x86_64 cells names make seed-004 for the erratum case" "no seed-004"
# plots per pair, linked
[ -s "$T/r/pair-0/change.png" ] && [ -s "$T/r/pair-1/change.png" ] && grep -q '](pair-1/change.png)' "$md" &&
	pass "each pair's change plot drawn and linked" || fail "each pair's change plot drawn and linked" "$(ls "$T/r")"

# an absent cell: named, with the command that fills it
expect_exit 0 "report --matrix with an absent cell" "$FB" report --db "$DB" \
	--matrix 'm/*,m/absent/none/vm/quick' -o "$T/abs"
grep -q '^\*\*Missing:\*\* Pair absent vs base, none, vm, quick was not compared: its cell has no run' "$T/abs/report.md" &&
	grep -q '^\*\*Missing:\*\* Cell m/absent/none/vm/quick has no run' "$T/abs/report.md" &&
	pass "an absent cell: its pair and the cell named missing" ||
	fail "an absent cell: its pair and the cell named missing" "$(grep -m3 Missing "$T/abs/report.md")"
# one preempt model only: (c) cannot answer, says so with the command
expect_exit 0 "report --matrix of the none cells" "$FB" report --db "$DB" --matrix 'm/*/none/*' -o "$T/one"
sed -n '/^## (c)/,/^## (d)/p' "$T/one/report.md" | grep -q 'Missing:\*\* Only preemption model none was measured' &&
	sed -n '/^## (c)/,/^## (d)/p' "$T/one/report.md" | grep -q 'preempt=full' &&
	pass "(c) with one preempt model: missing, with the cmdlines to add" ||
	fail "(c) with one preempt model: missing, with the cmdlines to add" "$(sed -n '/^## (c)/,/^## (d)/p' "$T/one/report.md" | head -4 | tr '\n' ' ')"

# a matrix FILE: its cells and baseline, the same verdict
cat > "$T/m.yaml" <<'Y'
name: m
baseline: base
kernels:
  - {name: base, debian: generic, arch: x86_64}
  - {name: pti, debian: generic, arch: x86_64, append: pti=on}
cmdlines:
  - {name: none, append: preempt=none}
  - {name: full, append: preempt=full}
modes: [vm]
configs: [configs/quick.yaml]
Y
expect_exit 0 "report --matrix FILE" "$FB" report --db "$DB" --matrix "$T/m.yaml" -o "$T/f"
[ "$(grep -m1 '^Over ' "$T/f/report.md")" = "$v" ] && pass "FILE and its labels: the same verdict" ||
	fail "FILE and its labels: the same verdict" "$(grep -m1 '^Over ' "$T/f/report.md")"
# --baseline pti turns the pairs round: the same rows improve
expect_exit 0 "report --matrix --baseline pti" "$FB" report --db "$DB" --matrix 'm/*' --baseline pti -o "$T/bp"
grep -q '^Over 2 A/B pairs (12 primary rows): 2 improved, 0 regressed' "$T/bp/report.md" &&
	pass "--baseline pti: the two rows improved" ||
	fail "--baseline pti: the two rows improved" "$(grep -m1 '^Over ' "$T/bp/report.md")"

# bad input: a clear message and exit 2
printf 'name: m\nkernels:\n  - {name: a, debian: generic, arhc: x86_64}\n' > "$T/bad.yaml"
out=$("$FB" report --db "$DB" --matrix "$T/bad.yaml" -o "$T/bad" 2>&1); rc=$?
[ $rc = 2 ] && grep -q "bad.yaml:3:[0-9]*:" <<< "$out" && pass "a bad matrix FILE: file:line:column, exit 2" ||
	fail "a bad matrix FILE: file:line:column, exit 2" "exit $rc: $out"
expect_exit 2 "--matrix with BASE NEW as well" "$FB" report --db "$DB" --matrix 'm/*' -o "$T/x" A B
expect_exit 2 "--baseline of no cell" "$FB" report --db "$DB" --matrix 'm/*' --baseline nope -o "$T/x"
expect_exit 2 "--matrix matching nothing" "$FB" report --db "$DB" --matrix 'q/*' -o "$T/x"
expect_exit 2 "--baseline without --matrix" "$FB" report --db "$DB" --baseline base -o "$T/x" A B

# valid HTML5 (html5lib, strict; Debian's python3-html5lib, so Debian's python3)
if /usr/bin/python3 -c 'import html5lib' 2>/dev/null; then
	for h in "$T/r/report.html" "$T/abs/report.html"; do
		check "$(basename "$(dirname "$h")")/report.html is valid HTML5 (html5lib, strict)" /usr/bin/python3 -c '
import html5lib, sys
html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], "rb").read())' "$h"
	done
else
	fail "html5lib" "python3-html5lib is not installed (deps/test.pkgs)"
fi
[ "$(sha256sum < "$DB")" = "$sum0" ] && pass "the store is unchanged by report --matrix" ||
	fail "the store is unchanged by report --matrix" "checksum changed"
done_testing
