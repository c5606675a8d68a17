"""Totem: the ticket kiosk of a public help desk."""

__version__ = "0.1.0"
