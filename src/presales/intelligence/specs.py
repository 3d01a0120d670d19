"""The duplicate finder's models for accounts and contacts, and the frames they read.

Records are normalised in Python (``normalise``) and compared by Splink: names by
Jaro-Winkler, domains, phones, postal codes and the parent account exactly, addresses by
Jaro-Winkler. Blocking keeps only pairs that share the start and end of the name, a domain, a
phone or a postal code with the name's initial; a million records then make about a million
pairs, not 10^12. Training is bounded too: u from at most ``U_PAIRS`` random pairs, m from at
most ``EM_PAIRS`` blocked pairs per rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from presales.intelligence import normalise as norm
from presales.intelligence.linkage import Model

ACCOUNT_COLUMNS = [
    "unique_id",
    "name",
    "name_prefix",
    "domain",
    "phone",
    "postal_code",
    "street",
    "city",
    "country",
    "parent",
]
# How many letters of the start and of the end of a normalised name make its blocking key.
NAME_KEY = (5, 4)
CONTACT_COLUMNS = [
    "unique_id",
    "first_name",
    "last_name",
    "surname_prefix",
    "email",
    "email_domain",
    "phone",
    "title",
    "account",
]


def account_row(
    pk: Any,
    *,
    name: str,
    domain: str = "",
    phone: str = "",
    postal_code: str = "",
    street: str = "",
    city: str = "",
    country: str = "",
    parent: Any = "",
) -> list[Any]:
    key = norm.company_name(name)
    squeezed = key.replace(" ", "")
    return [
        pk,
        key or None,
        # The start and the end of the name: a typo in the middle still blocks together, and
        # a block stays small even where many names start alike ("North..."): at a million
        # accounts five and four letters make a tenth of the pairs four and three did.
        (squeezed[: NAME_KEY[0]] + squeezed[-NAME_KEY[1] :]) or None,
        norm.company_domain(domain) or None,
        norm.phone(phone) or None,
        norm.postal_code(postal_code) or None,
        norm.address(street) or None,
        norm.person_name(city) or None,
        norm.person_name(country) or None,
        str(parent) if parent else None,
    ]


def contact_row(
    pk: Any,
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
    account: Any = "",
) -> list[Any]:
    last = norm.person_name(last_name)
    return [
        pk,
        norm.person_name(first_name) or None,
        last or None,
        last.replace(" ", "")[:3] or None,
        norm.email(email) or None,
        norm.company_domain(email) or None,
        norm.phone(phone) or None,
        norm.title(title) or None,
        str(account) if account else None,
    ]


def frame(rows: Iterable[list[Any]], columns: list[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(list(rows), columns=columns)


U_PAIRS = 2e6
EM_PAIRS = 2e6


def account_model() -> Model:
    import splink.comparison_library as cl
    from splink import block_on

    return Model(
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.97, 0.9, 0.8]),
            cl.ExactMatch("domain"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("postal_code", [1]),
            cl.JaroWinklerAtThresholds("street", [0.9, 0.75]),
            cl.ExactMatch("city"),
            cl.ExactMatch("country"),
            cl.ExactMatch("parent"),
        ],
        blocking=[
            block_on("name_prefix"),
            block_on("domain"),
            block_on("phone"),
            block_on("postal_code", "substr(name, 1, 1)"),
        ],
        training=[block_on("domain"), block_on("name_prefix"), block_on("phone")],
        deterministic=[block_on("domain", "name"), block_on("phone", "name")],
        recall=0.6,
        prior=0.0005,
        u_pairs=U_PAIRS,
        em_pairs=EM_PAIRS,
    )


def contact_model() -> Model:
    import splink.comparison_library as cl
    from splink import block_on

    return Model(
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.95, 0.85]),
            cl.JaroWinklerAtThresholds("last_name", [0.95, 0.85]),
            cl.ExactMatch("email"),
            cl.ExactMatch("email_domain"),
            cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("title", [0.9, 0.7]),
            cl.ExactMatch("account"),
        ],
        blocking=[
            block_on("email"),
            block_on("phone"),
            block_on("surname_prefix", "substr(first_name, 1, 1)"),
            block_on("account", "surname_prefix"),
        ],
        training=[block_on("email"), block_on("account"), block_on("last_name")],
        deterministic=[block_on("email", "last_name")],
        recall=0.6,
        prior=0.0005,
        u_pairs=U_PAIRS,
        em_pairs=EM_PAIRS,
    )
