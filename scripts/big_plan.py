#!/usr/bin/env python3
"""Writes Beibei's plan with N extra SYNTHETIC indicator rows (for timing plan loading and
lint at scale): scripts/big_plan.py N > big.toml"""
import pathlib
import sys

n = int(sys.argv[1])
src = (pathlib.Path(__file__).resolve().parent.parent / "data/plans/beibei.toml").read_text()
rows = []
for i in range(n):
    rows.append(f'''
[[indicators]]
table = "专栏9"
row = "{i + 1}"
dimension = "合成 synthetic"
id = "synthetic_row_{i}"
name_zh = "合成指标{i}"
name_en = "Synthetic {i}"
unit = "%"
direction = "higher"
baseline = "{i % 90}"
target = "{i % 90 + 5}"
nature = "expected"
''')
sys.stdout.write(src + "".join(rows))
