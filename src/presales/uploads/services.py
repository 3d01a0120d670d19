"""Keeping uploaded files for an import and telling what they are.

Each upload gets its own folder under ``PRESALES_HOME/uploads``. The files together may not
exceed ``PRESALES_UPLOAD_MAX_MB``; a ZIP (a Salesforce Data Loader export, say) is unpacked
there after its entries are checked: no entry may point outside the folder, and what the
entries unpack to may not exceed ``PRESALES_UPLOAD_MAX_UNZIPPED_MB`` (counted while unpacking,
not trusted from the archive's own figures), so a small archive cannot fill the disk.
"""

from __future__ import annotations

import secrets
import shutil
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import get_valid_filename

from presales.core import access
from presales.imports.models import Profile as ProfileName
from presales.imports.services import PROFILES, hubspot, maven, salesforce
from presales.imports.services.mail import SUFFIXES as MAIL_SUFFIXES
from presales.imports.services.sources import CsvFile, UnusableInput
from presales.people.models import User
from presales.uploads.access import can_upload
from presales.uploads.models import Upload

CALENDAR_SUFFIXES = (".ics", ".ical", ".ifb")
TABLE_SUFFIXES = (".csv", ".txt")
MAPPING_SUFFIX = ".toml"
ACCEPTED = (*TABLE_SUFFIXES, *CALENDAR_SUFFIXES, *MAIL_SUFFIXES, MAPPING_SUFFIX, ".zip")
MAX_ENTRIES = 10_000
AUTO = ""


