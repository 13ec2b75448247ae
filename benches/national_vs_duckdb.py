#!/usr/bin/env python3
"""National-scale evaluation: hsplan's columnar path against DuckDB on the same data.

Builds and runs the hsplan side (crates/hsplan-synth/examples/national_bench.rs), which
generates a SYNTHETIC national system (31 provinces, ~3,000 counties, ~43,000 towns,
700,000 villages, 1,000,000 facilities, 6 years), writes it as CSV and times the evaluation
of 10 indicators for every unit and year. Then, end to end from the files: hsplan reads the
four CSV files straight into columns and evaluates (a fresh process per run, peak memory
measured), and DuckDB loads them into a fresh database and runs the SQL. Then loads the same CSV files into DuckDB (PyPI
package, installed into a virtual environment here) and times the same aggregation in SQL:
facility sums per unit, rolled up to every ancestor, population denominators, ratios.
Both sides use the same number of threads. The results are compared (per indicator, year
and level: count and sum of values; and the values of a sample of units) and the ratio of
times is printed.

    python3 benches/national_vs_duckdb.py [--villages 700000] [--facilities 1000000]
                                          [--years 6] [--repeat 5] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import time
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "bench-venv")


def ensure_duckdb():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        venv.create(VENV, with_pip=True)
    if subprocess.run([py, "-c", "import duckdb"], capture_output=True).returncode != 0:
        subprocess.run([py, "-m", "pip", "install", "-q", "duckdb"], check=True)
    return py


PRIMARY_CENTRES = "('community_health_centre','street_health_centre','township_health_centre')"
HOSPITALS = ("('general_hospital','tcm_hospital','integrated_hospital','ethnic_medicine_hospital',"
             "'specialised_hospital','nursing_home')")

# The same definitions as hsplan's indicator library (crates/hsplan-eval/src/library.rs).
SQL = f"""
CREATE OR REPLACE TEMP TABLE result AS
WITH fac AS (
    SELECT f.unit, r.year,
        sum(r.beds) AS beds,
        sum(r.beds) FILTER (WHERE f.kind IN {HOSPITALS} AND f.ownership <> 'private') AS public_hospital_beds,
        sum(r.licensed_doctors + r.assistant_doctors) AS doctors,
        sum(r.registered_nurses) AS nurses,
        sum(r.general_practitioners) AS gps,
        sum(r.ambulances) AS ambulances,
        sum(r.paediatricians) AS paediatricians,
        count(*) FILTER (WHERE f.kind IN {PRIMARY_CENTRES}) AS centres,
        count(*) FILTER (WHERE f.kind IN {PRIMARY_CENTRES} AND r.fever_clinic) AS centres_fever
    FROM resources r JOIN facilities f USING (fid)
    GROUP BY f.unit, r.year
),
leaf AS (
    SELECT coalesce(fac.unit, p.unit) AS unit, coalesce(fac.year, p.year) AS year,
        fac.* EXCLUDE (unit, year), p.resident, p.age_0_14
    FROM fac FULL OUTER JOIN population p ON fac.unit = p.unit AND fac.year = p.year
),
rolled AS (
    SELECT anc AS unit, year,
        coalesce(sum(beds), 0) AS beds, coalesce(sum(public_hospital_beds), 0) AS public_hospital_beds,
        coalesce(sum(doctors), 0) AS doctors, coalesce(sum(nurses), 0) AS nurses,
        coalesce(sum(gps), 0) AS gps, coalesce(sum(ambulances), 0) AS ambulances,
        coalesce(sum(paediatricians), 0) AS paediatricians,
        coalesce(sum(centres), 0) AS centres, coalesce(sum(centres_fever), 0) AS centres_fever,
        sum(resident) AS resident, sum(age_0_14) AS age_0_14
    FROM leaf, unnest(list_distinct([
        unit // 10000000000 * 10000000000, unit // 100000000 * 100000000,
        unit // 1000000 * 1000000, unit // 1000 * 1000, unit])) AS t(anc)
    GROUP BY anc, year
)
SELECT unit, year,
    CASE WHEN unit % 1000 <> 0 THEN 'village' WHEN unit % 1000000 <> 0 THEN 'town'
         WHEN unit % 100000000 <> 0 THEN 'county' WHEN unit % 10000000000 <> 0 THEN 'prefecture'
         ELSE 'province' END AS level,
    beds / nullif(resident, 0) * 1000 AS beds_per_1000,
    public_hospital_beds / nullif(resident, 0) * 1000 AS public_hospital_beds_per_1000,
    doctors / nullif(resident, 0) * 1000 AS licensed_doctors_per_1000,
    nurses / nullif(resident, 0) * 1000 AS registered_nurses_per_1000,
    gps / nullif(resident, 0) * 10000 AS gps_per_10k,
    ambulances / nullif(resident, 0) * 10000 AS ambulances_per_10k,
    paediatricians / nullif(age_0_14, 0) * 1000 AS paediatricians_per_1000_children,
    nurses / nullif(doctors, 0) AS doctor_nurse_ratio,
    doctors / nullif(beds, 0) AS bed_doctor_ratio,
    centres_fever / nullif(centres, 0) * 100 AS share_primary_centres_with_fever_clinic
FROM rolled
"""

INDICATORS = ["beds_per_1000", "public_hospital_beds_per_1000", "licensed_doctors_per_1000",
              "registered_nurses_per_1000", "gps_per_10k", "ambulances_per_10k",
              "paediatricians_per_1000_children", "doctor_nurse_ratio", "bed_doctor_ratio",
              "share_primary_centres_with_fever_clinic"]


TABLES = [
        ("facilities", "{'fid': 'INTEGER', 'unit': 'BIGINT', 'kind': 'VARCHAR', 'grade': 'VARCHAR', 'ownership': 'VARCHAR'}"),
        ("resources", "{'fid': 'INTEGER', 'year': 'INTEGER', 'beds': 'BIGINT', 'licensed_doctors': 'BIGINT', 'assistant_doctors': 'BIGINT', 'registered_nurses': 'BIGINT', 'general_practitioners': 'BIGINT', 'paediatricians': 'BIGINT', 'ambulances': 'BIGINT', 'fever_clinic': 'BOOLEAN'}"),
        ("population", "{'unit': 'BIGINT', 'year': 'INTEGER', 'resident': 'BIGINT', 'age_0_14': 'BIGINT'}"),
]


def load(con, out, parquet=False):
    for name, cols in TABLES:
        if parquet:
            path = os.path.join(out, f"{name}.parquet")
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
        else:
            path = os.path.join(out, f"{name}.csv")
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true, columns={cols})")


def write_parquet(out, dest):
    """The same four files as Parquet (DuckDB's writer, its default compression), typed as
    DuckDB reads the CSV files."""
    import duckdb
    os.makedirs(dest, exist_ok=True)
    con = duckdb.connect()
    for name, cols in TABLES + [("units", "{'code': 'BIGINT'}")]:
        src = os.path.join(out, f"{name}.csv")
        con.execute(f"COPY (SELECT * FROM read_csv('{src}', header=true, columns={cols})) "
                    f"TO '{os.path.join(dest, name + '.parquet')}' (FORMAT parquet)")
    con.close()


def peer(out, repeat, threads):
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    t = time.perf_counter()
    load(con, out)
    load_s = time.perf_counter() - t
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        con.execute(SQL)
        times.append(time.perf_counter() - t)
    times.sort()
    digest = {}
    for ind in INDICATORS:
        for year, level, n, s in con.execute(
            f"SELECT year, level, count({ind}), sum({ind}) FROM result WHERE {ind} IS NOT NULL GROUP BY year, level"
        ).fetchall():
            digest[(ind, int(year), level)] = (int(n), float(s))
    values = {}
    sample = os.path.join(out, "hsplan-sample.csv")
    con.execute(f"CREATE TEMP TABLE sampled AS SELECT DISTINCT unit FROM read_csv('{sample}', header=true, columns={{'indicator': 'VARCHAR', 'year': 'INTEGER', 'unit': 'BIGINT', 'value': 'DOUBLE'}})")
    for ind in INDICATORS:
        for unit, year, v in con.execute(f"SELECT unit, year, {ind} FROM result SEMI JOIN sampled USING (unit)").fetchall():
            values[(ind, int(year), int(unit))] = v
    return {"load_s": load_s, "min_s": times[0], "median_s": times[len(times) // 2],
            "digest": digest, "values": values, "version": duckdb.__version__}


def peer_end_to_end(out, repeat, threads, parquet=False):
    """DuckDB from the files: a fresh in-memory database per run loads the CSV (or Parquet)
    files and runs the aggregation (what a planner with only the files waits for)."""
    import duckdb
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        load(con, out, parquet)
        con.execute(SQL)
        times.append(time.perf_counter() - t)
        con.close()
    times.sort()
    return times


def ours_end_to_end(exe, out, repeat, threads):
    """hsplan from the files, in a fresh process per run (read into columns, evaluate);
    the peak resident memory of the process from /usr/bin/time."""
    import re
    runs, peaks = [], []
    for _ in range(repeat):
        run = subprocess.run(["/usr/bin/time", "-v", exe, "--read", out, "--threads", str(threads)],
                             check=True, capture_output=True, text=True)
        runs.append(json.loads(run.stdout))
        peaks.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)))
    runs.sort(key=lambda r: r["total_s"])
    return runs, max(peaks) * 1024 / 1e9


def compare(out, prefix, theirs):
    """Digest and sampled values of an hsplan run against DuckDB's: (problems, rows, values)."""
    import csv
    bad = 0
    rows = 0
    with open(os.path.join(out, f"{prefix}-digest.csv")) as f:
        for r in csv.DictReader(f):
            key = (r["indicator"], int(r["year"]), r["level"])
            n, s = int(r["n"]), float(r["sum"])
            pn, ps = theirs["digest"].get(key, (0, 0.0))
            rows += 1
            if n != pn or abs(s - ps) > 1e-9 * max(abs(s), 1.0):
                bad += 1
                print(f"{prefix}: digest differs {key}: hsplan n={n} sum={s} duckdb n={pn} sum={ps}")
    if rows != len(theirs["digest"]):
        bad += 1
        print(f"{prefix}: digest rows: hsplan {rows}, duckdb {len(theirs['digest'])}")
    sampled = 0
    with open(os.path.join(out, f"{prefix}-sample.csv")) as f:
        for r in csv.DictReader(f):
            key = (r["indicator"], int(r["year"]), int(r["unit"]))
            v = float(r["value"])
            p = theirs["values"].get(key)
            sampled += 1
            if p is None or abs(v - p) > 1e-9 * max(abs(v), 1.0):
                bad += 1
                print(f"{prefix}: value differs {key}: hsplan {v} duckdb {p}")
    return bad, rows, sampled


def report(what, ours, peak_gb, theirs):
    """Prints one end-to-end leg: hsplan's runs (sorted) and peak, DuckDB's times, ratios."""
    best, med = ours[0], ours[len(ours) // 2]
    print(f"end to end from {what}: hsplan min {best['total_s']:.3f} s (read {best['read_s']:.3f} + "
          f"evaluate {best['evaluate_s']:.3f}), median {med['total_s']:.3f} s; peak {peak_gb:.2f} GB")
    print(f"end to end from {what}: duckdb (load + SQL, fresh database) min {theirs[0]:.3f} s, "
          f"median {theirs[len(theirs) // 2]:.3f} s")
    r_min = theirs[0] / best["total_s"]
    r_med = theirs[len(theirs) // 2] / med["total_s"]
    print(f"end-to-end ratio from {what} duckdb/hsplan (min): {r_min:.2f}x; (median): {r_med:.2f}x "
          f"-> goal >= 2x {'met' if min(r_min, r_med) >= 2 else 'NOT met'}; "
          f"peak < 1.5 GB {'met' if peak_gb < 1.5 else 'NOT met'}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=700_000)
    ap.add_argument("--facilities", type=int, default=1_000_000)
    ap.add_argument("--years", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "national-bench"))
    a = ap.parse_args()
    if os.environ.get("HSPLAN_BENCH_IN_VENV") != "1":
        py = ensure_duckdb()
        env = dict(os.environ, HSPLAN_BENCH_IN_VENV="1")
        sys.exit(subprocess.run([py, __file__] + sys.argv[1:], env=env).returncode)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "hsplan-synth", "--example",
                    "national_bench"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "examples", "national_bench")
    run = subprocess.run([exe, "--out", a.out, "--villages", str(a.villages), "--facilities",
                          str(a.facilities), "--years", str(a.years), "--repeat", str(a.repeat),
                          "--threads", str(a.threads)], check=True, capture_output=True, text=True)
    ours = json.loads(run.stdout)
    theirs = peer(a.out, a.repeat, a.threads)

    bad, rows, sampled = compare(a.out, "hsplan", theirs)
    # End to end from the files, both sides, fresh each run.
    e2e_ours, peak_gb = ours_end_to_end(exe, a.out, a.repeat, a.threads)
    e2e_bad, _, _ = compare(a.out, "hsplan-read", theirs)
    bad += e2e_bad
    e2e_theirs = peer_end_to_end(a.out, a.repeat, a.threads)
    print(f"data: {ours['units']} units ({ours['villages']} villages), {ours['facilities']} facilities, "
          f"{ours['facility_years']} facility-years, {ours['years']} years, {ours['indicators']} indicators, "
          f"{a.threads} threads (SYNTHETIC)")
    print(f"results agree: {'yes' if bad == 0 else 'NO'} ({rows} digest rows, {sampled} sampled values)")
    print(f"hsplan columnar evaluation: min {ours['evaluate_min_s']:.3f} s, median {ours['evaluate_median_s']:.3f} s "
          f"(layout from generated records {ours['layout_s']:.2f} s)")
    print(f"duckdb {theirs['version']} SQL aggregation: min {theirs['min_s']:.3f} s, median {theirs['median_s']:.3f} s "
          f"(CSV load {theirs['load_s']:.2f} s)")
    print(f"ratio duckdb/hsplan (min): {theirs['min_s'] / ours['evaluate_min_s']:.2f}x; "
          f"(median): {theirs['median_s'] / ours['evaluate_median_s']:.2f}x")
    report("the CSV files", e2e_ours, peak_gb, e2e_theirs)
    # The same from Parquet files (written by DuckDB from the CSV files, not timed).
    pq = os.path.join(a.out, "parquet")
    write_parquet(a.out, pq)
    size = lambda d, ext: sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(ext))
    pq_ours, pq_peak = ours_end_to_end(exe, pq, a.repeat, a.threads)
    pq_bad, _, _ = compare(pq, "hsplan-read", theirs)
    bad += pq_bad
    pq_theirs = peer_end_to_end(pq, a.repeat, a.threads, parquet=True)
    print(f"Parquet files: {size(pq, '.parquet') / 1e6:.0f} MB vs {size(a.out, '.csv') / 1e6:.0f} MB "
          f"of CSV; results agree: {'yes' if pq_bad == 0 else 'NO'}")
    report("Parquet files", pq_ours, pq_peak, pq_theirs)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
