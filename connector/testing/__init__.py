"""Conformance kit for source plugins (usable from any plugin's own pytest suite)."""
