"""The roles a user can hold. They live in core because the access rules read them; the people
app stores them on the user (``presales.people.models`` re-exports both names)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SE = "se", "Sales engineer"
    REP = "rep", "Account executive (rep)"
    SE_MANAGER = "se_manager", "SE manager"
    SALES_MANAGER = "sales_manager", "Sales manager"
    PRODUCT_MANAGER = "product_manager", "Product manager"
    ADMIN = "admin", "Administrator"


MANAGER_ROLES = frozenset({Role.SE_MANAGER, Role.SALES_MANAGER})
