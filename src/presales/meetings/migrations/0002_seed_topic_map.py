"""Ship a starter topic map shared by every team: the story beats a conversation tends to
follow (security leads to audit, compliance, CVEs and access control). Answers are left for the
team to write; the planner shows a topic without an answer as something to prepare."""

from django.db import migrations

TOPICS = {
    "Security": ("security, secure, breach, threat, soc", ["Audit", "Compliance", "CVEs", "Access control"]),
    "Audit": ("audit, audit log, logging, trail", []),
    "Compliance": ("compliance, soc 2, iso 27001, gdpr, hipaa, regulation", []),
    "CVEs": ("cve, vulnerability, patch, vulnerabilities", []),
    "Access control": ("access control, sso, saml, rbac, iam, permissions", []),
    "Pricing": ("pricing, price, cost, discount, licence, license", ["Licensing", "Payback"]),
    "Licensing": ("licensing, licence, license, subscription, seats", []),
    "Payback": ("payback, roi, return, savings, business case", []),
    "Integration": ("integration, integrate, api, connector, webhook", ["APIs", "Data migration"]),
    "APIs": ("api, rest, sdk, endpoint", []),
    "Data migration": ("migration, migrate, import, export, cutover", []),
    "Performance": ("performance, latency, throughput, scale, scalability, benchmark", ["Sizing"]),
    "Sizing": ("sizing, capacity, hardware, nodes", []),
    "Support": ("support, sla, escalation, uptime", ["Onboarding"]),
    "Onboarding": ("onboarding, training, rollout, adoption", []),
}


def seed(apps, schema_editor):
    Topic = apps.get_model("meetings", "Topic")
    made = {}
    for name, (keywords, _) in TOPICS.items():
        topic = Topic.objects.filter(team__isnull=True, name=name).first()
        if topic is None:
            topic = Topic.objects.create(name=name, keywords=keywords)
        made[name] = topic
    for name, (_, follows) in TOPICS.items():
        made[name].leads_to.add(*[made[f] for f in follows])


def unseed(apps, schema_editor):
    Topic = apps.get_model("meetings", "Topic")
    Topic.objects.filter(team__isnull=True, name__in=list(TOPICS)).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
