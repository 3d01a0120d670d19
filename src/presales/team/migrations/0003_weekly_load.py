import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    """The totals of the activities already recorded."""
    from presales.team.weekly import compute_all, write_all

    activity = apps.get_model("activities", "Activity")
    load = apps.get_model("team", "WeeklyLoad")
    write_all(load, compute_all(activity, load))


class Migration(migrations.Migration):

    dependencies = [
        ('team', '0002_skills_evidence_time_out_of_field'),
        ('activities', '0006_activity_window_covering'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WeeklyLoad',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week', models.DateField()),
                ('category', models.CharField(choices=[('facing', 'Customer-facing'), ('prep', 'Preparation'), ('travel', 'Travel'), ('oob', 'Out-of-band'), ('other', 'Other')], max_length=10)),
                ('seconds', models.BigIntegerField(default=0)),
                ('activities', models.IntegerField(default=0)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'week', 'category'), name='team_weeklyload_unique')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
