"""The survivor rule of each field a merge decides (see ``survivorship``)."""

from __future__ import annotations

FIELDS: dict[str, list[tuple[str, str]]] = {
    "account": [
        ("name", "precedence"),
        ("sector", "recent"),
        ("size", "recent"),
        ("employees", "recent"),
        ("annual_revenue", "recent"),
        ("country", "non_empty"),
        ("region", "non_empty"),
        ("team", "non_empty"),
        ("parent", "non_empty"),
    ],
    "contact": [
        ("first_name", "precedence"),
        ("last_name", "precedence"),
        ("email", "recent"),
        ("phone", "recent"),
        ("title", "recent"),
        ("deal_role", "non_empty"),
        ("needs", "non_empty"),
        ("status", "flagged"),
    ],
}