class Incoming(Protocol):
    """An uploaded file as Django hands it over."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


@dataclass
class Detected:
    profile: str
    objects: dict[str, str]  # file name -> what it holds


def uploads_dir() -> Path:
    return Path(settings.HOME) / "uploads"


def folder_of(upload: Upload) -> Path:
    return uploads_dir() / upload.folder


def _refuse(message: str) -> ValidationError:
    return ValidationError({"files": message})


def store(*, user: User, files: Iterable[Incoming], profile: str = AUTO) -> Upload:
    """Keep ``files`` in a new folder, unpack ZIPs, detect the import type (``profile``
    overrides it) and record the upload. Raises ValidationError with a reason a person can act
    on; nothing is kept then."""
    access.require(can_upload(user), "Only managers and administrators import data.")
    if profile and profile not in PROFILES:
        raise ValidationError({"profile": f"{profile!r} is not an import type Presales knows."})
    files = list(files)
    if not files:
        raise _refuse("Choose at least one file to upload.")
    limit = settings.UPLOAD_MAX_MB * 1024**2
    declared = sum(f.size or 0 for f in files)
    if declared > limit:
        raise _refuse(
            f"The files together are {declared / 1024**2:,.1f} MB; an upload may be at most "
            f"{settings.UPLOAD_MAX_MB:,} MB (PRESALES_UPLOAD_MAX_MB)."
        )
    name = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    folder = uploads_dir() / name
    folder.mkdir(parents=True)
    try:
        kept = _keep(files, folder, limit)
        detected = detect(kept)
        chosen = profile or detected.profile
        if not chosen:
            raise _refuse(
                "Presales cannot tell what these files are: "
                + "; ".join(f"{n}: {o}" for n, o in detected.objects.items())
                + ". Choose the import type."
            )
        if chosen == ProfileName.CSV and not any(p.suffix.lower() == MAPPING_SUFFIX for p in kept):
            raise _refuse(
                "A table of your own needs its column mapping: upload the .toml file with it "
                "(see the README's Imports section)."
            )
        return Upload.objects.create(
            user=user,
            folder=name,
            profile=chosen,
            detected=detected.profile,
            files=[
                {"name": p.name, "size": p.stat().st_size, "object": detected.objects[p.name]}
                for p in kept
            ],
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _keep(files: list[Incoming], folder: Path, limit: int) -> list[Path]:
    kept: list[Path] = []
    written = 0
    for incoming in files:
        original = PurePosixPath((incoming.name or "").replace("\\", "/")).name
        suffix = Path(original).suffix.lower()
        if suffix not in ACCEPTED:
            raise _refuse(
                f"{original or 'A file'}: Presales imports {', '.join(ACCEPTED)} files, "
                "not this one."
            )
        target = _free_name(folder, original)
        with target.open("wb") as out:
            for chunk in incoming.chunks():
                written += len(chunk)
                if written > limit:
                    raise _refuse(
                        f"The upload is larger than {settings.UPLOAD_MAX_MB:,} MB "
                        "(PRESALES_UPLOAD_MAX_MB)."
                    )
                out.write(chunk)
        if suffix == ".zip":
            kept += unpack(target, folder)
            target.unlink()
        else:
            kept.append(target)
    if not kept:
        raise _refuse("The upload holds no file Presales can import.")
    return kept


def _free_name(folder: Path, name: str) -> Path:
    clean = get_valid_filename(name) if name else "file"
    target = folder / clean
    n = 1
    while target.exists():
        target = folder / f"{Path(clean).stem}-{n}{Path(clean).suffix}"
        n += 1
    return target


def unpack(archive: Path, folder: Path) -> list[Path]:
    """The importable files of a ZIP, unpacked flat into ``folder``. Entries that point
    outside the folder, or more data than PRESALES_UPLOAD_MAX_UNZIPPED_MB, refuse the whole
    archive; folders, hidden files and files of other types are left out."""
    budget = settings.UPLOAD_MAX_UNZIPPED_MB * 1024**2
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(f"{archive.name}: not a readable ZIP archive.") from None
    out: list[Path] = []
    with bundle:
        entries = bundle.infolist()
        if len(entries) > MAX_ENTRIES:
            raise _refuse(f"{archive.name}: more than {MAX_ENTRIES:,} entries.")
        declared = sum(e.file_size for e in entries)
        if declared > budget:
            raise _refuse(_too_big(archive))
        used = 0
        for entry in entries:
            path = PurePosixPath(entry.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or ":" in entry.filename:
                raise _refuse(
                    f"{archive.name}: the entry {entry.filename!r} points outside the archive; "
                    "nothing was unpacked."
                )
            if entry.is_dir() or any(p.startswith((".", "__MACOSX")) for p in path.parts):
                continue
            if path.suffix.lower() not in ACCEPTED or path.suffix.lower() == ".zip":
                continue
            target = _free_name(folder, path.name)
            try:
                with bundle.open(entry) as source, target.open("wb") as sink:
                    while chunk := source.read(1 << 20):
                        used += len(chunk)
                        if used > budget:
                            raise _refuse(_too_big(archive))
                        sink.write(chunk)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
                raise _refuse(
                    f"{archive.name}: cannot unpack {entry.filename!r} ({exc})."
                ) from None
            out.append(target)
    if not out:
        raise _refuse(f"{archive.name}: no CSV, calendar or mail file inside.")
    return out


def _too_big(archive: Path) -> str:
    return (
        f"{archive.name} unpacks to more than {settings.UPLOAD_MAX_UNZIPPED_MB:,} MB "
        "(PRESALES_UPLOAD_MAX_UNZIPPED_MB); nothing was kept."
    )


def detect(paths: list[Path]) -> Detected:
    """The import type each file looks like, by its kind and its column names (the same
    recognition the importers use), and the type most of the files share."""
    objects: dict[str, str] = {}
    votes: Counter[str] = Counter()
    for path in paths:
        kind, what = _detect_one(path)
        objects[path.name] = what
        if kind:
            votes[kind] += 1
    profile = votes.most_common(1)[0][0] if votes else ""
    if any(p.suffix.lower() == MAPPING_SUFFIX for p in paths) and profile in ("", ProfileName.CSV):
        profile = ProfileName.CSV
    return Detected(profile=profile, objects=objects)


def _detect_one(path: Path) -> tuple[str, str]:
    suffix = path.suffix.lower()
    if suffix in CALENDAR_SUFFIXES:
        return ProfileName.ICS, "calendar"
    if suffix in MAIL_SUFFIXES:
        return ProfileName.EMAIL, "mail"
    if suffix == MAPPING_SUFFIX:
        return "", "column mapping"
    try:
        source = CsvFile(path)
    except UnusableInput as exc:
        return "", str(exc)
    if source.sections or any(c.startswith("Record ID") for c in source.header):
        try:
            return ProfileName.HUBSPOT, f"HubSpot {hubspot._kind_of(source)}"
        except UnusableInput:
            return ProfileName.HUBSPOT, "HubSpot export"
    for kind, recognise, label in (
        (ProfileName.SALESFORCE, salesforce.object_of, "Salesforce"),
        (ProfileName.MAVEN, maven._kind_of, "Maven CRM"),
    ):
        try:
            return kind, f"{label} {recognise(source)}"
        except UnusableInput:
            continue
    return ProfileName.CSV, "a table (needs a column mapping)"


def importable(upload: Upload) -> tuple[list[Path], Path | None]:
    """The files an import reads, and the column mapping of a generic CSV import."""
    folder = folder_of(upload)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"the uploaded files are not in {folder} (a worker on another machine needs the "
            "same PRESALES_HOME as the web server)"
        )
    paths = [folder / f["name"] for f in upload.files]
    mappings = [p for p in paths if p.suffix.lower() == MAPPING_SUFFIX]
    data = [p for p in paths if p.suffix.lower() != MAPPING_SUFFIX]
    if upload.profile == ProfileName.CSV:
        if len(mappings) != 1:
            raise UnusableInput(
                "a table import needs exactly one column mapping (.toml) uploaded with it"
            )
        return data, mappings[0]
    return data, None
