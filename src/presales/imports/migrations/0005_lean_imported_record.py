"""The digest table keyed by the record's identity, with the digest as a number.

Django cannot change a table's primary key in place, so the old table is renamed, the new one
made (on SQLite ``WITHOUT ROWID``: the rows live in the key's tree, with no second tree for a
unique index), every row carried over with its digest turned into a number, and the old table
dropped. A digest carried over equals the one the same content gives now, so the first import
after this migration still finds unchanged rows unchanged."""

from typing import Any

import presales.imports.models
from django.db import migrations, models

BATCH = 10_000


def _number(digest: str) -> int:
    return presales.imports.models.digest_number(digest)


def make_and_fill(apps: Any, schema_editor: Any) -> None:
    new = apps.get_model("imports", "ImportedRecord")
    old = apps.get_model("imports", "ImportedRecordOld")
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        sql, params = schema_editor.table_sql(new)
        schema_editor.execute(sql + " WITHOUT ROWID", params or None)
    else:
        schema_editor.create_model(new)
    quote = connection.ops.quote_name
    table, old_table = quote(new._meta.db_table), quote(old._meta.db_table)
    with connection.cursor() as reader, connection.cursor() as writer:
        reader.execute(
            f"SELECT source, kind, external_id, object_id, digest FROM {old_table}"  # noqa: S608
        )
        while rows := reader.fetchmany(BATCH):
            writer.executemany(
                f"INSERT INTO {table} (source, kind, external_id, object_id, digest) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s)",
                [(s, k, e, o, _number(d)) for s, k, e, o, d in rows],
            )


def empty_and_drop(apps: Any, schema_editor: Any) -> None:
    new = apps.get_model("imports", "ImportedRecord")
    old = apps.get_model("imports", "ImportedRecordOld")
    quote = schema_editor.connection.ops.quote_name
    # Going back, the numbers cannot become the old text digests: the next import rewrites
    # each record once and keeps its text digest again.
    schema_editor.execute(
        f"INSERT INTO {quote(old._meta.db_table)} (source, kind, external_id, object_id, digest) "  # noqa: S608
        f"SELECT source, kind, external_id, object_id, '' FROM {quote(new._meta.db_table)}"
    )
    schema_editor.delete_model(new)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0004_run_set_aside"),
    ]

    operations = [
        migrations.RenameModel(old_name="ImportedRecord", new_name="ImportedRecordOld"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportedRecord",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "source",
                                "kind",
                                "external_id",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("source", models.CharField(max_length=40)),
                        (
                            "kind",
                            models.CharField(
                                help_text="Object type, e.g. account or activity", max_length=40
                            ),
                        ),
                        ("external_id", models.CharField(max_length=64)),
                        ("object_id", models.BigIntegerField(blank=True, null=True)),
                        (
                            "digest",
                            presales.imports.models.DigestField(help_text="See digest_number"),
                        ),
                    ],
                ),
            ],
        ),
        migrations.RunPython(make_and_fill, empty_and_drop),
        migrations.DeleteModel(name="ImportedRecordOld"),
    ]
