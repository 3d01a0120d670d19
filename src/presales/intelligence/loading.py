"""Accounts and contacts read from the database straight into DuckDB and normalised there.

No model instances are made: ``values_list`` rows go in chunks into Arrow record batches,
DuckDB holds them, and the macros of ``normalise_sql`` make the columns the models of
``specs`` compare. The few rows with text outside ASCII are normalised in Python by the same
functions the rest of Presales uses, so both paths give identical forms.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from presales.intelligence import normalise_sql, specs

CHUNK = 50_000
# DuckDB's share of the machine while the finder runs (a job beside the web server).
THREADS = max(1, min(2, os.cpu_count() or 1))
MEMORY_LIMIT = "2GB"


def connect() -> Any:
    """An in-memory DuckDB connection with bounded threads and memory (it spills to a
    temporary folder beyond the limit) and the normalisation macros installed."""
    import duckdb

    connection = duckdb.connect()
    spill = os.path.join(tempfile.gettempdir(), "presales-duckdb")
    connection.execute(f"SET threads = {THREADS}")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute(f"SET temp_directory = '{spill}'")
    connection.execute("SET preserve_insertion_order = false")
    normalise_sql.install(connection)
    return connection


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def arrow_table(rows: Iterable[Sequence[Any]], schema: Sequence[tuple[str, str]]) -> Any:
    """Rows (tuples) to an Arrow table with the given ``(name, "int"|"text")`` columns,
    converted a chunk at a time so the Python tuples never all live at once."""
    import pyarrow as pa

    fields = pa.schema(
        [(name, pa.int64() if kind == "int" else pa.string()) for name, kind in schema]
    )
    batches = []
    for chunk in _chunks(rows, CHUNK):
        columns = list(zip(*chunk, strict=True))
        batches.append(
            pa.RecordBatch.from_arrays(
                [pa.array(c, type=f.type) for c, f in zip(columns, fields, strict=True)],
                schema=fields,
            )
        )
    return pa.Table.from_batches(batches, schema=fields)


RAW_ACCOUNTS = [
    ("unique_id", "int"),
    ("name", "text"),
    ("country", "text"),
    ("parent", "int"),
    ("website", "text"),
    ("phone", "text"),
    ("postal_code", "text"),
    ("street", "text"),
    ("city", "text"),
]
ACCOUNT_SQL = """
    SELECT unique_id, nullif(name, '') AS name, nullif(ps_name_key(name), '') AS name_prefix,
        nullif(ps_company_domain(web), '') AS domain, nullif(ps_phone(phone), '') AS phone,
        nullif(ps_postal_code(postal_code), '') AS postal_code,
        nullif(ps_address(street), '') AS street, nullif(ps_person_name(city), '') AS city,
        nullif(ps_person_name(country), '') AS country, CAST(parent AS VARCHAR) AS parent
    FROM (SELECT * REPLACE (ps_company_name(name) AS name) FROM {source} WHERE {plain})
"""
RAW_CONTACTS = [
    ("unique_id", "int"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("email", "text"),
    ("phone", "text"),
    ("title", "text"),
    ("account", "int"),
]
CONTACT_SQL = """
    SELECT unique_id, nullif(ps_person_name(first_name), '') AS first_name,
        nullif(last_name, '') AS last_name,
        nullif(left(replace(last_name, ' ', ''), 3), '') AS surname_prefix,
        nullif(ps_email(email), '') AS email, nullif(ps_company_domain(email), '') AS email_domain,
        nullif(ps_phone(phone), '') AS phone, nullif(ps_title(title), '') AS title,
        CAST(account AS VARCHAR) AS account
    FROM (SELECT * REPLACE (ps_person_name(last_name) AS last_name) FROM {source}
        WHERE {plain})
