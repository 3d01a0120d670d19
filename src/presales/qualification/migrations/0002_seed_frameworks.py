"""Ship three qualification frameworks as data: "4½ things" (the default), MEDDICC and BANT.

Teams copy and edit them; this migration only creates the shipped rows when missing, so it is
safe to re-run and never touches a team's copy.
"""

from decimal import Decimal

from django.db import migrations

FRAMEWORKS = [
    (
        "four-and-a-half",
        "4½ things",
        "Four criteria and a half: the customer knows what they buy, we reach the buyer, the "
        "money exists, a date forces a decision, and a named project will use the product.",
        [
            ("knows-what-buying", "The customer knows what they are buying", "1", "proposal",
             "They describe the solution in their own words and agree it fits their need."),
            ("access-to-buyer", "We have access to the buyer", "1", "proposal",
             "The person who signs has met us, not only their staff or gatekeepers."),
            ("budget", "They have the budget", "1", "proposal",
             "An amount is set aside, or a named person confirmed where the money comes from."),
            ("date-motivation", "There is date-related motivation", "1", "negotiation",
             "Something bad happens on a known date if they do nothing."),
            ("identified-project", "An identified project exists where our product plugs in",
             "0.5", "poc",
             "A project with a name, an owner and a start date that our product is part of."),
        ],
    ),
    (
        "meddicc",
        "MEDDICC",
        "Metrics, economic buyer, decision criteria, decision process, identified pain, "
        "champion and competition.",
        [
            ("metrics", "Metrics", "1", "proposal", "The measurable gain the customer expects."),
            ("economic-buyer", "Economic buyer", "1", "proposal",
             "Who controls the money, and that we met them."),
            ("decision-criteria", "Decision criteria", "1", "poc",
             "The written or stated criteria the options are judged by."),
            ("decision-process", "Decision process", "1", "negotiation",
             "The steps, people and dates between a choice and a signature."),
            ("identified-pain", "Identified pain", "1", "demo",
             "The business problem, in the customer's words."),
            ("champion", "Champion", "1", "poc", "Someone inside who sells for us when we are out."),
            ("competition", "Competition", "1", "", "Who else is in the deal, including doing nothing."),
        ],
    ),
    (
        "bant",
        "BANT",
        "Budget, authority, need and timeline.",
        [
            ("budget", "Budget", "1", "proposal", "Money is available for this purchase."),
            ("authority", "Authority", "1", "proposal", "We talk with whoever decides."),
            ("need", "Need", "1", "demo", "A need our product meets."),
            ("timeline", "Timeline", "1", "negotiation", "A date by which they must decide."),
        ],
    ),
]


def seed(apps, schema_editor):
    Framework = apps.get_model("qualification", "Framework")
    Criterion = apps.get_model("qualification", "Criterion")
    for slug, name, description, criteria in FRAMEWORKS:
        framework, _ = Framework.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        for position, (key, cname, weight, gate, guidance) in enumerate(criteria, start=1):
            Criterion.objects.get_or_create(
                framework=framework,
                key=key,
                defaults={
                    "name": cname,
                    "weight": Decimal(weight),
                    "required_from_stage": gate,
                    "guidance": guidance,
                    "position": position,
                },
            )


def unseed(apps, schema_editor):
    Framework = apps.get_model("qualification", "Framework")
    Framework.objects.filter(slug__in=[f[0] for f in FRAMEWORKS], team__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("qualification", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
