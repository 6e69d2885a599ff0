#!/usr/bin/python3
"""Check `flushbench export` output against the store it came from.

usage: export_check.py lava DB OUT RUN_ID...
       export_check.py kcidb DB OUT SCHEMA ORIGIN RUN_ID...

Prints TAP lines ("ok - ..." / "not ok - ... # why") and a plan. The
expected rows, results and medians are computed here from the store with
SQL over samples and sample_values (not through flushbench), the names by
the rule docs/analysis.md documents. RUN_IDs are the runs the export was
asked for, in id order. Needs Debian's python3-jsonschema for kcidb.
"""
import datetime
import json
import re
import sqlite3
import statistics
import sys

n = 0


def tap(ok, name, why=""):
    global n
    n += 1
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else " # " + str(why)[:300]))


PRIMARY = {"redis_like": "ops_per_sec", "iommu": "unmap_ns"}


def primary(workload):
    return PRIMARY.get(workload, "ns_per_op")


def clean(s, keep):
    return "".join(c if c.isascii() and (c.isalnum() or c in keep) else "_" for c in s)


def name_part(w, params, metric):
    p = clean(params.replace("=", "-").replace(" ", "_"), "._-")
    return clean(w, "._-") + ("." + p if p else "") + "." + clean(metric, "._-")


def expected(db, runs):
    """{(run, workload, params): row} with result, status, median, unit."""
    con = sqlite3.connect("file:%s?immutable=1" % db, uri=True)
    info = {}
    for rid, label, uuid, started in con.execute(
            "SELECT id, coalesce(label, ''), uuid, started_at FROM runs"):
        info[rid] = (label, uuid, started)
    env = {}
    for rid, k, v in con.execute("SELECT run_id, key, value FROM environment"):
        env.setdefault(rid, {})[k] = v
    rows = {}
    for rid in runs:
        for w, p, st, cnt in con.execute(
                "SELECT workload, params, status, count(*) FROM samples"
                " WHERE run_id = ? GROUP BY 1, 2, 3", (rid,)):
            r = rows.setdefault((rid, w, p), {"ok": 0, "skip": 0, "fail": 0,
                                              "untrustworthy": 0, "values": [],
                                              "unit": None})
            r[st] += cnt
        for w, p, m, v, unit in con.execute(
                "SELECT workload, params, metric, value, unit FROM sample_values"
                " WHERE run_id = ? ORDER BY sample_id", (rid,)):
            if m != primary(w):
                continue
            rows[(rid, w, p)]["values"].append(v)
            rows[(rid, w, p)]["unit"] = unit
    for (rid, w, p), r in rows.items():
        # no primary value but untrustworthy or ok samples: the harness erred
        no_value = not r["fail"] and not r["values"] and (r["untrustworthy"] or r["ok"])
        if r["fail"] or no_value:
            r["result"] = "fail"
        elif r["values"]:
            r["result"] = "pass"
        else:
            r["result"] = "skip"
        r["status"] = "ERROR" if no_value else r["result"].upper()
        r["median"] = statistics.median(r["values"]) if r["values"] else None
    # the names' prefixes: with several runs, a label that names one of them
    labels = [info[rid][0] for rid in runs]
    prefix = {}
    for rid in runs:
        lab = info[rid][0]
        if len(runs) < 2:
            prefix[rid] = ""
        elif lab and labels.count(lab) == 1:
            prefix[rid] = clean(lab, "._-") + "."
        else:
            prefix[rid] = "run-%d." % rid
    for (rid, w, p), r in rows.items():
        r["name"] = prefix[rid] + name_part(w, p, primary(w))
        r["id_part"] = name_part(w, p, primary(w))
    return rows, info, env


def check_lava(db, out, runs):
    rows, _, _ = expected(db, runs)
    lines = open(out).read().split("\n")
    tap(lines[-1] == "", "lava: output ends with a newline", repr(lines[-1]))
    lines = lines[:-1]
    fields = [l.split("\t") for l in lines]
    bad = [l for l in lines if len(l.split("\t")) != 4]
    tap(not bad, "lava: every line is NAME TAB RESULT TAB VALUE TAB UNITS", bad[:2])
    names = [f[0] for f in fields]
    badn = [x for x in names if not re.fullmatch(r"[A-Za-z0-9._-]+", x)]
    tap(not badn, "lava: names are made of [A-Za-z0-9._-]", badn[:3])
    tap(len(set(names)) == len(names), "lava: names are unique",
        sorted(x for x in names if names.count(x) > 1)[:3])
    tap(len(lines) == len(rows), "lava: one line per primary row (%d)" % len(rows),
        "%d lines" % len(lines))
    byname = {r["name"]: (k, r) for k, r in rows.items()}
    miss = [x for x in names if x not in byname]
    tap(not miss and set(names) == set(byname),
        "lava: the names are the documented ones (workload.k-v_k-v.metric)",
        "unexpected %s, missing %s" % (miss[:3], sorted(set(byname) - set(names))[:3]))
    wrong_res, wrong_val, wrong_unit = [], [], []
    for f in fields:
        if len(f) != 4 or f[0] not in byname:
            continue
        name, res, val, unit = f
        _, r = byname[name]
        if res != r["result"]:
            wrong_res.append((name, res, r["result"]))
        if r["median"] is None:
            if val != "":
                wrong_val.append((name, val, "empty"))
        else:
            try:
                ok = float(val) == r["median"]
            except ValueError:
                ok = False
            if not ok:
                wrong_val.append((name, val, repr(r["median"])))
        want_unit = r["unit"] if r["median"] is not None else ""
        if unit != want_unit:
            wrong_unit.append((name, unit, want_unit))
    tap(not wrong_res, "lava: RESULT pass/fail/skip as the samples' statuses say", wrong_res[:3])
    tap(not wrong_val, "lava: VALUE is exactly the store's median (empty without ok samples)",
        wrong_val[:3])
    tap(not wrong_unit, "lava: UNITS are sample_values' unit (empty with VALUE)", wrong_unit[:3])


