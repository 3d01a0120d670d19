from __future__ import annotations

from django.db.backends.sqlite3 import operations


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "presales.core.backends.sqlite3.compiler"
