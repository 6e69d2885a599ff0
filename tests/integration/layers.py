#!/usr/bin/env python3
"""Check flushbench's layer rules from the object files and the includes.

Usage: layers.py [ROOT [BUILD]]   (default: . and ROOT/build)

The layers, lowest first (docs/HACKING.md):
  lib        lib/: leaf code (options, stats, results, ...)
  store      bench/store.c, bench/env.c: the results store and the
             environment it keeps
  runner     the rest of bench/: config, runner, jobs, pin, counters
  workloads  workloads/*/
  guest      guest/: QEMU orchestration; reaches the runner only through
             the CLI (it executes flushbench)
  analysis   analysis/: reads the store's API only
  cli        cli/: the dispatcher, above everything

A layer may use (call, include) only the layers ALLOWED names. Symbols are
taken from `nm` of each source's object (the undefined ones, resolved to
the object that defines them); includes from the compiler's .d files of
those objects, and from the sources for system headers. Besides: only the
store uses SQLite, only pin uses hwloc, only counters use perf_event and
libpfm; kmod/ and userspace share one header, kmod/flushbench_uapi.h.
Prints one line per violation and exits 1 when there is any.
"""
import os
import re
import subprocess
import sys

LAYER_DIRS = ("lib", "bench", "guest", "analysis", "cli", "workloads")

ALLOWED = {
    "lib": {"lib"},
    "store": {"lib", "store"},
    "runner": {"lib", "store", "runner", "workloads", "uapi"},
    "workloads": {"lib", "runner", "workloads", "uapi"},
    "guest": {"lib", "store", "guest"},
    "analysis": {"lib", "store", "analysis"},
    "cli": {"lib", "store", "runner", "workloads", "guest", "analysis", "cli",
            "uapi"},
}

# (symbol prefix or header, the only source allowed to use it, what it is)
OWNERS = (
    (r"sqlite3_", "bench/store.c", "SQLite"),
    (r"hwloc_", "bench/pin.c", "hwloc"),
    (r"pfm_", "bench/counters.c", "libpfm4"),
)
HEADER_OWNERS = (
    (r"<sqlite3\.h>", "bench/store.c", "SQLite"),
    (r"<hwloc\.h>", "bench/pin.c", "hwloc"),
    (r"<perfmon/", "bench/counters.c", "libpfm4"),
    (r"<linux/perf_event\.h>", "bench/counters.c", "perf_event"),
)


def layer_of(path):
    """The layer of a source or header path relative to the root."""
    p = os.path.normpath(path)
    if p.startswith("lib/"):
        return "lib"
    if p in ("bench/store.c", "bench/store.h", "bench/env.c", "bench/env.h"):
        return "store"
    if p.startswith("bench/"):
        return "runner"
    if p.startswith("workloads/"):
        return "workloads"
    if p == "kmod/flushbench_uapi.h":
        return "uapi"
    if p.startswith("kmod/"):
        return "kmod"
    for d in ("guest", "analysis", "cli"):
        if p.startswith(d + "/"):
            return d
    return None


def sources(root):
    out = []
    for d in LAYER_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                if f.endswith(".c"):
                    out.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(out)


def nm(objs, *args):
    """nm's lines for each of objs, in one call: {obj: [line, ...]}."""
    r = subprocess.run(["nm", "-A", *args, *objs], capture_output=True,
                       text=True)
    if r.returncode:
        raise SystemExit(f"layers: nm: {r.stderr.strip()}")
    out = {o: [] for o in objs}
    for line in r.stdout.splitlines():
        obj, _, rest = line.partition(":")
        if obj in out:
            out[obj].append(rest)
    return out


def deps(dfile, root):
    """Project headers of an object, from its .d file (relative paths)."""
    with open(dfile) as f:
        text = f.read().replace("\\\n", " ")
    first = text.split("\n", 1)[0]
    if ":" not in first:
        return []
    out = []
    for p in first.split(":", 1)[1].split():
        if not p.endswith(".h"):
            continue
        a = os.path.normpath(os.path.join(root, p)) if not os.path.isabs(p) \
            else os.path.normpath(p)
        rel = os.path.relpath(a, root)
        if not rel.startswith(".."):
            out.append(rel)
    return out


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    build = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                            os.path.join(root, "build"))
    bad = []
    srcs = sources(root)
    objs = {}
    for s in srcs:
        o = os.path.join(build, s[:-2] + ".o")
        if not os.path.exists(o):
            continue	# a standalone program not built here
        objs[s] = o
    if not objs:
        raise SystemExit(f"layers: no objects under {build}: build first")
    defined = nm(list(objs.values()), "--defined-only")
    undefined = nm(list(objs.values()), "-u")
    definer = {}
    for s, o in objs.items():
        for line in defined[o]:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDRBCGSV":
                definer.setdefault(parts[2], s)
    for s, o in objs.items():
        me = layer_of(s)
        for line in undefined[o]:
            sym = line.split()[-1]
            for pat, owner, what in OWNERS:
                if re.match(pat, sym) and s != owner:
                    bad.append(f"{s}: uses {what} ({sym}): only {owner} may")
            d = definer.get(sym)
            if not d or d == s:
                continue
            theirs = layer_of(d)
            if theirs not in ALLOWED[me]:
                bad.append(f"{s}: {me} -> {theirs}: calls {sym} ({d})")
        dfile = o[:-2] + ".d"
        if os.path.exists(dfile):
            for h in deps(dfile, root):
                theirs = layer_of(h)
                if theirs and theirs not in ALLOWED[me]:
                    bad.append(f"{s}: {me} -> {theirs}: includes {h}")
        else:
            bad.append(f"{s}: no {os.path.relpath(dfile, root)}: "
                       "build with -MMD")
    for s in srcs:
        with open(os.path.join(root, s)) as f:
            text = f.read()
        for pat, owner, what in HEADER_OWNERS:
            if re.search(r"#\s*include\s*" + pat, text) and s != owner:
                bad.append(f"{s}: includes {what}'s header: only {owner} may")
    # kmod/ shares exactly one header with userspace
    kmod = os.path.join(root, "kmod")
    for dirpath, _, files in os.walk(kmod):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            with open(path) as fh:
                for n, line in enumerate(fh, 1):
                    m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
                    if not m:
                        continue
                    inc = os.path.relpath(os.path.normpath(
                        os.path.join(dirpath, m.group(1))), root)
                    if not inc.startswith("kmod/"):
                        inc2 = os.path.relpath(os.path.normpath(
                            os.path.join(kmod, m.group(1))), root)
                        inc = inc2 if os.path.exists(
                            os.path.join(root, inc2)) else inc
                    if not inc.startswith("kmod/"):
                        bad.append(f"{rel}:{n}: kmod includes {m.group(1)}: "
                                   "kmod shares only kmod/flushbench_uapi.h")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
