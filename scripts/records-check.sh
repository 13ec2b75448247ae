#!/usr/bin/env bash
# Cross-checks the utilisation indicators counted from records against DuckDB (PyPI): the
# demo generates Beibei's 2024 SYNTHETIC records (Parquet), hsplan counts them with Apache
# DataFusion, scripts/records_duckdb.py counts the same files with DuckDB; every value of
# Beibei and of its towns and streets must be equal.
#   usage: scripts/records-check.sh [HSPLAN_BINARY]   (default target/debug/hsplan)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/hsplan}
venv=${HSPLAN_RECORDS_VENV:-target/records-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import duckdb" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r scripts/requirements-records.txt
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --lang en demo --out "$work/demo" >/dev/null
"$venv/bin/python" scripts/records_duckdb.py "$bin" "$work/demo/demo.db" \
    "$work/demo/records/500109-2024" 500109 2024
