"""``python -m bench [scenario ...] [--n N] [--backend sqlite|postgres]``

Runs the named scenarios (default: all in bench.scenarios.SCENARIOS) on each backend, every
(scenario, backend) pair in a subprocess with its own fresh database (bench.db), and prints one
line per measurement, then a verdict with the total time. Exits 1 if any line is FAIL; a backend
that is not reachable (PostgreSQL) is reported as skipped, not failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Result
from bench.db import BACKENDS, Unavailable, database
from bench.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    names = [s.NAME for s in SCENARIOS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("scenarios", nargs="*", metavar="scenario", help=f"one of: {', '.join(names)} (default: all)")
    parser.add_argument("--n", type=int, help="size of each run instead of the scenario's default")
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="only this backend (repeatable)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in names]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}; choose from {', '.join(names)}")
    if args.n is not None and args.n < 1:
        parser.error("--n must be at least 1")
    return args


def format_line(name: str, backend: str, r: Result) -> str:
    params = " ".join(f"{k}={v}" for k, v in r.params.items())
    line = f"{name} {backend} {params} {r.unit}={r.rate:.0f} {'ok' if r.ok else 'FAIL'} {r.seconds:.1f}s"
    return f"{line} ({r.note})" if r.note else line


def run_pair(name: str, backend: str, n: int) -> list[bool]:
    """Run one scenario on one backend in a worker subprocess; print its lines; return their ok flags."""
    oks: list[bool] = []
    with database(backend) as env:
        cmd = [sys.executable, "-m", "bench.worker", name, backend, str(n)]
        with subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True) as proc:
            assert proc.stdout is not None
            for raw in proc.stdout:
                if raw.startswith("RESULT "):
                    result = Result(**json.loads(raw.removeprefix("RESULT ")))
                    print(format_line(name, backend, result), flush=True)
                    oks.append(result.ok)
                else:
                    print(raw, end="", file=sys.stderr)
        if proc.returncode:
            print(f"{name} {backend} FAIL worker exited with status {proc.returncode} (see above)", flush=True)
            oks.append(False)
    return oks


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.scenarios or s.NAME in args.scenarios]
    backends = args.backend or list(BACKENDS)
    began = time.perf_counter()
    oks: list[bool] = []
    skipped: dict[str, str] = {}  # backend -> why; asked once, not once per scenario
    for scenario in chosen:
        for backend in backends:
            if backend in skipped:
                print(f"{scenario.NAME} {backend} skipped: {skipped[backend]}", flush=True)
                continue
            try:
                oks += run_pair(scenario.NAME, backend, args.n or scenario.DEFAULT_N)
            except Unavailable as exc:
                skipped[backend] = str(exc)
                print(f"{scenario.NAME} {backend} skipped: {exc}", flush=True)
    failed = oks.count(False)
    verdict = "FAIL" if failed else "ok"
    print(f"bench {verdict}: {oks.count(True)} ok, {failed} failed, {len(skipped)} backend(s) skipped, "
          f"{time.perf_counter() - began:.0f}s total", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
