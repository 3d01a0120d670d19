"""Normalised forms of the fields the duplicate finder compares.

Each function takes what an import or a person typed and returns the form two records of the
same company or person share: lower case, no punctuation, no legal suffix, digits only.
"""

from __future__ import annotations

import re
import unicodedata

# Legal forms, written as they are after punctuation is gone ("n.v." -> "nv").
LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "kgaa",
        "ug",
        "se",
        "ev",
        "mbh",
        "nv",
        "bv",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "sau",
        "sa",
        "de",
        "cv",
        "ab",
        "as",
        "asa",
        "oy",
        "oyj",
        "aps",
        "pty",
        "pte",
        "bhd",
        "kk",
        "pvt",
        "group",
        "holding",
        "holdings",
    ]
)
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\D")
_WEB_PREFIX = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d?\.)?")
# Domains of webmail, which say nothing about the company a person works for.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "aol.com",
        "icloud.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "yandex.ru",
    ]
)


def ascii_fold(text: str) -> str:
    """Accents and ligatures folded to plain letters: "Société Générale" -> "Societe Generale"."""
    text = text.replace("ß", "ss").replace("&", " and ")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    # Dots inside abbreviations vanish ("N.V." -> "NV"); other punctuation splits words.
    folded = ascii_fold(text or "").lower().replace(".", "")
    return _SPACES.sub(" ", _PUNCT.sub(" ", folded)).split()


def company_name(text: str) -> str:
    """Lower case, no punctuation or accents, legal suffixes dropped from the end (and from the
    start, as in "AB Volvo"), "the" dropped: "The ACME Corp., Inc." -> "acme"."""
    parts = words(text)
    if parts and parts[0] == "the":
        parts = parts[1:]
    while len(parts) > 1 and parts[-1] in LEGAL_SUFFIXES:
        parts.pop()
    while len(parts) > 1 and parts[0] in LEGAL_SUFFIXES:
        parts.pop(0)
    # "sa de cv" and similar leave "de" behind once "cv" goes.
    while len(parts) > 1 and parts[-1] in {"de", "and", "und", "et"}:
        parts.pop()
    return " ".join(parts)


def person_name(text: str) -> str:
    return " ".join(words(text))


def domain(text: str) -> str:
    """A web address or an e-mail address reduced to its domain: "https://www.Acme.com/x",
    "jo@acme.com" and "ACME.COM." all give "acme.com"."""
    text = (text or "").strip().lower()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = _WEB_PREFIX.sub("", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    return text.strip(".")


def company_domain(email_or_web: str) -> str:
    """The domain if it can identify a company; webmail domains give ""."""
    found = domain(email_or_web)
    return "" if found in FREE_MAIL else found


def email(text: str) -> str:
    return (text or "").strip().lower()


def phone(text: str) -> str:
    """Digits only, with an international 00 prefix read as +, and the last nine digits kept so
    "+49 (0)30 1234-5678" and "030 12345678" agree."""
    digits = _DIGITS.sub("", text or "")
    if digits.startswith("00"):
        digits = digits[2:]
    return digits[-9:] if len(digits) >= 9 else digits


def postal_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


_STREET_WORDS = {
    "street": "st",
    "str": "st",
    "strasse": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "suite": "ste",
    "floor": "fl",
}


def address(text: str) -> str:
    return " ".join(_STREET_WORDS.get(w, w) for w in words(text))


def title(text: str) -> str:
    return " ".join(words(text))
