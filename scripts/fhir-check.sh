#!/usr/bin/env bash
# Checks hsplan's FHIR (IHE mCSD) export against an independent implementation and reads it
# back: the demo store's directory (Beibei with its ancestors, the 2024 capabilities as
# HealthcareServices) is exported, validated by scripts/fhir_validate.py (the PyPI package
# fhir.resources, FHIR R4B models, plus reference and binding checks), imported into an empty
# store, and the units and facilities exported again must equal the originals; the same for
# a hierarchy without NBS codes (examples/dhis2/uid-hierarchy).
#   usage: scripts/fhir-check.sh [HSPLAN_BINARY]   (default target/debug/hsplan)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/hsplan}
venv=${HSPLAN_FHIR_VENV:-target/fhir-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import fhir.resources" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r scripts/requirements-fhir.txt
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --lang en demo --out "$work/demo" >/dev/null
"$bin" --db "$work/demo/demo.db" export fhir --unit 500109 --year 2024 --out "$work/bundle.json"
"$venv/bin/python" scripts/fhir_validate.py "$work/bundle.json"
"$bin" --lang en --db "$work/back.db" import fhir "$work/bundle.json"
for what in facilities units; do
    "$bin" --db "$work/demo/demo.db" export "$what" --out "$work/$what-0.csv" >/dev/null
    "$bin" --db "$work/back.db" export "$what" --out "$work/$what-1.csv" >/dev/null
done
# the demo store holds every district's facilities; the Bundle Beibei's
python3 - "$work/facilities-0.csv" "$work/facilities-0-beibei.csv" <<'PY'
import csv, sys
lines = open(sys.argv[1], encoding="utf-8", newline="").read().splitlines(keepends=True)
unit = next(csv.reader([lines[0]])).index("unit_code")
with open(sys.argv[2], "w", encoding="utf-8", newline="") as out:
    out.write(lines[0])
    out.writelines(l for l in lines[1:] if next(csv.reader([l]))[unit].startswith("500109"))
PY
diff "$work/facilities-0-beibei.csv" "$work/facilities-1.csv"
# the demo store holds all of Chongqing; the Bundle holds Beibei and its ancestors
grep -E '^(500000000000|500100000000|500109)' "$work/units-0.csv" | diff - <(tail -n +2 "$work/units-1.csv")
# points and boundaries (the mCSD GeoJSON extension) too
"$bin" --db "$work/demo/demo.db" export geojson --out "$work/g0.geojson" >/dev/null
"$bin" --db "$work/back.db" export geojson --out "$work/g1.geojson" >/dev/null
python3 - "$work/g0.geojson" "$work/g1.geojson" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda doc: {f["properties"]["code"]: f["geometry"] for f in doc["features"] if f["properties"]["code"].startswith("500109")}
assert key(a) == key(b), "geometries differ"
print(f"{len(key(a))} unit geometries read back identical")
PY
echo "FHIR round trip: facilities, units and geometries read back identical"
# a hierarchy without NBS codes (DHIS2 uids, assigned codes): valid FHIR, and read back to
# the same directory (source ids and level names included)
ex=examples/dhis2/uid-hierarchy
"$bin" --lang en --db "$work/uid.db" import dhis2-metadata "$ex/metadata.json" --mapping "$ex/mapping.toml" >/dev/null
"$bin" --db "$work/uid.db" export fhir --out "$work/uid.json" >/dev/null
"$venv/bin/python" scripts/fhir_validate.py "$work/uid.json"
"$bin" --lang en --db "$work/uid-back.db" import fhir "$work/uid.json" >/dev/null
"$bin" --db "$work/uid-back.db" export fhir --out "$work/uid-back.json" >/dev/null
cmp "$work/uid.json" "$work/uid-back.json"
echo "FHIR round trip of a uid hierarchy: identical"
