"""The link tables of activities (participants, contacts) lose their index on ``activity_id``:
their unique index on (activity_id, other id) starts with that column and answers the same
look-ups, while the second index cost every imported link a write (or, in a large import, a
rebuild at its end). Django makes that index for the key of every link table it creates; this
migration drops it on SQLite and PostgreSQL alike."""

from typing import Any

from django.db import migrations

RELATIONS = ("participants", "contacts")


def _tables(apps: Any) -> list[tuple[str, Any]]:
    activity = apps.get_model("activities", "Activity")
    found = []
    for name in RELATIONS:
        through = activity._meta.get_field(name).remote_field.through
        found.append((through._meta.db_table, through))
    return found


def drop(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, _through in _tables(apps):
            constraints = connection.introspection.get_constraints(cursor, table)
            for name, info in constraints.items():
                if (
                    info["index"]
                    and not info["unique"]
                    and not info["primary_key"]
                    and info["columns"] == ["activity_id"]
                ):
                    schema_editor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def restore(apps: Any, schema_editor: Any) -> None:
    for _table, through in _tables(apps):
        field = through._meta.get_field("activity")
        schema_editor.execute(schema_editor._create_index_sql(through, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_fewer_indexes"),
    ]

    operations = [migrations.RunPython(drop, restore)]