"""


def _python_rows(connection: Any, source: str, columns: list[str], plain: str) -> list[Any]:
    return connection.execute(
        f"SELECT {', '.join(columns)} FROM {source} WHERE NOT ({plain})"  # noqa: S608
    ).fetchall()


def _normalised(
    connection: Any,
    source: str,
    table: str,
    *,
    sql: str,
    text: list[str],
    columns: list[str],
    python_rows: list[list[Any]],
) -> str:
    import pyarrow as pa

    connection.execute(
        f"CREATE OR REPLACE TABLE {table} AS "
        + sql.format(source=source, plain=normalise_sql.ascii_only(text))
    )
    if python_rows:
        other = pa.Table.from_pylist([dict(zip(columns, r, strict=True)) for r in python_rows])
        connection.register("ps_python_rows", other)
        connection.execute(f"INSERT INTO {table} SELECT * FROM ps_python_rows")  # noqa: S608
        connection.unregister("ps_python_rows")
    connection.execute(f"DROP TABLE IF EXISTS {source}")
    return table


def load_accounts(connection: Any, table: str = "ps_accounts") -> str:
    """Every account as the account model compares it, in ``table``; returns its name."""
    from presales.accounts.models import Account, AccountDomain

    accounts = arrow_table(
        Account.objects.order_by()
        .values_list(
            "pk",
            "name",
            "country",
            "parent_id",
            "address__website",
            "address__phone",
            "address__postal_code",
            "address__street",
            "address__city",
        )
        .iterator(chunk_size=CHUNK),
        RAW_ACCOUNTS,
    )
    domains = arrow_table(
        AccountDomain.objects.order_by().values_list("account_id", "domain").iterator(CHUNK),
        [("account_id", "int"), ("domain", "text")],
    )
    connection.register("ps_raw_accounts", accounts)
    connection.register("ps_raw_domains", domains)
    # An account's first domain, or else the web address of its imported address.
    connection.execute(
        """CREATE OR REPLACE TABLE ps_account_source AS
        SELECT a.*, coalesce(nullif(d.domain, ''), a.website, '') AS web
        FROM ps_raw_accounts a LEFT JOIN (
            SELECT account_id, min(domain) AS domain FROM ps_raw_domains GROUP BY account_id
        ) d ON d.account_id = a.unique_id"""
    )
    connection.unregister("ps_raw_accounts")
    connection.unregister("ps_raw_domains")
    del accounts, domains
    text = ["name", "web", "phone", "postal_code", "street", "city", "country"]
    plain = normalise_sql.ascii_only(text)
    others = [
        specs.account_row(
            pk,
            name=name or "",
            domain=web or "",
            phone=phone or "",
            postal_code=postal or "",
            street=street or "",
            city=city or "",
            country=country or "",
            parent=parent or "",
        )
        for pk, name, web, phone, postal, street, city, country, parent in _python_rows(
            connection, "ps_account_source", ["unique_id", *text, "parent"], plain
        )
    ]
    return _normalised(
        connection,
        "ps_account_source",
        table,
        sql=ACCOUNT_SQL,
        text=text,
        columns=specs.ACCOUNT_COLUMNS,
        python_rows=others,
    )


def load_contacts(connection: Any, table: str = "ps_contacts") -> str:
    """Every contact as the contact model compares it, in ``table``; returns its name."""
    from presales.accounts.models import Contact

    contacts = arrow_table(
        Contact.objects.order_by()
        .values_list("pk", "first_name", "last_name", "email", "phone", "title", "account_id")
        .iterator(chunk_size=CHUNK),
        RAW_CONTACTS,
    )
    connection.register("ps_raw_contacts", contacts)
    connection.execute("CREATE OR REPLACE TABLE ps_contact_source AS SELECT * FROM ps_raw_contacts")
    connection.unregister("ps_raw_contacts")
    del contacts
    text = ["first_name", "last_name", "email", "phone", "title"]
    plain = normalise_sql.ascii_only(text)
    others = [
        specs.contact_row(
            pk,
            first_name=first or "",
            last_name=last or "",
            email=email or "",
            phone=phone or "",
            title=title or "",
            account=account or "",
        )
        for pk, first, last, email, phone, title, account in _python_rows(
            connection, "ps_contact_source", ["unique_id", *text, "account"], plain
        )
    ]
    return _normalised(
        connection,
        "ps_contact_source",
        table,
        sql=CONTACT_SQL,
        text=text,
        columns=specs.CONTACT_COLUMNS,
        python_rows=others,
    )
