#!/usr/bin/env python3
"""Catchment costs and E2SFCA at scale (issue 17): 10,000 facilities on a 10^6-node road
graph (`hsplan access graph synth --side 1000`, SYNTHETIC city grid), demand points and
facilities on seeded random nodes, a 30-minute catchment (Luo & Qi steps 10/20/30 min →
1, 0.68, 0.22).

Side by side, on the same input:
1. `hsplan access e2sfca` on the graph file without a contraction hierarchy (one bounded
   Dijkstra per facility, as before this step) and with one (`access graph ch`, bucket-based
   many-to-many): the catchment-cost time of each, their ratio (goal >= 5x), preprocessing
   reported apart and amortised; both must give the same pairs and scores.
2. E2SFCA end to end (graph file and point files in, scores out: the whole hsplan process)
   against the fastest Python pipeline that computes the same pairs — scipy.sparse.csgraph
   bounded Dijkstra from the facilities on the transposed graph, in chunks — and then runs
   PySAL `access` (goal >= 20x). Python is handed the graph as numpy arrays already in
   memory (its CSV reading is not counted).

Usage:
    python3 benches/catchment_scale.py [--side 1000] [--facilities 10000] [--demand 10000]
"""
import argparse
import csv
import json
import os
import random
import re
import subprocess
import time

from bench_venv import HSPLAN, hs, reexec_in_venv  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "catchment-bench")
STEPS = {10: 1.0, 20: 0.68, 30: 0.22}


def e2sfca(graph, facilities, demand, out):
    """Runs hsplan's E2SFCA; returns (process seconds, cost seconds, pairs, engine text)."""
    t = time.perf_counter()
    text = hs("access", "e2sfca", "--graph", graph, "--facilities", facilities, "--demand", demand,
              "--decay", "steps:10=1,20=0.68,30=0.22", "--out", out)
    wall = time.perf_counter() - t
    m = re.search(r"(\d+) pairs within .*\(costs ([0-9.]+) s, ([^;]*); ratios ([0-9.]+) s\)", text)
    return wall, float(m.group(2)), int(m.group(1)), m.group(3)


def read_scores(path):
    with open(path) as f:
        return {r["id"]: float(r["access"]) for r in csv.DictReader(f)}


