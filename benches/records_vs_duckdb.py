#!/usr/bin/env python3
"""Record-level utilisation at scale: hsplan (Apache DataFusion) against DuckDB on the same
Parquet files, every utilisation count for every unit from village to province.

1. Builds the demo store (release binary) and generates SYNTHETIC records for the whole
   municipality of Chongqing (unit 50) for 2024, scaled so that the encounters table holds
   about --rows rows (default 100 million: a province's year), with the other four tables.
2. hsplan: `records indicators DIR --unit 50 --year 2024 --threads T --out every-unit.csv`
   — checks every record, counts the five tables into per-unit totals and writes every
   utilisation indicator of every unit (village → municipality); wall time and peak memory
   (/usr/bin/time) on T = 1 and 2 threads.
3. DuckDB (PyPI), same threads, same files plus the facility register written beside them:
   the same counts — grouped, joined to the register, rolled up to every ancestor by code
   prefix — materialised for every unit; wall time and peak memory of its process.
4. Every numerator and denominator of every unit is compared; the ratio of times printed.
5. With --ballista: the same hsplan run on a Ballista scheduler and executor started in the
   process (`--cluster standalone`), its output compared with the embedded run's and its
   overhead printed.

    python3 benches/records_vs_duckdb.py [--rows 100000000] [--threads 1,2] [--keep DIR] [--ballista]
"""
import argparse
import csv
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_venv import HSPLAN as RELEASE, ROOT, reexec_in_venv  # noqa: E402

# HSPLAN_BIN: another build of hsplan (e.g. to try the script quickly); default the release one.
HSPLAN = os.environ.get("HSPLAN_BIN", RELEASE)

PREFIXES = (2, 4, 6, 9, 12)


def run_timed(cmd):
    """Runs a command; returns (seconds, peak RSS in MB) measured by GNU time."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], check=True,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - t
    peak_kb = int(out.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def own_or_ancestor(col, n):
    """True where the prefix of length n names the code itself or an ancestor (not a
    longer prefix of a code of a higher level, which would count it twice)."""
    prev = {2: None, 4: 2, 6: 4, 9: 6, 12: 9}[n]
    return "TRUE" if prev is None else f"rpad(substr({col}, 1, {prev}), 12, '0') <> {col}"


def rollup(select_leaf, unit_col):
    """UNION ALL of a leaf query's sums rolled up to the code itself and every ancestor."""
    parts = []
    for n in PREFIXES:
        parts.append(
            f"SELECT rpad(substr({unit_col}, 1, {n}), 12, '0') AS unit, * EXCLUDE ({unit_col}) "
            f"FROM ({select_leaf}) WHERE {own_or_ancestor(unit_col, n)}")
    return " UNION ALL ".join(parts)


