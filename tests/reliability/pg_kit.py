"""A real PostgreSQL server for the tests: Debian's binaries, an `initdb` cluster in a temporary directory, run
as an unprivileged user (root cannot run postgres) on a free loopback port; one database per test."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sandbox.dovecot import free_port

PG_USER = "nobody"  # the unprivileged account the server runs as when the tests run as root
_names = itertools.count(1)


def pg_bin() -> Path | None:
    """The newest installed Debian PostgreSQL's bin directory (apt-get install postgresql), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@dataclass
class PgServer:
    """One running cluster; `url(db)` is the SQLAlchemy URL of a database in it."""

    bin: Path
    datadir: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _as_user(self) -> dict[str, object]:
        if os.geteuid() != 0:
            return {}
        pw = pwd.getpwnam(PG_USER)
        return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}

    def start(self) -> None:
        log = (self.datadir.parent / "postgres.log").open("ab")
        with log:
            self.proc = subprocess.Popen(
                [str(self.bin / "postgres"), "-D", str(self.datadir), "-p", str(self.port), "-h", "127.0.0.1",
                 "-k", str(self.datadir.parent), "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "max_connections=200"],
                stdout=log, stderr=subprocess.STDOUT, **self._as_user())  # type: ignore[call-overload]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._ready():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"postgres did not start: {(self.datadir.parent / 'postgres.log').read_text()[-2000:]}")

    def _ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                                 connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self, *, fast: bool = True) -> None:
        """Stop the server (SIGINT: fast shutdown, every client's connection is cut)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(2 if fast else 15)
            self.proc.wait(timeout=30)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, prefix: str = "t", *, template: str | None = None) -> str:
        """A new database, empty or a copy of `template` (the URL of one nobody is connected to); its URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(_names)}"
        copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)


@contextmanager
def pg_server() -> Iterator[PgServer]:
    """A fresh cluster, running until the block ends (then its directory is removed)."""
    binaries = pg_bin()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL is not installed (make postgresql)")
    root = Path(tempfile.mkdtemp(prefix="oppk-pg-", dir="/tmp"))
    datadir = root / "data"
    server = PgServer(bin=binaries, datadir=datadir, port=free_port())
    try:
        if os.geteuid() == 0:
            pw = pwd.getpwnam(PG_USER)
            os.chown(root, pw.pw_uid, pw.pw_gid)
        subprocess.run([str(binaries / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True,
                       cwd=root, **server._as_user())  # type: ignore[call-overload]
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def pg_query(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """All rows of one query, on a connection of its own (closed afterwards)."""
    import psycopg

    with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
        return list(conn.execute(sql, params).fetchall())


def pg_count(url: str, sql: str) -> int:
    """One count, or 0 while the schema is not there or the server is away (progress polling)."""
    import psycopg

    try:
        return int(pg_query(url, sql)[0][0])  # type: ignore[call-overload]
    except psycopg.Error:
        return 0


_shared: PgServer | None = None


def shared_server() -> PgServer:
    """One cluster for the whole process, started on first use and stopped at exit: for running the tests that
    use a bot on fakes against PostgreSQL (OPPK_TEST_DATABASE=postgresql, see reliability_kit.memory_bot)."""
    global _shared
    if _shared is None:
        import atexit

        context = pg_server()
        _shared = context.__enter__()
        atexit.register(context.__exit__, None, None, None)
    return _shared
