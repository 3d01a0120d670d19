from django.db import migrations, models
from django.db.models import F


def date_existing_masters(apps, schema_editor):
    """Demos already in the master library: their last change is the best date there is."""
    Demo = apps.get_model("demos", "Demo")
    Demo.objects.filter(state="master", curated_at__isnull=True).update(curated_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("demos", "0004_shown_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="demo",
            name="curated_at",
            field=models.DateTimeField(
                blank=True, help_text="When it entered the master library", null=True
            ),
        ),
        migrations.RunPython(date_existing_masters, migrations.RunPython.noop),
    ]
