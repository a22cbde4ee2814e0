"""The Prism mock server (npm ``@stoplight/prism-cli``, pinned), for conformance tests.

Installed at test time into its own npm prefix, ``.cache/prism`` (git-ignored; not the corpus
folder, whose ``npm install`` removes what it was not given). Each server listens on a free
port of 127.0.0.1 only; its output is kept in a file for failure messages.
"""

from __future__ import annotations

import atexit
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from tests.support.corpus import CACHE, install_lock

PRISM = ("@stoplight/prism-cli", "5.16.0")
PRISM_PREFIX = CACHE.parent / "prism"
SEED = 7  # --seed: dynamic answers repeat from run to run


class PrismUnavailable(Exception):
    pass


def install_prism() -> Path:
    """The ``prism`` executable; installs the pinned version with npm when it is missing (one
    process at a time: xdist workers share the folder)."""
    PRISM_PREFIX.mkdir(parents=True, exist_ok=True)
    with install_lock(PRISM_PREFIX):
        return _install_prism()


def _install_prism() -> Path:
    name, version = PRISM
    manifest = PRISM_PREFIX / "node_modules" / name / "package.json"
    program = PRISM_PREFIX / "node_modules" / ".bin" / "prism"
    if (
        manifest.is_file()
        and json.loads(manifest.read_text()).get("version") == version
        and program.exists()
    ):
        return program
    npm = shutil.which("npm")
    if npm is None:
        raise PrismUnavailable(f"npm is not installed; it is needed to fetch {name}@{version}")
    PRISM_PREFIX.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--ignore-scripts", "--no-save", "--no-audit", "--no-fund"]
    try:
        result = subprocess.run(
            [*command, "--prefix", str(PRISM_PREFIX), f"{name}@{version}"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PrismUnavailable(f"npm install {name}@{version} timed out") from None
    if result.returncode != 0 or not program.exists():
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise PrismUnavailable(f"npm could not install {name}@{version}:\n{tail}")
    return program


def _ended_with_parent(command: list[str]) -> list[str]:
    """``command`` run so that Linux ends it when the test process dies (no orphaned servers):
    util-linux's ``setpriv --pdeathsig``, where there is one. Not ``preexec_fn``: Python code
    run between fork and exec can deadlock in a process with threads (an xdist worker has
    them), and ``Popen`` then waits for that child forever."""
    setpriv = shutil.which("setpriv") if sys.platform == "linux" else None
    return [setpriv, "--pdeathsig", "TERM", "--", *command] if setpriv else command


_RUNNING: set[PrismServer] = set()


@atexit.register
def _stop_running() -> None:
    """Servers still running when the test process exits normally (a failed fixture, say)."""
    for server in list(_RUNNING):
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrismServer:
    """``prism mock SPEC`` on 127.0.0.1; started on construction (so the caller can work while
    it loads), ``wait()`` until it answers, stopped on exit."""

    def __init__(self, program: Path, spec: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._command = [str(program), "mock", str(spec), "-h", "127.0.0.1", "-p", str(self.port)]
        self._command += ["--seed", str(SEED)]
        self._log_file = log.open("ab")
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            _ended_with_parent(self._command),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        _RUNNING.add(self)
        return process

    def alive(self) -> bool:
        return self.process.poll() is None

    def restart(self) -> bool:
        """Start it again on the same port (after it exited); True once it answers."""
        self.process.wait(10)
        self.process = self._start()
        return self.wait()

    def mark(self) -> int:
        """Where its output ends now (for ``errors_since``)."""
        self._log_file.flush()
        return self.log.stat().st_size

    def errors_since(self, mark: int) -> str:
        """The lines reporting an error that it wrote after ``mark``; waits a moment for it to
        exit first (a crash is written, then the process ends)."""
        try:
            self.process.wait(1)
        except subprocess.TimeoutExpired:
            pass
        self._log_file.flush()
        with self.log.open("rb") as log:
            log.seek(mark)
            text = log.read().decode("utf-8", "replace")
        lines = [" ".join(line.split()) for line in text.splitlines()]
        return " | ".join(line for line in lines if "✖" in line or "Error" in line)[:400]

    def last_error(self) -> str:
        """The last line of its output that reports an error, or the last line."""
        lines = self.output(200).splitlines() or [""]
        marked = [line for line in lines if "error" in line.lower() or "✖" in line]
        return " ".join((marked or lines)[-1].split())[:300]

    def wait(self, timeout: float = 60.0) -> bool:
        """True once the server accepts connections; False if it died first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"Prism did not answer within {timeout:.0f} s:\n{self.output()}")

    def output(self, lines: int = 30) -> str:
        self._log_file.flush()
        text = self.log.read_text("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        _RUNNING.discard(self)
        self._log_file.close()

    def __enter__(self) -> PrismServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
