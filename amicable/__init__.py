"""Amicable: an empathetic collections assistant (API, gateway, outreach and CLI)."""

__version__ = "0.1.0"
