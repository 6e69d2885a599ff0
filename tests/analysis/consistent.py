# Reads `flushbench compare --format json` on stdin and checks that every
# row's numbers agree with each other; exits 1 listing the rows that do not.
#   - the improvement lies inside its interval, the ratio inside its own
#     (an end is infinite only when the interval is unbounded: too few
#     values to reject any change at that level);
#   - improvement and change point the same way (opposite when lower is
#     better);
#   - with the Hodges-Lehmann interval (the test inverted), an interval
#     that excludes 0 comes with p <= 1 - confidence, and a marked row's
#     interval does not reach past 0 on the wrong side;
#   - a row that is 0 on both sides shows no change: 0 [0, 0], p 1, no mark.
# usage: python3 consistent.py [MIN_ROWS] < compare.json
import json
import sys

d = json.load(sys.stdin)
opts = d["options"]
hl = opts["interval"] == "hodges-lehmann"
alpha = 1 - opts["confidence"]
bad, checked = [], 0
eps = 1e-9


def sign(v):
    return (v > 0) - (v < 0)


for r in d["rows"]:
    if r["presence"] != "both" or "improvement_pct" not in r:
        continue
    name = "%s %s %s" % (r["workload"], r["params"], r["metric"])
    est, (lo, hi) = r["improvement_pct"], r["improvement_ci_pct"]
    ratio, (rlo, rhi) = r["ratio"], r["ratio_ci"]
    checked += 1
    why = []
    # JSON has no infinity: null ends are unbounded, and only allowed when
    # the interval says so (too few values to reject any change: coverage 1)
    if None in (lo, hi, rlo, rhi) and r["ci_coverage"] == 1:
        inf = float("inf")
        lo = -inf if lo is None else lo
        hi = inf if hi is None else hi
        rlo = -inf if rlo is None else rlo
        rhi = inf if rhi is None else rhi
    if None in (est, lo, hi, ratio, rlo, rhi):
        why.append("not a number")
    else:
        if not lo - eps <= est <= hi + eps:
            why.append("improvement outside its interval")
        if not rlo - eps <= ratio <= rhi + eps:
            why.append("ratio outside its interval")
        s = 1 if r["better"] == "higher" else -1
        if sign(est) != s * sign(r["change_pct"]):
            why.append("improvement and change disagree in sign")
        if hl and (lo > 0 or hi < 0) and r["p"] > alpha:
            why.append("interval excludes 0 but p = %g" % r["p"])
        if hl and ((r["mark"] == "I" and lo < 0) or (r["mark"] == "R" and hi > 0)):
            why.append("marked %s but the interval reaches past 0" % r["mark"])
        if r["base"]["median"] == 0 and r["new"]["median"] == 0 and \
                r["base"]["cv"] is None and r["new"]["cv"] is None:
            # 0 on both sides (no spread, mean 0)
            if (est, lo, hi) != (0, 0, 0) or r["p"] != 1 or r["mark"]:
                why.append("0 on both sides but not 'no change'")
    if why:
        bad.append("%s: %s: %s%% [%s%%, %s%%] ratio %s [%s, %s] p %s mark %r" % (
            name, "; ".join(why), est, lo, hi, ratio, rlo, rhi, r["p"], r["mark"]))
min_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1
if checked < min_rows:
    bad.append("only %d rows with an improvement, wanted %d" % (checked, min_rows))
if bad:
    print("\n".join(bad))
    sys.exit(1)
