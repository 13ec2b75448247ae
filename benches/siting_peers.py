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

3. p-median against spopt's PMedian (HiGHS) on a Gothenburg instance small enough for its
   dense assignment model (demand × sites variables), objectives recomputed on the matrix.
4. The large real-graph case (`--only large`): about 10^5 demand points × 10^4 candidate
   sites on the Gothenburg car graph with its contraction hierarchy, MCLP and p-median
   (p = 200), hsplan's objective, proven bound and gap, cost and solve times and peak memory.
   spopt is run on it only where its dense cost matrix would fit (it does not: 10^9 entries),
   and the script says so instead of pretending.

Peers are installed from PyPI into target/bench-venv. Usage:
    python3 benches/siting_peers.py [--quick] [--only orlib|spopt|large]
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


def pmedian_case(name, graph, demand_args, spacing, max_minutes, p, results):
    """p-median, hsplan (heuristic + Lagrangian branch and bound) vs spopt PMedian on the
    same costs; a pair beyond --max-minutes costs max-minutes on both sides."""
    from spopt.locate import PMedian
    d = os.path.join(WORK, name + "-pmedian")
    os.makedirs(d, exist_ok=True)
    out = json.loads(hs("site", "pmedian", "--graph", graph, *demand_args, "--candidate-spacing",
                        str(spacing), "--p", str(p), "--max-minutes", str(max_minutes),
                        "--minutes", str(max_minutes), "--json", "--out-costs", d))
    weights, sites, triples = read_costs(d)
    import numpy as np
    cm = np.full((len(weights), sites), float(max_minutes))
    for i, j, c in triples:
        cm[i, j] = min(c, max_minutes)
    model, slv_name, t_spopt = solve_spopt(
        lambda: PMedian.from_cost_matrix(cm, weights, p_facilities=p))
    chosen = [j for j in range(sites) if model.fac_vars[j].value() > 0.5]
    sp_obj = float((weights * cm[:, chosen].min(axis=1)).sum())
    idx = {}
    with open(os.path.join(d, "sites.csv")) as f:
        for r in csv.DictReader(f):
            idx[r["id"]] = int(r["index"])
    mine = [idx[s["id"]] for s in out["new_sites"]]
    hs_obj = float((weights * cm[:, mine].min(axis=1)).sum())
    assert abs(hs_obj - out["objective"]) < 1e-6 * max(1.0, hs_obj), (hs_obj, out["objective"])
    row = result(name, "p-median", len(weights), sites, len(triples), p, max_minutes, slv_name,
                 hs_obj, sp_obj, hs_obj / sp_obj, out, t_spopt)
    results.append(row)
    print(f"{name} p-median p={p} (trips capped at {max_minutes} min): {len(weights)} demand × {sites} sites; "
          f"weighted minutes hsplan {hs_obj:.1f} (bound {out['bound']:.1f}, gap {out['gap']*100:.3f} %) vs "
          f"spopt/{slv_name} {sp_obj:.1f} → hsplan/spopt {row['obj_ratio']*100:.3f} %; "
          f"time hsplan {out['seconds_solve']:.3f} s vs spopt {t_spopt:.1f} s → {row['time_ratio']:.0f}×")


def timed_hs(*args):
    """hsplan under /usr/bin/time: (JSON output, wall seconds, peak resident GB)."""
    t = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", HSPLAN, "--lang", "en", *args], check=True,
                         capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    return json.loads(run.stdout), wall, peak * 1024 / 1e9


