"""How `presales` is assembled: each app's commands module, the grouped help, and the commands
that no other test file runs (log, gap refresh, manage)."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import presales
from presales import cli
from presales.cli import main
from presales.gaps.models import ProductGap
from tests.conftest import Cast, make_account, make_gap
from tests.test_cli import cli_env

README = Path(__file__).resolve().parent.parent / "README.md"

# Where each command is listed today; an app adding commands adds headings or rows.
GROUPS = {
    "Demo data": ["demo"],
    "Running Presales": ["serve", "migrate", "manage", "backup", "restore"],
    "Users and API tokens": ["createuser", "token create", "token list", "token revoke"],
    "Meetings": ["plan"],
    "Product gaps": ["gap add", "gap list", "gap refresh"],
    "Imports and the quick log": ["import", "log"],
    "Scorecards": ["scoreboard", "import-survey"],
    "Forecasts": ["forecast snapshot"],
    "Reports": ["report weekly"],
    "Search and text": ["index", "search", "eval-text"],
    "Background jobs": ["worker"],
    "Customer intelligence": ["dedupe", "merge", "unmerge", "quality", "upsell"],
    "Demos": ["demos stats", "demos refresh"],
    "Lab": ["lab reservations", "lab reclaim"],
    "Proofs of concept": ["poc list"],
    "The SE team": [
        "team capacity",
        "team oob",
        "team skills",
        "team time-out",
        "team coverage",
        "team rebuild-totals",
        "request add",
        "request list",
    ],
}


def help_listing(text: str) -> dict[str, list[str]]:
    """The commands listed under each heading of ``presales --help``."""
    groups: dict[str, list[str]] = {}
    rows: list[str] = []
    for line in text.splitlines():
        if heading := re.fullmatch(r"([A-Z][^:]*):", line):
            rows = groups.setdefault(heading.group(1), [])
        elif row := re.fullmatch(r"  ([a-z][a-z-]*(?: [a-z][a-z-]*)?) {2,}\S.*", line):
            rows.append(row.group(1))
    return groups


def readme_commands() -> set[str]:
    """Command names in the README's table of the presales command ("gap add", "import"...)."""
    names = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\| `presales ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)\b", line):
            names.add(match.group(1))
    return names


def parser_commands() -> set[str]:
    """Every command the parser accepts, with its action when it has actions."""

    def choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    names = set()
    for name, sub in choices(cli.build_parser()).items():
        actions = choices(sub)
        names |= {f"{name} {a}" for a in actions} if actions else {name}
    return names


def test_help_lists_every_command_under_the_heading_of_its_concept(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "presales.cli", "--help"],
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    listed = help_listing(shown.stdout)
    for heading, names in GROUPS.items():
        assert set(names) <= set(listed.get(heading, [])), (heading, listed)
    every = [name for names in listed.values() for name in names]
    assert len(every) == len(set(every)), "a command is listed twice"
    assert set(every) == parser_commands()
    assert readme_commands() <= set(every)
    assert len(readme_commands()) >= 19  # the README table was read


def test_presales_without_a_command_says_one_is_required(tmp_path: Path) -> None:
    bare = subprocess.run(
        [sys.executable, "-m", "presales.cli"],
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert bare.returncode == 2
    assert "the following arguments are required: COMMAND" in bare.stderr


def test_cli_module_only_assembles_and_stays_small() -> None:
    lines = Path(cli.__file__).read_text(encoding="utf-8").splitlines()
    assert len(lines) < 150


def test_every_commands_module_of_the_package_is_found() -> None:
    root = Path(presales.__file__).parent
    on_disk = {f"presales.{p.parent.name}.commands" for p in root.glob("*/commands.py")}
    found = cli.command_modules()
    assert set(found) == on_disk
    assert {"presales.core.commands", "presales.gaps.commands", "presales.demo.commands"} <= on_disk


CHECK_IMPORTS = """
import importlib, json, sys
names = json.loads(sys.argv[1])
groups = {}
for name in names:
    module = importlib.import_module(name)
    groups[name] = [c.name for c in module.commands.commands]
from django.apps import apps
from django.conf import settings
print(json.dumps({
    "groups": groups,
    "apps_ready": apps.ready,
    "settings_configured": settings.configured,
    "models": sorted(m for m in sys.modules if m == "django.db.models" or m.endswith(".models")),
}))
"""


def test_commands_modules_import_without_django_set_up(tmp_path: Path) -> None:
    names = cli.command_modules()
    env = {k: v for k, v in cli_env(tmp_path).items() if k != "DJANGO_SETTINGS_MODULE"}
    run = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS, json.dumps(names)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["apps_ready"] is False and seen["settings_configured"] is False
    assert seen["models"] == []
    assert set(seen["groups"]) == set(names)
    assert all(seen["groups"].values()), "a commands module adds no command"


def test_log_records_an_activity_in_one_line(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    acme = make_account(cast.north, "Acme Corporation")
    assert main(["log", "demo Acme 45m: showed SSO", "--as", "alice"]) == 0
    printed = capsys.readouterr().out
    assert "Logged demo, Acme Corporation (90% match), 45 min: showed SSO" in printed
    assert acme.activities.get().description == "showed SSO"
    assert main(["log", "demo Acme 45m: x", "--as", "nobody"]) == 2
    assert "No active user named 'nobody'" in capsys.readouterr().err


def test_log_asks_which_account_when_unsure(cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
    east = make_account(cast.north, "Acme East")
    make_account(cast.north, "Acme West")
    assert main(["log", "demo Acme 45m: SSO", "--as", "alice"]) == 1
    asked = capsys.readouterr().err
    assert f"--account {east.pk}  Acme East" in asked
    assert not east.activities.exists()


def test_gap_refresh_recomputes_stored_figures(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    gap = make_gap()
    ProductGap.objects.filter(pk=gap.pk).update(revenue_at_stake=12345)
    assert main(["gap", "refresh"]) == 0
    assert "Recomputed the figures of 1 gaps." in capsys.readouterr().out
    gap.refresh_from_db()
    assert gap.revenue_at_stake == 0


def test_manage_runs_a_django_command(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manage", "check"]) == 0
    assert "System check identified no issues" in capsys.readouterr().out