def max_rel_diff(a, b):
    assert a.keys() == b.keys()
    return max((abs(a[k] - b[k]) / max(abs(b[k]), 1e-12) if a[k] != b[k] else 0.0) for k in a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=1000, help="nodes per side (1000^2 = 10^6)")
    ap.add_argument("--facilities", type=int, default=10_000)
    ap.add_argument("--demand", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--skip-python", action="store_true")
    a = ap.parse_args()
    reexec_in_venv(__file__, [("scipy", "scipy"), ("access", "access"), ("pandas", "pandas")])
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "hsplan"], cwd=ROOT, check=True)
    os.makedirs(WORK, exist_ok=True)
    graph = os.path.join(WORK, f"grid-{a.side}.hsg")
    graph_ch = os.path.join(WORK, f"grid-{a.side}-ch.hsg")
    if not os.path.exists(graph):
        hs("access", "graph", "synth", "--side", str(a.side), "--seed", "1", "--out", graph)
    t = time.perf_counter()
    hs("access", "graph", "ch", graph, "--out", graph_ch)
    prep_s = time.perf_counter() - t
    export = os.path.join(WORK, f"grid-{a.side}-export")
    hs("access", "graph", "export", graph, "--out", export)
    with open(os.path.join(export, "nodes.csv")) as f:
        r = csv.reader(f)
        next(r)
        nodes = [(float(x), float(y)) for _, x, y, _ in r]
    n = len(nodes)
    rng = random.Random(a.seed)
    site_nodes = rng.sample(range(n), a.facilities)
    demand_nodes = rng.sample(range(n), a.demand)
    capacity = [rng.randint(1, 50) for _ in site_nodes]
    population = [rng.randint(100, 5000) for _ in demand_nodes]
    fac_csv = os.path.join(WORK, "facilities.csv")
    dem_csv = os.path.join(WORK, "demand.csv")
    with open(fac_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "kind", "lon", "lat", "capacity"])
        for k, (v, c) in enumerate(zip(site_nodes, capacity)):
            w.writerow([f"f{k}", "clinic", repr(nodes[v][0]), repr(nodes[v][1]), c])
    with open(dem_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat", "population"])
        for k, (v, p) in enumerate(zip(demand_nodes, population)):
            w.writerow([f"d{k}", repr(nodes[v][0]), repr(nodes[v][1]), p])

    out_d = os.path.join(WORK, "scores-dijkstra.csv")
    out_h = os.path.join(WORK, "scores-ch.csv")
    wall_h, costs_h, pairs_h, engine_h = e2sfca(graph_ch, fac_csv, dem_csv, out_h)
    print(json.dumps({"engine": engine_h, "process_s": round(wall_h, 2), "costs_s": round(costs_h, 2),
                      "pairs": pairs_h}), flush=True)
    wall_d, costs_d, pairs_d, engine_d = e2sfca(graph, fac_csv, dem_csv, out_d)
    print(json.dumps({"engine": engine_d, "process_s": round(wall_d, 2), "costs_s": round(costs_d, 2),
                      "pairs": pairs_d}), flush=True)
    diff = max_rel_diff(read_scores(out_h), read_scores(out_d))
    row = {"nodes": n, "facilities": a.facilities, "demand": a.demand,
           "preprocessing_s": round(prep_s, 2),
           "costs_dijkstra_s": round(costs_d, 2), "costs_hierarchy_s": round(costs_h, 2),
           "pairs_dijkstra": pairs_d, "pairs_hierarchy": pairs_h,
           "max_rel_diff_scores_hierarchy_vs_dijkstra": diff}
    ratio = costs_d / costs_h
    amortised = costs_d / (costs_h + prep_s)
    print(json.dumps(row), flush=True)
    ok = pairs_d == pairs_h and diff < 1e-9
    print(f"catchment costs, hierarchy vs one Dijkstra per facility: {ratio:.1f}x "
          f"(goal >= 5x: {'met' if ratio >= 5 else 'NOT met'}); "
          f"with preprocessing counted: {amortised:.1f}x; same pairs and scores: {ok}")
    if a.skip_python:
        return 0 if ok else 1

    import numpy as np
    import pandas as pd
    import scipy.sparse as sp
    from access import Access, weights
    from scipy.sparse.csgraph import dijkstra
    with open(os.path.join(export, "arcs.csv")) as f:
        r = csv.reader(f)
        next(r)
        arcs = np.array([(int(x), int(y), float(s)) for x, y, s in r])
    tails, heads, secs = arcs[:, 0].astype(np.int64), arcs[:, 1].astype(np.int64), arcs[:, 2]
    order = np.lexsort((secs, heads, tails))
    keep = np.ones(len(order), dtype=bool)
    st, sh = tails[order], heads[order]
    keep[1:] = (st[1:] != st[:-1]) | (sh[1:] != sh[:-1])
    t0 = time.perf_counter()
    # trips towards the facilities: search from them on the transposed graph
    back = sp.csr_matrix((secs[order][keep], (sh[keep], st[keep])), shape=(n, n))
    sites = np.array(site_nodes)
    dem = np.array(demand_nodes)
    parts = []
    chunk = 100
    for c in range(0, len(sites), chunk):
        d = dijkstra(back, directed=True, indices=sites[c:c + chunk], limit=30 * 60)[:, dem]
        j, i = np.nonzero(np.isfinite(d))
        parts.append(pd.DataFrame({"demand": i, "facility": j + c, "minutes": d[j, i] / 60.0}))
    cost = pd.concat(parts, ignore_index=True)
    search_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    demand_df = pd.DataFrame({"demand": np.arange(len(dem)), "population": population})
    supply_df = pd.DataFrame({"facility": np.arange(len(sites)), "capacity": capacity})
    acc = Access(demand_df=demand_df, demand_index="demand", demand_value="population",
                 supply_df=supply_df, supply_index="facility", supply_value="capacity",
                 cost_df=cost, cost_origin="demand", cost_dest="facility", cost_name="minutes")
    res = acc.enhanced_two_stage_fca(name="e2sfca", cost="minutes", max_cost=30,
                                     weight_fn=weights.step_fn(STEPS), normalize=False)
    access_s = time.perf_counter() - t1
    python_s = time.perf_counter() - t0
    theirs = res.iloc[:, 0].reindex(np.arange(len(dem))).fillna(0.0).to_numpy()
    ours = read_scores(out_h)
    mine = np.array([ours[f"d{k}"] for k in range(len(dem))])
    py_diff = float(np.max(np.abs(mine - theirs) / np.maximum(np.abs(theirs), 1e-12)))
    print(json.dumps({"python_pairs": len(cost), "scipy_search_s": round(search_s, 2),
                      "access_e2sfca_s": round(access_s, 2), "python_total_s": round(python_s, 2),
                      "hsplan_process_s": round(wall_h, 2),
                      "max_rel_diff_scores_vs_python": py_diff}), flush=True)
    e2e = python_s / wall_h
    py_ok = len(cost) == pairs_h and py_diff < 1e-6
    print(f"E2SFCA end to end, hsplan (whole process, hierarchy) vs scipy + PySAL access: "
          f"{e2e:.1f}x (goal >= 20x: {'met' if e2e >= 20 else 'NOT met'}); "
          f"same pairs and scores: {py_ok}")
    return 0 if ok and py_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