def large(max_minutes, models):
    """10^5 demand points × 10^4 candidate sites on the Gothenburg car graph (synthetic
    demand grid, candidates one network node per cell), MCLP and p-median with p = 200."""
    os.makedirs(WORK, exist_ok=True)
    osm = os.path.join(SHARED, "osm")
    gbg = os.path.join(WORK, "gothenburg-car-ch.hsg")
    t = time.perf_counter()
    hs("access", "graph", "build", os.path.join(osm, "gothenburg-roads.geojson.gz"), "--profile",
       "car-urban", "--ch", "--out", gbg)
    print(f"== large real-graph siting: Gothenburg car graph with its hierarchy (built in "
          f"{time.perf_counter() - t:.1f} s, not counted below)")
    base = ["--graph", gbg, "--demand-grid", str(LARGE_GRID), "--candidate-spacing",
            str(LARGE_SPACING), "--p", str(LARGE_P), "--json"]
    rows = []
    for model, extra in (("mclp", ["--minutes", "5"]),
                         ("pmedian", ["--minutes", "5", "--max-minutes", str(max_minutes)])):
        if model not in models:
            continue
        out, wall, peak = timed_hs("site", model, *base, *extra)
        rows.append(dict(model=model, demand=out["demand_points"], sites=out["candidates"],
                         pairs=out["pairs"], objective=out["objective"], bound=out["bound"],
                         gap_pct=out["gap"] * 100, method=out["method"],
                         seconds_costs=out["seconds_costs"], seconds_solve=out["seconds_solve"],
                         wall_s=wall, peak_gb=peak))
        r = rows[-1]
        print(f"{model} p={LARGE_P}: {r['demand']} demand × {r['sites']} candidates, {r['pairs']} pairs; "
              f"objective {r['objective']:.1f}, bound {r['bound']:.1f}, gap {r['gap_pct']:.3f} %; "
              f"costs {r['seconds_costs']:.1f} s, solve {r['seconds_solve']:.1f} s, whole run {wall:.1f} s, "
              f"peak {peak:.2f} GB; {r['method']}")
        dense = r["demand"] * r["sites"]
        if dense > SPOPT_DENSE_LIMIT:
            print(f"  spopt/HiGHS not run: its dense cost matrix would hold {dense:.2e} entries "
                  f"({dense * 8 / 1e9:.0f} GB as float64) before PuLP builds "
                  f"{'one variable per pair' if model == 'pmedian' else 'the coverage rows'}; "
                  f"see the spopt cases above for where it finishes")
    with open(os.path.join(WORK, "large.json"), "w") as f:
        json.dump(rows, f, indent=1)


# The large case: a 33 m demand grid and 67 m candidate cells give just over 10^5 × 10^4 on
# the Gothenburg extract; p-median trips capped at 6 minutes by default (about 8·10^7 pairs;
# at 10 minutes, `--large-max-minutes 10`, the cost list passes 2·10^8 pairs); spopt is
# attempted only below this many dense matrix entries.
LARGE_GRID = 33
LARGE_SPACING = 67
LARGE_P = 200
LARGE_MAX_MINUTES = 6
SPOPT_DENSE_LIMIT = 2 * 10**8


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
        pmedian_case("gothenburg-car", gbg, ["--demand-grid", "300"], 600, 10, 20, results)
    with open(os.path.join(WORK, "spopt.json"), "w") as f:
        json.dump(results, f, indent=1)
    mclp = [r for r in results if r["model"] == "MCLP"]
    print(f"MCLP: hsplan/spopt objective min {min(r['obj_ratio'] for r in mclp)*100:.2f} %, "
          f"time ratio min {min(r['time_ratio'] for r in mclp):.0f}×")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["orlib", "spopt", "pmedian", "large"])
    ap.add_argument("--large-max-minutes", type=float, default=LARGE_MAX_MINUTES,
                    help="the large p-median's trip cap (minutes; 10 gives about 2·10^8 pairs)")
    ap.add_argument("--large-models", default="mclp,pmedian",
                    help="comma-separated models of the large case to run")
    a = ap.parse_args()
    reexec_in_venv(__file__, [("spopt", "spopt"), ("pulp", "pulp"), ("numpy", "numpy")], [("highspy", "highspy")])
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "hsplan-cli"], cwd=ROOT, check=True)
    print(f"machine: {os.cpu_count()} CPUs; {subprocess.run(['uname', '-srm'], capture_output=True, text=True).stdout.strip()}")
    if a.only in (None, "orlib"):
        orlib()
    if a.only in (None, "spopt"):
        spopt_all(a.quick)
    if a.only == "pmedian":
        os.makedirs(WORK, exist_ok=True)
        gbg = os.path.join(WORK, "gothenburg-car.hsg")
        hs("access", "graph", "build", os.path.join(SHARED, "osm", "gothenburg-roads.geojson.gz"),
           "--profile", "car-urban", "--out", gbg)
        pmedian_case("gothenburg-car", gbg, ["--demand-grid", "300"], 600, 10, 20, [])
    if a.only in (None, "large") and not a.quick:
        large(a.large_max_minutes, a.large_models.split(","))


if __name__ == "__main__":
    main()
