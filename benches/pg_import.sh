#!/usr/bin/env bash
# Imports the Chongqing hierarchy plus a 100,000-row resources file into a fresh PostgreSQL
# database and times each step. The facilities and resources are SYNTHETIC (seeded, one
# village clinic for each of 10,000 villages/communities × 10 years); the hierarchy is the
# real NBS 2023 one built into hsplan.
#   benches/pg_import.sh [postgres://USER@HOST:PORT/ADMIN_DB]   (needs psql, a release build)
set -euo pipefail
admin="${1:-${HSPLAN_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}}"
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${HSPLAN_BIN:-$here/target/release/hsplan}"
work="$(mktemp -d)"
db="hsplan_bench_import_$$"
url="${admin%/*}/$db"
trap 'psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
psql "$admin" -qc "CREATE DATABASE $db"

# the village codes of Chongqing, from the built-in hierarchy
"$bin" --db "$work/units.db" import units --builtin chongqing >/dev/null
"$bin" --db "$work/units.db" export units --out "$work/units.csv" >/dev/null
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
villages = [r["code"] for r in csv.DictReader(open(f"{work}/units.csv", encoding="utf-8")) if r["code"][-3:] != "000"][:10000]
assert len(villages) == 10000, len(villages)
state = 2026
def rnd(n):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
    return (state >> 33) % n
with open(f"{work}/facilities.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "name", "type", "grade", "ownership", "unit_code", "opened"])
    for i, v in enumerate(villages):
        w.writerow([f"SYNV{i:05d}", f"村卫生室{i}（合成）", "village_clinic", "ungraded", "government", v, 2000])
with open(f"{work}/resources.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["facility_id", "year", "beds", "staff_total", "village_doctors", "licensed_doctors", "registered_nurses"])
    for i in range(len(villages)):
        for y in range(2015, 2025):
            staff = 1 + rnd(5)
            w.writerow([f"SYNV{i:05d}", y, rnd(4), staff, 1 + rnd(staff), rnd(2), rnd(2)])
PY
echo "resources rows: $(( $(wc -l < "$work/resources.csv") - 1 ))"
t0=$(date +%s.%N)
"$bin" --db "$url" import units --builtin chongqing >/dev/null
t1=$(date +%s.%N)
"$bin" --db "$url" import facilities "$work/facilities.csv" >/dev/null
t2=$(date +%s.%N)
"$bin" --db "$url" import resources "$work/resources.csv" >/dev/null
t3=$(date +%s.%N)
python3 -c "
t0,t1,t2,t3=$t0,$t1,$t2,$t3
print(f'hierarchy (12,342 units): {t1-t0:.2f} s; 10,000 facilities: {t2-t1:.2f} s; 100,000 resource rows: {t3-t2:.2f} s; total {t3-t0:.2f} s')"
"$bin" --db "$url" --lang en status | tail -3
