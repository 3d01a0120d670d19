from typing import Any

from django.db import migrations

DEFAULTS = [
    ("NDA signed", "A mutual NDA covers what the customer shares in the POC."),
    ("Budget confirmed", "The economic buyer confirmed a budget for the purchase."),
    ("Success criteria agreed", "The customer agreed in writing what success means."),
]


def add(apps: Any, schema_editor: Any) -> None:
    prerequisite = apps.get_model("pocs", "Prerequisite")
    for position, (name, help_text) in enumerate(DEFAULTS):
        prerequisite.objects.get_or_create(
            name=name, defaults={"help_text": help_text, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("pocs", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
