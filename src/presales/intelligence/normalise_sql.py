"""The normalised forms of ``normalise``, as DuckDB macros, for the duplicate finder at scale.

A million names normalised one by one in Python take longer than the whole linkage; the same
rules written as SQL run vectorised inside DuckDB. The macros follow ``normalise`` exactly for
plain ASCII text (a test compares both on tricky and synthetic inputs). Text with other
characters is normalised in Python instead (accents folded, Unicode punctuation and spaces),
so the two paths never disagree: ``ASCII_ONLY`` tells the rows apart.

The word lists (legal suffixes, webmail domains, street words) are read from ``normalise``, so
the two stay one definition.
"""

from __future__ import annotations

from typing import Any

from presales.intelligence import normalise as norm
from presales.intelligence import specs

# What Python's ``str.split()`` and ``\s`` treat as white space within ASCII.
_WS = r"\x09-\x0d\x1c-\x1f "


def _quoted(words: Any) -> str:
    return ",".join(f"'{w}'" for w in sorted(words))


def _alternation(words: Any) -> str:
    # Longest first, so a word is never cut short by a shorter one it starts with.
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


def macros() -> list[str]:
    """``CREATE MACRO`` statements; each takes and returns text (NULL reads as empty)."""
    suffixes = _alternation(norm.LEGAL_SUFFIXES)
    start, end = specs.NAME_KEY
    street = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in sorted(norm._STREET_WORDS.items()))
    return [
        # words(): lower case, dots dropped, other punctuation splits, spaces squeezed.
        f"""CREATE OR REPLACE MACRO ps_words(s) AS trim(regexp_replace(regexp_replace(
            lower(replace(replace(coalesce(s, ''), '&', ' and '), '.', '')),
            '[^a-z0-9_{_WS}]', ' ', 'g'), '[{_WS}]+', ' ', 'g'))""",
        f"""CREATE OR REPLACE MACRO ps_strip(s) AS
            regexp_replace(coalesce(s, ''), '^[{_WS}]+|[{_WS}]+$', '', 'g')""",
        # "the" first, then legal forms from the end and the start, then a dangling "de". A
        # word matches only after a space, so the first word always stays.
        f"""CREATE OR REPLACE MACRO ps_company_name(s) AS regexp_replace(regexp_replace(
            regexp_replace(regexp_replace(ps_words(s), '^the(?: |$)', ''),
            '(?: (?:{suffixes}))+$', ''), '^(?:(?:{suffixes}) )+', ''),
            '(?: (?:de|and|und|et))+$', '')""",
        "CREATE OR REPLACE MACRO ps_person_name(s) AS ps_words(s)",
        """CREATE OR REPLACE MACRO ps_domain_of(t) AS regexp_replace(regexp_extract(
            regexp_replace(
                CASE WHEN contains(t, '@') THEN regexp_extract(t, '@([^@]*)$', 1) ELSE t END,
                '^(?:[a-z][a-z0-9+.-]*://)?(?:www[0-9]?\\.)?', ''),
            '^[^/?:]*'), '^\\.+|\\.+$', '', 'g')""",
        "CREATE OR REPLACE MACRO ps_domain(s) AS ps_domain_of(lower(ps_strip(s)))",
        f"""CREATE OR REPLACE MACRO ps_company_domain(s) AS CASE
            WHEN ps_domain(s) IN ({_quoted(norm.FREE_MAIL)}) THEN '' ELSE ps_domain(s) END""",
        "CREATE OR REPLACE MACRO ps_email(s) AS lower(ps_strip(s))",
        """CREATE OR REPLACE MACRO ps_phone_digits(d) AS
            CASE WHEN starts_with(d, '00') THEN d[3:] ELSE d END""",
        """CREATE OR REPLACE MACRO ps_phone(s) AS CASE
            WHEN length(ps_phone_digits(regexp_replace(coalesce(s, ''), '[^0-9]', '', 'g'))) >= 9
            THEN right(ps_phone_digits(regexp_replace(coalesce(s, ''), '[^0-9]', '', 'g')), 9)
            ELSE ps_phone_digits(regexp_replace(coalesce(s, ''), '[^0-9]', '', 'g')) END""",
        """CREATE OR REPLACE MACRO ps_postal_code(s) AS
            regexp_replace(upper(coalesce(s, '')), '[^A-Z0-9]', '', 'g')""",
        f"""CREATE OR REPLACE MACRO ps_address(s) AS array_to_string(list_transform(
            string_split(ps_words(s), ' '), lambda w: CASE w {street} ELSE w END), ' ')""",
        "CREATE OR REPLACE MACRO ps_title(s) AS ps_words(s)",
        # The start and the end of a normalised name, spaces removed (see ``specs``).
        f"""CREATE OR REPLACE MACRO ps_name_key(k) AS left(replace(k, ' ', ''), {start})
            || right(replace(k, ' ', ''), {end})""",
    ]


def install(connection: Any) -> None:
    for statement in macros():
        connection.execute(statement)


def ascii_only(columns: list[str]) -> str:
    """A condition true when every one of ``columns`` is plain ASCII (or NULL)."""
    joined = " || ".join(f"coalesce({c}, '')" for c in columns) or "''"
    return f"NOT regexp_matches({joined}, '[^\\x00-\\x7f]')"