def duckdb_side(d, threads, out_csv):
    """Runs in a child process so that its peak memory is its own."""
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    j = lambda name: os.path.join(d, name).replace("'", "''")  # noqa: E731
    t = time.perf_counter()
    con.execute(f"""CREATE TABLE reg AS SELECT * FROM read_csv('{j('facility-register.csv')}',
        header = true, columns = {{'id': 'VARCHAR', 'unit': 'VARCHAR', 'service_level': 'BIGINT',
        'primary_care': 'BOOLEAN'}})""")
    enc = f"read_parquet('{j('encounters.parquet')}')"
    # Encounters: facility side by the facility's unit, resident side by the residence, and
    # residents' care within each level's unit.
    con.execute(f"""CREATE TABLE g AS SELECT e.facility, e.residence, e.kind = 'inpatient' AS inpatient,
        e.tcm, count(*) AS n FROM {enc} e GROUP BY ALL""")
    con.execute("""CREATE TABLE gj AS SELECT g.*, r.unit AS funit, r.primary_care FROM g JOIN reg r ON g.facility = r.id""")
    fac = rollup("""SELECT funit, sum(n) FILTER (NOT inpatient) AS visits,
        sum(n) FILTER (NOT inpatient AND primary_care) AS primary_visits,
        sum(n) FILTER (NOT inpatient AND tcm) AS tcm_visits FROM gj GROUP BY funit""", "funit")
    con.execute(f"CREATE TABLE facility_side AS SELECT unit, sum(visits) AS visits, sum(primary_visits) AS primary_visits, sum(tcm_visits) AS tcm_visits FROM ({fac}) GROUP BY unit")
    parts = []
    for n in PREFIXES:
        parts.append(f"""SELECT rpad(substr(residence, 1, {n}), 12, '0') AS unit,
            sum(n) AS encounters, sum(n) FILTER (inpatient) AS admissions,
            sum(n) FILTER (substr(funit, 1, {n}) = substr(residence, 1, {n})) AS within,
            sum(n) FILTER (inpatient AND substr(funit, 1, {n}) = substr(residence, 1, {n})) AS adm_within
            FROM gj WHERE {own_or_ancestor('residence', n)} GROUP BY 1""")
    con.execute("CREATE TABLE resident_side AS " + " UNION ALL ".join(parts))
    con.execute(f"""CREATE TABLE referral_side AS SELECT unit, sum(up) AS up, sum(down) AS down FROM ({rollup(
        f'''SELECT f.unit AS funit, count(*) FILTER (WHERE t.service_level > f.service_level) AS up,
            count(*) FILTER (WHERE t.service_level < f.service_level) AS down
            FROM read_parquet('{j('referrals.parquet')}') x JOIN reg f ON x.from_facility = f.id
            JOIN reg t ON x.to_facility = t.id GROUP BY 1''', 'funit')}) GROUP BY unit""")
    con.execute(f"""CREATE TABLE contract_side AS SELECT unit, sum(c) AS contracted, sum(k) AS contracted_key FROM ({rollup(
        f'''SELECT residence, count(*) AS c, count(*) FILTER (WHERE age_65_plus OR hypertension OR diabetes
            OR maternal OR child_0_6 OR disability OR poverty) AS k
            FROM read_parquet('{j('contracts.parquet')}')
            WHERE end_date IS NULL OR end_date >= DATE '2024-12-31' GROUP BY 1''', 'residence')}) GROUP BY unit""")
    con.execute(f"""CREATE TABLE chronic_side AS SELECT unit, condition, sum(m) AS managed, sum(s) AS standardised, sum(c) AS controlled FROM ({rollup(
        f'''SELECT residence, condition, count(*) AS m, count(*) FILTER (WHERE standardised) AS s,
            count(*) FILTER (WHERE controlled) AS c FROM read_parquet('{j('chronic_disease.parquet')}')
            WHERE year = 2024 GROUP BY 1, 2''', 'residence')}) GROUP BY unit, condition""")
    con.execute(f"""CREATE TABLE record_side AS SELECT unit, sum(r) AS records, sum(k) AS key_residents FROM ({rollup(
        f'''SELECT residence, count(*) AS r, count(*) FILTER (WHERE key_population) AS k
            FROM read_parquet('{j('health_records.parquet')}') WHERE active GROUP BY 1''', 'residence')}) GROUP BY unit""")
    seconds = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM g").fetchone()[0]
    con.execute(f"""COPY (
        SELECT 'facility' AS side, unit, visits AS a, primary_visits AS b, tcm_visits AS c, NULL AS d FROM facility_side
        UNION ALL SELECT 'resident', unit, encounters, admissions, within, adm_within FROM resident_side
        UNION ALL SELECT 'referral', unit, up, down, NULL, NULL FROM referral_side
        UNION ALL SELECT 'contract', unit, contracted, contracted_key, NULL, NULL FROM contract_side
        UNION ALL SELECT 'chronic-' || condition, unit, managed, standardised, controlled, NULL FROM chronic_side
        UNION ALL SELECT 'record', unit, records, key_residents, NULL, NULL FROM record_side
    ) TO '{out_csv}' (HEADER)""")
    print(f"{seconds} {rows} {duckdb.__version__}")


