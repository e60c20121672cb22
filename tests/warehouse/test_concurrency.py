"""One writer process, readers beside it: every reader call succeeds or is told the file is busy."""

from __future__ import annotations

import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from errors import WarehouseBusyError, WarehouseError
from tests.helpers.warehouse import PYTHON, fig, record, subprocess_env
from warehouse import db
from warehouse.load import load_articles

pytestmark = pytest.mark.slow

_WRITER = """
import sys, time
from errors import WarehouseBusyError
from tests.helpers.warehouse import fetch_row, record, fig
from warehouse import db
from warehouse.load import load_articles, load_fetches

path, rounds = sys.argv[1], int(sys.argv[2])
done = busy = 0
for i in range(rounds):
    rec = record(f"https://cand.com.vn/{i}.html", "Đã tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)])
    try:
        with db.session(path, busy_timeout=10) as con, db.transaction(con):
            load_fetches(con, [fetch_row(f"https://cand.com.vn/{i}.html", run_id=f"run-{i}")])
            load_articles(con, [(rec, None)], run_id=f"run-{i}")
        done += 1
    except WarehouseBusyError:
        busy += 1
    time.sleep(0.005)
print(f"done={done} busy={busy}", flush=True)
"""


def test_reader_and_writer_processes(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with db.session(path) as con:  # the file exists before the reader starts
        first = record("https://a.vn/0", "Có 5 điểm.", [fig("5 điểm", 5, kind="sites")])
        load_articles(con, [(first, None)], run_id="r0")
    rounds = 25
    writer = subprocess.Popen(
        [PYTHON, "-c", textwrap.dedent(_WRITER), str(path), str(rounds)],
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ok = busy = 0
    seen: list[int] = []
    deadline = time.monotonic() + 60
    while writer.poll() is None and time.monotonic() < deadline:
        try:
            with db.session(path, read_only=True, busy_timeout=0.05, allow_files=False) as con:
                n = db.fetch_all(con, "SELECT count(*) FROM articles")[0][0]
                db.fetch_all(con, "SELECT * FROM campaign_year_summary")
                db.fetch_all(con, "SELECT * FROM campaign_yoy")
                seen.append(n)
            ok += 1
        except WarehouseBusyError as exc:
            assert "busy" in str(exc) and "PID" in str(exc)
            busy += 1
        time.sleep(0.03)
    out, err = writer.communicate(timeout=30)
    print(f"reader: ok={ok} busy={busy}; writer: {out.strip()}")
    assert writer.returncode == 0, err
    assert "Traceback" not in err
    assert out.strip() == f"done={rounds} busy=0"
    assert ok + busy > 0 and ok > 0, (ok, busy)
    assert seen == sorted(seen)  # readers only ever see whole, growing states
    with db.session(path, read_only=True) as con:
        assert db.fetch_all(con, "SELECT count(*) FROM articles") == [(rounds + 1,)]
        assert db.fetch_all(con, "SELECT count(*) FROM fetches") == [(rounds,)]
        assert db.fetch_all(con, "SELECT count(*) FROM campaign_figures") == [(rounds + 1,)]


def test_busy_error_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with db.session(path):
        pass
    holder = subprocess.Popen(
        [
            PYTHON,
            "-c",
            "import sys, time\nfrom warehouse import db\ncon = db.connect(sys.argv[1])\n"
            "print('holding', flush=True)\ntime.sleep(30)\n",
            str(path),
        ],
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        for read_only in (True, False):
            started = time.monotonic()
            with pytest.raises(WarehouseBusyError) as err:
                db.connect(path, read_only=read_only, busy_timeout=0.3)
            assert 0.25 <= time.monotonic() - started < 5
            assert isinstance(err.value, WarehouseError) and err.value.transient
            assert f"PID {holder.pid}" in str(err.value) and "gave up after 0.3s" in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    with db.session(path, read_only=True, busy_timeout=5) as con:  # free again
        assert db.schema_version(con) == db.SCHEMA_VERSION
