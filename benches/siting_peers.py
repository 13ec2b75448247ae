#!/usr/bin/env python3
"""Siting engine: proven gaps on OR-Library and side-by-side runs against spopt.

1. OR-Library p-median (pmed1-pmed40, ../shared/data/orlib-pmed): hsplan's objective per
   instance against the published optimum (OPTIMA.tsv), its own Lagrangian bound and gap,
   and the total time (reading, all-pairs shortest paths and solving).
2. MCLP and LSCP on instances built from the real OSM extracts in ../shared/data/osm:
   hsplan builds the travel-time cost list over the road graph (`hsplan site ... --out-costs`)
   and solves; PySAL spopt (PyPI) solves the same cost matrix with HiGHS (highspy) when it
   installs, else CBC (bundled with PuLP). Reported: objective ratio (hsplan / spopt) and
   time ratio (spopt / hsplan), solving only: matrix construction excluded on both sides
   (hsplan's network search, spopt's numpy matrix).

Peers are installed from PyPI into target/bench-venv. Usage:
    python3 benches/siting_peers.py [--quick] [--only orlib|spopt]
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time

from bench_venv import HSPLAN, hs, reexec_in_venv  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
WORK = os.path.join(ROOT, "target", "siting-bench")


def orlib():
    print("== OR-Library p-median, 40 instances")
    out = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "hsplan-siting", "--example", "orlib", "--",
         os.path.join(SHARED, "orlib-pmed")],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    rows = [l.split("\t") for l in out.splitlines() if l.startswith("pmed")]
    print(f"{'instance':<9}{'n':>5}{'p':>5}{'hsplan':>9}{'bound':>9}{'optimum':>9}"
          f"{'gap/bound %':>13}{'gap/opt %':>11}{'s':>8}{'proven':>8}{'B&B nodes':>11}")
    for r in rows:
        nodes = re.search(r"branch_nodes: (\d+)", r[9])
        print(f"{r[0]:<9}{r[1]:>5}{r[2]:>5}{r[3]:>9}{r[4]:>9}{r[5]:>9}{float(r[6]):>13.3f}"
              f"{float(r[7]):>11.3f}{float(r[8]):>8.3f}{'yes' if float(r[6]) == 0 else 'no':>8}"
              f"{nodes.group(1) if nodes else '-':>11}")
    gaps = [float(r[7]) for r in rows]
    bounds = [float(r[6]) for r in rows]
    total = sum(float(r[8]) for r in rows)
    print(f"at the optimum: {sum(1 for g in gaps if abs(g) < 1e-9)}/{len(rows)}; "
          f"gap to optimum mean {sum(gaps)/len(gaps):.4f} %, max {max(gaps):.3f} %; "
          f"proven gap (to hsplan's own bound) mean {sum(bounds)/len(bounds):.3f} %, "
          f"max {max(bounds):.3f} %, closed on {sum(1 for b in bounds if b == 0)}; "
          f"total {total:.2f} s")
    print(out.splitlines()[-1])


def read_costs(d):
    import numpy as np
    with open(os.path.join(d, "demand.csv")) as f:
        r = csv.DictReader(f)
        weights = np.array([float(x["population"]) for x in r])
    with open(os.path.join(d, "sites.csv")) as f:
        sites = sum(1 for _ in f) - 1
    with open(os.path.join(d, "costs.csv")) as f:
        r = csv.reader(f)
        next(r)
        triples = [(int(i), int(j), float(c)) for i, j, c in r]
    return weights, sites, triples


def matrix(weights, sites, triples, radius):
    import numpy as np
    m = np.full((len(weights), sites), radius * 10.0 + 1000.0)
    for i, j, c in triples:
        m[i, j] = c
    return m


def solver():
    import pulp
    try:
        import highspy  # noqa: F401
        s = pulp.HiGHS(msg=False)
        if s.available():
            return s, "HiGHS"
    except Exception:
        pass
    return pulp.PULP_CBC_CMD(msg=False), "CBC"


def solve_spopt(build):
    """Builds a spopt model with `build()`, solves it; returns (model, solver name, seconds)."""
    slv, slv_name = solver()
    t = time.perf_counter()
    model = build().solve(slv)
    return model, slv_name, time.perf_counter() - t


def result(name, model, demand, sites, pairs, p, minutes, slv_name, hs_obj, sp_obj, obj_ratio, out, t_spopt):
    return dict(case=name, model=model, demand=demand, sites=sites, pairs=pairs, p=p,
                minutes=minutes, solver=slv_name, hsplan_obj=hs_obj, spopt_obj=sp_obj,
                hsplan_bound=out["bound"], hsplan_gap_pct=out["gap"] * 100, obj_ratio=obj_ratio,
                hsplan_s=out["seconds_solve"], spopt_s=t_spopt,
                time_ratio=t_spopt / max(out["seconds_solve"], 1e-6))


def spopt_case(name, graph, demand_args, spacing, minutes, p, results):
    import numpy as np
    from spopt.locate import LSCP, MCLP
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    base = ["--graph", graph, *demand_args, "--candidate-spacing", str(spacing),
            "--minutes", str(minutes), "--json"]
    # MCLP
    out = json.loads(hs("site", "mclp", *base, "--p", str(p), "--out-costs", d))
    weights, sites, triples = read_costs(d)
    cm = matrix(weights, sites, triples, minutes)
    model, slv_name, t_spopt = solve_spopt(
        lambda: MCLP.from_cost_matrix(cm, weights, service_radius=minutes, p_facilities=p))
    chosen = [j for j in range(sites) if model.fac_vars[j].value() > 0.5]
    covered_sp = float(weights[(cm[:, chosen] <= minutes).any(axis=1)].sum())
    # the same objective recomputed on the matrix for hsplan's sites
    idx = {}
    with open(os.path.join(d, "sites.csv")) as f:
        for r in csv.DictReader(f):
            idx[r["id"]] = int(r["index"])
    mine = [idx[s["id"]] for s in out["new_sites"]]
    covered_hs = float(weights[(cm[:, mine] <= minutes).any(axis=1)].sum())
    assert abs(covered_hs - out["objective"]) < 1e-6 * max(1.0, covered_hs), (covered_hs, out["objective"])
    row = result(name, "MCLP", len(weights), sites, len(triples), p, minutes, slv_name,
                 covered_hs, covered_sp, covered_hs / covered_sp if covered_sp else float("nan"),
                 out, t_spopt)
    results.append(row)
    print(f"{name} MCLP p={p} ≤{minutes} min: {len(weights)} demand × {sites} sites, {len(triples)} pairs; "
          f"covered hsplan {covered_hs:.0f} (bound {out['bound']:.0f}, gap {out['gap']*100:.3f} %) vs spopt/{slv_name} {covered_sp:.0f} "
          f"→ {row['obj_ratio']*100:.2f} %; time hsplan {out['seconds_solve']:.4f} s vs spopt {t_spopt:.2f} s → {row['time_ratio']:.0f}×")
    # LSCP on the coverable demand
    out = json.loads(hs("site", "lscp", *base, "--out-costs", d))
    weights, sites, triples = read_costs(d)
    cm = matrix(weights, sites, triples, minutes)
    keep = (cm <= minutes).any(axis=1) & (weights > 0)
    cm = cm[keep]
    model, slv_name, t_spopt = solve_spopt(lambda: LSCP.from_cost_matrix(cm, service_radius=minutes))
    n_sp = sum(1 for j in range(sites) if model.fac_vars[j].value() > 0.5)
    row = result(name, "LSCP", int(keep.sum()), sites, len(triples), None, minutes, slv_name,
                 out["objective"], n_sp, n_sp / out["objective"] if out["objective"] else float("nan"),
                 out, t_spopt)
    results.append(row)
    print(f"{name} LSCP ≤{minutes} min: {int(keep.sum())} coverable demand × {sites} sites; "
          f"sites hsplan {out['objective']:.0f} (bound {out['bound']:.0f}) vs spopt/{slv_name} {n_sp} "
          f"(optimum/hsplan = {row['obj_ratio']*100:.2f} %); time hsplan {out['seconds_solve']:.4f} s vs spopt {t_spopt:.2f} s → {row['time_ratio']:.0f}×")


def spopt_all(quick):
    os.makedirs(WORK, exist_ok=True)
    osm = os.path.join(SHARED, "osm")
    results = []
    monaco_walk = os.path.join(WORK, "monaco-walk.hsg")
    hs("access", "graph", "build", os.path.join(osm, "monaco.osm.pbf"), "--profile", "walk", "--out", monaco_walk)
    spopt_case("monaco-walk", monaco_walk, ["--demand-grid", "60"], 120, 5, 10, results)
    if not quick:
        gbg = os.path.join(WORK, "gothenburg-car.hsg")
        hs("access", "graph", "build", os.path.join(osm, "gothenburg-roads.geojson.gz"), "--profile", "car-urban", "--out", gbg)
        spopt_case("gothenburg-car", gbg, ["--demand-grid", "150"], 300, 5, 20, results)
        spopt_case("gothenburg-car-large", gbg, ["--demand-grid", "100"], 200, 5, 40, results)
    with open(os.path.join(WORK, "spopt.json"), "w") as f:
        json.dump(results, f, indent=1)
    mclp = [r for r in results if r["model"] == "MCLP"]
    print(f"MCLP: hsplan/spopt objective min {min(r['obj_ratio'] for r in mclp)*100:.2f} %, "
          f"time ratio min {min(r['time_ratio'] for r in mclp):.0f}×")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["orlib", "spopt"])
    a = ap.parse_args()
    reexec_in_venv(__file__, [("spopt", "spopt"), ("pulp", "pulp"), ("numpy", "numpy")], [("highspy", "highspy")])
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "hsplan-cli"], cwd=ROOT, check=True)
    print(f"machine: {os.cpu_count()} CPUs; {subprocess.run(['uname', '-srm'], capture_output=True, text=True).stdout.strip()}")
    if a.only in (None, "orlib"):
        orlib()
    if a.only in (None, "spopt"):
        spopt_all(a.quick)


if __name__ == "__main__":
    main()
