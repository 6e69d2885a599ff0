# flushbench plot on synthetic stores with known answers (build/tests/
# fb-mkdb): change.* has the primary rows only, a panel per workload,
# coloured as compare marks them, each with its MDE band; counters and
# other metrics are on change-counters.* and only there; intervals past
# the axis are clipped and drawn with an arrow; dist.* has a panel per
# primary row with every sample, by run; --trend marks the change-point
# where a row was made slower and none on a flat series; every PNG is
# 1200 px wide and gnuplot says nothing at all (every NAME.log empty).
. "$TOP/tests/lib.sh"
MKDB="$FB_TESTS/fb-mkdb"
DB="$T/p.db"
[ -x "$MKDB" ] || { fail "fb-mkdb built" "missing $MKDB (make test-progs)"; done_testing; exit 0; }
command -v gnuplot >/dev/null || { skip "plots" "no gnuplot (Debian: gnuplot-nox)"; done_testing; exit 0; }

three="--runs 3 --samples 10 --run-cv 2"
slowfork="fork/rss=0 threads=0=1.6"
fastmunmap="munmap/size=2M threads=0=0.8"
trendrow="fork/rss=64M threads=0=1.15"
ok=1
"$MKDB" "$DB" A --seed 1 $three --sparse 1.5 &&
"$MKDB" "$DB" R --seed 2 $three --sparse 1.5 --slow "$slowfork" --slow "$fastmunmap" &&
"$MKDB" "$DB" WA --seed 3 --runs 2 --samples 5 --run-cv 150 &&
"$MKDB" "$DB" WB --seed 4 --runs 2 --samples 5 --run-cv 150 || ok=0
for i in 1 2 3 4 5 6; do
	if [ $i -ge 4 ]; then
		"$MKDB" "$DB" L$i --seed $((100 + i)) $three --slow "$trendrow" || ok=0
	else
		"$MKDB" "$DB" L$i --seed $((100 + i)) $three || ok=0
	fi
	"$MKDB" "$DB" F$i --seed $((200 + i)) $three || ok=0
done
[ $ok = 1 ] || { fail "synthetic stores" "fb-mkdb failed"; done_testing; exit 0; }

