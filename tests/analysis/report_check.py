# Checks a `flushbench report` directory against `flushbench compare
# --format csv` of the same BASE NEW, printing TAP (one line per check):
#   - report.md: the verdict paragraph first, then ## Results, ## Plots,
#     ## Environment; its counts are the csv's (improved, regressed,
#     unmarked, not testable, on one side only) and its geometric mean is
#     the full table's;
#   - the seed-style table has one line per primary row, in the csv's
#     order, with the csv's mark, improvement, MDE or why not tested; each
#     Result Class is words of the row's parameters, tells the rows of its
#     workload apart and drops a word every row of the workload shares;
#   - every plot linked exists, and every plot drawn is linked;
#   - --differ KEY is a row of the differences table, --same KEY is only
#     in the compact list of the others;
#   - report.html (with --html, needs html5lib): valid HTML5 (html5lib,
#     strict), no id twice, the same verdict, a cell and its row have
#     class R exactly when the cell is (R) (I alike), one inline SVG per
#     plot drawn, --differ KEY outside and --same KEY inside <details>.
# usage: python3 report_check.py DIR CSV [--html] [--differ KEY]... [--same KEY]...
import csv
import os
import re
import sys

args = sys.argv[1:]
rdir, csvpath = args[0], args[1]
want_html = "--html" in args
differ = [args[i + 1] for i, a in enumerate(args) if a == "--differ"]
same = [args[i + 1] for i, a in enumerate(args) if a == "--same"]
PLOTS = ["change", "change-counters", "dist"]
results = []


def check(name, ok, why=""):
    results.append("ok - %s" % name if ok else "not ok - %s # %s" % (name, why))


rows = [r for r in csv.DictReader(open(csvpath)) if r["role"] == "primary"]
want = {
    "improved": sum(r["mark"] == "I" for r in rows),
    "regressed": sum(r["mark"] == "R" for r in rows),
    "unmarked": sum(r["presence"] == "both" and not r["untested"] and not r["mark"] for r in rows),
    "not testable": sum(r["presence"] == "both" and bool(r["untested"]) for r in rows),
    "only in BASE or only in NEW": sum(r["presence"] != "both" for r in rows),
}


def expected_cell(r):
    if r["untested"]:
        return "n/t (%s)" % r["untested"].split(":")[0]
    mark = {"I": "(I) ", "R": "(R) "}.get(r["mark"], "")
    mde = "%.1f%%" % float(r["mde_pct"]) if r["mde_pct"] else "n/a"
    return "%s%+.2f%% (MDE %s)" % (mark, float(r["improvement_pct"]), mde)


def verdict_counts(text):
    got = {}
    for k in want:
        m = re.search(r"(\d+) %s" % re.escape(k), text)
        got[k] = int(m.group(1)) if m else 0
    m = re.search(r"Of (\d+) primary rows?", text)
    got["rows"] = int(m.group(1)) if m else -1
    return got


def geo(text):
    m = re.search(r"geometric mean of the primary changes is \**([-+]\d+\.\d+)%", text)
    return float(m.group(1)) if m else None


def class_ok(seed):
    """seed: [(workload, class words, row)]: the Result Class rule."""
    bad = []
    for w in {s[0] for s in seed}:
        mine = [s for s in seed if s[0] == w]
        for s in mine:
            if not set(s[1]) <= set(s[2]["params"].split()) and s[1] != ["defaults"]:
                bad.append("%s %s: not its params" % (w, " ".join(s[1])))
        if len(mine) < 2:
            continue
        if len({tuple(s[1]) for s in mine}) != len(mine):
            bad.append("%s: two rows read alike" % w)
        shared = set.intersection(*(set(s[2]["params"].split()) for s in mine))
        for s in mine:
            if shared & set(s[1]):
                bad.append("%s %s: keeps %s, shared by all" % (w, " ".join(s[1]), shared & set(s[1])))
    return bad


# --- report.md ---
md = open(os.path.join(rdir, "report.md")).read()
lines = md.split("\n")
heads = [l for l in lines if l.startswith("## ")]
body = [l for l in lines[1:] if l.strip()]
verdict = body[0] if body else ""
check("md: the first paragraph after the title is the verdict",
      verdict.startswith("Of ") and "primary row" in verdict, verdict[:80])
order = ["## Results", "## Plots", "## Environment"]
idx = [heads.index(h) if h in heads else -1 for h in order]
check("md: verdict, then Results, Plots, Environment", -1 not in idx and idx == sorted(idx)
      and heads[0] == "## Results" and lines.index(verdict) < lines.index("## Results"), heads)
got = verdict_counts(verdict)
check("md: verdict counts are compare's", all(got[k] == want[k] for k in want)
      and got["rows"] == len(rows), "got %s, want %s of %d" % (got, want, len(rows)))
m = re.search(r"\| geometric mean \(\d+ rows\) \| ([-\d.]+)%", md)
g = geo(verdict)
check("md: verdict's geometric mean is the table's",
      (m is None and g is None) or (m is not None and g is not None and abs(float(m.group(1)) - g) < 0.006),
      "%s vs %s" % (m and m.group(1), g))
