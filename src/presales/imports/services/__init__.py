"""Imports: CRM exports, calendars and the quick log, written through one upsert engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from presales.imports.models import Profile as ProfileName
from presales.imports.services import hubspot, ics, mail, mapping, maven, salesforce
from presales.imports.services.profiles import Profile
from presales.imports.services.run import ImportResult, ProgressFn, as_json, execute
from presales.imports.services.sources import UnusableInput
from presales.people.models import User

PROFILES: dict[str, Callable[..., Profile]] = {
    ProfileName.SALESFORCE: salesforce.profile,
    ProfileName.MAVEN: maven.profile,
    ProfileName.ICS: ics.profile,
    ProfileName.HUBSPOT: hubspot.profile,
    ProfileName.CSV: mapping.profile,
    ProfileName.EMAIL: mail.profile,
}
SUFFIXES: dict[str, tuple[str, ...]] = {
    ProfileName.ICS: (".ics", ".ical", ".ifb"),
    ProfileName.EMAIL: mail.SUFFIXES,
}


def expand(paths: list[Path], kind: str) -> list[Path]:
    """Files named on the command line; a folder stands for the files in it."""
    suffixes = SUFFIXES.get(kind, (".csv", ".txt"))
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes)
        else:
            found.append(path)
    return found


def run_import(
    *,
    kind: str,
    paths: list[Path],
    mapping: Path | None = None,
    dry_run: bool = False,
    strict: bool = False,
    user: User | None = None,
    progress: ProgressFn | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> ImportResult:
    """Import files with one of the built-in profiles (or a mapping file for ``csv``).
    ``window`` bounds the expansion of recurring calendar events (default: two years back,
    one ahead)."""
    if kind not in PROFILES:
        raise UnusableInput(f"unknown import type {kind!r}; choose one of {', '.join(PROFILES)}")
    if mapping is not None and kind != ProfileName.CSV:
        raise UnusableInput("--mapping is only for 'csv' imports")
    files = expand(paths, kind)
    if not files:
        raise UnusableInput("no files to import")
    factory = PROFILES[kind]

    def make_profile() -> Profile:
        # Built inside the recorded run, so a broken mapping file is a failed import in the
        # history like any other unusable input.
        if kind == ProfileName.CSV:
            return factory(mapping)
        if kind == ProfileName.ICS:
            return factory(window)
        return factory()

    return execute(
        kind=kind,
        profile=make_profile,
        paths=files,
        dry_run=dry_run,
        strict=strict,
        user=user,
        progress=progress,
    )


__all__ = ["ImportResult", "UnusableInput", "as_json", "run_import"]