# every picture NAME in DIR: a PNG 1200 px wide, a well-formed SVG, an empty log
pictures() {
	local dir=$1 f w; shift
	for f in "$@"; do
		w=$(python3 -c 'import struct,sys
b=open(sys.argv[1],"rb").read(24)
print(struct.unpack(">I",b[16:20])[0] if b[:8]==b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$dir/$f.png" 2>&1)
		[ "$w" = 1200 ] && pass "$f.png is a PNG 1200 px wide" || fail "$f.png is a PNG 1200 px wide" "$w"
		if [ -s "$dir/$f.svg" ] && xmllint --noout "$dir/$f.svg" 2>/dev/null; then
			pass "$f.svg is a well-formed SVG"
		else
			fail "$f.svg is a well-formed SVG" "$(ls -l "$dir/$f.svg" 2>&1)"
		fi
		[ -f "$dir/$f.log" ] && [ ! -s "$dir/$f.log" ] && pass "gnuplot said nothing for $f" \
			|| fail "gnuplot said nothing for $f" "$(head -3 "$dir/$f.log" 2>&1)"
	done
}

# --- change.*, change-counters.*, dist.* of A against R ---
P="$T/ar"
expect_exit 0 "plot A R" "$FB" plot --db "$DB" -o "$P" A R
pictures "$P" change change-counters dist
"$FB" compare --db "$DB" --format csv A R > "$T/ar.csv" 2>/dev/null

# change.dat against compare: the same rows, marks, colours and MDEs
check "change.* draws the primary rows, and only them, as compare marks them" python3 - "$P" "$T/ar.csv" <<'EOF'
import csv, math, re, sys
d, rows = sys.argv[1], list(csv.DictReader(open(sys.argv[2])))
RGB = {"": 0x808080, "I": 0x1a9641, "R": 0xd7191c}

def page(name):
    text = open("%s/%s.dat" % (d, name)).read()
    c, edge = map(float, re.search(r"log10\(1 \+ \|p\| / ([0-9.e+-]+)\), clipped at \+-([0-9.]+)", text).groups())
    out, w = [], None
    for line in text.splitlines():
        m = re.match(r"# workload (\S+)", line)
        if m:
            w = m.group(1)
        elif line and not line.startswith("#"):
            lab = re.search(r'"([^"]*)"', line).group(1)
            f = line.replace('"%s"' % lab, "L").split()
            out.append(dict(w=w, label=lab, imp=float(f[2]), mde=float(f[5]), mark=int(f[6]),
                            band=(float(f[10]), float(f[11])), rgb=int(f[14])))
    return out, c, edge

def pair(drawn, want):
    """The drawn rows of each workload are compare's, in its order."""
    out = []
    for w in dict.fromkeys(r["workload"] for r in want):
        a = [x for x in drawn if x["w"] == w]
        b = [r for r in want if r["workload"] == w]
        assert len(a) == len(b), (w, len(a), len(b))
        for x, r in zip(a, b):
            imp = float(r["improvement_pct"])
            assert abs(x["imp"] - imp) <= 1e-4 * max(1, abs(imp)), (x, r)
            out.append((x, r))
    assert len(out) == len(drawn), (len(out), len(drawn))
    return out

prim, c, edge = page("change")
sec, _, _ = page("change-counters")
want = [r for r in rows if r["role"] == "primary" and r["presence"] == "both"]
assert len(prim) == len(want) == 6, (len(prim), len(want))
for x, r in pair(prim, want):
    assert x["mark"] == " IR".index(r["mark"] or " "), (x, r["mark"])
    assert x["rgb"] == RGB[r["mark"]], x
    # the MDE band: +-MDE on the axis, the whole axis when there is none
    mde = float(r["mde_pct"]) if r["mde_pct"] else math.nan
    half = edge if math.isnan(mde) else min(edge, math.log10(1 + mde / c))
    assert x["band"][0] == -x["band"][1] and abs(x["band"][1] - half) < 1e-4, (x, mde)
assert sum(x["mark"] == 2 for x in prim) == 1 and sum(x["mark"] == 1 for x in prim) == 1, prim
# counters and other metrics: all on their own page, none on change.*
sw = [r for r in rows if r["role"] == "secondary" and r["presence"] == "both" and r["improvement_pct"]]
assert len(sec) == len(sw) > 0, (len(sec), len(sw))
pair(sec, sw)
assert not any("time/op" not in x["label"] for x in prim), prim
assert not any("ns/op" in x["label"] for x in sec), sec
EOF
check "change.*: one panel per workload, titled with it, rows labelled by their class alone" python3 - "$P/change.gp" <<'EOF'
import re, sys
gp = open(sys.argv[1]).read()
titles = re.findall(r"set title '([a-z_-]+): \d+ rows?, \d+ \(I\), \d+ \(R\)'", gp)
assert titles == ["fork", "mprotect", "munmap"], titles
assert gp.count("with boxxyerror") == 3 and gp.count("set multiplot title") == 1, "a band layer per panel"
dat = open(sys.argv[1][:-2] + "dat").read()
assert '"rss=0 (time/op)"' in dat and "fork" not in re.sub(r"# workload \S+", "", dat), "labels are the seed table's classes"
EOF
grep -q "rgb(215, *25, *28)" "$P/change.svg" && grep -q "rgb( *26, *150, *65)" "$P/change.svg" &&
	pass "change.svg draws the (R) row red and the (I) row green" ||
	fail "change.svg draws the (R) row red and the (I) row green" "no red or green"

check "dist.*: a panel per primary row, every sample of both sides, by run" python3 - "$P" <<'EOF'
import sys
d = sys.argv[1]
boxes = [b for b in open(d + "/dist.dat").read().split("\n\n\n") if b.strip("\n# ").strip()]
pts = [b for b in open(d + "/dist_points.dat").read().split("\n\n\n") if [l for l in b.splitlines() if l and l[0] != "#"]]
assert len(boxes) == len(pts) == 6, (len(boxes), len(pts))
for b, p in zip(boxes, pts):
    sides = [l.split() for l in b.splitlines() if l and l[0] != "#"]
    assert [s[6] for s in sides] == ["0", "1"], sides
    assert abs(float(sides[0][3])) < 1e-9, "BASE median is 0%"
    p = [l.split() for l in p.splitlines() if l and l[0] != "#"]
    assert len(p) == 2 * 3 * 10, len(p)          # 3 runs x 10 samples a side
    runs = {(round(float(x[0])), x[2], x[3]) for x in p}
    assert len(runs) == 6 and len({r[2] for r in runs}) == 3, runs   # a colour per run
gp = open(d + "/dist.gp").read()
assert gp.count("with candlesticks whiskerbars") == 12, "two boxes a panel"
EOF

# --- wide intervals: clipped at the axis' edge, drawn with an arrow ---
W="$T/wild"
expect_exit 0 "plot WA WB (2 runs a side, 150% between runs)" "$FB" plot --db "$DB" -o "$W" WA WB
pictures "$W" change
check "intervals past the axis are clipped at its edge with an arrow head, the others drawn to their end" python3 - "$W/change.dat" "$W/change.gp" <<'EOF'
import math, re, sys
text = open(sys.argv[1]).read()
c, edge = map(float, re.search(r"log10\(1 \+ \|p\| / ([0-9.e+-]+)\), clipped at \+-([0-9.]+)", text).groups())
clipped = drawn = 0
for line in text.splitlines():
    if not line or line[0] == "#":
        continue
    f = re.sub(r'"[^"]*"', "L", line).split()
    imp, lo, hi, x, xlo, xhi, slo, shi = (float(f[i]) for i in (2, 3, 4, 7, 8, 9, 12, 13))
    assert abs(x) <= edge, line                   # every point on the axis
    for end, xe, st in ((lo, xlo, slo), (hi, xhi, shi)):
        sl = math.copysign(math.log10(1 + abs(end) / c), end) if math.isfinite(end) else math.copysign(math.inf, end)
        if st >= 4:
            assert abs(sl) > edge and abs(abs(xe) - edge) < 1e-4, line
            clipped += 1
        else:
            assert 1 <= st <= 3 and abs(sl - xe) < 1e-4 and abs(xe) <= edge, line
            drawn += 1
assert clipped > 0 and drawn > 0, (clipped, drawn)
gp = open(sys.argv[2]).read()
assert re.search(r"set style arrow 4 head filled", gp) and "arrowstyle variable" in gp, "arrows"
EOF

# --- --trend: a change-point where the row was made slower, none when flat ---
expect_exit 0 "plot --trend L1..L6 (fork rss=64M 15% slower from L4)" \
	"$FB" plot --db "$DB" --trend -o "$T/tr" L1 L2 L3 L4 L5 L6
expect_exit 0 "plot --trend F1..F6 (flat)" "$FB" plot --db "$DB" --trend -o "$T/trf" F1 F2 F3 F4 F5 F6
pictures "$T/tr" trend-ns_per_op
pictures "$T/trf" trend-ns_per_op
out=$(grep '^# change-point' "$T/tr/trend-ns_per_op.dat")
[ "$out" = "# change-point: fork rss=64M threads=0: at L4 (label 3)" ] &&
	pass "trend: the change-point is found at L4 on the slowed row, and only there" ||
	fail "trend: the change-point is found at L4 on the slowed row, and only there" "${out:-none}"
check "trend: the .dat flags it on its row's line, the plot marks it" python3 - "$T/tr/trend-ns_per_op" <<'EOF'
import sys
n = sys.argv[1]
flags = []
for b in open(n + ".dat").read().split("\n\n\n"):
    name = [l for l in b.splitlines() if l.startswith("# fork") or l.startswith("# m")]
    for l in b.splitlines():
        f = l.split()
        if l and l[0] not in '#"' and f[-1] == "1":
            flags.append((name[0], f[0]))
assert flags == [("# fork rss=64M threads=0", "3")], flags
gp = open(n + ".gp").read()
assert "set arrow from 2.5, graph 0 to 2.5, graph 1 nohead dt 2" in gp and "pt 6 ps 3.5" in gp, "marker"
EOF
grep -q "^# ns_per_op across 6 labels. Change-points .*: none$" "$T/trf/trend-ns_per_op.dat" &&
	! grep -q "^# change-point" "$T/trf/trend-ns_per_op.dat" &&
	! grep -q "pt 6 ps 3.5" "$T/trf/trend-ns_per_op.gp" &&
	pass "trend: no change-point on a flat series" ||
	fail "trend: no change-point on a flat series" "$(grep '^# change' "$T/trf/trend-ns_per_op.dat")"
done_testing
