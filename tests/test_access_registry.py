"""The shape of access control: core imports no domain app, and every model of every presales
app states how it is reached (a registered rule, its parent, or never served)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.utils import timezone

import presales
from presales.core import access
from presales.deals.models import StageChange
from presales.people.models import Role
from presales.qualification.models import Evidence
from tests.conftest import Cast, criterion, make_account, make_opportunity

CORE = Path(presales.__file__).parent / "core"


def _imported_modules(source: str, package: list[str]) -> list[tuple[int, str]]:
    """Every module a file imports, anywhere in it (inside functions and TYPE_CHECKING too),
    with relative imports resolved against the file's package."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            # ``from presales import people`` imports the module presales.people.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _domain_imports(source: str, package: list[str]) -> list[tuple[int, str]]:
    """The imports of presales apps other than core, by line."""
    bad = []
    for line, module in _imported_modules(source, package):
        parts = module.split(".")
        app = parts[1] if parts[0] == "presales" and len(parts) > 1 else "core"
        if app != "core" and (CORE.parent / app).is_dir():
            bad.append((line, module))
    return bad


def test_no_module_in_core_imports_a_domain_app() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) > 5  # the walk found core's modules
    offenders = [
        f"{path.relative_to(CORE.parent)}:{line} imports {module}"
        for path in modules
        for line, module in _domain_imports(
            path.read_text(), ["presales", *path.parent.relative_to(CORE.parent).parts]
        )
    ]
    assert offenders == []


def test_the_import_check_catches_absolute_relative_and_nested_imports() -> None:
    source = (
        "from presales.core import access\n"
        "from presales import people\n"
        "from ..stats import median\n"
        "from ...deals import models\n"
        "from . import pages\n"
        "def later():\n"
        "    import presales.gaps.services\n"
    )
    found = _domain_imports(source, ["presales", "core", "templatetags"])
    assert found == [
        (2, "presales.people"),
        (4, "presales.deals.models"),
        (7, "presales.gaps.services"),
    ]


def _presales_models() -> list[type]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("presales.")
        for model in config.get_models()
    ]


def test_every_model_of_every_presales_app_has_an_access_rule() -> None:
    models = _presales_models()
    assert len(models) > 40
    missing = [m._meta.label for m in models if access.rule_for(m) is None]
    assert missing == [], "register a rule in the app's access.py, or declare the model there"


def test_a_model_reached_through_a_parent_or_internal_says_why() -> None:
    declared = [rule for rule in access.rules() if rule.visible is None]
    assert declared, "some models are reached through their parent"
    for rule in declared:
        assert rule.reason.strip(), rule.model._meta.label
        assert bool(rule.parent) != rule.internal, rule.model._meta.label
    listed = [rule for rule in access.rules() if rule.visible is not None]
    assert all(not rule.parent and not rule.internal for rule in listed)


def test_visible_refuses_a_model_without_a_rule_and_an_internal_one() -> None:
    with pytest.raises(LookupError, match=r"No access rule for sessions\.Session"):
        access.visible(AnonymousUser(), Session)
    from presales.gaps.models import GapWord

    with pytest.raises(LookupError, match="internal"):
        access.visible(AnonymousUser(), GapWord)


def test_a_model_reached_through_its_deal_follows_the_deals_rule(cast: Cast) -> None:
    north = make_opportunity(make_account(cast.north), name="North deal")
    south = make_opportunity(make_account(cast.south), name="South deal")
    for deal in (north, south):
        StageChange.objects.create(
            opportunity=deal, from_stage="", to_stage=deal.stage, changed_at=timezone.now()
        )
        Evidence.objects.create(
            opportunity=deal, criterion=criterion("budget"), text="Budget is approved"
        )
    for model in (StageChange, Evidence):
        seen = {row.opportunity.name for row in access.visible(cast.alice, model)}
        assert seen == {"North deal"}
        assert access.visible(cast.root, model).count() == 2
        assert access.visible(AnonymousUser(), model).count() == 0
    history = StageChange.objects.get(opportunity=south)
    assert access.can_see(cast.carol, history)
    assert not access.can_see(cast.alice, history)
    assert not access.can_change(cast.alice, history)


def test_reference_data_is_read_by_every_signed_in_user_only(cast: Cast) -> None:
    from presales.people.models import Team

    assert access.visible(cast.alice, Team).count() == Team.objects.count() > 1
    assert access.visible(AnonymousUser(), Team).count() == 0


def test_registering_a_second_rule_for_a_model_is_refused() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r"deals\.StageChange"):
        access.internal(StageChange, "a second, different declaration")
    assert access.rule_for(StageChange).parent == "opportunity"  # type: ignore[union-attr]


def test_roles_live_in_core_and_people_models_still_offers_them() -> None:
    from presales.core.roles import Role as CoreRole

    assert Role is CoreRole
    assert Role.PRODUCT_MANAGER == "product_manager"
