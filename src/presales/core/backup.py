"""Backups of a Presales installation: the database and everything else under PRESALES_HOME.

``backup(destination=...)`` writes one ``.tar.gz`` archive:

- ``manifest.json``: when, which database engine, the Presales version and the applied
  migrations (the schema the data is in);
- ``database.sqlite3``: a consistent copy made with SQLite's online backup API (one step, so
  it is the database as of one moment while writers carry on in WAL mode), or
  ``database.dump``: ``pg_dump --format=custom`` of PostgreSQL (a consistent snapshot too);
- ``home/...``: the other files under PRESALES_HOME (import reports and anything an operator
  keeps there), without the live database files and collected static files.

``restore(source=...)`` refuses an archive whose schema is newer than this Presales (a
migration it does not know: upgrade Presales first) and refuses to overwrite a database that
already holds data unless asked to; then it puts database and files back and migrates an
older schema forward. This module imports no domain app: it works on the database as a whole.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
# Collected static files, and markers of the running processes: the web writes in flight
# (``core.writers``) and the search's visibility version, which mean nothing in another home.
SKIPPED_HOME_ENTRIES = {"static", "writers"}
SKIPPED_HOME_FILES = {Path("vectors") / "visibility.version"}


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    engine: str
    migrations: int
    files: int
    size: int


@dataclass
class RestoreResult:
    engine: str
    files: int
    migrated: list[str] = field(default_factory=list)


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _applied(conn: Any = None) -> list[str]:
    recorder = MigrationRecorder(conn or connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _known() -> set[str]:
    loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _database_files() -> set[Path]:
    if _engine() != "sqlite":
        return set()
    name = Path(str(settings.DATABASES["default"]["NAME"]))
    return {name, name.with_name(name.name + "-wal"), name.with_name(name.name + "-shm")}


def _home_files(exclude: set[Path]) -> Iterator[Path]:
    home = Path(settings.HOME)
    if not home.is_dir():
        return
    for path in sorted(home.rglob("*")):
        relative = path.relative_to(home)
        top = relative.parts[0]
        if top in SKIPPED_HOME_ENTRIES or top.startswith((".backup-", ".restore-")):
            continue
        if relative in SKIPPED_HOME_FILES:
            continue
        if not path.is_file() or path.name.endswith(".partial"):
            continue
        if path.resolve() in exclude:
            continue
        yield path


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or ""),
            "PGPORT": str(db.get("PORT") or ""),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    options: Any = db.get("OPTIONS") or {}
    sslmode = options.get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run_tool(arguments: list[str]) -> None:
    tool = shutil.which(arguments[0])
    if tool is None:
        raise BackupError(
            f"{arguments[0]} is not installed; install the PostgreSQL client of the server's "
            "version (Debian: apt-get install postgresql-client)"
        )
    result = subprocess.run(
        [tool, *arguments[1:]], env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{arguments[0]} failed: {result.stderr.strip()[:2000]}")


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database into another in one step of the online backup API: the copy
    is the database as of one moment, while other connections go on writing (WAL)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=-1)
    # sqlite3's context manager commits but does not close.
    src.close()
    dst.close()


def backup(*, destination: Path) -> BackupResult:
    """Write a backup archive (``.tar.gz``) of the database and PRESALES_HOME's files."""
    destination = destination.expanduser().resolve()
    if destination.is_dir():
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        destination = destination / f"presales-backup-{stamp}.tar.gz"
    destination.parent.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".backup-") as scratch:
        work = Path(scratch)
        if engine == "sqlite":
            database = work / "database.sqlite3"
            _copy_sqlite(Path(str(settings.DATABASES["default"]["NAME"])), database)
            with sqlite3.connect(database) as copy:
                rows = copy.execute("SELECT app, name FROM django_migrations").fetchall()
            copy.close()
            applied = sorted(f"{app}.{name}" for app, name in rows)
        else:
            applied = _applied()
            database = work / "database.dump"
            _run_tool(["pg_dump", "--format=custom", "--no-owner", f"--file={database}"])
        exclude = {p.resolve() for p in _database_files()} | {destination}
        home_files = list(_home_files(exclude))
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "presales_version": _version(),
            "migrations": applied,
            "home_files": len(home_files),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(database, arcname=database.name)
            home = Path(settings.HOME)
            for path in home_files:
                archive.add(path, arcname=f"home/{path.relative_to(home).as_posix()}")
        partial.replace(destination)
    return BackupResult(
        path=destination,
        engine=engine,
        migrations=len(applied),
        files=len(home_files),
        size=destination.stat().st_size,
    )


def _version() -> str:
    from presales import __version__

    return __version__


def _has_data() -> bool:
    """Whether any table holds a row besides what ``migrate`` itself writes."""
    bookkeeping = ("django_", "auth_permission", "sqlite_")
    tables = [t for t in connection.introspection.table_names() if not t.startswith(bookkeeping)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                return True
    return False


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{source} is not a Presales backup ({exc})") from None
    return manifest


def restore(*, source: Path, replace: bool = False) -> RestoreResult:
    """Put a backup back: the database, then PRESALES_HOME's files, then migrate forward."""
    source = source.expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    manifest = read_manifest(source)
    home = Path(settings.HOME)
    home.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupError(
            f"This backup holds a {manifest.get('engine')} database and Presales is configured "
            f"for {engine}; set PRESALES_DATABASE_URL to match before restoring"
        )
    newer = sorted(set(manifest.get("migrations", [])) - _known())
    if newer:
        raise BackupError(
            "This backup was made by a newer Presales (its schema has migrations this version "
            f"does not know: {', '.join(newer[:5])}{' …' if len(newer) > 5 else ''}). "
            "Upgrade Presales to the version that made it (or newer), run `presales restore` "
            "again, then `presales migrate`"
        )
    if _has_data() and not replace:
        raise BackupError(
            "The database already holds data; restoring would replace it. Back it up first, "
            "then restore with --replace (or into a fresh PRESALES_HOME / database)"
        )
    with tempfile.TemporaryDirectory(dir=home, prefix=".restore-") as scratch:
        work = Path(scratch)
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
        connections.close_all()
        if engine == "sqlite":
            target = Path(str(settings.DATABASES["default"]["NAME"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(work / "database.sqlite3", target)
        else:
            _run_tool(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={_pg_env()['PGDATABASE']}",
                    str(work / "database.dump"),
                ]
            )
        files = 0
        restored_home = work / "home"
        if restored_home.is_dir():
            for path in sorted(restored_home.rglob("*")):
                if path.is_file():
                    target_file = home / path.relative_to(restored_home)
                    target_file.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target_file)
                    files += 1
    before = set(_applied())
    call_command("migrate", interactive=False, verbosity=0)
    migrated = sorted(set(_applied()) - before)
    return RestoreResult(engine=engine, files=files, migrated=migrated)
