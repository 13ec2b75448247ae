#!/usr/bin/env python3
"""Independent check of hsplan's utilisation indicators: DuckDB (PyPI) counts the same
record tables (Parquet) and computes every utilisation indicator of the unit and of its
sub-units; the values must equal what `hsplan records indicators DIR --json` prints.

DuckDB sees only the record files and the facility register written beside them
(facility-register.csv: id, unit, service level, primary care); hsplan counts with its own
engine (Apache DataFusion plus its accumulation into per-unit totals and the indicator
library's sums up the hierarchy). The two population-based rates (contract coverage, health
records) divide by the store's population, which the files do not hold: their numerators
are compared.

    python3 scripts/records_duckdb.py HSPLAN_BIN DB RECORDS_DIR UNIT YEAR
"""
import json
import os
import subprocess
import sys


def significant(code):
    """The significant prefix of a 12-digit unit code (its level's digits)."""
    for digits in (2, 4, 6, 9, 12):
        if set(code[digits:]) <= {"0"}:
            return code[:digits]
    return code


def counts(con, d, prefix, year):
    """The numerators and denominators of the library's record indicators for one unit."""
    last = f"DATE '{year}-12-31'"
    p = prefix + "%"
    one = lambda sql, *args: con.execute(sql, list(args)).fetchone()  # noqa: E731
    visits, primary, tcm = one(
        """SELECT count(*), count(*) FILTER (WHERE f.primary_care),
                  count(*) FILTER (WHERE e.tcm)
           FROM enc e JOIN reg f ON e.facility = f.id
           WHERE e.kind <> 'inpatient' AND f.unit LIKE ?""", p)
    res_all, res_within, adm_all, adm_within = one(
        """SELECT count(*), count(*) FILTER (WHERE f.unit LIKE ?),
                  count(*) FILTER (WHERE e.kind = 'inpatient'),
                  count(*) FILTER (WHERE e.kind = 'inpatient' AND f.unit LIKE ?)
           FROM enc e JOIN reg f ON e.facility = f.id
           WHERE e.residence LIKE ?""", p, p, p)
    up, down = one(
        """SELECT count(*) FILTER (WHERE t.service_level > f.service_level),
                  count(*) FILTER (WHERE t.service_level < f.service_level)
           FROM ref r JOIN reg f ON r.from_facility = f.id JOIN reg t ON r.to_facility = t.id
           WHERE f.unit LIKE ?""", p)
    contracted, contracted_key = one(
        f"""SELECT count(*), count(*) FILTER (WHERE age_65_plus OR hypertension OR diabetes
                  OR maternal OR child_0_6 OR disability OR poverty)
           FROM con WHERE residence LIKE ? AND (end_date IS NULL OR end_date >= {last})""", p)
    chronic = {}
    for cond in ("hypertension", "diabetes"):
        chronic[cond] = one(
            """SELECT count(*), count(*) FILTER (WHERE standardised),
                      count(*) FILTER (WHERE controlled)
               FROM chr WHERE residence LIKE ? AND condition = ? AND year = ?""",
            p, cond, year)
    records, key_residents = one(
        """SELECT count(*), count(*) FILTER (WHERE key_population)
           FROM ehr WHERE residence LIKE ? AND active""", p)
    h, dm = chronic["hypertension"], chronic["diabetes"]
    # id → (numerator, denominator or None for counts); the population-based rates: None.
    return {
        "primary_care_visit_share_records": (primary, visits),
        "tcm_consultation_share_pct": (tcm, visits),
        "local_care_rate_pct": (res_within, res_all),
        "inpatient_outflow_rate_pct": (adm_all - adm_within, adm_all),
        "referrals_up": (up, None),
        "referrals_down": (down, None),
        "down_up_referral_ratio": (down, up),
        "family_doctor_contract_coverage_pct": (contracted, "population"),
        "family_doctor_priority_group_coverage_pct": (contracted_key, key_residents),
        "hypertension_management_rate_pct": (h[1], h[0]),
        "hypertension_control_rate_pct": (h[2], h[0]),
        "diabetes_management_rate_pct": (dm[1], dm[0]),
        "diabetes_control_rate_pct": (dm[2], dm[0]),
        "ehr_coverage_pct": (records, "population"),
    }


FACTOR = {"referrals_up": 1, "referrals_down": 1, "down_up_referral_ratio": 1}


def value(num, den, factor):
    if den is None:
        return float(num)
    if den == 0:
        return None
    return num / den * factor


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    hsplan, db, d, unit, year = sys.argv[1:]
    import duckdb

    out = subprocess.run(
        [hsplan, "--lang", "en", "--db", db, "records", "indicators", d,
         "--unit", unit, "--year", year, "--json"],
        check=True, capture_output=True, text=True).stdout
    rows = {r["id"]: r for r in json.loads(out)}
    con = duckdb.connect()
    con.execute("SET threads = 2")
    j = lambda name: os.path.join(d, name).replace("'", "''")  # noqa: E731
    con.execute(f"CREATE VIEW enc AS SELECT * FROM read_parquet('{j('encounters.parquet')}')")
    con.execute(f"CREATE VIEW ref AS SELECT * FROM read_parquet('{j('referrals.parquet')}')")
    con.execute(f"CREATE VIEW con AS SELECT * FROM read_parquet('{j('contracts.parquet')}')")
    con.execute(f"CREATE VIEW chr AS SELECT * FROM read_parquet('{j('chronic_disease.parquet')}')")
    con.execute(f"CREATE VIEW ehr AS SELECT * FROM read_parquet('{j('health_records.parquet')}')")
    con.execute(
        f"""CREATE TABLE reg AS SELECT * FROM read_csv('{j('facility-register.csv')}',
            header = true, columns = {{'id': 'VARCHAR', 'unit': 'VARCHAR',
            'service_level': 'BIGINT', 'primary_care': 'BOOLEAN'}})""")
    n_enc = con.execute("SELECT count(*) FROM enc").fetchone()[0]
    code = unit.ljust(12, "0")
    checked = 0
    failures = []
    top = counts(con, d, significant(code), int(year))
    for id_, (num, den) in top.items():
        r = rows.get(id_)
        if r is None:
            failures.append(f"{id_}: hsplan has no row")
            continue
        if not close(float(num), r["numerator"]):
            failures.append(f"{id_}: numerator duckdb {num}, hsplan {r['numerator']}")
        if den == "population":
            checked += 1
            continue
        if den is not None and not close(float(den), r["denominator"]):
            failures.append(f"{id_}: denominator duckdb {den}, hsplan {r['denominator']}")
        factor = FACTOR.get(id_, 100)
        want = value(num, den, factor)
        if not close(want, r["value"]):
            failures.append(f"{id_}: value duckdb {want}, hsplan {r['value']}")
        checked += 1
    subs = next(iter(rows.values()))["sub_units"]
    for sub_code, sub_name, _ in subs:
        c = counts(con, d, significant(sub_code), int(year))
        for id_, (num, den) in c.items():
            if den == "population":
                continue
            got = next(v for (k, _, v) in rows[id_]["sub_units"] if k == sub_code)
            want = value(num, den, FACTOR.get(id_, 100))
            if not close(want, got):
                failures.append(f"{sub_name} {sub_code} {id_}: duckdb {want}, hsplan {got}")
            checked += 1
    for f in failures:
        print("MISMATCH", f)
    print(f"records cross-check (DuckDB {duckdb.__version__}): {n_enc} encounters, "
          f"{len(subs)} sub-units, {checked} values compared, {len(failures)} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
