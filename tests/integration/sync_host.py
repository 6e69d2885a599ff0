#!/usr/bin/env python3
"""The host side of `flushbench run --sync` for tests/integration/sync.sh:
what `flushbench duet` does for one guest, over a pseudo-terminal.

Usage: sync_host.py MODE SEED TRANSCRIPT -- flushbench run ... (without --sync)
MODE: ok (answer every ready with its go), wrong (answer the second ready
with a go for another window), hangup (close the terminal at the second
ready). Writes every line the runner said to TRANSCRIPT, with the host's
lines as "> ..."; exits with the runner's status.
"""
import os
import pty
import select
import subprocess
import sys

mode, seed, transcript = sys.argv[1], sys.argv[2], sys.argv[3]
cmd = sys.argv[sys.argv.index("--") + 1:]
m, s = pty.openpty()
p = subprocess.Popen(cmd + ["--sync", os.ttyname(s)], stdin=subprocess.DEVNULL)
out = open(transcript, "w")
buf = b""
readies = 0
while p.poll() is None or select.select([m], [], [], 0)[0]:
    r, _, _ = select.select([m], [], [], 0.1)
    if not r:
        continue
    try:
        data = os.read(m, 4096)
    except OSError:
        break
    buf += data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        line = line.decode(errors="replace").strip("\r")
        out.write(line + "\n")
        reply = None
        if line == "FB-SYNC: hello":
            reply = "seed " + seed
        elif line.startswith("FB-SYNC: ready "):
            readies += 1
            reply = "go " + line[len("FB-SYNC: ready "):]
            if readies == 2 and mode == "wrong":
                reply = "go 9 9 9"
            if readies == 2 and mode == "hangup":
                os.close(m)
                os.close(s)
                m = s = -1
                out.write("> (hung up)\n")
                break
        if reply:
            out.write("> " + reply + "\n")
            os.write(m, (reply + "\n").encode())
    if m < 0:
        break
out.close()
sys.exit(p.wait())
