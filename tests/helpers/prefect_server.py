"""A real ``prefect server start`` for the deployment tests, and what they need around it.

The server runs on a free port with its own PREFECT_HOME in a tmp folder; every Prefect
process the tests start (CLI, deploy, worker, ``campaigns schedule``) gets :func:`clean_env`:
this server's URL, that home, a profiles file of its own, nothing from the caller's shell.
The tests speak to the server over its REST API with httpx (no Prefect client in the test
process, whose settings may belong to the session's harness).
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

__all__ = [
    "BIN",
    "RealServer",
    "clean_env",
    "descendants",
    "real_prefect_server",
    "run_on_a_terminal",
    "still_running",
    "stop",
]

BIN = Path(sys.executable).parent  # the venv's prefect and campaigns


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """os.environ without PREFECT_* and CAMPAIGNS_* variables, plus a quiet, offline Prefect in ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("PREFECT_", "CAMPAIGNS_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_PROFILES_PATH=str(home / "profiles.toml"),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
    )
    env.update(extra)
    return env


@dataclass(frozen=True, slots=True)
class RealServer:
    url: str  # the API URL (".../api")
    env: dict[str, str]  # clean_env with PREFECT_API_URL set to this server
    log: Path

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One API call; a 503 (the server's SQLite busy while a worker's run writes to it) is
        asked again after a pause, as Prefect's own client does."""
        for attempt in range(6):
            response = httpx.request(method, f"{self.url}{path}", json=body, timeout=30)
            if response.status_code != 503 or attempt == 5:
                break
            time.sleep(0.5 * 2**attempt)
        response.raise_for_status()
        return response.json() if response.content else None

    def deployments(self) -> dict[str, dict[str, Any]]:
        """Every deployment by "flow/name"."""
        flows = {f["id"]: f["name"] for f in self.api("POST", "/flows/filter", {})}
        return {f"{flows[d['flow_id']]}/{d['name']}": d for d in self.api("POST", "/deployments/filter", {})}

    def wait_for_run(self, run_id: str, timeout: float = 180) -> dict[str, Any]:
        """The flow run once it is in a final state (Completed, Failed, Crashed, Cancelled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.api("GET", f"/flow_runs/{run_id}")
            if run["state"] and run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return dict(run)
            time.sleep(0.5)
        raise AssertionError(f"flow run {run_id} did not finish in {timeout} s: {run['state']}")


def stop(process: subprocess.Popen[Any], timeout: float = 30) -> int:
    """SIGTERM to the process (and its session), SIGKILL after ``timeout``; its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return int(process.returncode)


@contextmanager
def real_prefect_server(tmp: Path, startup_timeout: float = 120) -> Iterator[RealServer]:
    """``prefect server start`` on a free port with PREFECT_HOME in ``tmp``; stopped at the end."""
    home = tmp / "server-home"
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=clean_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no /api/health in {startup_timeout} s"
            time.sleep(0.3)
        yield RealServer(url, clean_env(home, PREFECT_API_URL=url), log)
    finally:
        stop(process)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything the server started


def run_on_a_terminal(
    argv: list[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 120
) -> tuple[int, str]:
    """Run ``argv`` with stdin, stdout and stderr on a pseudo-terminal and no input at all (an EOF
    is typed, so a prompt fails at once instead of waiting); its exit code and output."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        argv, cwd=cwd, env=dict(env), stdin=slave, stdout=slave, stderr=slave, start_new_session=True
    )
    os.close(slave)
    os.write(master, b"\x04")  # Ctrl-D: what an empty input gives a prompt
    output = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    try:
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        stop(process, timeout=5)
        raise AssertionError(
            f"{argv} still waiting after {timeout} s:\n{output.decode(errors='replace')}"
        ) from None
    return code, output.decode(errors="replace")


def descendants(pid: int) -> list[psutil.Process]:
    """The processes below ``pid`` now (record them before killing it: orphans leave its tree)."""
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def still_running(processes: list[psutil.Process]) -> list[str]:
    """Those of ``processes`` still running (a zombie waiting for PID 1 to reap it has ended)."""
    out = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(f"{p.pid} {' '.join(p.cmdline())[:160]}")
        except psutil.NoSuchProcess:
            continue
    return out
