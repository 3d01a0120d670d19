"""Backups: an online copy while writes go on, restored into a fresh home and compared; a
newer schema or a database with data is refused with what to do. Runs the service in fresh
processes, each with its own PRESALES_HOME, as an operator would."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

SETUP = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "presales.settings"
django.setup()
"""

WRITER = (
    SETUP
    + """
import time
from django.core.management import call_command
from presales.accounts.models import Account
n = 0
deadline = time.monotonic() + float(os.environ["WRITE_SECONDS"])
while time.monotonic() < deadline:
    n += 1
    Account.objects.create(name=f"Account {n:05d}", country="Kenya")
print(n)
"""
)


def run(home: Path, code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    env = {**clean, "PRESALES_HOME": str(home), "PRESALES_TEXT_MODEL": "off", **extra}
    return subprocess.run(
        [sys.executable, "-c", SETUP + code], env=env, capture_output=True, text=True, check=False
    )


def accounts(database: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT id, name FROM accounts_account ORDER BY id").fetchall()
    db.close()
    return rows


@pytest.fixture
def homes(tmp_path: Path) -> tuple[Path, Path]:
    if os.environ.get("PRESALES_DATABASE_URL"):
        pytest.skip("this test restores SQLite homes; PostgreSQL uses pg_dump/pg_restore")
    source, fresh = tmp_path / "source", tmp_path / "fresh"
    source.mkdir()
    done = run(
        source,
        "from django.core.management import call_command\ncall_command('migrate', verbosity=0)",
    )
    assert done.returncode == 0, done.stderr
    (source / "imports").mkdir()
    (source / "imports" / "import-1-report.csv").write_text(
        "file,row,column,reason\nA.csv,2,Name,x\n"
    )
    return source, fresh


def test_a_backup_taken_while_writes_continue_restores_into_a_fresh_home(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    source, fresh = homes
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        env={
            **clean,
            "PRESALES_HOME": str(source),
            "PRESALES_TEXT_MODEL": "off",
            "WRITE_SECONDS": "6",
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)
    archive = tmp_path / "backup.tar.gz"
    made = run(
        source,
        "from pathlib import Path\nfrom presales.core.backup import backup\n"
        f"r = backup(destination=Path({str(archive)!r}))\nprint(r.files)",
    )
    written, _ = writer.communicate(timeout=60)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "1"  # the import report
    assert writer.returncode == 0

    restored = run(
        fresh,
        "from pathlib import Path\nfrom presales.core.backup import restore\n"
        f"r = restore(source=Path({str(archive)!r}))\nprint(r.files, r.migrated)",
    )
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip() == "1 []"

    before = accounts(source / "presales.sqlite3")
    after = accounts(fresh / "presales.sqlite3")
    # The copy is the database as of one moment: a prefix of what the writer went on to write,
    # neither empty nor everything, each row whole.
    assert 0 < len(after) < len(before) == int(written)
    assert after == before[: len(after)]
    with sqlite3.connect(fresh / "presales.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    report = "imports/import-1-report.csv"
    assert (fresh / report).read_text() == (source / report).read_text()

    again = run(
        fresh,
        "from pathlib import Path\nfrom presales.core.backup import restore, BackupError\n"
        f"try:\n    restore(source=Path({str(archive)!r}))\nexcept BackupError as e:\n    print(e)",
    )
    assert "already holds data" in again.stdout


def test_a_backup_of_a_newer_schema_is_refused_saying_how_to_migrate(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    source, fresh = homes
    archive = tmp_path / "backup.tar.gz"
    made = run(
        source,
        "from pathlib import Path\nfrom presales.core.backup import backup\n"
        f"backup(destination=Path({str(archive)!r}))",
    )
    assert made.returncode == 0, made.stderr
    # The same backup as a future Presales would write it: one migration more.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())
    manifest["migrations"].append("people.9999_from_the_future")
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(newer, "w:gz") as tar:
        for path in unpacked.rglob("*"):
            tar.add(path, arcname=str(path.relative_to(unpacked)), recursive=False)
    refused = run(
        fresh,
        "from pathlib import Path\nfrom presales.core.backup import restore, BackupError\n"
        f"try:\n    restore(source=Path({str(newer)!r}))\nexcept BackupError as e:\n    print(e)",
    )
    assert "made by a newer Presales" in refused.stdout
    assert "people.9999_from_the_future" in refused.stdout
    assert "presales migrate" in refused.stdout
    database = fresh / "presales.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
        db.close()
