"""Database backends Presales configures itself (see ``presales.settings.sqlite_database``)."""
