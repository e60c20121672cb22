"""Extraction speed: trafilatura alone vs ``extract_content`` vs the full ``extract_article``.

Run: ``.venv/bin/python bench/bench_extract.py [--target 180] [--repeat 3]``. Loads every
``fixtures/**/*.html`` and ``../shared/realpages/*article*.html``, repeats the set to about
``--target`` pages, and prints pages/s of each stage and the ratio to trafilatura measured in the
same process (the speed bar: full pipeline time <= 1.5x ``trafilatura.extract`` alone).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from extractors.content import extract_content  # noqa: E402

__all__ = ["load_pages", "main", "run"]


def load_pages(target: int) -> list[tuple[str, bytes]]:
    """(name, bytes) of the fixture and real article pages, repeated to about ``target`` pages."""
    files = sorted((ROOT / "fixtures").glob("**/*.html"))
    files += sorted((ROOT.parent / "shared" / "realpages").glob("*article*.html"))
    pages = [(f.name, f.read_bytes()) for f in files]
    if not pages:
        raise SystemExit("no pages found under fixtures/ or ../shared/realpages/")
    reps = max(1, round(target / len(pages)))
    return pages * reps


def run(fn: Callable[[bytes, str | None], object], pages: list[tuple[str, bytes]], repeat: int) -> float:
    """Best wall time (s) over ``repeat`` passes of ``fn`` over all pages."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _name, raw in pages:
            fn(raw, None)
        best = min(best, time.perf_counter() - start)
    return best


def _trafilatura(raw: bytes, url: str | None) -> object:
    return trafilatura.extract(raw.decode("utf-8", errors="replace"), url=url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    pages = load_pages(args.target)
    stages: list[tuple[str, Callable[[bytes, str | None], object]]] = [
        ("trafilatura.extract", _trafilatura),
        ("extract_content", extract_content),
    ]
    try:
        from extractors.extract import extract_article
    except ImportError:
        print("(extractors.extract.extract_article not importable yet: full pipeline skipped)")
    else:
        stages.append(("extract_article (full)", extract_article))
    for _, fn in stages:  # warm caches and lazy imports outside the timing
        for _name, raw in pages[:5]:
            fn(raw, None)
    times = {name: run(fn, pages, args.repeat) for name, fn in stages}
    base = times["trafilatura.extract"]
    n = len(pages)
    print(f"{n} pages ({len(set(p[0] for p in pages))} distinct), best of {args.repeat}")
    print(f"{'stage':<26}{'pages/s':>10}{'ms/page':>10}{'x trafilatura':>15}")
    for name, secs in times.items():
        print(f"{name:<26}{n / secs:>10.1f}{secs / n * 1000:>10.2f}{secs / base:>15.2f}")
    _whole_commands(args.target, args.repeat)


def _whole_commands(target: int, repeat: int) -> None:
    """The issue's bar: the whole `campaigns extract` command over N saved pages, process start
    included, against a process that runs `trafilatura.extract` alone over the same files."""
    import subprocess
    import sys
    import tempfile

    root = Path(__file__).resolve().parents[1]
    files = sorted(str(p) for p in (root / "fixtures").glob("*/*.html"))
    files = (files * (target // max(len(files), 1) + 1))[:target]
    campaigns = Path(sys.executable).with_name("campaigns")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(files))
    alone = (
        "import sys, trafilatura\n"
        "for p in open(sys.argv[1]).read().split():\n"
        "    trafilatura.extract(open(p, 'rb').read())\n"
    )
    commands = {
        "trafilatura alone (process)": [sys.executable, "-c", alone, fh.name],
        "campaigns extract (process)": [str(campaigns), "extract", *files],
    }
    best = {}
    for name, cmd in commands.items():
        best[name] = min(_timed(cmd, subprocess) for _ in range(repeat))
    base = best["trafilatura alone (process)"]
    print(f"\nwhole commands over {len(files)} pages, best of {repeat}")
    for name, secs in best.items():
        print(f"{name:<30}{secs:>8.2f} s{secs / base:>8.2f}x")


def _timed(cmd: list[str], subprocess: Any) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
