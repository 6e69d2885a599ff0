# Reads `flushbench compare --format json` on stdin and checks that every
# row's numbers agree with each other; exits 1 listing the rows that do not.
#   - a tested row's improvement lies inside its interval, and the change
#     (log ratio or difference) inside its own;
#   - the interval is the t interval of the row's test: it excludes no
#     change exactly when p <= 1 - confidence;
#   - a mark agrees with the sign of the improvement, with an interval on
#     that side of 0, and p after Holm at most alpha;
#   - a row without a test (one run a side and no calibration, a mirror
#     of the primary metric, a counter with one run) carries no mark and
#     says why;
#   - no row is 0 on both sides (those are dropped).
# usage: python3 consistent.py [MIN_ROWS] < compare.json
import json
import sys

d = json.load(sys.stdin)
opts = d["options"]
alpha_ci = 1 - opts["confidence"]
bad, checked = [], 0
eps = 1e-9


def sign(v):
    return (v > 0) - (v < 0)


for r in d["rows"]:
    name = "%s %s %s" % (r["workload"], r["params"], r["metric"])
    why = []
    if r["base"].get("value") == 0 and r["new"].get("value") == 0 and \
            r["base"].get("cv") is None and r["new"].get("cv") is None:
        why.append("0 on both sides, not dropped")
    if not r["testable"]:
        if r["mark"]:
            why.append("marked without a test")
        if r["presence"] == "both" and not r["untested"]:
            why.append("no test and no reason")
    elif r["presence"] == "both":
        checked += 1
        est, (lo, hi) = r["improvement_pct"], r["improvement_ci_pct"]
        e, (elo, ehi) = r["estimate"], r["ci"]
        if None in (e, elo, ehi):
            why.append("not a number")
        else:
            if not elo - eps <= e <= ehi + eps:
                why.append("change outside its interval")
            excl = elo > 0 or ehi < 0
            if r["se"] > 0 and excl != (r["p"] <= alpha_ci + 1e-12):
                why.append("interval and p disagree (p %g)" % r["p"])
        if est is not None:
            if None in (lo, hi) or not lo - eps <= est <= hi + eps:
                why.append("improvement outside its interval")
            s = 1 if r["better"] == "higher" else -1
            if sign(est) != s * sign(e):
                why.append("improvement and change disagree in sign")
            if (r["mark"] == "I" and not (est > 0 and lo > 0)) or \
                    (r["mark"] == "R" and not (est < 0 and hi < 0)):
                why.append("mark %s against the interval" % r["mark"])
        if r["mark"] and not r["p_holm"] <= opts["alpha"] + eps:
            why.append("marked with Holm p %g" % r["p_holm"])
    if why:
        bad.append("%s: %s: %s" % (name, "; ".join(why), json.dumps(
            {k: r.get(k) for k in ("improvement_pct", "improvement_ci_pct",
                                   "estimate", "ci", "p", "p_holm", "mark")})))
min_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1
if checked < min_rows:
    bad.append("only %d tested rows, wanted %d" % (checked, min_rows))
if bad:
    print("\n".join(bad))
    sys.exit(1)
