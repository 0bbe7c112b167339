"""Outreach: who hears from us, when, where and how."""