def compare(hsplan_csv, duck_csv):
    """Every numerator and denominator of every unit: equal on both sides."""
    duck = {}
    with open(duck_csv, newline="") as f:
        for r in csv.DictReader(f):
            vals = [0 if r[k] in ("", None) else int(float(r[k])) for k in "abcd"]
            key = (r["side"], r["unit"])
            old = duck.get(key, [0, 0, 0, 0])
            duck[key] = [x + y for x, y in zip(old, vals)]
    get = lambda side, unit: duck.get((side, unit), [0, 0, 0, 0])  # noqa: E731
    want = {
        "primary_care_visit_share_records": lambda u: (get("facility", u)[1], get("facility", u)[0]),
        "tcm_consultation_share_pct": lambda u: (get("facility", u)[2], get("facility", u)[0]),
        "local_care_rate_pct": lambda u: (get("resident", u)[2], get("resident", u)[0]),
        "inpatient_outflow_rate_pct": lambda u: (get("resident", u)[1] - get("resident", u)[3], get("resident", u)[1]),
        "referrals_up": lambda u: (get("referral", u)[0], None),
        "referrals_down": lambda u: (get("referral", u)[1], None),
        "down_up_referral_ratio": lambda u: (get("referral", u)[1], get("referral", u)[0]),
        "family_doctor_contract_coverage_pct": lambda u: (get("contract", u)[0], None),
        "family_doctor_priority_group_coverage_pct": lambda u: (get("contract", u)[1], get("record", u)[1]),
        "hypertension_management_rate_pct": lambda u: (get("chronic-hypertension", u)[1], get("chronic-hypertension", u)[0]),
        "hypertension_control_rate_pct": lambda u: (get("chronic-hypertension", u)[2], get("chronic-hypertension", u)[0]),
        "diabetes_management_rate_pct": lambda u: (get("chronic-diabetes", u)[1], get("chronic-diabetes", u)[0]),
        "diabetes_control_rate_pct": lambda u: (get("chronic-diabetes", u)[2], get("chronic-diabetes", u)[0]),
        "ehr_coverage_pct": lambda u: (get("record", u)[0], None),
    }
    checked, bad = 0, []
    units = set()
    with open(hsplan_csv, newline="") as f:
        for r in csv.DictReader(f):
            units.add(r["unit"])
            num, den = want[r["indicator"]](r["unit"])
            got_num = float(r["numerator"])
            if got_num != num:
                bad.append(f"{r['unit']} {r['indicator']} numerator: hsplan {got_num}, duckdb {num}")
            if den is not None and r["denominator"] != "" and float(r["denominator"]) != den:
                bad.append(f"{r['unit']} {r['indicator']} denominator: hsplan {r['denominator']}, duckdb {den}")
            checked += 1
    return checked, len(units), bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=float, default=1e8)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--keep", default=os.path.join(ROOT, "target", "records-bench"))
    ap.add_argument("--ballista", action="store_true",
                    help="also run hsplan on Ballista standalone and report its overhead")
    ap.add_argument("--duckdb-child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.duckdb_child:
        d, threads, out = a.duckdb_child
        duckdb_side(d, int(threads), out)
        return
    if HSPLAN == RELEASE:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "hsplan"], cwd=ROOT, check=True)
    work = a.keep
    os.makedirs(work, exist_ok=True)
    demo = os.path.join(work, "demo")
    db = os.path.join(demo, "demo.db")
    if not os.path.exists(db):
        subprocess.run([HSPLAN, "--lang", "en", "demo", "--out", demo], check=True, capture_output=True)
    probe = os.path.join(work, "probe")
    subprocess.run([HSPLAN, "--lang", "en", "--db", db, "records", "generate", "--unit", "50",
                    "--year", "2024", "--scale", "0.01", "--out", probe], check=True, capture_output=True)
    import pyarrow.parquet as pq  # noqa: F401  (installed with duckdb's extras below)
    full = pq.ParquetFile(os.path.join(probe, "encounters.parquet")).metadata.num_rows * 100
    scale = round(a.rows / full, 4)
    d = os.path.join(work, f"records-{int(a.rows)}")
    marker = os.path.join(d, "SYNTHETIC.md")
    if not (os.path.exists(marker) and f"scale {scale}\n" in open(marker).read()):
        t = time.perf_counter()
        subprocess.run([HSPLAN, "--lang", "en", "--db", db, "records", "generate", "--unit", "50",
                        "--year", "2024", "--scale", str(scale), "--out", d], check=True)
        print(f"generated in {time.perf_counter() - t:.1f} s")
    n = pq.ParquetFile(os.path.join(d, "encounters.parquet")).metadata.num_rows
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)) / 1e9
    print(f"records: {n:,} encounters (scale {scale} of the demo region's 2024 volume), {size:.2f} GB on disk")
    print(f"machine: {os.cpu_count()} cores; {os.uname().sysname} {os.uname().release}")
    for threads in [int(t) for t in a.threads.split(",")]:
        out = os.path.join(work, f"every-unit-{threads}.csv")
        hs_s, hs_mb = run_timed([HSPLAN, "--lang", "en", "--db", db, "records", "indicators", d,
                                 "--unit", "50", "--year", "2024", "--threads", str(threads),
                                 "--json", "--out", out])
        duck_csv = os.path.join(work, f"duckdb-{threads}.csv")
        t = time.perf_counter()
        res = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, os.path.abspath(__file__),
                              "--duckdb-child", d, str(threads), duck_csv],
                             check=True, capture_output=True, text=True)
        dk_total = time.perf_counter() - t
        dk_s, groups, version = res.stdout.split()
        dk_mb = int(res.stderr.strip().splitlines()[-1]) / 1024
        checked, units, bad = compare(out, duck_csv)
        for b in bad[:10]:
            print("MISMATCH", b)
        print(f"threads {threads}: hsplan {hs_s:.2f} s (peak {hs_mb:.0f} MB, {n / hs_s / 1e6:.1f} M rows/s) | "
              f"DuckDB {version} {float(dk_s):.2f} s (process {dk_total:.2f} s, peak {dk_mb:.0f} MB) | "
              f"hsplan/DuckDB time {hs_s / float(dk_s):.2f}x | {units} units, {checked} values compared, "
              f"{len(bad)} mismatches")
        if bad:
            sys.exit(1)
        if a.ballista:
            b_out = os.path.join(work, f"every-unit-ballista-{threads}.csv")
            b_s, b_mb = run_timed([HSPLAN, "--lang", "en", "--db", db, "records", "indicators", d,
                                   "--unit", "50", "--year", "2024", "--threads", str(threads),
                                   "--cluster", "standalone", "--json", "--out", b_out])
            same = open(b_out, "rb").read() == open(out, "rb").read()
            print(f"threads {threads}: Ballista standalone {b_s:.2f} s (peak {b_mb:.0f} MB) | "
                  f"embedded {hs_s:.2f} s | overhead {b_s / hs_s:.2f}x | output "
                  f"{'identical' if same else 'DIFFERENT'} to the embedded run's")
            if not same:
                sys.exit(1)


if __name__ == "__main__":
    reexec_in_venv(__file__, [("duckdb", "duckdb"), ("pyarrow", "pyarrow")])
    main()