def check_kcidb(db, out, schema_path, origin, runs):
    import jsonschema

    rows, info, env = expected(db, runs)
    schema = json.load(open(schema_path))
    doc = json.load(open(out))
    val = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errs = sorted(val.iter_errors(doc), key=str)
    tap(not errs, "kcidb: the document validates against the vendored schema",
        errs[0].message if errs else "")
    # the validator is really applied: broken copies fail
    for what, breakit in (
            ("a test with status BROKEN", lambda d: d["tests"][0].update(status="BROKEN")),
            ("a test without an id", lambda d: d["tests"][0].pop("id")),
            ("version 4.0 with 5.3 data", lambda d: d["version"].update(major=4, minor=0)),
            ("a number that is a string", lambda d: d["tests"][0].update(number={"value": "1"}))):
        b = json.loads(json.dumps(doc))
        breakit(b)
        tap(not val.is_valid(b), "kcidb: %s fails validation" % what, "validated")
    tap(doc.get("version") == {"major": 5, "minor": 3}, "kcidb: version 5.3", doc.get("version"))
    tests = doc.get("tests", [])
    tap(len(tests) == len(rows), "kcidb: one test per primary row (%d)" % len(rows),
        "%d tests" % len(tests))
    ids = [t.get("id") for t in tests]
    tap(len(set(ids)) == len(ids), "kcidb: test ids are unique", ids[:2])
    want = {}
    for (rid, w, p), r in rows.items():
        want["%s:%s.%s" % (origin, info[rid][1], r["id_part"])] = (rid, w, p, r)
    tap(set(ids) == set(want), "kcidb: test ids are ORIGIN:<run uuid>.<row name>",
        "unexpected %s" % sorted(set(ids) - set(want))[:2])
    wrong = []
    for t in tests:
        if t.get("id") not in want:
            continue
        rid, w, p, r = want[t["id"]]
        if t.get("status") != r["status"]:
            wrong.append((t["id"], "status", t.get("status"), r["status"]))
        if r["median"] is None:
            if "number" in t:
                wrong.append((t["id"], "number without ok samples", t["number"]))
        elif t.get("number", {}).get("value") != r["median"] or \
                t["number"].get("unit") != r["unit"]:
            wrong.append((t["id"], "number", t.get("number"), r["median"], r["unit"]))
        pp = clean(p.replace("=", "-").replace(" ", "_"), "_-")
        if t.get("path") != "flushbench." + clean(w, "_-") + ("." + pp if pp else ""):
            wrong.append((t["id"], "path", t.get("path")))
        if t.get("start_time") != info[rid][2]:
            wrong.append((t["id"], "start_time", t.get("start_time"), info[rid][2]))
    tap(not wrong, "kcidb: each test's status, number {value: median, unit}, path, start_time",
        wrong[:2])
    # the schema's date-time format is not checked without rfc3339-validator
    bad = []
    for t in tests:
        try:
            datetime.datetime.fromisoformat(t["start_time"].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            bad.append(t.get("start_time"))
    tap(not bad, "kcidb: start_time is an ISO-8601 date-time", bad[:2])
    builds = {b["id"]: b for b in doc.get("builds", [])}
    checkouts = {c["id"]: c for c in doc.get("checkouts", [])}
    tap(all(t.get("build_id") in builds for t in tests) and
        all(b.get("checkout_id") in checkouts for b in builds.values()),
        "kcidb: every test's build and every build's checkout is in the document")
    kernels = {(env.get(rid, {}).get("kernel.release"), env.get(rid, {}).get("kernel.version"),
                env.get(rid, {}).get("guest.kernel")) for rid in runs}
    kb = {k + (env.get(rid, {}).get("arch"),) for rid in runs
          for k in [(env.get(rid, {}).get("kernel.release"), env.get(rid, {}).get("kernel.version"),
                     env.get(rid, {}).get("guest.kernel"))]}
    tap(len(checkouts) == len(kernels) and len(builds) == len(kb),
        "kcidb: one checkout per kernel (%d), one build per kernel and arch (%d)" %
        (len(kernels), len(kb)), "%d checkouts, %d builds" % (len(checkouts), len(builds)))
    hosts = [t.get("environment", {}).get("misc", {}).get("host") for t in tests]
    tap(all(h for h in hosts), "kcidb: each test's environment names its host", hosts[:2])


def main():
    mode = sys.argv[1]
    if mode == "lava":
        check_lava(sys.argv[2], sys.argv[3], [int(x) for x in sys.argv[4:]])
    else:
        check_kcidb(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                    [int(x) for x in sys.argv[6:]])
    print("1..%d" % n)


main()
