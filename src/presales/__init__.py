"""Presales: an open-source workbench for sales-engineering teams."""

__version__ = "0.1.0"
