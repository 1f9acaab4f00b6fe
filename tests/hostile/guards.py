"""A network guard for subprocesses: a `sitecustomize` that blocks and records network use.

Put on PYTHONPATH, it loads in the command's process and in every worker process Python starts
(spawn or forkserver), blocks outgoing connections and name lookups, and logs any attempt —
through an audit hook, so even an attempt whose error a library swallowed is seen. Unix-socket
connections stay allowed: multiprocessing uses them for local IPC.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

SITECUSTOMIZE = textwrap.dedent(
    """
    import os, socket, sys

    _LOG = os.environ["SCOPELENS_TEST_NETWORK_LOG"]
    _EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto"}
    _connect = socket.socket.connect

    def _local(args):
        return bool(args) and getattr(args[0], "family", None) == socket.AF_UNIX

    def _audit(event, args):
        if event in _EVENTS and not _local(args):
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{os.getpid()} {event} {args!r}\\n")

    sys.addaudithook(_audit)
    with open(_LOG + ".started", "a", encoding="utf-8") as started:
        started.write(f"{os.getpid()}\\n")

    def _refuse(*args, **kwargs):
        raise OSError("network access blocked by the confidentiality test")

    def _connect_local_only(self, address):
        if self.family != socket.AF_UNIX:
            _refuse()
        return _connect(self, address)

    socket.socket.connect = _connect_local_only
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse
    """
)


@dataclass(frozen=True, slots=True)
class NetworkGuard:
    """Environment for a guarded subprocess, and what it recorded."""

    env: dict[str, str]
    log: Path

    def attempts(self) -> list[str]:
        """Network attempts recorded in any process (empty when there were none)."""
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []

    def processes(self) -> int:
        """How many Python processes loaded the guard."""
        started = Path(f"{self.log}.started")
        return len(started.read_text(encoding="utf-8").split()) if started.exists() else 0


def network_guard(folder: Path, env: dict[str, str] | None = None) -> NetworkGuard:
    """Write the guard into `folder` and return the environment that activates it."""
    hooks = folder / "network-guard"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = folder / "network.log"
    base = dict(os.environ if env is None else env)
    paths = [str(hooks), base.get("PYTHONPATH", "")]
    base["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    base["SCOPELENS_TEST_NETWORK_LOG"] = str(log)
    return NetworkGuard(env=base, log=log)
