"""A temporary Prefect server for one ``campaigns`` process, that dies with that process.

Prefect's own temporary ("ephemeral") server is a uvicorn child process that outlives a
parent killed with SIGKILL: it is re-parented to PID 1 and runs on, every time. This one
serves the same application (``prefect.server.api.server:create_app``, the factory
Prefect's temporary server and ``prefect server start`` use) from
``python -m flows.orchestration.temp_server PARENT_PID``, and a watchdog thread inside the
server stops it as soon as its parent is gone, whatever ended the parent: SIGTERM to
itself (uvicorn shuts down cleanly), a hard exit 10 s later if that hangs. The parent
stops it on a normal exit too (:meth:`TemporaryServer.stop`, also at interpreter exit).

The server binds its own port (any free one) and reports it as its first line of
output, so no two processes race for a port. It runs in its own session, so Ctrl-C
reaches the ``campaigns`` process only, which then stops the server after the flow has
recorded how it ended. Its log goes to ``temporary-server.log`` in PREFECT_HOME, never
to the terminal. Nothing here imports Prefect: the server process imports it, the
parent only speaks HTTP to it.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx
import uvicorn

from errors import PipelineError

__all__ = ["LOG_NAME", "TemporaryServer"]

LOG_NAME = "temporary-server.log"
_APP = "prefect.server.api.server:create_app"
_POLL_SECONDS = 0.2  # how often the server checks that its parent lives
_GRACE_SECONDS = 10.0  # a clean shutdown may take this long before a hard exit
#: What Prefect's own temporary server sets: no UI, only the services a temporary server needs.
_SERVER_ENV = {"PREFECT_UI_ENABLED": "false", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


class TemporaryServer:
    """A Prefect API server on 127.0.0.1 for this process (``with``: started and stopped).

    ``home`` is the PREFECT_HOME of the server (its SQLite database, its log); ``env`` the
    environment it runs with (Prefect's resolved settings); ``timeout`` how long it may
    take to answer its health check (13–16 s on a new PREFECT_HOME on 2 cores, 7 s after).
    """

    def __init__(self, home: Path, env: Mapping[str, str], *, timeout: float = 90.0) -> None:
        self.home = Path(home)
        self._env = dict(env)
        self._timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    @property
    def log(self) -> Path:
        return self.home / LOG_NAME

    @property
    def api_url(self) -> str:
        if self.port is None:
            raise PipelineError("the temporary Prefect server is not running")
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> str:
        """Start the server and wait until it answers; returns its API URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(os.getpid())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                env={**self._env, "PREFECT_HOME": str(self.home), **_SERVER_ENV},
                start_new_session=True,
            )
        atexit.register(self.stop)
        deadline = time.monotonic() + self._timeout
        try:
            self.port = self._read_port(deadline)
            self._wait_healthy(deadline)
        except BaseException:
            self.stop()
            raise
        return self.api_url

    def _read_port(self, deadline: float) -> int:
        process = self._process
        assert process is not None and process.stdout is not None
        line = b""
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise self._failed("did not report its port")
            chunk = os.read(process.stdout.fileno(), 64)
            if not chunk:
                raise self._failed("exited before it listened")
            line += chunk
        process.stdout.close()
        return int(line.strip())

    def _wait_healthy(self, deadline: float) -> None:
        assert self._process is not None
        with httpx.Client(timeout=5.0) as client:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise self._failed(f"exited with code {self._process.returncode}")
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise self._failed(f"did not answer within {self._timeout:.0f} s")

    def _failed(self, what: str) -> PipelineError:
        try:
            tail = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()][-1:]
        except OSError:
            tail = []
        last = f": {tail[0].strip()}" if tail else ""
        return PipelineError(f"the temporary Prefect server {what} (log: {self.log}){last}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after a grace period); safe to call twice."""
        process, self._process = self._process, None
        atexit.unregister(self.stop)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> TemporaryServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _watch_parent(parent: int) -> None:
    """In the server: once ``parent`` is gone (we were re-parented), stop; exit hard if that hangs."""
    while os.getppid() == parent:
        time.sleep(_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(_GRACE_SECONDS)
    os._exit(1)


def _serve(parent: int) -> None:
    """The server process: bind a free port, say which, serve until stopped or orphaned."""
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sys.stdout.write(f"{sock.getsockname()[1]}\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # from now on stdout goes to the log
    config = uvicorn.Config(_APP, factory=True, log_level="error", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
