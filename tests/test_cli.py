"""The presales command, run as a user runs it: in a subprocess against a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def cli_env(home: Path) -> dict[str, str]:
    """The environment of a user running the command: an embedded database under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    env["PRESALES_HOME"] = str(home)
    return env


def presales(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = cli_env(home)
    return subprocess.run(
        [sys.executable, "-m", "presales.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("presales-home")
    assert presales(path, "migrate").returncode == 0
    return path


def test_createuser_reads_the_password_from_stdin_and_validates_it(home: Path) -> None:
    weak = presales(home, "createuser", "weakling", "--role", "se", stdin="123\n")
    assert weak.returncode == 2
    assert "password" in weak.stderr.lower()
    bad_role = presales(home, "createuser", "nobody", "--role", "wizard", stdin="x" * 20 + "\n")
    assert bad_role.returncode == 2 and "role" in bad_role.stderr
    ok = presales(home, "createuser", "sam", "--role", "se", stdin="a long enough pass 42\n")
    assert ok.returncode == 0, ok.stderr
    assert "Created sam" in ok.stdout


def test_token_create_prints_a_token_that_the_api_accepts(home: Path) -> None:
    presales(home, "createuser", "tok", "--role", "rep", stdin="another long pass 77\n")
    made = presales(home, "token", "create", "tok", "--label", "laptop")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("psk_")
    # Check the token against the same database through the API, in-process.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='presales.settings';"
            "django.setup();from django.test import Client;"
            f"r=Client(HTTP_AUTHORIZATION='Bearer {token}').get('/api/me');"
            "print(r.status_code, r.json()['username'])",
        ],
        env=cli_env(home),
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.split() == ["200", "tok"], check.stderr
    unknown = presales(home, "token", "create", "ghost")
    assert unknown.returncode == 2 and "ghost" in unknown.stderr


def test_demo_prints_a_login_that_works_on_the_served_pages(tmp_path: Path) -> None:
    made = presales(tmp_path, "demo", "--no-serve", "--scale", "0.03")
    assert made.returncode == 0, made.stderr
    login_line = next(line for line in made.stdout.splitlines() if line.startswith("Log in as"))
    words = login_line.split()
    username, password = words[3], words[-1]
    assert "http://127.0.0.1:8000/" in made.stdout
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os,json;os.environ['DJANGO_SETTINGS_MODULE']='presales.settings';"
            "django.setup();from django.test import Client;c=Client();"
            f"ok=c.login(username={username!r}, password={password!r});"
            "r=c.get('/');print(json.dumps([ok, r.status_code, 'My week' in r.content.decode()]))",
        ],
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(check.stdout) == [True, 200, True], check.stderr
    # A second run keeps the data and prints a fresh password.
    again = presales(tmp_path, "demo", "--no-serve")
    assert "Using the existing database" in again.stderr
    assert password not in again.stdout
