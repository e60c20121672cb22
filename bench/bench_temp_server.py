"""Start-up of the temporary Prefect server: Prefect's own (the baseline) vs ours, which dies with its parent.

    .venv/bin/python bench/bench_temp_server.py [--rounds 2]

Prefect's temporary server (``prefect.server.api.server.SubprocessASGIServer``, what a flow
run without ``PREFECT_API_URL`` starts) and :class:`flows.orchestration.temp_server.TemporaryServer`
(what ``campaigns crawl`` and ``campaigns demo`` start) serve the same application; ours
adds a watchdog thread and binds its own port. Each round starts each server on a new
PREFECT_HOME (the database created and migrated: a first ``campaigns demo``) and again on
that same home (every later run), measures the seconds until ``/api/health`` answers, and
stops it; the two take turns going first. Prints the median per case and its ratio to
Prefect's. On a shared 2-core machine the spread between rounds is large: use 4+ rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.orchestration.prefect_env import configure_prefect  # noqa: E402

__all__ = ["main"]


def _prefect_own(home: Path) -> Callable[[], None]:
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_HOME, temporary_settings

    with temporary_settings(updates={PREFECT_HOME: home}):
        server = SubprocessASGIServer()
        server.start(timeout=120)
    return server.stop


def _ours(home: Path) -> Callable[[], None]:
    from flows.orchestration.temp_server import TemporaryServer

    server = TemporaryServer(home, {**os.environ, "PREFECT_HOME": str(home)}, timeout=120)
    server.start()
    return server.stop


def _timed(start: Callable[[Path], Callable[[], None]], home: Path) -> float:
    began = time.perf_counter()
    stop = start(home)
    took = time.perf_counter() - began
    stop()
    return took


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        configure_prefect(None, data_dir=Path(tmp))
        times: dict[tuple[str, str], list[float]] = {}
        cases = [("Prefect's temporary server", _prefect_own), ("TemporaryServer (ours)", _ours)]
        for r in range(args.rounds):
            for name, start in cases if r % 2 == 0 else cases[::-1]:  # alternate who goes first
                home = Path(tmp) / f"{name[:7]}-{r}"
                times.setdefault((name, "new PREFECT_HOME"), []).append(_timed(start, home))
                times.setdefault((name, "same PREFECT_HOME"), []).append(_timed(start, home))
                print(f"round {r + 1}: {name} done", file=sys.stderr, flush=True)
    print(f"\nseconds until /api/health answers, median of {args.rounds} (ratio: vs Prefect's own)\n")
    print(f"{'server':<28} {'home':<18} {'seconds':>8} {'ratio':>6}")
    for (name, home), values in times.items():
        base = statistics.median(times[("Prefect's temporary server", home)])
        took = statistics.median(values)
        print(f"{name:<28} {home:<18} {took:>8.2f} {took / base:>6.2f}")


if __name__ == "__main__":
    main()
