from __future__ import annotations

from django.db import models

from presales.core.models import Sourced


class Product(Sourced):
    name = models.CharField(max_length=120, unique=True)
    series = models.CharField(max_length=80, blank=True)
    list_price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["series", "name"]
        constraints = [Sourced.source_constraint("product_source_external_id")]

    def __str__(self) -> str:
        return self.name


class Competitor(models.Model):
    name = models.CharField(max_length=120, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
