"""Start a real SPARQL server on loopback with a data folder of its own: the Oxigraph server (the ``oxigraph``
command of the PyPI package ``oxigraph``) or Virtuoso Open Source (Debian's ``virtuoso-opensource``).

Used by the tests and the benchmarks to run the service on ``GRAPHAPP_STORE=sparql``, and by operators as a
worked example of a safe configuration (docs/deploy.md): the server listens on 127.0.0.1 only, Virtuoso's ``dba``
password is changed, updates need a user of their own, and each server has a time limit of its own.

>>> sorted(LAUNCHERS)
['oxigraph', 'virtuoso']
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


class ServerUnavailable(RuntimeError):
    """The server's program is not installed, or it did not start."""


@dataclass
class RunningServer:
    """A started server: where to query and update it, how to log in for updates, and how to stop it."""

    kind: str
    query_url: str
    update_url: str
    folder: Path
    process: subprocess.Popen[bytes]
    user: str = ""
    password: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The settings that point the service at this server."""
        env = {
            "GRAPHAPP_STORE": "sparql",
            "GRAPHAPP_SPARQL_QUERY_URL": self.query_url,
            "GRAPHAPP_SPARQL_UPDATE_URL": self.update_url,
        }
        if self.user:
            env["GRAPHAPP_SPARQL_USER"] = self.user
            env["GRAPHAPP_SPARQL_PASSWORD"] = self.password
        return env

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text(errors="replace")[-2000:]
        return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]  # (host, port) for an IPv4 socket
        return port


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerUnavailable(
                f"the server exited ({proc.returncode}): " + log.read_text(errors="replace")[-1500:]
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - loopback, our own server
                r.read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise ServerUnavailable(
        f"the server did not answer within {timeout:g} s: " + log.read_text(errors="replace")[-1500:]
    )


# ---------------------------------------------------------------- Oxigraph server


def oxigraph_command() -> str | None:
    """The ``oxigraph`` command: beside this interpreter (a virtualenv) or on the PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def start_oxigraph(folder: Path, *, timeout_s: float = 30, port: int | None = None) -> RunningServer:
    """``oxigraph serve`` on 127.0.0.1 with its store in ``folder/db``. The server has no accounts: anyone who can
    reach its port can update it, so it must listen on loopback (or a private network) only.

    Not ``--union-default-graph``: the service asks for the union per request (``union-default-graph=true``, see
    :mod:`graphapp.remote_store`), and must be able to read the server's own default graph to know that nothing
    but its graphs would show in that union; with the option set it cannot, and lists its graphs in every request
    (3 to 15 times slower)."""
    command = oxigraph_command()
    if command is None:
        raise ServerUnavailable("the `oxigraph` command is not installed (pip install oxigraph)")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = folder / "server.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - a fixed program and our own arguments
            [command, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
            + ["--timeout-s", str(max(1, int(timeout_s)))],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/query?query=ASK%7B%7D", proc, log, 60)
    return RunningServer("oxigraph", base + "/query", base + "/update", folder, proc)


# ---------------------------------------------------------------- Virtuoso

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}/vsp
ServerThreads = 10
MaxClientConnections = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000000
MaxSortedTopRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout}
DefaultGraph =
"""


def virtuoso_command() -> str | None:
    return shutil.which("virtuoso-t")


def _isql(sql_port: int, password: str, script: str) -> str:
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if isql is None:
        raise ServerUnavailable("isql-vt (Virtuoso's SQL client) is not installed")
    done = subprocess.run(  # noqa: S603 - fixed program, our own script
        [isql, f"127.0.0.1:{sql_port}", "dba", password],
        input=script.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    out = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    if done.returncode != 0 or "*** Error" in out:
        raise ServerUnavailable("isql failed: " + out[-1500:])
    return out


def start_virtuoso(folder: Path, *, timeout_s: float = 30, buffers_mb: int = 400) -> RunningServer:
    """``virtuoso-t`` on 127.0.0.1 with its database in ``folder``: ``dba`` gets a random password, a user of
    its own (``graphapp``) may update through ``/sparql-auth`` (HTTP digest), and ``/sparql`` only reads."""
    command = virtuoso_command()
    if command is None:
        raise ServerUnavailable("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    buffers = max(2000, buffers_mb * 2**20 // 8192)
    (folder / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(
            d=folder,
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            timeout=max(1, int(timeout_s)),
        ),
        encoding="utf-8",
    )
    log = folder / "server.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - a fixed program and our own arguments
            [command, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{http_port}"
    _wait_http(base + "/sparql?query=ASK%7B%7D", proc, log, 90)
    dba, password = "p" + secrets.token_hex(12), "p" + secrets.token_hex(12)  # plain SQL words
    try:
        _isql(
            sql_port,
            "dba",
            f"""SET PASSWORD dba {dba};
DB.DBA.USER_CREATE('graphapp', '{password}');
GRANT SPARQL_UPDATE TO "graphapp";
GRANT SPARQL_SELECT TO "graphapp";
""",
        )
    except BaseException:
        proc.kill()
        raise
    return RunningServer(
        "virtuoso",
        base + "/sparql",
        base + "/sparql-auth",
        folder,
        proc,
        user="graphapp",
        password=password,
        extra={"dba_password": dba, "sql_port": str(sql_port)},
    )


LAUNCHERS: dict[str, Callable[..., RunningServer]] = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


def available(kind: str) -> bool:
    return (oxigraph_command() if kind == "oxigraph" else virtuoso_command()) is not None


def main(argv: list[str] | None = None) -> int:
    """``python -m graphapp.triplestores oxigraph|virtuoso FOLDER``: start one and print the settings for it."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in LAUNCHERS:
        print("usage: python -m graphapp.triplestores oxigraph|virtuoso FOLDER", file=sys.stderr)
        return 2
    server = LAUNCHERS[args[0]](Path(args[1]).resolve())
    for k, v in server.env().items():
        print(f"export {k}={urllib.parse.quote(v, safe=':/')}")
    print(f"# server pid {server.process.pid}; stop it with: kill {server.process.pid}", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        server.process.wait()
    return 0


if __name__ == "__main__":
    os._exit(main())