sec = md[md.index("## Results"):md.index("## Plots")] if "## Plots" in md else ""
tab = [l for l in sec.split("\n") if l.startswith("| ") and not l.startswith(("| Benchmark", "| ---"))]
seed = []
for l, r in zip(tab, rows):
    cells = [c.strip() for c in l.strip("|").split(" | ")]
    cls = re.sub(r" \([^)]*\)$", "", cells[1])
    seed.append((cells[0], cls.split(), r, cells[2] if len(cells) > 2 else ""))
check("md: one seed line per primary row, Benchmark as compare's",
      len(tab) == len(rows) and all(s[0] == s[2]["workload"] for s in seed),
      "%d lines for %d rows" % (len(tab), len(rows)))
bad = [s[3] + " != " + expected_cell(s[2]) for s in seed if s[3] != expected_cell(s[2])]
check("md: seed cells are compare's mark, improvement, MDE or why", not bad, bad[:3])
bad = class_ok(seed)
check("md: Result Class tells a workload's rows apart, shared params dropped", not bad, bad[:3])
links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", md)
drawn = [p + ".png" for p in PLOTS if os.path.exists(os.path.join(rdir, p + ".png"))]
check("md: every plot drawn is linked, every link exists",
      sorted(links) == sorted(drawn) and drawn, "%s vs %s" % (links, drawn))
env = md[md.index("## Environment"):] if "## Environment" in md else ""
env = env[:env.index("\n## ", 3)] if "\n## " in env[3:] else env
for k in differ:
    check("md: %s is a row of the differences" % k,
          re.search(r"^\| %s \|" % re.escape(k), env, re.M) is not None, env[:200])
for k in same:
    rest = [l for l in env.split("\n") if l.startswith("The other ")]
    check("md: %s is only in the compact list of the others" % k,
          not re.search(r"^\| %s \|" % re.escape(k), env, re.M) and len(rest) == 1
          and re.search(r"(: |; )%s=" % re.escape(k), rest[0]) is not None, env[:300])

# --- report.html ---
if want_html:
    import html5lib
    raw = open(os.path.join(rdir, "report.html"), "rb").read()
    p = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        doc = p.parse(raw)
        check("html: valid HTML5 (html5lib, strict)", True)
    except Exception as e:
        check("html: valid HTML5 (html5lib, strict)", False, "%s %s" % (e, p.errors[:3]))
        doc = html5lib.parse(raw, namespaceHTMLElements=False)
    parent = {c: e for e in doc.iter() for c in e}

    def text(e):
        return "".join(e.itertext()).strip()

    def classes(e):
        return (e.get("class") or "").split()

    def inside(e, tag):
        while e in parent:
            e = parent[e]
            if e.tag == tag:
                return True
        return False

    ids = [e.get("id") for e in doc.iter() if e.get("id")]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    check("html: no id twice", not dup, dup[:5])
    ver = [e for e in doc.iter("p") if "verdict" in classes(e)]
    check("html: the verdict is md's", len(ver) == 1 and text(ver[0]) == verdict.replace("**", ""),
          ver and text(ver[0])[:80])
    order = [e.tag if e.tag != "p" else "verdict" for e in doc.iter()
             if e.tag in ("h2",) or e in ver]
    h2 = [text(e) for e in doc.iter("h2")]
    check("html: verdict, then Results, Plots, Environment",
          order[:1] == ["verdict"] and h2[:3] == ["Results", "Plots", "Environment"], h2)
    seedt = [e for e in doc.iter("table") if "seed" in classes(e)]
    bad, nmark = [], 0
    for tr in (seedt[0].iter("tr") if seedt else []):
        tds = list(tr.iter("td"))
        for td in tds[2:]:
            for m in "IR":
                cell = text(td).startswith("(%s)" % m)
                nmark += cell
                if cell != (m in classes(td)) or (cell and m not in classes(tr)):
                    bad.append("%s: td %s tr %s" % (text(td), classes(td), classes(tr)))
    check("html: a marked cell and its row carry the mark's class (R red, I green)",
          seedt and not bad and nmark == want["improved"] + want["regressed"], bad[:3] or nmark)
    svgs = [e for e in doc.iter() if isinstance(e.tag, str) and e.tag.endswith("svg") and not inside(e, "svg")]
    drawn = [q for q in PLOTS if os.path.exists(os.path.join(rdir, q + ".svg"))]
    check("html: one inline SVG per plot drawn", len(svgs) == len(drawn) and drawn,
          "%d svg, %s" % (len(svgs), drawn))
    cells = {text(td): td for td in doc.iter("td")}
    for k in differ:
        check("html: %s is a difference, not folded" % k, k in cells
              and not inside(cells[k], "details") and "diff" in classes(parent[cells[k]]), k in cells)
    for k in same:
        check("html: %s is folded in <details>" % k, k in cells and inside(cells[k], "details"),
              k in cells)
for r in results:
    print(r)
print("1..%d" % len(results))
