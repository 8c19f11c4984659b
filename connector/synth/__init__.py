"""Seeded generator of synthetic Vietnamese schools (no real student data anywhere)."""
