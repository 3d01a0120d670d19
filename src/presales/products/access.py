"""The product and competitor catalog is reference data every signed-in user reads."""

from __future__ import annotations

from presales.core import access
from presales.products.models import Competitor, Product

access.register(Product, visible=access.everyone(Product))
access.register(Competitor, visible=access.everyone(Competitor))
