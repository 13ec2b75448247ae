"""Shared by the benchmark scripts: re-run the calling script inside target/bench-venv with
the peers it needs installed from PyPI, and call the hsplan release binary."""
import os
import subprocess
import sys
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "bench-venv")
HSPLAN = os.path.join(ROOT, "target", "release", "hsplan")


def reexec_in_venv(script, required, optional=()):
    """`required`/`optional`: (PyPI package, module) pairs; a failed optional install is
    skipped. Returns only when already inside the venv."""
    if os.environ.get("HSPLAN_BENCH_IN_VENV") == "1":
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        venv.create(VENV, with_pip=True)
    for pkg, mod in list(required) + list(optional):
        if subprocess.run([py, "-c", f"import {mod}"], capture_output=True).returncode != 0:
            subprocess.run([py, "-m", "pip", "install", "-q", pkg],
                           check=(pkg, mod) in required, capture_output=(pkg, mod) not in required)
    env = dict(os.environ, HSPLAN_BENCH_IN_VENV="1")
    sys.exit(subprocess.run([py, script] + sys.argv[1:], env=env).returncode)


def hs(*args):
    """Runs hsplan (English output) and returns its standard output."""
    out = subprocess.run([HSPLAN, "--lang", "en", *args], check=True, capture_output=True, text=True)
    return out.stdout
