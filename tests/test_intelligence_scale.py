"""The duplicate finder's fast path: records read from the database straight into DuckDB and
normalised there by SQL macros must give exactly the forms the Python functions give, so the
model sees the same data whichever path a record took."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from presales.accounts.models import Account, AccountDomain
from presales.intelligence import loading, normalise_sql, specs, synthetic
from presales.intelligence import normalise as norm
from presales.intelligence.linkage import Pair, Result
from presales.intelligence.models import AccountAddress
from tests.conftest import Cast, make_account, make_contact

TRICKY = [
    "The ACME Corp., Inc.",
    "Koninklijke Philips N.V.",
    "AB Volvo",
    "Grupo Bimbo, S.A.B. de C.V.",
    "Holding AG",
    "the",
    "The Co",
    "gmbh ag",
    "ag gmbh bosch",
    "Acme & Sons Co",
    "  acme\tltd  ",
    "corp co",
    "x inc inc",
    "A.B.C. Holdings Group",
    "foo de",
    "Foo, Inc.!",
    "foo_bar-baz",
    "Bar S.A. de",
    "Cornerstone",
    "Incorporated Widgets",
    "",
    None,
    "123 Main Street",
    "suite 5 floor 2 road",
    "https://www.Acme.com/about",
    "Jo.Smith@ACME.com ",
    "jo@gmail.com",
    "www2.foo.org:8080/x?y",
    "...foo.com..",
    "a@b@c.com",
    "HTTP://x.y",
    "+49 (30) 1234-5678",
    "0049 30 12345678",
    "001234",
    "1096 bc",
    "x\x1cy\x0bz",
]
FUNCTIONS = [
    "company_name",
    "person_name",
    "domain",
    "company_domain",
    "email",
    "phone",
    "postal_code",
    "address",
    "title",
]


@pytest.fixture(scope="module")
def duck() -> Any:
    connection = loading.connect()
    yield connection
    connection.close()


def test_sql_macros_normalise_ascii_text_as_the_python_functions_do(duck: Any) -> None:
    values = list(TRICKY)
    for _, fields, _ in synthetic.accounts(2000, seed=9):
        values += list(fields.values())
    duck.register("samples", pa.table({"i": list(range(len(values))), "s": values}))
    for name in FUNCTIONS:
        python = getattr(norm, name)
        rows = duck.execute(f"SELECT ps_{name}(s) FROM samples ORDER BY i").fetchall()  # noqa: S608
        differ = [
            (v, got, python(v or ""))
            for v, (got,) in zip(values, rows, strict=True)
            if got != python(v or "")
        ]
        assert differ == [], name
    duck.unregister("samples")
    # The cases the Python tests name give the same in SQL.
    got = duck.execute("SELECT ps_company_name('Grupo Bimbo, S.A.B. de C.V.')").fetchall()
    assert got == [("grupo bimbo sab",)]


def test_text_outside_ascii_is_left_to_python(duck: Any) -> None:
    condition = normalise_sql.ascii_only(["a", "b"])
    values = "('Acme', 'x'), ('Société', 'x'), ('Acme', NULL), ('Acme', 'Zürich')"
    query = f"SELECT a, {condition} FROM (VALUES {values}) t(a, b) ORDER BY ALL"  # noqa: S608
    rows = duck.execute(query).fetchall()
    assert rows == [("Acme", False), ("Acme", True), ("Acme", True), ("Société", False)]


def python_account_rows() -> list[list[Any]]:
    """The account rows as the finder made them before, record by record in Python."""
    domains: dict[int, str] = {}
    for account_id, domain in AccountDomain.objects.order_by("domain").values_list(
        "account_id", "domain"
    ):
        domains.setdefault(account_id, domain)
    addresses = {a.account_id: a for a in AccountAddress.objects.all()}
    rows = []
    for account in Account.objects.all():
        where = addresses.get(account.pk)
        rows.append(
            specs.account_row(
                account.pk,
                name=account.name,
                domain=domains.get(account.pk, "") or (where.website if where else ""),
                phone=where.phone if where else "",
                postal_code=where.postal_code if where else "",
                street=where.street if where else "",
                city=where.city if where else "",
                country=account.country,
                parent=account.parent_id or "",
            )
        )
    return sorted(rows, key=lambda r: r[0])


@pytest.mark.django_db
def test_accounts_load_into_duckdb_as_the_python_rows(cast: Cast, duck: Any) -> None:
    parent = make_account(cast.north, "Siemens AG", country="Germany")
    for n, (_, fields, _) in enumerate(synthetic.accounts(60, seed=4)):
        account = make_account(
            cast.north, fields["name"], country=fields["country"], parent=parent if n % 7 else None
        )
        if n % 3:
            AccountAddress.objects.create(
                account=account,
                street=fields["street"],
                postal_code=fields["postal_code"],
                city=fields["city"],
                phone=fields["phone"],
                website=fields["domain"] if n % 2 else "",
            )
        if n % 5 == 0:
            AccountDomain.objects.create(account=account, domain=f"zz{n}.example.com")
            AccountDomain.objects.create(account=account, domain=f"aa{n}.example.com")
    # Text outside ASCII goes through Python: accents, ligatures, Unicode spaces.
    odd = make_account(cast.north, "Société Générale\u00a0S.A.", country="Österreich")
    AccountAddress.objects.create(account=odd, street="Hauptstraße 1", city="Zürich")
    make_account(cast.north, "ﬁnance Ltd", country="")
    table = loading.load_accounts(duck, "t_accounts")
    loaded = duck.execute(f"SELECT * FROM {table} ORDER BY unique_id").fetchall()  # noqa: S608
    assert [list(r) for r in loaded] == python_account_rows()
    assert [c[0] for c in duck.execute(f"DESCRIBE {table}").fetchall()] == specs.ACCOUNT_COLUMNS
    by_id = {r[0]: r for r in loaded}
    assert by_id[odd.pk][1] == "societe generale"


@pytest.mark.django_db
def test_contacts_load_into_duckdb_as_the_python_rows(cast: Cast, duck: Any) -> None:
    account = make_account(cast.north, "Acme")
    people = [
        ("Jo", "Smith", "Jo.Smith@ACME.com", "+49 30 1234 5678", "VP, Engineering"),
        ("", "O'Neil-Park", "jo@gmail.com", "", ""),
        ("Renée", "Müller", "rm@acme.de", "0049 30 12345678", "Directrice générale"),
        ("Ann", "de la Cruz", "", "(555) 010-999", "CTO "),
    ]
    made = [
        make_contact(account, last, first_name=first, email=email, phone=phone, title=title)
        for first, last, email, phone, title in people
    ]
    table = loading.load_contacts(duck, "t_contacts")
    loaded = duck.execute(f"SELECT * FROM {table} ORDER BY unique_id").fetchall()  # noqa: S608
    expected = [
        specs.contact_row(
            c.pk,
            first_name=c.first_name,
            last_name=c.last_name,
            email=c.email,
            phone=c.phone,
            title=c.title,
            account=c.account_id,
        )
        for c in made
    ]
    assert [list(r) for r in loaded] == expected


def test_cluster_probability_is_the_weakest_link_above_threshold() -> None:
    pairs = [
        Pair(1, 2, 0.99, 9.0, ()),
        Pair(2, 3, 0.93, 5.0, ()),
        Pair(1, 3, 0.6, 1.0, ()),  # below the threshold: not what holds the cluster
        Pair(4, 5, 0.97, 7.0, ()),
    ]
    result = Result(pairs, [[1, 2, 3], [4, 5], [6]], threshold=0.9)
    assert result.cluster_probabilities() == [0.93, 0.97, 0.0]
