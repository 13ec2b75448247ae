#!/usr/bin/env python3
"""National-scale nearest-facility search: a generated road graph of 2*10^7 nodes
(`hsplan access graph synth --roads national`, SYNTHETIC: 300 m grid with arterial roads
every 10th line and expressways every 100th) and 10^5 facilities on seeded random nodes;
the travel time from every node to its nearest facility, timed by `hsplan access bench`
under /usr/bin/time -v (graph load, search, wall clock, peak resident memory).

Goals (issue 17): every node's nearest facility in < 60 s on 2 cores, peak < 8 GB.
Usage:
    python3 benches/national_access.py [--side 4473] [--facilities 100000] [--repeat 3]
"""
import argparse
import json
import os
import random
import re
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HSPLAN = os.path.join(ROOT, "target", "release", "hsplan")
WORK = os.path.join(ROOT, "target", "national-bench")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=4473, help="nodes per side (4473^2 = 2.0e7)")
    ap.add_argument("--facilities", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "hsplan"], cwd=ROOT, check=True)
    os.makedirs(WORK, exist_ok=True)
    graph = os.path.join(WORK, f"national-{a.side}-{a.seed}.hsg")
    if not os.path.exists(graph):
        t = time.perf_counter()
        out = subprocess.run([HSPLAN, "--lang", "en", "access", "graph", "synth", "--roads",
                              "national", "--side", str(a.side), "--seed", str(a.seed),
                              "--out", graph], check=True, capture_output=True, text=True)
        print(out.stdout.strip(), f"({time.perf_counter() - t:.1f} s)")
    nodes = a.side * a.side
    rng = random.Random(a.seed)
    sources = os.path.join(WORK, f"facilities-{a.facilities}.txt")
    with open(sources, "w") as f:
        f.write("\n".join(str(v) for v in rng.sample(range(nodes), a.facilities)) + "\n")
    t = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", HSPLAN, "--lang", "en", "access", "bench",
                          "--graph", graph, "--sources", sources, "--repeat", str(a.repeat)],
                         check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t
    r = json.loads(run.stdout)
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    peak_gb = peak_kb * 1024 / 1e9
    one_run = r["load_s"] + r["min_s"]
    print(json.dumps({"nodes": r["nodes"], "arcs": r["arcs"], "facilities": r["sources"],
                      "load_s": round(r["load_s"], 2), "search_min_s": round(r["min_s"], 2),
                      "search_median_s": round(r["median_s"], 2),
                      "load_plus_search_s": round(one_run, 2),
                      "process_wall_s": round(wall, 2), "repeat": a.repeat,
                      "peak_gb": round(peak_gb, 2)}))
    print(f"goal < 60 s (graph load + one search): {one_run:.1f} s -> "
          f"{'met' if one_run < 60 else 'NOT met'}")
    print(f"goal peak < 8 GB: {peak_gb:.2f} GB -> {'met' if peak_gb < 8 else 'NOT met'}")


if __name__ == "__main__":
    main()
